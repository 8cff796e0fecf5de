package rules

import (
	"fmt"
	"time"
)

// ProcedureStep is one step of a procedure as the lead's stepper shows it (rules.md, "The
// procedure's states", refined by what happens between the opening and the decision).
type ProcedureStep int

// The steps of a procedure in order.
const (
	StepDraft ProcedureStep = iota
	StepPublished
	StepDeadline
	StepOpening
	StepFormalCheck
	StepScoring
	StepConsolidation
	StepDecision
	StepNotices
	StepStandstill
	StepFinal
)

// ProcedureSteps lists every step in order.
var ProcedureSteps = []ProcedureStep{StepDraft, StepPublished, StepDeadline, StepOpening, StepFormalCheck,
	StepScoring, StepConsolidation, StepDecision, StepNotices, StepStandstill, StepFinal}

// Label returns the German name of the step.
func (s ProcedureStep) Label() string {
	return [...]string{"Entwurf", "Veröffentlicht", "Frist", "Öffnung", "Formale Prüfung", "Bewertung",
		"Konsolidierung", "Entscheidung", "Mitteilungen", "Stillhaltefrist", "Vergabe endgültig"}[s]
}

// StageFacts are what decides a procedure's stage. Before the opening they hold nothing
// about bids (rules.md R2): the counts of open formal checks and score sheets come from
// the opening's snapshot and are only read once the procedure is opened.
type StageFacts struct {
	State          CallState
	Deadline       *time.Time
	Confirmations  int  // opening confirmations so far (of two)
	FormalOpen     int  // opened bids without a final formal outcome
	SheetsOpen     int  // score sheets of admitted bids not yet submitted, over all evaluators
	Consolidated   bool // the consolidation is closed (the result exists)
	Recorded       bool // the decision is recorded
	StandstillEnds *time.Time
	OpenObjections int
	OpenQuestions  int
}

// Stage is where a procedure stands: the step being worked on, what must happen next
// and who must act. Step is meaningless when Cancelled; Complete means the award is final.
type Stage struct {
	Step      ProcedureStep
	Next      string     // the next step in one sentence
	Who       string     // who must act
	Due       *time.Time // the date that bounds the step, if any
	Complete  bool
	Cancelled bool
}

// StepView is one step of the stepper with its status.
type StepView struct {
	Label   string
	Number  int
	Done    bool
	Current bool
}

// Steps returns the stepper: every step with its status.
func (s Stage) Steps() []StepView {
	out := make([]StepView, 0, len(ProcedureSteps))
	for _, step := range ProcedureSteps {
		v := StepView{Label: step.Label(), Number: int(step) + 1}
		if !s.Cancelled {
			v.Done = s.Complete || step < s.Step
			v.Current = !s.Complete && step == s.Step
		}
		out = append(out, v)
	}
	return out
}

// Position is "Schritt n von 11" for the current step.
func (s Stage) Position() string {
	return fmt.Sprintf("Schritt %d von %d", int(s.Step)+1, len(ProcedureSteps))
}

// Who must act, in German.
const (
	WhoLead      = "Verfahrensleitung"
	WhoOpeners   = "Öffnungsberechtigte Personen (zwei verschiedene)"
	WhoCommittee = "Bewertungsgremium"
	WhoNobody    = "Niemand – die Frist läuft"
	WhoSystem    = "Niemand – kimibv erklärt die Vergabe selbst für endgültig"
)

// ProcedureStage derives the stage from the facts at now. A procedure whose deadline has
// passed counts as closed even before the close job ran (rules.md R14).
func ProcedureStage(f StageFacts, now time.Time) Stage {
	deadlinePassed := f.Deadline != nil && !now.Before(*f.Deadline)
	switch {
	case f.State == CallCancelled:
		return Stage{Cancelled: true, Next: "Das Verfahren ist aufgehoben.", Who: "Niemand"}
	case f.State == CallAwarded:
		return Stage{Step: StepFinal, Complete: true, Next: "Das Verfahren ist abgeschlossen.", Who: "Niemand"}
	case f.State == CallDraft:
		return Stage{Step: StepDraft, Next: "Entwurf vervollständigen und veröffentlichen.", Who: WhoLead}
	case f.State == CallPublished && !deadlinePassed:
		s := Stage{Step: StepDeadline, Next: "Die Frist für Interessenbekundungen läuft.", Who: WhoNobody, Due: f.Deadline}
		if f.OpenQuestions > 0 {
			s.Next = fmt.Sprintf("Die Frist läuft; %d Frage(n) warten auf eine Antwort.", f.OpenQuestions)
			s.Who = WhoLead
		}
		return s
	case f.State == CallPublished || f.State == CallClosed:
		return Stage{Step: StepOpening, Who: WhoOpeners,
			Next: fmt.Sprintf("Öffnung bestätigen (%d von 2 Bestätigungen).", min(f.Confirmations, 2))}
	case f.State == CallOpened:
		return openedStage(f)
	case f.State == CallDecided:
		return Stage{Step: StepNotices, Next: "Mitteilungen an die Träger versenden.", Who: WhoLead}
	case f.State == CallNotified:
		return notifiedStage(f, now)
	}
	return Stage{Step: StepDraft, Next: f.State.Label(), Who: WhoLead}
}

// openedStage is the stage between the opening and the recorded decision.
func openedStage(f StageFacts) Stage {
	switch {
	case f.Consolidated && !f.Recorded:
		return Stage{Step: StepDecision, Next: "Entscheidungsvorschlag vorbereiten und Beschluss aufzeichnen.", Who: WhoLead}
	case f.Consolidated:
		return Stage{Step: StepNotices, Next: "Mitteilungen an die Träger versenden.", Who: WhoLead}
	case f.FormalOpen > 0:
		return Stage{Step: StepFormalCheck, Next: fmt.Sprintf("Formale Prüfung abschließen (%d offen).", f.FormalOpen), Who: WhoLead}
	case f.SheetsOpen > 0:
		return Stage{Step: StepScoring, Next: fmt.Sprintf("Bewertungsbögen abgeben (%d offen).", f.SheetsOpen), Who: WhoCommittee}
	}
	return Stage{Step: StepConsolidation, Next: "Bewertungen konsolidieren und die Konsolidierung abschließen.", Who: WhoLead}
}

// notifiedStage is the stage after the notices: the standstill, then the final award.
func notifiedStage(f StageFacts, now time.Time) Stage {
	over := f.StandstillEnds != nil && !now.Before(*f.StandstillEnds)
	s := Stage{Step: StepStandstill, Next: "Die Stillhaltefrist läuft.", Who: WhoNobody, Due: f.StandstillEnds}
	if over {
		s = Stage{Step: StepFinal, Next: "Die Vergabe wird endgültig, sobald keine Rüge mehr offen ist.", Who: WhoSystem}
	}
	if f.OpenObjections > 0 {
		s.Next = fmt.Sprintf("%d Rüge(n) beantworten.", f.OpenObjections)
		s.Who = WhoLead
	}
	return s
}
