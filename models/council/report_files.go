package council

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"gorm.io/gorm"

	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/models/rules"
	"kimibv/models/store"
	"kimibv/models/vault"
)

// ReportFile is a PDF attached to a status report (or waiting for the next one).
type ReportFile struct {
	FileID   int64     `json:"-"`
	ReportID int64     `json:"-"`
	Name     string    `json:"name"`
	Size     int64     `json:"size"`
	SHA256   string    `json:"sha256" gorm:"column:sha256"`
	AddedAt  time.Time `json:"-"`
}

// ReportFileInput is an uploaded PDF for the next status report: the client's file name,
// the content as a stream (checked by vault.StoreFile: PDF by content, size limit,
// sanitised name) and the largest accepted size.
type ReportFileInput struct {
	Name     string
	File     io.Reader
	MaxBytes int64
}

// AddReportFile stores an uploaded PDF as an attachment of the procedure's next status
// report (rules.md R32: only uploaded files, never anything of a bid); audited as
// council.report_file_added. Only the Kreis's leads; other procedures are ErrNotFound.
func AddReportFile(ctx context.Context, db *gorm.DB, vlt *vault.Vault, actor *core.Actor, scope core.CallScope, in ReportFileInput, now time.Time) error {
	if err := requireLead(actor, scope.Tenant); err != nil {
		return err
	}
	if in.File == nil {
		return rules.FileError("anlage", "missing", in.MaxBytes)
	}
	return store.InTx(ctx, db, func(tx *gorm.DB) error {
		c, err := loadCall(tx, scope.Tenant, scope.Call)
		if err != nil {
			return err
		}
		f, err := vault.StoreFile(ctx, tx, vlt, vault.FileInput{CallID: c.ID, Kind: "council", Name: in.Name, Reader: in.File,
			MaxBytes: in.MaxBytes, CreatedBy: actor.UserID, Field: "anlage"})
		if err != nil {
			return err
		}
		if err := tx.Exec(`INSERT INTO council_report_files (file_id, call_id, tenant_id, name, added_by, added_at) VALUES (?, ?, ?, ?, ?, ?)`,
			f.ID, c.ID, c.TenantID, f.Name, actor.UserID, now).Error; err != nil {
			return fmt.Errorf("store report file: %w", err)
		}
		_, err = audit.Audit(tx, audit.Event{Chain: audit.CallChain(c.ID), ActorID: actor.UserID, TenantID: c.TenantID,
			Action: "council.report_file_added", ObjectType: "call", ObjectID: strconv.FormatInt(c.ID, 10),
			Details: map[string]any{"attachment": f.Name, "file_sha256": f.SHA256, "size": f.Size}})
		return err
	})
}

// reportFiles lists the attachments of a procedure's reports (waiting ones with
// ReportID 0) in upload order.
func reportFiles(tx *gorm.DB, callID int64, waitingOnly bool) ([]ReportFile, error) {
	var out []ReportFile
	if err := tx.Raw(`SELECT r.file_id, coalesce(r.report_id, 0) AS report_id, r.name, f.size, f.sha256, r.added_at
		FROM council_report_files r JOIN files f ON f.id = r.file_id
		WHERE r.call_id = ? AND (NOT ? OR r.report_id IS NULL) ORDER BY r.added_at, r.file_id`, callID, waitingOnly).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("load report files: %w", err)
	}
	return out, nil
}

// WaitingReportFiles lists the attachments uploaded for the procedure's next report (leads only).
func WaitingReportFiles(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.CallScope) ([]ReportFile, error) {
	if err := requireLead(actor, scope.Tenant); err != nil {
		return nil, err
	}
	c, err := loadCall(db.WithContext(ctx), scope.Tenant, scope.Call)
	if err != nil {
		return nil, err
	}
	return reportFiles(db.WithContext(ctx), c.ID, true)
}

// OpenReportFile streams attachment fileID of report reportID for a council member or a
// lead of the Kreis; anything else (another Kreis, procedure or report, a waiting file)
// is ErrNotFound.
func OpenReportFile(ctx context.Context, db *gorm.DB, vlt *vault.Vault, actor *core.Actor, scope core.CallScope, reportID, fileID int64) (io.ReadCloser, vault.File, error) {
	if !actor.HasTenantRole(scope.Tenant, core.RoleLead) && !actor.HasTenantRole(scope.Tenant, core.RoleCouncil) {
		return nil, vault.File{}, fmt.Errorf("council report file of Kreis %d: %w", scope.Tenant, core.ErrNotFound)
	}
	var n int64
	if err := db.WithContext(ctx).Raw(`SELECT count(*) FROM council_report_files WHERE file_id = ? AND report_id = ? AND call_id = ? AND tenant_id = ?`,
		fileID, reportID, scope.Call, scope.Tenant).Scan(&n).Error; err != nil {
		return nil, vault.File{}, fmt.Errorf("load report file %d: %w", fileID, err)
	}
	if n == 0 {
		return nil, vault.File{}, fmt.Errorf("report file %d: %w", fileID, core.ErrNotFound)
	}
	return vault.OpenFile(ctx, db, vlt, fileID)
}
