package app

import (
	"fmt"
	"io"
	"time"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"kimibv/app/pdfdoc"
	"kimibv/models/core"
	"kimibv/models/forwarding"
	"kimibv/models/rules"
)

// Sheets of the year summary's workbook.
const (
	sheetFunds  = "Stellen und Mittel"
	sheetProofs = "Verwendungsnachweise"
)

// summaryHeadRow is the row of the column headings in both sheets; data follow it.
const summaryHeadRow = 4

// writeSummaryXLSX writes the Kreis's year summary (rules.md R39) as a workbook: the sheet
// "Stellen und Mittel" has one row per contract, "Verwendungsnachweise" one per Förderjahr
// ending in the year. Amounts are numeric cells in euros with the format "#,##0.00 €",
// VZÄ with two decimals, days as dates. The sums are SUM formulas over their column, so
// that they follow when the Kreis corrects or adds a row for its report; the workbook asks
// for a full calculation on opening, and the values equal those of the page and the PDF.
func writeSummaryXLSX(w io.Writer, kreis string, v *forwarding.YearSummaryView, now time.Time) error {
	f := excelize.NewFile()
	defer f.Close()
	x, err := newSummarySheets(f)
	if err != nil {
		return err
	}
	head := fmt.Sprintf("%s – %s; erstellt am %s", kreis, pdfdoc.SummaryAsOf(v), core.FormatDateTime(now))
	if err := f.SetSheetName("Sheet1", sheetFunds); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	x.start(sheetFunds, fmt.Sprintf("Jahresübersicht %d: Stellen und Mittel", v.Year), head, []string{"Verfahren", "Titel des Verfahrens", "Träger", "Lose",
		"Vertrag angenommen", "Zeitraum von", "Zeitraum bis", "VZÄ bewilligt", "VZÄ besetzt am Stichtag", "Stichtag", "VZÄ besetzt im Durchschnitt",
		fmt.Sprintf("Förderung %d", v.Year), fmt.Sprintf("Ausgezahlt für %d", v.Year)})
	for _, r := range v.Funds {
		cells := []any{r.CallRef, r.CallTitle, r.OrgName, r.Lots, yesNoText(r.Accepted), r.Days.From, r.Days.To, r.Awarded, nil, nil, nil, r.Grant, r.Paid}
		if r.FilledKnown {
			cells[8], cells[9], cells[10] = r.FilledAtEnd, r.FilledOn, r.FilledAvg
		}
		x.row(sheetFunds, cells)
	}
	x.sums(sheetFunds, len(v.Funds), []string{"H", "I", "K"}, []string{"L", "M"})
	x.notes(sheetFunds, pdfdoc.SummaryMethod(v.Year))

	if _, err := f.NewSheet(sheetProofs); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	x.start(sheetProofs, fmt.Sprintf("Jahresübersicht %d: Verwendungsnachweise der Förderjahre, die %d enden", v.Year, v.Year), head,
		[]string{"Verfahren", "Träger", "Förderjahr", "von", "bis", "Förderung des Förderjahres", "Ausgezahlt für das Förderjahr", "Fällig bis",
			"Eingegangen am", "Stand", "Geprüft am", "Verwendet", "Rückforderung"})
	for _, r := range v.Proofs {
		cells := []any{r.CallRef, r.OrgName, r.No, r.Period.From, r.Period.To, r.Grant, r.Paid, r.DueDay(), nil, r.StateLabel(), nil, nil, nil}
		if r.SubmittedAt != nil {
			cells[8], cells[11] = rules.NewDate(*r.SubmittedAt), r.Used
		}
		if r.State == rules.ProofStateChecked && r.CheckedAt != nil {
			cells[10], cells[12] = rules.NewDate(*r.CheckedAt), r.Repayment
		}
		x.row(sheetProofs, cells)
	}
	if len(v.Proofs) == 0 {
		x.row(sheetProofs, []any{fmt.Sprintf("Im Jahr %d endet kein Förderjahr.", v.Year)})
	}
	x.sums(sheetProofs, len(v.Proofs), nil, []string{"F", "G", "L", "M"})
	if err := x.err; err != nil {
		return err
	}
	if err := f.SetCalcProps(&excelize.CalcPropsOptions{FullCalcOnLoad: ptrTrue()}); err != nil {
		return fmt.Errorf("xlsx calc: %w", err)
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("xlsx write: %w", err)
	}
	return nil
}

func ptrTrue() *bool { b := true; return &b }

// yesNoText is "ja" or "nein".
func yesNoText(b bool) string {
	if b {
		return "ja"
	}
	return "nein"
}

// summarySheets writes the rows of the workbook's sheets with their styles, keeping the
// first error.
type summarySheets struct {
	f                             *excelize.File
	bold, head, euro, fte, day, w int
	n                             map[string]int // last row written per sheet
	err                           error
}

func newSummarySheets(f *excelize.File) (*summarySheets, error) {
	euro, fte, day := `#,##0.00\ "€"`, "0.00", "dd.mm.yyyy"
	x := &summarySheets{f: f, n: map[string]int{}}
	for _, s := range []struct {
		to    *int
		style excelize.Style
	}{
		{&x.bold, excelize.Style{Font: &excelize.Font{Bold: true}}},
		{&x.head, excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"},
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E6E9ED"}}}},
		{&x.euro, excelize.Style{CustomNumFmt: &euro}},
		{&x.fte, excelize.Style{CustomNumFmt: &fte}},
		{&x.day, excelize.Style{CustomNumFmt: &day}},
		{&x.w, excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}}},
	} {
		id, err := f.NewStyle(&s.style)
		if err != nil {
			return nil, fmt.Errorf("xlsx style: %w", err)
		}
		*s.to = id
	}
	return x, nil
}

// start writes the title, the line about the Kreis and the column headings of sheet.
func (x *summarySheets) start(sheet, title, head string, cols []string) {
	x.set(sheet, "A1", title, x.bold)
	x.set(sheet, "A2", head, 0)
	for i, c := range cols {
		cell, _ := excelize.CoordinatesToCellName(i+1, summaryHeadRow)
		x.set(sheet, cell, c, x.head)
		name, _ := excelize.ColumnNumberToName(i + 1)
		width := 14.0
		if i < 4 {
			width = 24
		}
		x.keep(x.f.SetColWidth(sheet, name, name, width))
	}
	x.keep(x.f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: summaryHeadRow, TopLeftCell: fmt.Sprintf("A%d", summaryHeadRow+1), ActivePane: "bottomLeft"}))
	x.n[sheet] = summaryHeadRow
}

// row appends one row; nil leaves a cell empty.
func (x *summarySheets) row(sheet string, cells []any) {
	x.n[sheet]++
	for i, v := range cells {
		cell, _ := excelize.CoordinatesToCellName(i+1, x.n[sheet])
		switch v := v.(type) {
		case nil:
		case rules.Cents:
			x.number(sheet, cell, v.Decimal(), x.euro)
		case decimal.Decimal:
			x.number(sheet, cell, v, x.fte)
		case rules.Date:
			if t, err := time.Parse(time.DateOnly, string(v)); err == nil {
				x.set(sheet, cell, t, x.day)
			}
		case string:
			x.set(sheet, cell, v, x.w)
		default:
			x.set(sheet, cell, v, 0)
		}
	}
}

// number writes d as a numeric cell with style.
func (x *summarySheets) number(sheet, cell string, d decimal.Decimal, style int) {
	f, _ := d.Float64()
	x.keep(x.f.SetCellFloat(sheet, cell, f, -1, 64))
	x.keep(x.f.SetCellStyle(sheet, cell, cell, style))
}

// sums appends the row "Summe" with a SUM formula over the data rows of each column of
// VZÄ (fte) and of euros.
func (x *summarySheets) sums(sheet string, rows int, fte, euro []string) {
	x.n[sheet]++
	r := x.n[sheet]
	x.set(sheet, fmt.Sprintf("A%d", r), "Summe", x.bold)
	for _, group := range []struct {
		cols  []string
		style int
	}{{fte, x.fte}, {euro, x.euro}} {
		for _, c := range group.cols {
			cell := fmt.Sprintf("%s%d", c, r)
			formula := "0"
			if rows > 0 {
				formula = fmt.Sprintf("SUM(%s%d:%s%d)", c, summaryHeadRow+1, c, summaryHeadRow+rows)
			}
			x.keep(x.f.SetCellFormula(sheet, cell, formula))
			x.keep(x.f.SetCellStyle(sheet, cell, cell, group.style))
		}
	}
}

// notes appends the lines of text below a blank row.
func (x *summarySheets) notes(sheet string, lines []string) {
	x.n[sheet]++
	for _, l := range lines {
		x.n[sheet]++
		x.set(sheet, fmt.Sprintf("A%d", x.n[sheet]), l, 0)
	}
}

// set writes v into cell with style (0: none).
func (x *summarySheets) set(sheet, cell string, v any, style int) {
	x.keep(x.f.SetCellValue(sheet, cell, v))
	if style != 0 {
		x.keep(x.f.SetCellStyle(sheet, cell, cell, style))
	}
}

func (x *summarySheets) keep(err error) {
	if err != nil && x.err == nil {
		x.err = fmt.Errorf("xlsx: %w", err)
	}
}
