package models_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"kimibv/models/accounts"
	"kimibv/models/audit"
	"kimibv/models/bids"
	"kimibv/models/core"
	"kimibv/models/dbtest"
	"kimibv/models/fixture"
	"kimibv/models/rules"
	"kimibv/models/store"
	"kimibv/models/vault"
)

// massBids creates n organisations, each with one member and a complete draft for the
// call (inserted directly for speed; all drafts share one stored file per document).
func massBids(t testing.TB, db *gorm.DB, vlt *vault.Vault, callID int64, c *rules.CallContent, n, offset int) []massBid {
	t.Helper()
	ctx := context.Background()
	d := &rules.BidDraft{Lots: map[string]decimal.Decimal{"L1": decimal.NewFromInt(1)},
		Answers: map[string]string{}, Declarations: map[string]bool{}, Ties: rules.Ties{Declared: "none"},
		Contact: rules.Contact{Name: "Kontakt", Email: "kontakt@traeger.example"}}
	for _, cr := range c.Criteria {
		d.Answers[cr.Key] = "Antwort zu " + cr.Name
	}
	for _, x := range rules.Declarations(c) {
		d.Declarations[x.Key] = true
	}
	out := make([]massBid, 0, n)
	err := store.InTx(ctx, db, func(tx *gorm.DB) error {
		files := map[string]int64{}
		for _, rd := range c.RequiredDocs {
			f, err := vault.StoreFile(ctx, tx, vlt, vault.FileInput{CallID: callID, OrgID: 0, Kind: "bid", Name: rd.Key + ".pdf",
				Reader: bytes.NewReader(fixture.MinimalPDF(1000))})
			if err != nil {
				return err
			}
			files[rd.Key] = f.ID
		}
		plain, _ := json.Marshal(d)
		sealed, err := vlt.SealBytes(tx, callID, plain)
		if err != nil {
			return err
		}
		for i := range n {
			var ids struct{ OrgID, UserID int64 }
			if err := tx.Raw(`WITH o AS (INSERT INTO organizations (name, legal_form, street, postal_code, city, email)
					VALUES (?, 'e. V.', 'Weg 1', '57001', 'Musterstadt', 'o@x.example') RETURNING id),
				u AS (INSERT INTO users (email, name, password_hash) VALUES (?, 'Person', 'x') RETURNING id),
				m AS (INSERT INTO organization_members (org_id, user_id, role) SELECT o.id, u.id, 'org_admin' FROM o, u)
				SELECT o.id AS org_id, u.id AS user_id FROM o, u`,
				fmt.Sprintf("Träger %d", offset+i), fmt.Sprintf("p%d@x.example", offset+i)).Scan(&ids).Error; err != nil {
				return err
			}
			m := massBid{OrgID: ids.OrgID, UserID: ids.UserID}
			if err := tx.Raw(`INSERT INTO bids (call_id, org_id, draft, updated_by, updated_at, created_by) VALUES (?, ?, ?, ?, now(), ?) RETURNING id`,
				callID, m.OrgID, sealed, m.UserID, m.UserID).Scan(&m.BidID).Error; err != nil {
				return err
			}
			for key, fid := range files {
				if err := tx.Exec(`INSERT INTO bid_draft_files (bid_id, doc_key, file_id, added_at) VALUES (?, ?, ?, now())`, m.BidID, key, fid).Error; err != nil {
					return err
				}
			}
			m.Actor = &core.Actor{UserID: m.UserID, Name: "Person", Orgs: map[int64]core.Role{m.OrgID: core.RoleOrgAdmin}}
			out = append(out, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

type massBid struct {
	OrgID, UserID, BidID int64
	Actor                *core.Actor
}

// TestDeadlineUnderConcurrency fires 240 submissions from distinct organisations spread
// around a deadline ahead of the database clock (rules.md R3): every accepted one has its
// receipt before the deadline, every refused one was refused after it, and nothing is lost
// or half-written. The submissions must straddle the deadline for the test to say
// anything; on a machine so busy that none (or all) of them commit before it, the test
// runs again on a fresh call with a wider window — the checks hold on every attempt.
func TestDeadlineUnderConcurrency(t *testing.T) {
	// Not parallel: its submissions race a real deadline, so it runs before the parallel tests start, with the package to itself.
	if testing.Short() {
		t.Skip("concurrency test")
	}
	for _, window := range []time.Duration{2 * time.Second, 6 * time.Second, 15 * time.Second} {
		accepted, refused := submitAroundDeadline(t, window)
		if accepted > 0 && refused > 0 {
			return
		}
		t.Logf("window %s: %d accepted, %d refused — the submissions did not straddle the deadline; trying a wider window", window, accepted, refused)
	}
	t.Fatal("the submissions never straddled the deadline, even with a 15-second window")
}

// submitAroundDeadline sets the deadline of a fresh call window after the database clock
// and fires 240 submissions spread from a quarter to seven quarters of the window, checks
// every result and the stored rows, and returns how many were accepted and refused.
func submitAroundDeadline(t *testing.T, window time.Duration) (accepted, refused int) {
	t.Helper()
	f := newBidFixture(t)
	const n = 240
	bidList := massBids(t, f.db, f.vault, f.callID, &f.content, n, 0)
	var deadline time.Time
	if err := f.db.Raw(`UPDATE calls SET deadline = date_trunc('milliseconds', clock_timestamp()) + ? * interval '1 millisecond' WHERE id = ? RETURNING deadline`,
		window.Milliseconds(), f.callID).Scan(&deadline).Error; err != nil {
		t.Fatal(err)
	}
	type result struct {
		bid     massBid
		err     error
		version *bids.BidVersion
		sent    time.Time // when the submission was handed to the use case (its arrival)
		refused time.Time // database clock right after a refusal
	}
	results := make([]result, n)
	start := time.Now()
	var wg sync.WaitGroup
	for i, b := range bidList {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(window/4 + time.Duration(i)*window*3/2/n - time.Since(start))
			sent := time.Now()
			v, err := bids.SubmitBid(f.ctx, f.db, f.vault, b.Actor, core.BidScope{Org: b.OrgID, Bid: b.BidID}, 1, bids.ReceivedAt(sent))
			r := result{bid: b, err: err, version: v, sent: sent}
			if err != nil {
				_ = f.db.Raw(`SELECT clock_timestamp()`).Scan(&r.refused).Error
			}
			results[i] = r
		}()
	}
	wg.Wait()
	// The receipt time is the arrival, never earlier than it and later only by the time the
	// transaction's first statement took: every submission that arrived more than a
	// second before the deadline counts, however long it then waited for the database.
	const tolerance = time.Second
	var lastAccepted, firstRefused time.Time
	var bias time.Duration
	for _, r := range results {
		if r.err == nil && r.version.ReceiptAt != nil {
			bias = max(bias, r.version.ReceiptAt.Sub(r.sent))
			if r.version.ReceiptAt.Before(r.sent.Truncate(time.Microsecond)) {
				t.Errorf("bid %d: receipt %v before its arrival %v", r.bid.BidID, r.version.ReceiptAt, r.sent)
			}
		}
		if r.err != nil && r.sent.Before(deadline.Add(-tolerance)) {
			t.Errorf("bid %d arrived %v before the deadline and was refused: %v", r.bid.BidID, deadline.Sub(r.sent), r.err)
		}
		switch {
		case r.err == nil:
			accepted++
			if r.version.ReceiptAt == nil || r.version.ReceiptAt.After(deadline) {
				t.Errorf("bid %d accepted with receipt %v after the deadline %v", r.bid.BidID, r.version.ReceiptAt, deadline)
			}
			if r.version.ReceiptAt != nil && r.version.ReceiptAt.After(lastAccepted) {
				lastAccepted = *r.version.ReceiptAt
			}
		case errors.Is(r.err, core.ErrDeadlinePassed):
			refused++
			if !r.refused.After(deadline) {
				t.Errorf("bid %d refused at %v, before the deadline %v", r.bid.BidID, r.refused, deadline)
			}
			if firstRefused.IsZero() || r.refused.Before(firstRefused) {
				firstRefused = r.refused
			}
		default:
			t.Errorf("bid %d: unexpected error %v", r.bid.BidID, r.err)
		}
	}
	t.Logf("deadline %s: %d accepted (last receipt %s), %d refused (first refusal %s); receipt at most %s after the arrival", deadline.Format(time.RFC3339Nano),
		accepted, lastAccepted.Format(time.RFC3339Nano), refused, firstRefused.Format(time.RFC3339Nano), bias)
	// Nothing lost, nothing half-written.
	checks := map[string]int64{
		`SELECT count(*) FROM bid_versions WHERE call_id = ?`:                        int64(accepted),
		`SELECT count(*) FROM bid_versions WHERE call_id = ? AND receipt_at IS NULL`: 0,
		`SELECT count(*) FROM bid_versions v WHERE v.call_id = ? AND (SELECT count(*) FROM bid_version_files f WHERE f.bid_id = v.bid_id AND f.version = v.version) <> 2`:                0,
		`SELECT count(*) FROM bids WHERE call_id = ? AND state = 'submitted'`:                                                                                                            int64(accepted),
		`SELECT count(*) FROM bids WHERE call_id = ? AND state = 'draft' AND current_version = 0`:                                                                                        int64(refused),
		`SELECT count(*) FROM audit_log a WHERE ` + trailOfCall() + ` AND a.action = 'bid.submitted'`:                                                                                    int64(accepted),
		`SELECT count(*) FROM audit_log a WHERE ` + trailOfCall() + ` AND a.action = 'bid.submitted' AND NOT EXISTS (SELECT 1 FROM bid_versions v WHERE v.bid_id = a.object_id::bigint)`: 0,
	}
	for q, want := range checks {
		if got := dbtest.Count(t, f.db, q, f.callID); got != want {
			t.Errorf("%s: %d, want %d", q, got, want)
		}
	}
	verifyTrails(t, f.db, f.callID)
	return accepted, refused
}

// benchSetup prepares a call with b.N complete drafts.
func benchSetup(b *testing.B) (*gorm.DB, *vault.Vault, []massBid, int64) {
	st := dbtest.NewDemo(b)
	v := dbtest.Vault(b)
	lead := taActorTB(b, st.DB, "leitung@musterland.example")
	var tid int64
	_ = st.DB.Raw(`SELECT id FROM tenants WHERE slug = 'musterland'`).Scan(&tid).Error
	c := fixture.CallContent(time.Now().Add(30 * 24 * time.Hour))
	id := qaPublishTB(b, st.DB, tid, lead.UserID, c, 92, time.Now())
	return st.DB, v, massBids(b, st.DB, v, id, &c, b.N, 0), id
}

// BenchmarkSubmit measures the submission use case.
func BenchmarkSubmit(b *testing.B) {
	db, v, bidList, _ := benchSetup(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := range b.N {
		if _, err := bids.SubmitBid(ctx, db, v, bidList[i].Actor, core.BidScope{Org: bidList[i].OrgID, Bid: bidList[i].BidID}, 1, bids.ReceivedAt(time.Now())); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSubmitBaseline is a bare transaction inserting the same rows: the version with
// (pre-encrypted) content, its two files, the bid update and the audit entry.
func BenchmarkSubmitBaseline(b *testing.B) {
	db, v, bidList, callID := benchSetup(b)
	ctx := context.Background()
	var sealed []byte
	_ = store.InTx(ctx, db, func(tx *gorm.DB) error {
		var err error
		sealed, err = v.SealBytes(tx, callID, bytes.Repeat([]byte("x"), 900))
		return err
	})
	b.ResetTimer()
	for i := range b.N {
		m := bidList[i]
		err := store.InTx(ctx, db, func(tx *gorm.DB) error {
			if err := tx.Exec(`INSERT INTO bid_versions (bid_id, version, call_id, org_id, call_version, kind, content, content_sha256, submitted_by)
				VALUES (?, 1, ?, ?, 1, 'submission', ?, repeat('a', 64), ?)`, m.BidID, callID, m.OrgID, sealed, m.UserID).Error; err != nil {
				return err
			}
			if err := tx.Exec(`INSERT INTO bid_version_files (bid_id, version, doc_key, file_id, sha256, size, name)
				SELECT bid_id, 1, d.doc_key, d.file_id, repeat('b', 64), 1000, 'x.pdf' FROM bid_draft_files d WHERE d.bid_id = ?`, m.BidID).Error; err != nil {
				return err
			}
			if err := tx.Exec(`UPDATE bids SET state = 'submitted', current_version = 1, submitted_rev = draft_rev WHERE id = ?`, m.BidID).Error; err != nil {
				return err
			}
			_, err := audit.Audit(tx, audit.Event{Chain: audit.SealedBidChain(callID, m.BidID), ActorID: m.UserID, Action: "bid.submitted", ObjectType: "bid",
				ObjectID: fmt.Sprint(m.BidID), Details: map[string]any{"org_id": m.OrgID, "version": 1}})
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// taActorTB loads an actor by e-mail (for benchmarks).
func taActorTB(tb testing.TB, db *gorm.DB, email string) *core.Actor {
	tb.Helper()
	var id int64
	if err := db.Raw(`SELECT id FROM users WHERE email = ?`, email).Scan(&id).Error; err != nil || id == 0 {
		tb.Fatalf("user %s: %v", email, err)
	}
	a, err := accounts.LoadActor(context.Background(), db, id)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

// qaPublishTB inserts a published version 1 of c (as qaPublish, for benchmarks).
func qaPublishTB(tb testing.TB, db *gorm.DB, tenantID, leadID int64, c rules.CallContent, seq int, now time.Time) int64 {
	tb.Helper()
	c.Timeline.Publication = now.UTC().Truncate(time.Second)
	raw, _ := c.Canonical()
	sum, _ := c.SHA256()
	var id int64
	if err := db.Raw(`INSERT INTO calls (tenant_id, ref, ref_year, ref_seq, state, current_version, title, deadline, questions_until, published_at, created_by)
		VALUES (?, ?, 2026, ?, 'published', 1, ?, ?, ?, ?, ?) RETURNING id`, tenantID, fmt.Sprintf("musterland-2026-%02d", seq), seq,
		c.Title, c.Timeline.Deadline, c.Timeline.QuestionsUntil, c.Timeline.Publication, leadID).Scan(&id).Error; err != nil {
		tb.Fatal(err)
	}
	if err := db.Exec(`INSERT INTO call_versions (call_id, version, content, content_sha256, deadline, published_by, published_at)
		VALUES (?, 1, ?, ?, ?, ?, ?)`, id, raw, sum, c.Timeline.Deadline, leadID, c.Timeline.Publication).Error; err != nil {
		tb.Fatal(err)
	}
	return id
}

// TestShiftedClockOnlyInADemonstrationDatabase: the clock shift the demonstration uses to
// backdate its procedures is ignored by the deadline checks unless the database's owner
// marked it as a demonstration; a session setting alone moves nothing.
func TestShiftedClockOnlyInADemonstrationDatabase(t *testing.T) {
	t.Parallel()
	db := dbtest.DB(t)
	shift := func() string {
		var s string
		if err := db.Transaction(func(tx *gorm.DB) error {
			if err := tx.Exec(`SELECT set_config('kimibv.clock_offset', '-86400', true)`).Error; err != nil {
				return err
			}
			return tx.Raw(`SELECT kimibv_clock_offset()::text`).Scan(&s).Error
		}); err != nil {
			t.Fatal(err)
		}
		return s
	}
	if got := shift(); got != "00:00:00" {
		t.Fatalf("an unmarked database honours a session's clock shift: %s", got)
	}
	if err := db.Exec(`DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET kimibv.demonstration = on', current_database()); END $$`).Error; err != nil {
		t.Fatal(err)
	}
	if got := shift(); got != "-1 days" && got != "-24:00:00" {
		t.Fatalf("a demonstration database ignores the shift: %s", got)
	}
}
