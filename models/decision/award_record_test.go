package decision_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"kimibv/models/accounts"
	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/models/dbtest"
	"kimibv/models/decision"
	"kimibv/models/rules"
	"kimibv/models/store"
)

// TestAwardRecordContentAndQueryCount: the public record of a final award shows
// bidders, formal outcomes, scores per criterion, allocation, decision, objection fact,
// whitelisted timeline and a verified chain; it reads a constant number of queries for
// 3 bids × 2 criteria and 40 bids × 8 criteria.
func TestAwardRecordContentAndQueryCount(t *testing.T) {
	t.Parallel()
	db := dbtest.NewDemo(t).DB
	small := dbtest.SeedProcedure(t, db, dbtest.ProcedureSpec{Seq: 81, Bids: 3, Criteria: 2, Evaluators: 2, Objection: true, Final: true, Docs: dbtest.FakeDecisionDocs()})
	large := dbtest.SeedProcedure(t, db, dbtest.ProcedureSpec{Seq: 82, Bids: 40, Criteria: 8, Evaluators: 3, Final: true})
	count := func(ref string) (int64, *decision.AwardRecord) {
		var n atomic.Int64
		r, err := decision.LoadAwardRecord(store.WithQueryCounter(context.Background(), &n), db, ref)
		if err != nil {
			t.Fatal(err)
		}
		return n.Load(), r
	}
	ns, r := count(small.Ref)
	nl, rl := count(large.Ref)
	t.Logf("queries: 3 bids × 2 criteria %d, 40 bids × 8 criteria %d", ns, nl)
	if ns != nl {
		t.Errorf("query count differs: %d vs %d", ns, nl)
	}
	if len(rl.Bidders) != 40 || len(rl.Bidders[0].Scores) != 8 {
		t.Fatalf("large record: %d bidders, %d scores", len(rl.Bidders), len(rl.Bidders[0].Scores))
	}
	if !r.Final() || !r.Chain.OK || r.Chain.Entries == 0 || len(r.Bidders) != 3 || r.Decision == nil || len(r.Objections) != 1 || len(r.QA) != 1 {
		t.Fatalf("record: final %v chain %+v bidders %d decision %v objections %d qa %d", r.Final(), r.Chain, len(r.Bidders), r.Decision != nil, len(r.Objections), len(r.QA))
	}
	excluded := 0
	for _, b := range r.Bidders {
		if b.Formal == "excluded" && b.FormalReason == "Die Satzung fehlt." {
			excluded++
		}
	}
	if excluded != 1 {
		t.Errorf("formal exclusion not shown: %+v", r.Bidders)
	}
	if r.Bidders[0].Rank != 1 || len(r.Bidders[0].Selected) == 0 || r.Bidders[0].Scores[0].Points == "–" {
		t.Errorf("first bidder: %+v", r.Bidders[0])
	}
	var labels []string
	for _, e := range r.Timeline {
		labels = append(labels, e.Label)
	}
	joined := strings.Join(labels, "|")
	for _, want := range []string{"Ausschreibung veröffentlicht", "Frage öffentlich beantwortet", "Entscheidung aufgezeichnet", "Rüge erhoben", "Vergabe endgültig", "Dokument ausgestellt: Vergabevermerk"} {
		if !strings.Contains(joined, want) {
			t.Errorf("timeline lacks %q: %s", want, joined)
		}
	}
	for _, not := range []string{"Entscheidungsvorschlag", "Interessenkonflikt", "Bewertungsbogen"} {
		if strings.Contains(joined, not) {
			t.Errorf("timeline shows non-public %q", not)
		}
	}
	if _, err := decision.LoadAwardRecord(context.Background(), db, "musterland-2026-01"); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("published call has an award record: %v", err)
	}
}

// TestCouncilTieGate: the annex needs a declaration; a tie hides it and is audited; a
// second declaration conflicts; another Kreis's council and a lead without the council
// role get ErrNotFound; before the decision only the state is shown.
func TestCouncilTieGate(t *testing.T) {
	t.Parallel()
	db := dbtest.NewDemo(t).DB
	ctx := context.Background()
	p := dbtest.SeedProcedure(t, db, dbtest.ProcedureSpec{Seq: 83, Bids: 3, Criteria: 2, Evaluators: 2})
	member := func(email string, tenant int64) *core.Actor {
		var uid int64
		if err := db.Raw(`INSERT INTO users (email, name, password_hash) VALUES (?, ?, 'x') RETURNING id`, email, "Rat "+email).Scan(&uid).Error; err != nil {
			t.Fatal(err)
		}
		db.Exec(`INSERT INTO tenant_memberships (tenant_id, user_id, role) VALUES (?, ?, 'council')`, tenant, uid)
		a, err := accounts.LoadActor(ctx, db, uid)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	a, b := member("rat-a@example.org", p.TenantID), member("rat-b@example.org", p.TenantID)
	v, err := decision.LoadCouncilProcedure(ctx, db, a, core.CallScope{Tenant: p.TenantID, Call: p.CallID})
	if err != nil || v.Record == nil || v.Annex != nil || v.Declared || len(v.Bidders) != 3 {
		t.Fatalf("before declaration: %v %+v", err, v)
	}
	ties := func(tie string) map[int64]string {
		m := map[int64]string{}
		for _, o := range p.OrgIDs {
			m[o] = rules.TieNone
		}
		m[p.OrgIDs[1]] = tie
		return m
	}
	var ve *core.ValidationError
	if err := decision.DeclareCouncilTies(ctx, db, a, decision.CouncilDeclaration{TenantID: p.TenantID, CallID: p.CallID, Ties: map[int64]string{}}, time.Now()); !errors.As(err, &ve) {
		t.Fatalf("empty declaration: %v", err)
	}
	if err := decision.DeclareCouncilTies(ctx, db, a, decision.CouncilDeclaration{TenantID: p.TenantID, CallID: p.CallID, Ties: ties(rules.TieNone)}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := decision.DeclareCouncilTies(ctx, db, b, decision.CouncilDeclaration{TenantID: p.TenantID, CallID: p.CallID, Ties: ties(rules.TieBoard), Note: "Vorstand"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := decision.DeclareCouncilTies(ctx, db, b, decision.CouncilDeclaration{TenantID: p.TenantID, CallID: p.CallID, Ties: ties(rules.TieNone)}, time.Now()); !errors.Is(err, core.ErrConflict) {
		t.Errorf("second declaration: %v", err)
	}
	va, err := decision.LoadCouncilProcedure(ctx, db, a, core.CallScope{Tenant: p.TenantID, Call: p.CallID})
	if err != nil {
		t.Fatal(err)
	}
	vb, err := decision.LoadCouncilProcedure(ctx, db, b, core.CallScope{Tenant: p.TenantID, Call: p.CallID})
	if err != nil {
		t.Fatal(err)
	}
	if va.Annex == nil || len(va.Annex.Scores) == 0 || len(va.Annex.Declarations) != 6 || len(va.Annex.Formal) != 3 || len(va.Annex.Trail) == 0 {
		t.Fatalf("annex for a: %+v", va.Annex)
	}
	if vb.Annex != nil || !vb.Tied {
		t.Errorf("tied member sees the annex")
	}
	var n int64
	db.Raw(`SELECT count(*) FROM audit_log WHERE chain = ? AND action = 'council.declared'`, audit.CallChain(p.CallID)).Scan(&n)
	if n != 2 {
		t.Errorf("council.declared entries: %d", n)
	}
	if err := db.Exec(`UPDATE council_declarations SET tie = 'none' WHERE user_id = ?`, b.UserID).Error; err == nil {
		t.Error("declaration changed")
	}
	var other int64
	db.Raw(`INSERT INTO tenants (slug, name, kind) VALUES ('anderland-rat', 'Kreis Anderland', 'kreis') RETURNING id`).Scan(&other)
	if other == 0 {
		t.Fatal("no second Kreis")
	}
	c := member("rat-c@example.org", other)
	if _, err := decision.LoadCouncilProcedure(ctx, db, c, core.CallScope{Tenant: other, Call: p.CallID}); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("other Kreis: %v", err)
	}
	if _, err := decision.LoadCouncilProcedure(ctx, db, p.Lead, core.CallScope{Tenant: p.TenantID, Call: p.CallID}); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("lead without council role: %v", err)
	}
	// A published (not decided) call: state only, and no declaration possible.
	var open int64
	db.Raw(`SELECT id FROM calls WHERE tenant_id = ? AND state = 'published' LIMIT 1`, p.TenantID).Scan(&open)
	vo, err := decision.LoadCouncilProcedure(ctx, db, a, core.CallScope{Tenant: p.TenantID, Call: open})
	if err != nil || vo.Record != nil || vo.Bidders != nil {
		t.Errorf("undecided call: %v %+v", err, vo)
	}
	if err := decision.DeclareCouncilTies(ctx, db, a, decision.CouncilDeclaration{TenantID: p.TenantID, CallID: open}, time.Now()); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("declaration before the decision: %v", err)
	}
}
