// Package evaluation is the stage after the deadline: the two-person opening and the
// Öffnungsprotokoll, the formal check with document requests and corrections, the
// committee with its conflict-of-interest declarations, the evaluators' score sheets, and
// the consolidation with the result and the Bewertungsmatrix.
//
// Layer: the stage after bids. It imports core, rules, store, audit, vault, postbox,
// accounts, calls and bids.
//
// Rules of docs/rules.md:
//   - R15: OpeningRule, ConfirmOpening, freezeOpening (opening.go), Opening
//     (opening_view.go);
//   - R16: SaveFormalCheck, CorrectExclusion (formal_check.go), RequestDocuments,
//     AnswerDocumentRequest (doc_requests.go);
//   - R5: DeclareTies, understaffedBids (coi.go), AddEvaluator (committee.go);
//   - R6: CheckSheet, SaveSheet, EvaluatorSheet (sheets.go), SetConsolidatedScores
//     (consolidation_usecases.go);
//   - R19 with R7: CloseConsolidation, storeResult (consolidation_usecases.go),
//     TieResolutionsFrom (consolidation_page.go);
//   - R18: the lead's and the openers' pages refuse named evaluators (leadOpenedBids,
//     lockFormalBid, ConfirmOpening, Opening).
package evaluation
