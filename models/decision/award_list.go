package decision

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"kimibv/models/calls"
	"kimibv/models/rules"
)

// AwardListFilter selects records for the public list; Page starts at 1.
type AwardListFilter struct {
	Kreis   string
	Page    int
	PerPage int
}

// AwardListRow is one record in the list.
type AwardListRow struct {
	ID          int64
	Ref         string
	Title       string
	State       rules.CallState
	TenantSlug  string
	TenantName  string
	DecidedAt   *time.Time // decision recorded (or cancellation)
	AwardedAt   *time.Time
	CancelledAt *time.Time
}

// StateLabel names the state in German.
func (r AwardListRow) StateLabel() string { return rules.DecisionStateLabel(r.State) }

// AwardList is one page of records with the Kreise for the filter.
type AwardList struct {
	Rows []AwardListRow
	calls.ListPage
	Filter AwardListFilter
}

// PublicAwards lists award records of all Kreise (or one), newest decision or
// cancellation first, in two queries.
func PublicAwards(ctx context.Context, db *gorm.DB, f AwardListFilter) (*AwardList, error) {
	db = db.WithContext(ctx)
	f.Page, f.PerPage = calls.PageWindow(f.Page, f.PerPage)
	var rows []struct {
		AwardListRow
		FullCount int64
	}
	err := db.Raw(`SELECT c.id, c.ref, c.title, c.state, t.slug AS tenant_slug, t.name AS tenant_name,
			d.recorded_at AS decided_at, d.awarded_at, c.cancelled_at, count(*) OVER () AS full_count
		FROM calls c JOIN tenants t ON t.id = c.tenant_id LEFT JOIN decisions d ON d.call_id = c.id
		WHERE c.state IN ? AND (? = '' OR t.slug = ?)
		ORDER BY coalesce(d.awarded_at, d.recorded_at, c.cancelled_at, c.published_at) DESC, c.id DESC LIMIT ? OFFSET ?`,
		awardStateArgs(), f.Kreis, f.Kreis, f.PerPage, (f.Page-1)*f.PerPage).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("list award records: %w", err)
	}
	out := &AwardList{Filter: f}
	var total int64
	for _, r := range rows {
		out.Rows = append(out.Rows, r.AwardListRow)
		total = r.FullCount
	}
	if out.ListPage, err = calls.NewListPage(db, f.Page, f.PerPage, total); err != nil {
		return nil, err
	}
	return out, nil
}
