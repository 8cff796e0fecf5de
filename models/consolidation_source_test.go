package models_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/dbtest"
	"kimibv/models/evaluation"
	"kimibv/models/fixture"
	"kimibv/models/rules"
	"kimibv/models/store"
)

// seedEvaluation fills the real evaluation tables for a call: n opened bids of new
// organisations, all admitted, five evaluators who declared no tie and submitted sheets
// for every bid and criterion (criteria keyed K1 … Kn), and a consolidated score per bid and criterion. Set-based
// inserts keep the fixture fast; the read path under test is the real one.
func seedEvaluation(t *testing.T, f *consFixture, n int) {
	t.Helper()
	keys := f.content.Criteria // keyed K1 … Kn
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO users (email, name, password_hash) SELECT 'qc' || g || '@gremium.example', 'Gremium ' || g, 'x' FROM generate_series(1, 5) g`, nil},
		{`INSERT INTO call_committee (call_id, user_id, role) SELECT ?, id, 'evaluator' FROM users WHERE email LIKE 'qc%@gremium.example'`, []any{f.callID}},
		{`INSERT INTO organizations (name, legal_form, street, postal_code, city, email)
			SELECT 'QC-Träger ' || lpad(g::text, 2, '0') || ' e. V.', 'e. V.', 'Weg 1', '12345', 'Musterstadt', 'info@example.org' FROM generate_series(1, ?) g`, []any{n}},
		{`INSERT INTO bids (call_id, org_id, state, current_version, draft, updated_at, submitted_rev)
			SELECT ?, id, 'submitted', 1, '\x00'::bytea, now(), 1 FROM organizations WHERE name LIKE 'QC-Träger %'`, []any{f.callID}},
		{`INSERT INTO opening_bids (bid_id, call_id, org_id, org_name, state, version, call_version, kind, receipt_at, content_sha256, needs_reconfirmation, lots)
			SELECT b.id, b.call_id, b.org_id, o.name, 'submitted', 1, 1, 'submission', now() - make_interval(secs => b.id), repeat('a', 64), false, '{}'
			FROM bids b JOIN organizations o ON o.id = b.org_id WHERE b.call_id = ?`, []any{f.callID}},
		{`INSERT INTO formal_checks (bid_id, call_id, outcome, decided_by, decided_at, updated_at)
			SELECT bid_id, call_id, 'admitted', ?, now(), now() FROM opening_bids WHERE call_id = ?`, []any{f.lead.UserID, f.callID}},
		{`INSERT INTO coi_declarations (call_id, evaluator_id, org_id, tie, declared_at)
			SELECT ?, c.user_id, o.org_id, 'none', now() FROM call_committee c CROSS JOIN opening_bids o WHERE c.call_id = ? AND o.call_id = ?`, []any{f.callID, f.callID, f.callID}},
		{`INSERT INTO score_sheets (call_id, bid_id, evaluator_id, call_version, created_at, updated_at)
			SELECT ?, o.bid_id, c.user_id, 1, now(), now() FROM call_committee c CROSS JOIN opening_bids o WHERE c.call_id = ? AND o.call_id = ?`, []any{f.callID, f.callID, f.callID}},
		{`INSERT INTO scores (sheet_id, criterion_key, score, reason)
			SELECT s.id, 'K' || g, (s.bid_id + s.evaluator_id) % 3, 'Begründung K' || g FROM score_sheets s CROSS JOIN generate_series(1, ?) g WHERE s.call_id = ?`, []any{len(keys), f.callID}},
		{`UPDATE score_sheets SET submitted_at = now() WHERE call_id = ?`, []any{f.callID}},
		{`INSERT INTO consolidated_scores (call_id, bid_id, criterion_key, score, mean, reason, set_by, set_at)
			SELECT ?, bid_id, 'K' || g, 1, 1, 'Ziele und Maßnahmen sind nachvollziehbar beschrieben.', ?, now() FROM opening_bids CROSS JOIN generate_series(1, ?) g WHERE call_id = ?`, []any{f.callID, f.lead.UserID, len(keys), f.callID}},
	} {
		if err := f.db.Exec(q.sql, q.args...).Error; err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
	}
}

// TestConsolidationQueryCountEvaluationSource: the consolidation page's read path (the
// call header and LoadConsolidation through the real EvaluationSource, reading opened
// bids, formal checks, committee, ties and every submitted sheet) and closing issue the
// same number of queries for 40 bids × 8 criteria × 5 evaluators as for 2 bids.
func TestConsolidationQueryCountEvaluationSource(t *testing.T) {
	t.Parallel()
	c := fixture.CallContent(time.Now().AddDate(0, 0, 30))
	c.Criteria = nil
	for i := 1; i <= 8; i++ {
		c.Criteria = append(c.Criteria, rules.Criterion{Key: fmt.Sprintf("K%d", i), Name: fmt.Sprintf("Kriterium %d", i), Weight: []int{20, 15, 15, 10, 10, 10, 10, 10}[i-1]})
	}
	c.TieBreak = []string{"K1"}
	c.MinTotalPoints = c.MinTotalPoints.Sub(c.MinTotalPoints)
	read := func(f *consFixture, bidList int) int64 {
		var n atomic.Int64
		ctx := store.WithQueryCounter(context.Background(), &n)
		if _, err := calls.LeadCallHeader(ctx, f.db, f.lead, core.CallScope{Tenant: f.tenantID, Call: f.callID}); err != nil {
			t.Fatal(err)
		}
		v, err := evaluation.LoadConsolidation(ctx, f.db, evaluation.EvaluationSource{}, f.lead, f.callID)
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Matrix.Bids) != bidList || len(v.Matrix.Bids[0].Cells) != 8 || len(v.Matrix.Bids[0].Cells[7].Scores) != 5 || len(v.Matrix.Evaluators) != 5 {
			t.Fatalf("matrix: %d bids, %+v", len(v.Matrix.Bids), v.Matrix.Bids[0].Cells[7])
		}
		return n.Load()
	}
	type counts struct{ open, close, closed int64 }
	measure := func(bidList int) counts {
		f := newConsFixture(t, &c)
		seedEvaluation(t, f, bidList)
		var out counts
		out.open = read(f, bidList)
		var n atomic.Int64
		ctx := store.WithQueryCounter(context.Background(), &n)
		r, err := evaluation.CloseConsolidation(ctx, f.db, evaluation.EvaluationSource{}, f.lead, evaluation.CloseInput{CallID: f.callID}, f.now, dbtest.FakeDocuments{})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Rows) != bidList {
			t.Fatalf("result rows %d", len(r.Rows))
		}
		out.close = n.Load()
		out.closed = read(f, bidList)
		return out
	}
	small, large := measure(2), measure(40)
	t.Logf("queries 2 bids: %+v; 40 bids × 8 criteria × 5 evaluators: %+v", small, large)
	if small != large {
		t.Errorf("query counts differ: 2 bids %+v, 40 bids %+v", small, large)
	}
}
