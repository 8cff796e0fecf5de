package evaluation

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"kimibv/models/core"
	"kimibv/models/rules"
)

// ConsolidationView is what the consolidation page and the Bewertungsmatrix show: the
// matrix, what is still missing and, once closed, the stored result.
type ConsolidationView struct {
	CallID      int64
	CallVersion int
	Content     rules.CallContent
	Matrix      rules.Matrix
	Missing     []string
	Closed      bool
	ClosedAt    time.Time
	ClosedBy    string
	Result      rules.Result // stored result (empty until closed)
}

// RowOf returns the stored result row of a bid.
func (v *ConsolidationView) RowOf(bidID int64) (rules.ResultRow, bool) {
	for _, r := range v.Result.Rows {
		if r.BidID == bidID {
			return r, true
		}
	}
	return rules.ResultRow{}, false
}

// LoadConsolidation reads a call's consolidation for its lead with a constant number of
// queries (the call, the ScoringSource's snapshot, the consolidated scores and, once
// closed, the result and its rows).
func LoadConsolidation(ctx context.Context, db *gorm.DB, src ScoringSource, actor *core.Actor, callID int64) (*ConsolidationView, error) {
	tx := db.WithContext(ctx)
	c, content, err := loadConsolidationCall(tx, actor, callID, false)
	if err != nil {
		return nil, err
	}
	snap, err := src.Snapshot(tx, callID)
	if err != nil {
		return nil, fmt.Errorf("load score sheets: %w", err)
	}
	cons, err := LoadConsolidated(tx, callID)
	if err != nil {
		return nil, err
	}
	v := &ConsolidationView{CallID: callID, CallVersion: c.CurrentVersion, Content: content, Matrix: rules.BuildMatrix(content, snap, cons), Closed: c.Closed}
	v.Missing = v.Matrix.Missing()
	if c.Closed {
		if err := LoadResult(tx, v); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// LoadResult reads the stored result into v.
func LoadResult(tx *gorm.DB, v *ConsolidationView) error {
	var head struct {
		CallVersion int
		ClosedAt    time.Time
		ClosedBy    string
		Lots        string
		Ties        string
	}
	if err := tx.Raw(`SELECT r.call_version, r.closed_at, u.name AS closed_by, r.lots::text AS lots, r.ties::text AS ties
		FROM call_results r JOIN users u ON u.id = r.closed_by WHERE r.call_id = ?`, v.CallID).Scan(&head).Error; err != nil {
		return fmt.Errorf("load result: %w", err)
	}
	v.ClosedAt, v.ClosedBy, v.CallVersion = head.ClosedAt, head.ClosedBy, head.CallVersion
	if err := json.Unmarshal([]byte(head.Lots), &v.Result.Lots); err != nil {
		return fmt.Errorf("decode result lots: %w", err)
	}
	if err := json.Unmarshal([]byte(head.Ties), &v.Result.Ties); err != nil {
		return fmt.Errorf("decode result ties: %w", err)
	}
	var rows []struct {
		BidID                                      int64
		Rank                                       int
		RankByDecision, Excluded, ExcludedFormally bool
		Total                                      decimal.Decimal
		Points, Reasons, Requested, Allocation     string
	}
	if err := tx.Raw(`SELECT bid_id, rank, rank_by_decision, excluded, excluded_formally, total, points::text AS points,
		reasons::text AS reasons, requested::text AS requested, allocation::text AS allocation
		FROM result_rows WHERE call_id = ? ORDER BY position`, v.CallID).Scan(&rows).Error; err != nil {
		return fmt.Errorf("load result rows: %w", err)
	}
	for _, r := range rows {
		row := rules.ResultRow{BidID: r.BidID, Rank: r.Rank, RankByDecision: r.RankByDecision, Excluded: r.Excluded,
			ExcludedFormally: r.ExcludedFormally, Total: r.Total}
		for _, f := range []struct {
			raw string
			dst any
		}{{r.Points, &row.Points}, {r.Reasons, &row.ExclusionReasons}, {r.Requested, &row.Requested}, {r.Allocation, &row.Allocation}} {
			if err := json.Unmarshal([]byte(f.raw), f.dst); err != nil {
				return fmt.Errorf("decode result row: %w", err)
			}
		}
		v.Result.Rows = append(v.Result.Rows, row)
	}
	return nil
}
