package rules

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	"github.com/shopspring/decimal"
)

// ScoreInput is what the result needs of one bid: whether it was excluded at the formal
// check (with the reason given there), the posts (VZÄ) it requests per lot key and its
// consolidated score per criterion key. A formally excluded bid needs no scores.
type ScoreInput struct {
	BidID        int64
	Excluded     bool
	FormalReason string
	Requested    map[string]decimal.Decimal
	Scores       map[string]decimal.Decimal
}

// TieResolution is the lead's documented decision on bids that are still equal after all
// published tie-breaks: the order in which they rank, with the reason. It applies to
// exactly the set of bids in Order.
type TieResolution struct {
	Order  []int64
	Reason string
}

// ResultRow is one bid's line of the result.
type ResultRow struct {
	BidID            int64
	Points           map[string]decimal.Decimal // criterion key -> points (nil when formally excluded)
	Total            decimal.Decimal
	Rank             int  // 1 = best; equal ranks for bids equal after all tie-breaks; 0 when excluded
	RankByDecision   bool // the rank within a tie was set by a TieResolution
	Excluded         bool
	ExcludedFormally bool
	ExclusionReasons []string // German, one per reason, in criterion order
	Requested        map[string]decimal.Decimal
	Allocation       map[string]decimal.Decimal // lot key -> allocated VZÄ (only lots with > 0)
}

// Tie is a group of admitted bids that are equal in total and in every tie-break
// criterion. Lots lists the lots in which they compete for the last posts: there the
// allocation stops until the lead decides (TieResolution).
type Tie struct {
	Rank       int
	BidIDs     []int64 // ascending
	Lots       []string
	Resolution *TieResolution
}

// LotResult is the allocation of one lot.
type LotResult struct {
	Key          string
	Name         string
	FTE          decimal.Decimal
	Allocated    decimal.Decimal
	Unallocated  decimal.Decimal
	BlockedByTie bool // allocation stopped at bids of equal rank; see Result.Ties
}

// Result is the outcome of the published arithmetic: rows ranked first (by rank, then bid
// id for display only), then excluded bids (by total descending, then bid id); lots in the
// call's order; ties by rank.
type Result struct {
	Rows []ResultRow
	Lots []LotResult
	Ties []Tie
}

// Unallocated returns the VZÄ left per lot key.
func (r Result) Unallocated() map[string]decimal.Decimal {
	out := map[string]decimal.Decimal{}
	for _, l := range r.Lots {
		out[l.Key] = l.Unallocated
	}
	return out
}

// NeedsLeadDecision reports whether bids of equal rank compete for the last posts of a
// lot and the lead must decide their order (TieResolution) before the result is final.
func (r Result) NeedsLeadDecision() bool {
	for _, t := range r.Ties {
		if len(t.Lots) > 0 {
			return true
		}
	}
	return false
}

// ComputeResult applies the published arithmetic (rules.md R7) to the consolidated
// scores of a call's bids. It is deterministic and does not depend on the order of inputs.
//
//  1. Points per criterion = score × weight ÷ scale maximum, rounded half-up to two
//     decimals; the total is the sum of the rounded points (see Points).
//  2. Exclusion: bids excluded at the formal check are not scored or ranked; a bid is
//     excluded if a consolidated score lies below the criterion's minimum score (criteria
//     without one have none) or its total below the call's minimum total. Every reason
//     is listed.
//  3. Ranking of the admitted bids by total, descending; equal totals are decided by the
//     points in the criteria of the published tie-break order, the first criterion first
//     (more points rank higher). Bids still equal after every level share the rank
//     ("gleichrangig", competition ranking 1, 2, 2, 4) and are reported as a Tie; neither
//     storage order nor names decide. A TieResolution of the lead orders such a group.
//  4. Allocation per lot, see allocate.
//
// An error means inconsistent input (a missing or off-scale score of an admitted bid, an
// unknown lot or criterion, an invalid request, a duplicate bid, a resolution that
// matches no tie); it never depends on the scores' values.
func ComputeResult(c CallContent, inputs []ScoreInput, resolutions []TieResolution) (Result, error) {
	scaleMax := c.ScaleMax()
	if scaleMax <= 0 || len(c.Criteria) == 0 {
		return Result{}, errors.New("compute result: call has no scale or no criteria")
	}
	for _, k := range c.TieBreak {
		if _, ok := c.Criterion(k); !ok {
			return Result{}, fmt.Errorf("compute result: unknown tie-break criterion %q", k)
		}
	}
	rows := make([]ResultRow, 0, len(inputs))
	seen := map[int64]bool{}
	for _, in := range inputs {
		if seen[in.BidID] {
			return Result{}, fmt.Errorf("compute result: bid %d given twice", in.BidID)
		}
		seen[in.BidID] = true
		row, err := scoreBid(c, scaleMax, in)
		if err != nil {
			return Result{}, err
		}
		rows = append(rows, row)
	}
	slices.SortFunc(rows, func(a, b ResultRow) int { return compareRows(c, a, b) })
	ties, err := rank(c, rows, resolutions)
	if err != nil {
		return Result{}, err
	}
	lots, blocked := allocate(c, rows)
	for i := range ties {
		ties[i].Lots = blocked[ties[i].Rank]
	}
	return Result{Rows: rows, Lots: lots, Ties: ties}, nil
}

// scoreBid computes one bid's points, total and exclusions.
func scoreBid(c CallContent, scaleMax int, in ScoreInput) (ResultRow, error) {
	row := ResultRow{BidID: in.BidID, Total: decimal.Zero, Requested: map[string]decimal.Decimal{},
		Allocation: map[string]decimal.Decimal{}}
	for k, v := range in.Requested {
		l, ok := c.Lot(k)
		switch {
		case !ok:
			return row, fmt.Errorf("compute result: bid %d requests unknown lot %q", in.BidID, k)
		case v.Sign() == 0:
			continue
		case v.IsNegative() || v.GreaterThan(l.FTE) || v.LessThan(l.MinFTEPerSite):
			return row, fmt.Errorf("compute result: bid %d requests %s VZÄ in lot %q outside %s–%s",
				in.BidID, v, k, l.MinFTEPerSite, l.FTE)
		}
		row.Requested[k] = v
	}
	if in.Excluded {
		row.Excluded, row.ExcludedFormally = true, true
		reason := "Bei der formalen Prüfung ausgeschlossen."
		if in.FormalReason != "" {
			reason = "Bei der formalen Prüfung ausgeschlossen: " + in.FormalReason
		}
		row.ExclusionReasons = []string{reason}
		return row, nil
	}
	for k := range in.Scores {
		if _, ok := c.Criterion(k); !ok {
			return row, fmt.Errorf("compute result: bid %d has a score for unknown criterion %q", in.BidID, k)
		}
	}
	row.Points = map[string]decimal.Decimal{}
	top := decimal.NewFromInt(int64(scaleMax))
	for _, cr := range c.Criteria {
		s, ok := in.Scores[cr.Key]
		if !ok || s.IsNegative() || s.GreaterThan(top) {
			return row, fmt.Errorf("compute result: bid %d has no score on the scale for criterion %q", in.BidID, cr.Key)
		}
		p := Points(s, scaleMax, cr.Weight)
		row.Points[cr.Key] = p
		row.Total = row.Total.Add(p)
		if cr.MinScore != nil && s.LessThan(decimal.NewFromInt(int64(*cr.MinScore))) {
			row.ExclusionReasons = append(row.ExclusionReasons, fmt.Sprintf(
				"Kriterium %s „%s“: Die konsolidierte Bewertung %s liegt unter der Mindestbewertung %d.",
				cr.Key, cr.Name, FormatScore(s), *cr.MinScore))
		}
	}
	if row.Total.LessThan(c.MinTotalPoints) {
		row.ExclusionReasons = append(row.ExclusionReasons, fmt.Sprintf(
			"Die Gesamtpunktzahl von %s Punkten liegt unter der Mindestpunktzahl von %s Punkten.",
			FormatPoints(row.Total), FormatPoints(c.MinTotalPoints)))
	}
	row.Excluded = len(row.ExclusionReasons) > 0
	return row, nil
}

// compareRows orders admitted bids before excluded ones (scored exclusions before formal
// ones), then by the published order (compareMerit), then by bid id — the last key only
// fixes the display order of equal bids; it never decides a rank or an allocation.
func compareRows(c CallContent, a, b ResultRow) int {
	if a.Excluded != b.Excluded {
		return boolOrder(a.Excluded, b.Excluded)
	}
	if a.ExcludedFormally != b.ExcludedFormally {
		return boolOrder(a.ExcludedFormally, b.ExcludedFormally)
	}
	if m := compareMerit(c, a, b); m != 0 {
		return m
	}
	return cmp.Compare(a.BidID, b.BidID)
}

// compareMerit compares two scored bids by total, then by the points in each tie-break
// criterion; negative when a ranks higher, 0 when they are equal after all levels.
func compareMerit(c CallContent, a, b ResultRow) int {
	if d := b.Total.Cmp(a.Total); d != 0 {
		return d
	}
	for _, k := range c.TieBreak {
		if d := b.Points[k].Cmp(a.Points[k]); d != 0 {
			return d
		}
	}
	return 0
}

func boolOrder(a, b bool) int {
	if a == b {
		return 0
	}
	if a {
		return 1
	}
	return -1
}

// rank sets the ranks of the admitted rows (sorted by compareRows) and returns the groups
// still equal after all tie-breaks, ordering a group by the lead's resolution if one
// names exactly its bids.
func rank(c CallContent, rows []ResultRow, resolutions []TieResolution) ([]Tie, error) {
	used := make([]bool, len(resolutions))
	var ties []Tie
	for i := 0; i < len(rows) && !rows[i].Excluded; {
		j := i + 1
		for j < len(rows) && !rows[j].Excluded && compareMerit(c, rows[i], rows[j]) == 0 {
			j++
		}
		for k := i; k < j; k++ {
			rows[k].Rank = i + 1
		}
		if j-i > 1 {
			t := Tie{Rank: i + 1}
			for _, r := range rows[i:j] {
				t.BidIDs = append(t.BidIDs, r.BidID)
			}
			for n, res := range resolutions {
				if sameIDs(res.Order, t.BidIDs) {
					used[n], t.Resolution = true, &resolutions[n]
					applyResolution(rows[i:j], res.Order, i+1)
				}
			}
			ties = append(ties, t)
		}
		i = j
	}
	for n, u := range used {
		if !u {
			return nil, fmt.Errorf("compute result: tie resolution %v matches no tie", resolutions[n].Order)
		}
	}
	return ties, nil
}

// applyResolution re-orders a tied group as decided and gives it consecutive ranks.
func applyResolution(group []ResultRow, order []int64, first int) {
	pos := map[int64]int{}
	for i, id := range order {
		pos[id] = i
	}
	slices.SortFunc(group, func(a, b ResultRow) int { return cmp.Compare(pos[a.BidID], pos[b.BidID]) })
	for k := range group {
		group[k].Rank, group[k].RankByDecision = first+k, true
	}
}

func sameIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}
