package app_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"kimibv/models/demo"
	"kimibv/models/rules"
	"kimibv/models/vault"
)

// TestDocumentCheckTooLargeIsRefusedWithoutReadingItAll sends 60 MiB PDFs (declared and
// chunked) to the public check: German 422 message, and the server stops reading early.
func TestDocumentCheckTooLargeIsRefusedWithoutReadingItAll(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, false)
	c := ta.client()
	const size = 60 << 20
	for _, known := range []bool{true, false} {
		t.Run(fmt.Sprintf("Content-Length known: %v", known), func(t *testing.T) {
			pr := newPatternReader(size)
			streamingUpload(t, c, "/dokumentenpruefung", pr, known, size).
				wantStatus(t, http.StatusUnprocessableEntity).
				wantContains(t, "Die Datei ist größer als 25 MB.", "Prüfwert aus der Fußzeile", `href="#f-datei"`)
			if got := pr.read.Load(); got > 35<<20 {
				t.Errorf("the server consumed %d MiB of a %d MiB upload", got>>20, size>>20)
			}
		})
	}
	t.Run("exactly at the limit is checked", func(t *testing.T) {
		pr := newPatternReader(rules.MaxCheckedPDF)
		streamingUpload(t, c, "/dokumentenpruefung", pr, false, rules.MaxCheckedPDF).
			wantStatus(t, http.StatusOK).wantContains(t, "Kein Dokument gefunden", "der hochgeladenen Datei")
	})
}

// TestSendPDFHeaders checks the download helper on the public Bekanntmachung: type,
// ASCII filename plus filename*, file hash as ETag and 304 for a matching If-None-Match.
func TestSendPDFHeaders(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	c := ta.client()
	var ref string
	ta.store.DB.Raw(`SELECT ref FROM calls WHERE state = 'published' ORDER BY id LIMIT 1`).Scan(&ref)
	if ref == "" {
		t.Fatal("demo has no published call")
	}
	res := c.get("/ausschreibungen/"+ref+"/bekanntmachung.pdf").wantStatus(t, http.StatusOK)
	etag := res.Header.Get("ETag")
	if res.Header.Get("Content-Type") != "application/pdf" || len(etag) != 66 || !strings.HasPrefix(res.Body, "%PDF-") {
		t.Fatalf("type %q, etag %q", res.Header.Get("Content-Type"), etag)
	}
	if sum := vault.SHA256Hex([]byte(res.Body)); etag != `"`+sum+`"` {
		t.Errorf("ETag %s is not the file hash %s", etag, sum)
	} else if n := ta.count(`SELECT count(*) FROM issued_documents WHERE file_sha256 = ?`, sum); n != 1 {
		t.Errorf("served file is not an issued document (%d rows)", n)
	}
	cd := res.Header.Get("Content-Disposition")
	if !strings.HasPrefix(cd, `inline; filename="bekanntmachung-`) || !strings.Contains(cd, `; filename*=UTF-8''Bekanntmachung-`) {
		t.Errorf("Content-Disposition %q", cd)
	}
	for _, r := range cd {
		if r > 126 || r < 32 {
			t.Fatalf("Content-Disposition not ASCII: %q", cd)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, c.base+"/ausschreibungen/"+ref+"/bekanntmachung.pdf", nil)
	req.Header.Set("If-None-Match", etag)
	if got := c.do(req); got.Status != http.StatusNotModified || got.Body != "" {
		t.Errorf("If-None-Match: status %d, %d bytes", got.Status, len(got.Body))
	}
}

// shownHashes are the Prüfwerte a page shows (class "hash").
var shownHashes = regexp.MustCompile(`<span class="hash">([0-9a-f]{64})</span>`)

// TestEveryShownPruefwertIsFoundByTheDocumentCheck takes every Prüfwert the call pages of
// the demo's published calls and a provider's bid and receipt pages show, pastes each into
// the public document check and expects the document it belongs to.
func TestEveryShownPruefwertIsFoundByTheDocumentCheck(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	anon, awo := ta.client(), ta.client()
	awo.login("awo@traeger.example", demo.Password)
	pages := map[string]*client{}
	var refs []string
	ta.store.DB.Raw(`SELECT ref FROM calls WHERE state <> 'draft' ORDER BY id`).Scan(&refs)
	for _, ref := range refs {
		pages["/ausschreibungen/"+ref] = anon
	}
	var bidPages []string
	ta.store.DB.Raw(`SELECT DISTINCT '/traeger/' || b.org_id || '/bewerbungen/' || b.id FROM bids b
		JOIN organization_members m ON m.org_id = b.org_id JOIN users u ON u.id = m.user_id
		JOIN bid_versions v ON v.bid_id = b.id WHERE u.email = 'awo@traeger.example'`).Scan(&bidPages)
	if len(refs) == 0 || len(bidPages) == 0 {
		t.Fatalf("demo: %d calls, %d submitted bids of AWO", len(refs), len(bidPages))
	}
	for _, p := range bidPages {
		pages[p] = awo
	}
	checked := 0
	for path, c := range pages {
		body := c.get(path).wantStatus(t, http.StatusOK).Body
		for _, m := range shownHashes.FindAllStringSubmatch(body, -1) {
			res := anon.upload("/dokumentenpruefung", true, uploadPart{Name: "pruefwert", Value: m[1]}).wantStatus(t, http.StatusOK)
			if !strings.Contains(res.Body, "Dokument gefunden") || strings.Contains(res.Body, "Kein Dokument gefunden") {
				t.Errorf("%s shows the Prüfwert %s, the document check does not find it", path, m[1])
			}
			checked++
		}
	}
	if checked < len(refs)+len(bidPages) {
		t.Errorf("only %d Prüfwerte on %d pages", checked, len(pages))
	}
}
