package pdfdoc

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"kimibv/models/accounts"
	"kimibv/models/bids"
	"kimibv/models/decision"
	"kimibv/models/rules"
	"kimibv/models/vault"
)

// sampleParties is a Kreis with complete letter settings writing to a provider.
func sampleParties() accounts.LetterParties {
	return accounts.LetterParties{Sender: accounts.LetterSender{Kreis: "Kreis Musterland", Authority: "Kreis Musterland – Der Landrat",
		Letterhead: "Kreis Musterland\nAmt für Integration", Address: "Am Kreishaus 1\n57000 Musterstadt", SigningOffice: "Der Landrat – Amt für Integration",
		Phone: "02345 6789-0", Email: "ki@musterland.example", Court: "Verwaltungsgericht Düsseldorf", CourtAddress: "Bastionstraße 39\n40213 Düsseldorf"},
		Recipient: []string{"Caritasverband für den Kreis Musterland e. V.", "Domplatz 3", "57002 Musterstadt"}}
}

var sampleMeta = vault.DocMeta{ContentSHA256: strings.Repeat("ab", 32), ChainHead: strings.Repeat("cd", 32),
	IssuedAt: time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)}

// pdfText extracts the text of a PDF with pdftotext (skipping when it is not installed).
func pdfText(t *testing.T, b []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext is required under CI (apt-get install poppler-utils)")
		}
		t.Skip("pdftotext not installed")
	}
	p := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", p, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return string(out)
}

// wantText checks that txt holds every want, line breaks counting as spaces.
func wantText(t *testing.T, txt string, want ...string) {
	t.Helper()
	txt = strings.Join(strings.Fields(txt), " ")
	for _, w := range want {
		if !strings.Contains(txt, w) {
			t.Errorf("document lacks %q:\n%s", w, txt)
		}
	}
}

func TestMitteilungIsALetterWithDateAddressReferenceOfficeAndCourt(t *testing.T) {
	one := decimal.NewFromInt(1)
	n := &decision.NoticeContent{CallRef: "musterland-2026-01", CallTitle: "KIM-Case-Management 2027", Authority: "Kreis Musterland – Der Landrat",
		OrgName: "Caritasverband für den Kreis Musterland e. V.", Kind: decision.NoticeNotSelected, Reasons: []string{"Rang 3."},
		Scores: []decision.NoticeScore{{Criterion: "Konzept", Weight: 30, Score: one, Points: one, Reason: "knapp"}}, Total: one, Rank: 3,
		Body: "Kreistag", DecidedOn: rules.Date("2026-11-18"), ResolutionNumber: "KT/2026/12",
		LegalRemedy:      "Gegen diese Entscheidung kann innerhalb eines Monats nach Bekanntgabe Klage erhoben werden.",
		StandstillEndsAt: time.Date(2026, 11, 30, 23, 0, 0, 0, time.UTC), Letter: sampleParties()}
	b, err := New("https://kimibv.example/dokumentenpruefung").Mitteilung(sampleMeta, n)
	if err != nil {
		t.Fatal(err)
	}
	txt := pdfText(t, b)
	wantText(t, txt, "Kreis Musterland · Am Kreishaus 1 · 57000 Musterstadt", "Caritasverband für den Kreis Musterland e. V.", "Domplatz 3",
		"57002 Musterstadt", "Aktenzeichen", "musterland-2026-01", "Datum", "20.11.2026", "02345 6789-0", "ki@musterland.example",
		"Sehr geehrte Damen und Herren,", "Ihre Interessenbekundung wurde nicht ausgewählt.", "Rechtsbehelfsbelehrung",
		"Zuständig ist das Verwaltungsgericht Düsseldorf, Bastionstraße 39, 40213 Düsseldorf.", "Mit freundlichen Grüßen",
		"Der Landrat – Amt für Integration", "Seite 1 von")
	if n := strings.Count(txt, "Kreis Musterland – Der Landrat"); n != 1 {
		t.Errorf("letterhead printed %d times, want once", n)
	}
}

func TestEingangsbestaetigungNamesDocumentsAndExplainsTheCheckValue(t *testing.T) {
	p := sampleParties()
	d := &bids.ReceiptDocData{DocIssuer: bids.DocIssuer{Kreis: "Kreis Musterland", Authority: "Kreis Musterland – Der Landrat"},
		CallRef: "musterland-2026-01", CallTitle: "KIM-Case-Management 2027", CallVersion: 1, OrgName: p.Recipient[0], Version: 1,
		Kind: "Einreichung", SubmittedBy: "Clemens Caritas", ReceiptAt: time.Date(2026, 6, 15, 9, 59, 58, 0, time.UTC),
		Lots: []bids.ReceiptLot{{Key: "L1", Name: "Nord", FTE: "1,50"}}, ContentSHA256: strings.Repeat("ef", 32),
		Files: []bids.ReceiptDocFile{{DocKey: "U1", DocName: "Konzept", Name: "konzept.pdf", Size: 123456, SHA256: strings.Repeat("01", 32)},
			{DocKey: "U2", DocName: "Satzung", Name: "satzung.pdf", Size: 999, SHA256: strings.Repeat("02", 32)}}, Letter: &p}
	b, err := New("https://kimibv.example/dokumentenpruefung").Eingangsbestaetigung(sampleMeta, d)
	if err != nil {
		t.Fatal(err)
	}
	txt := pdfText(t, b)
	wantText(t, txt, "57002 Musterstadt", "musterland-2026-01", "20.11.2026", "am 15.06.2026 11:59:58 Uhr bei uns eingegangen",
		"Konzept (U1)", "Satzung (U2)", "konzept.pdf (123.456 Bytes)", strings.Repeat("01", 32),
		"Mit diesem Prüfwert können Sie jederzeit nachweisen, dass Ihre Einreichung unverändert ist", strings.Repeat("ef", 32),
		"Der Landrat – Amt für Integration")
	body := txt[:strings.Index(txt, "Technische Angaben")]
	for _, jargon := range []string{"kanonisch", "JSON", "NFC"} {
		if strings.Contains(body, jargon) {
			t.Errorf("receipt body speaks of %q", jargon)
		}
	}
}
