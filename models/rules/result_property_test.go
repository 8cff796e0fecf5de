package rules_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/shopspring/decimal"

	"kimibv/models/fixture"
	"kimibv/models/rules"
)

// randomCall draws a call: 1–6 criteria with weights summing to 100, a scale 0..1–5,
// minimum scores (or none), a minimum total, a tie-break order over a subset of the
// criteria and 1–4 lots in steps of 0,05 VZÄ.
func randomCall(r *rand.Rand) rules.CallContent {
	n := 1 + r.IntN(6)
	weights := make([]int, n)
	left := 100
	for i := range n - 1 {
		weights[i] = 1 + r.IntN(left-(n-1-i))/(n-i)
		left -= weights[i]
	}
	weights[n-1] = left
	scaleMax := 1 + r.IntN(5)
	mins := make([]*int, n)
	for i := range mins {
		if r.IntN(3) == 0 {
			mins[i] = intp(r.IntN(scaleMax + 1))
		}
	}
	var tieBreak []string
	for _, i := range r.Perm(n)[:r.IntN(n+1)] {
		tieBreak = append(tieBreak, fmt.Sprintf("K%d", i+1))
	}
	var lots []string
	for i := range 1 + r.IntN(4) {
		steps := 1 + r.IntN(60) // FTE in 0,05 steps up to 3,00
		minSteps := 1 + r.IntN(steps)
		lots = append(lots, fmt.Sprintf("L%d:%s:%s", i+1, decimal.New(int64(steps*5), -2), decimal.New(int64(minSteps*5), -2)))
	}
	return arithCall(weights, scaleMax, mins, fmt.Sprint(r.IntN(60)), tieBreak, lots...)
}

// randomBids draws 0–12 bids with ids in random order; scores mostly whole (ties are
// likely on small scales), sometimes with two decimals; valid requests for some lots;
// some bids excluded at the formal check.
func randomBids(r *rand.Rand, c rules.CallContent) []rules.ScoreInput {
	var out []rules.ScoreInput
	for _, id := range r.Perm(12)[:r.IntN(13)] {
		in := rules.ScoreInput{BidID: int64(100 + id), Scores: map[string]decimal.Decimal{}, Requested: map[string]decimal.Decimal{}}
		in.Excluded = r.IntN(8) == 0
		top := c.ScaleMax()
		for _, cr := range c.Criteria {
			s := decimal.NewFromInt(int64(r.IntN(top + 1)))
			if r.IntN(5) == 0 {
				s = decimal.New(int64(r.IntN(top*100+1)), -2)
			}
			in.Scores[cr.Key] = s
		}
		for _, l := range c.Lots {
			if r.IntN(2) == 0 {
				lo, hi := l.MinFTEPerSite.Div(rules.FTEStep).IntPart(), l.FTE.Div(rules.FTEStep).IntPart()
				in.Requested[l.Key] = rules.FTEStep.Mul(decimal.NewFromInt(lo + r.Int64N(hi-lo+1)))
			}
		}
		out = append(out, in)
	}
	return out
}

func TestResultProperties(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(20260901, 7))
	var blocked, ties, partial, excluded int
	for n := range 3000 {
		c := randomCall(r)
		in := randomBids(r, c)
		res, err := rules.ComputeResult(c, in, nil)
		if err != nil {
			t.Fatalf("case %d: %v", n, err)
		}
		want := fixture.Fingerprint(res)
		for range 3 {
			shuffled := slices.Clone(in)
			r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			again, err := rules.ComputeResult(c, shuffled, nil)
			if err != nil || fixture.Fingerprint(again) != want {
				t.Fatalf("case %d: result depends on input order:\n%s\nvs\n%s", n, want, fixture.Fingerprint(again))
			}
		}
		checkResult(t, n, c, res)
		blocked += boolInt(res.NeedsLeadDecision())
		ties += boolInt(len(res.Ties) > 0)
		for _, x := range res.Rows {
			excluded += boolInt(x.Excluded && !x.ExcludedFormally)
			for k, a := range x.Allocation {
				partial += boolInt(a.LessThan(x.Requested[k]))
			}
		}
	}
	// the generator must reach the interesting cases, or the properties prove little
	if blocked < 20 || ties < 100 || partial < 100 || excluded < 100 {
		t.Errorf("weak generator: %d blocked lots, %d results with ties, %d partial allocations, %d exclusions",
			blocked, ties, partial, excluded)
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// checkResult asserts the invariants of a result.
func checkResult(t *testing.T, n int, c rules.CallContent, res rules.Result) {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("case %d: %s\n%s", n, fmt.Sprintf(format, args...), fixture.Fingerprint(res))
	}
	for i, x := range res.Rows {
		if x.Excluded != (len(x.ExclusionReasons) > 0) || x.Excluded != (x.Rank == 0) {
			fail("bid %d: excluded %v, rank %d, reasons %q", x.BidID, x.Excluded, x.Rank, x.ExclusionReasons)
		}
		if x.Excluded && len(x.Allocation) > 0 {
			fail("excluded bid %d got posts", x.BidID)
		}
		if !x.Excluded && x.Total.LessThan(c.MinTotalPoints) {
			fail("bid %d admitted below the minimum total", x.BidID)
		}
		for k, a := range x.Allocation {
			l, _ := c.Lot(k)
			if !a.IsPositive() || a.GreaterThan(x.Requested[k]) || a.LessThan(l.MinFTEPerSite) {
				fail("bid %d: %s VZÄ in %s (requested %s, minimum %s)", x.BidID, a, k, x.Requested[k], l.MinFTEPerSite)
			}
		}
		if i == 0 || x.Excluded {
			continue
		}
		prev := res.Rows[i-1]
		switch {
		case prev.Excluded:
			fail("admitted bid %d after an excluded one", x.BidID)
		case prev.Rank > x.Rank || prev.Total.LessThan(x.Total):
			fail("bid %d (rank %d, %s) after bid %d (rank %d, %s)", x.BidID, x.Rank, x.Total, prev.BidID, prev.Rank, prev.Total)
		case prev.Rank == x.Rank && !prev.Total.Equal(x.Total):
			fail("equal rank %d with different totals", x.Rank)
		case prev.Rank < x.Rank && x.Rank != i+1:
			fail("bid %d has rank %d at position %d (competition ranking)", x.BidID, x.Rank, i+1)
		}
		for _, k := range c.TieBreak {
			if prev.Rank == x.Rank && !prev.Points[k].Equal(x.Points[k]) {
				fail("equal rank %d with different points in tie-break %s", x.Rank, k)
			}
		}
	}
	for _, l := range res.Lots {
		lot, _ := c.Lot(l.Key)
		sum := decimal.Zero
		for _, x := range res.Rows {
			sum = sum.Add(x.Allocation[l.Key])
		}
		if !sum.Equal(l.Allocated) || !l.Allocated.Add(l.Unallocated).Equal(lot.FTE) || l.Unallocated.IsNegative() {
			fail("lot %s: allocated %s (sum %s), unallocated %s of %s", l.Key, l.Allocated, sum, l.Unallocated, lot.FTE)
		}
		if l.BlockedByTie {
			continue
		}
		// greedy in rank order: once a bid got less than it asked for, lower ranks get nothing,
		// and a lot with at least the minimum left has served every admitted request in full
		short := 0
		for _, x := range res.Rows {
			req, ok := x.Requested[l.Key]
			if !ok || x.Excluded {
				continue
			}
			got := x.Allocation[l.Key]
			if short > 0 && x.Rank > short && got.IsPositive() {
				fail("lot %s: bid %d (rank %d) served after rank %d fell short", l.Key, x.BidID, x.Rank, short)
			}
			if got.LessThan(req) {
				if short == 0 {
					short = x.Rank
				}
				if !l.Unallocated.LessThan(lot.MinFTEPerSite) && l.Unallocated.IsPositive() {
					fail("lot %s: %s left but bid %d got %s of %s", l.Key, l.Unallocated, x.BidID, got, req)
				}
			}
		}
	}
}
