package rules

// Tie kinds of a conflict-of-interest declaration (§§ 20, 21 VwVfG; § 31 GO NRW).
const (
	TieNone       = "none"
	TieEmployment = "employment"
	TieBoard      = "board"
	TieMembership = "membership"
	TieFamily     = "family"
	TieOther      = "other"
)

// TieKinds lists the tie kinds in display order.
var TieKinds = []string{TieNone, TieEmployment, TieBoard, TieMembership, TieFamily, TieOther}

// TieLabel returns the German label of a tie kind.
func TieLabel(t string) string {
	switch t {
	case TieNone:
		return "Keine Verbindung"
	case TieEmployment:
		return "Beschäftigung (auch früher oder angestrebt)"
	case TieBoard:
		return "Vorstand oder Aufsichtsgremium"
	case TieMembership:
		return "Mitgliedschaft mit Funktion"
	case TieFamily:
		return "Familiäre oder persönliche Beziehung"
	case TieOther:
		return "Sonstige Verbindung"
	}
	return t
}

// MaySeeOthersScores is the independence rule (pure, rules.md R6): an evaluator sees
// the other evaluators' scores of a bid only after submitting their own sheet for it.
func MaySeeOthersScores(ownSubmitted bool) bool { return ownSubmitted }

// EvaluatorMaySee is the conflict-of-interest gate (pure, rules.md R5): an evaluator
// sees a bidding organisation's bid only when they have declared for every bidding
// organisation of the call and declared no tie to this one.
func EvaluatorMaySee(declared map[int64]string, bidders []int64, orgID int64) bool {
	for _, b := range bidders {
		if _, ok := declared[b]; !ok {
			return false
		}
	}
	return declared[orgID] == TieNone
}
