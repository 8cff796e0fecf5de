// Package decision is the stage from the result to the final award: the decision proposal
// and the recorded resolution with the Vergabevermerk, the notices (Mitteilungen) and the
// standstill, objections (Rügen), the final award, the council view with its annex, the
// lead's Vergabeakte, and the public award record with the validators of the public pages.
//
// Layer: the stage after evaluation. It imports core, rules, store, audit, vault, postbox,
// accounts, calls, bids and evaluation.
//
// Rules of docs/rules.md:
//   - R20: SaveProposal, RecordDecision (decision_usecases.go);
//   - R10: IssueNotices (notices.go), FinalizeDueAwards, FinalizeAward (award.go);
//   - R21: LodgeObjection, AnswerObjection (objections.go), awardDueSQL (award.go);
//   - R25: CouncilProcedures, LoadCouncilProcedure, DeclareCouncilTies (council.go),
//     loadCouncilAnnex (council_annex.go);
//   - R24: LoadAwardRecord and the public timeline (award_record.go);
//   - R2: CallStamp derives the call page's validators from public state only
//     (call_stamp.go);
//   - R8: the Vergabeakte carries the verified chain (vergabeakte.go).
package decision
