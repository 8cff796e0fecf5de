// Package calls is the stage of the call for interest (Ausschreibung): drafts from the KIM
// template or as a copy, the committee, publication as version 1, amendments with
// re-confirmation of submitted bids, questions and public answers, versions and their
// diffs, the public reads, the cancellation and the close at the deadline.
//
// Layer: the stage after accounts. It imports core, rules, store, audit, vault, postbox and
// accounts.
//
// Rules of docs/rules.md:
//   - R1: Publish and SaveDraft (call_usecases.go), Amend, BuildAmendment and
//     markBidsReconfirm (amend.go);
//   - R12: Publish applies rules.ValidateForPublication and checkCommittee;
//   - R13: AskQuestion, AnswerQuestions, AssignToAnswer, PublicQAs (questions.go);
//   - R14: CloseDueCalls, CloseCallTx (the opening closes in its own transaction); rules.StateAt shows a call past its deadline as closed before the job ran; R3: RecordLateAttempt (closing.go);
//   - R18: checkCommittee and CreateDraft (call_usecases.go), LoadLeadCall refuses named
//     evaluators (lead_call.go);
//   - R22: Cancel (cancel.go);
//   - R9: RequireLead and the lead's reads answer ErrNotFound outside the lead's Kreis.
package calls
