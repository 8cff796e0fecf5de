package opendata

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"kimibv/models/calls"
)

// callAwardStage is an award stage with its call.
type callAwardStage struct {
	callID int64
	OCDSAwardStage
}

// awardStagesOf reads the award stages of every call of the export in one query: for
// calls whose notices are out, the bidding organisations (the notices' recipients) and
// the decision's posts per selected organisation and lot. Only public facts: registered
// names of organisations, posts, dates — no scores, reasons or persons.
func awardStagesOf(tx *gorm.DB, args []any) ([]callAwardStage, error) {
	var rows []struct {
		CallID      int64
		NotifiedAt  time.Time
		AwardedAt   *time.Time
		CancelledAt *time.Time
		Tenderers   string
		Awards      string
	}
	if err := tx.Raw(`SELECT d.call_id, d.notified_at, d.awarded_at, c.cancelled_at,
			(SELECT coalesce(json_agg(json_build_object('id', o.id, 'name', o.name) ORDER BY o.name, o.id), '[]')
			 FROM notices n JOIN organizations o ON o.id = n.org_id WHERE n.call_id = d.call_id)::text AS tenderers,
			(SELECT coalesce(json_agg(json_build_object('id', o.id, 'name', o.name, 'lot', a.lot_key, 'fte', a.fte::text) ORDER BY o.name, o.id, a.lot_key), '[]')
			 FROM decision_allocations a JOIN bids b ON b.id = a.bid_id JOIN organizations o ON o.id = b.org_id
			 WHERE a.call_id = d.call_id AND a.fte > 0)::text AS awards
		FROM decisions d JOIN calls c ON c.id = d.call_id
		WHERE d.notified_at IS NOT NULL AND c.state IN ('notified', 'awarded', 'cancelled') AND `+calls.PublicCallSQL+`
		ORDER BY d.call_id`, args...).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("load award stages for open data: %w", err)
	}
	var out []callAwardStage
	for _, r := range rows {
		var tenderers []OCDSOrg
		if err := json.Unmarshal([]byte(r.Tenderers), &tenderers); err != nil {
			return nil, fmt.Errorf("decode tenderers: %w", err)
		}
		var allocs []struct {
			ID   int64
			Name string
			Lot  string
			FTE  decimal.Decimal
		}
		if err := json.Unmarshal([]byte(r.Awards), &allocs); err != nil {
			return nil, fmt.Errorf("decode awards: %w", err)
		}
		var awards []OCDSAwardInput
		for _, a := range allocs {
			if n := len(awards); n == 0 || awards[n-1].Org.ID != a.ID {
				awards = append(awards, OCDSAwardInput{Org: OCDSOrg{ID: a.ID, Name: a.Name}})
			}
			awards[len(awards)-1].Lots = append(awards[len(awards)-1].Lots, OCDSAwardLot{LotKey: a.Lot, FTE: a.FTE})
		}
		out = append(out, callAwardStage{r.CallID, OCDSAwardStage{Key: "decision", Date: r.NotifiedAt, AwardStatus: "pending",
			TenderStatus: "active", Tenderers: tenderers, Awards: awards}})
		if r.AwardedAt != nil {
			out = append(out, callAwardStage{r.CallID, OCDSAwardStage{Key: "final", Date: *r.AwardedAt, AwardStatus: "active",
				TenderStatus: "complete", Tenderers: tenderers, Awards: awards}})
		}
		if r.CancelledAt != nil { // cancelled after the notices: the pending award is void
			out = append(out, callAwardStage{r.CallID, OCDSAwardStage{Key: "cancelled", Date: *r.CancelledAt, AwardStatus: "cancelled",
				TenderStatus: "cancelled", Tenderers: tenderers, Awards: awards}})
		}
	}
	return out, nil
}
