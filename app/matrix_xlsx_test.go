package app

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"kimibv/models/accounts"
	"kimibv/models/calls"
	"kimibv/models/evaluation"
	"kimibv/models/rules"
)

// TestMatrixXLSX writes a closed two-bid matrix and reads the workbook back.
func TestMatrixXLSX(t *testing.T) {
	t.Parallel()
	d := decimal.RequireFromString
	c := calls.KIMTemplate(&accounts.Tenant{Name: "Kreis Musterland"}, time.Now())
	snap := rules.ScoringSnapshot{
		Evaluators: []rules.SnapshotEvaluator{{UserID: 1, Name: "Greta Gremm"}, {UserID: 2, Name: "Bernd Bewerter"}},
		Bids: []rules.SnapshotBid{
			{BidID: 7, OrgName: "AWO Musterland", Formal: rules.FormalAdmitted, Requested: map[string]decimal.Decimal{"L1": d("2")}},
			{BidID: 8, OrgName: "Brückenschlag e. V.", Formal: rules.FormalExcluded, FormalReason: "Satzung fehlt."},
		},
	}
	var cons []rules.ConsolidatedScore
	for _, cr := range c.Criteria {
		cons = append(cons, rules.ConsolidatedScore{BidID: 7, CriterionKey: cr.Key, Score: d("2.5"), Mean: d("2.5")})
	}
	for ev := int64(1); ev <= 2; ev++ {
		sh := rules.ScoreSheet{BidID: 7, EvaluatorID: ev, Submitted: true, Scores: map[string]rules.SheetScore{}}
		for _, cr := range c.Criteria {
			sh.Scores[cr.Key] = rules.SheetScore{Score: int(ev) + 1, Reason: "Begründung " + cr.Key}
		}
		snap.Sheets = append(snap.Sheets, sh)
	}
	m := rules.BuildMatrix(c, snap, cons)
	res, err := rules.ComputeResult(c, m.ScoreInputs(), nil)
	if err != nil {
		t.Fatal(err)
	}
	v := &evaluation.ConsolidationView{CallVersion: 1, Content: c, Matrix: m, Closed: true, Result: res}
	var buf bytes.Buffer
	if err := writeMatrixXLSX(&buf, v); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("Bewertungsmatrix")
	if err != nil {
		t.Fatal(err)
	}
	// header, six criteria rows of AWO, its result row, the excluded bid's row
	if len(rows) != 4+6+1+1 || rows[3][3] != "Greta Gremm: Bewertung" {
		t.Fatalf("rows = %q", rows)
	}
	k1 := rows[4] // AWO, K1: scores 2 and 3, spread 1, mean 2,5, consolidated 2,5, 25 × 2,5 / 4 = 15,63
	if k1[0] != "AWO Musterland" || k1[3] != "2" || k1[4] != "Begründung K1" || k1[5] != "3" || k1[8] != "2.50" || k1[9] != "2.50" || k1[11] != "15.63" {
		t.Errorf("K1 row = %q", k1)
	}
	if sum := rows[10]; sum[1] != "Ergebnis" || !strings.HasPrefix(sum[2], "Rang 1 · Zuteilung L1: 2,00 VZÄ") || sum[3] != "62.51" {
		t.Errorf("result row = %q", sum)
	}
	if ex := rows[11]; !strings.Contains(ex[2], "Satzung fehlt.") {
		t.Errorf("excluded row = %q", ex)
	}
	result, _ := f.GetRows("Ergebnis")
	if len(result) != 4 || result[1][1] != "AWO Musterland" || result[1][4] != "2.00" || result[3][1] != "Nicht verteilt" || result[3][5] != "1.00" {
		t.Errorf("Ergebnis = %q", result)
	}
}
