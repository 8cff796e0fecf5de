package models_test

import (
	"errors"
	"testing"
	"time"

	"kimibv/models/bids"
	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/dbtest"
	"kimibv/models/evaluation"
	"kimibv/models/rules"
)

// evalFixture is the bid fixture with a committee (openers oeffnung1/2, evaluators
// gremium1–3), three submitted bids (AWO, Caritas, Diakonie) and one withdrawn
// (Brückenschlag), the deadline just passed and the call closed.
type evalFixture struct {
	*bidFixture
	orgs                    map[string]int64 // by short name: awo, caritas, diakonie, bruecke
	bids                    map[string]int64
	op1, op2, ev1, ev2, ev3 *core.Actor
	provider                map[string]*core.Actor
}

func newEvalFixture(t *testing.T) *evalFixture {
	t.Helper()
	f := &evalFixture{bidFixture: newBidFixture(t), orgs: map[string]int64{}, bids: map[string]int64{}, provider: map[string]*core.Actor{}}
	f.op1, f.op2 = taActor(t, f.db, "oeffnung1@musterland.example"), taActor(t, f.db, "oeffnung2@musterland.example")
	f.ev1, f.ev2, f.ev3 = taActor(t, f.db, "gremium1@musterland.example"), taActor(t, f.db, "gremium2@musterland.example"), taActor(t, f.db, "gremium3@musterland.example")
	for _, m := range []struct {
		a    *core.Actor
		role string
	}{{f.op1, "opener"}, {f.op2, "opener"}, {f.ev1, "evaluator"}, {f.ev2, "evaluator"}, {f.ev3, "evaluator"}} {
		if err := f.db.Exec(`INSERT INTO call_committee (call_id, user_id, role) VALUES (?, ?, ?)`, f.callID, m.a.UserID, m.role).Error; err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []struct{ short, email string }{{"awo", "awo@traeger.example"}, {"caritas", "caritas@traeger.example"},
		{"diakonie", "diakonie@traeger.example"}, {"bruecke", "brueckenschlag@traeger.example"}} {
		orgID, a, id := f.completeBid(t, p.email)
		if _, err := bids.SubmitBid(f.ctx, f.db, f.vault, a, core.BidScope{Org: orgID, Bid: id}, f.rev(t, id), bids.ReceivedAt(time.Now())); err != nil {
			t.Fatal(err)
		}
		f.orgs[p.short], f.bids[p.short], f.provider[p.short] = orgID, id, a
	}
	if err := bids.WithdrawBid(f.ctx, f.db, f.provider["bruecke"], core.BidScope{Org: f.orgs["bruecke"], Bid: f.bids["bruecke"]}, f.now); err != nil {
		t.Fatal(err)
	}
	f.passDeadline(t)
	return f
}

// passDeadline moves the deadline one second into the past (database clock) and closes.
func (f *evalFixture) passDeadline(t *testing.T) {
	t.Helper()
	if err := f.db.Exec(`UPDATE calls SET deadline = clock_timestamp() - interval '1 minute' WHERE id = ?`, f.callID).Error; err != nil {
		t.Fatal(err)
	}
	f.now = time.Now()
	if _, err := calls.CloseDueCalls(f.ctx, f.db, f.now); err != nil {
		t.Fatal(err)
	}
}

// open confirms the opening by both openers.
func (f *evalFixture) open(t *testing.T) {
	t.Helper()
	for _, a := range []*core.Actor{f.op1, f.op2} {
		if _, err := evaluation.ConfirmOpening(f.ctx, f.db, f.vault, a, core.CallScope{Tenant: f.tenantID, Call: f.callID}, f.now, dbtest.FakeDocuments{}); err != nil {
			t.Fatal(err)
		}
	}
}

// allMet is a checklist assessment with every item of the fixture's call met.
func (f *evalFixture) allMet() map[string]rules.ItemAssessment {
	out := map[string]rules.ItemAssessment{}
	for i := range f.content.Eligibility {
		out["E"+string(rune('1'+i))] = rules.ItemAssessment{Met: true}
	}
	for _, d := range f.content.RequiredDocs {
		out[d.Key] = rules.ItemAssessment{Met: true}
	}
	return out
}

// admit admits the named bids.
func (f *evalFixture) admit(t *testing.T, names ...string) {
	t.Helper()
	for _, n := range names {
		if err := evaluation.SaveFormalCheck(f.ctx, f.db, f.lead, core.CallScope{Tenant: f.tenantID, Call: f.callID}, f.bids[n],
			evaluation.FormalInput{Items: f.allMet(), Decision: rules.DecideAdmit}, f.now); err != nil {
			t.Fatalf("admit %s: %v", n, err)
		}
	}
}

// declare makes an evaluator declare "none" for every bidder except the ties given.
func (f *evalFixture) declare(t *testing.T, ev *core.Actor, ties map[string]string) {
	t.Helper()
	in := map[int64]evaluation.DeclarationInput{}
	for _, n := range []string{"awo", "caritas", "diakonie"} {
		d := evaluation.DeclarationInput{Tie: rules.TieNone}
		if kind, ok := ties[n]; ok {
			d = evaluation.DeclarationInput{Tie: kind, Note: "Mitglied im Vorstand seit 2019"}
		}
		in[f.orgs[n]] = d
	}
	if err := evaluation.DeclareTies(f.ctx, f.db, ev, core.CallScope{Tenant: f.tenantID, Call: f.callID}, in, f.now); err != nil {
		t.Fatal(err)
	}
}

// wantRefusal asserts err is a Refusal/core.StateConflict wrapping kind.
func wantRefusal(t *testing.T, err error, kind error, what string) {
	t.Helper()
	var r *core.Refusal
	if !errors.Is(err, kind) || !errors.As(err, &r) || r.Message == "" {
		t.Fatalf("%s: err = %v, want a German refusal wrapping %v", what, err, kind)
	}
}
