package models_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/models/dbtest"
	"kimibv/models/evaluation"
	"kimibv/models/fixture"
	"kimibv/models/rules"
	"kimibv/models/store"
)

// fixtureSource stands in for the formal check and score sheets (EvaluationSource): it
// returns a fixed snapshot without querying, so the consolidation is tested on its own.
type fixtureSource struct{ snap rules.ScoringSnapshot }

func (f *fixtureSource) Snapshot(*gorm.DB, int64) (rules.ScoringSnapshot, error) { return f.snap, nil }

// consFixture is a published, opened call with bids of fresh organisations.
type consFixture struct {
	*qaFixture
	src *fixtureSource
}

func newConsFixture(t *testing.T, c *rules.CallContent) *consFixture {
	t.Helper()
	db := dbtest.NewDemo(t).DB
	f := newQAFixture(t, db)
	if c != nil {
		f.callID = qaPublish(t, db, f.tenantID, f.lead.UserID, *c, 92, f.now)
		f.content = *c
	}
	if err := db.Exec(`UPDATE calls SET opened_at = now() WHERE id = ?`, f.callID).Error; err != nil {
		t.Fatal(err)
	}
	src := &fixtureSource{}
	for i := 1; i <= 5; i++ {
		src.snap.Evaluators = append(src.snap.Evaluators, rules.SnapshotEvaluator{UserID: int64(9000 + i), Name: fmt.Sprintf("Gremium %d", i)})
	}
	return &consFixture{qaFixture: f, src: src}
}

// addBid inserts a submitted bid of a new organisation with the formal outcome, the
// requests ("L1=1") and, for each of the first evaluators, a submitted sheet with scores
// (one string per evaluator, scores per criterion in order, e.g. "2 1").
func (f *consFixture) addBid(t *testing.T, name string, formal rules.FormalOutcome, requests string, sheets ...string) int64 {
	t.Helper()
	var orgID, bidID int64
	if err := f.db.Raw(`INSERT INTO organizations (name, legal_form, street, postal_code, city, email)
		VALUES (?, 'e. V.', 'Weg 1', '12345', 'Musterstadt', 'info@example.org') RETURNING id`, name).Scan(&orgID).Error; err != nil {
		t.Fatal(err)
	}
	if err := f.db.Raw(`INSERT INTO bids (call_id, org_id, state, current_version, draft, updated_at, submitted_rev)
		VALUES (?, ?, 'submitted', 1, '\x00'::bytea, now(), 1) RETURNING id`, f.callID, orgID).Scan(&bidID).Error; err != nil {
		t.Fatal(err)
	}
	b := rules.SnapshotBid{BidID: bidID, OrgName: name, Formal: formal, Requested: map[string]decimal.Decimal{}}
	for _, r := range strings.Fields(requests) {
		k, v, _ := strings.Cut(r, "=")
		b.Requested[k] = fixture.Dec(v)
	}
	if formal == rules.FormalExcluded {
		b.FormalReason = "Die Satzung fehlt."
	}
	f.src.snap.Bids = append(f.src.snap.Bids, b)
	for i, s := range sheets {
		sh := rules.ScoreSheet{BidID: bidID, EvaluatorID: int64(9001 + i), Submitted: s != "-", Scores: map[string]rules.SheetScore{}}
		for j, v := range strings.Fields(s) {
			var n int
			fmt.Sscan(v, &n)
			sh.Scores[f.content.Criteria[j].Key] = rules.SheetScore{Score: n, Reason: "Begründung " + v}
		}
		f.src.snap.Sheets = append(f.src.snap.Sheets, sh)
	}
	return bidID
}

func (f *consFixture) set(bidID int64, scores, reasons map[string]string) error {
	return evaluation.SetConsolidatedScores(context.Background(), f.db, f.src, f.lead, evaluation.ConsolidationInput{
		CallID: f.callID, BidID: bidID, Scores: scores, Reasons: reasons}, f.now)
}

// reasonsFor gives each criterion key a reason of its own.
func reasonsFor(keys ...string) map[string]string {
	out := map[string]string{}
	for _, k := range keys {
		out[k] = "Zu " + k + " sind Ziele, Maßnahmen und Zuständigkeiten nachvollziehbar beschrieben."
	}
	return out
}

func TestConsolidationSetAndClose(t *testing.T) {
	t.Parallel()
	f := newConsFixture(t, nil) // K1 weight 60, K2 weight 40, scale 0–2, minimum 1 each, 50 points
	a := f.addBid(t, "Träger A e. V.", rules.FormalAdmitted, "L1=2", "2 1", "2 2", "1 2")
	b := f.addBid(t, "Träger B e. V.", rules.FormalAdmitted, "L1=1 L2=1", "1 1", "-")
	x := f.addBid(t, "Träger X e. V.", rules.FormalExcluded, "L2=1")
	rows := func() int64 { return dbtest.Count(t, f.db, `SELECT count(*) FROM consolidated_scores`) }

	fixture.WantField(t, f.set(b, map[string]string{"K1": "1", "K2": "1"}, nil), "scores", "sheets_missing")
	// means of A: K1 5/3 → 1,67, K2 5/3 → 1,67
	fixture.WantField(t, f.set(a, map[string]string{"K1": "2", "K2": "1,67"}, nil), "reason_K1", "required")
	fixture.WantField(t, f.set(a, map[string]string{"K1": "3", "K2": "1,67"}, map[string]string{"K1": "x"}), "score_K1", "scale")
	fixture.WantField(t, f.set(a, map[string]string{"K1": "1,675", "K2": "1,67"}, nil), "score_K1", "format")
	fixture.WantField(t, f.set(a, map[string]string{"K1": "1,67"}, nil), "score_K2", "format")
	if n := rows(); n != 0 {
		t.Fatalf("%d scores written by refused input", n)
	}
	if err := f.set(x, map[string]string{"K1": "1", "K2": "1"}, nil); !errors.Is(err, core.ErrConflict) {
		t.Errorf("excluded bid: %v", err)
	}
	// Every criterion needs a reason of its own: a missing one or the mean boilerplate is refused and nothing is stored.
	fixture.WantField(t, f.set(a, map[string]string{"K1": "2", "K2": "1,67"}, map[string]string{"K1": "Konzept nach Rückfrage vollständig."}), "reason_K2", "required")
	fixture.WantField(t, f.set(a, map[string]string{"K1": "2", "K2": "1,67"}, map[string]string{"K1": "Konzept nach Rückfrage vollständig.",
		"K2": "Entspricht dem Mittelwert der Bewertungen des Gremiums."}), "reason_K2", "boilerplate")
	if n := rows(); n != 0 {
		t.Fatalf("%d scores written by a refused reason", n)
	}
	if err := f.set(a, map[string]string{"K1": "2", "K2": "1,67"}, map[string]string{"K1": "Konzept nach Rückfrage vollständig.",
		"K2": "Beschwerdeweg beschrieben, Antwortfrist fehlt."}); err != nil {
		t.Fatal(err)
	}
	if n := rows(); n != 2 {
		t.Fatalf("rows = %d", n)
	}

	_, err := evaluation.CloseConsolidation(context.Background(), f.db, f.src, f.lead, evaluation.CloseInput{CallID: f.callID}, f.now, dbtest.FakeDocuments{})
	fixture.WantField(t, err, "consolidation", "incomplete")
	if !strings.Contains(err.Error(), "Träger B e. V.: Bewertungsbogen noch nicht abgegeben von Gremium 2") {
		t.Errorf("missing = %v", err)
	}

	f.src.snap.Sheets[len(f.src.snap.Sheets)-1] = rules.ScoreSheet{BidID: b, EvaluatorID: 9002, Submitted: true,
		Scores: map[string]rules.SheetScore{"K1": {Score: 2, Reason: "gut"}, "K2": {Score: 1, Reason: "knapp"}}}
	if err := f.set(b, map[string]string{"K1": "1,5", "K2": "1"}, reasonsFor("K1", "K2")); err != nil {
		t.Fatal(err)
	}
	res, err := evaluation.CloseConsolidation(context.Background(), f.db, f.src, f.lead, evaluation.CloseInput{CallID: f.callID}, f.now, dbtest.FakeDocuments{})
	if err != nil {
		t.Fatal(err)
	}
	// A: 60 + 1,67/2×40 = 60 + 33,40 = 93,40; B: 1,5/2×60 = 45 + 20 = 65
	if got := fixture.Ranks(res); got != fmt.Sprintf("%d:1 %d:2 %d:0", a, b, x) {
		t.Errorf("ranks = %s", got)
	}
	if !fixture.Row(t, res, a).Total.Equal(fixture.Dec("93.4")) || !fixture.Row(t, res, b).Total.Equal(fixture.Dec("65")) {
		t.Errorf("totals %s, %s", fixture.Row(t, res, a).Total, fixture.Row(t, res, b).Total)
	}
	if got := fixture.Allocs(res); got != fmt.Sprintf("%d:L1=2.00 %d:L2=1.00", a, b) {
		t.Errorf("allocations = %s", got)
	}

	view, err := evaluation.LoadConsolidation(context.Background(), f.db, f.src, f.lead, f.callID)
	if err != nil {
		t.Fatal(err)
	}
	if !view.Closed || fixture.Fingerprint(view.Result) != fixture.Fingerprint(res) || len(view.Missing) != 0 || view.ClosedBy == "" {
		t.Errorf("stored result differs:\n%s\nvs\n%s", fixture.Fingerprint(view.Result), fixture.Fingerprint(res))
	}
	cell := view.Matrix.Bids[0].Cells[0]
	if cell.Consolidated == nil || cell.Consolidated.Reason == "" || !cell.Mean.Equal(fixture.Dec("1.67")) || cell.Spread != 1 || len(cell.Scores) != 3 {
		t.Errorf("cell = %+v", cell)
	}
	acts := auditActions(t, f.db, audit.CallChain(f.callID))
	if strings.Join(acts, ",") != "consolidation.scores_set,consolidation.scores_set,document.issued,consolidation.closed" {
		t.Errorf("audit = %v", acts)
	}

	if err := f.set(a, map[string]string{"K1": "2", "K2": "2"}, map[string]string{"K2": "x"}); !errors.Is(err, evaluation.ErrConsolidationClosed) {
		t.Errorf("after close: %v", err)
	}
	if _, err := evaluation.CloseConsolidation(context.Background(), f.db, f.src, f.lead, evaluation.CloseInput{CallID: f.callID}, f.now, dbtest.FakeDocuments{}); !errors.Is(err, core.ErrConflict) {
		t.Errorf("second close: %v", err)
	}
	for _, q := range []string{`UPDATE consolidated_scores SET score = 0`, `DELETE FROM result_rows`, `UPDATE call_results SET closed_at = now()`} {
		if err := f.db.Exec(q).Error; err == nil {
			t.Errorf("%s: allowed after close", q)
		}
	}
}

func TestConsolidationAccess(t *testing.T) {
	t.Parallel()
	f := newConsFixture(t, nil)
	a := f.addBid(t, "Träger A e. V.", rules.FormalAdmitted, "L1=1", "2 2", "2 2")
	ctx := context.Background()
	for _, email := range []string{"admin@beispielhausen.example", "gremium1@musterland.example", "oeffnung1@musterland.example", "kreistag@musterland.example", "awo@traeger.example"} {
		actor := taActor(t, f.db, email)
		if _, err := evaluation.LoadConsolidation(ctx, f.db, f.src, actor, f.callID); !errors.Is(err, core.ErrNotFound) {
			t.Errorf("%s reads: %v", email, err)
		}
		err := evaluation.SetConsolidatedScores(ctx, f.db, f.src, actor, evaluation.ConsolidationInput{CallID: f.callID, BidID: a,
			Scores: map[string]string{"K1": "2", "K2": "2"}}, f.now)
		if !errors.Is(err, core.ErrNotFound) {
			t.Errorf("%s sets: %v", email, err)
		}
	}
	if err := f.set(a+1000, map[string]string{"K1": "2", "K2": "2"}, nil); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("unknown bid: %v", err)
	}
	f.db.Exec(`UPDATE calls SET opened_at = NULL WHERE id = ?`, f.callID)
	if _, err := evaluation.LoadConsolidation(ctx, f.db, f.src, f.lead, f.callID); !errors.Is(err, core.ErrSealed) {
		t.Errorf("sealed: %v", err)
	}
}

func TestCloseNeedsTieDecision(t *testing.T) {
	t.Parallel()
	f := newConsFixture(t, nil)
	a := f.addBid(t, "Träger A e. V.", rules.FormalAdmitted, "L2=1", "2 2", "2 2")
	b := f.addBid(t, "Träger B e. V.", rules.FormalAdmitted, "L2=1", "2 2", "2 2")
	for _, id := range []int64{a, b} {
		if err := f.set(id, map[string]string{"K1": "2", "K2": "2"}, reasonsFor("K1", "K2")); err != nil {
			t.Fatal(err)
		}
	}
	closeWith := func(res ...rules.TieResolution) (rules.Result, error) {
		return evaluation.CloseConsolidation(context.Background(), f.db, f.src, f.lead, evaluation.CloseInput{CallID: f.callID, Resolutions: res}, f.now, dbtest.FakeDocuments{})
	}
	_, err := closeWith()
	fixture.WantField(t, err, "ties", "undecided")
	if !strings.Contains(err.Error(), "Träger A e. V. und Träger B e. V.") || !strings.Contains(err.Error(), "Los Süd") {
		t.Errorf("message = %v", err)
	}
	_, err = closeWith(rules.TieResolution{Order: []int64{b, a}})
	fixture.WantField(t, err, "tie_0_reason", "required")
	_, err = closeWith(rules.TieResolution{Order: []int64{b, a + 1000}, Reason: "Los"})
	fixture.WantField(t, err, "ties", "stale")
	if n := dbtest.Count(t, f.db, `SELECT count(*) FROM call_results`); n != 0 {
		t.Fatalf("refused close stored %d results", n)
	}
	res, err := closeWith(rules.TieResolution{Order: []int64{b, a}, Reason: "Losentscheid in der Sitzung vom 01.10.2026"})
	if err != nil {
		t.Fatal(err)
	}
	if got := fixture.Ranks(res); got != fmt.Sprintf("%d:1 %d:2", b, a) || !fixture.Row(t, res, b).RankByDecision {
		t.Errorf("ranks = %s", got)
	}
	view, _ := evaluation.LoadConsolidation(context.Background(), f.db, f.src, f.lead, f.callID)
	if len(view.Result.Ties) != 1 || view.Result.Ties[0].Resolution == nil || !strings.HasPrefix(view.Result.Ties[0].Resolution.Reason, "Losentscheid") {
		t.Errorf("stored ties = %+v", view.Result.Ties)
	}
}

// TestConsolidationQueryCount: reading the consolidation of 40 bids × 8 criteria × 5
// evaluators takes as many queries as reading it for 2 bids, before and after closing.
func TestConsolidationQueryCount(t *testing.T) {
	t.Parallel()
	c := fixture.CallContent(time.Now().AddDate(0, 0, 30))
	c.Criteria = nil
	for i := 1; i <= 8; i++ {
		c.Criteria = append(c.Criteria, rules.Criterion{Key: fmt.Sprintf("K%d", i), Name: fmt.Sprintf("Kriterium %d", i), Weight: []int{20, 15, 15, 10, 10, 10, 10, 10}[i-1]})
	}
	c.TieBreak = []string{"K1"}
	count := func(f *consFixture) int64 {
		var n atomic.Int64
		ctx := store.WithQueryCounter(context.Background(), &n)
		v, err := evaluation.LoadConsolidation(ctx, f.db, f.src, f.lead, f.callID)
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Matrix.Bids) == 0 || len(v.Matrix.Bids[0].Cells) != 8 {
			t.Fatalf("matrix = %+v", v.Matrix.Bids)
		}
		return n.Load()
	}
	measure := func(bidList int) (open, closed int64) {
		f := newConsFixture(t, &c)
		for i := range bidList {
			sheet := strings.TrimSpace(strings.Repeat(fmt.Sprintf("%d ", i%3), 8))
			id := f.addBid(t, fmt.Sprintf("Träger %02d e. V.", i), rules.FormalAdmitted, "", sheet, sheet, sheet, sheet, sheet)
			if err := f.db.Exec(`INSERT INTO consolidated_scores (call_id, bid_id, criterion_key, score, mean, reason, set_by, set_at)
				SELECT ?, ?, 'K' || k, ?, ?, 'Ziele und Maßnahmen sind nachvollziehbar beschrieben.', ?, now() FROM generate_series(1, 8) k`, f.callID, id, i%3, i%3, f.lead.UserID).Error; err != nil {
				t.Fatal(err)
			}
		}
		open = count(f)
		if _, err := evaluation.CloseConsolidation(context.Background(), f.db, f.src, f.lead, evaluation.CloseInput{CallID: f.callID}, f.now, dbtest.FakeDocuments{}); err != nil {
			t.Fatal(err)
		}
		return open, count(f)
	}
	o2, c2 := measure(2)
	o40, c40 := measure(40)
	if o2 != o40 || c2 != c40 || o40 > 2 || c40 > 4 {
		t.Errorf("queries: 2 bids %d/%d, 40 bids %d/%d (open/closed)", o2, c2, o40, c40)
	}
}
