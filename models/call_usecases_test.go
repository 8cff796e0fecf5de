package models_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"kimibv/models/accounts"
	"kimibv/models/audit"
	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/dbtest"
	"kimibv/models/rules"
)

// callFixture is the demo database with Musterland's lead and committee ids at hand.
type callFixture struct {
	db       *gorm.DB
	lead     *core.Actor
	otherLed *core.Actor // lead of Beispielhausen
	tenantID int64
	com      rules.Committee
	now      time.Time
}

func newCallFixture(t *testing.T) *callFixture {
	t.Helper()
	st := dbtest.NewDemo(t)
	f := &callFixture{db: st.DB, now: time.Now().UTC()}
	actorByMail := func(mail string) *core.Actor {
		var id int64
		if err := st.DB.Raw(`SELECT id FROM users WHERE email = ?`, mail).Scan(&id).Error; err != nil || id == 0 {
			t.Fatalf("demo user %s: %v", mail, err)
		}
		a, err := accounts.LoadActor(context.Background(), st.DB, id)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	f.lead = actorByMail("leitung@musterland.example")
	f.otherLed = actorByMail("admin@beispielhausen.example")
	st.DB.Raw(`SELECT id FROM tenants WHERE slug = 'musterland'`).Scan(&f.tenantID)
	for _, m := range []string{"gremium1", "gremium2", "gremium3"} {
		f.com.Evaluators = append(f.com.Evaluators, actorByMail(m+"@musterland.example").UserID)
	}
	for _, m := range []string{"oeffnung1", "oeffnung2"} {
		f.com.Openers = append(f.com.Openers, actorByMail(m+"@musterland.example").UserID)
	}
	return f
}

func (f *callFixture) count(t *testing.T, q string, args ...any) int64 {
	t.Helper()
	return dbtest.Count(t, f.db, q, args...)
}

// draftWithCommittee creates a template draft and saves it with the committee.
func (f *callFixture) draftWithCommittee(t *testing.T) *rules.Call {
	t.Helper()
	ctx := context.Background()
	call, err := calls.CreateDraft(ctx, f.db, f.lead, f.tenantID, 0, f.now)
	if err != nil {
		t.Fatal(err)
	}
	lc, err := calls.LeadCallByID(ctx, f.db, f.lead, core.CallScope{Tenant: f.tenantID, Call: call.ID})
	if err != nil {
		t.Fatal(err)
	}
	in := rules.DraftInputFrom(lc.View.Content, f.com)
	if err := calls.SaveDraft(ctx, f.db, f.lead, core.CallScope{Tenant: f.tenantID, Call: call.ID}, in, f.now); err != nil {
		t.Fatal(err)
	}
	return call
}

func TestCreateSavePublishCall(t *testing.T) {
	t.Parallel()
	f := newCallFixture(t)
	ctx := context.Background()
	call := f.draftWithCommittee(t)
	if !strings.HasPrefix(call.Ref, "musterland-") || call.State != rules.CallDraft {
		t.Fatalf("draft %+v", call)
	}
	if n := f.count(t, `SELECT count(*) FROM audit_log WHERE chain = ? AND tenant_id = ? AND action IN ('call.draft_created', 'call.draft_saved')`,
		audit.CallChain(call.ID), f.tenantID); n != 2 {
		t.Fatalf("audit entries for create+save: %d", n)
	}
	if _, err := calls.PublicCall(ctx, f.db, call.Ref); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("draft visible publicly: %v", err)
	}

	// Another Kreis's lead neither sees, saves nor publishes it.
	if _, err := calls.Publish(ctx, f.db, f.otherLed, core.CallScope{Tenant: f.tenantID, Call: call.ID}, rules.DefaultCallRules(), f.now, dbtest.FakeDocuments{}); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("other Kreis's lead publish: %v", err)
	}
	var otherTenant int64
	f.db.Raw(`SELECT id FROM tenants WHERE slug = 'beispielhausen'`).Scan(&otherTenant)
	if _, err := calls.Publish(ctx, f.db, f.otherLed, core.CallScope{Tenant: otherTenant, Call: call.ID}, rules.DefaultCallRules(), f.now, dbtest.FakeDocuments{}); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("other Kreis's lead publish via own Kreis: %v", err)
	}

	ver, err := calls.Publish(ctx, f.db, f.lead, core.CallScope{Tenant: f.tenantID, Call: call.ID}, rules.DefaultCallRules(), f.now, dbtest.FakeDocuments{})
	if err != nil {
		t.Fatal(err)
	}
	if ver.Version != 1 || len(ver.ContentSHA256) != 64 {
		t.Fatalf("version %+v", ver)
	}
	view, err := calls.PublicCall(ctx, f.db, call.Ref)
	if err != nil {
		t.Fatal(err)
	}
	if view.Call.State != rules.CallPublished || len(view.Versions) != 1 || view.Content.Timeline.Publication.IsZero() {
		t.Fatalf("public view %+v", view.Call)
	}
	if sum, _ := view.Content.SHA256(); sum != ver.ContentSHA256 {
		t.Fatal("stored content does not hash to the recorded SHA-256")
	}
	if n := f.count(t, `SELECT count(*) FROM audit_log WHERE chain = ? AND action = 'call.published'`, audit.CallChain(call.ID)); n != 1 {
		t.Fatalf("call.published entries: %d", n)
	}

	// Frozen: the draft can no longer be saved, the version not updated or deleted.
	in := rules.DraftInputFrom(view.Content, f.com)
	in.Title = "Geändert"
	if err := calls.SaveDraft(ctx, f.db, f.lead, core.CallScope{Tenant: f.tenantID, Call: call.ID}, in, f.now); !errors.Is(err, core.ErrConflict) {
		t.Fatalf("save after publish: %v", err)
	}
	for _, q := range []string{`UPDATE call_versions SET reason = 'x' WHERE call_id = ?`, `DELETE FROM call_versions WHERE call_id = ?`} {
		if err := f.db.Exec(q, call.ID).Error; err == nil || !strings.Contains(err.Error(), "unveränderlich") {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// Publishing again is a conflict and changes nothing.
	before := f.count(t, `SELECT count(*) FROM audit_log WHERE chain = ?`, audit.CallChain(call.ID))
	if _, err := calls.Publish(ctx, f.db, f.lead, core.CallScope{Tenant: f.tenantID, Call: call.ID}, rules.DefaultCallRules(), f.now, dbtest.FakeDocuments{}); !calls.IsCallNotDraft(err) {
		t.Fatalf("second publish: %v", err)
	}
	if after := f.count(t, `SELECT count(*) FROM audit_log WHERE chain = ?`, audit.CallChain(call.ID)); after != before {
		t.Fatal("second publish wrote an audit entry")
	}
	// created, draft saved, published, Bekanntmachung issued
	v, err := audit.VerifyChain(ctx, f.db, audit.CallChain(call.ID))
	if err != nil || !v.OK || v.Entries != 4 {
		t.Fatalf("chain %+v %v", v, err)
	}
}

func TestConcurrentPublishPublishesOnce(t *testing.T) {
	t.Parallel()
	f := newCallFixture(t)
	call := f.draftWithCommittee(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = calls.Publish(context.Background(), f.db, f.lead, core.CallScope{Tenant: f.tenantID, Call: call.ID}, rules.DefaultCallRules(), f.now, dbtest.FakeDocuments{})
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !calls.IsCallNotDraft(err):
			t.Fatalf("unexpected error %v", err)
		}
	}
	if ok != 1 || f.count(t, `SELECT count(*) FROM call_versions WHERE call_id = ?`, call.ID) != 1 {
		t.Fatalf("%d publishes succeeded", ok)
	}
}

func TestPublishValidatesAndChangesNothing(t *testing.T) {
	t.Parallel()
	f := newCallFixture(t)
	ctx := context.Background()
	call, err := calls.CreateDraft(ctx, f.db, f.lead, f.tenantID, 0, f.now) // no committee yet
	if err != nil {
		t.Fatal(err)
	}
	_, err = calls.Publish(ctx, f.db, f.lead, core.CallScope{Tenant: f.tenantID, Call: call.ID}, rules.DefaultCallRules(), f.now, dbtest.FakeDocuments{})
	v, ok := core.AsValidation(err)
	if !ok || !v.Has("evaluators") || !v.Has("openers") {
		t.Fatalf("publish without committee: %v", err)
	}
	if f.count(t, `SELECT count(*) FROM call_versions WHERE call_id = ?`, call.ID) != 0 || f.count(t, `SELECT count(*) FROM calls WHERE id = ? AND state <> 'draft'`, call.ID) != 0 {
		t.Fatal("failed publish changed data")
	}
}

func TestSaveDraftRefusesForeignCommitteeAndKeepsDraft(t *testing.T) {
	t.Parallel()
	f := newCallFixture(t)
	ctx := context.Background()
	call := f.draftWithCommittee(t)
	lc, _ := calls.LeadCallByID(ctx, f.db, f.lead, core.CallScope{Tenant: f.tenantID, Call: call.ID})
	in := rules.DraftInputFrom(lc.View.Content, rules.Committee{Evaluators: []int64{f.lead.UserID, f.otherLed.UserID}, Openers: f.com.Openers})
	in.Title = "Neu"
	err := calls.SaveDraft(ctx, f.db, f.lead, core.CallScope{Tenant: f.tenantID, Call: call.ID}, in, f.now)
	if v, ok := core.AsValidation(err); !ok || !v.Has("evaluators") {
		t.Fatalf("foreign evaluator: %v", err)
	}
	if n := f.count(t, `SELECT count(*) FROM calls WHERE id = ? AND title = 'Neu'`, call.ID); n != 0 {
		t.Fatal("draft changed")
	}
	if _, err := calls.LeadCallByID(ctx, f.db, f.otherLed, core.CallScope{Tenant: f.tenantID, Call: call.ID}); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("other lead reads draft: %v", err)
	}
}

func TestCopyCallClearsTimelineKeepsCommittee(t *testing.T) {
	t.Parallel()
	f := newCallFixture(t)
	ctx := context.Background()
	src := f.draftWithCommittee(t)
	cp, err := calls.CreateDraft(ctx, f.db, f.lead, f.tenantID, src.ID, f.now)
	if err != nil {
		t.Fatal(err)
	}
	lc, err := calls.LeadCallByID(ctx, f.db, f.lead, core.CallScope{Tenant: f.tenantID, Call: cp.ID})
	if err != nil {
		t.Fatal(err)
	}
	if !lc.View.Content.Timeline.Deadline.IsZero() || len(lc.Committee.Evaluators) != 3 || len(lc.View.Content.Criteria) != 6 || cp.Ref == src.Ref {
		t.Fatalf("copy: %+v %+v %s", lc.View.Content.Timeline, lc.Committee, cp.Ref)
	}
	if _, err := calls.CreateDraft(ctx, f.db, f.otherLed, f.tenantID, 0, f.now); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("other lead creates in Musterland: %v", err)
	}
}
