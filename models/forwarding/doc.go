// Package forwarding is the life of the awarded posts after the final award: the
// Weiterleitungsvertrag (or Zuwendungsbescheid) under Nr. 12 VV zu § 44 LHO per selected
// provider with its acceptance, the state of each post (staffing, no names) and the
// Mittelabrufe with the lead's decision and the recorded payments.
//
// Layer: above decision. It imports core, rules, store, audit, vault, postbox, accounts
// and calls.
//
// Rules of docs/rules.md:
//   - R35: IssueContract, AcceptContract (contract.go);
//   - R36: ReportPost, the coverage and the vacancy flag (staffing.go);
//   - R37: RequestDrawdown, DecideDrawdown, RecordPayment (funds.go) with
//     rules.DrawdownCheck;
//   - R38: the open view of the posts (open.go).
package forwarding
