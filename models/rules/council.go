package rules

// Stages of a status report to the council (rules.md R32): the lead picks the stage a
// Sachstandsbericht reports on; a stage can only be reported once the procedure reached it.
const (
	StageConsultationClosed = "consultation_closed"
	StageCallPublished      = "call_published"
	StageOpening            = "opening"
	StageDecisionPrepared   = "decision_prepared"
	StageAward              = "award"
	StageReporting          = "reporting"
)

// CouncilStages lists the report stages in the order of the procedure.
var CouncilStages = []string{StageConsultationClosed, StageCallPublished, StageOpening, StageDecisionPrepared, StageAward, StageReporting}

// CouncilStageLabel names a report stage in German ("" for an unknown stage).
func CouncilStageLabel(stage string) string {
	switch stage {
	case StageConsultationClosed:
		return "Beteiligung abgeschlossen"
	case StageCallPublished:
		return "Ausschreibung veröffentlicht"
	case StageOpening:
		return "Öffnung der Interessenbekundungen"
	case StageDecisionPrepared:
		return "Entscheidung vorbereitet"
	case StageAward:
		return "Vergabe"
	case StageReporting:
		return "Berichterstattung"
	}
	return ""
}

// CouncilStageReached reports whether a procedure in state with the given opening may be
// reported on at stage: the consultation and the publication once published, the opening
// and the prepared decision once the bids were opened, the award and the reporting once
// the award is final. A report before the opening therefore never speaks of the opening.
func CouncilStageReached(stage string, state CallState, opened bool) bool {
	switch stage {
	case StageConsultationClosed, StageCallPublished:
		return state != CallDraft
	case StageOpening, StageDecisionPrepared:
		return opened
	case StageAward, StageReporting:
		return state == CallAwarded
	}
	return false
}

// FactionKinds are the kinds of a group in the council: Fraktion or Gruppe.
var FactionKinds = []string{"fraktion", "gruppe"}

// FactionKindLabel names a faction kind in German.
func FactionKindLabel(kind string) string {
	switch kind {
	case "fraktion":
		return "Fraktion"
	case "gruppe":
		return "Gruppe"
	}
	return ""
}
