package bids

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"kimibv/models/accounts"
	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/models/rules"
	"kimibv/models/store"
	"kimibv/models/vault"
)

// DocIssuer is what every procedure document states about who issues it: the Kreis, the
// issuing authority (the call's, else the Kreis's) and the letterhead lines.
type DocIssuer struct {
	Kreis      string `json:"kreis"`
	Authority  string `json:"authority"`
	Letterhead string `json:"letterhead"`
}

// DocIssuerOf reads the Kreis of a call; authority is the call's own (may be empty).
func DocIssuerOf(tx *gorm.DB, tenantID int64, authority string) (DocIssuer, error) {
	var t accounts.Tenant
	if err := tx.Where("id = ?", tenantID).First(&t).Error; err != nil {
		return DocIssuer{}, store.NotFound(err, fmt.Sprintf("tenant %d", tenantID))
	}
	if authority == "" {
		authority = t.Authority
	}
	lh := t.Letterhead
	if lh == "" {
		lh = t.Name
	}
	return DocIssuer{Kreis: t.Name, Authority: authority, Letterhead: lh}, nil
}

// ReceiptDocData is everything the Eingangsbestätigung PDF shows; its canonical JSON is
// the document's Prüfwert.
type ReceiptDocData struct {
	DocIssuer
	CallRef       string           `json:"call_ref"`
	CallTitle     string           `json:"call_title"`
	CallVersion   int              `json:"call_version"`
	OrgName       string           `json:"org_name"`
	BidID         int64            `json:"bid_id"`
	Version       int              `json:"version"`
	Kind          string           `json:"kind"` // German: Einreichung / Erneute Bestätigung
	SubmittedBy   string           `json:"submitted_by"`
	ReceiptAt     time.Time        `json:"receipt_at"` // database clock at COMMIT, UTC
	Lots          []ReceiptLot     `json:"lots"`
	ContentSHA256 string           `json:"content_sha256"`
	Files         []ReceiptDocFile `json:"files"`
	// Letter is the sender and the organisation's address; absent in receipts issued before
	// receipts became letters.
	Letter *accounts.LetterParties `json:"letter,omitempty"`
}

// ReceiptDocFile is a receipted file with its hash.
type ReceiptDocFile struct {
	DocKey  string `json:"doc_key"`
	DocName string `json:"doc_name,omitempty"` // the required document's name in the call, e.g. "Konzept"
	Name    string `json:"name"`
	Size    int64  `json:"size"`
	SHA256  string `json:"sha256"`
}

// Documents renders the documents of the bids stage as PDF: the Eingangsbestätigung of
// every submitted version. app/pdfdoc implements it.
type Documents interface {
	Eingangsbestaetigung(meta vault.DocMeta, d *ReceiptDocData) ([]byte, error)
}

// BidVersionObjectID is the object id of a bid version in issued_documents.
func BidVersionObjectID(bidID int64, version int) string {
	return strconv.FormatInt(bidID, 10) + ":" + strconv.Itoa(version)
}

// issueEingangsbestaetigung stores the Eingangsbestätigung PDF (kind eingangsbestaetigung,
// object bid_version, recipient the bidding organisation) on the call's sealed trail
// (SealedBidChain of the bid) and returns it with its pending document.issued entry. IssueBidReceipt
// calls it after the submission committed, when the receipt time exists, in its own
// idempotent transaction.
func issueEingangsbestaetigung(tx *gorm.DB, docs Documents, r *Receipt) (*PendingDocument, error) {
	if r.Version.ReceiptAt == nil {
		return nil, fmt.Errorf("receipt of bid %d version %d: no receipt time", r.BidID, r.Version.Version)
	}
	iss, err := DocIssuerOf(tx, r.Call.TenantID, r.CallText.Authority)
	if err != nil {
		return nil, err
	}
	var v struct {
		OrgID       int64
		SubmittedBy int64
	}
	if err := tx.Raw(`SELECT org_id, submitted_by FROM bid_versions WHERE bid_id = ? AND version = ?`, r.BidID, r.Version.Version).
		Scan(&v).Error; err != nil {
		return nil, fmt.Errorf("load version: %w", err)
	}
	d := &ReceiptDocData{DocIssuer: iss, CallRef: r.Call.Ref, CallTitle: r.CallText.Title, CallVersion: r.Version.CallVersion,
		OrgName: r.OrgName, BidID: r.BidID, Version: r.Version.Version, Kind: r.Version.KindLabel(), SubmittedBy: r.Version.SubmittedBy,
		ReceiptAt: r.Version.ReceiptAt.UTC(), Lots: r.Lots, ContentSHA256: r.Version.ContentSHA256, Files: []ReceiptDocFile{}}
	if d.Lots == nil {
		d.Lots = []ReceiptLot{}
	}
	for _, f := range r.Version.Files {
		d.Files = append(d.Files, ReceiptDocFile{DocKey: f.DocKey, DocName: requiredDocName(r.CallText.RequiredDocs, f.DocKey),
			Name: f.Name, Size: f.Size, SHA256: f.SHA256})
	}
	letter, err := accounts.LetterPartiesOf(tx, r.Call.TenantID, v.OrgID, r.CallText.Authority)
	if err != nil {
		return nil, err
	}
	d.Letter = &letter
	doc, entry, err := vault.StoreDocument(tx, vault.IssueInput{TenantID: r.Call.TenantID, CallID: r.Call.ID, ActorID: v.SubmittedBy,
		Kind: vault.DocEingangsbestaetigung, Title: fmt.Sprintf("Eingangsbestätigung: %s, Interessenbekundung Fassung %d", r.Call.Ref, d.Version),
		Chain: audit.SealedBidChain(r.Call.ID, r.BidID), ObjectType: "bid_version", ObjectID: BidVersionObjectID(r.BidID, d.Version),
		RecipientOrgID: v.OrgID, CanonicalData: d, Render: func(m vault.DocMeta) ([]byte, error) { return docs.Eingangsbestaetigung(m, d) }})
	if err != nil {
		return nil, err
	}
	return &PendingDocument{ID: doc.ID, Entry: entry}, nil
}

// DocLabel names a required document of the receipt's call with its key, e.g.
// "Konzept (U1)"; a key the call does not know stays as it is.
func (r *Receipt) DocLabel(key string) string {
	if name := requiredDocName(r.CallText.RequiredDocs, key); name != "" {
		return name + " (" + key + ")"
	}
	return key
}

// requiredDocName is the name the call gives the required document key ("" if unknown).
func requiredDocName(docs []rules.RequiredDoc, key string) string {
	for _, d := range docs {
		if d.Key == key {
			return d.Name
		}
	}
	return ""
}

// ReceiptPDF returns the issued Eingangsbestätigung of version n of the organisation's
// bid, for members of that organisation only; everything else is ErrNotFound.
func ReceiptPDF(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.BidScope, n int) (*vault.IssuedDocument, error) {
	orgID, bidID := scope.Org, scope.Bid
	if !actor.InOrg(orgID) {
		return nil, fmt.Errorf("bid of org %d: %w", orgID, core.ErrNotFound)
	}
	var d vault.IssuedDocument
	res := db.WithContext(ctx).Raw(`SELECT d.* FROM bid_receipts r JOIN bids b ON b.id = r.bid_id
		JOIN issued_documents d ON d.id = r.document_id
		WHERE r.bid_id = ? AND r.version = ? AND b.org_id = ? AND d.recipient_org_id = b.org_id`, bidID, n, orgID).Scan(&d)
	if res.Error != nil {
		return nil, fmt.Errorf("load receipt document: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, fmt.Errorf("receipt document of bid %d version %d: %w", bidID, n, core.ErrNotFound)
	}
	if err := vault.OpenDocument(db.WithContext(ctx), &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// InboxDocument returns the document a Postfach message refers to, for members of the
// message's organisation only (others, and messages without a document: ErrNotFound).
func InboxDocument(ctx context.Context, db *gorm.DB, actor *core.Actor, orgID, messageID int64) (*vault.IssuedDocument, error) {
	if !actor.InOrg(orgID) {
		return nil, fmt.Errorf("postfach of org %d: %w", orgID, core.ErrNotFound)
	}
	var d vault.IssuedDocument
	res := db.WithContext(ctx).Raw(`SELECT d.* FROM inbox_messages m JOIN issued_documents d ON d.id = m.document_id
		WHERE m.id = ? AND m.org_id = ? AND (d.recipient_org_id IS NULL OR d.recipient_org_id = m.org_id)`, messageID, orgID).Scan(&d)
	if res.Error != nil {
		return nil, fmt.Errorf("load message document: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, fmt.Errorf("document of message %d: %w", messageID, core.ErrNotFound)
	}
	if err := vault.OpenDocument(db.WithContext(ctx), &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// ReceiptOwed reports whether the Eingangsbestätigung of version n of the organisation's
// bid is owed but not issued yet; for anyone outside the organisation it is false.
func ReceiptOwed(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.BidScope, n int) (bool, error) {
	if !actor.InOrg(scope.Org) {
		return false, nil
	}
	var owed bool
	if err := db.WithContext(ctx).Raw(`SELECT EXISTS (SELECT 1 FROM bid_receipts r JOIN bids b ON b.id = r.bid_id
		WHERE r.bid_id = ? AND r.version = ? AND b.org_id = ? AND r.document_id IS NULL)`, scope.Bid, n, scope.Org).Scan(&owed).Error; err != nil {
		return false, fmt.Errorf("owed receipt: %w", err)
	}
	return owed, nil
}

// ReceiptHasPDF reports whether the Eingangsbestätigung of a bid version has its PDF.
func ReceiptHasPDF(ctx context.Context, db *gorm.DB, bidID int64, n int) (bool, error) {
	var ok bool
	if err := db.WithContext(ctx).Raw(`SELECT EXISTS (SELECT 1 FROM bid_receipts WHERE bid_id = ? AND version = ? AND document_id IS NOT NULL)`,
		bidID, n).Scan(&ok).Error; err != nil {
		return false, fmt.Errorf("receipt document: %w", err)
	}
	return ok, nil
}
