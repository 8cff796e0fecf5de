package app_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/vault"
)

// pdfTool returns the path of an external PDF checker; skips (fails under CI) when absent.
func pdfTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required under CI (apt-get install poppler-utils qpdf)", name)
		}
		t.Skipf("%s not installed (poppler-utils/qpdf); skipping", name)
	}
	return p
}

// checkPDF runs qpdf --check and returns the text pdftotext extracts.
func checkPDF(t *testing.T, b []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(pdfTool(t, "qpdf"), "--check", path).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
	out, err := exec.Command(pdfTool(t, "pdftotext"), "-enc", "UTF-8", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return string(out)
}

func TestBekanntmachungPDFOfTheDemoCall(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	c := ta.client()
	var call struct {
		ID  int64
		Ref string
	}
	ta.store.DB.Raw(`SELECT id, ref FROM calls WHERE state = 'published' AND current_version = 2 ORDER BY id LIMIT 1`).Scan(&call)
	if call.Ref == "" {
		t.Fatal("demo has no amended published call")
	}
	view, err := calls.PublicCall(t.Context(), ta.store.DB, call.Ref)
	if err != nil {
		t.Fatal(err)
	}
	c.get("/ausschreibungen/"+call.Ref).wantStatus(t, 200).wantContains(t, `href="/ausschreibungen/`+call.Ref+`/bekanntmachung.pdf"`)
	res := c.get("/ausschreibungen/"+call.Ref+"/bekanntmachung.pdf").wantStatus(t, 200)
	if ct := res.Header.Get("Content-Type"); ct != "application/pdf" {
		t.Fatalf("content type %q", ct)
	}
	txt := strings.Join(strings.Fields(checkPDF(t, []byte(res.Body))), " ")
	want := []string{"Änderung Nr. 1", "Fassung 2", "Seite 1 von", "Prüfwert (SHA-256):", "Prüfprotokoll-Kopf:",
		"Abgabefrist " + core.FormatDateTime(view.Content.Timeline.Deadline), "Förderung je VZÄ", "57.000,00 €", "Kreis Musterland"}
	for _, cr := range view.Content.Criteria {
		want = append(want, cr.Name)
	}
	for _, w := range want {
		if !strings.Contains(txt, strings.Join(strings.Fields(w), " ")) {
			t.Errorf("Bekanntmachung lacks %q", w)
		}
	}
	if !strings.Contains(txt, strings.Join(strings.Fields(view.Content.Title), " ")[:60]) {
		t.Errorf("Bekanntmachung lacks the title %q", view.Content.Title)
	}
	first := c.get("/ausschreibungen/"+call.Ref+"/bekanntmachung.pdf?fassung=1").wantStatus(t, 200)
	if first.Body == res.Body || strings.Contains(checkPDF(t, []byte(first.Body)), "Änderung Nr.") {
		t.Error("?fassung=1 did not serve the first version")
	}
	c.get("/ausschreibungen/"+call.Ref+"/bekanntmachung.pdf?fassung=3").wantStatus(t, 404)
	c.get("/ausschreibungen/"+call.Ref+"/bekanntmachung.pdf?fassung=x").wantStatus(t, 404)
	var draftRef string
	ta.store.DB.Raw(`SELECT ref FROM calls WHERE state = 'draft' LIMIT 1`).Scan(&draftRef)
	c.get("/ausschreibungen/"+draftRef+"/bekanntmachung.pdf").wantStatus(t, 404)
	c.get("/ocds/"+call.Ref+"/releases.json").wantStatus(t, 200).wantContains(t, `/ausschreibungen/`+call.Ref+`/bekanntmachung.pdf?fassung=2`, "notice-pdf-v2")
}

func TestDocumentCheckByUploadAndBothHashes(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	c := ta.client()
	var doc vault.IssuedDocument
	ta.store.DB.Raw(`SELECT * FROM issued_documents WHERE kind = 'bekanntmachung' ORDER BY id LIMIT 1`).Scan(&doc)
	if doc.ID == 0 {
		t.Fatal("demo has no issued Bekanntmachung")
	}
	c.get("/dokumentenpruefung").wantStatus(t, 200).wantContains(t, `enctype="multipart/form-data"`, "Prüfwert (SHA-256)")
	found := "Dieses Dokument wurde am " + core.FormatDateTime(doc.CreatedAt) + " von kimibv ausgestellt: Bekanntmachung"
	c.upload("/dokumentenpruefung", true, uploadPart{Name: "pruefwert"}, uploadPart{Name: "datei", FileName: "b.pdf", File: doc.Content}).
		wantStatus(t, 200).wantContains(t, found, "Kreis Musterland", "Byte für Byte")
	c.upload("/dokumentenpruefung", true, uploadPart{Name: "pruefwert", Value: strings.ToUpper(doc.FileSHA256)}).
		wantStatus(t, 200).wantContains(t, found, "Byte für Byte")
	c.upload("/dokumentenpruefung", true, uploadPart{Name: "pruefwert", Value: " " + doc.ContentSHA256 + "\n"}).
		wantStatus(t, 200).wantContains(t, found, "Der Prüfwert gehört zum Inhalt")
	c.upload("/dokumentenpruefung", true, uploadPart{Name: "pruefwert", Value: strings.Repeat("0", 64)}).
		wantStatus(t, 200).wantContains(t, "Kein Dokument gefunden")
	changed := append([]byte{}, doc.Content...)
	changed[len(changed)/2] ^= 1
	c.upload("/dokumentenpruefung", true, uploadPart{Name: "datei", FileName: "b.pdf", File: changed}).
		wantStatus(t, 200).wantContains(t, "Kein Dokument gefunden", "der hochgeladenen Datei")
	c.upload("/dokumentenpruefung", true, uploadPart{Name: "pruefwert", Value: "abc123"}).
		wantStatus(t, 422).wantContains(t, "Der Prüfwert muss aus 64 Zeichen", `value="abc123"`)
	c.upload("/dokumentenpruefung", true, uploadPart{Name: "pruefwert"}).wantStatus(t, 422).wantContains(t, "Bitte geben Sie einen Prüfwert ein")
	c.upload("/dokumentenpruefung", true, uploadPart{Name: "datei", FileName: "x.pdf", File: []byte("<script>alert(1)</script>%PDF-1.4")}).
		wantStatus(t, 422).wantContains(t, "keine PDF-Datei")
	c.upload("/dokumentenpruefung", false, uploadPart{Name: "pruefwert", Value: doc.FileSHA256}).wantStatus(t, 403)
	if n := ta.count(`SELECT count(*) FROM issued_documents`); n == 0 {
		t.Fatal("no documents")
	}
}
