// Package forwarding is the life of the awarded posts after the final award: the
// Weiterleitungsvertrag (or Zuwendungsbescheid) under Nr. 12 VV zu § 44 LHO per selected
// provider with its acceptance, the state of each post (staffing, no names), the
// Mittelabrufe with the lead's decision and the recorded payments, and the
// Verwendungsnachweis per Förderjahr with the lead's check; and, per Kreis and calendar
// year, the summary of all of it for the Kreis's report to the Land.
//
// Layer: above decision. It imports core, rules, store, audit, vault, postbox, accounts
// and calls.
//
// Rules of docs/rules.md:
//   - R35: IssueContract, AcceptContract (contract.go);
//   - R36: ReportPost, the coverage and the vacancy flag (staffing.go);
//   - R37: RequestDrawdown, DecideDrawdown, RecordPayment (funds.go) with
//     rules.DrawdownCheck;
//   - R36 also: OpenPosts, the award record's posts over time (open.go);
//   - R38: the Förderjahre and the deadlines of the Verwendungsnachweis in the terms
//     (buildTerms with rules.FundingYears and rules.ProofDue); the Verwendungsnachweis
//     with SubmitProof and CheckProof (proof.go, rules.Repayment), the PDF of receipts
//     with ReplaceProofFile, OpenProofFile and OpenOwnProofFile (proof_file.go) and the
//     reminders (SendProofReminders, proof_reminders.go);
//   - R39: the Kreis's year summary across its procedures and providers (YearSummary,
//     SummaryYears, summary.go) with rules.SummarizeYear.
package forwarding
