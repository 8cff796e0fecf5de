package pdf

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"

	"codeberg.org/go-pdf/fpdf"
)

// Page geometry in millimetres, roughly after DIN 5008 (left margin 25, right 20).
const (
	pageW        = 210.0 // portrait; Landscape documents are 297 mm wide
	pageLongSide = 297.0
	marginLeft   = 25.0
	marginRight  = 20.0
	marginTop    = 20.0
	footerSpace  = 28.0 // the auto page break keeps this much room for the footer
	bodySize     = 10.0
	lineH        = 5.0
	smallSize    = 7.0
)

// Meta describes the document as a whole: who issues it, what it is, and the values
// printed in every page's footer.
type Meta struct {
	Title      string    // main title, also the PDF title
	Subtitle   string    // optional line below the title
	Kind       string    // German name of the document kind (PDF subject)
	Authority  string    // issuing authority, e.g. "Kreis Musterland – Der Landrat"; PDF author
	Letterhead string    // further letterhead lines (address, department), newline separated
	CheckValue string    // the Prüfwert (content SHA-256, hex); empty renders "Entwurf"
	ChainHead  string    // audit chain head at issue (hex)
	CheckURL   string    // address of the public document check, printed in the footer
	CreatedAt  time.Time // issue time; fixes the PDF creation date (determinism)
	Footer     string    // footer line of a document that is not issued (no CheckValue); default "Entwurf …"
}

// Doc is one document under construction. Methods record errors inside fpdf; Bytes reports them.
type Doc struct {
	f        *fpdf.Fpdf
	meta     Meta
	numbered bool
	h1, h2   int
	pending  []pendingHeading // headings not drawn yet (see keep)
	letter   bool             // laid out as a letter (NewLetter): no title block
	wide     bool             // A4 landscape (Landscape)
	pageW    float64          // width of the page
	cw       float64          // width of the text between the margins
}

// Option adjusts a document at construction.
type Option func(*Doc)

// NumberedHeadings prefixes headings with "1", "1.1", …
func NumberedHeadings() Option { return func(d *Doc) { d.numbered = true } }

// Landscape lays the document out on A4 landscape pages (wide tables); the margins stay.
func Landscape() Option { return func(d *Doc) { d.wide = true } }

// New starts an A4 document with the letterhead, title and subtitle on the first page.
func New(meta Meta, opts ...Option) (*Doc, error) {
	d := &Doc{meta: meta, pageW: pageW}
	for _, o := range opts {
		o(d)
	}
	orientation := "P"
	if d.wide && !d.letter {
		orientation, d.pageW = "L", pageLongSide
	}
	d.cw = d.pageW - marginLeft - marginRight
	f := fpdf.NewCustom(&fpdf.InitType{OrientationStr: orientation, UnitStr: "mm", SizeStr: "A4"})
	d.f = f
	for _, fs := range fontStyles {
		b, err := readFont(fs.file)
		if err != nil {
			return nil, err
		}
		f.AddUTF8FontFromBytes(fontFamily, fs.style, b)
	}
	created := meta.CreatedAt.UTC()
	if created.IsZero() {
		created = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	f.SetCatalogSort(true)
	f.SetCreationDate(created)
	f.SetModificationDate(created)
	f.SetCompression(true)
	f.SetTitle(clean(meta.Title), true)
	f.SetAuthor(clean(meta.Authority), true)
	f.SetSubject(clean(meta.Kind), true)
	f.SetCreator("kimibv", true)
	f.SetProducer("kimibv (go-pdf/fpdf)", true)
	f.SetLang("de-DE")
	f.SetDisplayMode("fullwidth", "continuous")
	f.SetMargins(marginLeft, marginTop, marginRight)
	f.SetAutoPageBreak(true, footerSpace)
	f.SetCellMargin(1)
	f.AliasNbPages("{nb}")
	f.SetHeaderFunc(d.header)
	f.SetFooterFunc(d.footer)
	f.AddPage()
	if !d.letter {
		d.letterhead()
	}
	return d, d.err()
}

func (d *Doc) err() error {
	if err := d.f.Error(); err != nil {
		return fmt.Errorf("pdf: %w", err)
	}
	return nil
}

// font sets DejaVu Sans in style ("", "B", "I") and size.
func (d *Doc) font(style string, size float64) { d.f.SetFont(fontFamily, style, size) }

// authorityLines draws the authority in bold at size with line height lh, then the
// letterhead lines in small grey type (records and letters share them).
func (d *Doc) authorityLines(size, lh float64) {
	f := d.f
	if a := clean(d.meta.Authority); a != "" {
		d.font("B", size)
		f.MultiCell(d.cw, lh, a, "", "L", false)
	}
	if lines := letterheadLines(d.meta); lines != "" {
		d.font("", 8.5)
		f.SetTextColor(60, 60, 60)
		f.MultiCell(d.cw, 4, lines, "", "L", false)
		f.SetTextColor(0, 0, 0)
	}
}

// letterhead draws the authority, the letterhead lines, a rule, the title and the subtitle.
func (d *Doc) letterhead() {
	f := d.f
	d.authorityLines(11, 5.5)
	f.Ln(2)
	f.SetDrawColor(120, 120, 120)
	f.SetLineWidth(0.3)
	f.Line(marginLeft, f.GetY(), d.pageW-marginRight, f.GetY())
	f.Ln(8)
	d.font("B", 15)
	f.MultiCell(d.cw, 7, clean(d.meta.Title), "", "L", false)
	if st := clean(d.meta.Subtitle); st != "" {
		f.Ln(1)
		d.font("", 11)
		f.MultiCell(d.cw, 5.5, st, "", "L", false)
	}
	f.Ln(5)
	d.font("", bodySize)
}

// letterheadLines are the letterhead lines of meta without those that merely repeat the
// authority (which is printed above them), so that no line of the letterhead appears twice.
func letterheadLines(meta Meta) string {
	authority := strings.TrimSpace(clean(meta.Authority))
	var keep []string
	for _, l := range strings.Split(clean(meta.Letterhead), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || l == authority || (authority != "" && strings.HasPrefix(authority, l+" ")) {
			continue
		}
		keep = append(keep, l)
	}
	return strings.Join(keep, "\n")
}

// header repeats authority and title in small type from the second page on.
func (d *Doc) header() {
	if d.f.PageNo() < 2 {
		return
	}
	f := d.f
	d.font("", smallSize)
	f.SetTextColor(90, 90, 90)
	f.SetXY(marginLeft, 10)
	line := clean(d.meta.Authority)
	if t := clean(d.meta.Title); t != "" {
		if line != "" {
			line += " · "
		}
		line += t
	}
	f.CellFormat(d.cw, 4, truncate(d, line, d.cw-2), "B", 1, "L", false, 0, "")
	f.SetTextColor(0, 0, 0)
	f.SetY(marginTop)
	d.font("", bodySize)
}

// footer prints the Prüfwert, the chain head, the check address and "Seite X von Y".
func (d *Doc) footer() {
	f := d.f
	f.SetY(-footerSpace + 6)
	f.SetDrawColor(120, 120, 120)
	f.SetLineWidth(0.2)
	f.Line(marginLeft, f.GetY(), d.pageW-marginRight, f.GetY())
	f.Ln(1)
	d.font("", smallSize)
	f.SetTextColor(60, 60, 60)
	if d.meta.CheckValue == "" {
		note := "Entwurf – kein ausgestelltes Dokument"
		if d.meta.Footer != "" {
			note = clean(d.meta.Footer)
		}
		f.CellFormat(d.cw, 3.5, note, "", 1, "L", false, 0, "")
	} else {
		f.CellFormat(d.cw, 3.5, "Prüfwert (SHA-256): "+clean(d.meta.CheckValue), "", 1, "L", false, 0, "")
		if d.meta.ChainHead != "" {
			f.CellFormat(d.cw, 3.5, "Prüfprotokoll-Kopf: "+clean(d.meta.ChainHead), "", 1, "L", false, 0, "")
		}
	}
	check := ""
	if u := clean(d.meta.CheckURL); u != "" {
		check = "Echtheit prüfen: " + u
	}
	f.CellFormat(d.cw-30, 3.5, check, "", 0, "L", false, 0, "")
	f.CellFormat(30, 3.5, "Seite "+strconv.Itoa(f.PageNo())+" von {nb}", "", 1, "R", false, 0, "")
	f.SetTextColor(0, 0, 0)
	d.font("", bodySize)
}

// Heading adds a section heading (numbered "1", "2", … with NumberedHeadings).
func (d *Doc) Heading(text string) {
	d.h1++
	d.h2 = 0
	d.heading(text, strconv.Itoa(d.h1), 12.5, 0)
}

// Subheading adds a heading below the current section ("1.1", … when numbered).
func (d *Doc) Subheading(text string) {
	d.h2++
	d.heading(text, strconv.Itoa(d.h1)+"."+strconv.Itoa(d.h2), 11, 1)
}

func (d *Doc) heading(text, number string, size float64, level int) {
	text = clean(text)
	if d.numbered {
		text = number + " " + text
	}
	if d.letter {
		size = 11 // a letter's sections are marked, not titled
	}
	d.pending = append(d.pending, pendingHeading{text: text, size: size, level: level})
}

// pendingHeading is a heading that waits for its first content (see keep).
type pendingHeading struct {
	text  string
	size  float64
	level int
}

// keep draws the headings waiting for content together with the first h millimetres of
// that content: if both do not fit above the footer, the headings move to the next page.
// So a heading never stands alone at the foot of a page. Every primitive that draws
// content calls keep first with the height of its first lines.
func (d *Doc) keep(h float64) {
	if len(d.pending) == 0 {
		d.needSpace(h)
		return
	}
	need := h
	for _, p := range d.pending {
		d.font("B", p.size)
		need += 3 + float64(len(d.f.SplitText(p.text, d.cw)))*p.size/2 + 1.5
	}
	d.needSpace(need)
	for _, p := range d.pending {
		d.f.Ln(3)
		d.f.Bookmark(p.text, p.level, -1)
		d.font("B", p.size)
		d.f.MultiCell(d.cw, p.size/2, p.text, "", "L", false)
		d.f.Ln(1.5)
	}
	d.pending = nil
	d.font("", bodySize)
}

// firstLines is the height of the first (at most two) lines of text wrapped to w in the
// current font at line height lh.
func (d *Doc) firstLines(text string, w, lh float64) float64 {
	return float64(min(2, max(1, len(d.f.SplitText(text, w))))) * lh
}

// Paragraph adds wrapped body text; blank lines in text separate paragraphs.
func (d *Doc) Paragraph(text string) {
	text = clean(text)
	d.font("", bodySize)
	d.keep(d.firstLines(text, d.cw, lineH))
	d.f.MultiCell(d.cw, lineH, text, "", "L", false)
	d.f.Ln(2)
}

// Note adds small oblique text, e.g. an explanation below a table.
func (d *Doc) Note(text string) {
	text = clean(text)
	d.font("I", 8.5)
	d.keep(d.firstLines(text, d.cw, 4.2))
	d.font("I", 8.5)
	d.f.MultiCell(d.cw, 4.2, text, "", "L", false)
	d.f.Ln(2)
	d.font("", bodySize)
}

// Bullets adds a list with one bullet per item; long items wrap with a hanging indent.
func (d *Doc) Bullets(items []string) {
	d.font("", bodySize)
	if len(items) > 0 {
		d.keep(d.firstLines(clean(items[0]), d.cw-6, lineH))
	}
	for _, it := range items {
		lines := d.f.SplitText(clean(it), d.cw-6)
		for i, l := range lines {
			d.needSpace(lineH)
			d.f.SetX(marginLeft)
			mark := ""
			if i == 0 {
				mark = "•"
			}
			d.f.CellFormat(6, lineH, mark, "", 0, "L", false, 0, "")
			d.f.CellFormat(d.cw-6, lineH, l, "", 1, "L", false, 0, "")
		}
		d.f.Ln(0.8)
	}
	d.f.Ln(1.5)
}

// KV is one line of a key–value block.
type KV struct{ Key, Value string }

// KeyValues adds a two-column block of labels (bold) and wrapped values, without borders.
func (d *Doc) KeyValues(pairs []KV) {
	w := []float64{55, d.cw - 55}
	styles := []string{"B", ""}
	if len(pairs) > 0 {
		d.keep(d.rowHeight(w, []string{pairs[0].Key, pairs[0].Value}, styles, rowStyle{size: bodySize, lh: lineH}, 2))
	}
	for _, p := range pairs {
		d.row(w, []string{p.Key, p.Value}, styles, []string{"L", "L"})
	}
	d.f.Ln(3)
}

// Spacer adds vertical space in millimetres.
func (d *Doc) Spacer(mm float64) { d.f.Ln(mm) }

// PageBreak starts a new page (headings still waiting for content go on it).
func (d *Doc) PageBreak() { d.f.AddPage() }

// Bytes finishes the document and returns the PDF.
func (d *Doc) Bytes() ([]byte, error) {
	d.keep(0)
	if err := d.err(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := d.f.Output(&buf); err != nil {
		return nil, fmt.Errorf("pdf output: %w", err)
	}
	return buf.Bytes(), nil
}

// Write finishes the document and writes the PDF to w.
func (d *Doc) Write(w io.Writer) error {
	if err := d.err(); err != nil {
		return err
	}
	if err := d.f.Output(w); err != nil {
		return fmt.Errorf("pdf output: %w", err)
	}
	return nil
}

// needSpace starts a new page unless h millimetres fit above the footer.
func (d *Doc) needSpace(h float64) {
	_, pageH := d.f.GetPageSize()
	if d.f.GetY()+h > pageH-footerSpace {
		d.f.AddPage()
	}
}

// clean makes s safe to draw: valid UTF-8, no control characters except newlines
// (tabs become spaces), no bidi overrides, CRLF normalised.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\t' || r == '\r':
			return ' '
		case unicode.IsControl(r), r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
			return -1
		}
		return r
	}, s)
}

// truncate shortens s with an ellipsis so that it fits w millimetres in the current font.
func truncate(d *Doc, s string, w float64) string {
	if d.f.GetStringWidth(s) <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && d.f.GetStringWidth(string(r)+"…") > w {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}
