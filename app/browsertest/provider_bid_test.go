package browsertest

import (
	"bytes"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"kimibv/models/accounts"
	"kimibv/models/dbtest"
	"kimibv/models/rules"
)

// TestNewProviderRegistersAndSubmitsABid: a new provider registers, confirms its e-mail
// address through the mailed link, logs in, opens its organisation page, puts a standing document into the wallet, starts a bid on the open
// demo call from the public call list, fills the steps (lots, answers, uploads, declarations,
// contact), sees the check page first with a missing document (listed with a link to where it
// is fixed), fixes it from the wallet, submits, sees the receipt with time and hashes and
// downloads the Eingangsbestätigung over HTTP with the browser's session. Every page reached
// is audited with axe-core.
func TestNewProviderRegistersAndSubmitsABid(t *testing.T) {
	t.Parallel()
	tl, base, browser, pages, st := startJourneys(t, "provider bid")
	dir := t.TempDir()
	orgName := "Interkultureller Beratungsverein Talheim e. V."

	// Registration of the organisation and its first user.
	p := newJourney(t, browser, "Neuer Träger", base, tl.axeJS, pages)
	p.open("/registrieren")
	p.fill(map[string]string{
		"f-org_name": orgName, "f-legal_form": accounts.LegalForms[0], "f-register_court": "Amtsgericht Musterstadt",
		"f-register_number": "VR 4711", "f-street": "Lindenweg 3", "f-postal_code": "57009", "f-city": "Talheim",
		"f-association": accounts.Associations[0], "f-org_email": "info@beratung-talheim.example", "f-phone": "02345 9876-0",
		"f-name": "Leyla Demir", "f-email": "demir@beratung-talheim.example",
		"f-password": "Lindenweg-3-Talheim!", "f-password_confirm": "Lindenweg-3-Talheim!", "f-privacy": "on",
	})
	p.submit(`main form[action="/registrieren"] button[type=submit]`, 200)
	if got := p.path(); got != "/anmelden" {
		t.Fatalf("the registration led to %s, want the login page", got)
	}
	p.wantText("Ihre Organisation ist registriert", "Bitte bestätigen Sie Ihre E-Mail-Adresse")

	// The confirmation link from the queued mail, then the login.
	var link string
	for _, m := range dbtest.MailsTo(t, st.DB, "demir@beratung-talheim.example", "") {
		if found := regexp.MustCompile(`/registrieren/bestaetigen/[A-Za-z0-9_-]+`).FindString(m.Body); found != "" {
			link = found
		}
	}
	if link == "" {
		t.Fatal("no confirmation link mailed")
	}
	p.open(link)
	p.submit(`main form[action="`+link+`"] button[type=submit]`, 200)
	p.wantText("Ihre E-Mail-Adresse ist bestätigt")
	p.fill(map[string]string{"f-email": "demir@beratung-talheim.example", "f-password": "Lindenweg-3-Talheim!"})
	p.submit(`main form[action="/anmelden"] button[type=submit]`, 200)
	var orgID int64
	if err := st.DB.Raw(`SELECT id FROM organizations WHERE name = ?`, orgName).Scan(&orgID).Error; err != nil || orgID == 0 {
		t.Fatalf("organisation not found: %v", err)
	}
	orgPath := fmt.Sprintf("/traeger/%d", orgID)
	p.open(orgPath)
	p.wantText(orgName, "Lindenweg 3")

	// A standing document into the wallet.
	p.open(orgPath + "/dokumente")
	p.wantText("Die Dokumentenmappe ist noch leer")
	p.fill(map[string]string{"f-doc_type": "satzung", "f-note": "Satzung in der Fassung vom 12.03.2024"})
	p.upload("#f-datei", writeTinyPDF(t, dir, "Satzung.pdf", "Satzung des Vereins"))
	p.submit(`main form[enctype="multipart/form-data"] button[type=submit]`, 200)
	p.wantText("Das Dokument wurde in die Dokumentenmappe aufgenommen", "Satzung.pdf")

	// The open demo call from the public list of published calls; start a bid.
	p.open("/ausschreibungen")
	p.fill(map[string]string{"f-status": string(rules.CallPublished)})
	p.submit(`main form.filters button[type=submit]`, 200)
	call := evalOn[string](p, `(document.querySelector('main table a[href^="/ausschreibungen/"]') || {}).pathname || ''`)
	if call == "" {
		t.Fatalf("the list of published calls shows none: %s", p.text())
	}
	p.open(call)
	p.wantText("Interesse bekunden")
	p.submit(`main section[aria-labelledby=h-bekunden] button[type=submit]`, 200)
	bidPath := p.path()
	if !regexp.MustCompile(`^` + orgPath + `/bewerbungen/[0-9]+$`).MatchString(bidPath) {
		t.Fatalf("Interesse bekunden led to %s, want the new bid", bidPath)
	}

	// Step 1: lots and VZÄ.
	p.open(bidPath + "/lose")
	lot := evalOn[string](p, `(document.querySelector('main input[name^="fte_"]') || {}).id || ''`)
	if lot == "" {
		t.Fatal("the lots step has no VZÄ field")
	}
	p.fill(map[string]string{lot: "1"})
	p.submit(`main button[name=go][value=next]`, 200)

	// Step 2: an answer per criterion.
	if !strings.HasSuffix(p.path(), "/antworten") {
		t.Fatalf("after the lots the bid goes to %s, want the answers", p.path())
	}
	n := evalOn[int](p, `(() => { const a = document.querySelectorAll('main textarea[name^="answer_"]');
		a.forEach((e, i) => { e.value = 'Unser Konzept zu Kriterium ' + (i + 1) + ': Fallaufnahme, Hilfeplanung, Vernetzung mit MBE und JMD, Sprechstunden in Talheim.'; });
		return a.length; })()`)
	if n != 6 {
		t.Errorf("the answers step has %d answer fields, want the six criteria of the KIM call", n)
	}
	p.submit(`main button[name=go][value=next]`, 200)

	// Step 3: one upload per required document, all but the last one; the last stays missing.
	if !strings.HasSuffix(p.path(), "/unterlagen") {
		t.Fatalf("after the answers the bid goes to %s, want the documents", p.path())
	}
	keys := evalOn[[]string](p, `Array.from(document.querySelectorAll('main input[type=file][name^="doc_"]'), e => e.name.slice(4))`)
	if len(keys) < 2 {
		t.Fatalf("the documents step offers uploads for %v", keys)
	}
	last := keys[len(keys)-1]
	for _, k := range keys[:len(keys)-1] {
		p.upload("#f-doc_"+k, writeTinyPDF(t, dir, "Unterlage-"+k+".pdf", "Unterlage "+k))
		p.submit(`main form[action$="/unterlagen/`+k+`"] button[type=submit]`, 200)
		p.wantText("Die Datei wurde gespeichert", "Unterlage-"+k+".pdf")
	}
	p.submit(`main button[name=go][value=next]`, 200)

	// Step 4: declarations; step 5: contact, then the check page.
	if !strings.HasSuffix(p.path(), "/erklaerungen") {
		t.Fatalf("after the documents the bid goes to %s, want the declarations", p.path())
	}
	if d := evalOn[int](p, `(() => { const d = document.querySelectorAll('main input[type=checkbox][name^="decl_"]'); d.forEach(e => { e.checked = true; }); return d.length; })()`); d == 0 {
		t.Error("the declarations step has no self-declaration")
	}
	p.fill(map[string]string{"f-ties-none": "on"})
	p.submit(`main button[name=go][value=next]`, 200)
	if !strings.HasSuffix(p.path(), "/kontakt") {
		t.Fatalf("after the declarations the bid goes to %s, want the contact", p.path())
	}
	p.fill(map[string]string{"f-contact_name": "Leyla Demir", "f-contact_email": "demir@beratung-talheim.example", "f-contact_phone": "02345 9876-12"})
	p.submit(`main button[name=go][value=check]`, 200)

	// The check page lists the missing document with a link to its upload field.
	if !strings.HasSuffix(p.path(), "/pruefen") {
		t.Fatalf("Speichern und Angaben prüfen led to %s", p.path())
	}
	p.wantText("Es fehlen noch Angaben")
	type item struct {
		Text string `json:"text"`
		Href string `json:"href"`
	}
	missing := evalOn[[]item](p, `Array.from(document.querySelectorAll('main .kern-alert--warning li a'), a => ({text: a.textContent.trim(), href: a.getAttribute('href')}))`)
	if len(missing) != 1 || !strings.HasSuffix(missing[0].Href, "/unterlagen#f-doc_"+last) || !strings.Contains(missing[0].Text, "fehlt") {
		t.Fatalf("the check page lists as missing %+v, want only document %s with a link to its upload", missing, last)
	}
	if evalOn[int](p, `document.querySelectorAll('main form[action$="/einreichen"]').length`) != 0 {
		t.Error("the check page offers to submit while a mandatory document is missing")
	}
	p.submit(`main .kern-alert--warning li a`, 200)
	if evalOn[string](p, `location.hash`) != "#f-doc_"+last || !evalOn[bool](p, `!!document.getElementById('f-doc_`+last+`')`) {
		t.Errorf("the missing item's link leads to %s%s, which has no field f-doc_%s", p.path(), evalOn[string](p, `location.hash`), last)
	}

	// Fix it from the wallet.
	opt := evalOn[string](p, `(Array.from(document.querySelectorAll('#f-wallet_`+last+` option')).find(o => o.textContent.includes('Satzung.pdf')) || {}).value || ''`)
	if opt == "" {
		t.Fatalf("the wallet choice for %s does not offer Satzung.pdf", last)
	}
	p.fill(map[string]string{"f-wallet_" + last: opt})
	p.submit(`main form[action$="/unterlagen/`+last+`/mappe"] button[type=submit]`, 200)
	p.wantText("Das Dokument aus der Dokumentenmappe wurde beigefügt", "aus der Dokumentenmappe")

	// Complete: submit and read the receipt.
	p.open(bidPath + "/pruefen")
	if evalOn[int](p, `document.querySelectorAll('main .kern-alert--warning li').length`) != 0 {
		t.Fatalf("the check page still lists missing items: %s", p.text())
	}
	p.submit(`main form[action$="/einreichen"] button[type=submit]`, 200)
	if !strings.HasSuffix(p.path(), "/fassungen/1") {
		t.Fatalf("submitting led to %s, want the receipt of version 1", p.path())
	}
	type receipt struct {
		Hash   string   `json:"hash"`
		Time   string   `json:"time"`
		Files  []string `json:"files"`
		PDF    string   `json:"pdf"`
		Header string   `json:"h1"`
	}
	r := evalOn[receipt](p, `(() => { const dd = l => { const t = Array.from(document.querySelectorAll('main dt')).find(e => e.textContent.trim() === l); return t ? t.nextElementSibling.textContent.trim() : ''; };
		return {h1: document.querySelector('h1').textContent.trim(), hash: dd('Prüfwert der Angaben (SHA-256)'), time: dd('Eingang'),
			files: Array.from(document.querySelectorAll('main table .hash'), e => e.textContent.trim()),
			pdf: (document.querySelector('main a[href$="eingangsbestaetigung.pdf"]') || {}).href || ''}; })()`)
	sha := regexp.MustCompile(`^[0-9a-f]{64}$`)
	if !sha.MatchString(r.Hash) {
		t.Errorf("the receipt shows the content hash %q, want 64 hex digits", r.Hash)
	}
	if !regexp.MustCompile(`[0-9]{2}\.[0-9]{2}\.[0-9]{4} [0-9]{2}:[0-9]{2}`).MatchString(r.Time) {
		t.Errorf("the receipt shows the receipt time %q", r.Time)
	}
	if len(r.Files) != len(keys) {
		t.Errorf("the receipt lists %d file hashes, want %d", len(r.Files), len(keys))
	}
	for _, h := range r.Files {
		if !sha.MatchString(h) {
			t.Errorf("the receipt shows the file hash %q", h)
		}
	}
	if r.PDF == "" {
		t.Fatal("the receipt offers no Eingangsbestätigung PDF")
	}
	p.open(bidPath)
	p.wantText("Fassung 1", r.Hash)

	// The Eingangsbestätigung over HTTP with the browser's session; without it, no access.
	pdf := getPDFOverHTTP(t, r.PDF, p.cookies())
	t.Logf("Eingangsbestätigung: %d bytes, content hash %s, receipt %s", len(pdf), r.Hash, r.Time)
	if tool, err := exec.LookPath("pdftotext"); err == nil {
		cmd := exec.Command(tool, "-", "-")
		cmd.Stdin = bytes.NewReader(pdf)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("pdftotext: %v", err)
		}
		txt := strings.Join(strings.Fields(string(out)), "")
		if !strings.Contains(txt, r.Hash) {
			t.Errorf("the Eingangsbestätigung does not contain the content hash %s shown on the receipt page:\n%s", r.Hash, out)
		}
		for _, h := range r.Files {
			if !strings.Contains(txt, h) {
				t.Errorf("the Eingangsbestätigung does not contain the file hash %s", h)
			}
		}
		if len(r.Time) >= 19 && !strings.Contains(string(out), r.Time[:19]) {
			t.Errorf("the Eingangsbestätigung does not contain the receipt time %s shown on the receipt page", r.Time[:19])
		}
		if !strings.Contains(strings.Join(strings.Fields(string(out)), " "), orgName) {
			t.Errorf("the Eingangsbestätigung does not name %s", orgName)
		}
	} else {
		t.Log("pdftotext not installed: the PDF's content is not checked")
	}
	if status := httpStatus(t, r.PDF, ""); status == 200 {
		t.Errorf("the Eingangsbestätigung answers 200 without a session")
	}
}
