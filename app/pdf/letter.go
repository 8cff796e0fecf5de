package pdf

import "strings"

// Geometry of the first page of a letter after DIN 5008 form B, in millimetres from the
// top left corner of the sheet.
const (
	letterheadTop = 15.0  // first line of the letterhead (zone 0–45 mm)
	addressTop    = 45.0  // address field: 45 mm from the top, 20 mm from the left, 85 × 45 mm
	addressLeft   = 20.0  // left edge of the address field
	addressIndent = 5.0   // text in the address field starts at 25 mm, flush with the body
	addressW      = 85.0  // width of the address field
	remarkZone    = 17.7  // return address and remarks zone at the top of the address field
	addressLineH  = 4.23  // one line of the address zone (six lines in 27.3 mm)
	infoLeft      = 125.0 // information block: 125 mm from the left …
	infoTop       = 50.0  // … from 50 mm below the top (form B)
	infoLabelW    = 24.0  // label column of the information block
	subjectTop    = 98.46 // subject line: two lines below the address field
	foldMark1     = 105.0 // fold marks of form B and the hole mark
	foldMark2     = 210.0
	holeMark      = 148.5
)

// Letter is what the first page of a letter states besides its body: the sender's return
// address (one line above the recipient), the recipient's address lines, the information
// block (reference, contact, date …), the subject line and the salutation.
type Letter struct {
	ReturnAddress string
	Recipient     []string // at most six lines; the first is the organisation's name
	Info          []KV     // shown in order in the information block right of the address
	Subject       string
	Salutation    string // e.g. "Sehr geehrte Damen und Herren,"
}

// NewLetter starts a letter laid out after DIN 5008 form B: letterhead (Meta.Authority and
// the further Meta.Letterhead lines) in the top 45 mm, the address field 45 mm from the top
// with the return address above the recipient, the information block to its right, fold
// and hole marks at the left edge, then subject line and salutation. Meta.Title is the
// PDF's title and the running head of further pages; it is not printed on the first page,
// where the subject line says what the letter is about. Body primitives (Paragraph,
// Heading, Table …) follow; Closing ends the letter.
func NewLetter(meta Meta, l Letter, opts ...Option) (*Doc, error) {
	d, err := New(meta, append(opts, func(d *Doc) { d.letter = true })...)
	if err != nil {
		return nil, err
	}
	d.letterFirstPage(l)
	return d, d.err()
}

// letterFirstPage draws letterhead, marks, address field, information block, subject and salutation.
func (d *Doc) letterFirstPage(l Letter) {
	f := d.f
	f.SetXY(marginLeft, letterheadTop)
	d.authorityLines(12, 6)
	f.SetDrawColor(120, 120, 120)
	f.SetLineWidth(0.2)
	for _, y := range []float64{foldMark1, foldMark2} {
		f.Line(3, y, 8, y)
	}
	f.Line(3, holeMark, 10, holeMark)

	x := addressLeft + addressIndent
	if r := clean(l.ReturnAddress); r != "" {
		d.font("", 7)
		r = truncate(d, r, addressW-addressIndent-1)
		y := addressTop + remarkZone - 5
		f.SetXY(x-1, y)
		f.CellFormat(addressW-addressIndent, 3.5, r, "", 0, "L", false, 0, "")
		f.Line(x, y+3.6, x+f.GetStringWidth(r), y+3.6)
	}
	d.font("", bodySize)
	var lines []string // a long name wraps between words; the zone holds six lines
	for _, line := range l.Recipient {
		line = strings.ReplaceAll(clean(line), "e. V.", "e.\u00a0V.") // keep the legal form together
		lines = append(lines, d.wrapWords(line, addressW-addressIndent-2)...)
	}
	for i, line := range lines[:min(len(lines), 6)] {
		f.SetXY(x-1, addressTop+remarkZone+float64(i)*addressLineH)
		f.CellFormat(addressW-addressIndent, addressLineH, truncate(d, line, addressW-addressIndent-2), "", 0, "L", false, 0, "")
	}

	infoBottom := d.infoBlock(l.Info)
	f.SetXY(marginLeft, max(subjectTop, infoBottom+2*addressLineH))
	if s := clean(l.Subject); s != "" {
		d.font("B", bodySize)
		f.MultiCell(d.cw, lineH, s, "", "L", false)
		f.Ln(2 * addressLineH)
	}
	if s := clean(l.Salutation); s != "" {
		d.font("", bodySize)
		f.MultiCell(d.cw, lineH, s, "", "L", false)
		f.Ln(lineH - 2)
	}
	d.font("", bodySize)
}

// infoBlock draws the information block right of the address field and returns its bottom.
func (d *Doc) infoBlock(info []KV) float64 {
	f := d.f
	valueW := d.pageW - marginRight - infoLeft - infoLabelW
	y := infoTop
	for _, kv := range info {
		d.font("", 8.5)
		lines := f.SplitText(clean(kv.Value), valueW+2)
		if len(lines) == 0 {
			lines = []string{""}
		}
		f.SetTextColor(80, 80, 80)
		d.font("", 7.5)
		f.SetXY(infoLeft-1, y)
		f.CellFormat(infoLabelW, 4.2, clean(kv.Key), "", 0, "L", false, 0, "")
		f.SetTextColor(0, 0, 0)
		d.font("", 8.5)
		for i, line := range lines {
			f.SetXY(infoLeft+infoLabelW-1, y+float64(i)*4.2)
			f.CellFormat(valueW+2, 4.2, line, "", 0, "L", false, 0, "")
		}
		y += float64(len(lines)) * 4.2
	}
	return y
}

// Closing ends a letter: the greeting, the signing office (one line per line of office)
// and a note below, e.g. that the letter is valid without a signature. They stay together
// on one page.
func (d *Doc) Closing(greeting, office, note string) {
	office = clean(strings.TrimSpace(office))
	need := 3*lineH + float64(strings.Count(office, "\n")+1)*lineH
	if note != "" {
		need += 8.4
	}
	d.keep(need)
	d.f.Ln(2)
	d.font("", bodySize)
	d.f.MultiCell(d.cw, lineH, clean(greeting), "", "L", false)
	d.f.Ln(lineH)
	if office != "" {
		d.f.MultiCell(d.cw, lineH, office, "", "L", false)
	}
	if note != "" {
		d.f.Ln(1.5)
		d.font("I", 8.5)
		d.f.MultiCell(d.cw, 4.2, clean(note), "", "L", false)
	}
	d.f.Ln(4)
	d.font("", bodySize)
}
