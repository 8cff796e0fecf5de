package pdfdoc

import (
	"kimibv/models"
	"kimibv/models/bids"
	"kimibv/models/calls"
	"kimibv/models/evaluation"
)

// Issuers returns every document hook with the renderers of this package; checkURL is
// the public document check printed in each footer.
func Issuers(checkURL string) models.DocumentIssuers {
	return models.DocumentIssuers{
		Call:     calls.BekanntmachungIssuer(Bekanntmachung(checkURL)),
		Receipt:  bids.EingangsbestaetigungIssuer(Eingangsbestaetigung(checkURL)),
		Opening:  evaluation.OeffnungsprotokollIssuer(Oeffnungsprotokoll(checkURL)),
		Matrix:   evaluation.BewertungsmatrixIssuer(Bewertungsmatrix(checkURL)),
		Decision: models.DecisionDocs{Vermerk: Vergabevermerk(checkURL), Notice: Mitteilung(checkURL)},
	}
}
