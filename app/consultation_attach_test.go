package app_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"kimibv/models/vault"
)

// statementFile is the attachment part of the statement form.
func statementFile(name string, content []byte) uploadPart {
	return uploadPart{Name: "anhang", FileName: name, File: content}
}

// attachmentsWhileRunning: the invited organisation attaches a PDF to its statement on the
// Zeitplan while the Beteiligung runs; everyone downloads it from the public page; another
// consultation's address, a non-PDF, an oversized file and broken text are refused with
// nothing changed; the revision and the attachment are audited.
func attachmentsWhileRunning(t *testing.T, ta *testApp, p, anon *client, page string, awo int64) {
	t.Helper()
	content := testPDF(40_000)
	state(p, page, awo, "zeitplan", "Sechs Wochen wären angemessen.", statementFile("Anlage-AWO‮.pdf", content)).wantStatus(t, http.StatusSeeOther)
	st := ta.count(`SELECT s.id FROM consultation_statements s JOIN consultations c ON c.id = s.consultation_id
		WHERE s.org_id = ? AND s.section = 'zeitplan' AND '/beteiligungen/' || c.id = ?`, awo, page)
	href := fmt.Sprintf("%s/stellungnahmen/%d/anhang.pdf", page, st)
	anon.get(page).wantStatus(t, http.StatusOK).wantContains(t, "Anlage-AWO.pdf", `href="`+href+`"`, "Sechs Wochen wären angemessen.")
	res := anon.get(href).wantStatus(t, http.StatusOK)
	if res.Body != string(content) || res.Header.Get("Content-Type") != "application/pdf" || !strings.Contains(res.Header.Get("Content-Disposition"), "Anlage-AWO.pdf") {
		t.Fatalf("attachment download: %d bytes, headers %v", len(res.Body), res.Header)
	}
	// Another consultation's address for the statement, or a statement without attachment: 404.
	other := ta.count(`SELECT min(id) FROM consultations WHERE '/beteiligungen/' || id <> ?`, page)
	anon.get(fmt.Sprintf("/beteiligungen/%d/stellungnahmen/%d/anhang.pdf", other, st)).wantStatus(t, http.StatusNotFound)
	anon.get(fmt.Sprintf("%s/stellungnahmen/%d/anhang.pdf", page, st+100000)).wantStatus(t, http.StatusNotFound)

	files := func() int64 { return ta.count(`SELECT count(*) FROM files WHERE kind = 'consultation'`) }
	body := func() string {
		var b string
		ta.store.DB.Raw(`SELECT body FROM consultation_statements WHERE id = ?`, st).Scan(&b)
		return b
	}
	before := files()
	state(p, page, awo, "zeitplan", "Mit einer HTML-Datei.", statementFile("Anlage.pdf", []byte("<html>kein PDF</html>"))).
		wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, "Die Datei ist keine PDF-Datei.", `href="#f-anhang"`)
	state(p, page, awo, "zeitplan", "Mit zu großer Anlage.", statementFile("Gross.pdf", testPDF(int(vault.DefaultMaxFileBytes)+10))).
		wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, "Die Datei ist größer als 20 MB.")
	state(p, page, awo, "zeitplan", "Kaputt \xff", statementFile("Anlage.pdf", testPDF(900))).wantStatus(t, http.StatusBadRequest)
	if files() != before || body() != "Sechs Wochen wären angemessen." {
		t.Fatalf("a refused attachment changed something: %d files (was %d), body %q", files(), before, body())
	}
	// A revision without a file keeps the attachment; the audit names it in German.
	state(p, page, awo, "zeitplan", "Sechs Wochen wären angemessen.").wantStatus(t, http.StatusSeeOther)
	anon.get(href).wantStatus(t, http.StatusOK)
	if n := ta.count(`SELECT count(*) FROM audit_log WHERE action = 'consultation.statement_revised' AND object_id = ?
		AND details::jsonb->>'attachment' = 'Anlage-AWO.pdf'`, fmt.Sprint(st)); n != 1 {
		t.Errorf("%d revisions audited with the attachment, want 1", n)
	}
}

// attachmentAfterTheEnd: after the end neither a new attachment nor its removal changes
// anything, and the attachment stays downloadable.
func attachmentAfterTheEnd(t *testing.T, ta *testApp, p *client, page string, awo int64) {
	t.Helper()
	files := ta.count(`SELECT count(*) FROM files WHERE kind = 'consultation'`)
	state(p, page, awo, "zeitplan", "Sechs Wochen wären angemessen.", statementFile("Spaet.pdf", testPDF(900))).
		wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, "geendet")
	p.upload(page+"/stellungnahmen", true, uploadPart{Name: "org", Value: fmt.Sprint(awo)}, uploadPart{Name: "section", Value: "zeitplan"},
		uploadPart{Name: "body", Value: "Sechs Wochen wären angemessen."}, uploadPart{Name: "anhang_entfernen", Value: "1"}).
		wantStatus(t, http.StatusUnprocessableEntity)
	if n := ta.count(`SELECT count(*) FROM files WHERE kind = 'consultation'`); n != files {
		t.Fatalf("files %d after the end, was %d", n, files)
	}
	if n := ta.count(`SELECT count(*) FROM consultation_statements s JOIN files f ON f.id = s.file_id WHERE s.org_id = ? AND f.name = 'Anlage-AWO.pdf'`, awo); n != 1 {
		t.Fatal("the attachment was changed after the end")
	}
}
