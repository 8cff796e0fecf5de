package rules

import "testing"

func TestCouncilStageReachedOnlyOnceTheProcedureGotThere(t *testing.T) {
	t.Parallel()
	cases := []struct {
		stage  string
		state  CallState
		opened bool
		want   bool
	}{
		{StageCallPublished, CallDraft, false, false},
		{StageConsultationClosed, CallDraft, false, false},
		{StageCallPublished, CallPublished, false, true},
		{StageConsultationClosed, CallClosed, false, true},
		{StageOpening, CallClosed, false, false},
		{StageOpening, CallOpened, true, true},
		{StageDecisionPrepared, CallPublished, false, false},
		{StageDecisionPrepared, CallDecided, true, true},
		{StageOpening, CallCancelled, false, false},
		{StageOpening, CallCancelled, true, true},
		{StageAward, CallNotified, true, false},
		{StageAward, CallAwarded, true, true},
		{StageReporting, CallAwarded, true, true},
		{"bids", CallAwarded, true, false},
	}
	for _, c := range cases {
		if got := CouncilStageReached(c.stage, c.state, c.opened); got != c.want {
			t.Errorf("CouncilStageReached(%s, %s, %v) = %v, want %v", c.stage, c.state, c.opened, got, c.want)
		}
	}
	for _, s := range CouncilStages {
		if CouncilStageLabel(s) == "" {
			t.Errorf("stage %s has no label", s)
		}
	}
	if CouncilStageLabel("x") != "" || FactionKindLabel("x") != "" || FactionKindLabel("gruppe") != "Gruppe" {
		t.Error("labels of unknown values")
	}
}
