package pdfdoc

import (
	"kimibv/models/bids"
	"kimibv/models/calls"
	"kimibv/models/decision"
	"kimibv/models/evaluation"
)

// Issuers returns every document hook with the renderers of this package; checkURL is
// the public document check printed in each footer.
func Issuers(checkURL string) decision.DocumentIssuers {
	return decision.DocumentIssuers{
		Call:     calls.BekanntmachungIssuer(Bekanntmachung(checkURL)),
		Receipt:  bids.EingangsbestaetigungIssuer(Eingangsbestaetigung(checkURL)),
		Opening:  evaluation.OeffnungsprotokollIssuer(Oeffnungsprotokoll(checkURL)),
		Matrix:   evaluation.BewertungsmatrixIssuer(Bewertungsmatrix(checkURL)),
		Decision: decision.DecisionDocs{Vermerk: Vergabevermerk(checkURL), Notice: Mitteilung(checkURL)},
	}
}
