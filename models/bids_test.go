package models_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"kimibv/models/audit"
	"kimibv/models/bids"
	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/dbtest"
	"kimibv/models/fixture"
	"kimibv/models/rules"
	"kimibv/models/store"
	"kimibv/models/vault"
)

// bidFixture is the demo with a published call (qaContent, deadline in 30 days) and a vault.
type bidFixture struct {
	*qaFixture
	vault *vault.Vault
	ctx   context.Context
}

func newBidFixture(t *testing.T) *bidFixture {
	t.Helper()
	st := dbtest.NewDemo(t)
	// The demo's data keys (its Postfach, receipts) are wrapped to the test master key.
	return &bidFixture{qaFixture: newQAFixture(t, st.DB), vault: dbtest.Vault(t), ctx: context.Background()}
}

// completeBid starts and fills a bid of the organisation administered by email and returns
// org id, actor and bid id.
func (f *bidFixture) completeBid(t *testing.T, email string) (int64, *core.Actor, int64) {
	t.Helper()
	orgID, a := f.orgOf(t, email)
	id, err := bids.StartBid(f.ctx, f.db, f.vault, a, core.OrgCallScope{Org: orgID, Call: f.callID}, f.now)
	if err != nil {
		t.Fatal(err)
	}
	steps := map[rules.BidStep]rules.StepInput{
		rules.StepLots:      {"fte_L1": "1,5"},
		rules.StepAnswers:   {"answer_K1": "Unser Konzept für das Case Management.", "answer_K2": "Fallbeurteilung unabhängig."},
		rules.StepContact:   {"contact_name": "Andrea Wohlfahrt", "contact_email": "awo@traeger.example"},
		rules.StepDocuments: {},
	}
	decl := rules.StepInput{"ties": "none"}
	for _, x := range rules.Declarations(&f.content) {
		decl["decl_"+x.Key] = "1"
	}
	steps[rules.StepDeclarations] = decl
	for step, in := range steps {
		if err := bids.SaveBidStep(f.ctx, f.db, f.vault, a, core.BidScope{Org: orgID, Bid: id}, step, in, f.now); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	for _, key := range []string{"U1", "U2"} {
		if err := bids.AddBidFile(f.ctx, f.db, f.vault, a, core.BidScope{Org: orgID, Bid: id}, bids.BidFileInput{DocKey: key, FileName: key + ".pdf",
			File: bytes.NewReader(fixture.MinimalPDF(2000))}, f.now); err != nil {
			t.Fatal(err)
		}
	}
	return orgID, a, id
}

func (f *bidFixture) rev(t *testing.T, bidID int64) int {
	t.Helper()
	var rev int
	mustScan(t, f.db, &rev, `SELECT draft_rev FROM bids WHERE id = ?`, bidID)
	return rev
}

func TestBidDraftSubmitResubmitWithdraw(t *testing.T) {
	t.Parallel()
	f := newBidFixture(t)
	orgID, awo, id := f.completeBid(t, "awo@traeger.example")
	if again, err := bids.StartBid(f.ctx, f.db, f.vault, awo, core.OrgCallScope{Org: orgID, Call: f.callID}, f.now); err != nil || again != id {
		t.Fatalf("second start: %d %v", again, err)
	}
	view, err := bids.OwnBid(f.ctx, f.db, f.vault, awo, core.BidScope{Org: orgID, Bid: id}, f.now)
	if err != nil || len(view.Missing) != 0 || !view.CanSubmit() || view.UpdatedByName != "Andrea Wohlfahrt" {
		t.Fatalf("view: %+v %v", view, err)
	}
	// The draft is encrypted at rest.
	var raw []byte
	if err := f.db.Raw(`SELECT draft FROM bids WHERE id = ?`, id).Row().Scan(&raw); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("Case Management")) {
		t.Fatal("draft stored in plaintext")
	}
	rev := f.rev(t, id)
	v1, err := bids.SubmitBid(f.ctx, f.db, f.vault, awo, core.BidScope{Org: orgID, Bid: id}, rev, bids.ReceivedAt(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if v1.Version != 1 || v1.ReceiptAt == nil || v1.ReceiptAt.After(f.content.Timeline.Deadline) {
		t.Fatalf("version %+v", v1)
	}
	// A second tab submitting the same revision: conflict, still one version.
	_, err = bids.SubmitBid(f.ctx, f.db, f.vault, awo, core.BidScope{Org: orgID, Bid: id}, rev, bids.ReceivedAt(time.Now()))
	wantConflict(t, err)
	if n := dbtest.Count(t, f.db, `SELECT count(*) FROM bid_versions WHERE bid_id = ?`, id); n != 1 {
		t.Fatalf("%d versions", n)
	}
	// The hash covers the canonical content; the files carry their hashes.
	r, err := bids.OwnReceipt(f.ctx, f.db, f.vault, awo, core.BidScope{Org: orgID, Bid: id}, 1)
	if err != nil || len(r.Lots) != 1 || r.Lots[0].FTE != "1,50" || len(r.Version.Files) != 2 || r.Version.ContentSHA256 != v1.ContentSHA256 {
		t.Fatalf("receipt %+v %v", r, err)
	}
	if err := bids.IssueBidReceipt(f.ctx, f.db, f.vault, id, 1, "http://x", dbtest.FakeDocuments{}); err != nil {
		t.Fatal(err)
	}
	if err := bids.IssueBidReceipt(f.ctx, f.db, f.vault, id, 1, "http://x", dbtest.FakeDocuments{}); err != nil {
		t.Fatal(err)
	}
	receipts := 0
	for _, m := range dbtest.Inbox(t, f.db, `org_id = ? AND kind = 'bid_receipt'`, orgID) {
		if strings.Contains(m.Body, v1.ContentSHA256) {
			receipts++
		}
	}
	if receipts != 1 {
		t.Fatalf("%d receipts in the Postfach", receipts)
	}
	mails := 0
	for _, m := range dbtest.MailsTo(t, f.db, "awo@traeger.example", `kind = 'bid_receipt' AND tenant_id IS NULL`) {
		if strings.Contains(m.Subject, "musterland-2026-91") {
			mails++
		}
	}
	if mails != 1 {
		t.Fatalf("%d receipt mails without a Kreis", mails)
	}
	// rules.md R4: nobody edits a submitted version or its files.
	for _, q := range []string{`UPDATE bid_versions SET content_sha256 = repeat('0', 64) WHERE bid_id = ?`,
		`DELETE FROM bid_versions WHERE bid_id = ?`, `UPDATE bid_versions SET receipt_at = now() WHERE bid_id = ?`,
		`UPDATE bid_version_files SET sha256 = repeat('0', 64) WHERE bid_id = ?`,
		`UPDATE file_chunks SET data = 'x' WHERE file_id IN (SELECT file_id FROM bid_version_files WHERE bid_id = ?)`,
		`DELETE FROM files WHERE id IN (SELECT file_id FROM bid_version_files WHERE bid_id = ?)`} {
		if err := f.db.Exec(q, id).Error; err == nil {
			t.Fatalf("allowed: %s", q)
		}
	}
	// Re-submission: a changed draft becomes version 2; both stay.
	if err := bids.SaveBidStep(f.ctx, f.db, f.vault, awo, core.BidScope{Org: orgID, Bid: id}, rules.StepLots, rules.StepInput{"fte_L1": "2"}, f.now); err != nil {
		t.Fatal(err)
	}
	_, err = bids.SubmitBid(f.ctx, f.db, f.vault, awo, core.BidScope{Org: orgID, Bid: id}, rev, bids.ReceivedAt(time.Now())) // stale revision
	wantConflict(t, err)
	v2, err := bids.SubmitBid(f.ctx, f.db, f.vault, awo, core.BidScope{Org: orgID, Bid: id}, f.rev(t, id), bids.ReceivedAt(time.Now()))
	if err != nil || v2.Version != 2 || v2.ContentSHA256 == v1.ContentSHA256 {
		t.Fatalf("resubmit %+v %v", v2, err)
	}
	if got := auditActions(t, f.db, audit.SealedBidChain(f.callID, id)); len(got) == 0 || got[len(got)-1] != "bid.submitted" {
		t.Fatalf("audit %v", got)
	}
	// Another organisation never sees it.
	carID, car := f.orgOf(t, "caritas@traeger.example")
	if _, err := bids.OwnBid(f.ctx, f.db, f.vault, car, core.BidScope{Org: carID, Bid: id}, f.now); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("caritas reads AWO's bid: %v", err)
	}
	if _, err := bids.SubmitBid(f.ctx, f.db, f.vault, car, core.BidScope{Org: orgID, Bid: id}, f.rev(t, id), bids.ReceivedAt(time.Now())); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("caritas submits AWO's bid: %v", err)
	}
	// Withdrawal is final.
	if err := bids.WithdrawBid(f.ctx, f.db, awo, core.BidScope{Org: orgID, Bid: id}, f.now); err != nil {
		t.Fatal(err)
	}
	_, err = bids.SubmitBid(f.ctx, f.db, f.vault, awo, core.BidScope{Org: orgID, Bid: id}, f.rev(t, id), bids.ReceivedAt(time.Now()))
	wantConflict(t, err)
	wantConflict(t, bids.SaveBidStep(f.ctx, f.db, f.vault, awo, core.BidScope{Org: orgID, Bid: id}, rules.StepLots, rules.StepInput{"fte_L1": "1"}, f.now))
	if n := dbtest.Count(t, f.db, `SELECT count(*) FROM bid_versions WHERE bid_id = ?`, id); n != 2 {
		t.Fatalf("%d versions after withdrawal", n)
	}
	if n := dbtest.Count(t, f.db, `SELECT count(*) FROM audit_log WHERE object_type = 'bid' AND tenant_id IS NOT NULL`); n != 0 {
		t.Fatalf("%d bid entries visible in a Kreis audit list", n)
	}
	if n := dbtest.Count(t, f.db, `SELECT count(*) FROM audit_log WHERE chain = ? AND action LIKE 'bid.%'`, audit.CallChain(f.callID)); n != 0 {
		t.Fatalf("%d bid entries on the procedure's own chain before the opening", n)
	}
	verifyChain(t, f.db, audit.SealedBidChain(f.callID, id))
}

func TestBidMembershipRemovedMidDraft(t *testing.T) {
	t.Parallel()
	f := newBidFixture(t)
	orgID, awo, id := f.completeBid(t, "awo@traeger.example")
	if err := f.db.Exec(`DELETE FROM organization_members WHERE org_id = ? AND user_id = ?`, orgID, awo.UserID).Error; err != nil {
		t.Fatal(err)
	}
	// The actor loaded before the removal still claims the membership: the use cases re-check.
	if _, err := bids.SubmitBid(f.ctx, f.db, f.vault, awo, core.BidScope{Org: orgID, Bid: id}, f.rev(t, id), bids.ReceivedAt(time.Now())); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("submit after removal: %v", err)
	}
	if err := bids.SaveBidStep(f.ctx, f.db, f.vault, awo, core.BidScope{Org: orgID, Bid: id}, rules.StepLots, rules.StepInput{"fte_L1": "1"}, f.now); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("save after removal: %v", err)
	}
	if n := dbtest.Count(t, f.db, `SELECT count(*) FROM bid_versions WHERE bid_id = ?`, id); n != 0 {
		t.Fatalf("%d versions", n)
	}
}

func TestBidAfterDeadline(t *testing.T) {
	// Not parallel: a transaction must insert within 300 ms of the deadline, so it runs before the parallel tests start, with the package to itself.
	f := newBidFixture(t)
	orgID, awo, id := f.completeBid(t, "awo@traeger.example")
	carID, car, carBid := f.completeBid(t, "caritas@traeger.example")
	if _, err := bids.SubmitBid(f.ctx, f.db, f.vault, car, core.BidScope{Org: carID, Bid: carBid}, f.rev(t, carBid), bids.ReceivedAt(time.Now())); err != nil {
		t.Fatal(err)
	}
	if err := f.db.Exec(`UPDATE calls SET deadline = clock_timestamp() - interval '1 second' WHERE id = ?`, f.callID).Error; err != nil {
		t.Fatal(err)
	}
	var de *core.DeadlineError
	if _, err := bids.SubmitBid(f.ctx, f.db, f.vault, awo, core.BidScope{Org: orgID, Bid: id}, f.rev(t, id), bids.ReceivedAt(time.Now())); !errors.As(err, &de) || !errors.Is(err, core.ErrDeadlinePassed) {
		t.Fatalf("submit after deadline: %v", err)
	}
	if err := bids.SaveBidStep(f.ctx, f.db, f.vault, awo, core.BidScope{Org: orgID, Bid: id}, rules.StepLots, rules.StepInput{"fte_L1": "1"}, f.now); !errors.As(err, &de) {
		t.Fatalf("save after deadline: %v", err)
	}
	if err := bids.WithdrawBid(f.ctx, f.db, car, core.BidScope{Org: carID, Bid: carBid}, f.now); !errors.As(err, &de) {
		t.Fatalf("withdraw after deadline: %v", err)
	}
	if n := dbtest.Count(t, f.db, `SELECT count(*) FROM bids WHERE state = 'submitted' AND call_id = ?`, f.callID); n != 1 {
		t.Fatalf("%d submitted", n)
	}
	// The COMMIT-time trigger: a transaction that inserts in time but commits late is refused.
	if err := f.db.Exec(`UPDATE calls SET deadline = clock_timestamp() + interval '300 milliseconds' WHERE id = ?`, f.callID).Error; err != nil {
		t.Fatal(err)
	}
	err := store.InTx(f.ctx, f.db, func(tx *gorm.DB) error {
		if err := tx.Exec(`INSERT INTO bid_versions (bid_id, version, call_id, org_id, call_version, kind, content, content_sha256, submitted_by)
			VALUES (?, 1, ?, ?, 1, 'submission', 'x', repeat('a', 64), ?)`, id, f.callID, orgID, awo.UserID).Error; err != nil {
			return err
		}
		return tx.Exec(`SELECT pg_sleep(0.5)`).Error
	})
	if err == nil || !errors.Is(bids.CommitRefused(err, "Die Einreichung"), core.ErrDeadlinePassed) {
		t.Fatalf("late commit: %v", err)
	}
	if n := dbtest.Count(t, f.db, `SELECT count(*) FROM bid_versions WHERE bid_id = ?`, id); n != 0 {
		t.Fatal("late version stored")
	}
}

func TestBidReconfirmation(t *testing.T) {
	t.Parallel()
	f := newBidFixture(t)
	orgID, awo, id := f.completeBid(t, "awo@traeger.example")
	if _, err := bids.SubmitBid(f.ctx, f.db, f.vault, awo, core.BidScope{Org: orgID, Bid: id}, f.rev(t, id), bids.ReceivedAt(time.Now())); err != nil {
		t.Fatal(err)
	}
	next := f.content
	next.Criteria = append([]rules.Criterion(nil), f.content.Criteria...)
	next.Criteria[1].Description = "Beschwerdeweg und anwaltschaftliche Funktion."
	if _, err := calls.Amend(f.ctx, f.db, f.lead, core.CallScope{Tenant: f.tenantID, Call: f.callID}, calls.AmendInput{Content: rules.DraftInputFrom(next, rules.Committee{}),
		Reason: "Kriterium 2 präzisiert"}, rules.DefaultCallRules(), "http://x", f.now, dbtest.FakeDocuments{}); err != nil {
		t.Fatal(err)
	}
	var b bids.Bid
	mustScan(t, f.db, &b, `SELECT * FROM bids WHERE id = ?`, id)
	if !b.NeedsReconfirmation || b.ReconfirmCallVersion == nil || *b.ReconfirmCallVersion != 2 {
		t.Fatalf("not marked: %+v", b)
	}
	if n := dbtest.Count(t, f.db, `SELECT count(*) FROM inbox_messages WHERE org_id = ? AND kind = 'bid_reconfirm'`, orgID); n != 1 {
		t.Fatalf("%d re-confirmation messages", n)
	}
	view, err := bids.OwnBid(f.ctx, f.db, f.vault, awo, core.BidScope{Org: orgID, Bid: id}, f.now)
	if err != nil || !view.CanSubmit() {
		t.Fatalf("re-confirmation not offered: %v", err)
	}
	v, err := bids.SubmitBid(f.ctx, f.db, f.vault, awo, core.BidScope{Org: orgID, Bid: id}, f.rev(t, id), bids.ReceivedAt(time.Now()))
	if err != nil || v.Kind != bids.VersionReconfirmation || v.CallVersion != 2 || v.Version != 2 {
		t.Fatalf("re-confirm: %+v %v", v, err)
	}
	mustScan(t, f.db, &b, `SELECT * FROM bids WHERE id = ?`, id)
	if b.NeedsReconfirmation || b.ReconfirmedVersion == nil || *b.ReconfirmedVersion != 2 {
		t.Fatalf("flag not cleared: %+v", b)
	}
	if _, d := lastAudit(t, f.db, audit.SealedBidChain(f.callID, id), "bid.reconfirmed"); d["call_version"] != float64(2) {
		t.Fatalf("audit %v", d)
	}
}

// TestReadBidsSealedForEveryRole checks rules.md R2 for every role before the deadline, after
// it (unopened) and after the opening.
func TestReadBidsSealedForEveryRole(t *testing.T) {
	t.Parallel()
	f := newBidFixture(t)
	orgID, awo, id := f.completeBid(t, "awo@traeger.example")
	if _, err := bids.SubmitBid(f.ctx, f.db, f.vault, awo, core.BidScope{Org: orgID, Bid: id}, f.rev(t, id), bids.ReceivedAt(time.Now())); err != nil {
		t.Fatal(err)
	}
	_, caritas := f.orgOf(t, "caritas@traeger.example")
	actors := []struct {
		name  string
		actor *core.Actor
		want  [3]error // running, expired, opened; nil = reads the bids
	}{
		{"anonymous", nil, [3]error{core.ErrNotFound, core.ErrNotFound, core.ErrNotFound}},
		{"operator", taActor(t, f.db, "betrieb@kimibv.example"), [3]error{core.ErrSealed, core.ErrSealed, core.ErrForbidden}},
		{"tenant_admin", taActor(t, f.db, "admin@musterland.example"), [3]error{core.ErrSealed, core.ErrSealed, core.ErrForbidden}},
		{"lead", f.lead, [3]error{core.ErrSealed, core.ErrSealed, nil}},
		{"opener", taActor(t, f.db, "oeffnung1@musterland.example"), [3]error{core.ErrSealed, core.ErrSealed, nil}},
		{"evaluator", taActor(t, f.db, "gremium1@musterland.example"), [3]error{core.ErrSealed, core.ErrSealed, core.ErrForbidden}},
		{"council", taActor(t, f.db, "kreistag@musterland.example"), [3]error{core.ErrSealed, core.ErrSealed, core.ErrForbidden}},
		{"other Kreis (admin and lead)", taActor(t, f.db, "admin@beispielhausen.example"), [3]error{core.ErrNotFound, core.ErrNotFound, core.ErrNotFound}},
		{"member of the bidding org", awo, [3]error{core.ErrNotFound, core.ErrNotFound, core.ErrNotFound}},
		{"member of another org", caritas, [3]error{core.ErrNotFound, core.ErrNotFound, core.ErrNotFound}},
	}
	phases := []struct {
		name   string
		sql    string
		status string
	}{
		{"before the deadline", ``, "Frist läuft"},
		{"after the deadline, unopened", `UPDATE calls SET deadline = now() - interval '1 hour' WHERE id = ?`, "Frist abgelaufen – ungeöffnet"},
		{"after the opening", `UPDATE calls SET opened_at = now() WHERE id = ?`, "Interessenbekundungen geöffnet"},
	}
	for i, ph := range phases {
		if ph.sql != "" {
			if err := f.db.Exec(ph.sql, f.callID).Error; err != nil {
				t.Fatal(err)
			}
		}
		now := time.Now()
		for _, a := range actors {
			got, err := bids.ReadBids(f.ctx, f.db, f.vault, a.actor, f.callID, now)
			want := a.want[i]
			if want != nil {
				if !errors.Is(err, want) || got != nil {
					t.Errorf("%s, %s: got %v, want %v", ph.name, a.name, err, want)
				}
				continue
			}
			if err != nil || len(got.Bids) != 1 {
				t.Fatalf("%s, %s: %v", ph.name, a.name, err)
			}
			b := got.Bids[0]
			if b.OrgName != "Arbeiterwohlfahrt Kreisverband Musterland e. V." || b.Content.Answers["K1"] == "" || len(b.Files) != 2 {
				t.Fatalf("opened bid %+v", b)
			}
			r, _, err := got.OpenFile(f.ctx, b.BidID, "U1")
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(r)
			if err != nil || !bytes.HasPrefix(body, []byte("%PDF-")) {
				t.Fatalf("file: %v", err)
			}
		}
		st, err := bids.CallBidStatus(f.ctx, f.db, f.lead, f.callID, now)
		if err != nil || st.Label() != ph.status {
			t.Errorf("%s: status %q %v, want %q", ph.name, st.Label(), err, ph.status)
		}
		if _, err := bids.CallBidStatus(f.ctx, f.db, taActor(t, f.db, "admin@beispielhausen.example"), f.callID, now); !errors.Is(err, core.ErrNotFound) {
			t.Errorf("other Kreis learns the status: %v", err)
		}
	}
}
