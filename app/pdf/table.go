package pdf

// Column describes one table column: its heading, its share of the width and alignment.
type Column struct {
	Title string
	Width float64 // relative weight; the columns share the full text width
	Align string  // "L" (default), "R" or "C"
}

// Table is a bordered table whose cells wrap; the header row repeats on every page
// the table continues on; a row taller than the remaining space moves to the next page
// whole, or, when it is longer than keepRowLines lines, is continued there. Column headings are never broken inside a word: a column is at
// least as wide as the longest word of its heading, and headings wrap only at spaces
// and after existing hyphens ("Mindest-|bewertung").
type Table struct {
	Caption string // optional bold line above the table
	Columns []Column
	Rows    [][]string
	Foot    []string // optional closing row in bold on grey, e.g. the sums
	Small   bool     // 8.5 pt instead of 10 pt, for wide matrices
}

const (
	keepRowLines  = 12 // rows up to this many lines are never split across pages
	cellPad       = 1.2
	minHeaderSize = 6.5 // smallest heading size before words would have to be split
)

// rowStyle is how a row is drawn: font size, line height, borders, the grey fill of
// heading rows, and whether cells wrap only between words (headings).
type rowStyle struct {
	size, lh            float64
	border, fill, words bool
}

// Table adds t to the document.
func (d *Doc) Table(t Table) {
	if len(t.Columns) == 0 {
		return
	}
	n := len(t.Columns)
	aligns, titles := make([]string, n), make([]string, n)
	bold, plain := make([]string, n), make([]string, n)
	for i, c := range t.Columns {
		aligns[i], titles[i], bold[i] = c.Align, clean(c.Title), "B"
		if aligns[i] == "" {
			aligns[i] = "L"
		}
	}
	body := rowStyle{size: bodySize, lh: lineH, border: true}
	if t.Small {
		body.size, body.lh = 8.5, 4.2
	}
	head := body
	head.fill, head.words = true, true
	widths := d.columnWidths(t.Columns, &head)
	header := func() { d.rowStyled(widths, titles, bold, aligns, head, nil) }
	first := make([]string, n)
	if len(t.Rows) > 0 {
		copy(first, t.Rows[0])
	}
	need := d.rowHeight(widths, titles, bold, head, 0) + d.rowHeight(widths, first, plain, body, 2)
	if t.Caption != "" {
		need += lineH + 1
	}
	d.keep(need) // caption, header and the first lines of the first row stay together
	if t.Caption != "" {
		d.font("B", bodySize)
		d.f.MultiCell(d.cw, lineH, clean(t.Caption), "", "L", false)
		d.f.Ln(1)
	}
	header()
	for _, r := range t.Rows {
		cells := make([]string, n)
		copy(cells, r)
		d.rowStyled(widths, cells, plain, aligns, body, header)
	}
	if len(t.Foot) > 0 {
		cells := make([]string, n)
		copy(cells, t.Foot)
		foot := body
		foot.fill = true
		d.rowStyled(widths, cells, bold, aligns, foot, header)
	}
	d.font("", bodySize)
	d.f.Ln(4)
}

// columnWidths shares the text width among the columns by their weights, but gives every
// column at least the width of the longest word of its heading (plus the cell padding),
// taking the difference from the columns that have room. If the headings' words cannot
// all fit, the heading size of head shrinks (down to minHeaderSize) until they do.
func (d *Doc) columnWidths(cols []Column, head *rowStyle) []float64 {
	n := len(cols)
	weights, minW := make([]float64, n), make([]float64, n)
	for i, c := range cols {
		weights[i] = c.Width
		if weights[i] <= 0 {
			weights[i] = 1
		}
	}
	for {
		d.font("B", head.size)
		var sum float64
		for i, c := range cols {
			minW[i] = d.widestWord(clean(c.Title)) + 2*cellPad + 0.5
			sum += minW[i]
		}
		if sum <= d.cw || head.size <= minHeaderSize {
			break
		}
		head.size -= 0.5
		head.lh = head.size * 0.5
	}
	return shareWidth(weights, minW, d.cw)
}

// shareWidth divides total among columns in proportion to weights, with column i never
// narrower than minW[i]: columns below their minimum are fixed at it and the rest share
// what remains, until no column is below its minimum. Pure.
func shareWidth(weights, minW []float64, total float64) []float64 {
	n := len(weights)
	w := make([]float64, n)
	fixed := make([]bool, n)
	for {
		rest, weight := total, 0.0
		for i := range n {
			if fixed[i] {
				rest -= minW[i]
			} else {
				weight += weights[i]
			}
		}
		changed := false
		for i := range n {
			if fixed[i] {
				w[i] = minW[i]
				continue
			}
			w[i] = max(rest, 0) * weights[i] / weight
			if w[i] < minW[i] {
				fixed[i], changed = true, true
			}
		}
		if !changed || weight == 0 {
			return w
		}
	}
}

// row draws one borderless row in body size (key–value blocks).
func (d *Doc) row(widths []float64, texts, styles, aligns []string) {
	d.rowStyled(widths, texts, styles, aligns, rowStyle{size: bodySize, lh: lineH}, nil)
}

// cellLines wraps the cells of a row for their column widths in style st.
func (d *Doc) cellLines(widths []float64, texts, styles []string, st rowStyle) [][]string {
	lines := make([][]string, len(widths))
	for i := range widths {
		d.font(styles[i], st.size)
		if st.words {
			lines[i] = d.wrapWords(clean(texts[i]), widths[i]-2*cellPad)
		} else {
			lines[i] = d.f.SplitText(clean(texts[i]), widths[i]-2*cellPad+2) // SplitText subtracts the 1 mm cell margin twice
		}
		if len(lines[i]) == 0 {
			lines[i] = []string{""}
		}
	}
	return lines
}

// rowHeight is the height of a row in style st; limit > 0 counts at most limit lines.
func (d *Doc) rowHeight(widths []float64, texts, styles []string, st rowStyle, limit int) float64 {
	n := 1
	for _, l := range d.cellLines(widths, texts, styles, st) {
		n = max(n, len(l))
	}
	if limit > 0 {
		n = min(n, limit)
	}
	return float64(n)*st.lh + 2*cellPad
}

// rowStyled draws one row of wrapped cells in style st. When the row does not fit on the
// page it continues on the next one, where header (if any) is drawn first.
func (d *Doc) rowStyled(widths []float64, texts, styles, aligns []string, st rowStyle, header func()) {
	f := d.f
	lines := d.cellLines(widths, texts, styles, st)
	maxLines := 1
	for _, l := range lines {
		maxLines = max(maxLines, len(l))
	}
	_, pageH := f.GetPageSize()
	bottom := pageH - footerSpace
	for start := 0; start < maxLines; {
		avail := int((bottom - f.GetY() - 2*cellPad) / st.lh)
		// A row of up to keepRowLines lines moves to the next page whole (a reason read
		// across a page break is easily misread); a longer one continues there.
		if avail < 1 || (avail < maxLines-start && (avail < 2 || (start == 0 && maxLines <= keepRowLines))) {
			f.AddPage()
			if header != nil {
				header()
			}
			continue
		}
		n := min(avail, maxLines-start)
		y := f.GetY()
		h := float64(n)*st.lh + 2*cellPad
		x := marginLeft
		for i, w := range widths {
			d.cellBox(x, y, w, h, st)
			d.font(styles[i], st.size)
			for j := start; j < start+n && j < len(lines[i]); j++ {
				f.SetXY(x+cellPad-1, y+cellPad+float64(j-start)*st.lh)
				f.CellFormat(w-2*cellPad+2, st.lh, lines[i][j], "", 0, aligns[i], false, 0, "")
			}
			x += w
		}
		f.SetXY(marginLeft, y+h)
		start += n
	}
	d.font("", bodySize)
}

// cellBox draws the border and fill of one cell.
func (d *Doc) cellBox(x, y, w, h float64, st rowStyle) {
	style := ""
	switch {
	case st.border && st.fill:
		style = "FD"
	case st.border:
		style = "D"
	case st.fill:
		style = "F"
	}
	if style == "" {
		return
	}
	d.f.SetFillColor(230, 233, 237)
	d.f.SetDrawColor(140, 140, 140)
	d.f.SetLineWidth(0.2)
	d.f.Rect(x, y, w, h, style)
}
