package models_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"kimibv/models/audit"
	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/dbtest"
	"kimibv/models/postbox"
	"kimibv/models/rules"
)

// amendInput is the amendment form filled with content, as the editor shows it.
func amendInput(c rules.CallContent, reason string, base int) calls.AmendInput {
	return calls.AmendInput{Content: rules.DraftInputFrom(c, rules.Committee{}), Reason: reason, BaseVersion: base}
}

func TestAmendCreatesImmutableVersion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewDemo(t).DB
	f := newQAFixture(t, db)
	callRules := rules.DefaultCallRules()
	awo, awoUser := f.orgOf(t, "awo@traeger.example")
	if err := postbox.Follow(ctx, db, awoUser, core.OrgCallScope{Org: awo, Call: f.callID}, f.now); err != nil {
		t.Fatal(err)
	}
	versions := func() int64 {
		return dbtest.Count(t, db, `SELECT count(*) FROM call_versions WHERE call_id = ?`, f.callID)
	}

	// Bad inputs: nothing changes.
	unchanged := amendInput(f.content, "Klarstellung", 1)
	_, err := calls.Amend(ctx, db, f.lead, core.CallScope{Tenant: f.tenantID, Call: f.callID}, unchanged, callRules, "http://x", f.now, dbtest.FakeDocuments{})
	wantCodes(t, err, "reason:unchanged")
	noReason := amendInput(f.content, " ", 1)
	noReason.Content.ContactPhone = "02345 99"
	_, err = calls.Amend(ctx, db, f.lead, core.CallScope{Tenant: f.tenantID, Call: f.callID}, noReason, callRules, "http://x", f.now, dbtest.FakeDocuments{})
	wantCodes(t, err, "reason:required")
	shorter := amendInput(f.content, "Kürzere Frist", 1)
	shorter.Content.Deadline = rules.FormatGermanDateTimeInput(f.content.Timeline.Deadline.Add(-24 * time.Hour))
	_, err = calls.Amend(ctx, db, f.lead, core.CallScope{Tenant: f.tenantID, Call: f.callID}, shorter, callRules, "http://x", f.now, dbtest.FakeDocuments{})
	wantCodes(t, err, "deadline:earlier")
	other := taActor(t, db, "admin@beispielhausen.example")
	if _, err := calls.Amend(ctx, db, other, core.CallScope{Tenant: taTenantID(t, db, "beispielhausen"), Call: f.callID}, noReason, callRules, "", f.now, dbtest.FakeDocuments{}); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("other Kreis: %v", err)
	}
	if versions() != 1 || dbtest.Count(t, db, `SELECT count(*) FROM audit_log WHERE action = 'call.amended' AND chain = ?`, audit.CallChain(f.callID)) != 0 {
		t.Fatal("a refused amendment changed something")
	}

	// Material: weights change, a criterion is replaced (its key is not reused).
	next := f.content
	next.Criteria = []rules.Criterion{f.content.Criteria[0], {Name: "Vernetzung", Weight: 40, Description: "Verweiswege."}}
	next.Criteria[0].Weight = 60
	next.TieBreak = nil // the criteria's order
	in := amendInput(next, "Kriterium 2 präzisiert", 1)
	p, err := calls.PreviewAmendment(ctx, db, f.lead, core.CallScope{Tenant: f.tenantID, Call: f.callID}, in, callRules, f.now)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Material || p.Version != 2 || len(p.Changes) != 3 || p.Next.Criteria[1].Key != "K3" {
		t.Fatalf("preview %+v changes %v", p, p.Changes)
	}
	if versions() != 1 {
		t.Fatal("preview wrote a version")
	}
	ver, err := calls.Amend(ctx, db, f.lead, core.CallScope{Tenant: f.tenantID, Call: f.callID}, in, callRules, "http://x", f.now, dbtest.FakeDocuments{})
	if err != nil {
		t.Fatal(err)
	}
	if ver.Version != 2 || !ver.Material || ver.Reason != "Kriterium 2 präzisiert" {
		t.Fatalf("version %+v", ver)
	}
	var call rules.Call
	db.Raw(`SELECT * FROM calls WHERE id = ?`, f.callID).Scan(&call)
	if call.CurrentVersion != 2 || !call.Deadline.Equal(f.content.Timeline.Deadline) {
		t.Fatalf("call %+v", call)
	}
	e, d := lastAudit(t, db, audit.CallChain(f.callID), "call.amended")
	if d["material"] != true || d["version"] != float64(2) || d["reason"] != "Kriterium 2 präzisiert" || *e.ActorID != f.lead.UserID {
		t.Fatalf("audit %v", d)
	}
	if err := db.Exec(`UPDATE call_versions SET reason = 'x' WHERE call_id = ?`, f.callID).Error; err == nil {
		t.Fatal("a published version could be changed")
	}
	var subj string
	if msgs := dbtest.Inbox(t, db, `org_id = ? AND kind = 'amendment'`, awo); len(msgs) > 0 {
		subj = msgs[0].Subject
	}
	if !strings.HasPrefix(subj, "Änderungsbekanntmachung") {
		t.Fatalf("follower message %q", subj)
	}

	// The same form submitted again (second tab) is stale now.
	_, err = calls.Amend(ctx, db, f.lead, core.CallScope{Tenant: f.tenantID, Call: f.callID}, in, callRules, "http://x", f.now, dbtest.FakeDocuments{})
	wantConflict(t, err)

	// Non-material: deadline extended, questions too.
	ext := next
	ext.Criteria = p.Next.Criteria
	ext.Timeline.Deadline = ext.Timeline.Deadline.AddDate(0, 0, 14)
	ext.Timeline.PlannedOpening = ext.Timeline.PlannedOpening.AddDate(0, 0, 14)
	ver, err = calls.Amend(ctx, db, f.lead, core.CallScope{Tenant: f.tenantID, Call: f.callID}, amendInput(ext, "Fristverlängerung", 2), callRules, "http://x", f.now, dbtest.FakeDocuments{})
	if err != nil {
		t.Fatal(err)
	}
	if ver.Version != 3 || ver.Material {
		t.Fatalf("extension %+v", ver)
	}
	diff, err := calls.DiffCallVersions(ctx, db, f.callID, 2, 3)
	if err != nil || len(diff.Changes) != 2 || diff.Changes[0].Label != "Abgabefrist" {
		t.Fatalf("diff %+v %v", diff, err)
	}
	if _, err := calls.DiffCallVersions(ctx, db, f.callID, 3, 4); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("unknown version: %v", err)
	}
	verifyChain(t, db, audit.CallChain(f.callID))
}

func TestMaterialAmendmentNeedsTimeLeft(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewDemo(t).DB
	f := newQAFixture(t, db)
	late := f.content.Timeline.Deadline.AddDate(0, 0, -5) // five days before the deadline
	next := f.content
	next.Eligibility = append([]string{"Sitz im Kreis"}, f.content.Eligibility...)
	_, err := calls.Amend(ctx, db, f.lead, core.CallScope{Tenant: f.tenantID, Call: f.callID}, amendInput(next, "Neue Voraussetzung", 1), rules.DefaultCallRules(), "", late, dbtest.FakeDocuments{})
	wantCodes(t, err, "deadline:min_left")
	// With the deadline extended in the same amendment it is allowed.
	next.Timeline.Deadline = next.Timeline.Deadline.AddDate(0, 0, 7)
	next.Timeline.PlannedOpening = next.Timeline.PlannedOpening.AddDate(0, 0, 7)
	ver, err := calls.Amend(ctx, db, f.lead, core.CallScope{Tenant: f.tenantID, Call: f.callID}, amendInput(next, "Neue Voraussetzung", 1), rules.DefaultCallRules(), "", late, dbtest.FakeDocuments{})
	if err != nil || !ver.Material {
		t.Fatalf("%+v %v", ver, err)
	}
}

func TestCancelThenAmendIsRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewDemo(t).DB
	f := newQAFixture(t, db)
	awo, awoUser := f.orgOf(t, "awo@traeger.example")
	if err := postbox.Follow(ctx, db, awoUser, core.OrgCallScope{Org: awo, Call: f.callID}, f.now); err != nil {
		t.Fatal(err)
	}
	err := calls.Cancel(ctx, db, f.lead, core.CallScope{Tenant: f.tenantID, Call: f.callID}, "  ", "http://x", f.now)
	wantCodes(t, err, "reason:required")
	if err := calls.Cancel(ctx, db, taActor(t, db, "admin@beispielhausen.example"), core.CallScope{Tenant: taTenantID(t, db, "beispielhausen"), Call: f.callID}, "x", "", f.now); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("other Kreis: %v", err)
	}
	if err := calls.Cancel(ctx, db, f.lead, core.CallScope{Tenant: f.tenantID, Call: f.callID}, "Die Landesmittel wurden nicht bewilligt.", "http://x", f.now); err != nil {
		t.Fatal(err)
	}
	h, err := calls.PublishedCallHeader(ctx, db, "musterland-2026-91")
	if err != nil || !h.IsCancelled() || h.CancelReason != "Die Landesmittel wurden nicht bewilligt." || h.QuestionsOpen(f.now) {
		t.Fatalf("header %+v %v", h, err)
	}
	_, d := lastAudit(t, db, audit.CallChain(f.callID), "call.cancelled")
	if d["reason"] != "Die Landesmittel wurden nicht bewilligt." {
		t.Fatalf("audit %v", d)
	}
	if n := dbtest.Count(t, db, `SELECT count(*) FROM inbox_messages WHERE org_id = ? AND kind = 'cancellation'`, awo); n != 1 {
		t.Fatalf("cancellation messages %d", n)
	}

	auditBefore := dbtest.Count(t, db, `SELECT count(*) FROM audit_log`)
	next := f.content
	next.Timeline.Deadline = next.Timeline.Deadline.AddDate(0, 0, 7)
	_, err = calls.Amend(ctx, db, f.lead, core.CallScope{Tenant: f.tenantID, Call: f.callID}, amendInput(next, "Verlängerung", 1), rules.DefaultCallRules(), "", f.now, dbtest.FakeDocuments{})
	wantConflict(t, err)
	if !strings.Contains(err.Error(), "aufgehoben") {
		t.Fatalf("message %q", err)
	}
	wantConflict(t, calls.Cancel(ctx, db, f.lead, core.CallScope{Tenant: f.tenantID, Call: f.callID}, "nochmal", "", f.now))
	_, err = calls.AskQuestion(ctx, db, awoUser, core.OrgCallScope{Call: f.callID, Org: awo}, "Noch offen?", f.now)
	wantConflict(t, err)
	if err := postbox.Follow(ctx, db, awoUser, core.OrgCallScope{Org: awo, Call: f.callID}, f.now); err == nil {
		t.Fatal("following a cancelled call")
	}
	if n := dbtest.Count(t, db, `SELECT count(*) FROM call_versions WHERE call_id = ?`, f.callID); n != 1 {
		t.Fatalf("versions %d", n)
	}
	if n := dbtest.Count(t, db, `SELECT count(*) FROM audit_log`); n != auditBefore {
		t.Fatalf("audit grew from %d to %d", auditBefore, n)
	}
}
