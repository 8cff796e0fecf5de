package decision

import (
	"kimibv/models/bids"
	"kimibv/models/calls"
	"kimibv/models/consultation"
	"kimibv/models/evaluation"
)

// ProcedureDocuments renders every document a procedure issues: the Bekanntmachung, the
// Eingangsbestätigung, the Öffnungsprotokoll, the Bewertungsmatrix, the Vergabevermerk and
// the Mitteilungen. The layouts live in app/pdfdoc (PDFs are views), which implements it;
// each stage's use cases take only their own part (calls.Documents, bids.Documents,
// evaluation.Documents, Documents) as a required argument, so no use case can issue its
// document without a renderer and the application, the demonstration and the tests issue
// the same documents.
type ProcedureDocuments interface {
	calls.Documents
	bids.Documents
	evaluation.Documents
	consultation.Documents // the Beteiligung's draft and Abwägung
	Documents
}
