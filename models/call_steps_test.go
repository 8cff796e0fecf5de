package models_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/rules"
)

// TestSaveDraftStepKeepsOtherStepsAndTheirStaleValues: a draft saved with a deadline that has
// since passed can still get a new title (the stale deadline is the schedule step's and the
// preview's business), keeps its deadline, lots, funding and committee, while the schedule step itself
// refuses the past deadline; a published call and an unknown step are refused.
func TestSaveDraftStepKeepsOtherStepsAndTheirStaleValues(t *testing.T) {
	t.Parallel()
	f := newCallFixture(t)
	ctx := context.Background()
	call := f.draftWithCommittee(t)
	scope := core.CallScope{Tenant: f.tenantID, Call: call.ID}
	later := f.now.Add(60 * 24 * time.Hour) // the draft's deadline (about 30 days ahead) has passed
	if err := calls.SaveDraftStep(ctx, f.db, f.lead, scope, rules.CallStepBasics, rules.CallDraftInput{Title: "Neu", ContactEmail: "ki@musterland.example"}, later); err != nil {
		t.Fatalf("saving Grunddaten with a stale deadline elsewhere: %v", err)
	}
	lc, err := calls.LeadCallByID(ctx, f.db, f.lead, scope)
	if err != nil {
		t.Fatal(err)
	}
	if lc.View.Content.Title != "Neu" || lc.View.Content.Timeline.Deadline.IsZero() || len(lc.Committee.Evaluators) != len(f.com.Evaluators) ||
		lc.View.Content.Description != "" || len(lc.View.Content.Lots) == 0 || lc.View.Content.FundingPerFTE.IsZero() {
		t.Fatalf("after saving Grunddaten: title %q, deadline %v, committee %v, %d lots", lc.View.Content.Title,
			lc.View.Content.Timeline.Deadline, lc.Committee, len(lc.View.Content.Lots))
	}
	in := rules.DraftInputFrom(lc.View.Content, lc.Committee)
	err = calls.SaveDraftStep(ctx, f.db, f.lead, scope, rules.CallStepSchedule, in, later)
	if v, ok := core.AsValidation(err); !ok || !v.Has("deadline") {
		t.Fatalf("the schedule step accepted a past deadline: %v", err)
	}
	if err := calls.SaveDraftStep(ctx, f.db, f.lead, scope, rules.CallStepPreview, in, f.now); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("saving the preview: %v", err)
	}
	if err := calls.SaveDraftStep(ctx, f.db, f.otherLed, scope, rules.CallStepBasics, in, f.now); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("another Kreis's lead saved a step: %v", err)
	}
}
