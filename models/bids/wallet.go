package bids

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/models/rules"
	"kimibv/models/store"
	"kimibv/models/vault"
)

// WalletDocument is a standing document in an organisation's wallet (Dokumentenmappe).
// IssuedOn and ValidUntil are calendar dates (midnight UTC).
type WalletDocument struct {
	ID         int64
	OrgID      int64
	DocType    rules.DocType
	FileID     int64
	IssuedOn   *time.Time
	ValidUntil *time.Time
	Note       string
	UploadedBy *int64
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// TableName maps WalletDocument to org_documents.
func (WalletDocument) TableName() string { return "org_documents" }

// WalletEntry is a wallet document as the list shows it: with its file and expiry flag.
type WalletEntry struct {
	WalletDocument
	FileName     string
	Size         int64
	SHA256       string
	UploaderName string
	Flag         rules.ExpiryFlag
	CurrentUntil *time.Time
}

// FlagLabel returns the German expiry flag ("" when current).
func (e WalletEntry) FlagLabel() string { return rules.ExpiryLabel(e.DocType, e.Flag) }

// SizeLabel returns the file size in German units ("850 KB", "2,5 MB").
func (e WalletEntry) SizeLabel() string {
	return rules.FormatFileSize(e.Size)
}

// WalletInput is the upload form of a wallet document. File is read once, streaming.
type WalletInput struct {
	DocType    string
	IssuedOn   string
	ValidUntil string
	Note       string
	FileName   string
	File       io.Reader // nil when the form carried no file
	MaxBytes   int64
}

// walletFields are the validated fields of a WalletInput.
type walletFields struct {
	docType              rules.DocType
	issuedOn, validUntil *time.Time
}

// validate checks the form fields (not the file content, which StoreFile checks while
// streaming) against now's calendar day.
func (in *WalletInput) validate(docType rules.DocType, now time.Time) (walletFields, *core.ValidationError) {
	v := &core.ValidationError{}
	f := walletFields{docType: docType}
	if !docType.Valid() {
		v.Add("doc_type", "required", "Bitte wählen Sie die Art des Dokuments aus.")
	}
	today := rules.CivilDay(now)
	date := func(field, raw, label string) *time.Time {
		if raw == "" {
			v.Add(field, "required", "Bitte geben Sie "+label+" an.")
			return nil
		}
		d, ok := rules.ParseDateDE(raw)
		if !ok {
			v.Add(field, "invalid", "Bitte geben Sie "+label+" im Format TT.MM.JJJJ an.")
			return nil
		}
		return &d
	}
	if docType.HasIssuedOn() {
		label := "das Datum des Bescheids"
		if docType == rules.DocRegister {
			label = "das Datum des Auszugs"
		}
		if f.issuedOn = date("issued_on", in.IssuedOn, label); f.issuedOn != nil && f.issuedOn.After(today) {
			v.Add("issued_on", "future", "Das Datum darf nicht in der Zukunft liegen.")
		}
	}
	if docType.HasValidUntil() {
		f.validUntil = date("valid_until", in.ValidUntil, "das Ende der Gültigkeit")
		if f.validUntil != nil && f.issuedOn != nil && f.validUntil.Before(*f.issuedOn) {
			v.Add("valid_until", "before_issue", "Das Ende der Gültigkeit muss nach dem Datum des Bescheids liegen.")
		}
	}
	core.CheckText(v, "note", "eine Bemerkung", in.Note, false, 500)
	if in.File == nil {
		v.Add("datei", "missing", rules.FileMessages["missing"])
	}
	return f, v
}

// walletAccess admits members of the organisation; everybody else learns nothing (404).
func walletAccess(actor *core.Actor, orgID int64) error {
	if !actor.InOrg(orgID) {
		return fmt.Errorf("wallet of organisation %d: %w", orgID, core.ErrNotFound)
	}
	return nil
}

// LockMembership re-checks in tx that the actor still belongs to the organisation (a user
// removed mid-request gets 404) and keeps the membership from being removed concurrently.
func LockMembership(tx *gorm.DB, actor *core.Actor, orgID int64) error {
	var n int64
	if err := tx.Raw(`SELECT count(*) FROM (SELECT 1 FROM organization_members WHERE org_id = ? AND user_id = ? FOR SHARE) m`,
		orgID, actor.UserID).Scan(&n).Error; err != nil {
		return fmt.Errorf("check membership: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("organisation %d: %w", orgID, core.ErrNotFound)
	}
	return nil
}

func walletAudit(tx *gorm.DB, actor *core.Actor, action string, d WalletDocument, f vault.File) error {
	_, err := audit.Audit(tx, audit.Event{Chain: audit.ChainPlatform, ActorID: actor.UserID, Action: action, ObjectType: "org_document",
		ObjectID: strconv.FormatInt(d.ID, 10), Details: map[string]any{"org_id": d.OrgID, "doc_type": string(d.DocType),
			"file": f.Name, "size": f.Size, "sha256": f.SHA256}})
	return err
}

// AddWalletDocument stores an uploaded standing document in the organisation's wallet
// (encrypted with the organisation's data key) and records wallet.document_added.
// Invalid fields are reported before the file is read.
func AddWalletDocument(ctx context.Context, db *gorm.DB, vlt *vault.Vault, actor *core.Actor, orgID int64, in WalletInput, now time.Time) (WalletDocument, error) {
	if err := walletAccess(actor, orgID); err != nil {
		return WalletDocument{}, err
	}
	fields, v := in.validate(rules.DocType(in.DocType), now)
	if err := v.OrNil(); err != nil {
		return WalletDocument{}, err
	}
	var doc WalletDocument
	err := store.InTx(ctx, db, func(tx *gorm.DB) error {
		if err := LockMembership(tx, actor, orgID); err != nil {
			return err
		}
		f, err := vault.StoreFile(ctx, tx, vlt, vault.FileInput{OrgID: orgID, Kind: "wallet", Name: in.FileName, Reader: in.File,
			MaxBytes: in.MaxBytes, CreatedBy: actor.UserID, Field: "datei"})
		if err != nil {
			return err
		}
		doc = WalletDocument{OrgID: orgID, DocType: fields.docType, FileID: f.ID, IssuedOn: fields.issuedOn,
			ValidUntil: fields.validUntil, Note: in.Note, UploadedBy: &actor.UserID, CreatedAt: now, UpdatedAt: now}
		if err := tx.Create(&doc).Error; err != nil {
			return fmt.Errorf("insert wallet document: %w", err)
		}
		return walletAudit(tx, actor, "wallet.document_added", doc, f)
	})
	return doc, err
}

// lockWalletDocument loads and locks a document of the organisation (else ErrNotFound).
func lockWalletDocument(tx *gorm.DB, orgID, docID int64) (WalletDocument, error) {
	var d WalletDocument
	err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ? AND org_id = ?", docID, orgID).First(&d).Error
	if err != nil {
		return d, store.NotFound(err, fmt.Sprintf("wallet document %d", docID))
	}
	return d, nil
}

// ReplaceWalletDocument replaces a document's file and dates (same type); the old file is
// deleted. A bid holds its own copy (AttachWalletDocument), so no bid changes. Records
// wallet.document_replaced.
func ReplaceWalletDocument(ctx context.Context, db *gorm.DB, vlt *vault.Vault, actor *core.Actor, orgID, docID int64, in WalletInput, now time.Time) (WalletDocument, error) {
	if err := walletAccess(actor, orgID); err != nil {
		return WalletDocument{}, err
	}
	var doc WalletDocument
	err := store.InTx(ctx, db, func(tx *gorm.DB) error {
		if err := LockMembership(tx, actor, orgID); err != nil {
			return err
		}
		var err error
		if doc, err = lockWalletDocument(tx, orgID, docID); err != nil {
			return err
		}
		fields, v := in.validate(doc.DocType, now)
		if err := v.OrNil(); err != nil {
			return err
		}
		f, err := vault.StoreFile(ctx, tx, vlt, vault.FileInput{OrgID: orgID, Kind: "wallet", Name: in.FileName, Reader: in.File,
			MaxBytes: in.MaxBytes, CreatedBy: actor.UserID, Field: "datei"})
		if err != nil {
			return err
		}
		old := doc.FileID
		doc.FileID, doc.IssuedOn, doc.ValidUntil, doc.Note, doc.UploadedBy, doc.UpdatedAt = f.ID, fields.issuedOn, fields.validUntil, in.Note, &actor.UserID, now
		if err := tx.Select("FileID", "IssuedOn", "ValidUntil", "Note", "UploadedBy", "UpdatedAt").Updates(&doc).Error; err != nil {
			return fmt.Errorf("update wallet document: %w", err)
		}
		if err := vault.DeleteFile(tx, old); err != nil {
			return err
		}
		return walletAudit(tx, actor, "wallet.document_replaced", doc, f)
	})
	return doc, err
}

// DeleteWalletDocument removes a document and its file; a bid keeps its own copy
// (AttachWalletDocument). Records wallet.document_removed.
func DeleteWalletDocument(ctx context.Context, db *gorm.DB, actor *core.Actor, orgID, docID int64) error {
	return store.InTx(ctx, db, func(tx *gorm.DB) error { return DeleteWalletDocumentTx(tx, actor, orgID, docID) })
}

// DeleteWalletDocumentTx is DeleteWalletDocument inside the caller's transaction tx: it checks, locks, writes and
// audits as DeleteWalletDocument does, but neither opens nor commits a transaction, so use cases compose.
func DeleteWalletDocumentTx(tx *gorm.DB, actor *core.Actor, orgID int64, docID int64) error {
	ctx := tx.Statement.Context
	if err := walletAccess(actor, orgID); err != nil {
		return err
	}
	if err := LockMembership(tx, actor, orgID); err != nil {
		return err
	}
	doc, err := lockWalletDocument(tx, orgID, docID)
	if err != nil {
		return err
	}
	f, err := vault.FileByID(ctx, tx, doc.FileID)
	if err != nil {
		return err
	}
	if err := tx.Delete(&WalletDocument{}, doc.ID).Error; err != nil {
		return fmt.Errorf("delete wallet document: %w", err)
	}
	if err := vault.DeleteFile(tx, doc.FileID); err != nil {
		return err
	}
	return walletAudit(tx, actor, "wallet.document_removed", doc, f)
}

// ListWallet returns the organisation's documents (by type, newest first) with their
// expiry flags on now's calendar day. Only members may list.
func ListWallet(ctx context.Context, db *gorm.DB, actor *core.Actor, orgID int64, now time.Time) ([]WalletEntry, error) {
	if err := walletAccess(actor, orgID); err != nil {
		return nil, err
	}
	var rows []WalletEntry
	err := db.WithContext(ctx).Raw(`SELECT d.*, f.name AS file_name, f.size, f.sha256, coalesce(u.name, '') AS uploader_name
		FROM org_documents d JOIN files f ON f.id = d.file_id LEFT JOIN users u ON u.id = d.uploaded_by
		WHERE d.org_id = ? ORDER BY array_position(ARRAY['freistellungsbescheid','satzung','registerauszug','vertretungsnachweis'], d.doc_type),
		d.updated_at DESC, d.id DESC`, orgID).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("list wallet: %w", err)
	}
	for i := range rows {
		rows[i].Flag, rows[i].CurrentUntil = rules.DocumentExpiry(rows[i].DocType, rows[i].IssuedOn, rows[i].ValidUntil, now)
	}
	return rows, nil
}

// WalletDocumentByID returns one document of the organisation for a member (else ErrNotFound).
func WalletDocumentByID(ctx context.Context, db *gorm.DB, actor *core.Actor, orgID, docID int64) (WalletDocument, error) {
	if err := walletAccess(actor, orgID); err != nil {
		return WalletDocument{}, err
	}
	var d WalletDocument
	if err := db.WithContext(ctx).Where("id = ? AND org_id = ?", docID, orgID).First(&d).Error; err != nil {
		return d, store.NotFound(err, fmt.Sprintf("wallet document %d", docID))
	}
	return d, nil
}

// OpenWalletDocument streams a wallet document's content to a member of its organisation;
// anybody else (other organisations, Kreis roles, the operator) gets ErrNotFound.
func OpenWalletDocument(ctx context.Context, db *gorm.DB, vlt *vault.Vault, actor *core.Actor, orgID, docID int64) (io.ReadCloser, vault.File, error) {
	d, err := WalletDocumentByID(ctx, db, actor, orgID, docID)
	if err != nil {
		return nil, vault.File{}, err
	}
	return vault.OpenFile(ctx, db, vlt, d.FileID)
}
