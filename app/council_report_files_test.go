package app_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"kimibv/models/demo"
	"kimibv/models/vault"
)

// uploadReportFile: the lead's non-PDF and empty uploads are refused with German messages
// and store nothing; a PDF waits for the next report and the lead's page lists it.
func uploadReportFile(t *testing.T, ta *testApp, lead *client, base string, content []byte) {
	t.Helper()
	files := func() int64 { return ta.count(`SELECT count(*) FROM council_report_files`) }
	lead.get(base).wantStatus(t, http.StatusOK).wantContains(t, "Anlagen zum nächsten Bericht", `name="anlage"`, `enctype="multipart/form-data"`)
	lead.upload(base+"/anlagen", true, uploadPart{Name: "anlage", FileName: "Brief.pdf", File: []byte("Kein PDF, nur Text")}).
		wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, "Die Datei ist keine PDF-Datei.")
	lead.upload(base+"/anlagen", true, uploadPart{Name: "anlage", FileName: "Leer.pdf", File: []byte{}}).
		wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, "Die ausgewählte Datei ist leer")
	if n := files(); n != 0 {
		t.Fatalf("%d report files after refused uploads", n)
	}
	lead.upload(base+"/anlagen", true, uploadPart{Name: "anlage", FileName: "Terminplan Kreistag.pdf", File: content}).wantStatus(t, http.StatusSeeOther)
	lead.get(base).wantStatus(t, http.StatusOK).wantContains(t, "Terminplan Kreistag.pdf")
	if n := ta.count(`SELECT count(*) FROM council_report_files r JOIN files f ON f.id = r.file_id
		WHERE r.report_id IS NULL AND f.kind = 'council' AND f.sha256 = ?`, vault.SHA256Hex(content)); n != 1 {
		t.Fatalf("%d waiting report files", n)
	}
}

// reportFileDownloads: after the report went out the attachment belongs to it and is named
// with its Prüfwert in the report's PDF; the member who opened it and the lead download it;
// another Kreis's lead (on either address), a wrong report and the public get nothing.
func reportFileDownloads(t *testing.T, ta *testApp, member, lead *client, cbase, base string, reportID int64, content []byte, reportPDF string) {
	t.Helper()
	fid := ta.count(`SELECT file_id FROM council_report_files WHERE report_id = ?`, reportID)
	if fid == 0 {
		t.Fatal("the report did not take the waiting attachment")
	}
	wantText(t, "Sachstandsbericht", pdfText(t, reportPDF), "Anlagen", "Terminplan Kreistag.pdf")
	href := fmt.Sprintf("%s/berichte/%d/anlagen/%d", cbase, reportID, fid)
	member.get(cbase).wantStatus(t, http.StatusOK).wantContains(t, `href="`+href+`"`, "Terminplan Kreistag.pdf")
	res := member.get(href).wantStatus(t, http.StatusOK)
	if res.Body != string(content) || !strings.Contains(res.Header.Get("Content-Disposition"), "Terminplan") {
		t.Fatalf("member download: %d bytes, %v", len(res.Body), res.Header)
	}
	lead.get(fmt.Sprintf("%s/berichte/%d/anlagen/%d", base, reportID, fid)).wantStatus(t, http.StatusOK)
	member.get(fmt.Sprintf("%s/berichte/%d/anlagen/%d", cbase, reportID+1000, fid)).wantStatus(t, http.StatusNotFound)
	bh := ta.client()
	bh.login("admin@beispielhausen.example", demo.Password)
	bh.get(href).wantStatus(t, http.StatusNotFound)
	bh.get(strings.Replace(fmt.Sprintf("%s/berichte/%d/anlagen/%d", base, reportID, fid), "/musterland/", "/beispielhausen/", 1)).wantStatus(t, http.StatusNotFound)
	if r := ta.client().get(href); r.Status == http.StatusOK {
		t.Error("the public downloads a report attachment")
	}
}
