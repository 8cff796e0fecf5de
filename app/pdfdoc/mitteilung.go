package pdfdoc

import (
	"fmt"

	"kimibv/app/pdf"
	"kimibv/models/core"
	"kimibv/models/decision"
	"kimibv/models/rules"
	"kimibv/models/vault"
)

// Mitteilung lays out the notice to one provider.
func (rd *Renderer) Mitteilung(meta vault.DocMeta, n *decision.NoticeContent) ([]byte, error) {
	doc, err := pdf.New(pdf.Meta{Title: "Mitteilung über das Ergebnis", Subtitle: n.CallTitle + " (" + n.CallRef + ")",
		Kind: vault.DocMitteilung.Label(), Authority: n.Authority, Letterhead: n.Authority, CheckValue: meta.ContentSHA256,
		ChainHead: meta.ChainHead, CheckURL: rd.checkURL, CreatedAt: meta.IssuedAt})
	if err != nil {
		return nil, err
	}
	doc.KeyValues([]pdf.KV{{Key: "An", Value: n.OrgName}, {Key: "Entscheidung", Value: fmt.Sprintf("%s am %s, Nr. %s", n.Body, n.DecidedOn.German(), n.ResolutionNumber)},
		{Key: "Ergebnis", Value: n.KindLabel()}})
	if n.Kind == decision.NoticeSelected {
		doc.Heading("Ihre Auswahl")
		rows := [][]string{}
		for _, l := range n.Lots {
			rows = append(rows, []string{l.Name, rules.FormatFTE(l.FTE), rules.FormatEuro(l.PerYear)})
		}
		doc.Table(pdf.Table{Columns: []pdf.Column{{Title: "Los", Width: 4}, {Title: "VZÄ", Width: 2, Align: "R"}, {Title: "Förderung je Jahr", Width: 3, Align: "R"}}, Rows: rows})
		doc.Paragraph(fmt.Sprintf("Förderzeitraum %s bis %s; %s je VZÄ und Jahr.", n.FundingPeriod.From.German(), n.FundingPeriod.To.German(), rules.FormatEuro(n.FundingPerFTE)))
		doc.Subheading("Nächste Schritte")
		doc.Paragraph(n.NextSteps)
	} else {
		doc.Heading("Gründe")
		doc.Bullets(n.Reasons)
	}
	if len(n.Scores) > 0 {
		doc.Heading(fmt.Sprintf("Ihre Bewertung: Rang %d, %s Punkte", n.Rank, rules.FormatGermanDecimal(n.Total, 2)))
		rows := [][]string{}
		for _, s := range n.Scores {
			rows = append(rows, []string{s.Criterion, fmt.Sprint(s.Weight), rules.FormatGermanDecimal(s.Score, 2), rules.FormatGermanDecimal(s.Points, 2), s.Reason})
		}
		doc.Table(pdf.Table{Small: true, Columns: []pdf.Column{{Title: "Kriterium", Width: 4.4}, {Title: "Gewichtung", Width: 2.4, Align: "R"},
			{Title: "Note", Width: 1.1, Align: "R"}, {Title: "Punkte", Width: 1.4, Align: "R"}, {Title: "Begründung", Width: 6.2}}, Rows: rows})
	}
	if len(n.Selected) > 0 {
		doc.Heading("Ausgewählte Träger")
		rows := [][]string{}
		for _, s := range n.Selected {
			rows = append(rows, []string{s.OrgName, rules.FormatGermanDecimal(s.Total, 2), rules.FormatFTE(s.FTE)})
		}
		doc.Table(pdf.Table{Columns: []pdf.Column{{Title: "Träger", Width: 6}, {Title: "Punkte", Width: 2, Align: "R"}, {Title: "VZÄ", Width: 2, Align: "R"}}, Rows: rows})
	}
	doc.Heading("Wartefrist und Rüge")
	doc.Paragraph("Die Wartefrist endet am " + core.FormatDateTime(n.StandstillEndsAt) + ". Bis dahin können Sie im Portal eine Rüge mit Begründung erheben. " +
		"Ist danach keine Rüge offen, wird die Entscheidung endgültig.")
	if n.LegalRemedy != "" {
		doc.Heading("Rechtsbehelfsbelehrung")
		doc.Paragraph(n.LegalRemedy)
	}
	return doc.Bytes()
}
