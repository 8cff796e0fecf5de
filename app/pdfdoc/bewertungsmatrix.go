package pdfdoc

import (
	"fmt"
	"strconv"
	"strings"

	"kimibv/app/pdf"
	"kimibv/models/core"
	"kimibv/models/evaluation"
	"kimibv/models/vault"
)

// Bewertungsmatrix lays out the scoring matrix. The matrix is laid out per bid and criterion (one table
// per criterion with a row per evaluator) rather than as one wide grid, so that any number
// of evaluators fits A4 portrait and long reasons wrap.
func (rd *Renderer) Bewertungsmatrix(meta vault.DocMeta, d *evaluation.MatrixDocData) ([]byte, error) {
	doc, err := pdf.New(pdf.Meta{Title: "Bewertungsmatrix", Subtitle: d.CallTitle + " (" + d.CallRef + ")",
		Kind: vault.DocBewertungsmatrix.Label(), Authority: d.Authority, Letterhead: d.Letterhead,
		CheckValue: meta.ContentSHA256, ChainHead: meta.ChainHead, CheckURL: rd.checkURL, CreatedAt: meta.IssuedAt}, pdf.NumberedHeadings())
	if err != nil {
		return nil, err
	}
	doc.Heading("Verfahren")
	doc.KeyValues([]pdf.KV{
		{Key: "Ausschreibung", Value: d.CallTitle},
		{Key: "Verfahrensnummer", Value: d.CallRef},
		{Key: "Fassung", Value: strconv.Itoa(d.CallVersion)},
		{Key: "Skala", Value: fmt.Sprintf("0 bis %d", d.ScaleMax)},
		{Key: "Mindestpunktzahl", Value: d.MinTotal},
		{Key: "Bewertende", Value: strings.Join(d.Evaluators, ", ")},
		{Key: "Konsolidierung abgeschlossen", Value: core.FormatDateTime(d.ClosedAt) + " durch " + d.ClosedBy},
	})
	crit := make([][]string, 0, len(d.Criteria))
	for _, c := range d.Criteria {
		minimum := "–"
		if c.MinScore != "" {
			minimum = c.MinScore
		}
		crit = append(crit, []string{c.Key, c.Name, strconv.Itoa(c.Weight), minimum})
	}
	doc.Table(pdf.Table{Caption: "Kriterien", Columns: []pdf.Column{{Title: "Nr.", Width: 1}, {Title: "Kriterium", Width: 7},
		{Title: "Gewichtung", Width: 2, Align: "R"}, {Title: "Mindestbewertung", Width: 2.4, Align: "R"}}, Rows: crit})
	doc.Note(fmt.Sprintf("Punkte je Kriterium = konsolidierte Bewertung ÷ %d × Gewichtung, kaufmännisch auf zwei Nachkommastellen "+
		"gerundet; die Gesamtpunktzahl ist die Summe der Punkte. Jede konsolidierte Bewertung ist begründet (die Begründung steht "+
		"in der Mitteilung an den Träger); weicht sie vom Mittelwert der Bewertenden ab, begründet sie auch die Abweichung.", d.ScaleMax))
	ranking(doc, d)
	doc.Heading("Bewertungen im Einzelnen")
	for _, b := range d.Bids {
		doc.Subheading(b.OrgName + " – " + outcome(b))
		if b.FormalExcluded {
			doc.Paragraph("Bei der formalen Prüfung ausgeschlossen: " + b.FormalReason)
			continue
		}
		for _, c := range b.Cells {
			rows := make([][]string, 0, len(c.Scores)+2)
			for _, s := range c.Scores {
				rows = append(rows, []string{s.Evaluator, strconv.Itoa(s.Score), s.Reason})
			}
			rows = append(rows, []string{"Mittelwert", c.Mean, ""})
			cons := c.ConsolidatedReason
			if c.SetBy != "" {
				cons = strings.TrimSpace("festgesetzt von " + c.SetBy + ". " + cons)
			}
			rows = append(rows, []string{"Konsolidiert", c.Consolidated, cons})
			doc.Table(pdf.Table{Caption: c.Criterion + " – " + c.Points + " Punkte", Small: true, Columns: []pdf.Column{
				{Title: "Bewertende Person", Width: 2.6}, {Title: "Bewertung", Width: 1.7, Align: "R"}, {Title: "Begründung", Width: 8}}, Rows: rows})
		}
		doc.Paragraph("Gesamtpunktzahl: " + b.Total + " Punkte.")
	}
	return doc.Bytes()
}

// ranking draws the result: rank, provider, total, exclusion and allocation, then the lots.
func ranking(doc *pdf.Doc, d *evaluation.MatrixDocData) {
	doc.Heading("Ergebnis")
	rows := make([][]string, 0, len(d.Bids))
	for _, b := range d.Bids {
		rank := "–"
		if !b.Excluded {
			rank = strconv.Itoa(b.Rank)
			if b.RankByDecision {
				rank += " *"
			}
		}
		alloc := make([]string, 0, len(b.Allocation))
		for _, a := range b.Allocation {
			alloc = append(alloc, a.Lot+": "+a.FTE+" VZÄ")
		}
		note := strings.Join(alloc, "\n")
		if b.Excluded {
			note = "ausgeschlossen: " + strings.Join(b.Reasons, " ")
			if b.FormalExcluded {
				note = "bei der formalen Prüfung ausgeschlossen: " + b.FormalReason
			}
		}
		rows = append(rows, []string{rank, b.OrgName, b.Total, note})
	}
	doc.Table(pdf.Table{Caption: "Rangfolge und Verteilung", Columns: []pdf.Column{{Title: "Rang", Width: 1.1}, {Title: "Träger", Width: 5},
		{Title: "Punkte", Width: 1.6, Align: "R"}, {Title: "Zuteilung oder Ausschluss", Width: 5}}, Rows: rows})
	for _, r := range d.TieReasons {
		doc.Note("* Gleichstand nach allen Hilfskriterien, Entscheidung der Verfahrensleitung: " + r)
	}
	lots := make([][]string, 0, len(d.Lots))
	for _, l := range d.Lots {
		lots = append(lots, []string{l.Key, l.Name, l.FTE, l.Unallocated})
	}
	doc.Table(pdf.Table{Caption: "Lose", Columns: []pdf.Column{{Title: "Los", Width: 1}, {Title: "Bezeichnung", Width: 6},
		{Title: "VZÄ", Width: 1.6, Align: "R"}, {Title: "nicht verteilt", Width: 2, Align: "R"}}, Rows: lots})
}

// outcome is a bid's rank or exclusion in a few words.
func outcome(b evaluation.MatrixDocBid) string {
	switch {
	case b.FormalExcluded:
		return "formal ausgeschlossen"
	case b.Excluded:
		return "ausgeschlossen, " + b.Total + " Punkte"
	}
	return fmt.Sprintf("Rang %d, %s Punkte", b.Rank, b.Total)
}
