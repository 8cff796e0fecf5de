package evaluation

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"kimibv/models/core"
	"kimibv/models/rules"
)

// BidName returns the organisation name of a bid of the matrix ("" if unknown).
func (v *ConsolidationView) BidName(bidID int64) string {
	for _, b := range v.Matrix.Bids {
		if b.BidID == bidID {
			return b.OrgName
		}
	}
	return ""
}

// PendingTies returns the ties that keep a complete, still open consolidation from being
// closed: bids equal after every published tie-break that compete for the last posts of
// a lot. The lead decides their order in the close form (TieResolution); the index of a
// tie here is the index of its resolution in CloseInput.Resolutions. It computes the
// result from the current consolidated scores without decisions; nil when closed,
// incomplete or nothing blocks.
func (v *ConsolidationView) PendingTies() []rules.Tie {
	if v.Closed || len(v.Missing) > 0 {
		return nil
	}
	r, err := rules.ComputeResult(v.Content, v.Matrix.ScoreInputs(), nil)
	if err != nil {
		return nil
	}
	var out []rules.Tie
	for _, t := range r.Ties {
		if len(t.Lots) > 0 {
			out = append(out, t)
		}
	}
	return out
}

// TieField is the form field name of a bid's position within pending tie i.
func TieField(i int, bidID int64) string { return fmt.Sprintf("tie_%d_pos_%d", i, bidID) }

// TieResolutionsFrom reads the lead's decisions on the pending ties: for tie i, the
// position ("1" … "n") of each of its bids in field TieField(i, bid) and the reason in
// "tie_<i>_reason". Every position must be given once; the reason is checked by
// CloseConsolidation. Field errors in German.
func TieResolutionsFrom(ties []rules.Tie, get func(field string) string) ([]rules.TieResolution, error) {
	v := &core.ValidationError{}
	out := make([]rules.TieResolution, 0, len(ties))
	for i, t := range ties {
		pos := map[int64]int{}
		seen := map[int]bool{}
		for _, id := range t.BidIDs {
			n, err := strconv.Atoi(strings.TrimSpace(get(TieField(i, id))))
			switch {
			case err != nil || n < 1 || n > len(t.BidIDs):
				v.Add(TieField(i, id), "position", fmt.Sprintf("Bitte wählen Sie für jede gleichrangige Interessenbekundung eine Position von 1 bis %d.", len(t.BidIDs)))
			case seen[n]:
				v.Add(TieField(i, id), "duplicate", fmt.Sprintf("Die Position %d ist mehrfach vergeben. Jede Position darf nur einmal vorkommen.", n))
			}
			seen[n], pos[id] = true, n
		}
		order := slices.Clone(t.BidIDs)
		slices.SortFunc(order, func(a, b int64) int { return pos[a] - pos[b] })
		out = append(out, rules.TieResolution{Order: order, Reason: strings.TrimSpace(get(fmt.Sprintf("tie_%d_reason", i)))})
	}
	if err := v.OrNil(); err != nil {
		return nil, err
	}
	return out, nil
}
