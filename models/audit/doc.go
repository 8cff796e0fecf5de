// Package audit keeps the audit trail: SHA-256 hash chains (one for the platform, one per
// Kreis, one per procedure and one sealed bid trail per procedure), the append of an entry
// inside the caller's transaction, the verification of a chain, the catalogue of actions
// with their German labels, and the Kreis protocol with its filters.
//
// Layer: above store. It imports only core; it works in the caller's transaction and
// opens none.
//
// Rules of docs/rules.md:
//   - R8: Audit, CanonicalEntry, EntryHash, VerifyChain, ChainHead (audit.go);
//   - R2: the sealed bid trail — SealedBidChain, SealedTrailVisibleSQL and
//     JoinSealedTrail (seal.go), and Audit drops the Kreis of an entry on a sealed trail;
//   - R6 and R18: ListAudit shows a procedure's entries to its named evaluators without
//     their details (audit_query.go).
package audit
