package rules

import (
	"errors"
	"testing"

	"kimibv/models/core"
)

func TestRemedyIsAllowedOnlyAfterAnUpheldObjectionBeforeFinality(t *testing.T) {
	t.Parallel()
	upheld := RemedyFacts{State: CallNotified, UpheldObjections: 1}
	cases := []struct {
		name  string
		facts RemedyFacts
		step  RemedyStep
		ok    bool
	}{
		{"notified, upheld, to formal check", upheld, RemedyFormalCheck, true},
		{"notified, upheld, to scoring", upheld, RemedyScoring, true},
		{"notified, upheld, to consolidation", upheld, RemedyConsolidation, true},
		{"notified, upheld, to decision", upheld, RemedyDecision, true},
		{"notified, upheld, forged step", upheld, RemedyStep("opening"), false},
		{"notified, upheld, empty step", upheld, RemedyStep(""), false},
		{"notified, nothing upheld", RemedyFacts{State: CallNotified}, RemedyScoring, false},
		{"notified, one still open", RemedyFacts{State: CallNotified, UpheldObjections: 1, OpenObjections: 1}, RemedyScoring, false},
		{"awarded", RemedyFacts{State: CallAwarded, UpheldObjections: 1}, RemedyDecision, false},
		{"cancelled", RemedyFacts{State: CallCancelled, UpheldObjections: 1}, RemedyDecision, false},
		{"decided, notices not sent", RemedyFacts{State: CallDecided, UpheldObjections: 1}, RemedyDecision, false},
		{"opened (already returned)", RemedyFacts{State: CallOpened, UpheldObjections: 1}, RemedyScoring, false},
		{"published", RemedyFacts{State: CallPublished}, RemedyFormalCheck, false},
		{"draft", RemedyFacts{State: CallDraft}, RemedyFormalCheck, false},
	}
	for _, c := range cases {
		err := RemedyBlocked(c.facts, c.step)
		if c.ok != (err == nil) {
			t.Errorf("%s: RemedyBlocked = %v, want allowed %v", c.name, err, c.ok)
		}
		var sc *core.StateConflict
		if err != nil && !errors.As(err, &sc) {
			t.Errorf("%s: error %v is not a StateConflict", c.name, err)
		}
	}
}

func TestRemedyStepSupersedesItselfAndEveryLaterStep(t *testing.T) {
	t.Parallel()
	cases := []struct {
		to   RemedyStep
		want []RemedyStep
	}{
		{RemedyFormalCheck, []RemedyStep{RemedyFormalCheck, RemedyScoring, RemedyConsolidation, RemedyDecision}},
		{RemedyScoring, []RemedyStep{RemedyScoring, RemedyConsolidation, RemedyDecision}},
		{RemedyConsolidation, []RemedyStep{RemedyConsolidation, RemedyDecision}},
		{RemedyDecision, []RemedyStep{RemedyDecision}},
	}
	for _, c := range cases {
		var got []RemedyStep
		for _, s := range RemedySteps {
			if c.to.Supersedes(s) {
				got = append(got, s)
			}
		}
		if len(got) != len(c.want) || got[0] != c.want[0] {
			t.Errorf("return to %s supersedes %v, want %v", c.to, got, c.want)
		}
	}
	if RemedyScoring.ProcedureStep() != StepScoring || RemedyDecision.Label() != "Entscheidung" {
		t.Errorf("steps map to the stepper wrongly")
	}
}

func TestRemedyReasonRefusesMissingAndBoilerplate(t *testing.T) {
	t.Parallel()
	for reason, ok := range map[string]bool{
		"":       false,
		"s. o.":  false,
		"Fehler": false,
		"Die Bewertung von Kriterium K2 beruhte auf einer falschen Fassung des Konzepts.": true,
		"a\x00b c d e": false,
	} {
		v := &core.ValidationError{}
		CheckRemedyReason(v, "reason", reason)
		if ok != (v.OrNil() == nil) {
			t.Errorf("reason %q: %v, want ok %v", reason, v.OrNil(), ok)
		}
	}
}
