package bids

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/models/postbox"
	"kimibv/models/rules"
	"kimibv/models/store"
	"kimibv/models/vault"
)

// PendingDocument is a stored document whose document.issued entry its issuer has not
// appended yet; the caller appends it last in its transaction (Append).
type PendingDocument struct {
	ID    int64
	Entry audit.Event
}

// Append writes the document's document.issued entry to its chain.
func (d *PendingDocument) Append(tx *gorm.DB) error {
	_, err := audit.Audit(tx, d.Entry)
	return err
}

// ReceiptText is the plain-text Eingangsbestätigung (Postfach message and e-mail).
func ReceiptText(r *Receipt, link string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Eingangsbestätigung\n\nTräger: %s\nAusschreibung: %s (%s), Fassung %d\nInteressenbekundung: Fassung %d (%s)\n",
		r.OrgName, r.Call.Title, r.Call.Ref, r.Version.CallVersion, r.Version.Version, r.Version.KindLabel())
	if r.Version.ReceiptAt != nil {
		fmt.Fprintf(&b, "Eingang (Uhr der Datenbank bei der Speicherung): %s\n", rules.FormatDateTimeSeconds(*r.Version.ReceiptAt))
	}
	b.WriteString("\nLose und Stellen (VZÄ):\n")
	for _, l := range r.Lots {
		fmt.Fprintf(&b, "- %s %s: %s VZÄ\n", l.Key, l.Name, l.FTE)
	}
	fmt.Fprintf(&b, "\nPrüfwert Ihrer Einreichung – damit können Sie jederzeit nachweisen, dass sie unverändert ist:\n%s\n\nUnterlagen mit ihren Prüfwerten:\n", r.Version.ContentSHA256)
	for _, f := range r.Version.Files {
		fmt.Fprintf(&b, "- %s: %s, Prüfwert %s\n", r.DocLabel(f.DocKey), f.Name, f.SHA256)
	}
	b.WriteString("\nDie Interessenbekundung ist versiegelt: Niemand beim Kreis kann sie vor der Öffnung nach Fristablauf lesen.\n")
	if link != "" {
		b.WriteString("Eingangsbestätigung ansehen: " + link + "\n")
	}
	return b.String()
}

// IssueBidReceipt issues the Eingangsbestätigung of a committed version once: the PDF
// (docs), a message in the organisation's Postfach and e-mails to the submitting user and
// the organisation's administrators, with the receipt time, the content hash and the file
// hashes. The submission records the receipt as owed (bid_receipts without a document) in
// its own transaction; this runs after that committed, outside the submitting request, and
// is idempotent, so it can be repeated after a failure (IssueOwedReceipts).
func IssueBidReceipt(ctx context.Context, db *gorm.DB, vlt *vault.Vault, bidID int64, version int, baseURL string, docs Documents) error {
	return store.InTx(ctx, db, func(tx *gorm.DB) error { return IssueBidReceiptTx(tx, vlt, bidID, version, baseURL, docs) })
}

// IssueBidReceiptTx is IssueBidReceipt inside the caller's transaction tx: it checks, locks, writes and
// audits as IssueBidReceipt does, but neither opens nor commits a transaction, so use cases compose.
func IssueBidReceiptTx(tx *gorm.DB, vlt *vault.Vault, bidID int64, version int, baseURL string, docs Documents) error {
	ctx := tx.Statement.Context
	var v struct {
		OrgID       int64
		SubmittedBy int64
	}
	res := tx.Raw(`SELECT org_id, submitted_by FROM bid_versions WHERE bid_id = ? AND version = ? AND receipt_at IS NOT NULL`, bidID, version).Scan(&v)
	if res.Error != nil {
		return fmt.Errorf("load version: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("version %d of bid %d: %w", version, bidID, core.ErrNotFound)
	}
	// Versions stored by bulk tools owe their receipt without a row; lock it either way.
	if err := owe(tx, bidID, version); err != nil {
		return err
	}
	var have struct{ DocumentID *int64 }
	if err := tx.Raw(`SELECT document_id FROM bid_receipts WHERE bid_id = ? AND version = ? FOR UPDATE`, bidID, version).
		Scan(&have).Error; err != nil {
		return fmt.Errorf("lock receipt: %w", err)
	}
	if have.DocumentID != nil {
		return nil // issued before
	}
	r, err := receiptOf(ctx, tx, vlt, v.OrgID, bidID, version)
	if err != nil {
		return err
	}
	doc, err := issueReceiptDocument(tx, docs, r, bidID, version)
	if err != nil {
		return err
	}
	subject := receiptSubject(r.Call.Ref, version)
	// A receipt issued without its PDF before (the renderer was down) has its message and
	// mails already: the message now refers to the PDF, nothing is sent twice.
	linked, err := linkReceiptMessage(tx, v.OrgID, r.Call.ID, doc.ID, subject)
	if err != nil {
		return err
	}
	if !linked {
		link := fmt.Sprintf("%s/traeger/%d/bewerbungen/%d/fassungen/%d", baseURL, v.OrgID, bidID, version)
		body := ReceiptText(r, link)
		if _, err := postbox.InsertInbox(tx, []postbox.InboxRow{{OrgID: v.OrgID, CallID: &r.Call.ID, Kind: postbox.InboxReceipt, Subject: subject, Body: body,
			DocumentID: &doc.ID}}); err != nil {
			return fmt.Errorf("inbox receipt: %w", err)
		}
		// Sealed and without a Kreis (BidMailKind): the Kreis must not learn of the bid.
		if err := postbox.QueueMailsTo(tx, nil, postbox.InboxReceipt, subject, body, `SELECT DISTINCT u.email FROM users u WHERE u.id = ? OR u.id IN
			(SELECT user_id FROM organization_members WHERE org_id = ? AND role = 'org_admin') ORDER BY u.email`, v.SubmittedBy, v.OrgID); err != nil {
			return err
		}
	}
	return doc.Append(tx) // last: the bid's trail stays locked from here until COMMIT
}

// owe records that the Eingangsbestätigung of a version is owed (once; no document yet).
func owe(tx *gorm.DB, bidID int64, version int) error {
	if err := tx.Exec(`INSERT INTO bid_receipts (bid_id, version) VALUES (?, ?) ON CONFLICT DO NOTHING`, bidID, version).Error; err != nil {
		return fmt.Errorf("record owed receipt: %w", err)
	}
	return nil
}

// IssueOwedReceipts issues, oldest first, up to limit Eingangsbestätigungen that have been
// owed for longer than olderThan (the issuance after a submission failed, the process
// ended in between, or a receipt still lacks its PDF) and returns how many it issued.
// Each is issued in its own transaction; one failure does not stop the others.
func IssueOwedReceipts(ctx context.Context, db *gorm.DB, vlt *vault.Vault, baseURL string, docs Documents, olderThan time.Duration, limit int) (int, error) {
	var owed []struct {
		BidID   int64
		Version int
	}
	if err := db.WithContext(ctx).Raw(`SELECT bid_id, version FROM bid_receipts WHERE document_id IS NULL
		AND issued_at < clock_timestamp() - ? * interval '1 microsecond' ORDER BY issued_at LIMIT ?`, olderThan.Microseconds(), limit).
		Scan(&owed).Error; err != nil {
		return 0, fmt.Errorf("owed receipts: %w", err)
	}
	n := 0
	var errs []error
	for _, o := range owed {
		if err := IssueBidReceipt(ctx, db, vlt, o.BidID, o.Version, baseURL, docs); err != nil {
			errs = append(errs, fmt.Errorf("receipt of bid %d version %d: %w", o.BidID, o.Version, err))
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}

func receiptSubject(ref string, version int) string {
	return fmt.Sprintf("Eingangsbestätigung: %s, Fassung %d", ref, version)
}

// issueReceiptDocument issues the receipt's PDF with docs and records it on the receipt;
// the caller appends its document.issued entry last (PendingDocument.Append).
func issueReceiptDocument(tx *gorm.DB, docs Documents, r *Receipt, bidID int64, version int) (*PendingDocument, error) {
	doc, err := issueEingangsbestaetigung(tx, docs, r)
	if err != nil {
		return nil, err
	}
	if err := tx.Exec(`UPDATE bid_receipts SET document_id = ? WHERE bid_id = ? AND version = ?`, doc.ID, bidID, version).Error; err != nil {
		return nil, fmt.Errorf("record receipt document: %w", err)
	}
	return doc, nil
}

// linkReceiptMessage refers the receipt's Postfach message, if one was sent without the
// PDF (found by its subject, which is sealed: the organisation's few receipt messages of
// the call are opened), to docID, and reports whether there was one.
func linkReceiptMessage(tx *gorm.DB, orgID, callID, docID int64, subject string) (bool, error) {
	var msgs []postbox.InboxMessage
	if err := tx.Raw(`SELECT id, org_id, subject, body, sealed FROM inbox_messages WHERE org_id = ? AND call_id = ? AND kind = ? AND document_id IS NULL`,
		orgID, callID, postbox.InboxReceipt).Scan(&msgs).Error; err != nil {
		return false, fmt.Errorf("load receipt messages: %w", err)
	}
	if err := postbox.OpenInboxMessages(tx, msgs); err != nil {
		return false, err
	}
	linked := false
	for _, m := range msgs {
		if m.Subject != subject {
			continue
		}
		if err := tx.Exec(`UPDATE inbox_messages SET document_id = ? WHERE id = ?`, docID, m.ID).Error; err != nil {
			return false, fmt.Errorf("link receipt message: %w", err)
		}
		linked = true
	}
	return linked, nil
}
