package rules_test

import (
	"testing"
	"time"

	"kimibv/models/rules"
)

func TestStateAtShowsACallPastItsDeadlineAsClosed(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	before, after := now.Add(-time.Second), now.Add(time.Second)
	for _, c := range []struct {
		name     string
		state    rules.CallState
		deadline *time.Time
		want     rules.CallState
	}{
		{"published, deadline passed", rules.CallPublished, &before, rules.CallClosed},
		{"published, deadline ahead", rules.CallPublished, &after, rules.CallPublished},
		{"published, deadline now (not yet passed)", rules.CallPublished, &now, rules.CallPublished},
		{"published without deadline", rules.CallPublished, nil, rules.CallPublished},
		{"cancelled past its deadline stays cancelled", rules.CallCancelled, &before, rules.CallCancelled},
		{"opened stays opened", rules.CallOpened, &before, rules.CallOpened},
		{"draft stays draft", rules.CallDraft, &before, rules.CallDraft},
	} {
		if got := rules.StateAt(c.state, c.deadline, now); got != c.want {
			t.Errorf("%s: got %s, want %s", c.name, got, c.want)
		}
	}
}
