package rules_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"kimibv/models/fixture"
	"kimibv/models/rules"
)

// arithCall is a call with the given weights (keys K1…), scale 0..scaleMax, minimum
// scores (nil entries: none), minimum total and tie-break keys, and lots
// "key:fte:min" (e.g. "L1:2:1").
func arithCall(weights []int, scaleMax int, minScores []*int, minTotal string, tieBreak []string, lots ...string) rules.CallContent {
	c := rules.CallContent{MinTotalPoints: fixture.Dec(minTotal), TieBreak: tieBreak}
	for i, w := range weights {
		cr := rules.Criterion{Key: fmt.Sprintf("K%d", i+1), Name: fmt.Sprintf("Kriterium %d", i+1), Weight: w}
		if i < len(minScores) {
			cr.MinScore = minScores[i]
		}
		c.Criteria = append(c.Criteria, cr)
	}
	for v := 0; v <= scaleMax; v++ {
		c.Scale = append(c.Scale, rules.ScaleLevel{Value: v, Label: fmt.Sprint(v)})
	}
	for _, l := range lots {
		p := strings.Split(l, ":")
		c.Lots = append(c.Lots, rules.Lot{Key: p[0], Name: "Los " + p[0], FTE: fixture.Dec(p[1]), MinFTEPerSite: fixture.Dec(p[2])})
	}
	return c
}

func intp(i int) *int { return &i }

// kimCall is the demonstration's KIM call: weights 25/20/20/15/10/10, scale 0–4, every
// minimum score 1, minimum total 50, tie-break K1…K6, lots Nord 2,0, Mitte 1,0, Süd 1,0.
func kimCall() rules.CallContent {
	one := intp(1)
	return arithCall([]int{25, 20, 20, 15, 10, 10}, 4, []*int{one, one, one, one, one, one}, "50",
		[]string{"K1", "K2", "K3", "K4", "K5", "K6"}, "L1:2:1", "L2:1:1", "L3:1:1")
}

// bid builds an admitted input with scores "K1=…" in order and requests "L1=1.5".
func bid(id int64, scores string, requests ...string) rules.ScoreInput {
	in := rules.ScoreInput{BidID: id, Scores: map[string]decimal.Decimal{}, Requested: map[string]decimal.Decimal{}}
	for i, s := range strings.Fields(scores) {
		in.Scores[fmt.Sprintf("K%d", i+1)] = fixture.Dec(s)
	}
	for _, r := range requests {
		k, v, _ := strings.Cut(r, "=")
		in.Requested[k] = fixture.Dec(v)
	}
	return in
}

func mustResult(t *testing.T, c rules.CallContent, in []rules.ScoreInput, res ...rules.TieResolution) rules.Result {
	t.Helper()
	r, err := rules.ComputeResult(c, in, res)
	if err != nil {
		t.Fatalf("ComputeResult: %v", err)
	}
	return r
}

func TestTotalIsSumOfRoundedPoints(t *testing.T) {
	t.Parallel()
	c := arithCall([]int{25, 20, 20, 15, 10, 10}, 3, nil, "0", nil)
	thirds := arithCall([]int{10, 10, 10, 70}, 3, nil, "0", nil)
	for _, tc := range []struct {
		name   string
		c      rules.CallContent
		scores string
		points []string
		total  string
	}{
		{"two of three", c, "2 2 2 2 2 2", []string{"16.67", "13.33", "13.33", "10", "6.67", "6.67"}, "66.67"},
		{"one of three", c, "1 1 1 1 1 1", []string{"8.33", "6.67", "6.67", "5", "3.33", "3.33"}, "33.33"},
		{"full marks", c, "3 3 3 3 3 3", []string{"25", "20", "20", "15", "10", "10"}, "100"},
		// three times 3,33 is 9,99: the total is the sum of what the matrix shows
		{"sum of rounded thirds", thirds, "1 1 1 0", []string{"3.33", "3.33", "3.33", "0"}, "9.99"},
		{"consolidated means", kimCall(), "2.67 3.33 1.5 4 0.5 2.25", []string{"16.69", "16.65", "7.5", "15", "1.25", "5.63"}, "62.72"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := fixture.Row(t, mustResult(t, tc.c, []rules.ScoreInput{bid(1, tc.scores)}), 1)
			for i, want := range tc.points {
				if got := r.Points[fmt.Sprintf("K%d", i+1)]; !got.Equal(fixture.Dec(want)) {
					t.Errorf("K%d points = %s, want %s", i+1, got, want)
				}
			}
			if !r.Total.Equal(fixture.Dec(tc.total)) {
				t.Errorf("total = %s, want %s", r.Total, tc.total)
			}
		})
	}
}

func TestExclusion(t *testing.T) {
	t.Parallel()
	min2 := intp(2)
	c := arithCall([]int{50, 30, 20}, 4, []*int{min2, nil, intp(0)}, "50", []string{"K1"}, "L1:1:1")
	for _, tc := range []struct {
		name    string
		in      rules.ScoreInput
		reasons []string // substrings, one per expected reason
	}{
		{"at every minimum", bid(1, "2 4 0"), nil}, // K1 = 2 is not below 2; total 55
		{"criterion below minimum", bid(1, "1.99 4 4"), []string{"Kriterium K1 „Kriterium 1“: Die konsolidierte Bewertung 1,99 liegt unter der Mindestbewertung 2."}},
		{"no minimum in K2", bid(1, "4 0 0"), nil}, // total 50,00 = minimum total
		{"total just below", bid(1, "3.99 0 0"), []string{"Gesamtpunktzahl von 49,88 Punkten liegt unter der Mindestpunktzahl von 50,00 Punkten"}},
		{"both reasons", bid(1, "1 1 1"), []string{"Mindestbewertung 2", "Mindestpunktzahl von 50,00"}},
		{"formal", rules.ScoreInput{BidID: 1, Excluded: true, FormalReason: "Satzung fehlt."}, []string{"Bei der formalen Prüfung ausgeschlossen: Satzung fehlt."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.Requested = map[string]decimal.Decimal{"L1": fixture.Dec("1")}
			res := mustResult(t, c, []rules.ScoreInput{tc.in})
			r := fixture.Row(t, res, 1)
			if r.Excluded != (len(tc.reasons) > 0) || len(r.ExclusionReasons) != len(tc.reasons) {
				t.Fatalf("excluded = %v, reasons %q; want %q", r.Excluded, r.ExclusionReasons, tc.reasons)
			}
			for i, want := range tc.reasons {
				if !strings.Contains(r.ExclusionReasons[i], want) {
					t.Errorf("reason %d = %q, want it to contain %q", i, r.ExclusionReasons[i], want)
				}
			}
			wantRank, wantAlloc := 1, "1"
			if r.Excluded {
				wantRank, wantAlloc = 0, "0"
			}
			if r.Rank != wantRank || !r.Allocation["L1"].Equal(fixture.Dec(wantAlloc)) || !res.Lots[0].Allocated.Equal(fixture.Dec(wantAlloc)) {
				t.Errorf("rank %d, allocation %v; want %d, %s", r.Rank, r.Allocation, wantRank, wantAlloc)
			}
		})
	}
}

// fiveCall has five criteria of weight 20 on a 0–4 scale (points = 5 × score) and the
// tie-break order K2, K1, K3 (deliberately not the criteria order; K4 and K5 never break
// ties).
func fiveCall() rules.CallContent {
	return arithCall([]int{20, 20, 20, 20, 20}, 4, nil, "0", []string{"K2", "K1", "K3"}, "L1:1:1")
}

func TestRankingTieBreaks(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		a, b string // scores of bid 1 and bid 2
		want string // ranks in row order
	}{
		{"total decides", "4 4 4 4 3", "4 4 4 4 4", "2:1 1:2"},
		{"equal total, first level K2", "4 2 2 2 2", "2 4 2 2 2", "2:1 1:2"},
		{"equal total and K2, second level K1", "3 3 3 2 2", "4 3 2 2 2", "2:1 1:2"},
		{"equal total, K2, K1, third level K3", "3 3 2 4 2", "3 3 4 2 2", "2:1 1:2"},
		{"still tied after all levels", "3 3 3 2 4", "3 3 3 4 2", "1:1 2:1"},
		{"identical", "1 1 1 1 1", "1 1 1 1 1", "1:1 2:1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, order := range [][]rules.ScoreInput{{bid(1, tc.a), bid(2, tc.b)}, {bid(2, tc.b), bid(1, tc.a)}} {
				res := mustResult(t, fiveCall(), order)
				if got := fixture.Ranks(res); got != tc.want {
					t.Errorf("ranks = %s, want %s", got, tc.want)
				}
				tied := strings.HasSuffix(tc.want, ":1 2:1")
				if tied != (len(res.Ties) == 1) {
					t.Errorf("ties = %+v", res.Ties)
				}
				if tied && (res.Ties[0].Rank != 1 || !slices.Equal(res.Ties[0].BidIDs, []int64{1, 2})) {
					t.Errorf("tie = %+v", res.Ties[0])
				}
			}
		})
	}
}

func TestCompetitionRanking(t *testing.T) {
	t.Parallel()
	c := fiveCall()
	res := mustResult(t, c, []rules.ScoreInput{
		bid(4, "2 2 2 2 2"), bid(3, "3 3 3 3 4"), bid(7, "3 3 3 4 3"), bid(9, "4 4 4 4 4"), bid(5, "0 0 0 0 0"),
	})
	if got := fixture.Ranks(res); got != "9:1 3:2 7:2 4:4 5:5" {
		t.Errorf("ranks = %s", got)
	}
	if len(res.Ties) != 1 || !slices.Equal(res.Ties[0].BidIDs, []int64{3, 7}) || res.Ties[0].Rank != 2 {
		t.Errorf("ties = %+v", res.Ties)
	}
}

func TestAllBidsExcluded(t *testing.T) {
	t.Parallel()
	res := mustResult(t, kimCall(), []rules.ScoreInput{
		bid(1, "0 4 4 4 4 4", "L1=2"), bid(2, "1 1 1 1 1 1", "L2=1"), {BidID: 3, Excluded: true, Requested: map[string]decimal.Decimal{"L3": fixture.Dec("1")}},
	})
	if got := fixture.Ranks(res); got != "1:0 2:0 3:0" { // scored exclusions by total, then formal
		t.Errorf("ranks = %s", got)
	}
	for _, l := range res.Lots {
		if !l.Allocated.IsZero() || !l.Unallocated.Equal(l.FTE) {
			t.Errorf("lot %s: %+v", l.Key, l)
		}
	}
	if len(res.Ties) != 0 || res.NeedsLeadDecision() {
		t.Errorf("ties = %+v", res.Ties)
	}
	if un := res.Unallocated(); !un["L1"].Equal(fixture.Dec("2")) || !un["L3"].Equal(fixture.Dec("1")) {
		t.Errorf("unallocated = %v", un)
	}
}
