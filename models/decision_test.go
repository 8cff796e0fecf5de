package models_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/models/dbtest"
	"kimibv/models/decision"
	"kimibv/models/evaluation"
	"kimibv/models/fixture"
	"kimibv/models/rules"
)

// decisionFixture is a call with a closed consolidation: A (100 points, L1 2,0), B (80,
// L2 1,0), C (50, nothing left) and X (formally excluded); every organisation has one
// member so that e-mails are queued.
type decisionFixture struct {
	*consFixture
	bids    map[string]int64
	orgs    map[string]int64
	members map[string]*core.Actor
}

func newDecisionFixture(t *testing.T) *decisionFixture {
	t.Helper()
	f := &decisionFixture{consFixture: newConsFixture(t, nil), bids: map[string]int64{}, orgs: map[string]int64{}, members: map[string]*core.Actor{}}
	for _, b := range []struct{ name, req, sheet string }{{"A", "L1=2", "2 2"}, {"B", "L1=1 L2=1", "2 1"}, {"C", "L2=1", "1 1"}} {
		f.bids[b.name] = f.addBid(t, "Träger "+b.name+" e. V.", rules.FormalAdmitted, b.req, b.sheet, b.sheet)
		sc := strings.Fields(b.sheet)
		if err := f.set(f.bids[b.name], map[string]string{"K1": sc[0], "K2": sc[1]}, reasonsFor("K1", "K2")); err != nil {
			t.Fatal(err)
		}
	}
	f.bids["X"] = f.addBid(t, "Träger X e. V.", rules.FormalExcluded, "L2=1")
	if _, err := evaluation.CloseConsolidation(context.Background(), f.db, f.src, f.lead, evaluation.CloseInput{CallID: f.callID}, f.now, dbtest.FakeDocuments{}); err != nil {
		t.Fatal(err)
	}
	if err := f.db.Exec(`UPDATE calls SET state = 'opened' WHERE id = ?`, f.callID).Error; err != nil {
		t.Fatal(err)
	}
	for name, bid := range f.bids {
		var org, user int64
		f.db.Raw(`SELECT org_id FROM bids WHERE id = ?`, bid).Scan(&org)
		email := fmt.Sprintf("traeger-%s-%d@example.org", strings.ToLower(name), f.callID)
		if err := f.db.Raw(`INSERT INTO users (email, name, password_hash) VALUES (?, ?, 'x') RETURNING id`, email, "Person "+name).Scan(&user).Error; err != nil {
			t.Fatal(err)
		}
		f.db.Exec(`INSERT INTO organization_members (org_id, user_id, role) VALUES (?, ?, 'org_admin')`, org, user)
		f.orgs[name], f.members[name] = org, taActor(t, f.db, email)
	}
	return f
}

// proposal is the result's allocation as form values.
func (f *decisionFixture) proposal(over map[string]string) decision.ProposalInput {
	in := decision.ProposalInput{CallID: f.callID, Justification: "Auswahl nach der Rangfolge der Bewertung.", FTE: map[string]string{
		rules.FTEField(f.bids["A"], "L1"): "2,00", rules.FTEField(f.bids["B"], "L2"): "1,00"}}
	for k, v := range over {
		in.FTE[k] = v
	}
	return in
}

func (f *decisionFixture) record(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	if err := decision.SaveProposal(ctx, f.db, f.lead, f.proposal(nil), f.now); err != nil {
		t.Fatal(err)
	}
	if err := decision.RecordDecision(ctx, f.db, f.lead, dbtest.FakeDocuments{}, f.recordInput(), f.now); err != nil {
		t.Fatal(err)
	}
}

func (f *decisionFixture) recordInput() rules.RecordInput {
	return rules.RecordInput{CallID: f.callID, Body: "kreistag", DecidedOn: rules.NewDate(f.now).German(), ResolutionNumber: "KT/0815/2026",
		VoteResult: "einstimmig", CouncilURL: "https://ratsinfo.musterland.example/vo0050.asp?__kvonr=815"}
}

func (f *decisionFixture) state(t *testing.T) string {
	var s string
	f.db.Raw(`SELECT state FROM calls WHERE id = ?`, f.callID).Scan(&s)
	return s
}

func TestDecisionDeviationNeedsReasonAndIsFlagged(t *testing.T) {
	t.Parallel()
	f := newDecisionFixture(t)
	ctx := context.Background()
	dev := map[string]string{rules.FTEField(f.bids["B"], "L2"): "", rules.FTEField(f.bids["C"], "L2"): "1,00"}
	fixture.WantField(t, decision.SaveProposal(ctx, f.db, f.lead, f.proposal(dev), f.now), "deviation_reason", "required")
	if n := dbtest.Count(t, f.db, fmt.Sprintf(`SELECT count(*) FROM decisions WHERE call_id = %d`, f.callID)); n != 0 {
		t.Fatalf("%d decisions stored after a refused proposal", n)
	}
	fixture.WantField(t, decision.SaveProposal(ctx, f.db, f.lead, f.proposal(map[string]string{rules.FTEField(f.bids["X"], "L2"): "1,00"}), f.now),
		rules.FTEField(f.bids["X"], "L2"), "excluded")
	fixture.WantField(t, decision.SaveProposal(ctx, f.db, f.lead, f.proposal(map[string]string{rules.FTEField(f.bids["C"], "L2"): "1,00"}), f.now),
		"allocation", "lot_full")
	// Recording without a proposal is refused.
	fixture.WantField(t, decision.RecordDecision(ctx, f.db, f.lead, dbtest.FakeDocuments{}, f.recordInput(), f.now), "decision", "no_proposal")

	// A saved proposal can be replaced until the decision is recorded.
	if err := decision.SaveProposal(ctx, f.db, f.lead, f.proposal(nil), f.now); err != nil {
		t.Fatal(err)
	}
	in := f.proposal(dev)
	in.DeviationReason = "Träger B hat die Besetzung der Stelle im Süden zurückgezogen."
	if err := decision.SaveProposal(ctx, f.db, f.lead, in, f.now); err != nil {
		t.Fatal(err)
	}
	if n := dbtest.Count(t, f.db, fmt.Sprintf(`SELECT count(*) FROM decision_allocations WHERE call_id = %d`, f.callID)); n != 3 {
		t.Fatalf("%d allocation rows after replacing the proposal, want 3 (A, B removed, C added)", n)
	}
	v, err := decision.LoadDecision(ctx, f.db, f.lead, f.callID, f.now)
	if err != nil {
		t.Fatal(err)
	}
	if !v.Decision.Deviates || v.Decision.DeviationReason == "" {
		t.Fatalf("decision = %+v, want a flagged deviation with reason", v.Decision)
	}
	var flagged int
	for _, a := range v.Decision.Allocations {
		if a.Deviates() {
			flagged++
		}
	}
	if flagged != 2 {
		t.Fatalf("%d allocation rows flagged as deviating, want 2 (B removed, C added): %+v", flagged, v.Decision.Allocations)
	}
	// The record form: bad URL and future date are refused, nothing changes.
	bad := f.recordInput()
	bad.CouncilURL, bad.DecidedOn = "javascript:alert(1)", rules.NewDate(f.now.AddDate(0, 0, 2)).German()
	err = decision.RecordDecision(ctx, f.db, f.lead, dbtest.FakeDocuments{}, bad, f.now)
	fixture.WantField(t, err, "council_url", "url")
	fixture.WantField(t, err, "decided_on", "future")
	if s := f.state(t); s != "opened" {
		t.Fatalf("state %s after refused record", s)
	}
	if err := decision.RecordDecision(ctx, f.db, f.lead, dbtest.FakeDocuments{}, f.recordInput(), f.now); err != nil {
		t.Fatal(err)
	}
	if s := f.state(t); s != "decided" {
		t.Fatalf("state %s, want decided", s)
	}
	// Recorded means final: no new proposal, and the table refuses edits.
	if err := decision.SaveProposal(ctx, f.db, f.lead, f.proposal(nil), f.now); !errors.Is(err, core.ErrConflict) {
		t.Fatalf("proposal after record: %v, want conflict", err)
	}
	if err := f.db.Exec(`UPDATE decisions SET justification = 'geändert' WHERE call_id = ?`, f.callID).Error; err == nil {
		t.Fatal("recorded decision was changed")
	}
	if _, d := lastAudit(t, f.db, audit.CallChain(f.callID), "decision.recorded"); d["resolution_number"] != "KT/0815/2026" {
		t.Fatalf("audit details %v", d)
	}
	// Another Kreis's lead does not find the decision.
	other := &core.Actor{UserID: f.lead.UserID, Tenants: map[int64][]core.Role{f.tenantID + 999: {core.RoleLead}}}
	if _, err := decision.LoadDecision(ctx, f.db, other, f.callID, f.now); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("other Kreis: %v, want not found", err)
	}
}

func TestNoticesOnlyAfterRecordEachOrgItsOwnData(t *testing.T) {
	t.Parallel()
	f := newDecisionFixture(t)
	ctx := context.Background()
	if err := decision.SaveProposal(ctx, f.db, f.lead, f.proposal(nil), f.now); err != nil {
		t.Fatal(err)
	}
	if err := decision.IssueNotices(ctx, f.db, f.lead, dbtest.FakeDocuments{}, f.callID, f.now); !errors.Is(err, core.ErrConflict) {
		t.Fatalf("notices before the decision: %v, want conflict", err)
	}
	if err := decision.RecordDecision(ctx, f.db, f.lead, dbtest.FakeDocuments{}, f.recordInput(), f.now); err != nil {
		t.Fatal(err)
	}
	if err := f.db.Exec(`UPDATE tenants SET legal_remedy_text = 'Gegen diese Entscheidung kann innerhalb eines Monats Klage erhoben werden.' WHERE id = ?`, f.tenantID).Error; err != nil {
		t.Fatal(err)
	}
	mails := dbtest.Count(t, f.db, `SELECT count(*) FROM outbox`)
	if err := decision.IssueNotices(ctx, f.db, f.lead, dbtest.FakeDocuments{}, f.callID, f.now); err != nil {
		t.Fatal(err)
	}
	if err := decision.IssueNotices(ctx, f.db, f.lead, dbtest.FakeDocuments{}, f.callID, f.now); !errors.Is(err, core.ErrConflict) {
		t.Fatalf("second issue: %v, want conflict", err)
	}
	if got := dbtest.Count(t, f.db, `SELECT count(*) FROM outbox`) - mails; got != 4 {
		t.Fatalf("%d e-mails queued, want one per member of the 4 organisations", got)
	}
	want := map[string]string{"A": decision.NoticeSelected, "B": decision.NoticeSelected, "C": decision.NoticeNotSelected, "X": decision.NoticeExcluded}
	for name, kind := range want {
		list, err := decision.OrgNotices(ctx, f.db, f.members[name], f.orgs[name])
		if err != nil || len(list) != 1 {
			t.Fatalf("%s: notices %v %v", name, list, err)
		}
		n, err := decision.LoadOrgNotice(ctx, f.db, f.members[name], f.orgs[name], list[0].ID, f.now)
		if err != nil {
			t.Fatal(err)
		}
		if n.Content.Kind != kind || n.Content.OrgName != "Träger "+name+" e. V." || !n.CanObject {
			t.Fatalf("%s: notice %+v", name, n.Content)
		}
		text := n.Content.Text()
		for other := range want {
			// Reasons of other providers never appear; scores are only the own ones.
			if other != name && strings.Contains(text, "Begründung "+other) {
				t.Fatalf("%s sees reasons of %s", name, other)
			}
		}
		if !strings.Contains(text, "Klage erhoben") || !strings.Contains(text, "Stillhaltefrist endet") {
			t.Fatalf("%s: no legal remedy or standstill:\n%s", name, text)
		}
		if name == "C" {
			if n.Content.Rank != 3 || len(n.Content.Scores) != 2 || len(n.Content.Selected) != 2 ||
				n.Content.Selected[0].OrgName != "Träger A e. V." || !n.Content.Selected[0].Total.Equal(fixture.Dec("100")) {
				t.Fatalf("C's notice: %+v", n.Content)
			}
			if strings.Contains(text, "Punktwert 2,00, 60,00 Punkte") { // A's K1 line
				t.Fatalf("C sees A's per-criterion scores:\n%s", text)
			}
		}
		if name == "X" && (len(n.Content.Reasons) == 0 || !strings.Contains(n.Content.Reasons[0], "Satzung")) {
			t.Fatalf("X's reasons: %v", n.Content.Reasons)
		}
		// Another organisation's notice is not found.
		for otherName := range want {
			if otherName != name {
				if _, err := decision.LoadOrgNotice(ctx, f.db, f.members[otherName], f.orgs[otherName], list[0].ID, f.now); !errors.Is(err, core.ErrNotFound) {
					t.Fatalf("%s reads %s's notice: %v", otherName, name, err)
				}
				break
			}
		}
	}
	if s := f.state(t); s != "notified" {
		t.Fatalf("state %s, want notified", s)
	}
}

func TestStandstillEndIsEndOfDayBerlinAcrossDST(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		notified string
		days     int
		want     string
	}{
		{"2026-10-20T10:00:00Z", 14, "2026-11-03T22:59:59Z"}, // summer → winter time
		{"2026-03-20T23:30:00Z", 14, "2026-04-04T21:59:59Z"}, // 00:30 on 21.03. in Berlin; winter → summer
		{"2026-06-01T08:00:00Z", 1, "2026-06-02T21:59:59Z"},
	} {
		n, _ := time.Parse(time.RFC3339, c.notified)
		if got := rules.StandstillEnd(n, c.days).Format(time.RFC3339); got != c.want {
			t.Errorf("StandstillEnd(%s, %d) = %s, want %s", c.notified, c.days, got, c.want)
		}
	}
}

func TestObjectionsAndFinalisation(t *testing.T) {
	t.Parallel()
	f := newDecisionFixture(t)
	ctx := context.Background()
	f.record(t)
	if err := decision.IssueNotices(ctx, f.db, f.lead, dbtest.FakeDocuments{}, f.callID, f.now); err != nil {
		t.Fatal(err)
	}
	noticeOf := func(name string) int64 {
		list, err := decision.OrgNotices(ctx, f.db, f.members[name], f.orgs[name])
		if err != nil || len(list) != 1 {
			t.Fatalf("notices of %s: %v", name, err)
		}
		return list[0].ID
	}
	cN := noticeOf("C")
	// Empty reason refused; another organisation cannot object against C's notice.
	fixture.WantField(t, func() error {
		_, err := decision.LodgeObjection(ctx, f.db, f.members["C"], f.orgs["C"], cN, "  ", f.now)
		return err
	}(), "reason", "required")
	if _, err := decision.LodgeObjection(ctx, f.db, f.members["A"], f.orgs["A"], cN, "x", f.now); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("objection on another's notice: %v", err)
	}
	objID, err := decision.LodgeObjection(ctx, f.db, f.members["C"], f.orgs["C"], cN, "Unser Konzept wurde falsch gewertet.", f.now)
	if err != nil {
		t.Fatal(err)
	}
	after := f.now.AddDate(0, 0, 16)
	// After the standstill, no objection is possible any more.
	if _, err := decision.LodgeObjection(ctx, f.db, f.members["B"], f.orgs["B"], noticeOf("B"), "zu spät", after); !errors.Is(err, core.ErrDeadlinePassed) {
		t.Fatalf("late objection: %v", err)
	}
	// With the objection open the job waits.
	if n, err := decision.FinalizeDueAwards(ctx, f.db, dbtest.FakeDocuments{}, after); err != nil || n != 0 {
		t.Fatalf("finalised %d with an open objection (%v)", n, err)
	}
	fixture.WantField(t, decision.AnswerObjection(ctx, f.db, f.lead, decision.ObjectionAnswer{CallID: f.callID, ObjectionID: objID, Answer: "", Outcome: "x"}, f.now), "outcome", "required")
	if err := decision.AnswerObjection(ctx, f.db, f.lead, decision.ObjectionAnswer{CallID: f.callID, ObjectionID: objID,
		Answer: "Die Wertung wurde geprüft und bestätigt.", Outcome: decision.ObjectionRejected}, f.now); err != nil {
		t.Fatal(err)
	}
	if err := decision.AnswerObjection(ctx, f.db, f.lead, decision.ObjectionAnswer{CallID: f.callID, ObjectionID: objID,
		Answer: "nochmal", Outcome: decision.ObjectionRejected}, f.now); !errors.Is(err, core.ErrConflict) {
		t.Fatalf("second answer: %v", err)
	}
	// The answer is visible to C, not to A.
	nC, err := decision.LoadOrgNotice(ctx, f.db, f.members["C"], f.orgs["C"], cN, f.now)
	if err != nil || len(nC.Objections) != 1 || nC.Objections[0].Answer == "" {
		t.Fatalf("C's objections: %+v %v", nC, err)
	}
	nA, err := decision.LoadOrgNotice(ctx, f.db, f.members["A"], f.orgs["A"], noticeOf("A"), f.now)
	if err != nil || len(nA.Objections) != 0 {
		t.Fatalf("A sees objections: %+v %v", nA, err)
	}
	// Before the end of the standstill nothing happens.
	if n, _ := decision.FinalizeDueAwards(ctx, f.db, dbtest.FakeDocuments{}, f.now.AddDate(0, 0, 1)); n != 0 {
		t.Fatal("finalised during the standstill")
	}
	inbox := dbtest.Count(t, f.db, fmt.Sprintf(`SELECT count(*) FROM inbox_messages WHERE call_id = %d AND kind = 'award_final'`, f.callID))
	// Two instances racing: exactly one finalisation and one set of notifications.
	var wg sync.WaitGroup
	results := make([]int, 6)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				results[i], _ = decision.FinalizeDueAwards(ctx, f.db, dbtest.FakeDocuments{}, after)
			} else if ok, _ := decision.FinalizeAward(ctx, f.db, dbtest.FakeDocuments{}, f.callID, after); ok {
				results[i] = 1
			}
		}()
	}
	wg.Wait()
	total := 0
	for _, r := range results {
		total += r
	}
	if total != 1 {
		t.Fatalf("finalised %d times, want exactly once (%v)", total, results)
	}
	if got := dbtest.Count(t, f.db, fmt.Sprintf(`SELECT count(*) FROM inbox_messages WHERE call_id = %d AND kind = 'award_final'`, f.callID)) - inbox; got != 4 {
		t.Fatalf("%d final notifications, want one per organisation (4)", got)
	}
	if n := dbtest.Count(t, f.db, fmt.Sprintf(`SELECT count(*) FROM audit_log WHERE chain = '%s' AND action = 'call.awarded'`, audit.CallChain(f.callID))); n != 1 {
		t.Fatalf("%d call.awarded entries", n)
	}
	if s := f.state(t); s != "awarded" {
		t.Fatalf("state %s", s)
	}
	verifyChain(t, f.db, audit.CallChain(f.callID))
}

func TestUpheldObjectionBlocksFinalisation(t *testing.T) {
	t.Parallel()
	f := newDecisionFixture(t)
	ctx := context.Background()
	f.record(t)
	if err := decision.IssueNotices(ctx, f.db, f.lead, dbtest.FakeDocuments{}, f.callID, f.now); err != nil {
		t.Fatal(err)
	}
	list, _ := decision.OrgNotices(ctx, f.db, f.members["C"], f.orgs["C"])
	id, err := decision.LodgeObjection(ctx, f.db, f.members["C"], f.orgs["C"], list[0].ID, "Rüge", f.now)
	if err != nil {
		t.Fatal(err)
	}
	if err := decision.AnswerObjection(ctx, f.db, f.lead, decision.ObjectionAnswer{CallID: f.callID, ObjectionID: id, Answer: "Wir prüfen neu.", Outcome: decision.ObjectionUpheld}, f.now); err != nil {
		t.Fatal(err)
	}
	if ok, err := decision.FinalizeAward(ctx, f.db, dbtest.FakeDocuments{}, f.callID, f.now.AddDate(0, 1, 0)); ok || err != nil {
		t.Fatalf("finalised despite an upheld objection (%v)", err)
	}
}
