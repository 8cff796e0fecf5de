package pdf_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"kimibv/app/pdf"
)

const (
	sampleCheck = "3f0c2d9a8b7e6f5a4c3b2a1908f7e6d5c4b3a29180f7e6d5c4b3a29180f7e6d5"
	sampleChain = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"
)

// sample renders a several-page German document with a long table.
func sample(t *testing.T, extra string) []byte {
	t.Helper()
	d, err := pdf.New(pdf.Meta{
		Title:      "Öffnungsprotokoll – Interessenbekundungsverfahren KIM-Case-Management",
		Subtitle:   "Förderzeitraum 01.09.2026–31.12.2028",
		Kind:       "Öffnungsprotokoll",
		Authority:  "Kreis Musterland – Der Landrat",
		Letterhead: "Amt für Integration und Teilhabe\nSchloßstraße 1, 12345 Musterstadt",
		CheckValue: sampleCheck,
		ChainHead:  sampleChain,
		CheckURL:   "https://kimibv.example/dokumentenpruefung",
		CreatedAt:  time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC),
	}, pdf.NumberedHeadings())
	if err != nil {
		t.Fatal(err)
	}
	d.Heading("Gegenstand des Verfahrens")
	d.Paragraph("Der Kreis gibt Landesmittel in Höhe von 57.000 € je Vollzeitäquivalent an freie Träger weiter. " +
		"Die Maßnahme umfasst „Case-Management“ nach den Förderrichtlinien – Größe der Lose: Nord, Mitte, Süd. " +
		"Ansprechpartnerin: Ayşe Yılmaz. " + extra)
	d.KeyValues([]pdf.KV{{"Verfahrensleitung", "Frau Müller-Lüdenscheidt"}, {"Frist", "15.06.2026 12:00 Uhr"}, {"Eingabe", extra}})
	d.Subheading("Eingegangene Interessenbekundungen")
	d.Bullets([]string{"Arbeiterwohlfahrt Kreisverband Musterland e. V.", "Caritasverband für den Kreis Musterland e. V. – mit einer sehr langen Beschreibung, die über mehrere Zeilen umbricht und eingerückt bleibt."})
	rows := make([][]string, 0, 80)
	for i := 1; i <= 80; i++ {
		rows = append(rows, []string{fmt.Sprint(i), fmt.Sprintf("Träger Nr. %d – Straße der Einheit %d, Größe „%d“", i, i, i*7),
			fmt.Sprintf("%02d.06.2026 11:%02d Uhr", i%28+1, i%60), strings.Repeat("ab12", 16)})
	}
	rows[40][1] = strings.Repeat("Überlanger Zelleninhalt mit Umbruch. ", 12)
	d.Table(pdf.Table{Caption: "Tabelle 1: Eingänge", Columns: []pdf.Column{{Title: "Nr.", Width: 1, Align: "R"},
		{Title: "Träger", Width: 6}, {Title: "Eingang", Width: 3}, {Title: "SHA-256", Width: 5}}, Rows: rows, Small: true})
	d.Note("Alle Zeiten in mitteleuropäischer Zeit (Europe/Berlin).")
	b, err := d.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// tool returns the path of an external checker, skipping (or failing under CI) when absent.
func tool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required under CI (apt-get install poppler-utils qpdf)", name)
		}
		t.Skipf("%s not installed (poppler-utils/qpdf); skipping the PDF content check", name)
	}
	return p
}

func writeTemp(t *testing.T, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func pdfText(t *testing.T, b []byte) string {
	t.Helper()
	out, err := exec.Command(tool(t, "pdftotext"), "-enc", "UTF-8", writeTemp(t, b), "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return string(out)
}

func TestRenderGermanTextFooterAndStructure(t *testing.T) {
	b := sample(t, "")
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatal("not a PDF")
	}
	txt := pdfText(t, b)
	for _, want := range []string{
		"Öffnungsprotokoll – Interessenbekundungsverfahren", "57.000 €", "Maßnahme", "„Case-Management“",
		"Größe der", "Süd", "Ayşe Yılmaz", "Schloßstraße", "Müller-Lüdenscheidt",
		"1 Gegenstand des Verfahrens", "1.1 Eingegangene Interessenbekundungen",
		"Prüfwert (SHA-256): " + sampleCheck, "Prüfprotokoll-Kopf: " + sampleChain,
		"Seite 1 von", "Seite 2 von", "Träger Nr. 80", "Überlanger Zelleninhalt", "Europe/Berlin",
	} {
		if !strings.Contains(txt, want) {
			t.Errorf("text lacks %q", want)
		}
	}
	pages := regexp.MustCompile(`Seite (\d+) von (\d+)`).FindAllStringSubmatch(txt, -1)
	if len(pages) < 3 {
		t.Fatalf("want at least 3 pages, footers: %v", pages)
	}
	for i, m := range pages {
		if m[1] != fmt.Sprint(i+1) || m[2] != fmt.Sprint(len(pages)) {
			t.Errorf("footer %d reads %q", i+1, m[0])
		}
	}
	// The table header repeats on every page the table continues on.
	if n := strings.Count(txt, "Eingang\n"); n < 2 {
		t.Errorf("table header appears %d times, want it repeated", n)
	}
	out, err := exec.Command(tool(t, "qpdf"), "--check", writeTemp(t, b)).CombinedOutput()
	if err != nil {
		t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
	info, err := exec.Command(tool(t, "pdfinfo"), writeTemp(t, b)).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo: %v\n%s", err, info)
	}
	for _, want := range []string{"Author:          Kreis Musterland – Der Landrat", "Creator:         kimibv", "Page size:       595.28 x 841.89 pts (A4)"} {
		if !strings.Contains(string(info), want) {
			t.Errorf("pdfinfo lacks %q:\n%s", want, info)
		}
	}
	if !bytes.Contains(b, []byte("/Lang (de-DE)")) {
		t.Error("document language de-DE not set")
	}
}

func TestRenderIsDeterministic(t *testing.T) {
	a, b := sample(t, "x"), sample(t, "x")
	if !bytes.Equal(a, b) {
		t.Fatalf("two renders differ (%d vs %d bytes)", len(a), len(b))
	}
	if c := sample(t, "y"); bytes.Equal(a, c) {
		t.Fatal("different input gave identical output")
	}
}

func TestUserInputStaysLiteralText(t *testing.T) {
	evil := "<script>alert(1)</script> %PDF-1.7 (Klammer) \\ endstream endobj <b>fett</b> \u202Eabc"
	b := sample(t, evil)
	out, err := exec.Command(tool(t, "qpdf"), "--check", writeTemp(t, b)).CombinedOutput()
	if err != nil {
		t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
	txt := pdfText(t, b)
	for _, want := range []string{"<script>alert(1)</script>", "%PDF-1.7", "(Klammer) \\ endstream endobj", "<b>fett</b>"} {
		if !strings.Contains(txt, want) {
			t.Errorf("text lacks literal %q", want)
		}
	}
	if strings.ContainsRune(txt, '\u202E') {
		t.Error("bidi override was drawn")
	}
	if bytes.Count(b, []byte("%PDF-")) != 1 {
		t.Error("user text leaked uncompressed into the file structure")
	}
}

func TestDraftFooterWithoutCheckValue(t *testing.T) {
	d, err := pdf.New(pdf.Meta{Title: "Entwurf einer Bekanntmachung", Authority: "Kreis Musterland"})
	if err != nil {
		t.Fatal(err)
	}
	d.Paragraph("Text")
	b, err := d.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	txt := pdfText(t, b)
	if !strings.Contains(txt, "Entwurf – kein ausgestelltes Dokument") || strings.Contains(txt, "Prüfwert") {
		t.Errorf("draft footer wrong:\n%s", txt)
	}
}
