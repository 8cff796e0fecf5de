package decision

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"kimibv/models/accounts"
	"kimibv/models/core"
	"kimibv/models/vault"
)

// LatestVermerk returns the call's most recent Vergabevermerk for its lead (ErrNotFound
// before the decision is recorded, for other Kreise and other roles; accounts.ErrCommitteeMember
// for a lead who is a named evaluator of the call).
func LatestVermerk(ctx context.Context, db *gorm.DB, actor *core.Actor, callID int64) (*vault.IssuedDocument, error) {
	var d []vault.IssuedDocument
	if err := db.WithContext(ctx).Raw(`SELECT * FROM issued_documents WHERE call_id = ? AND kind = 'vergabevermerk' ORDER BY id DESC LIMIT 1`,
		callID).Scan(&d).Error; err != nil {
		return nil, fmt.Errorf("load Vergabevermerk: %w", err)
	}
	if len(d) == 0 || !actor.HasTenantRole(d[0].TenantID, core.RoleLead) {
		return nil, fmt.Errorf("Vergabevermerk of call %d: %w", callID, core.ErrNotFound)
	}
	if err := accounts.RefuseCommitteeMember(db.WithContext(ctx), actor, callID); err != nil {
		return nil, err
	}
	if err := vault.OpenDocument(db.WithContext(ctx), &d[0]); err != nil {
		return nil, err
	}
	return &d[0], nil
}

// NoticeDocument returns the PDF of organisation orgID's notice id (members only).
func NoticeDocument(ctx context.Context, db *gorm.DB, actor *core.Actor, orgID, id int64) (*vault.IssuedDocument, error) {
	if !actor.InOrg(orgID) {
		return nil, fmt.Errorf("notice of org %d: %w", orgID, core.ErrNotFound)
	}
	var d []vault.IssuedDocument
	if err := db.WithContext(ctx).Raw(`SELECT d.* FROM notices_all n JOIN issued_documents d ON d.id = n.document_id
		WHERE n.id = ? AND n.org_id = ? AND d.recipient_org_id = n.org_id`, id, orgID).Scan(&d).Error; err != nil {
		return nil, fmt.Errorf("load notice document: %w", err)
	}
	if len(d) == 0 {
		return nil, fmt.Errorf("notice document %d: %w", id, core.ErrNotFound)
	}
	if err := vault.OpenDocument(db.WithContext(ctx), &d[0]); err != nil {
		return nil, err
	}
	return &d[0], nil
}
