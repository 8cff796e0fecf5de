package app_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"kimibv/app/pdfdoc"
	"kimibv/models/accounts"
	"kimibv/models/bids"
	"kimibv/models/core"
	"kimibv/models/dbtest"
	"kimibv/models/evaluation"
	"kimibv/models/postbox"
	"kimibv/models/vault"
)

// pdfText returns the PDF's text (qpdf --check passes) with whitespace collapsed.
func pdfText(t *testing.T, body string) string {
	t.Helper()
	return strings.Join(strings.Fields(checkPDF(t, []byte(body))), " ")
}

// wantText fails for every string (whitespace collapsed) the text lacks.
func wantText(t *testing.T, what, txt string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(txt, strings.Join(strings.Fields(w), " ")) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

// wantCheckFinds asserts that the public document check finds the PDF by its file hash.
func wantCheckFinds(t *testing.T, ta *testApp, body, label string) {
	t.Helper()
	hash := vault.SHA256Hex([]byte(body))
	ta.client().upload("/dokumentenpruefung", true, uploadPart{Name: "pruefwert", Value: hash}).
		wantStatus(t, 200).wantContains(t, "von kimibv ausgestellt: "+label, "Byte für Byte")
}

func TestEingangsbestaetigungPDF(t *testing.T) {
	t.Parallel()
	e := newEvalEnv(t)
	ta := e.ta
	base := fmt.Sprintf("/traeger/%d/bewerbungen/%d", e.awoOrg, e.bidID)
	var ver struct {
		Version       int
		CallID        int64
		ContentSHA256 string `gorm:"column:content_sha256"`
	}
	ta.store.DB.Raw(`SELECT version, call_id, content_sha256 FROM bid_versions WHERE bid_id = ? ORDER BY version DESC LIMIT 1`, e.bidID).Scan(&ver)
	pdfPath := fmt.Sprintf("%s/fassungen/%d/eingangsbestaetigung.pdf", base, ver.Version)
	docs := func() int64 {
		return ta.count(`SELECT count(*) FROM issued_documents WHERE kind = 'eingangsbestaetigung' AND object_id = ?`,
			bids.BidVersionObjectID(e.bidID, ver.Version))
	}
	dropReceiptPDF(t, ta.store.DB, e.bidID, ver.Version)
	if docs() != 0 {
		t.Fatal("the receipt still has its PDF; this test expects it owed")
	}
	// Others never see it: another organisation, the Kreis, anonymous.
	e.as(t, "caritas").get(pdfPath).wantStatus(t, 404)
	e.as(t, "leitung").get(pdfPath).wantStatus(t, 404)
	ta.client().get(pdfPath).wantStatus(t, 303)
	// The organisation is told that it is on its way; reading never issues it.
	awo := e.as(t, "awo")
	awo.get(pdfPath).wantStatus(t, 503).wantContains(t, "wird gerade erstellt")
	awo.get(fmt.Sprintf("%s/fassungen/%d", base, ver.Version)).wantStatus(t, 200).wantContains(t, "wird gerade erstellt")
	if docs() != 0 {
		t.Fatal("a GET issued the document")
	}
	// The receipts job issues the owed PDF once; the receipt page links it.
	for range 2 {
		if _, err := bids.IssueOwedReceipts(context.Background(), ta.store.DB, dbtest.Vault(t), "http://kimibv.test", pdfdoc.New("http://kimibv.test/dokumentenpruefung"), 0, 10); err != nil {
			t.Fatal(err)
		}
	}
	awo.get(fmt.Sprintf("%s/fassungen/%d", base, ver.Version)).wantStatus(t, 200).wantContains(t, `href="`+pdfPath+`"`)
	if docs() != 1 {
		t.Fatalf("%d documents after two runs of the job, want 1", docs())
	}
	res := awo.get(pdfPath).wantStatus(t, 200)
	if res.Header.Get("Content-Type") != "application/pdf" || res.Header.Get("Cache-Control") != "private, no-store" {
		t.Fatalf("headers %v", res.Header)
	}
	var at bids.BidVersion
	ta.store.DB.Raw(`SELECT * FROM bid_versions WHERE bid_id = ? AND version = ?`, e.bidID, ver.Version).Scan(&at)
	txt := pdfText(t, res.Body)
	want := []string{"Eingangsbestätigung", "Arbeiterwohlfahrt Kreisverband Musterland e. V.", "Prüfwert (SHA-256):", ver.ContentSHA256,
		"am " + pdfdoc.SecondsTime(*at.ReceiptAt) + " bei uns eingegangen", "Beantragte Stellen", "VZÄ",
		"Kreis Musterland · Am Kreishaus 1 · 57000 Musterstadt", "Hauptstraße 12", "57001 Musterstadt", "Konzept (U1)",
		"Mit diesem Prüfwert können Sie jederzeit nachweisen, dass Ihre Einreichung unverändert ist", "Der Landrat – Amt für Integration"}
	var files []struct {
		Name       string
		NameSealed []byte
		SHA256     string `gorm:"column:sha256"`
	}
	ta.store.DB.Raw(`SELECT name, name_sealed, sha256 FROM bid_version_files WHERE bid_id = ? AND version = ?`, e.bidID, ver.Version).Scan(&files)
	if len(files) == 0 {
		t.Fatal("demo bid has no files")
	}
	for i, f := range files {
		want = append(want, f.SHA256)
		if f.NameSealed != nil { // the name is sealed with the call's key
			name, err := dbtest.Vault(t).OpenBytes(ta.store.DB, ver.CallID, f.NameSealed)
			if err != nil {
				t.Fatal(err)
			}
			files[i].Name = string(name)
		}
	}
	wantText(t, "Eingangsbestätigung", txt, want...)

	if !strings.Contains(txt, strings.Join(strings.Fields(files[0].Name), " ")[:10]) {
		t.Errorf("file name %q missing", files[0].Name)
	}
	wantCheckFinds(t, ta, res.Body, "Eingangsbestätigung")
	// The receipt's Postfach message now refers to the document.
	msg := ta.count(`SELECT id FROM inbox_messages WHERE org_id = ? AND kind = ? AND document_id IS NOT NULL`, e.awoOrg, postbox.InboxReceipt)
	if msg == 0 {
		t.Fatal("Postfach message not linked to the document")
	}
	msgPath := fmt.Sprintf("/traeger/%d/postfach/%d", e.awoOrg, msg)
	awo.get(msgPath).wantStatus(t, 200).wantContains(t, msgPath+"/dokument.pdf")
	if got := awo.get(msgPath+"/dokument.pdf").wantStatus(t, 200); got.Body != res.Body {
		t.Error("Postfach serves another document")
	}
	e.as(t, "caritas").get(msgPath+"/dokument.pdf").wantStatus(t, 404)
	e.as(t, "caritas").get(fmt.Sprintf("/traeger/%d/postfach/%d/dokument.pdf", ta.count(`SELECT org_id FROM bids WHERE state = 'draft' LIMIT 1`), msg)).wantStatus(t, 404)
}

// TestReceiptRendererFailureRollsBackAndReceiptIssuesOnce: a failing renderer leaves no receipt, message or mail
// behind (the next attempt repeats everything); with the real renderer repeated calls issue
// one document and one Postfach message that refers to it.
func TestReceiptRendererFailureRollsBackAndReceiptIssuesOnce(t *testing.T) {
	t.Parallel()
	e := newEvalEnv(t)
	ta := e.ta
	ctx, db, vlt := context.Background(), ta.store.DB, dbtest.Vault(t)
	var ver int
	db.Raw(`SELECT max(version) FROM bid_versions WHERE bid_id = ?`, e.bidID).Scan(&ver)
	var r struct{ Count int64 }
	failing := dbtest.FailingDocuments{Err: errors.New("renderer down")}
	// A fresh receipt row whose issue fails leaves nothing behind (message, mail, receipt).
	if err := db.Exec(`DELETE FROM inbox_messages WHERE org_id = ? AND kind = ?`, e.awoOrg, postbox.InboxReceipt).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Exec(`DELETE FROM bid_receipts WHERE bid_id = ?`, e.bidID).Error; err != nil {
		t.Fatal(err)
	}
	mails := ta.count(`SELECT count(*) FROM outbox WHERE kind = 'bid_receipt'`)
	if err := bids.IssueBidReceipt(ctx, db, vlt, e.bidID, ver, "http://x", failing); err == nil {
		t.Fatal("failing renderer accepted")
	}
	db.Raw(`SELECT (SELECT count(*) FROM bid_receipts WHERE bid_id = ?) + (SELECT count(*) FROM inbox_messages WHERE org_id = ? AND kind = ?) AS count`,
		e.bidID, e.awoOrg, postbox.InboxReceipt).Scan(&r)
	if r.Count != 0 || ta.count(`SELECT count(*) FROM outbox WHERE kind = 'bid_receipt'`) != mails {
		t.Fatalf("%d rows or a mail left after a failed receipt", r.Count)
	}
	issue := pdfdoc.New("http://x/dokumentenpruefung")
	for range 2 {
		if err := bids.IssueBidReceipt(ctx, db, vlt, e.bidID, ver, "http://x", issue); err != nil {
			t.Fatal(err)
		}
	}
	if n := ta.count(`SELECT count(*) FROM inbox_messages m JOIN bid_receipts r ON r.document_id = m.document_id WHERE m.org_id = ? AND r.bid_id = ?`,
		e.awoOrg, e.bidID); n != 1 {
		t.Fatalf("%d linked receipt messages, want 1", n)
	}
}

// TestReceiptPDFIssuedInTheBackgroundAfterSubmit submits through the form: the submission
// is acknowledged at once, the Eingangsbestätigung PDF follows without anyone opening the
// receipt page, and the Postfach message refers to it.
func TestReceiptPDFIssuedInTheBackgroundAfterSubmit(t *testing.T) {
	t.Parallel()
	e := newBidEnv(t)
	base := e.start(t)
	e.fill(t, base)
	e.c.post(base+"/einreichen", url.Values{"rev": {e.rev(t, base)}}).wantStatus(t, 303)
	if !e.ta.app.WaitReceipts(time.Minute) {
		t.Fatal("the receipt is still being issued after a minute")
	}
	id := base[strings.LastIndex(base, "/")+1:]
	if n := e.ta.count(`SELECT count(*) FROM bid_receipts r JOIN issued_documents d ON d.id = r.document_id
		JOIN inbox_messages m ON m.document_id = d.id WHERE r.bid_id = ? AND d.recipient_org_id = ? AND d.kind = 'eingangsbestaetigung'`, id, e.orgID); n != 1 {
		t.Fatalf("%d receipt documents linked from the Postfach after submit, want 1", n)
	}
	txt := pdfText(t, e.c.get(base+"/fassungen/1/eingangsbestaetigung.pdf").wantStatus(t, 200).Body)
	wantText(t, "Eingangsbestätigung", strings.Join(strings.Fields(txt), " "), "Diakonisches Werk", "1,50", "Fassung 1 Ihrer Interessenbekundung (Einreichung durch")
}

func TestOeffnungsprotokollPDF(t *testing.T) {
	t.Parallel()
	e := newEvalEnv(t)
	ta := e.ta
	pdfPath := e.base + "/oeffnungsprotokoll.pdf"
	e.passDeadline(t)
	e.as(t, "leitung").get(pdfPath).wantStatus(t, 404)
	// A failing renderer rolls the opening back as a whole.
	ctx, db := context.Background(), ta.store.DB
	op1ID, op2ID := ta.count(`SELECT id FROM users WHERE email = 'oeffnung1@musterland.example'`), ta.count(`SELECT id FROM users WHERE email = 'oeffnung2@musterland.example'`)
	op1, _ := accounts.LoadActor(ctx, db, op1ID)
	op2, _ := accounts.LoadActor(ctx, db, op2ID)
	tenantID := ta.count(`SELECT tenant_id FROM calls WHERE id = ?`, e.callID)
	if _, err := evaluation.ConfirmOpening(ctx, db, dbtest.Vault(t), op1, core.CallScope{Tenant: tenantID, Call: e.callID}, ta.clock.Now(), dbtest.FakeDocuments{}); err != nil {
		t.Fatal(err)
	}
	failing := dbtest.FailingDocuments{Err: errors.New("renderer down")}
	if _, err := evaluation.ConfirmOpening(ctx, db, dbtest.Vault(t), op2, core.CallScope{Tenant: tenantID, Call: e.callID}, ta.clock.Now(), failing); err == nil {
		t.Fatal("failing renderer accepted")
	}
	if ta.count(`SELECT count(*) FROM opening_bids WHERE call_id = ?`, e.callID)+ta.count(`SELECT count(*) FROM calls WHERE id = ? AND opened_at IS NOT NULL`, e.callID) != 0 {
		t.Fatal("opening not rolled back with its document")
	}
	// The second confirmation through the page issues the Öffnungsprotokoll.
	e.as(t, "oeffnung2").postConfirmed(e.base+"/oeffnung", nil).wantStatus(t, 303)
	if n := ta.count(`SELECT count(*) FROM issued_documents WHERE kind = 'oeffnungsprotokoll' AND call_id = ?`, e.callID); n != 1 {
		t.Fatalf("%d Öffnungsprotokolle", n)
	}
	e.as(t, "oeffnung1").get(e.base+"/oeffnung").wantStatus(t, 200).wantContains(t, `href="`+pdfPath+`"`)
	e.as(t, "leitung").get(e.base).wantStatus(t, 200).wantContains(t, `href="`+pdfPath+`"`, `href="`+e.base+`/konsolidierung"`)
	for _, who := range []string{"gremium1", "awo", "beispielhausen"} {
		e.as(t, who).get(pdfPath).wantStatus(t, 404)
	}
	e.as(t, "beispielhausen").get(fmt.Sprintf("/verwaltung/beispielhausen/verfahren/%d/oeffnungsprotokoll.pdf", e.callID)).wantStatus(t, 404)
	res := e.as(t, "oeffnung1").get(pdfPath).wantStatus(t, 200)
	if d := os.Getenv("KIMIBV_PDF_DUMP"); d != "" {
		_ = os.WriteFile(d+"/protokoll.pdf", []byte(res.Body), 0o600)
	}
	if e.as(t, "leitung").get(pdfPath).wantStatus(t, 200).Body != res.Body {
		t.Error("lead and opener get different documents")
	}
	var bidList []struct {
		OrgName       string
		ContentSHA256 string `gorm:"column:content_sha256"`
		State         string
	}
	ta.store.DB.Raw(`SELECT org_name, content_sha256, state FROM opening_bids WHERE call_id = ?`, e.callID).Scan(&bidList)
	var fileHashes []string
	ta.store.DB.Raw(`SELECT f.sha256 FROM opening_files f JOIN opening_bids o ON o.bid_id = f.bid_id WHERE o.call_id = ?`, e.callID).Scan(&fileHashes)
	txt := pdfText(t, res.Body)
	want := []string{"Öffnungsprotokoll", "Olaf Öffner", "Özlem Schlüter", "1. Bestätigung", "2. Bestätigung", "Abgabefrist",
		"Verspätete Versuche", "Prüfwert (SHA-256):"}
	withdrawn := false
	for _, b := range bidList {
		want = append(want, b.OrgName, b.ContentSHA256)
		withdrawn = withdrawn || b.State == "withdrawn"
	}
	if withdrawn {
		want = append(want, "(zurückgezogen)")
	}
	want = append(want, fileHashes...)
	if len(bidList) == 0 || len(fileHashes) == 0 {
		t.Fatal("nothing frozen")
	}
	wantText(t, "Öffnungsprotokoll", txt, want...)
	wantCheckFinds(t, ta, res.Body, "Öffnungsprotokoll")
}

func TestBewertungsmatrixPDF(t *testing.T) {
	t.Parallel()
	e := newConsolidationEnv(t)
	ta, lead := e.ta, e.as(t, "leitung")
	pdfPath := e.base + "/bewertungsmatrix.pdf"
	e.sheet(t, "gremium3", 3)
	lead.get(pdfPath).wantStatus(t, 404)
	lead.post(fmt.Sprintf("%s/konsolidierung/%d", e.base, e.bidID), e.form("3")).wantStatus(t, 303)
	// A failing renderer rolls the closing back.
	failing := dbtest.FailingDocuments{Err: errors.New("renderer down")}
	if _, err := evaluation.CloseConsolidation(context.Background(), ta.store.DB, evaluation.EvaluationSource{}, e.actors["leitung"],
		evaluation.CloseInput{CallID: e.callID}, e.now, failing); err == nil {
		t.Fatal("failing renderer accepted")
	}
	if ta.count(`SELECT count(*) FROM call_results WHERE call_id = ?`, e.callID) != 0 {
		t.Fatal("closing not rolled back with its document")
	}
	lead.post(e.base+"/konsolidierung/abschliessen", url.Values{}).wantStatus(t, 303)
	lead.get(e.base+"/ergebnis").wantStatus(t, 200).wantContains(t, `href="`+pdfPath+`"`)
	lead.get(e.base).wantStatus(t, 200).wantContains(t, `href="`+pdfPath+`"`, `href="`+e.base+`/ergebnis"`)
	for _, who := range []string{"gremium1", "oeffnung1", "awo", "beispielhausen"} {
		e.as(t, who).get(pdfPath).wantStatus(t, 404)
	}
	res := lead.get(pdfPath).wantStatus(t, 200)
	if d := os.Getenv("KIMIBV_PDF_DUMP"); d != "" {
		_ = os.WriteFile(d+"/matrix.pdf", []byte(res.Body), 0o600)
	}
	txt := pdfText(t, res.Body)
	want := []string{"Bewertungsmatrix", "Arbeiterwohlfahrt Kreisverband Musterland e. V.", "Ayşe Yıldız", "Mittelwert", "Konsolidiert",
		"Rangfolge und Verteilung", "Gesamtpunktzahl", "Prüfwert (SHA-256):"}
	for _, cr := range e.cc.Criteria {
		for _, who := range []string{"gremium1", "gremium2", "gremium3"} {
			want = append(want, fmt.Sprintf("von %s zu %s", who, cr.Key))
		}
	}
	wantText(t, "Bewertungsmatrix", txt, want...)
	wantCheckFinds(t, ta, res.Body, "Bewertungsmatrix")
}

// dropReceiptPDF turns a receipt into one issued without its PDF (the renderer was down at
// the submission): it unlinks and deletes the document with the immutability triggers
// switched off for this one transaction, as only a test may.
func dropReceiptPDF(t *testing.T, db *gorm.DB, bidID int64, version int) {
	t.Helper()
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec(`SET LOCAL session_replication_role = replica`).Error; err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE inbox_messages SET document_id = NULL WHERE document_id IN (SELECT document_id FROM bid_receipts WHERE bid_id = ? AND version = ?)`, bidID, version).Error; err != nil {
			return err
		}
		if err := tx.Exec(`DELETE FROM issued_documents WHERE id IN (SELECT document_id FROM bid_receipts WHERE bid_id = ? AND version = ?)`, bidID, version).Error; err != nil {
			return err
		}
		return tx.Exec(`UPDATE bid_receipts SET document_id = NULL WHERE bid_id = ? AND version = ?`, bidID, version).Error
	})
	if err != nil {
		t.Fatal(err)
	}
}
