package demo

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// loadProcedures creates the procedures past their deadline (in scoring, consolidated,
// awarded) when WithScoringCalls is among opts, each on its days (timeline).
func loadProcedures(ctx context.Context, db *gorm.DB, opts []Option, tenantID int64, tl timeline) error {
	scored, err := loadScoring(ctx, db, opts, tenantID, tl, withConsolidated(scoringSpecs()))
	if err != nil {
		return err
	}
	if len(scored) == 0 {
		return nil
	}
	// The consolidation two weeks after the deadline, then the decision and the award.
	deadline := tl.day(consolidatedSpec().DeadlineDay, 12, 0)
	cctx, consolidated := at(ctx, dayOf(deadline, 14, 10, 0))
	if err := loadConsolidated(cctx, db, opts, scored, consolidated); err != nil {
		return err
	}
	awarded, final, err := loadAwarded(ctx, db, opts, scored, consolidated) // a completed, awarded procedure
	if err != nil {
		return err
	}
	// Its status reports and a council question in the hours after the award became final
	// (council.go), then the forwarding in the weeks after (forwarding.go), in that order
	// in the trail as in time.
	if err := loadCouncilReports(ctx, db, opts, tenantID); err != nil {
		return err
	}
	if awarded == 0 {
		return nil
	}
	return loadForwarding(ctx, db, opts, awarded, final.Add(councilReportHours*time.Hour))
}

// LoadProcedures adds the procedures past their deadline to a demonstration loaded
// without them (`kimibv demo --defer-procedures`, as the tests' demo template does). It
// reports false when they are already present.
func LoadProcedures(ctx context.Context, db *gorm.DB, opts ...Option) (bool, error) {
	if err := requireDocs(opts); err != nil {
		return false, err
	}
	var row struct {
		ID    int64
		Later int64
	}
	err := db.WithContext(ctx).Raw(`SELECT t.id,
			(SELECT count(*) FROM calls c WHERE c.tenant_id = t.id AND c.state NOT IN ('draft', 'published', 'cancelled')) AS later
		FROM tenants t WHERE t.slug = 'musterland'`).Scan(&row).Error
	if err != nil {
		return false, fmt.Errorf("look for demo: %w", err)
	}
	if row.ID == 0 {
		return false, fmt.Errorf("the demonstration is not loaded (run kimibv demo first)")
	}
	if row.Later > 0 {
		return false, nil
	}
	if err := loadProcedures(ctx, db, append(opts, WithScoringCalls()), row.ID, newTimeline(time.Now())); err != nil {
		return false, err
	}
	return true, nil
}
