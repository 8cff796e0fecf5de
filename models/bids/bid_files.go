package bids

import (
	"context"
	"fmt"
	"io"
	"time"

	"gorm.io/gorm"

	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/rules"
	"kimibv/models/store"
	"kimibv/models/vault"
)

// BidFileInput is an upload for one required document of a bid. File is read once, streaming.
type BidFileInput struct {
	DocKey   string
	FileName string
	File     io.Reader
	MaxFile  int64 // per file (0: DefaultMaxFileBytes)
	MaxBid   int64 // all files of the bid together (0: DefaultMaxBidBytes)
}

// docField is the form field of a document's upload ("doc_U1").
func docField(key string) string { return "doc_" + key }

// checkBidForFile verifies, without locking the bid, that the organisation's bid exists,
// is editable and asks for the document, and returns how many bytes the bid may still
// take. The file is then stored before the bid row is locked, so that a slow upload never
// holds the lock a colleague's submission needs.
func checkBidForFile(tx *gorm.DB, actor *core.Actor, orgID, bidID int64, key string, maxBid int64) (*Bid, int64, error) {
	if err := LockMembership(tx, actor, orgID); err != nil {
		return nil, 0, err
	}
	var b Bid
	res := tx.Raw(`SELECT * FROM bids WHERE id = ? AND org_id = ?`, bidID, orgID).Scan(&b)
	if res.Error != nil {
		return nil, 0, fmt.Errorf("load bid %d: %w", bidID, res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, 0, fmt.Errorf("bid %d: %w", bidID, core.ErrNotFound)
	}
	var row struct {
		Version int
		Used    int64
	}
	if err := tx.Raw(`SELECT c.current_version AS version,
		(SELECT coalesce(sum(f.size), 0) FROM bid_draft_files d JOIN files f ON f.id = d.file_id WHERE d.bid_id = ? AND d.doc_key <> ?) AS used
		FROM calls c WHERE c.id = ?`, b.ID, key, b.CallID).Scan(&row).Error; err != nil {
		return nil, 0, fmt.Errorf("bid files: %w", err)
	}
	content, err := calls.VersionContent(tx, b.CallID, row.Version)
	if err != nil {
		return nil, 0, err
	}
	if _, ok := RequiredDoc(&content, key); !ok {
		return nil, 0, fmt.Errorf("document %q of bid %d: %w", key, bidID, core.ErrNotFound)
	}
	if maxBid <= 0 {
		maxBid = vault.DefaultMaxBidBytes
	}
	left := maxBid - row.Used
	if left <= 0 {
		v := &core.ValidationError{}
		v.Add(docField(key), "bid_full", fmt.Sprintf("Alle Unterlagen einer Interessenbekundung zusammen dürfen höchstens %s groß sein. Entfernen oder verkleinern Sie zuerst andere Dateien.", rules.FormatMB(maxBid)))
		return nil, 0, v
	}
	return &b, left, nil
}

// linkBidFile locks the bid, checks that it is still editable, and puts file f under key,
// replacing (and deleting, unless a submitted version holds it) the previous file.
func linkBidFile(tx *gorm.DB, actor *core.Actor, orgID, bidID int64, key string, f vault.File, sourceDoc *int64, now time.Time) error {
	b, _, err := lockEditableBid(tx, actor, orgID, bidID, "Das Hinzufügen von Unterlagen")
	if err != nil {
		return err
	}
	var old []int64
	if err := tx.Raw(`SELECT file_id FROM bid_draft_files WHERE bid_id = ? AND doc_key = ?`, b.ID, key).Scan(&old).Error; err != nil {
		return fmt.Errorf("bid file: %w", err)
	}
	if err := tx.Exec(`INSERT INTO bid_draft_files (bid_id, doc_key, file_id, source_doc_id, added_by, added_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (bid_id, doc_key) DO UPDATE SET file_id = EXCLUDED.file_id, source_doc_id = EXCLUDED.source_doc_id,
		added_by = EXCLUDED.added_by, added_at = EXCLUDED.added_at`, b.ID, key, f.ID, sourceDoc, actor.UserID, now).Error; err != nil {
		return fmt.Errorf("link bid file: %w", err)
	}
	if err := dropUnheldFiles(tx, old); err != nil {
		return err
	}
	if err := touchBid(tx, actor, b, now, false); err != nil {
		return err
	}
	return bidAudit(tx, actor, b, "bid.file_added", map[string]any{"doc_key": key, "size": f.Size, "from_wallet": sourceDoc != nil})
}

// dropUnheldFiles deletes files that no submitted version holds.
func dropUnheldFiles(tx *gorm.DB, ids []int64) error {
	for _, id := range ids {
		var held int64
		if err := tx.Raw(`SELECT count(*) FROM bid_version_files WHERE file_id = ?`, id).Scan(&held).Error; err != nil {
			return fmt.Errorf("bid file %d: %w", id, err)
		}
		if held == 0 {
			if err := vault.DeleteFile(tx, id); err != nil {
				return err
			}
		}
	}
	return nil
}

// AddBidFile stores an uploaded PDF for a required document of the bid, encrypted with
// the call's data key (StoreFile: content-checked, streamed, size-limited per file and
// per bid). Records bid.file_added.
func AddBidFile(ctx context.Context, db *gorm.DB, vlt *vault.Vault, actor *core.Actor, scope core.BidScope, in BidFileInput, now time.Time) error {
	return store.InTx(ctx, db, func(tx *gorm.DB) error { return AddBidFileTx(tx, vlt, actor, scope, in, now) })
}

// AddBidFileTx is AddBidFile inside the caller's transaction tx: it checks, locks, writes and
// audits as AddBidFile does, but neither opens nor commits a transaction, so use cases compose.
func AddBidFileTx(tx *gorm.DB, vlt *vault.Vault, actor *core.Actor, scope core.BidScope, in BidFileInput, now time.Time) error {
	ctx := tx.Statement.Context
	orgID, bidID := scope.Org, scope.Bid
	if !actor.InOrg(orgID) {
		return fmt.Errorf("bid of org %d: %w", orgID, core.ErrNotFound)
	}
	if in.File == nil {
		v := &core.ValidationError{}
		v.Add(docField(in.DocKey), "missing", rules.FileMessages["missing"])
		return v
	}
	b, left, err := checkBidForFile(tx, actor, orgID, bidID, in.DocKey, in.MaxBid)
	if err != nil {
		return err
	}
	limit := in.MaxFile
	if limit <= 0 {
		limit = vault.DefaultMaxFileBytes
	}
	f, err := vault.StoreFile(ctx, tx, vlt, vault.FileInput{CallID: b.CallID, OrgID: orgID, Kind: "bid", Name: in.FileName, Reader: in.File,
		MaxBytes: min(limit, left), CreatedBy: actor.UserID, Field: docField(in.DocKey)})
	if err != nil {
		return err
	}
	return linkBidFile(tx, actor, orgID, bidID, in.DocKey, f, nil, now)
}

// AttachWalletDocument puts a copy of a document from the organisation's wallet under a
// required document of the bid, re-encrypted with the call's data key. The copy belongs
// to the bid: replacing the wallet document later does not change a submitted version.
func AttachWalletDocument(ctx context.Context, db *gorm.DB, vlt *vault.Vault, actor *core.Actor, scope core.BidScope, key string, docID int64, maxBid int64, now time.Time) error {
	return store.InTx(ctx, db, func(tx *gorm.DB) error { return AttachWalletDocumentTx(tx, vlt, actor, scope, key, docID, maxBid, now) })
}

// AttachWalletDocumentTx is AttachWalletDocument inside the caller's transaction tx: it checks, locks, writes and
// audits as AttachWalletDocument does, but neither opens nor commits a transaction, so use cases compose.
func AttachWalletDocumentTx(tx *gorm.DB, vlt *vault.Vault, actor *core.Actor, scope core.BidScope, key string, docID int64, maxBid int64, now time.Time) error {
	ctx := tx.Statement.Context
	orgID, bidID := scope.Org, scope.Bid
	if !actor.InOrg(orgID) {
		return fmt.Errorf("bid of org %d: %w", orgID, core.ErrNotFound)
	}
	b, left, err := checkBidForFile(tx, actor, orgID, bidID, key, maxBid)
	if err != nil {
		return err
	}
	doc, err := WalletDocumentByID(ctx, tx, actor, orgID, docID)
	if err != nil {
		return err
	}
	src, err := vault.FileByID(ctx, tx, doc.FileID)
	if err != nil {
		return err
	}
	if src.Size > left {
		v := &core.ValidationError{}
		v.Add(docField(key), "bid_full", fmt.Sprintf("Alle Unterlagen einer Interessenbekundung zusammen dürfen höchstens %s groß sein.", rules.FormatMB(maxBid)))
		return v
	}
	f, err := vault.CopyFile(ctx, tx, vlt, doc.FileID, vault.FileInput{CallID: b.CallID, OrgID: orgID, Kind: "bid", CreatedBy: actor.UserID, Field: docField(key)})
	if err != nil {
		return err
	}
	return linkBidFile(tx, actor, orgID, bidID, key, f, &doc.ID, now)
}

// RemoveBidFile removes the working copy's file of a required document. Records bid.file_removed.
func RemoveBidFile(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.BidScope, key string, now time.Time) error {
	return store.InTx(ctx, db, func(tx *gorm.DB) error { return RemoveBidFileTx(tx, actor, scope, key, now) })
}

// RemoveBidFileTx is RemoveBidFile inside the caller's transaction tx: it checks, locks, writes and
// audits as RemoveBidFile does, but neither opens nor commits a transaction, so use cases compose.
func RemoveBidFileTx(tx *gorm.DB, actor *core.Actor, scope core.BidScope, key string, now time.Time) error {
	orgID, bidID := scope.Org, scope.Bid
	if !actor.InOrg(orgID) {
		return fmt.Errorf("bid of org %d: %w", orgID, core.ErrNotFound)
	}
	b, _, err := lockEditableBid(tx, actor, orgID, bidID, "Das Entfernen von Unterlagen")
	if err != nil {
		return err
	}
	var old []int64
	if err := tx.Raw(`DELETE FROM bid_draft_files WHERE bid_id = ? AND doc_key = ? RETURNING file_id`, b.ID, key).Scan(&old).Error; err != nil {
		return fmt.Errorf("remove bid file: %w", err)
	}
	if len(old) == 0 {
		return fmt.Errorf("document %q of bid %d: %w", key, bidID, core.ErrNotFound)
	}
	if err := dropUnheldFiles(tx, old); err != nil {
		return err
	}
	if err := touchBid(tx, actor, b, now, false); err != nil {
		return err
	}
	return bidAudit(tx, actor, b, "bid.file_removed", map[string]any{"doc_key": key})
}
