package models_test

import (
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"kimibv/models/bids"
	"kimibv/models/core"
	"kimibv/models/dbtest"
	"kimibv/models/rules"
	"kimibv/models/store"
)

// setDeadline moves the call's deadline to the database clock plus offset (millisecond
// precision) and returns it.
func (f *bidFixture) setDeadline(t *testing.T, offset time.Duration) time.Time {
	t.Helper()
	var d time.Time
	if err := f.db.Raw(`UPDATE calls SET deadline = date_trunc('milliseconds', clock_timestamp()) + ? * interval '1 microsecond' WHERE id = ? RETURNING deadline`,
		offset.Microseconds(), f.callID).Scan(&d).Error; err != nil {
		t.Fatal(err)
	}
	return d
}

// TestSubmissionCountsByArrivalNotCommit: a submission whose request arrived before the
// deadline counts although its transaction runs after it, and its receipt states the
// arrival; one that arrived after the deadline is refused and leaves nothing, even when
// it is processed before the timely one.
func TestSubmissionCountsByArrivalNotCommit(t *testing.T) {
	t.Parallel()
	f := newBidFixture(t)
	timelyOrg, timely, timelyBid := f.completeBid(t, "awo@traeger.example")
	lateOrg, late, lateBid := f.completeBid(t, "caritas@traeger.example")
	deadline := f.setDeadline(t, time.Second)
	arrived := time.Now() // about a second before the deadline
	time.Sleep(time.Until(deadline) + 50*time.Millisecond)

	var de *core.DeadlineError
	if _, err := bids.SubmitBid(f.ctx, f.db, f.vault, late, core.BidScope{Org: lateOrg, Bid: lateBid}, f.rev(t, lateBid), bids.ReceivedAt(time.Now())); !errors.As(err, &de) {
		t.Fatalf("arrived after the deadline, processed first: %v, want a deadline refusal", err)
	}
	v, err := bids.SubmitBid(f.ctx, f.db, f.vault, timely, core.BidScope{Org: timelyOrg, Bid: timelyBid}, f.rev(t, timelyBid), bids.ReceivedAt(arrived))
	if err != nil {
		t.Fatalf("arrived before the deadline, processed after it: %v", err)
	}
	var committedAfter bool
	mustScan(t, f.db, &committedAfter, `SELECT clock_timestamp() > deadline FROM calls WHERE id = ?`, f.callID)
	if !committedAfter || v.ReceiptAt == nil || v.ReceiptAt.After(deadline) || v.ReceiptAt.Before(deadline.Add(-2*time.Second)) {
		t.Fatalf("receipt %v for an arrival about 1 s before the deadline %v (committed after it: %v)", v.ReceiptAt, deadline, committedAfter)
	}
	var stored time.Time
	mustScan(t, f.db, &stored, `SELECT receipt_at FROM bid_versions WHERE bid_id = ? AND version = ?`, timelyBid, v.Version)
	if !stored.Equal(*v.ReceiptAt) {
		t.Fatalf("stored receipt %v, returned %v", stored, v.ReceiptAt)
	}
	if n := dbtest.Count(t, f.db, `SELECT count(*) FROM bid_versions WHERE bid_id = ?`, lateBid); n != 0 {
		t.Fatalf("late submission stored %d versions", n)
	}
	if n := dbtest.Count(t, f.db, `SELECT coalesce((SELECT attempts FROM call_late_attempts WHERE call_id = ?), 0)`, f.callID); n != 1 {
		t.Fatalf("%d late attempts counted, want 1", n)
	}
}

// TestSubmissionArrivedJustAfterTheDeadlineIsRefused: the arrival is never earlier than the
// request's real arrival, so one millisecond late is late.
func TestSubmissionArrivedJustAfterTheDeadlineIsRefused(t *testing.T) {
	t.Parallel()
	f := newBidFixture(t)
	orgID, awo, id := f.completeBid(t, "awo@traeger.example")
	f.setDeadline(t, -time.Millisecond)
	var de *core.DeadlineError
	if _, err := bids.SubmitBid(f.ctx, f.db, f.vault, awo, core.BidScope{Org: orgID, Bid: id}, f.rev(t, id), bids.ReceivedAt(time.Now())); !errors.As(err, &de) {
		t.Fatalf("1 ms after the deadline: %v", err)
	}
	if n := dbtest.Count(t, f.db, `SELECT count(*) FROM bid_versions WHERE bid_id = ?`, id); n != 0 {
		t.Fatalf("%d versions stored", n)
	}
}

// TestSubmissionWaitingTooLongIsAnOverload: a request that waited in the server longer
// than the rules allow is refused as an overload and changes nothing; the bids of a call
// are opened only after that time, so a timely request can never meet an opened call.
func TestSubmissionWaitingTooLongIsAnOverload(t *testing.T) {
	t.Parallel()
	f := newBidFixture(t)
	orgID, awo, id := f.completeBid(t, "awo@traeger.example")
	received := bids.ReceivedAt(time.Now().Add(-rules.SubmissionQueueLimit - time.Second))
	if _, err := bids.SubmitBid(f.ctx, f.db, f.vault, awo, core.BidScope{Org: orgID, Bid: id}, f.rev(t, id), received); !errors.Is(err, core.ErrOverloaded) {
		t.Fatalf("waited too long: %v, want an overload", err)
	}
	if n := dbtest.Count(t, f.db, `SELECT count(*) FROM bid_versions WHERE bid_id = ?`, id); n != 0 {
		t.Fatalf("%d versions stored", n)
	}
	var limit time.Duration
	var secs float64
	mustScan(t, f.db, &secs, `SELECT extract(epoch FROM submission_queue_limit())::float8`)
	if limit = time.Duration(secs * float64(time.Second)); limit != rules.SubmissionQueueLimit {
		t.Fatalf("the database allows a wait of %s, the application %s", limit, rules.SubmissionQueueLimit)
	}
	// After the opening even a timely arrival is refused.
	if err := f.db.Exec(`UPDATE calls SET opened_at = clock_timestamp() WHERE id = ?`, f.callID).Error; err != nil {
		t.Fatal(err)
	}
	var de *core.DeadlineError
	if _, err := bids.SubmitBid(f.ctx, f.db, f.vault, awo, core.BidScope{Org: orgID, Bid: id}, f.rev(t, id), bids.ReceivedAt(time.Now())); !errors.As(err, &de) {
		t.Fatalf("after the opening: %v", err)
	}
}

// TestReceiptTimeTriggerBounds: whatever the application writes, the database accepts a
// receipt time only at or before the deadline, never in the future, never from before
// the longest permitted wait, and never after the opening; a row without one is
// receipted at COMMIT.
func TestReceiptTimeTriggerBounds(t *testing.T) {
	t.Parallel()
	f := newBidFixture(t)
	cases := []struct {
		name     string
		deadline time.Duration // from the database clock
		receipt  string        // SQL for receipt_at; c.deadline is the call's deadline
		opened   bool
		wantErr  string // "" accepted, else the SQLSTATE
	}{
		{"arrived 1 ms before the deadline, committed after it", -10 * time.Millisecond, `c.deadline - interval '1 millisecond'`, false, ""},
		{"arrived 1 ms after the deadline", -10 * time.Millisecond, `c.deadline + interval '1 millisecond'`, false, "KB001"},
		{"arrival in the future", time.Hour, `clock_timestamp() + interval '1 second'`, false, "23514"},
		{"arrival before the longest wait", time.Hour, `transaction_timestamp() - submission_queue_limit() - interval '1 second'`, false, "23514"},
		{"timely arrival after the opening", time.Hour, `clock_timestamp()`, true, "KB001"},
		{"no arrival: receipted at commit", time.Hour, `NULL`, false, ""},
	}
	list := massBids(t, f.db, f.vault, f.callID, &f.content, len(cases), 0)
	for i, c := range cases {
		b := list[i]
		f.setDeadline(t, c.deadline)
		if err := f.db.Exec(`UPDATE calls SET opened_at = CASE WHEN ? THEN clock_timestamp() END WHERE id = ?`, c.opened, f.callID).Error; err != nil {
			t.Fatal(err)
		}
		err := store.InTx(f.ctx, f.db, func(tx *gorm.DB) error {
			return tx.Exec(`WITH c AS (SELECT deadline FROM calls WHERE id = ?)
				INSERT INTO bid_versions (bid_id, version, call_id, org_id, call_version, kind, content, content_sha256, submitted_by, receipt_at)
				SELECT ?, 1, ?, ?, 1, 'submission', 'x', repeat('a', 64), ?, `+c.receipt+` FROM c`, f.callID, b.BidID, f.callID, b.OrgID, b.UserID).Error
		})
		stored := dbtest.Count(t, f.db, `SELECT count(*) FROM bid_versions WHERE bid_id = ? AND receipt_at IS NOT NULL`, b.BidID)
		var pg *pgconn.PgError
		switch {
		case c.wantErr == "" && (err != nil || stored != 1):
			t.Errorf("%s: %v (stored %d), want accepted", c.name, err, stored)
		case c.wantErr != "" && (!errors.As(err, &pg) || pg.Code != c.wantErr || stored != 0):
			t.Errorf("%s: %v (stored %d), want SQLSTATE %s and nothing stored", c.name, err, stored, c.wantErr)
		}
	}
}
