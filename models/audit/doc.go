// Package audit keeps the audit trail: SHA-256 hash chains (one for the platform, one per
// Kreis, one per procedure and one sealed bid trail per procedure), the append of an entry
// inside the caller's transaction, the verification of a chain, the catalogue of actions
// with their German labels, and the Kreis protocol with its filters.
//
// Layer: above store. It imports only core; it works in the caller's transaction and
// opens none, except that VerifyChain and VerifyAllChains, given the pool, read in a
// read-only transaction of their own (verify.go).
//
// Rules of docs/rules.md:
//   - R8: Audit, CanonicalEntry, EntryHash, ChainHead (audit.go); VerifyChain and
//     VerifyAllChains (verify.go, the parallel COPY reader in verify_stream.go);
//   - R2: the sealed bid trail — SealedBidChain, SealedTrailVisibleSQL and
//     JoinSealedTrail (seal.go), and Audit drops the Kreis of an entry on a sealed trail;
//   - R6 and R18: ListAudit shows a procedure's entries to its named evaluators without
//     their details (audit_query.go).
package audit
