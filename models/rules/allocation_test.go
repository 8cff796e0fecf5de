package rules_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"kimibv/models/fixture"
	"kimibv/models/rules"
)

// pointsCall has one criterion of weight 100 on a 0–100 scale, so a bid's total is its
// score, and the given lots ("key:fte:min").
func pointsCall(lots ...string) rules.CallContent {
	return arithCall([]int{100}, 100, nil, "0", []string{"K1"}, lots...)
}

// unallocated renders "lot=VZÄ" in lot order, with "!" for a lot blocked by a tie.
func unallocated(r rules.Result) string {
	var s []string
	for _, l := range r.Lots {
		mark := ""
		if l.BlockedByTie {
			mark = "!"
		}
		s = append(s, fmt.Sprintf("%s=%s%s", l.Key, l.Unallocated.StringFixed(2), mark))
	}
	return strings.Join(s, " ")
}

func TestAllocation(t *testing.T) {
	t.Parallel()
	formal := rules.ScoreInput{BidID: 9, Excluded: true, Requested: map[string]decimal.Decimal{"L1": fixture.Dec("2")}}
	for _, tc := range []struct {
		name    string
		c       rules.CallContent
		in      []rules.ScoreInput
		allocs  string
		unalloc string
		tieLots string // "rank:lots" of ties, e.g. "2:L1"
	}{
		{"lot with no bids", pointsCall("L1:2:1", "L2:1:1"),
			[]rules.ScoreInput{bid(1, "90", "L1=2")}, "1:L1=2.00", "L1=0.00 L2=1.00", ""},
		{"more requested than available", pointsCall("L1:2:1"),
			[]rules.ScoreInput{bid(1, "90", "L1=2"), bid(2, "80", "L1=2"), bid(3, "70", "L1=1")}, "1:L1=2.00", "L1=0.00", ""},
		{"rank order, not input order", pointsCall("L1:2:1"),
			[]rules.ScoreInput{bid(3, "70", "L1=1"), bid(2, "80", "L1=2"), bid(1, "90", "L1=1")}, "1:L1=1.00 2:L1=1.00", "L1=0.00", ""},
		{"partial allocation when nearly full", pointsCall("L1:3:0.5"),
			[]rules.ScoreInput{bid(1, "90", "L1=2"), bid(2, "80", "L1=1.5"), bid(3, "70", "L1=1")}, "1:L1=2.00 2:L1=1.00", "L1=0.00", ""},
		{"several bids share a lot", pointsCall("L1:3:0.5"),
			[]rules.ScoreInput{bid(1, "90", "L1=1"), bid(2, "80", "L1=0.5"), bid(3, "70", "L1=1")}, "1:L1=1.00 2:L1=0.50 3:L1=1.00", "L1=0.50", ""},
		{"remainder equal to the minimum per site", pointsCall("L1:3:1"),
			[]rules.ScoreInput{bid(1, "90", "L1=2"), bid(2, "80", "L1=2")}, "1:L1=2.00 2:L1=1.00", "L1=0.00", ""},
		{"remainder below the minimum per site", pointsCall("L1:3:1"),
			[]rules.ScoreInput{bid(1, "90", "L1=2.05"), bid(2, "80", "L1=1"), bid(3, "70", "L1=1.5")}, "1:L1=2.05", "L1=0.95", ""},
		{"excluded bid gets nothing", pointsCall("L1:2:1"),
			[]rules.ScoreInput{formal, bid(1, "10", "L1=2")}, "1:L1=2.00", "L1=0.00", ""},
		{"one bid in several lots", pointsCall("L1:2:1", "L2:1:1", "L3:1:1"),
			[]rules.ScoreInput{bid(1, "90", "L1=2", "L3=1"), bid(2, "95", "L3=1", "L2=1")}, "1:L1=2.00 2:L2=1.00 2:L3=1.00", "L1=0.00 L2=0.00 L3=0.00", ""},
		{"equal rank competing for the last posts", pointsCall("L1:2:1"),
			[]rules.ScoreInput{bid(1, "90", "L1=1"), bid(2, "80", "L1=1"), bid(3, "80", "L1=1"), bid(4, "70", "L1=1")},
			"1:L1=1.00", "L1=1.00!", "2:L1"},
		{"equal rank, all fit", pointsCall("L1:3:1"),
			[]rules.ScoreInput{bid(1, "90", "L1=1"), bid(2, "80", "L1=1"), bid(3, "80", "L1=1"), bid(4, "70", "L1=1")},
			"1:L1=1.00 2:L1=1.00 3:L1=1.00", "L1=0.00", "2:"},
		{"equal rank after the lot is full", pointsCall("L1:1:1"),
			[]rules.ScoreInput{bid(1, "90", "L1=1"), bid(2, "80", "L1=1"), bid(3, "80", "L1=1")}, "1:L1=1.00", "L1=0.00", "2:"},
		{"equal rank in different lots", pointsCall("L1:2:1", "L2:1:1"),
			[]rules.ScoreInput{bid(1, "90", "L1=1"), bid(2, "80", "L1=1"), bid(3, "80", "L2=1")}, "1:L1=1.00 2:L1=1.00 3:L2=1.00", "L1=0.00 L2=0.00", "2:"},
		{"equal rank blocks one lot only", pointsCall("L1:1:1", "L2:2:1"),
			[]rules.ScoreInput{bid(2, "80", "L1=1", "L2=1"), bid(3, "80", "L1=1", "L2=1")}, "2:L2=1.00 3:L2=1.00", "L1=1.00! L2=0.00", "1:L1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := mustResult(t, tc.c, tc.in)
			if got := fixture.Allocs(res); got != tc.allocs {
				t.Errorf("allocations = %q, want %q", got, tc.allocs)
			}
			if got := unallocated(res); got != tc.unalloc {
				t.Errorf("unallocated = %q, want %q", got, tc.unalloc)
			}
			var ties []string
			for _, tie := range res.Ties {
				ties = append(ties, fmt.Sprintf("%d:%s", tie.Rank, strings.Join(tie.Lots, ",")))
			}
			if got := strings.Join(ties, " "); got != tc.tieLots {
				t.Errorf("ties = %q, want %q", got, tc.tieLots)
			}
			if res.NeedsLeadDecision() != strings.Contains(tc.unalloc, "!") {
				t.Errorf("NeedsLeadDecision = %v", res.NeedsLeadDecision())
			}
		})
	}
}

func TestTieResolution(t *testing.T) {
	t.Parallel()
	c := pointsCall("L1:2:1")
	in := []rules.ScoreInput{bid(1, "90", "L1=1"), bid(2, "80", "L1=1"), bid(3, "80", "L1=1"), bid(4, "70", "L1=1")}
	res := mustResult(t, c, in, rules.TieResolution{Order: []int64{3, 2}, Reason: "Losentscheid am 01.10.2026"})
	if got := fixture.Ranks(res); got != "1:1 3:2 2:3 4:4" {
		t.Errorf("ranks = %s", got)
	}
	if got := fixture.Allocs(res); got != "1:L1=1.00 3:L1=1.00" {
		t.Errorf("allocations = %s", got)
	}
	if res.NeedsLeadDecision() || len(res.Ties) != 1 || res.Ties[0].Resolution == nil || len(res.Ties[0].Lots) != 0 {
		t.Errorf("ties = %+v", res.Ties)
	}
	if r := fixture.Row(t, res, 3); !r.RankByDecision || fixture.Row(t, res, 1).RankByDecision {
		t.Error("RankByDecision not set on the decided group only")
	}
	if _, err := rules.ComputeResult(c, in, []rules.TieResolution{{Order: []int64{1, 2}}}); err == nil {
		t.Error("a resolution of bids that are not tied was accepted")
	}
}

func TestComputeResultRefusesInconsistentInput(t *testing.T) {
	t.Parallel()
	c := kimCall()
	ok := "2 2 2 2 2 2"
	for name, in := range map[string][]rules.ScoreInput{
		"missing score":        {bid(1, "2 2 2 2 2")},
		"score above scale":    {bid(1, "2 2 2 2 2 5")},
		"negative score":       {bid(1, "2 2 2 2 2 -1")},
		"unknown criterion":    {bid(1, ok+" 2")},
		"unknown lot":          {bid(1, ok, "L9=1")},
		"below minimum":        {bid(1, ok, "L1=0.5")},
		"above lot":            {bid(1, ok, "L1=2.5")},
		"duplicate bid":        {bid(1, ok), bid(1, ok)},
		"negative request":     {bid(1, ok, "L1=-1")},
		"formal, unknown lot ": {{BidID: 1, Excluded: true, Requested: map[string]decimal.Decimal{"L9": fixture.Dec("1")}}},
	} {
		if _, err := rules.ComputeResult(c, in, nil); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	bad := kimCall()
	bad.TieBreak = []string{"K7"}
	if _, err := rules.ComputeResult(bad, []rules.ScoreInput{bid(1, ok)}, nil); err == nil {
		t.Error("unknown tie-break criterion accepted")
	}
	// a formally excluded bid needs no scores; zero requests are ignored
	res, err := rules.ComputeResult(c, []rules.ScoreInput{{BidID: 1, Excluded: true}, bid(2, ok, "L2=0")}, nil)
	if err != nil || len(fixture.Row(t, res, 2).Requested) != 0 {
		t.Errorf("err = %v, requested %v", err, fixture.Row(t, res, 2).Requested)
	}
}
