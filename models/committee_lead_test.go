package models_test

import (
	"context"
	"testing"

	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/dbtest"
	"kimibv/models/evaluation"
	"kimibv/models/rules"
)

// TestLeadCannotBeEvaluator: a person holding the lead role in the Kreis (here also an
// evaluator there) cannot be named to the committee — not in the draft, not by
// SetCommittee, not by AddEvaluator — and a draft whose stored committee holds one
// (the lead role granted after naming) is not published. Nothing is written.
func TestLeadCannotBeEvaluator(t *testing.T) {
	t.Parallel()
	f := newCallFixture(t)
	ctx := context.Background()
	// gremium1 becomes lead as well; the demo lead becomes evaluator as well.
	g1 := f.com.Evaluators[0]
	if err := f.db.Exec(`INSERT INTO tenant_memberships (tenant_id, user_id, role) VALUES (?, ?, 'evaluator'), (?, ?, 'lead')`,
		f.tenantID, f.lead.UserID, f.tenantID, g1).Error; err != nil {
		t.Fatal(err)
	}
	withLead := rules.Committee{Evaluators: []int64{f.lead.UserID, f.com.Evaluators[1], f.com.Evaluators[2]}, Openers: f.com.Openers}

	call, err := calls.CreateDraft(ctx, f.db, f.lead, f.tenantID, 0, f.now)
	if err != nil {
		t.Fatal(err)
	}
	lc, err := calls.LeadCallByID(ctx, f.db, f.lead, core.CallScope{Tenant: f.tenantID, Call: call.ID})
	if err != nil {
		t.Fatal(err)
	}
	wantCodes(t, calls.SaveDraft(ctx, f.db, f.lead, core.CallScope{Tenant: f.tenantID, Call: call.ID}, rules.DraftInputFrom(lc.View.Content, withLead), f.now), "evaluators:lead")
	wantCodes(t, calls.SetCommittee(ctx, f.db, f.lead, core.CallScope{Tenant: f.tenantID, Call: call.ID}, withLead, f.now), "evaluators:lead")
	if n := f.count(t, `SELECT count(*) FROM call_committee WHERE call_id = ?`, call.ID); n != 0 {
		t.Fatalf("refused committee stored %d rows", n)
	}

	// gremium1 was named before becoming lead (stored directly): publication refuses.
	clean := rules.Committee{Evaluators: f.com.Evaluators[1:], Openers: f.com.Openers}
	if err := calls.SaveDraft(ctx, f.db, f.lead, core.CallScope{Tenant: f.tenantID, Call: call.ID}, rules.DraftInputFrom(lc.View.Content, clean), f.now); err != nil {
		t.Fatal(err)
	}
	if err := f.db.Exec(`INSERT INTO call_committee (call_id, user_id, role) VALUES (?, ?, 'evaluator')`, call.ID, g1).Error; err != nil {
		t.Fatal(err)
	}
	_, err = calls.Publish(ctx, f.db, f.lead, core.CallScope{Tenant: f.tenantID, Call: call.ID}, rules.DefaultCallRules(), f.now, dbtest.FakeDocuments{})
	wantCodes(t, err, "evaluators:lead")
	if n := f.count(t, `SELECT count(*) FROM calls WHERE id = ? AND state = 'draft'`, call.ID); n != 1 {
		t.Fatal("published with a lead in the committee")
	}
	if err := f.db.Exec(`DELETE FROM call_committee WHERE call_id = ? AND user_id = ?`, call.ID, g1).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := calls.Publish(ctx, f.db, f.lead, core.CallScope{Tenant: f.tenantID, Call: call.ID}, rules.DefaultCallRules(), f.now, dbtest.FakeDocuments{}); err != nil {
		t.Fatalf("publish without the lead: %v", err)
	}

	// After publication: SetCommittee and AddEvaluator refuse the lead, accept others.
	wantCodes(t, calls.SetCommittee(ctx, f.db, f.lead, core.CallScope{Tenant: f.tenantID, Call: call.ID}, withLead, f.now), "evaluators:lead")
	wantCodes(t, evaluation.AddEvaluator(ctx, f.db, f.lead, core.CallScope{Tenant: f.tenantID, Call: call.ID}, f.lead.UserID, f.now), "user:lead")
	if n := f.count(t, `SELECT count(*) FROM call_committee WHERE call_id = ? AND user_id IN (?, ?)`, call.ID, f.lead.UserID, g1); n != 0 {
		t.Fatalf("lead named evaluator: %d rows", n)
	}
	if err := calls.SetCommittee(ctx, f.db, f.lead, core.CallScope{Tenant: f.tenantID, Call: call.ID}, clean, f.now); err != nil {
		t.Fatalf("committee without leads: %v", err)
	}
}
