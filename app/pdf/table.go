package pdf

// Column describes one table column: its heading, its share of the width and alignment.
type Column struct {
	Title string
	Width float64 // relative weight; the columns share the full text width
	Align string  // "L" (default), "R" or "C"
}

// Table is a bordered table whose cells wrap; the header row repeats on every page
// the table continues on, and a row taller than the remaining space is continued
// on the next page.
type Table struct {
	Caption string // optional bold line above the table
	Columns []Column
	Rows    [][]string
	Small   bool // 8.5 pt instead of 10 pt, for wide matrices
}

const cellPad = 1.2

// Table adds t to the document.
func (d *Doc) Table(t Table) {
	if len(t.Columns) == 0 {
		return
	}
	widths := make([]float64, len(t.Columns))
	aligns := make([]string, len(t.Columns))
	titles := make([]string, len(t.Columns))
	bold := make([]string, len(t.Columns))
	plain := make([]string, len(t.Columns))
	var sum float64
	for _, c := range t.Columns {
		w := c.Width
		if w <= 0 {
			w = 1
		}
		sum += w
	}
	for i, c := range t.Columns {
		w := c.Width
		if w <= 0 {
			w = 1
		}
		widths[i] = contentWidth * w / sum
		aligns[i] = c.Align
		if aligns[i] == "" {
			aligns[i] = "L"
		}
		titles[i], bold[i] = c.Title, "B"
	}
	size, lh := bodySize, lineH
	if t.Small {
		size, lh = 8.5, 4.2
	}
	header := func() {
		d.rowSized(widths, titles, bold, aligns, true, true, nil, size, lh)
	}
	if t.Caption != "" {
		d.needSpace(3 * lh)
		d.font("B", bodySize)
		d.f.MultiCell(contentWidth, lineH, clean(t.Caption), "", "L", false)
		d.f.Ln(1)
	}
	d.needSpace(4 * lh) // header plus at least one line of the first row
	header()
	for _, r := range t.Rows {
		cells := make([]string, len(t.Columns))
		copy(cells, r)
		d.rowSized(widths, cells, plain, aligns, true, false, header, size, lh)
	}
	d.font("", bodySize)
	d.f.Ln(4)
}

// row draws one row in body size; see rowSized.
func (d *Doc) row(widths []float64, texts, styles, aligns []string, border, fill bool, header func()) {
	d.rowSized(widths, texts, styles, aligns, border, fill, header, bodySize, lineH)
}

// rowSized draws one row of wrapped cells at font size and line height lh. When the row
// does not fit on the page it continues on the next one, where header (if any) is drawn first.
func (d *Doc) rowSized(widths []float64, texts, styles, aligns []string, border, fill bool, header func(), size, lh float64) {
	f := d.f
	lines := make([][]string, len(widths))
	maxLines := 1
	for i := range widths {
		d.font(styles[i], size)
		lines[i] = f.SplitText(clean(texts[i]), widths[i]-2*cellPad+2) // SplitText subtracts the 1 mm cell margin twice
		if len(lines[i]) == 0 {
			lines[i] = []string{""}
		}
		maxLines = max(maxLines, len(lines[i]))
	}
	_, pageH := f.GetPageSize()
	bottom := pageH - footerSpace
	for start := 0; start < maxLines; {
		avail := int((bottom - f.GetY() - 2*cellPad) / lh)
		if avail < 1 || (avail < maxLines-start && avail < 2) {
			f.AddPage()
			if header != nil {
				header()
			}
			continue
		}
		n := min(avail, maxLines-start)
		y := f.GetY()
		h := float64(n)*lh + 2*cellPad
		x := marginLeft
		for i, w := range widths {
			if fill {
				f.SetFillColor(230, 233, 237)
			}
			style := ""
			if border {
				style = "D"
				if fill {
					style = "FD"
				}
			} else if fill {
				style = "F"
			}
			if style != "" {
				f.SetDrawColor(140, 140, 140)
				f.SetLineWidth(0.2)
				f.Rect(x, y, w, h, style)
			}
			d.font(styles[i], size)
			for j := start; j < start+n && j < len(lines[i]); j++ {
				f.SetXY(x+cellPad-1, y+cellPad+float64(j-start)*lh)
				f.CellFormat(w-2*cellPad+2, lh, lines[i][j], "", 0, aligns[i], false, 0, "")
			}
			x += w
		}
		f.SetXY(marginLeft, y+h)
		start += n
	}
	d.font("", bodySize)
}
