package models_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"kimibv/models/audit"
	"kimibv/models/bids"
	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/dbtest"
	"kimibv/models/decision"
	"kimibv/models/ocdstest"
	"kimibv/models/rules"
)

// TestCancelBlockedStates: cancellation is allowed from the publication up to the
// notices and refused for drafts, final awards and cancelled calls with a German reason.
func TestCancelBlockedStates(t *testing.T) {
	t.Parallel()
	for _, s := range []rules.CallState{rules.CallPublished, rules.CallClosed, rules.CallOpened, rules.CallDecided, rules.CallNotified} {
		if err := rules.CancelBlocked(s); err != nil || !s.Cancellable() {
			t.Errorf("%s: %v", s, err)
		}
	}
	for s, want := range map[rules.CallState]string{
		rules.CallDraft:     "Entwurf",
		rules.CallAwarded:   "endgültig",
		rules.CallCancelled: "aufgehoben",
	} {
		err := rules.CancelBlocked(s)
		var sc *core.StateConflict
		if !errors.As(err, &sc) || !errors.Is(err, core.ErrConflict) || !strings.Contains(sc.Message, want) || s.Cancellable() {
			t.Errorf("%s: %v", s, err)
		}
	}
}

// TestCancelAfterNoticesKeepsTheRecord cancels a notified procedure: everything recorded
// stays, the bidding organisations and followers are told (Postfach and e-mail), the
// award never becomes final, the award record and OCDS show the cancellation. A final
// award cannot be cancelled.
func TestCancelAfterNoticesKeepsTheRecord(t *testing.T) {
	t.Parallel()
	v := ocdstest.Load(t)
	ctx := context.Background()
	db := dbtest.NewDemo(t).DB
	p := dbtest.SeedProcedure(t, db, dbtest.ProcedureSpec{Seq: 87, Bids: 3, Criteria: 2, Evaluators: 2, Objection: true, Docs: dbtest.FakeDecisionDocs()})
	tables := []string{"opening_bids", "formal_checks", "coi_declarations", "score_sheets", "consolidated_scores", "call_results",
		"decisions", "decision_allocations", "notices", "objections", "issued_documents", "bids"}
	counts := func() string {
		var b strings.Builder
		for _, tb := range tables {
			fmt.Fprintf(&b, "%s=%d ", tb, dbtest.Count(t, db, `SELECT count(*) FROM `+tb+` WHERE call_id = ?`, p.CallID))
		}
		return b.String()
	}
	before := counts()
	var memberEmail string
	db.Raw(`SELECT u.email FROM users u JOIN organization_members m ON m.user_id = u.id WHERE m.org_id = ?`, p.OrgIDs[1]).Scan(&memberEmail)
	now := time.Now()

	if err := calls.Cancel(ctx, db, p.Lead, core.CallScope{Tenant: p.TenantID, Call: p.CallID}, "  ", "http://x", now); err == nil {
		t.Fatal("cancel without reason")
	}
	if err := calls.Cancel(ctx, db, p.Lead, core.CallScope{Tenant: p.TenantID, Call: p.CallID}, "Die Landesmittel wurden gestrichen.", "http://x", now); err != nil {
		t.Fatal(err)
	}
	if after := counts(); after != before {
		t.Fatalf("records changed:\n%s\n%s", before, after)
	}
	_, d := lastAudit(t, db, audit.CallChain(p.CallID), "call.cancelled")
	if d["previous_state"] != "notified" {
		t.Fatalf("audit %v", d)
	}
	for _, org := range p.OrgIDs {
		msgs := dbtest.Inbox(t, db, `org_id = ? AND call_id = ? AND kind = 'cancellation'`, org, p.CallID)
		if len(msgs) != 1 || !strings.Contains(msgs[0].Body, "gegenstandslos") {
			t.Fatalf("org %d: %d cancellation messages", org, len(msgs))
		}
	}
	if n := len(dbtest.MailsTo(t, db, memberEmail, `kind = 'cancellation'`)); n != 1 {
		t.Fatalf("member e-mails %d", n)
	}

	// The finalisation job and the lazy finalisation leave it cancelled.
	if n, err := decision.FinalizeDueAwards(ctx, db, dbtest.FakeDocuments{}, now.AddDate(0, 0, 60)); err != nil || n != 0 {
		t.Fatalf("finalised %d %v", n, err)
	}
	if ok, err := decision.FinalizeAward(ctx, db, dbtest.FakeDocuments{}, p.CallID, now.AddDate(0, 0, 60)); err != nil || ok {
		t.Fatalf("lazy finalise %v %v", ok, err)
	}
	if n := dbtest.Count(t, db, `SELECT count(*) FROM calls WHERE id = ? AND state = 'cancelled' AND awarded_at IS NULL`, p.CallID); n != 1 {
		t.Fatal("call not cancelled or awarded")
	}
	wantConflict(t, calls.Cancel(ctx, db, p.Lead, core.CallScope{Tenant: p.TenantID, Call: p.CallID}, "nochmal", "", now))

	// Award record and list.
	rec, err := decision.LoadAwardRecord(ctx, db, p.Ref)
	if err != nil || rec.State != rules.CallCancelled || rec.CancelReason != "Die Landesmittel wurden gestrichen." || len(rec.Bidders) != 3 {
		t.Fatalf("record %+v %v", rec, err)
	}
	list, err := decision.PublicAwards(ctx, db, decision.AwardListFilter{})
	if err != nil {
		t.Fatal(err)
	}
	listed := false
	for _, r := range list.Rows {
		listed = listed || r.Ref == p.Ref
	}
	if !listed {
		t.Fatal("cancelled procedure not in the award list")
	}

	// Open data: the pending award, then the cancellation of tender and award.
	ocid := "ocds-t3st01-" + p.Ref
	body, _ := ocdsPackageJSON(t, db, p.Ref)
	rels := releasesByID(t, v.Package(t, "cancelled after notices", body))
	if rels[ocid+"-cancellation"] == nil || rels[ocid+"-award-decision"] == nil {
		t.Fatalf("releases %v", keys(rels))
	}
	c := rels[ocid+"-award-cancelled"]
	if c == nil || c["tender"].(map[string]any)["status"] != "cancelled" || c["awards"].([]any)[0].(map[string]any)["status"] != "cancelled" {
		t.Fatalf("award cancellation %v", c)
	}

	// A final award cannot be cancelled; nothing is written.
	final := dbtest.SeedProcedure(t, db, dbtest.ProcedureSpec{Seq: 88, Bids: 2, Criteria: 2, Evaluators: 2, Final: true})
	audits := dbtest.Count(t, db, `SELECT count(*) FROM audit_log`)
	err = calls.Cancel(ctx, db, final.Lead, core.CallScope{Tenant: final.TenantID, Call: final.CallID}, "Zu spät.", "", now)
	wantConflict(t, err)
	if !strings.Contains(err.Error(), "Vergeben") || dbtest.Count(t, db, `SELECT count(*) FROM audit_log`) != audits ||
		dbtest.Count(t, db, `SELECT count(*) FROM calls WHERE id = ? AND state = 'awarded'`, final.CallID) != 1 {
		t.Fatalf("awarded call: %v", err)
	}
}

// TestCancelBeforeOpeningKeepsBidsSealed cancels a closed, unopened call with a submitted
// bid and a draft: the bids stay sealed for the lead, the audit entry and the message say
// nothing about them, every bidding organisation gets the same message as the followers,
// and the call can no longer be opened.
func TestCancelBeforeOpeningKeepsBidsSealed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewDemo(t).DB
	var callID int64
	if err := db.Raw(`SELECT c.id FROM calls c JOIN tenants t ON t.id = c.tenant_id WHERE t.slug = 'musterland' AND c.state = 'published'
		AND EXISTS (SELECT 1 FROM bids b WHERE b.call_id = c.id AND b.state = 'submitted') ORDER BY c.id LIMIT 1`).Scan(&callID).Error; err != nil || callID == 0 {
		t.Fatalf("demo call with a submitted bid: %v", err)
	}
	if err := db.Exec(`UPDATE calls SET state = 'closed', closed_at = now() WHERE id = ?`, callID).Error; err != nil {
		t.Fatal(err)
	}
	lead := taActor(t, db, "leitung@musterland.example")
	tenantID := taTenantID(t, db, "musterland")
	now := time.Now()
	if err := calls.Cancel(ctx, db, lead, core.CallScope{Tenant: tenantID, Call: callID}, "Der Bedarf ist entfallen.", "http://x", now); err != nil {
		t.Fatal(err)
	}
	if _, err := bids.ReadBids(ctx, db, dbtest.Vault(t), lead, callID, now); !errors.Is(err, core.ErrSealed) {
		t.Fatalf("lead reads bids of a call cancelled before the opening: %v", err)
	}
	if n := dbtest.Count(t, db, `SELECT count(*) FROM calls WHERE id = ? AND opened_at IS NULL AND state = 'cancelled'`, callID); n != 1 {
		t.Fatal("call opened or not cancelled")
	}
	_, d := lastAudit(t, db, audit.CallChain(callID), "call.cancelled")
	if len(d) != 3 || d["previous_state"] != "closed" {
		t.Fatalf("audit details %v", d)
	}
	// Every organisation with a bid (submitted or draft) is told, with the one message.
	missing := dbtest.Count(t, db, `SELECT count(*) FROM bids b WHERE b.call_id = ? AND NOT EXISTS (
		SELECT 1 FROM inbox_messages m WHERE m.org_id = b.org_id AND m.call_id = b.call_id AND m.kind = 'cancellation')`, callID)
	distinct := map[string]bool{}
	var body string
	for _, m := range dbtest.Inbox(t, db, `call_id = ? AND kind = 'cancellation'`, callID) {
		distinct[m.Body], body = true, m.Body
	}
	if bodies := len(distinct); missing != 0 || bodies != 1 || dbtest.Count(t, db, `SELECT count(*) FROM bids WHERE call_id = ? AND state = 'draft'`, callID) == 0 {
		t.Fatalf("missing %d, distinct bodies %d", missing, bodies)
	}
	if !strings.Contains(body, "verschlossen") {
		t.Fatalf("body %q", body)
	}
	if rec, err := decision.LoadAwardRecord(ctx, db, fmt.Sprint(callID)); err != nil || len(rec.Bidders) != 0 || rec.OpenedAt != nil {
		t.Fatalf("award record shows bids: %+v %v", rec, err)
	}
}
