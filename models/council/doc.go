// Package council keeps the Kreistag equally informed about a procedure (rules.md R32,
// R33): the factions of the council (Fraktion, Gruppe or none) kept by the Kreis
// administrator, the lead's status reports (Sachstandsberichte, issued as PDFs with the
// chain head), the members' questions (Anfragen) and their answers, and the distribution
// record that shows every member received the same content at the same time and who has
// opened it.
//
// Every member receives every report and every answer in one statement inside the use
// case's transaction, with one content hash (R32). An answer names the asking faction,
// never the asking person: the member asks for the faction, the answer is for the whole
// council (R33). A report carries only the lead's text; it offers no attachment from the
// procedure's files, so nothing of the sealed bids can reach the council through it, and a
// stage can only be reported once the procedure reached it (rules.CouncilStageReached).
//
// It sits above decision in the layer order; the views live in app/council_info.go.
package council
