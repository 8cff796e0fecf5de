package audit

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"kimibv/models/core"
)

// exportBatch is the number of entries an export reads, names and writes at a time, so
// that a long trail is never held in memory as a whole.
const exportBatch = 500

// ExportAudit streams the Kreis's entries that match q (its cursor is ignored), oldest
// first, to each in batches of named entries (Shown filled), under the same gates as
// ListAudit (kreisEntriesSQL, the seal; details hidden from the named evaluators of a
// procedure). It verifies the Kreis's chain first and returns that check, which the
// export states. Bad filter input is a *ValidationError, before anything is written.
func ExportAudit(ctx context.Context, db *gorm.DB, actor *core.Actor, tenantID int64, q AuditQuery,
	start func(Verification) error, each func([]AuditRow) error) error {
	opts, err := AuditFilterOptions(ctx, db, actor, tenantID)
	if err != nil {
		return err
	}
	q.Cursor = ""
	where, args, _, err := auditConditions(q, opts)
	if err != nil {
		return err
	}
	v, err := VerifyChain(ctx, db, TenantChain(tenantID))
	if err != nil {
		return err
	}
	if err := start(v); err != nil {
		return err
	}
	sql := kreisRowsSQL()
	for _, w := range where {
		sql += " AND " + w
	}
	var after *auditCursor
	for {
		s, a := sql, append([]any{actor.UserID, tenantID, tenantID}, args...)
		if after != nil {
			s += " AND (a.created_at, a.chain, a.seq) > (?, ?, ?)"
			a = append(a, after.At, after.Chain, after.Seq)
		}
		s += ` ORDER BY a.created_at, a.chain, a.seq LIMIT ?`
		var rows []AuditRow
		if err := db.WithContext(ctx).Raw(s, append(a, exportBatch)...).Scan(&rows).Error; err != nil {
			return fmt.Errorf("export audit: %w", err)
		}
		if len(rows) == 0 {
			return nil
		}
		names, err := LoadNames(ctx, db, rows, actor, tenantID)
		if err != nil {
			return err
		}
		for i := range rows {
			rows[i].Shown = rows[i].Show(names)
		}
		if err := each(rows); err != nil {
			return err
		}
		if len(rows) < exportBatch {
			return nil
		}
		last := rows[len(rows)-1]
		after = &auditCursor{At: last.CreatedAt, Chain: last.Chain, Seq: last.Seq}
	}
}
