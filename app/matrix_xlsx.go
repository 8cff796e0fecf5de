package app

import (
	"fmt"
	"io"
	"strings"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"kimibv/models/evaluation"
	"kimibv/models/rules"
)

// writeMatrixXLSX writes the Bewertungsmatrix as an XLSX workbook: the sheet
// "Bewertungsmatrix" has one row per bid and criterion with every evaluator's score and
// reason, spread, mean, the consolidated score with its reason and the points, then the
// bid's total, rank, exclusion reasons and allocation; the sheet "Ergebnis" the ranking
// and the allocation per lot. Numbers are numeric cells with two decimals.
func writeMatrixXLSX(w io.Writer, v *evaluation.ConsolidationView) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Bewertungsmatrix"
	twoDecimals := "0.00"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	num, err := f.NewStyle(&excelize.Style{CustomNumFmt: &twoDecimals})
	if err != nil {
		return fmt.Errorf("xlsx style: %w", err)
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return fmt.Errorf("xlsx style: %w", err)
	}
	sw := &sheetWriter{f: f, sheet: sheet, num: num}
	sw.row(v.Content.Title)
	sw.row(fmt.Sprintf("Fassung %d · Skala 0 bis %d · Mindestpunktzahl %s", v.CallVersion, v.Matrix.ScaleMax, rules.FormatPoints(v.Content.MinTotalPoints)))
	sw.row()
	head := []any{"Träger", "Kriterium", "Gewichtung"}
	for _, e := range v.Matrix.Evaluators {
		head = append(head, e.Name+": Bewertung", e.Name+": Begründung")
	}
	head = append(head, "Spannweite", "Mittelwert", "Konsolidiert", "Begründung der Konsolidierung", "Punkte")
	sw.row(head...)
	_ = f.SetRowStyle(sheet, sw.n, sw.n, bold)
	col := map[int64]int{}
	for i, e := range v.Matrix.Evaluators {
		col[e.UserID] = i
	}
	for _, b := range v.Matrix.Bids {
		res, hasRes := v.RowOf(b.BidID)
		for _, cell := range b.Cells {
			cols := []any{b.OrgName, cell.Criterion.Key + " " + cell.Criterion.Name, cell.Criterion.Weight}
			scores := make([]any, 2*len(v.Matrix.Evaluators))
			for i := range scores {
				scores[i] = ""
			}
			for _, s := range cell.Scores {
				scores[2*col[s.EvaluatorID]], scores[2*col[s.EvaluatorID]+1] = s.Score, s.Reason
			}
			cols = append(cols, scores...)
			cols = append(cols, cell.Spread, cell.Mean)
			if c := cell.Consolidated; c != nil {
				cols = append(cols, c.Score, c.Reason)
			} else {
				cols = append(cols, "", "")
			}
			if hasRes && res.Points != nil {
				cols = append(cols, res.Points[cell.Criterion.Key])
			}
			sw.row(cols...)
		}
		summary := []any{b.OrgName, "Ergebnis"}
		switch {
		case b.Formal == rules.FormalExcluded && !hasRes:
			summary = append(summary, "Bei der formalen Prüfung ausgeschlossen: "+b.FormalReason)
		case hasRes:
			summary = append(summary, resultText(res), res.Total)
		default:
			summary = append(summary, "Konsolidierung nicht abgeschlossen")
		}
		sw.row(summary...)
		_ = f.SetRowStyle(sheet, sw.n, sw.n, bold)
	}
	if v.Closed {
		if err := writeResultSheet(f, v, num); err != nil {
			return err
		}
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("xlsx write: %w", err)
	}
	return nil
}

// writeResultSheet adds the sheet "Ergebnis": rank, provider, total, exclusion and
// allocation per lot, then the unallocated posts.
func writeResultSheet(f *excelize.File, v *evaluation.ConsolidationView, num int) error {
	if _, err := f.NewSheet("Ergebnis"); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	sw := &sheetWriter{f: f, sheet: "Ergebnis", num: num}
	names := map[int64]string{}
	for _, b := range v.Matrix.Bids {
		names[b.BidID] = b.OrgName
	}
	head := []any{"Rang", "Träger", "Gesamtpunkte", "Ausschluss"}
	for _, l := range v.Result.Lots {
		head = append(head, "VZÄ Los "+l.Name)
	}
	sw.row(head...)
	for _, r := range v.Result.Rows {
		rank := any(r.Rank)
		if r.Excluded {
			rank = "–"
		}
		cols := []any{rank, names[r.BidID], r.Total, strings.Join(r.ExclusionReasons, " ")}
		for _, l := range v.Result.Lots {
			cols = append(cols, r.Allocation[l.Key])
		}
		sw.row(cols...)
	}
	unalloc := []any{"", "Nicht verteilt", "", ""}
	for _, l := range v.Result.Lots {
		unalloc = append(unalloc, l.Unallocated)
	}
	sw.row(unalloc...)
	return nil
}

// resultText is the rank or the exclusion as one German line.
func resultText(r rules.ResultRow) string {
	if r.Excluded {
		return "Ausgeschlossen: " + strings.Join(r.ExclusionReasons, " ")
	}
	s := fmt.Sprintf("Rang %d", r.Rank)
	if r.RankByDecision {
		s += " (nach Entscheidung der Verfahrensleitung bei Gleichstand)"
	}
	var parts []string
	for k, a := range r.Allocation {
		parts = append(parts, k+": "+rules.FormatFTE(a)+" VZÄ")
	}
	if len(parts) > 0 {
		s += " · Zuteilung " + strings.Join(sortedStrings(parts), ", ")
	}
	return s
}

func sortedStrings(s []string) []string {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s
}

// sheetWriter appends rows; decimals become numeric cells with two decimals.
type sheetWriter struct {
	f     *excelize.File
	sheet string
	num   int
	n     int
}

func (s *sheetWriter) row(vals ...any) {
	s.n++
	for i, val := range vals {
		cell, _ := excelize.CoordinatesToCellName(i+1, s.n)
		if d, ok := val.(decimal.Decimal); ok {
			x, _ := d.Float64()
			_ = s.f.SetCellFloat(s.sheet, cell, x, 2, 64)
			_ = s.f.SetCellStyle(s.sheet, cell, cell, s.num)
			continue
		}
		_ = s.f.SetCellValue(s.sheet, cell, val)
	}
}
