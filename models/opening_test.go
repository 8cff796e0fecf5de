package models_test

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"kimibv/models/audit"
	"kimibv/models/bids"
	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/dbtest"
	"kimibv/models/evaluation"
	"kimibv/models/rules"
	"kimibv/models/store"

	"gorm.io/gorm"
)

func TestOpeningRuleTable(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	past, future := now.Add(-time.Minute), now.Add(time.Minute)
	// A timely submission may still be processing up to rules.SubmissionQueueLimit after the deadline.
	justPast, graceEnd := now.Add(-rules.SubmissionQueueLimit+time.Millisecond), now.Add(-rules.SubmissionQueueLimit)
	cases := []struct {
		name      string
		state     rules.CallState
		deadline  *time.Time
		opened    *time.Time
		named     bool
		confirmed []int64
		want      error
	}{
		{"first confirmation", rules.CallClosed, &past, nil, true, nil, nil},
		{"second by another person", rules.CallClosed, &past, nil, true, []int64{7}, nil},
		{"before the deadline", rules.CallPublished, &future, nil, true, nil, core.ErrConflict},
		{"at the deadline", rules.CallPublished, &now, nil, true, nil, core.ErrConflict},
		{"while timely submissions may still be processing", rules.CallClosed, &justPast, nil, true, nil, core.ErrConflict},
		{"once no timely submission can still be processing", rules.CallClosed, &graceEnd, nil, true, nil, nil},
		{"same person twice", rules.CallClosed, &past, nil, true, []int64{1}, core.ErrConflict},
		{"third confirmation", rules.CallOpened, &past, &past, true, []int64{7, 8}, core.ErrConflict},
		{"not named", rules.CallClosed, &past, nil, false, nil, core.ErrForbidden},
		{"cancelled", rules.CallCancelled, &past, nil, true, nil, core.ErrConflict},
	}
	for _, c := range cases {
		err := evaluation.OpeningRule(c.state, c.deadline, c.opened, c.named, c.confirmed, 1, now)
		if (c.want == nil) != (err == nil) || (c.want != nil && !errors.Is(err, c.want)) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
}

func TestCloseDueCallsOnceUnderRace(t *testing.T) {
	t.Parallel()
	f := newBidFixture(t)
	if n, err := calls.CloseDueCalls(f.ctx, f.db, time.Now()); err != nil || n != 0 {
		t.Fatalf("before the deadline: %d %v", n, err)
	}
	if err := f.db.Exec(`UPDATE calls SET deadline = clock_timestamp() - interval '1 minute' WHERE id = ?`, f.callID).Error; err != nil {
		t.Fatal(err)
	}
	mails := len(dbtest.MailsTo(t, f.db, "leitung@musterland.example", `kind = 'call_closed'`))
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				_, err := calls.CloseDueCalls(f.ctx, f.db, time.Now())
				errs <- err
				return
			}
			errs <- store.InTx(f.ctx, f.db, func(tx *gorm.DB) error { return calls.CloseCallTx(tx, f.callID, time.Now()) })
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := dbtest.Count(t, f.db, `SELECT count(*) FROM audit_log WHERE action = 'call.closed' AND chain = '`+audit.CallChain(f.callID)+`'`); n != 1 {
		t.Fatalf("%d call.closed entries, want 1", n)
	}
	var state string
	mustScan(t, f.db, &state, `SELECT state FROM calls WHERE id = ?`, f.callID)
	if state != "closed" {
		t.Fatalf("state %s", state)
	}
	// The lead is notified (the fixture's call has no committee, so no opener mails).
	if n := len(dbtest.MailsTo(t, f.db, "leitung@musterland.example", `kind = 'call_closed'`)) - mails; n != 1 {
		t.Fatalf("%d mails to the lead", n)
	}
	verifyChain(t, f.db, audit.CallChain(f.callID))
}

func TestOpeningTwoPersons(t *testing.T) {
	t.Parallel()
	f := newBidFixture(t)
	op1, op2 := taActor(t, f.db, "oeffnung1@musterland.example"), taActor(t, f.db, "oeffnung2@musterland.example")
	for _, a := range []*core.Actor{op1, op2} {
		if err := f.db.Exec(`INSERT INTO call_committee (call_id, user_id, role) VALUES (?, ?, 'opener')`, f.callID, a.UserID).Error; err != nil {
			t.Fatal(err)
		}
	}
	orgID, awo, id := f.completeBid(t, "awo@traeger.example")
	if _, err := bids.SubmitBid(f.ctx, f.db, f.vault, awo, core.BidScope{Org: orgID, Bid: id}, f.rev(t, id), bids.ReceivedAt(time.Now())); err != nil {
		t.Fatal(err)
	}
	confirmations := func() int64 { return dbtest.Count(t, f.db, `SELECT count(*) FROM openings`) }

	// Before the deadline: impossible, nothing recorded.
	_, err := evaluation.ConfirmOpening(f.ctx, f.db, f.vault, op1, core.CallScope{Tenant: f.tenantID, Call: f.callID}, time.Now(), dbtest.FakeDocuments{})
	wantRefusal(t, err, core.ErrConflict, "before the deadline")
	if r := err.(*core.Refusal); !strings.HasPrefix(r.Message, "Die Frist läuft noch.") {
		t.Fatalf("message %q", r.Message)
	}
	if confirmations() != 0 {
		t.Fatal("confirmation recorded before the deadline")
	}

	if err := f.db.Exec(`UPDATE calls SET deadline = clock_timestamp() - interval '1 minute' WHERE id = ?`, f.callID).Error; err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	// A provider's late re-submission is refused and counted.
	if _, err := bids.SubmitBid(f.ctx, f.db, f.vault, awo, core.BidScope{Org: orgID, Bid: id}, f.rev(t, id), bids.ReceivedAt(time.Now())); !errors.Is(err, core.ErrDeadlinePassed) {
		t.Fatalf("late submit: %v", err)
	}
	// Other Kreis, a lead without the opener role: 404. An opener of the Kreis who is not named: refused.
	if _, err := evaluation.ConfirmOpening(f.ctx, f.db, f.vault, taActor(t, f.db, "admin@beispielhausen.example"), core.CallScope{Tenant: f.tenantID, Call: f.callID}, now, dbtest.FakeDocuments{}); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("other Kreis: %v", err)
	}
	if _, err := evaluation.ConfirmOpening(f.ctx, f.db, f.vault, f.lead, core.CallScope{Tenant: f.tenantID, Call: f.callID}, now, dbtest.FakeDocuments{}); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("lead: %v", err)
	}
	other := taActor(t, f.db, "gremium1@musterland.example")
	other.Tenants[f.tenantID] = append(other.Tenants[f.tenantID], core.RoleOpener)
	_, err = evaluation.ConfirmOpening(f.ctx, f.db, f.vault, other, core.CallScope{Tenant: f.tenantID, Call: f.callID}, now, dbtest.FakeDocuments{})
	wantRefusal(t, err, core.ErrForbidden, "not named")

	// One opener is not enough; the same person twice is refused.
	if opened, err := evaluation.ConfirmOpening(f.ctx, f.db, f.vault, op1, core.CallScope{Tenant: f.tenantID, Call: f.callID}, now, dbtest.FakeDocuments{}); err != nil || opened {
		t.Fatalf("first confirmation: %v %v", opened, err)
	}
	if _, err := bids.ReadBids(f.ctx, f.db, f.vault, f.lead, f.callID, now); !errors.Is(err, core.ErrSealed) {
		t.Fatalf("after one confirmation: %v", err)
	}
	_, err = evaluation.ConfirmOpening(f.ctx, f.db, f.vault, op1, core.CallScope{Tenant: f.tenantID, Call: f.callID}, now, dbtest.FakeDocuments{})
	wantRefusal(t, err, core.ErrConflict, "same person twice")
	if confirmations() != 1 {
		t.Fatal("second confirmation of the same person recorded")
	}
	if opened, err := evaluation.ConfirmOpening(f.ctx, f.db, f.vault, op2, core.CallScope{Tenant: f.tenantID, Call: f.callID}, now, dbtest.FakeDocuments{}); err != nil || !opened {
		t.Fatalf("second confirmation: %v %v", opened, err)
	}
	ob, err := bids.ReadBids(f.ctx, f.db, f.vault, f.lead, f.callID, now)
	if err != nil || len(ob.Bids) != 1 {
		t.Fatalf("after the opening: %v", err)
	}
	// A third confirmation after the opening: conflict, nothing changed.
	_, err = evaluation.ConfirmOpening(f.ctx, f.db, f.vault, op1, core.CallScope{Tenant: f.tenantID, Call: f.callID}, now, dbtest.FakeDocuments{})
	wantRefusal(t, err, core.ErrConflict, "third confirmation")
	if confirmations() != 2 {
		t.Fatal("third confirmation recorded")
	}
	v, err := evaluation.Opening(f.ctx, f.db, op2, core.CallScope{Tenant: f.tenantID, Call: f.callID}, now)
	if err != nil {
		t.Fatal(err)
	}
	if v.OpenedAt == nil || len(v.Confirmed) != 2 || len(v.Bids) != 1 || len(v.Bids[0].Files) != 2 || v.LateAttempts != 1 || v.CanConfirm {
		t.Fatalf("protocol %+v", v)
	}
	if v.Bids[0].ContentSHA256 != ob.Bids[0].ContentSHA256 || v.Bids[0].Files[0].SHA256 != ob.Bids[0].Files[0].SHA256 {
		t.Fatal("protocol hashes differ from the opened bid")
	}
	acts := auditActions(t, f.db, audit.CallChain(f.callID))
	want := map[string]int{"call.closed": 1, "opening.confirmed": 2, "call.opened": 1}
	for _, a := range acts {
		if _, ok := want[a]; ok {
			want[a]--
		}
	}
	for a, n := range want {
		if n != 0 {
			t.Errorf("audit %s off by %d: %v", a, n, acts)
		}
	}
	// The frozen protocol cannot be changed.
	for _, q := range []string{`UPDATE opening_bids SET org_name = 'x'`, `DELETE FROM openings`, `UPDATE opening_files SET sha256 = sha256`} {
		if err := f.db.Exec(q).Error; err == nil {
			t.Errorf("%s succeeded", q)
		}
	}
	verifyChain(t, f.db, audit.CallChain(f.callID))
}
