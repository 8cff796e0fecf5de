package app_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"kimibv/models/demo"
	"kimibv/models/vault"
)

// newTestVault is the master key of a test application.
func newTestVault(t *testing.T) *vault.Vault {
	t.Helper()
	v, _, err := vault.GenerateVault()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// testPDF is a minimal valid PDF padded to size bytes.
func testPDF(size int) []byte {
	body := "1 0 obj <</Type/Catalog/Pages 2 0 R>> endobj\n2 0 obj <</Type/Pages/Kids[3 0 R]/Count 1>> endobj\n" +
		"3 0 obj <</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"
	head := "%PDF-1.4\n%"
	pad := max(size-len(head)-len(body)-1, 0)
	return []byte(head + strings.Repeat("x", pad) + "\n" + body)
}

// uploadPart is one part of a multipart form; File marks a file part.
type uploadPart struct {
	Name, Value string
	File        []byte
	FileName    string
}

// multipartBody encodes parts in order and returns the body and its content type.
func multipartBody(parts []uploadPart) (*bytes.Buffer, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, p := range parts {
		if p.FileName != "" || p.File != nil {
			w, _ := mw.CreateFormFile(p.Name, p.FileName)
			w.Write(p.File)
			continue
		}
		mw.WriteField(p.Name, p.Value)
	}
	mw.Close()
	return &buf, mw.FormDataContentType()
}

// upload posts a multipart form; with csrf the token is sent as the first part.
func (c *client) upload(path string, csrf bool, parts ...uploadPart) *response {
	c.t.Helper()
	if csrf {
		parts = append([]uploadPart{{Name: "_csrf", Value: c.csrfToken()}}, parts...)
	}
	body, ct := multipartBody(parts)
	req, _ := http.NewRequest(http.MethodPost, c.base+path, body)
	req.Header.Set("Content-Type", ct)
	return c.do(req)
}

// walletSetup logs in the AWO administrator and returns the client and the org ids of AWO and Caritas.
func walletSetup(t *testing.T) (*testApp, *client, int64, int64) {
	ta := newTestApp(t, true)
	c := ta.client()
	c.login("awo@traeger.example", demo.Password)
	orgOf := func(email string) int64 {
		return ta.count(`SELECT m.org_id FROM organization_members m JOIN users u ON u.id = m.user_id WHERE u.email = ?`, email)
	}
	return ta, c, orgOf("awo@traeger.example"), orgOf("caritas@traeger.example")
}

func satzungParts(name string, content []byte) []uploadPart {
	return []uploadPart{{Name: "doc_type", Value: "satzung"}, {Name: "note", Value: "Fassung 2024"}, {Name: "datei", FileName: name, File: content}}
}

func TestWalletUploadDownloadReplaceDelete(t *testing.T) {
	t.Parallel()
	ta, c, awo, _ := walletSetup(t)
	base := fmt.Sprintf("/traeger/%d/dokumente", awo)
	c.get(base).wantStatus(t, 200).wantContains(t, "Dokumentenmappe ist noch leer", `enctype="multipart/form-data"`)

	content := testPDF(250_000)
	c.upload(base, true, satzungParts("Satzung Über‮fdp.pdf", content)...).wantStatus(t, http.StatusSeeOther)
	c.get(base).wantStatus(t, 200).wantContains(t, "Satzung Überfdp.pdf", "Fassung 2024", "aktuell")
	id := ta.count(`SELECT id FROM org_documents WHERE org_id = ?`, awo)

	res := c.get(fmt.Sprintf("%s/%d/datei.pdf", base, id)).wantStatus(t, 200)
	if res.Body != string(content) || res.Header.Get("Content-Type") != "application/pdf" ||
		!strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment;") || res.Header.Get("Content-Encoding") != "" {
		t.Fatalf("download: %d bytes, headers %v", len(res.Body), res.Header)
	}

	// A Freistellungsbescheid expiring soon is flagged.
	c.upload(base, true, uploadPart{Name: "doc_type", Value: "freistellungsbescheid"},
		uploadPart{Name: "issued_on", Value: ta.clock.Now().AddDate(-4, 0, 0).Format("2006-01-02")},
		uploadPart{Name: "valid_until", Value: ta.clock.Now().AddDate(0, 0, 20).Format("02.01.2006")},
		uploadPart{Name: "datei", FileName: "Bescheid.pdf", File: testPDF(900)}).wantStatus(t, http.StatusSeeOther)
	c.get(base).wantStatus(t, 200).wantContains(t, "läuft bald ab")

	c.get(fmt.Sprintf("%s/%d/ersetzen", base, id)).wantStatus(t, 200).wantContains(t, "Satzung ersetzen")
	c.upload(fmt.Sprintf("%s/%d/ersetzen", base, id), true, uploadPart{Name: "datei", FileName: "Neu.pdf", File: testPDF(800)}).wantStatus(t, http.StatusSeeOther)
	c.get(base).wantContains(t, "Neu.pdf")
	c.post(fmt.Sprintf("%s/%d/loeschen", base, id), url.Values{}).wantStatus(t, http.StatusSeeOther)
	if n := ta.count(`SELECT count(*) FROM org_documents WHERE id = ?`, id); n != 0 {
		t.Error("not deleted")
	}
	if n := ta.count(`SELECT count(*) FROM audit_log WHERE action LIKE 'wallet.%'`); n != 4 {
		t.Errorf("%d wallet audit entries, want 4 (2 added, replaced, removed)", n)
	}
}

func TestWalletUploadRefusals(t *testing.T) {
	t.Parallel()
	ta, c, awo, _ := walletSetup(t)
	base := fmt.Sprintf("/traeger/%d/dokumente", awo)
	stored := func() int64 {
		return ta.count(`SELECT count(*) FROM files WHERE kind = 'wallet'`) + ta.count(`SELECT count(*) FROM org_documents`)
	}

	cases := []struct {
		name    string
		content []byte
		want    string
	}{
		{"Word file renamed to .pdf", []byte("PK\x03\x04word/document.xml"), "keine PDF-Datei"},
		{"HTML/JS polyglot", []byte("<html><script>alert(1)</script>%PDF-1.7\n%%EOF"), "keine PDF-Datei"},
		{"0 bytes", []byte{}, "ist leer"},
		{"truncated PDF", testPDF(5000)[:4000], "unvollständig"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.upload(base, true, satzungParts("x.pdf", tc.content)...).wantStatus(t, http.StatusUnprocessableEntity).
				wantContains(t, tc.want, `href="#f-datei"`, "Fassung 2024")
			if n := stored(); n != 0 {
				t.Fatalf("%d rows stored", n)
			}
		})
	}
	t.Run("fields invalid: German messages, file not stored", func(t *testing.T) {
		c.upload(base, true, uploadPart{Name: "doc_type", Value: "registerauszug"}, uploadPart{Name: "issued_on", Value: "31.02.2026"},
			uploadPart{Name: "datei", FileName: "r.pdf", File: testPDF(900)}).wantStatus(t, http.StatusUnprocessableEntity).
			wantContains(t, "Bitte geben Sie das Datum des Auszugs im Format TT.MM.JJJJ an.")
		c.upload(base, true, uploadPart{Name: "doc_type", Value: "satzung"}).wantStatus(t, http.StatusUnprocessableEntity).
			wantContains(t, "Bitte wählen Sie eine PDF-Datei aus.")
		if n := stored(); n != 0 {
			t.Fatalf("%d rows stored", n)
		}
	})
	t.Run("CSRF", func(t *testing.T) {
		tok := c.csrfToken()
		c.upload(base, false, satzungParts("a.pdf", testPDF(900))...).wantStatus(t, http.StatusForbidden).wantContains(t, "Formular ist abgelaufen")
		c.upload(base, false, append([]uploadPart{{Name: "_csrf", Value: "falsch"}}, satzungParts("a.pdf", testPDF(900))...)...).wantStatus(t, http.StatusForbidden)
		// The token must come first: a form that sends the file before it is refused unread.
		c.upload(base, false, append(satzungParts("a.pdf", testPDF(900)), uploadPart{Name: "_csrf", Value: tok})...).wantStatus(t, http.StatusForbidden)
		other := ta.client() // a different browser: its own cookie, not the victim's token
		other.login("awo@traeger.example", demo.Password)
		body, ct := multipartBody(append([]uploadPart{{Name: "_csrf", Value: tok}}, satzungParts("a.pdf", testPDF(900))...))
		req, _ := http.NewRequest(http.MethodPost, other.base+base, body)
		req.Header.Set("Content-Type", ct)
		other.do(req).wantStatus(t, http.StatusForbidden)
		req, _ = http.NewRequest(http.MethodPost, c.base+base, strings.NewReader("x"))
		req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		c.do(req).wantStatus(t, http.StatusForbidden)
		if n := stored(); n != 0 {
			t.Fatalf("%d rows stored", n)
		}
		// Header token (scripts) and Sec-Fetch-Site same-origin (browsers) are accepted.
		body, ct = multipartBody(satzungParts("h.pdf", testPDF(900)))
		req, _ = http.NewRequest(http.MethodPost, c.base+base, body)
		req.Header.Set("Content-Type", ct)
		req.Header.Set("X-CSRF-Token", tok)
		c.do(req).wantStatus(t, http.StatusSeeOther)
		body, ct = multipartBody(satzungParts("s.pdf", testPDF(900)))
		req, _ = http.NewRequest(http.MethodPost, c.base+base, body)
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		c.do(req).wantStatus(t, http.StatusSeeOther)
	})
}

// patternReader yields n bytes of a PDF (header, padding, trailer) without holding them,
// counting what the server consumed.
type patternReader struct {
	r    io.Reader
	read atomic.Int64
}

func newPatternReader(n int64) *patternReader {
	pad := n - int64(len("%PDF-1.4\n%")) - int64(len("\n%%EOF\n"))
	return &patternReader{r: io.MultiReader(strings.NewReader("%PDF-1.4\n%"), io.LimitReader(zeroX{}, pad), strings.NewReader("\n%%EOF\n"))}
}

func (p *patternReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.read.Add(int64(n))
	return n, err
}

type zeroX struct{}

func (zeroX) Read(b []byte) (int, error) {
	for i := range b {
		b[i] = 'x'
	}
	return len(b), nil
}

// streamingUpload sends a satzung upload whose file part streams from pr; with known
// length the Content-Length header is set, otherwise the body is chunked.
func streamingUpload(t *testing.T, c *client, path string, pr *patternReader, knownLength bool, size int64) *response {
	t.Helper()
	head, ct := multipartBody([]uploadPart{{Name: "_csrf", Value: c.csrfToken()}, {Name: "doc_type", Value: "satzung"}})
	// Re-encode: fields, then a file part whose content is pr, then the closing boundary.
	boundary := strings.TrimPrefix(ct, "multipart/form-data; boundary=")
	fields := strings.TrimSuffix(head.String(), "--"+boundary+"--\r\n")
	fileHead := "--" + boundary + "\r\nContent-Disposition: form-data; name=\"datei\"; filename=\"gross.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
	tail := "\r\n--" + boundary + "--\r\n"
	body := io.MultiReader(strings.NewReader(fields+fileHead), pr, strings.NewReader(tail))
	req, _ := http.NewRequest(http.MethodPost, c.base+path, body)
	req.Header.Set("Content-Type", ct)
	if knownLength {
		req.ContentLength = int64(len(fields)+len(fileHead)+len(tail)) + size
	}
	return c.do(req)
}

func TestWalletUploadTooLargeIsRefusedWithoutReadingItAll(t *testing.T) {
	t.Parallel()
	ta, c, awo, _ := walletSetup(t)
	base := fmt.Sprintf("/traeger/%d/dokumente", awo)
	const size = 60 << 20
	for _, known := range []bool{true, false} {
		t.Run(fmt.Sprintf("Content-Length known: %v", known), func(t *testing.T) {
			pr := newPatternReader(size)
			res := streamingUpload(t, c, base, pr, known, size)
			res.wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, "Die Datei ist größer als 20 MB.")
			if got := pr.read.Load(); got > 30<<20 {
				t.Errorf("the server consumed %d MiB of a %d MiB upload", got>>20, size>>20)
			}
			if n := ta.count(`SELECT count(*) FROM files WHERE kind = 'wallet'`); n != 0 {
				t.Errorf("%d files stored", n)
			}
		})
	}
	t.Run("exactly at the limit is accepted", func(t *testing.T) {
		pr := newPatternReader(20 << 20)
		streamingUpload(t, c, base, pr, false, 20<<20).wantStatus(t, http.StatusSeeOther)
		if n := ta.count(`SELECT sum(size) FROM files WHERE kind = 'wallet'`); n != 20<<20 {
			t.Errorf("stored %d bytes", n)
		}
	})
}

func TestWalletOtherOrganisationGets404(t *testing.T) {
	t.Parallel()
	ta, c, awo, caritas := walletSetup(t)
	c.upload(fmt.Sprintf("/traeger/%d/dokumente", awo), true, satzungParts("Satzung.pdf", testPDF(900))...).wantStatus(t, http.StatusSeeOther)
	id := ta.count(`SELECT id FROM org_documents`)

	other := ta.client()
	other.login("caritas@traeger.example", demo.Password)
	for _, p := range []string{
		fmt.Sprintf("/traeger/%d/dokumente", awo),
		fmt.Sprintf("/traeger/%d/dokumente/%d/datei.pdf", awo, id),
		fmt.Sprintf("/traeger/%d/dokumente/%d/datei.pdf", caritas, id),
		fmt.Sprintf("/traeger/%d/dokumente/%d/ersetzen", caritas, id),
	} {
		other.get(p).wantStatus(t, http.StatusNotFound)
	}
	other.upload(fmt.Sprintf("/traeger/%d/dokumente/%d/ersetzen", caritas, id), true, uploadPart{Name: "datei", FileName: "x.pdf", File: testPDF(900)}).
		wantStatus(t, http.StatusNotFound)
	other.upload(fmt.Sprintf("/traeger/%d/dokumente", awo), true, satzungParts("x.pdf", testPDF(900))...).wantStatus(t, http.StatusNotFound)
	other.post(fmt.Sprintf("/traeger/%d/dokumente/%d/loeschen", caritas, id), url.Values{}).wantStatus(t, http.StatusNotFound)
	if n := ta.count(`SELECT count(*) FROM org_documents WHERE id = ?`, id); n != 1 {
		t.Error("document changed")
	}
	// The operator and Kreis staff see no wallet either.
	op := ta.client()
	op.login("betrieb@kimibv.example", demo.Password)
	op.get(fmt.Sprintf("/traeger/%d/dokumente/%d/datei.pdf", awo, id)).wantStatus(t, http.StatusNotFound)
	// Anonymous visitors are sent to the login page.
	if res := ta.client().get(fmt.Sprintf("/traeger/%d/dokumente/%d/datei.pdf", awo, id)); res.Status != http.StatusSeeOther {
		t.Errorf("anonymous: %d", res.Status)
	}
}
