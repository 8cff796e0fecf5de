package decision

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"kimibv/models/rules"
)

// AnnexConsolidated is the lead's consolidated score of one bid and criterion with the
// evaluators' mean and the reason the notice to the provider states (rules.md R6).
type AnnexConsolidated struct {
	OrgName   string
	Criterion string
	Score     string
	Mean      string
	Deviates  bool
	Reason    string // "" when a consolidation stored before reasons were required has none
	SetByName string
}

// AnnexAllocation is one admitted bid in one lot it asked for: the posts requested, what
// the result allocated and what the decision gave, so that a council member can recompute
// the allocation from the ranks and the lots' posts.
type AnnexAllocation struct {
	OrgName        string
	Rank           int
	RankByDecision bool
	Excluded       bool
	Lot            string
	Requested      string
	ByResult       string
	Decided        string
}

// annexConsRow is a consolidated score as read for the annex.
type annexConsRow struct {
	BidID                                    int64
	OrgName, CriterionKey, Reason, SetByName string
	Score, Mean                              decimal.Decimal
}

// loadAnnexResult reads the consolidated scores with their reasons and the requested,
// allocated and decided posts per admitted bid and lot (two queries).
func loadAnnexResult(tx *gorm.DB, a *CouncilAnnex, r *AwardRecord) error {
	c := &r.Content
	var cons []annexConsRow
	if err := tx.Raw(`SELECT cs.bid_id, ob.org_name, cs.criterion_key, cs.reason, u.name AS set_by_name, cs.score, cs.mean
		FROM consolidated_scores cs JOIN opening_bids ob ON ob.bid_id = cs.bid_id JOIN users u ON u.id = cs.set_by
		WHERE cs.call_id = ?`, r.CallID).Scan(&cons).Error; err != nil {
		return fmt.Errorf("load consolidated scores for the council annex: %w", err)
	}
	order := map[string]int{}
	for i, cr := range c.Criteria {
		order[cr.Key] = i
	}
	slices.SortFunc(cons, func(x, y annexConsRow) int {
		return cmp.Or(cmp.Compare(x.OrgName, y.OrgName), cmp.Compare(x.BidID, y.BidID), cmp.Compare(order[x.CriterionKey], order[y.CriterionKey]))
	})
	for _, s := range cons {
		ac := AnnexConsolidated{OrgName: s.OrgName, Criterion: s.CriterionKey, Score: rules.FormatScore(s.Score), Mean: rules.FormatScore(s.Mean),
			Deviates: rules.NeedsReason(s.Score, s.Mean), SetByName: s.SetByName}
		if cr, ok := c.Criterion(s.CriterionKey); ok {
			ac.Criterion += " " + cr.Name
		}
		if !rules.IsBoilerplateReason(s.Reason) {
			ac.Reason = s.Reason
		}
		a.Consolidated = append(a.Consolidated, ac)
	}
	var rows []struct {
		BidID                    int64
		OrgName                  string
		Rank                     int
		RankByDecision, Excluded bool
		Requested, Allocation    string
	}
	if err := tx.Raw(`SELECT rr.bid_id, ob.org_name, rr.rank, rr.rank_by_decision, rr.excluded, rr.requested::text AS requested,
		rr.allocation::text AS allocation FROM result_rows rr JOIN opening_bids ob ON ob.bid_id = rr.bid_id
		WHERE rr.call_id = ? AND NOT rr.excluded_formally ORDER BY rr.position`, r.CallID).Scan(&rows).Error; err != nil {
		return fmt.Errorf("load requested posts for the council annex: %w", err)
	}
	decided := map[int64]map[string]decimal.Decimal{}
	if r.Decision != nil {
		decided = r.Decision.SelectedFTE()
	}
	for _, row := range rows {
		var req, alloc map[string]decimal.Decimal
		if err := json.Unmarshal([]byte(row.Requested), &req); err != nil {
			return fmt.Errorf("decode requested posts of bid %d: %w", row.BidID, err)
		}
		if err := json.Unmarshal([]byte(row.Allocation), &alloc); err != nil {
			return fmt.Errorf("decode allocation of bid %d: %w", row.BidID, err)
		}
		for _, l := range c.Lots {
			f, ok := req[l.Key]
			if !ok || !f.IsPositive() {
				continue
			}
			a.Allocation = append(a.Allocation, AnnexAllocation{OrgName: row.OrgName, Rank: row.Rank, RankByDecision: row.RankByDecision,
				Excluded: row.Excluded, Lot: l.Name, Requested: rules.FormatFTE(f), ByResult: rules.FormatFTE(alloc[l.Key]),
				Decided: rules.FormatFTE(decided[row.BidID][l.Key])})
		}
	}
	return nil
}
