package rules

import "github.com/shopspring/decimal"

// allocate distributes each lot's posts (VZÄ) to the ranked admitted bids and returns the
// lots and, per rank, the lots in which a group of equal rank blocks the allocation.
// rows must be sorted and ranked (admitted first, by rank). The algorithm, per lot and
// independently of the other lots:
//
//  1. The lot's free posts start at its VZÄ. Only bids that requested the lot take part,
//     in rank order; a rank shared by several bids (a tie) is handled as one group.
//  2. When the free posts are below the lot's minimum per site, the lot is closed: every
//     further allocation would create a site below the published minimum, and because
//     every request is at least that minimum, skipping to later bids could not help.
//  3. A single bid gets what it requested, or — when the lot is nearly full — the free
//     posts (partial allocation; at least the minimum per site by step 2).
//  4. A group of equal rank gets everything it requested when all its requests fit.
//     Otherwise they compete for the last posts: nothing is allocated to them or any
//     later bid in this lot, the lot is marked BlockedByTie and the tie lists the lot;
//     the lead decides the group's order by a documented TieResolution, after which the
//     group is ranked in that order and allocated by steps 2–3.
//  5. What is left is reported as unallocated.
//
// A bid never gets more than it requested, never less than the minimum per site, and an
// excluded bid never gets anything.
func allocate(c CallContent, rows []ResultRow) ([]LotResult, map[int][]string) {
	blocked := map[int][]string{}
	lots := make([]LotResult, 0, len(c.Lots))
	for _, lot := range c.Lots {
		free := lot.FTE
		res := LotResult{Key: lot.Key, Name: lot.Name, FTE: lot.FTE}
		for i := 0; i < len(rows) && !rows[i].Excluded; {
			j := i + 1
			for j < len(rows) && !rows[j].Excluded && rows[j].Rank == rows[i].Rank {
				j++
			}
			var group []int
			sum := decimal.Zero
			for k := i; k < j; k++ {
				if req, ok := rows[k].Requested[lot.Key]; ok {
					group = append(group, k)
					sum = sum.Add(req)
				}
			}
			rank := rows[i].Rank
			i = j
			if len(group) == 0 {
				continue
			}
			if free.Sign() == 0 || free.LessThan(lot.MinFTEPerSite) {
				break
			}
			if len(group) > 1 && sum.GreaterThan(free) {
				res.BlockedByTie = true
				blocked[rank] = append(blocked[rank], lot.Key)
				break
			}
			for _, k := range group {
				got := decimal.Min(rows[k].Requested[lot.Key], free)
				rows[k].Allocation[lot.Key] = got
				free = free.Sub(got)
			}
		}
		res.Unallocated = free
		res.Allocated = lot.FTE.Sub(free)
		lots = append(lots, res)
	}
	return lots, blocked
}
