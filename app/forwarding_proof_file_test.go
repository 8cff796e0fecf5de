package app_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"kimibv/app"
	"kimibv/models/audit"
	"kimibv/models/dbtest"
	"kimibv/models/demo"
	"kimibv/models/vault"
)

// proofFileSetup is a provider with an accepted contract and two submitted proofs: the
// first Förderjahr's with a PDF, the second's without; the upload limit is 64 KB.
type proofFileSetup struct {
	ta                       *testApp
	admin, member, stranger  *client
	lead, evaluator          *client
	callID, mine, other      int64
	orgBase, leadBase        string
	withPDF, withoutPDF      int64
	firstPDF                 []byte
	ofCall                   string
	proofs, files, changes   func() int64
	replacedAudits, leadMail func() int64
}

func newProofFileSetup(t *testing.T) *proofFileSetup {
	t.Helper()
	ta := newTestAppOn(t, dbtest.NewDemo(t), func(c *app.Config) { c.MaxFileBytes = 64 << 10 })
	p := dbtest.SeedProcedure(t, ta.store.DB, dbtest.ProcedureSpec{Seq: 63, Bids: 3, Criteria: 2, Evaluators: 2, Final: true})
	s := &proofFileSetup{ta: ta, callID: p.CallID, mine: p.OrgIDs[0], other: p.OrgIDs[1], firstPDF: testPDF(2000),
		ofCall: ` contract_id IN (SELECT id FROM forwarding_contracts WHERE call_id = ?)`}
	s.admin = forwardingUser(t, ta, "vb-admin@traeger.example", s.mine, "org_admin")
	s.member = forwardingUser(t, ta, "vb-member@traeger.example", s.mine, "org_member")
	s.stranger = forwardingUser(t, ta, "vb-other@traeger.example", s.other, "org_admin")
	s.lead, s.evaluator = ta.client(), ta.client()
	s.lead.login("leitung@musterland.example", demo.Password)
	s.evaluator.login("gremium2@musterland.example", demo.Password)
	s.leadBase = fmt.Sprintf("/verwaltung/musterland/verfahren/%d/weiterleitung", p.CallID)
	s.orgBase = fmt.Sprintf("/traeger/%d/weiterleitung/%d", s.mine, p.CallID)
	s.lead.postConfirmed(s.leadBase+fmt.Sprintf("/traeger/%d", s.mine), nil).wantStatus(t, 303)
	s.lead.postConfirmed(s.leadBase+fmt.Sprintf("/traeger/%d", s.other), nil).wantStatus(t, 303)
	s.admin.postConfirmed(s.orgBase+"/annahme", url.Values{"name": {"Anna Admin"}}).wantStatus(t, 303)
	s.admin.upload(s.orgBase+"/nachweise", true, proofParts("4.000,00", "0", "4.000,00", s.firstPDF)...).wantStatus(t, 303)
	second := proofParts("3.000,00", "0", "3.000,00", nil)
	second[0].Value = "2"
	s.admin.upload(s.orgBase+"/nachweise", true, second...).wantStatus(t, 303)
	s.withPDF = ta.count(`SELECT id FROM proofs WHERE year_no = 1 AND`+s.ofCall, p.CallID)
	s.withoutPDF = ta.count(`SELECT id FROM proofs WHERE year_no = 2 AND file_id IS NULL AND`+s.ofCall, p.CallID)
	if s.withPDF == 0 || s.withoutPDF == 0 {
		t.Fatal("the two proofs were not submitted")
	}
	s.proofs = func() int64 { return ta.count(`SELECT count(*) FROM proofs WHERE`+s.ofCall, p.CallID) }
	s.files = func() int64 { return ta.count(`SELECT count(*) FROM files`) }
	s.changes = func() int64 { return ta.count(`SELECT count(*) FROM proof_file_changes`) }
	s.replacedAudits = func() int64 {
		return ta.count(`SELECT count(*) FROM audit_log WHERE action = 'forwarding.proof_file_replaced' AND chain = ?`, audit.CallChain(p.CallID))
	}
	s.leadMail = func() int64 {
		var n int64
		for _, m := range dbtest.MailsTo(t, ta.store.DB, "leitung@musterland.example", "kind = 'forwarding'") {
			if strings.HasPrefix(m.Subject, "Belege zum Verwendungsnachweis") {
				n++
			}
		}
		return n
	}
	return s
}

// file is the path of proof id's PDF under the provider's or the lead's base.
func (s *proofFileSetup) file(base string, id int64) string {
	return fmt.Sprintf("%s/nachweise/%d/belege.pdf", base, id)
}

// replace uploads content as the new PDF of proof id.
func (s *proofFileSetup) replace(c *client, base string, id int64, name string, content []byte) *response {
	return c.upload(fmt.Sprintf("%s/nachweise/%d/belege", base, id), true, uploadPart{Name: fmt.Sprintf("belege_%d", id), FileName: name, File: content})
}

// TestProviderDownloadsItsOwnProofReceipts: every member of the submitting organisation
// gets the exact bytes it sent; another provider (on either organisation's address), the
// evaluator, the lead on the provider's address and the public get nothing, nor does the
// provider for another provider's proof or under another call; a proof sent without a PDF
// answers 404 with a German explanation.
func TestProviderDownloadsItsOwnProofReceipts(t *testing.T) {
	t.Parallel()
	s := newProofFileSetup(t)
	for _, c := range []*client{s.admin, s.member} {
		res := c.get(s.file(s.orgBase, s.withPDF)).wantStatus(t, 200)
		if res.Body != string(s.firstPDF) || !strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("own download: %d bytes, %v", len(res.Body), res.Header)
		}
	}
	s.admin.get(s.orgBase).wantStatus(t, 200).wantContains(t, s.file(s.orgBase, s.withPDF), "Belege.pdf", vault.SHA256Hex(s.firstPDF),
		"Zu diesem Nachweis haben Sie keine Belege eingereicht.", "Belege nachreichen", "Belege ersetzen")
	s.member.get(s.orgBase).wantStatus(t, 200).wantContains(t, "Bis zur Prüfung kann die Administration Ihrer Organisation die Belege ersetzen.").
		wantLacks(t, "Belege ersetzen</span>")
	s.member.get(s.file(s.orgBase, s.withoutPDF)).wantStatus(t, 404).wantContains(t, "keine Belege als PDF eingereicht")

	strangerOwn := fmt.Sprintf("/traeger/%d/weiterleitung/%d", s.other, s.callID)
	for _, c := range []*client{s.stranger, s.evaluator, s.lead} {
		c.get(s.file(s.orgBase, s.withPDF)).wantStatus(t, 404).wantLacks(t, "%PDF")
	}
	s.stranger.get(s.file(strangerOwn, s.withPDF)).wantStatus(t, 404).wantLacks(t, "%PDF")
	if res := s.ta.client().get(s.file(s.orgBase, s.withPDF)); res.Status != 303 || !strings.HasPrefix(res.Header.Get("Location"), "/anmelden") {
		t.Fatalf("anonymous download: %d to %q", res.Status, res.Header.Get("Location"))
	}
	s.stranger.postConfirmed(strangerOwn+"/annahme", url.Values{"name": {"Otto Other"}}).wantStatus(t, 303)
	s.stranger.upload(strangerOwn+"/nachweise", true, proofParts("1.000,00", "0", "1.000,00", testPDF(1500))...).wantStatus(t, 303)
	theirs := s.ta.count(`SELECT p.id FROM proofs p JOIN forwarding_contracts k ON k.id = p.contract_id WHERE k.org_id = ?`, s.other)
	s.stranger.get(s.file(strangerOwn, theirs)).wantStatus(t, 200)
	s.admin.get(s.file(s.orgBase, theirs)).wantStatus(t, 404).wantLacks(t, "%PDF")
	s.admin.get(fmt.Sprintf("/traeger/%d/weiterleitung/999999/nachweise/%d/belege.pdf", s.mine, s.withPDF)).wantStatus(t, 404)
	s.admin.get(fmt.Sprintf("%s/nachweise/0/belege.pdf", s.orgBase)).wantStatus(t, 404)
}

// TestProviderReplacesProofReceiptsUntilTheCheck: refused uploads (not a PDF, empty, too
// large, cut off, none, a NUL byte, a member, another provider, the public) change
// nothing; a replacement keeps the old file as replaced, the lead downloads the new bytes
// and sees when, the trail records it and stays intact, the lead is mailed; a proof sent
// without a PDF gets one; after the lead's check the PDF cannot be replaced (409, nothing
// changed), not even in the database.
func TestProviderReplacesProofReceiptsUntilTheCheck(t *testing.T) {
	t.Parallel()
	s := newProofFileSetup(t)
	ta := s.ta
	fileOf := func(id int64) int64 { return ta.count(`SELECT coalesce(file_id, 0) FROM proofs WHERE id = ?`, id) }
	state := func() string {
		return fmt.Sprintf("proofs %d, files %d, changes %d, audit entries %d, mails %d, files of the proofs %d and %d",
			s.proofs(), s.files(), s.changes(), s.replacedAudits(), s.leadMail(), fileOf(s.withPDF), fileOf(s.withoutPDF))
	}
	first, mails, before := fileOf(s.withPDF), s.leadMail(), state()

	field := fmt.Sprintf("belege_%d", s.withPDF)
	for _, bad := range []struct {
		name    string
		content []byte
		want    string
	}{
		{"Brief.pdf", []byte("Kein PDF, nur Text"), "Die Datei ist keine PDF-Datei."},
		{"Leer.pdf", []byte{}, "Die ausgewählte Datei ist leer"},
		{"Gross.pdf", testPDF(100 << 10), "Die Datei ist größer als"},
		{"Abgeschnitten.pdf", testPDF(3000)[:2500], "unvollständig oder beschädigt"},
	} {
		s.replace(s.admin, s.orgBase, s.withPDF, bad.name, bad.content).wantStatus(t, 422).wantContains(t, bad.want, `href="#f-`+field+`"`)
	}
	s.admin.upload(fmt.Sprintf("%s/nachweise/%d/belege", s.orgBase, s.withPDF), true).wantStatus(t, 422).wantContains(t, "Bitte wählen Sie eine PDF-Datei aus.")
	s.admin.upload(fmt.Sprintf("%s/nachweise/%d/belege", s.orgBase, s.withPDF), true, uploadPart{Name: "hinweis", Value: "neu\x00"},
		uploadPart{Name: field, FileName: "Neu.pdf", File: testPDF(3000)}).wantStatus(t, 400).wantContains(t, "ungültige Zeichen")
	s.replace(s.member, s.orgBase, s.withPDF, "Neu.pdf", testPDF(3000)).wantStatus(t, 403).wantContains(t, "Nur die Administration Ihrer Organisation")
	s.replace(s.evaluator, s.orgBase, s.withPDF, "Neu.pdf", testPDF(3000)).wantStatus(t, 404)
	s.replace(s.stranger, s.orgBase, s.withPDF, "Neu.pdf", testPDF(3000)).wantStatus(t, 404)
	s.replace(s.stranger, fmt.Sprintf("/traeger/%d/weiterleitung/%d", s.other, s.callID), s.withPDF, "Neu.pdf", testPDF(3000)).wantStatus(t, 404)
	if res := s.replace(ta.client(), s.orgBase, s.withPDF, "Neu.pdf", testPDF(3000)); res.Status != 303 || !strings.HasPrefix(res.Header.Get("Location"), "/anmelden") {
		t.Fatalf("anonymous replacement: %d to %q, want the login", res.Status, res.Header.Get("Location"))
	}
	if after := state(); after != before {
		t.Fatalf("the refused uploads changed something:\n before %s\n after  %s", before, after)
	}

	// Replaced before the check: the lead gets the new bytes; the old file stays, dated.
	newPDF := testPDF(3000)
	s.replace(s.admin, s.orgBase, s.withPDF, "Belege korrigiert.pdf", newPDF).wantStatus(t, 303)
	if got := s.lead.get(s.file(s.leadBase, s.withPDF)).wantStatus(t, 200); got.Body != string(newPDF) {
		t.Fatal("the lead got the replaced file, not the new one")
	}
	if got := s.member.get(s.file(s.orgBase, s.withPDF)).wantStatus(t, 200); got.Body != string(newPDF) {
		t.Fatal("the member got the replaced file, not the new one")
	}
	if n := ta.count(`SELECT count(*) FROM proof_file_changes c JOIN files o ON o.id = c.old_file_id JOIN files f ON f.id = c.new_file_id
		WHERE c.proof_id = ? AND o.id = ? AND o.sha256 = ? AND f.sha256 = ? AND EXISTS (SELECT 1 FROM file_chunks WHERE file_id = o.id)`,
		s.withPDF, first, vault.SHA256Hex(s.firstPDF), vault.SHA256Hex(newPDF)); n != 1 {
		t.Fatal("the replaced file is not kept with its content")
	}
	s.admin.get(s.orgBase).wantStatus(t, 200).wantContains(t, "Belege korrigiert.pdf", vault.SHA256Hex(newPDF), "Ersetzte Dateien",
		"Belege.pdf (PDF, 2 KB), hochgeladen am", ", ersetzt am ", vault.SHA256Hex(s.firstPDF))
	s.lead.get(s.leadBase).wantStatus(t, 200).wantContains(t, "Belege korrigiert.pdf", "; ersetzt am ", "Ersetzte Datei: Belege.pdf (2 KB), hochgeladen am")
	if n := ta.count(`SELECT count(*) FROM audit_log WHERE action = 'forwarding.proof_file_replaced' AND object_id = ? AND details::jsonb->>'sha256' = ?
		AND details::jsonb->>'previous_sha256' = ? AND details::text NOT LIKE '%korrigiert%'`, fmt.Sprint(s.withPDF), vault.SHA256Hex(newPDF), vault.SHA256Hex(s.firstPDF)); n != 1 {
		t.Errorf("%d audit entries of the replacement with both hashes and without the file name, want 1", n)
	}
	if s.leadMail() != mails+1 {
		t.Errorf("%d mails to the lead about the replacement, want 1", s.leadMail()-mails)
	}

	// Added to the proof sent without one.
	s.replace(s.admin, s.orgBase, s.withoutPDF, "Nachgereicht.pdf", testPDF(2500)).wantStatus(t, 303)
	s.lead.get(s.leadBase).wantStatus(t, 200).wantContains(t, "Nachgereicht.pdf", "; nachgereicht am ")
	if v, err := audit.VerifyChain(context.Background(), ta.store.DB, audit.CallChain(s.callID)); err != nil || !v.OK {
		t.Fatalf("the call's trail after the replacements: %+v %v", v, err)
	}
	if s.replacedAudits() != 2 || s.changes() != 2 {
		t.Fatalf("%d replacements audited, %d changes recorded, want 2 each", s.replacedAudits(), s.changes())
	}

	// After the check: refused, nothing changed, not even directly in the database.
	s.lead.post(fmt.Sprintf("%s/nachweise/%d", s.leadBase, s.withPDF), url.Values{"result": {"anerkannt"}, "reason": {"Belege vollständig."}}).wantStatus(t, 303)
	before = state()
	s.replace(s.admin, s.orgBase, s.withPDF, "Zu spaet.pdf", testPDF(3500)).wantStatus(t, 409).wantContains(t, "bereits geprüft")
	s.admin.get(s.orgBase).wantStatus(t, 200).wantContains(t, "Der Nachweis ist geprüft; die Belege lassen sich nicht mehr ändern.")
	if got := s.lead.get(s.file(s.leadBase, s.withPDF)).wantStatus(t, 200); got.Body != string(newPDF) {
		t.Fatal("the refused replacement changed the lead's file")
	}
	if err := ta.store.DB.Exec(`UPDATE proofs SET file_id = ? WHERE id = ?`, fileOf(s.withoutPDF), s.withPDF).Error; err == nil {
		t.Fatal("the database let a checked proof's file change")
	}
	if err := ta.store.DB.Exec(`DELETE FROM proof_file_changes WHERE proof_id = ?`, s.withPDF).Error; err == nil {
		t.Fatal("the database let the record of a replacement go")
	}
	if after := state(); after != before {
		t.Fatalf("the refused replacement after the check changed something:\n before %s\n after  %s", before, after)
	}
}
