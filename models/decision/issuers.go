package decision

import (
	"kimibv/models/bids"
	"kimibv/models/calls"
	"kimibv/models/evaluation"
)

// DocumentIssuers bundles the hooks with which the use cases issue their PDFs. The
// renderers live in app/pdfdoc (PDFs are views); models receives them as values, so that
// the application, the demonstration and the tests issue the same documents.
type DocumentIssuers struct {
	Call     calls.CallIssuer         // Bekanntmachung per published version
	Receipt  bids.ReceiptIssuer       // Eingangsbestätigung per bid version
	Opening  evaluation.OpeningIssuer // Öffnungsprotokoll at the second opening confirmation
	Matrix   evaluation.MatrixIssuer  // Bewertungsmatrix when the consolidation closes
	Decision DecisionDocs             // Vergabevermerk and Mitteilungen
}
