package rules

import (
	"fmt"

	"kimibv/models/core"
)

// RemedyStep is a step the lead can return a procedure to after upholding an objection
// (Rüge): the step where the error lies (rules.md R34).
type RemedyStep string

// The steps a remedy can return to, in procedure order.
const (
	RemedyFormalCheck   RemedyStep = "formal_check"
	RemedyScoring       RemedyStep = "scoring"
	RemedyConsolidation RemedyStep = "consolidation"
	RemedyDecision      RemedyStep = "decision"
)

// RemedySteps lists every step a remedy can return to, in procedure order.
var RemedySteps = []RemedyStep{RemedyFormalCheck, RemedyScoring, RemedyConsolidation, RemedyDecision}

// ParseRemedyStep returns the step named s; ok is false for anything else.
func ParseRemedyStep(s string) (RemedyStep, bool) {
	for _, r := range RemedySteps {
		if string(r) == s {
			return r, true
		}
	}
	return "", false
}

// Label returns the German name of the step (as the stepper names it).
func (r RemedyStep) Label() string { return r.ProcedureStep().Label() }

// ProcedureStep is the stepper's step the procedure returns to.
func (r RemedyStep) ProcedureStep() ProcedureStep {
	switch r {
	case RemedyFormalCheck:
		return StepFormalCheck
	case RemedyScoring:
		return StepScoring
	case RemedyConsolidation:
		return StepConsolidation
	}
	return StepDecision
}

// Supersedes reports whether returning to r supersedes what step other produced: the step
// returned to and every later one are redone.
func (r RemedyStep) Supersedes(other RemedyStep) bool {
	return other.ProcedureStep() >= r.ProcedureStep()
}

// RemedyFacts are what decides whether a procedure can be returned to a step.
type RemedyFacts struct {
	State            CallState
	UpheldObjections int // upheld objections of the current round
	OpenObjections   int // objections of the current round not yet answered
}

// RemedyBlocked returns nil when a procedure with facts f can be returned to step, else
// the core.StateConflict that says why not (rules.md R34). A remedy needs the notices
// sent (state notified: objections are lodged during the standstill), an objection of
// this round upheld and no objection left unanswered; an award that became final is
// never reopened. Pure.
func RemedyBlocked(f RemedyFacts, step RemedyStep) error {
	if _, ok := ParseRemedyStep(string(step)); !ok {
		return &core.StateConflict{Message: "Dieser Schritt kann nicht erneut durchgeführt werden. Wählen Sie formale Prüfung, Bewertung, Konsolidierung oder Entscheidung; es wurde nichts geändert."}
	}
	switch {
	case f.State == CallAwarded:
		return &core.StateConflict{Message: "Die Vergabe ist bereits endgültig. Eine Rückverweisung ist nicht mehr möglich; es wurde nichts geändert."}
	case f.State == CallCancelled:
		return &core.StateConflict{Message: "Die Ausschreibung ist aufgehoben. Eine Rückverweisung ist nicht möglich; es wurde nichts geändert."}
	case f.State != CallNotified:
		return &core.StateConflict{Message: fmt.Sprintf("Das Verfahren steht im Stand „%s“. Zurückverweisen können Sie erst, wenn nach den Mitteilungen einer Rüge abgeholfen wurde; es wurde nichts geändert.", DecisionStateLabel(f.State))}
	case f.OpenObjections > 0:
		return &core.StateConflict{Message: fmt.Sprintf("%d Rüge(n) sind noch nicht beantwortet. Bitte beantworten Sie zuerst alle Rügen; es wurde nichts geändert.", f.OpenObjections)}
	case f.UpheldObjections == 0:
		return &core.StateConflict{Message: "Keiner Rüge wurde abgeholfen. Zurückverweisen können Sie nur, wenn Sie einer Rüge abgeholfen haben; es wurde nichts geändert."}
	}
	return nil
}

// CheckRemedyReason validates the reason of a remedy: required, valid text of at most
// MaxReason characters and not boilerplate (IsBoilerplateReason). Errors in German on field.
func CheckRemedyReason(v *core.ValidationError, field, reason string) {
	before := len(v.Fields)
	core.CheckText(v, field, "die Begründung der Rückverweisung", reason, true, MaxReason)
	if len(v.Fields) == before && IsBoilerplateReason(reason) {
		v.Add(field, "boilerplate", fmt.Sprintf("Die Begründung der Rückverweisung: Bitte nennen Sie in ganzen Sätzen, welcher Fehler in welchem Schritt liegt (mindestens %d Wörter mit eigenem Inhalt).", MinReasonWords))
	}
}
