package rules_test

import (
	"strings"
	"testing"

	"kimibv/models/core"
	"kimibv/models/fixture"
	"kimibv/models/rules"
)

func TestPointsRoundHalfUpToTwoDecimals(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		score         string
		scaleMax, wgt int
		want          string
	}{
		{"2", 3, 25, "16.67"}, // 16,666… rounds up
		{"2", 3, 20, "13.33"}, // 13,333… rounds down
		{"1", 3, 10, "3.33"},
		{"2", 3, 10, "6.67"},
		{"3", 3, 15, "15"},
		{"2.5", 4, 15, "9.38"},  // 9,375: half-up, not to even
		{"1", 8, 25, "3.13"},    // 3,125: half-up (banker's rounding would give 3,12)
		{"0.01", 4, 50, "0.13"}, // 0,125
		{"2.67", 4, 25, "16.69"},
		{"4", 4, 25, "25"},
		{"0", 4, 25, "0"},
		{"1", 3, 1, "0.33"},
	} {
		got := rules.Points(fixture.Dec(tc.score), tc.scaleMax, tc.wgt)
		if !got.Equal(fixture.Dec(tc.want)) {
			t.Errorf("Points(%s, %d, %d) = %s, want %s", tc.score, tc.scaleMax, tc.wgt, got, tc.want)
		}
	}
}

func TestScoreSpread(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		scores    []int
		spread    int
		highlight bool
	}{
		{nil, 0, false},
		{[]int{3}, 0, false},
		{[]int{2, 3, 3}, 1, false},
		{[]int{1, 3}, 2, true},
		{[]int{3, 1, 2}, 2, true},
		{[]int{0, 4, 2, 2, 3}, 4, true},
	} {
		s, h := rules.ScoreSpread(tc.scores)
		if s != tc.spread || h != tc.highlight {
			t.Errorf("ScoreSpread(%v) = %d, %v; want %d, %v", tc.scores, s, h, tc.spread, tc.highlight)
		}
	}
}

func TestMeanScoreAndReason(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		scores []int
		want   string
	}{
		{[]int{2, 3, 3}, "2.67"},
		{[]int{1, 1, 2}, "1.33"},
		{[]int{1, 2}, "1.5"},
		{[]int{1, 2, 2, 2, 2, 2}, "1.83"},
		{[]int{1, 1, 1, 1, 1, 1, 1, 2}, "1.13"}, // 1,125 half-up
		{[]int{4, 4, 4, 4, 4}, "4"},
		{[]int{0, 0, 1}, "0.33"},
	} {
		got, ok := rules.MeanScore(tc.scores)
		if !ok || !got.Equal(fixture.Dec(tc.want)) {
			t.Errorf("MeanScore(%v) = %s, %v; want %s", tc.scores, got, ok, tc.want)
		}
	}
	if _, ok := rules.MeanScore(nil); ok {
		t.Error("MeanScore(nil) is ok")
	}
	mean, _ := rules.MeanScore([]int{2, 3, 3})
	for _, tc := range []struct {
		consolidated string
		want         bool
	}{{"2.67", false}, {"2.670", false}, {"3", true}, {"2.66", true}, {"2", true}} {
		if got := rules.NeedsReason(fixture.Dec(tc.consolidated), mean); got != tc.want {
			t.Errorf("NeedsReason(%s, %s) = %v, want %v", tc.consolidated, mean, got, tc.want)
		}
	}
	if rules.NeedsReason(fixture.Dec("2"), fixture.Dec("2.00")) {
		t.Error("2 and 2,00 are the same score")
	}
}

func TestCheckConsolidatedScore(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		score, code string
	}{{"0", ""}, {"4", ""}, {"2.67", ""}, {"4.01", "scale"}, {"-1", "scale"}, {"2.675", "decimals"}} {
		v := &core.ValidationError{}
		rules.CheckConsolidatedScore(v, "s", fixture.Dec(tc.score), 4)
		got := ""
		if len(v.Fields) > 0 {
			got = v.Fields[0].Code
		}
		if got != tc.code {
			t.Errorf("CheckConsolidatedScore(%s) = %q, want %q", tc.score, got, tc.code)
		}
	}
}

func TestFormatScoreAndPoints(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"2": "2", "2.5": "2,5", "2.67": "2,67", "0": "0", "2.50": "2,5"} {
		if got := rules.FormatScore(fixture.Dec(in)); got != want {
			t.Errorf("FormatScore(%s) = %q, want %q", in, got, want)
		}
	}
	if got := rules.FormatPoints(fixture.Dec("66.666")); got != "66,67" {
		t.Errorf("FormatPoints = %q", got)
	}
}

func TestBuildMatrixAndMissing(t *testing.T) {
	t.Parallel()
	c := kimCall()
	sheet := func(bid, ev int64, submitted bool, k1 int) rules.ScoreSheet {
		s := rules.ScoreSheet{BidID: bid, EvaluatorID: ev, Submitted: submitted, Scores: map[string]rules.SheetScore{}}
		for _, cr := range c.Criteria {
			s.Scores[cr.Key] = rules.SheetScore{Score: 2, Reason: "r"}
		}
		s.Scores["K1"] = rules.SheetScore{Score: k1, Reason: "r"}
		return s
	}
	snap := rules.ScoringSnapshot{
		Evaluators: []rules.SnapshotEvaluator{{UserID: 1, Name: "Eins"}, {UserID: 2, Name: "Zwei"}, {UserID: 3, Name: "Drei"}},
		Bids: []rules.SnapshotBid{{BidID: 10, OrgName: "A", Formal: rules.FormalAdmitted}, {BidID: 11, OrgName: "B", Formal: rules.FormalAdmitted},
			{BidID: 12, OrgName: "C", Formal: rules.FormalPending}, {BidID: 13, OrgName: "D", Formal: rules.FormalExcluded},
			{BidID: 14, OrgName: "E", Formal: rules.FormalAdmitted}},
		// evaluator 2 declared a tie with A (no sheet); sheets given out of evaluator order
		Sheets: []rules.ScoreSheet{sheet(10, 3, true, 4), sheet(10, 1, true, 1), sheet(11, 1, true, 3), sheet(11, 2, false, 0),
			sheet(11, 3, true, 3), sheet(14, 1, true, 2)},
	}
	cons := []rules.ConsolidatedScore{{BidID: 10, CriterionKey: "K1", Score: fixture.Dec("2.5"), Mean: fixture.Dec("2.5")}}
	m := rules.BuildMatrix(c, snap, cons)
	a := m.Bids[0].Cells[0]
	if a.Spread != 3 || !a.Highlight || !a.Mean.Equal(fixture.Dec("2.5")) || a.Scores[0].Name != "Eins" || a.Scores[1].Name != "Drei" || a.Consolidated == nil {
		t.Errorf("cell A/K1 = %+v", a)
	}
	if b := m.Bids[1].Cells[0]; b.Highlight || len(b.Scores) != 2 || !b.Mean.Equal(fixture.Dec("3")) {
		t.Errorf("cell B/K1 = %+v (the unsubmitted sheet must not count)", b)
	}
	if len(m.Bids[2].Cells) != 0 || len(m.Bids[3].Cells) != 0 {
		t.Error("cells for bids not admitted")
	}
	want := []string{
		"A: Keine konsolidierte Bewertung für K2, K3, K4, K5, K6.",
		"A: Keine Begründung der konsolidierten Bewertung für K1.", // a consolidated score without a reason of its own blocks closing
		"B: Bewertungsbogen noch nicht abgegeben von Zwei.",
		"B: Keine konsolidierte Bewertung für K1, K2, K3, K4, K5, K6.",
		"C: Die formale Prüfung ist nicht abgeschlossen.",
		"E: Weniger als zwei Mitglieder des Gremiums haben bewertet.",
		"E: Keine konsolidierte Bewertung für K1, K2, K3, K4, K5, K6.",
	}
	if got := m.Missing(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Missing =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
