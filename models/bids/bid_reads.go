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
	"kimibv/models/vault"
)

// OrgBidRow is one bid in the organisation's list.
type OrgBidRow struct {
	ID                  int64
	CallID              int64
	CallRef             string
	CallTitle           string
	CallState           rules.CallState
	Deadline            *time.Time
	State               rules.BidState
	CurrentVersion      int
	DraftRev            int
	SubmittedRev        int
	UpdatedAt           time.Time
	UpdatedByName       string
	NeedsReconfirmation bool
	ReceiptAt           *time.Time
	Outcome             string // the kind of the organisation's notice, once the notices are out
}

// OutcomeLabel is the result of the procedure for this bid, once the notices are out
// (rules.md R20): "Berücksichtigt", "Nicht berücksichtigt" or "Ausgeschlossen"; "" before.
func (r OrgBidRow) OutcomeLabel() string {
	switch r.Outcome {
	case "selected":
		return "Berücksichtigt"
	case "not_selected":
		return "Nicht berücksichtigt"
	case "excluded":
		return "Nicht berücksichtigt (ausgeschlossen)"
	}
	return ""
}

// Unsubmitted reports whether the working copy has changes that are not submitted.
func (r OrgBidRow) Unsubmitted() bool {
	return r.State == rules.BidSubmitted && r.DraftRev != r.SubmittedRev
}

// OrgBids lists the organisation's bids, newest change first. Only members may list.
func OrgBids(ctx context.Context, db *gorm.DB, actor *core.Actor, orgID int64) ([]OrgBidRow, error) {
	if !actor.InOrg(orgID) {
		return nil, fmt.Errorf("bids of org %d: %w", orgID, core.ErrNotFound)
	}
	var rows []OrgBidRow
	err := db.WithContext(ctx).Raw(`SELECT b.id, b.call_id, c.ref AS call_ref, c.title AS call_title, c.state AS call_state, c.deadline,
		b.state, b.current_version, b.draft_rev, b.submitted_rev, b.updated_at, coalesce(u.name, '') AS updated_by_name, b.needs_reconfirmation,
		(SELECT v.receipt_at FROM bid_versions v WHERE v.bid_id = b.id AND v.version = b.current_version) AS receipt_at,
		COALESCE((SELECT n.kind FROM notices n JOIN decisions d ON d.call_id = n.call_id
			WHERE n.bid_id = b.id AND d.notified_at IS NOT NULL), '') AS outcome
		FROM bids b JOIN calls c ON c.id = b.call_id LEFT JOIN users u ON u.id = b.updated_by
		WHERE b.org_id = ? ORDER BY b.updated_at DESC, b.id DESC`, orgID).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("list bids: %w", err)
	}
	return rows, nil
}

// VersionRow is a submitted version as its organisation sees it.
type VersionRow struct {
	Version       int
	CallVersion   int
	Kind          string
	ContentSHA256 string `gorm:"column:content_sha256"`
	ReceiptAt     *time.Time
	SubmittedBy   string
	Files         []vault.BidFileRow `gorm:"-"`
}

// KindLabel returns the German kind of the version.
func (v VersionRow) KindLabel() string {
	if v.Kind == VersionReconfirmation {
		return "Erneute Bestätigung"
	}
	return "Einreichung"
}

// BidView is the organisation's own bid with its working copy, files, versions and what
// is missing before submission.
type BidView struct {
	Bid           Bid
	Call          calls.CallHeader
	Content       rules.CallContent // the call's current version
	Draft         rules.BidDraft
	Files         map[string]vault.BidFileRow
	Versions      []VersionRow // newest first
	UpdatedByName string
	Missing       []rules.Missing
	Open          bool // the deadline has not passed at now and the call is published
}

// Unsubmitted reports whether the working copy differs from the last submitted version.
func (v *BidView) Unsubmitted() bool {
	return v.Bid.CurrentVersion > 0 && v.Bid.DraftRev != v.Bid.SubmittedRev
}

// CanSubmit reports whether the submit button is shown: open, not withdrawn, complete and
// either never submitted, changed since, or awaiting re-confirmation.
func (v *BidView) CanSubmit() bool {
	return v.Open && v.Bid.State != rules.BidWithdrawn && len(v.Missing) == 0 &&
		(v.Bid.CurrentVersion == 0 || v.Bid.DraftRev != v.Bid.SubmittedRev || v.Bid.NeedsReconfirmation)
}

// CanEdit reports whether the working copy may change (open and not withdrawn).
func (v *BidView) CanEdit() bool { return v.Open && v.Bid.State != rules.BidWithdrawn }

// CanWithdraw reports whether the bid may be withdrawn.
func (v *BidView) CanWithdraw() bool { return v.Open && v.Bid.State == rules.BidSubmitted }

// OwnBid returns the organisation's bid for a member (decrypting the working copy);
// other organisations' bids are ErrNotFound. now decides only what the page offers; the
// use cases check the deadline with the database clock.
func OwnBid(ctx context.Context, db *gorm.DB, vlt *vault.Vault, actor *core.Actor, scope core.BidScope, now time.Time) (*BidView, error) {
	orgID, bidID := scope.Org, scope.Bid
	if !actor.InOrg(orgID) {
		return nil, fmt.Errorf("bid of org %d: %w", orgID, core.ErrNotFound)
	}
	db = db.WithContext(ctx)
	var v BidView
	res := db.Raw(`SELECT * FROM bids WHERE id = ? AND org_id = ?`, bidID, orgID).Scan(&v.Bid)
	if res.Error != nil {
		return nil, fmt.Errorf("load bid %d: %w", bidID, res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, fmt.Errorf("bid %d: %w", bidID, core.ErrNotFound)
	}
	if err := db.Raw(calls.CallHeaderSelect+`WHERE c.id = ?`, v.Bid.CallID).Scan(&v.Call).Error; err != nil {
		return nil, fmt.Errorf("load call: %w", err)
	}
	var err error
	if v.Content, err = calls.VersionContent(db, v.Call.ID, v.Call.CurrentVersion); err != nil {
		return nil, err
	}
	d, err := openDraft(db, vlt, &v.Bid)
	if err != nil {
		return nil, err
	}
	v.Draft = *d
	if v.Bid.UpdatedBy != nil {
		if err := db.Raw(`SELECT name FROM users WHERE id = ?`, *v.Bid.UpdatedBy).Scan(&v.UpdatedByName).Error; err != nil {
			return nil, fmt.Errorf("load user: %w", err)
		}
	}
	var files []vault.BidFileRow
	if err := db.Raw(`SELECT d.doc_key, d.file_id, f.name, f.name_sealed, f.size, f.sha256, d.source_doc_id, d.added_at FROM bid_draft_files d
		JOIN files f ON f.id = d.file_id WHERE d.bid_id = ?`, bidID).Scan(&files).Error; err != nil {
		return nil, fmt.Errorf("load bid files: %w", err)
	}
	if err := vault.OpenBidFileNames(db, vlt, v.Bid.CallID, files); err != nil {
		return nil, err
	}
	v.Files = map[string]vault.BidFileRow{}
	have := map[string]bool{}
	for _, f := range files {
		v.Files[f.DocKey], have[f.DocKey] = f, true
	}
	if v.Versions, err = versionRows(db, vlt, v.Bid.CallID, bidID); err != nil {
		return nil, err
	}
	v.Missing = rules.BidMissing(&v.Content, &v.Draft, have)
	v.Open = v.Call.State == rules.CallPublished && v.Call.Deadline != nil && !now.After(*v.Call.Deadline)
	return &v, nil
}

// versionRows loads a bid's versions (newest first) with their files (two queries),
// opening the files' sealed names with the call's key.
func versionRows(db *gorm.DB, vlt *vault.Vault, callID, bidID int64) ([]VersionRow, error) {
	var out []VersionRow
	if err := db.Raw(`SELECT v.version, v.call_version, v.kind, v.content_sha256, v.receipt_at, u.name AS submitted_by
		FROM bid_versions v JOIN users u ON u.id = v.submitted_by WHERE v.bid_id = ? ORDER BY v.version DESC`, bidID).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("load versions: %w", err)
	}
	var files []struct {
		Version int
		vault.BidFileRow
	}
	if err := db.Raw(`SELECT version, doc_key, file_id, name, name_sealed, size, sha256 FROM bid_version_files WHERE bid_id = ? ORDER BY doc_key`, bidID).
		Scan(&files).Error; err != nil {
		return nil, fmt.Errorf("load version files: %w", err)
	}
	rows := make([]vault.BidFileRow, len(files))
	for i := range files {
		rows[i] = files[i].BidFileRow
	}
	if err := vault.OpenBidFileNames(db, vlt, callID, rows); err != nil {
		return nil, err
	}
	for i := range files {
		files[i].BidFileRow = rows[i]
	}
	for i := range out {
		for _, f := range files {
			if f.Version == out[i].Version {
				out[i].Files = append(out[i].Files, f.BidFileRow)
			}
		}
	}
	return out, nil
}

// OpenOwnBidFile streams a file of the organisation's bid (working copy or a version) to
// a member; anybody else gets ErrNotFound.
func OpenOwnBidFile(ctx context.Context, db *gorm.DB, vlt *vault.Vault, actor *core.Actor, scope core.BidScope, fileID int64) (io.ReadCloser, vault.File, error) {
	orgID, bidID := scope.Org, scope.Bid
	if !actor.InOrg(orgID) {
		return nil, vault.File{}, fmt.Errorf("bid of org %d: %w", orgID, core.ErrNotFound)
	}
	var n int64
	if err := db.WithContext(ctx).Raw(`SELECT count(*) FROM bids b WHERE b.id = ? AND b.org_id = ? AND (
		EXISTS (SELECT 1 FROM bid_draft_files d WHERE d.bid_id = b.id AND d.file_id = ?) OR
		EXISTS (SELECT 1 FROM bid_version_files f WHERE f.bid_id = b.id AND f.file_id = ?))`, bidID, orgID, fileID, fileID).Scan(&n).Error; err != nil {
		return nil, vault.File{}, fmt.Errorf("bid file: %w", err)
	}
	if n == 0 {
		return nil, vault.File{}, fmt.Errorf("bid file %d: %w", fileID, core.ErrNotFound)
	}
	return vault.OpenFile(ctx, db, vlt, fileID)
}

// Receipt is the content of an Eingangsbestätigung: what was received when, with hashes.
type Receipt struct {
	OrgName  string
	Call     calls.CallHeader
	Version  VersionRow
	Lots     []ReceiptLot
	BidID    int64
	CallText rules.CallContent // the call version the bid refers to
}

// ReceiptLot is a lot with the posts applied for.
type ReceiptLot struct {
	Key, Name string
	FTE       string // German, e.g. "1,50"
}

// OwnReceipt returns the receipt of version n of the organisation's bid (decrypting the
// frozen content for the lots), for members only.
func OwnReceipt(ctx context.Context, db *gorm.DB, vlt *vault.Vault, actor *core.Actor, scope core.BidScope, n int) (*Receipt, error) {
	orgID, bidID := scope.Org, scope.Bid
	if !actor.InOrg(orgID) {
		return nil, fmt.Errorf("bid of org %d: %w", orgID, core.ErrNotFound)
	}
	return receiptOf(ctx, db, vlt, orgID, bidID, n)
}

// receiptOf builds a receipt (no rights check).
func receiptOf(ctx context.Context, db *gorm.DB, vlt *vault.Vault, orgID, bidID int64, n int) (*Receipt, error) {
	db = db.WithContext(ctx)
	var ver BidVersion
	res := db.Raw(`SELECT * FROM bid_versions WHERE bid_id = ? AND org_id = ? AND version = ?`, bidID, orgID, n).Scan(&ver)
	if res.Error != nil {
		return nil, fmt.Errorf("load version: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, fmt.Errorf("version %d of bid %d: %w", n, bidID, core.ErrNotFound)
	}
	r := &Receipt{BidID: bidID}
	if err := db.Raw(`SELECT name FROM organizations WHERE id = ?`, orgID).Scan(&r.OrgName).Error; err != nil {
		return nil, fmt.Errorf("load organisation: %w", err)
	}
	if err := db.Raw(calls.CallHeaderSelect+`WHERE c.id = ?`, ver.CallID).Scan(&r.Call).Error; err != nil {
		return nil, fmt.Errorf("load call: %w", err)
	}
	rows, err := versionRows(db, vlt, ver.CallID, bidID)
	if err != nil {
		return nil, err
	}
	for _, row := range rows {
		if row.Version == n {
			r.Version = row
		}
	}
	if r.CallText, err = calls.VersionContent(db, ver.CallID, ver.CallVersion); err != nil {
		return nil, err
	}
	plain, err := vlt.OpenBytes(db, ver.CallID, ver.Content)
	if err != nil {
		return nil, err
	}
	if rules.BidSHA256(plain) != ver.ContentSHA256 {
		return nil, fmt.Errorf("version %d of bid %d: content does not match its SHA-256", n, bidID)
	}
	bc, err := rules.DecodeBid(plain)
	if err != nil {
		return nil, err
	}
	for _, l := range r.CallText.Lots {
		if fte, ok := bc.Lots[l.Key]; ok {
			r.Lots = append(r.Lots, ReceiptLot{Key: l.Key, Name: l.Name, FTE: rules.FormatFTE(fte)})
		}
	}
	return r, nil
}
