// Package rules holds the pure rules of the procedure: the content of a call and of a bid
// with their canonical encodings, the checks for publication and amendments, the states of
// a call and of its seal, the formal check, the conflict-of-interest and independence
// predicates, scoring, ranking and allocation, the decision proposal, the expiry of wallet
// documents, and the German parsing and formatting of numbers, dates and times. Nothing
// here reads or writes the database: every function gets what it needs, the current time
// included, and is table-tested.
//
// Layer: above core. It imports only core, and no GORM.
//
// Rules of docs/rules.md:
//   - R1: CheckAmendment, MaterialSections, EarliestDeadlineAfter (amend_rules.go),
//     DiffVersions (call_diff.go), NextKey (call_content.go);
//   - R2: CallSealStatus, what the Kreis learns before the opening (bid_rules.go);
//   - R3: SubmissionAccepted (bid_rules.go), CanonicalBid and BidSHA256 (bid_content.go);
//   - R4: ApplyStep, BidMissing (bid_rules.go), the PDF checks (filecheck.go);
//   - R5 and R6: EvaluatorMaySee, MaySeeOthersScores (ties.go); MeanScore, NeedsReason,
//     CheckConsolidatedScore, ScoreSpread (scoring_rules.go);
//   - R7: Points (scoring_rules.go), ComputeResult (result.go), allocate (allocation.go);
//   - R10 and R20: StandstillEnd, CheckProposal, CheckRecord (decision.go);
//   - R11: ParseGermanDateTime, FormatDateTimeZone (parse_de.go), FormatDateTimeSeconds
//     (bid_rules.go);
//   - R12: ValidateForPublication, DefaultCallRules (call_validate.go);
//   - R16: Checklist, CheckFormalDecision (formal_rules.go);
//   - R17: DocumentExpiry (wallet_rules.go);
//   - R19: BuildMatrix, Matrix.Missing (consolidation.go), Result.NeedsLeadDecision
//     (result.go);
//   - R22: CancelBlocked (calls.go);
//   - R39: SummarizeYear, SummaryYears (year_summary.go), the Kreis's year summary of
//     the forwarding.
package rules
