package rules

import (
	"strings"
	"testing"
	"time"
)

// TestProcedureStageNamesTheStepDueAndWhoActs walks a procedure through its stages.
func TestProcedureStageNamesTheStepDueAndWhoActs(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	later, earlier := now.Add(time.Hour), now.Add(-time.Hour)
	for _, tc := range []struct {
		name string
		f    StageFacts
		step ProcedureStep
		who  string
		next string
	}{
		{"draft", StageFacts{State: CallDraft}, StepDraft, WhoLead, "veröffentlichen"},
		{"deadline running", StageFacts{State: CallPublished, Deadline: &later}, StepDeadline, WhoNobody, "Frist"},
		{"questions open", StageFacts{State: CallPublished, Deadline: &later, OpenQuestions: 2}, StepDeadline, WhoLead, "2 Frage(n)"},
		{"deadline passed, not yet closed", StageFacts{State: CallPublished, Deadline: &earlier}, StepOpening, WhoOpeners, "0 von 2"},
		{"one confirmation", StageFacts{State: CallClosed, Deadline: &earlier, Confirmations: 1}, StepOpening, WhoOpeners, "1 von 2"},
		{"formal check", StageFacts{State: CallOpened, FormalOpen: 2, SheetsOpen: 6}, StepFormalCheck, WhoLead, "2 offen"},
		{"scoring", StageFacts{State: CallOpened, SheetsOpen: 6}, StepScoring, WhoCommittee, "6 offen"},
		{"consolidation", StageFacts{State: CallOpened}, StepConsolidation, WhoLead, "konsolidieren"},
		{"decision", StageFacts{State: CallOpened, Consolidated: true}, StepDecision, WhoLead, "Beschluss"},
		{"notices", StageFacts{State: CallDecided, Consolidated: true, Recorded: true}, StepNotices, WhoLead, "Mitteilungen"},
		{"standstill", StageFacts{State: CallNotified, StandstillEnds: &later}, StepStandstill, WhoNobody, "Stillhaltefrist"},
		{"objection open", StageFacts{State: CallNotified, StandstillEnds: &later, OpenObjections: 1}, StepStandstill, WhoLead, "1 Rüge(n)"},
		{"standstill over", StageFacts{State: CallNotified, StandstillEnds: &earlier}, StepFinal, WhoSystem, "endgültig"},
	} {
		st := ProcedureStage(tc.f, now)
		if st.Step != tc.step || st.Who != tc.who || !strings.Contains(st.Next, tc.next) || st.Complete || st.Cancelled {
			t.Errorf("%s: step %s, who %q, next %q; want %s, %q, containing %q", tc.name, st.Step.Label(), st.Who, st.Next, tc.step.Label(), tc.who, tc.next)
		}
		steps := st.Steps()
		if len(steps) != 11 || !steps[tc.step].Current || (tc.step > 0 && !steps[tc.step-1].Done) || (tc.step < StepFinal && steps[tc.step+1].Done) {
			t.Errorf("%s: stepper %+v", tc.name, steps)
		}
	}
	if st := ProcedureStage(StageFacts{State: CallAwarded}, now); !st.Complete || !st.Steps()[StepFinal].Done {
		t.Errorf("awarded: %+v", st)
	}
	if st := ProcedureStage(StageFacts{State: CallCancelled}, now); !st.Cancelled || st.Steps()[0].Done || st.Steps()[0].Current {
		t.Errorf("cancelled: %+v", st)
	}
	if got := ProcedureStage(StageFacts{State: CallOpened, SheetsOpen: 1}, now).Position(); got != "Schritt 6 von 11" {
		t.Errorf("position %q", got)
	}
}
