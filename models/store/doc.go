// Package store opens the PostgreSQL database (connection pool and GORM handle; the pool
// refuses servers that accept no writes, so after a failover a multi-host DATABASE_URL
// finds the new primary), tells errors that mean "the database is unavailable right now"
// from others (IsUnavailable: 503, not 500), runs use cases in one transaction (InTx),
// turns "no rows" into core.ErrNotFound, counts queries for tests and benchmarks, and
// applies the embedded goose migrations (migrations/) under an advisory lock, refusing a
// database migrated by a newer binary.
//
// Layer: above core. It imports only core.
//
// Rules of docs/rules.md: the migrations hold the database's share of the rules. The
// deferred triggers of 00035_bids.sql decide the deadline by the database clock at COMMIT
// (R3); triggers refuse changes to published versions (R1), submitted bids (R4), audit
// entries and issued documents (R8), openings (R15), formal checks (R16), submitted score
// sheets (R6), closed consolidations (R19), recorded decisions, notices and objections
// (R20, R21) and council declarations (R25). GORM's clock is UTC (R11, OpenGorm).
package store
