// Package opendata builds the OCDS 1.1 release packages of the procedures from public
// information only: the published versions, the published answers (never who asked), the
// amendments, the cancellation, the award stages and the forwarding contracts with their
// payments and proof milestones (ocds_contracts.go). BuildOCDSReleases is pure;
// OCDSProcedures loads its input with a constant number of queries.
//
// Layer: above forwarding. It imports core, rules, calls and forwarding.
//
// Rules of docs/rules.md: R24 — parties are organisations only, never persons; no scores,
// reasons or business secrets; release ids are stable and a release never changes once
// published (ocds.go, ocds_award.go, ocds_reads.go).
package opendata
