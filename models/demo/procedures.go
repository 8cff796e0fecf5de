package demo

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// loadProcedures creates the procedures past their deadline (in scoring, consolidated,
// awarded) when WithScoringCalls is among opts. Their bids are receipted by the database
// clock, so loading waits for a real deadline (75 to 135 seconds).
func loadProcedures(ctx context.Context, db *gorm.DB, opts []Option, tenantID int64) error {
	scored, err := loadScoring(ctx, db, opts, tenantID, withConsolidated(scoringSpecs()))
	if err != nil {
		return err
	}
	if err := loadConsolidated(ctx, db, opts, scored); err != nil {
		return err
	}
	return loadAwarded(ctx, db, opts, scored) // a completed, awarded procedure
}

// LoadProcedures adds the procedures past their deadline to a demonstration loaded
// without them (scripts/run starts the server first and loads these in the background,
// because they wait for a deadline). It reports false when they are already present.
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
	if err := loadProcedures(ctx, db, append(opts, WithScoringCalls()), row.ID); err != nil {
		return false, err
	}
	return true, nil
}
