package models_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"kimibv/models/bids"
	"kimibv/models/core"
	"kimibv/models/dbtest"
	"kimibv/models/postbox"
	"kimibv/models/vault"
)

// TestSealLegacyAtRestSealsPlainRowsOnceAndTheyStayReadable stores rows as they were
// before encryption at rest covered them — a bid file's name, a Postfach message, a
// failed mail, a receipt mail of a Kreis and a receipt PDF in plain text — and seals them
// as `kimibv serve` does at start: afterwards no plain text is left, the old receipt mail
// belongs to no Kreis, the read paths show the same content, and a second run finds
// nothing to do.
func TestSealLegacyAtRestSealsPlainRowsOnceAndTheyStayReadable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewDemo(t).DB
	vlt := dbtest.Vault(t)
	awo := taActor(t, db, "awo@traeger.example")
	var bid struct {
		BidID   int64
		Version int
		CallID  int64
		OrgID   int64
	}
	db.Raw(`SELECT v.bid_id, v.version, v.call_id, v.org_id FROM bid_versions v JOIN bids b ON b.id = v.bid_id
		JOIN organization_members m ON m.org_id = b.org_id JOIN users u ON u.id = m.user_id
		WHERE u.email = 'awo@traeger.example' ORDER BY v.bid_id LIMIT 1`).Scan(&bid)
	if bid.BidID == 0 {
		t.Fatal("the demo has no submitted bid of the AWO")
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if err := db.Exec(q, args...).Error; err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var fileID, docID int64
	db.Raw(`INSERT INTO files (call_id, org_id, kind, name, content_type, size, sha256, encrypted)
		VALUES (?, ?, 'bid', 'Altes Konzept.pdf', 'application/pdf', 3, repeat('a', 64), true) RETURNING id`, bid.CallID, bid.OrgID).Scan(&fileID)
	exec(`INSERT INTO bid_version_files (bid_id, version, doc_key, file_id, sha256, size, name) VALUES (?, ?, 'U99', ?, repeat('a', 64), 3, 'Altes Konzept.pdf')`,
		bid.BidID, bid.Version, fileID)
	exec(`INSERT INTO inbox_messages (org_id, call_id, kind, subject, body) VALUES (?, ?, 'bid_receipt', 'Alte Eingangsbestätigung', 'Alter Text')`,
		bid.OrgID, bid.CallID)
	exec(`INSERT INTO outbox (to_addr, subject, body, kind, attempts, failed_at, last_error)
		VALUES ('alt@traeger.example', 'Alte Mail', 'Alter Inhalt', 'password_reset', 8, now(), '550 <alt@traeger.example> unknown')`)
	exec(`INSERT INTO outbox (tenant_id, to_addr, subject, body, kind, sent_at) SELECT tenant_id, 'awo@traeger.example', 'Eingangsbestätigung (alt)',
		'Alter Beleg', 'bid_receipt', now() FROM calls WHERE id = ?`, bid.CallID)
	pdf := []byte("%PDF-1.4 alte Eingangsbestätigung\n%%EOF\n")
	db.Raw(`INSERT INTO issued_documents (tenant_id, call_id, kind, title, content_sha256, file_sha256, chain, chain_head, size, content,
			object_type, object_id, recipient_org_id, created_at)
		SELECT c.tenant_id, c.id, 'eingangsbestaetigung', 'Eingangsbestätigung (alt)', repeat('b', 64), ?, 'x', 'x', ?, ?, 'bid_version', ?, ?, now()
		FROM calls c WHERE c.id = ? RETURNING id`, vault.SHA256Hex(pdf), len(pdf), pdf, bids.BidVersionObjectID(bid.BidID, bid.Version),
		bid.OrgID, bid.CallID).Scan(&docID)
	exec(`UPDATE bid_receipts SET document_id = ? WHERE bid_id = ? AND version = ?`, docID, bid.BidID, bid.Version)

	n, err := postbox.SealLegacyAtRest(ctx, db, vlt, nil)
	if err != nil || n < 5 {
		t.Fatalf("sealed %d rows: %v", n, err)
	}
	plain := dbtest.Count(t, db, `SELECT (SELECT count(*) FROM files WHERE call_id IS NOT NULL AND (name_sealed IS NULL OR name <> ''))
		+ (SELECT count(*) FROM bid_version_files WHERE name_sealed IS NULL OR name <> '')
		+ (SELECT count(*) FROM inbox_messages WHERE sealed IS NULL OR subject <> '' OR body <> '')
		+ (SELECT count(*) FROM outbox WHERE sealed IS NULL OR to_addr <> '' OR last_error LIKE '%@%')
		+ (SELECT count(*) FROM outbox WHERE kind = 'bid_receipt' AND tenant_id IS NOT NULL)
		+ (SELECT count(*) FROM issued_documents WHERE recipient_org_id IS NOT NULL AND NOT sealed)`)
	if plain != 0 {
		t.Fatalf("%d rows still plain", plain)
	}
	if n, err := postbox.SealLegacyAtRest(ctx, db, vlt, nil); err != nil || n != 0 {
		t.Fatalf("second run sealed %d rows: %v", n, err)
	}

	// The same content through the read paths.
	view, err := bids.OwnBid(ctx, db, vlt, awo, core.BidScope{Org: bid.OrgID, Bid: bid.BidID}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, v := range view.Versions {
		for _, f := range v.Files {
			found = found || (f.DocKey == "U99" && f.Name == "Altes Konzept.pdf")
		}
	}
	if !found {
		t.Error("the sealed file name does not read back")
	}
	msgs, _, err := postbox.Inbox(ctx, db, awo, bid.OrgID, 500)
	if err != nil {
		t.Fatal(err)
	}
	found = false
	for _, m := range msgs {
		found = found || (m.Subject == "Alte Eingangsbestätigung" && m.Body == "Alter Text")
	}
	if !found {
		t.Error("the sealed Postfach message does not read back")
	}
	problems, err := postbox.OutboxProblems(ctx, db, &core.Actor{PlatformAdmin: true}, 0, 10)
	if err != nil || len(problems) != 1 || problems[0].ToAddr != "alt@traeger.example" || !strings.Contains(problems[0].LastError, "550") {
		t.Errorf("the sealed mail does not read back: %+v %v", problems, err)
	}
	doc, err := bids.ReceiptPDF(ctx, db, awo, core.BidScope{Org: bid.OrgID, Bid: bid.BidID}, bid.Version)
	if err != nil || !bytes.Equal(doc.Content, pdf) {
		t.Errorf("the sealed receipt PDF does not read back: %v", err)
	}
}
