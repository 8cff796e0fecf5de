package pdf_test

import (
	"fmt"
	"html"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"kimibv/app/pdf"
)

// pages returns the text of every page without the running head and the footer lines.
func pages(t *testing.T, b []byte) [][]string {
	t.Helper()
	var out [][]string
	for _, page := range strings.Split(pdfText(t, b), "\f") {
		var lines []string
		for _, l := range strings.Split(page, "\n") {
			l = strings.TrimSpace(l)
			if l == "" || strings.HasPrefix(l, "Entwurf – kein") || strings.HasPrefix(l, "Seite ") ||
				strings.HasPrefix(l, "Kreis Musterland · ") {
				continue
			}
			lines = append(lines, l)
		}
		if len(lines) > 0 {
			out = append(out, lines)
		}
	}
	return out
}

func TestTableHeadersNeverBreakInsideAWord(t *testing.T) {
	d, err := pdf.New(pdf.Meta{Title: "Kopfzeilen", Authority: "Kreis Musterland"})
	if err != nil {
		t.Fatal(err)
	}
	titles := []string{"Fassung", "Gewichtung (Punkte)", "Mindest-bewertung", "Förderung je Jahr", "Beschluss-/Vorlagennummer"}
	cols := []pdf.Column{{Title: titles[0], Width: 0.2}, {Title: titles[1], Width: 0.3}, {Title: titles[2], Width: 0.3},
		{Title: titles[3], Width: 0.3, Align: "R"}, {Title: titles[4], Width: 0.3}, {Title: "Begründung", Width: 12}}
	d.Table(pdf.Table{Columns: cols, Rows: [][]string{{"1", "20", "2", "57.000 €", "KA/117", "lang " + strings.Repeat("x ", 40)}}})
	d.Table(pdf.Table{Columns: cols, Small: true, Rows: [][]string{{"1", "20", "2", "57.000 €", "KA/117", "kurz"}}})
	b, err := d.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	txt := " " + strings.Join(bboxWords(t, b), " ") + " "
	for _, word := range []string{"Fassung", "Gewichtung", "(Punkte)", "Förderung", "Jahr", "Begründung"} {
		if n := strings.Count(txt, " "+word+" "); n != 2 {
			t.Errorf("header word %q appears whole %d times, want 2 (once per table):\n%s", word, n, txt)
		}
	}
	// Hyphenated headings may break only after their hyphen.
	for _, w := range []string{"Mindest-", "bewertung", "Beschluss-", "/Vorlagennummer"} {
		if n := strings.Count(txt, " "+w+" "); n != 2 {
			t.Errorf("%q appears whole %d times, want 2:\n%s", w, n, txt)
		}
	}
}

// bboxWords lists the words pdftotext finds, in order, as drawn (hyphens kept).
func bboxWords(t *testing.T, b []byte) []string {
	t.Helper()
	out, err := exec.Command(tool(t, "pdftotext"), "-bbox", writeTemp(t, b), "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext -bbox: %v\n%s", err, out)
	}
	var words []string
	for _, m := range regexp.MustCompile(`<word [^>]*>([^<]*)</word>`).FindAllSubmatch(out, -1) {
		words = append(words, html.UnescapeString(string(m[1])))
	}
	return words
}

func TestHeadingIsNeverTheLastLineOfAPage(t *testing.T) {
	d, err := pdf.New(pdf.Meta{Title: "Absätze", Authority: "Kreis Musterland"}, pdf.NumberedHeadings())
	if err != nil {
		t.Fatal(err)
	}
	heading := regexp.MustCompile(`^\d+(\.\d+)? (Abschnitt|Unterabschnitt) \d+$`)
	for i := 1; i <= 70; i++ {
		d.Paragraph(strings.TrimSpace(strings.Repeat("Fülltext des Abschnitts mit einigen Wörtern. ", 1+i%9)))
		d.Heading(fmt.Sprintf("Abschnitt %d", i))
		switch i % 4 {
		case 0:
			d.Table(pdf.Table{Columns: []pdf.Column{{Title: "Kriterium", Width: 5}, {Title: "Gewichtung (Punkte)", Width: 1}},
				Rows: [][]string{{strings.Repeat("Zeile ", 30), "20"}, {"kurz", "10"}}})
		case 1:
			d.Subheading(fmt.Sprintf("Unterabschnitt %d", i))
			d.Bullets([]string{"erster Punkt", "zweiter Punkt"})
		case 2:
			d.KeyValues([]pdf.KV{{Key: "Frist", Value: "15.06.2026"}, {Key: "Ort", Value: "Musterstadt"}})
		default:
			d.Note("Hinweis in kleiner Schrift, der über zwei Zeilen laufen kann, wenn er lang genug ist, " + strings.Repeat("noch länger, ", 10))
		}
	}
	b, err := d.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	ps := pages(t, b)
	if len(ps) < 5 {
		t.Fatalf("want a long document, got %d pages", len(ps))
	}
	headings := 0
	for i, lines := range ps {
		for _, l := range lines {
			if heading.MatchString(l) {
				headings++
			}
		}
		if last := lines[len(lines)-1]; heading.MatchString(last) {
			t.Errorf("page %d ends with the heading %q", i+1, last)
		}
	}
	if headings != 70+18 {
		t.Errorf("found %d headings, want 88", headings)
	}
}

// letterSample renders a short letter.
func letterSample(t *testing.T) []byte {
	t.Helper()
	d, err := pdf.NewLetter(pdf.Meta{Title: "Mitteilung", Authority: "Kreis Musterland – Der Landrat", Letterhead: "Kreis Musterland\nAmt für Integration",
		CreatedAt: time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)},
		pdf.Letter{ReturnAddress: "Kreis Musterland · Schloßstraße 1 · 40210 Musterstadt",
			Recipient: []string{"Caritasverband Musterland e. V.", "Lindenweg 7", "40211 Musterstadt"},
			Info:      []pdf.KV{{Key: "Aktenzeichen", Value: "musterland-2026-01"}, {Key: "Telefon", Value: "02131 928-0"}, {Key: "Datum", Value: "02.03.2026"}},
			Subject:   "Mitteilung über das Ergebnis", Salutation: "Sehr geehrte Damen und Herren,"})
	if err != nil {
		t.Fatal(err)
	}
	d.Paragraph("der Kreisausschuss hat entschieden.")
	d.Closing("Mit freundlichen Grüßen", "Der Landrat – Amt für Integration", "Dieses Schreiben ist ohne Unterschrift gültig.")
	b, err := d.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// wordTop returns the distance in millimetres of the first occurrence of word from the top
// and the left of the page (pdftotext -bbox).
func wordTop(t *testing.T, b []byte, word string) (top, left float64) {
	t.Helper()
	out, err := exec.Command(tool(t, "pdftotext"), "-bbox", "-f", "1", "-l", "1", writeTemp(t, b), "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext -bbox: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>` + regexp.QuoteMeta(word) + `<`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("word %q not on page 1", word)
	}
	x, _ := strconv.ParseFloat(string(m[1]), 64)
	y, _ := strconv.ParseFloat(string(m[2]), 64)
	return y / 72 * 25.4, x / 72 * 25.4
}

func TestLetterFollowsDIN5008FormB(t *testing.T) {
	b := letterSample(t)
	txt := pdfText(t, b)
	for _, want := range []string{"Kreis Musterland – Der Landrat", "Amt für Integration", "Caritasverband Musterland e. V.", "Lindenweg 7",
		"musterland-2026-01", "02.03.2026", "Mitteilung über das Ergebnis", "Sehr geehrte Damen und Herren,", "Mit freundlichen Grüßen",
		"Der Landrat – Amt für Integration", "Seite 1 von 1"} {
		if !strings.Contains(txt, want) {
			t.Errorf("letter lacks %q:\n%s", want, txt)
		}
	}
	if n := strings.Count(txt, "Kreis Musterland\n"); n != 0 {
		t.Errorf("letterhead repeats the Kreis below the authority (%d times):\n%s", n, txt)
	}
	cases := []struct {
		word                             string
		topMin, topMax, leftMin, leftMax float64
	}{
		{"Caritasverband", 62, 68, 24.5, 26},     // first line of the address zone
		{"40211", 62.7, 90, 24.5, 26},            // last line inside the field
		{"Schloßstraße", 45, 62.7, 24.5, 60},     // return address in the remarks zone
		{"musterland-2026-01", 49, 56, 140, 160}, // information block right of the address
		{"Mitteilung", 95, 110, 24.5, 26},        // subject line below the address field
	}
	for _, c := range cases {
		top, left := wordTop(t, b, c.word)
		if top < c.topMin || top > c.topMax || left < c.leftMin || left > c.leftMax {
			t.Errorf("%s at %.1f mm from the top, %.1f mm from the left; want %.1f–%.1f and %.1f–%.1f", c.word, top, left, c.topMin, c.topMax, c.leftMin, c.leftMax)
		}
	}
}

// TestTableRowIsNeverSplitAcrossPages: rows of several lines that reach the foot of a page
// move to the next page whole, so no reason is read across a page break.
func TestTableRowIsNeverSplitAcrossPages(t *testing.T) {
	d, err := pdf.New(pdf.Meta{Title: "Zeilen", Authority: "Kreis Musterland"})
	if err != nil {
		t.Fatal(err)
	}
	rows := [][]string{}
	for i := 1; i <= 40; i++ {
		rows = append(rows, []string{fmt.Sprintf("Kriterium %d", i),
			fmt.Sprintf("Anfang%d ", i) + strings.Repeat("Begründung mit mehreren Zeilen Text. ", 4+i%5) + fmt.Sprintf("Ende%d", i)})
	}
	d.Table(pdf.Table{Columns: []pdf.Column{{Title: "Kriterium", Width: 2}, {Title: "Begründung", Width: 5}}, Rows: rows})
	b, err := d.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	ps := pages(t, b)
	if len(ps) < 3 {
		t.Fatalf("want a table over several pages, got %d pages", len(ps))
	}
	for i := 1; i <= 40; i++ {
		start, end := fmt.Sprintf("Anfang%d ", i), fmt.Sprintf("Ende%d", i)
		for p, lines := range ps {
			text := strings.Join(lines, " ") + " "
			if strings.Contains(text, start) && !strings.Contains(text, end) {
				t.Errorf("row %d starts on page %d and ends on another", i, p+1)
			}
		}
	}
}

// TestLandscapeSpreadsATableOverTheLongSide: a Landscape document is A4 across, its table
// reaches to the right margin 20 mm before 297 mm and the footer stays on the page.
func TestLandscapeSpreadsATableOverTheLongSide(t *testing.T) {
	d, err := pdf.New(pdf.Meta{Title: "Quer", Authority: "Kreis Musterland", Footer: "Auswertung"}, pdf.Landscape())
	if err != nil {
		t.Fatal(err)
	}
	d.Table(pdf.Table{Columns: []pdf.Column{{Title: "Träger", Width: 3}, {Title: "Betrag", Width: 1, Align: "R"}},
		Rows: [][]string{{"Caritasverband", "Rechtsbündig"}}})
	b, err := d.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	_, left := wordTop(t, b, "Rechtsbündig")
	if left < 240 || left > 277 {
		t.Errorf("the right-aligned cell starts %.1f mm from the left; want it near the right margin of a 297 mm page", left)
	}
	if top, _ := wordTop(t, b, "Seite"); top < 180 || top > 200 {
		t.Errorf("the footer is %.1f mm from the top; want it at the foot of a 210 mm high page", top)
	}
}
