package pdfdoc

import (
	"fmt"

	"kimibv/app/pdf"
	"kimibv/models/accounts"
	"kimibv/models/core"
	"kimibv/models/decision"
	"kimibv/models/rules"
	"kimibv/models/vault"
)

// Mitteilung lays out the notice to one provider as a letter after DIN 5008 form B
// (see startLetter): the decision and its outcome, the sections below, the
// Rechtsbehelfsbelehrung with the competent court, and the signing office.
func (rd *Renderer) Mitteilung(meta vault.DocMeta, n *decision.NoticeContent) ([]byte, error) {
	sender := n.Letter.Sender
	if sender.Authority == "" {
		sender.Authority = n.Authority
	}
	parties := accounts.LetterParties{Sender: sender, Recipient: n.Letter.Recipient}
	if len(parties.Recipient) == 0 {
		parties.Recipient = []string{n.OrgName}
	}
	doc, err := rd.startLetter(meta, parties, letterText{title: "Mitteilung über das Ergebnis", kind: vault.DocMitteilung.Label(), ref: n.CallRef,
		subject: "Mitteilung über das Ergebnis des Interessenbekundungsverfahrens „" + n.CallTitle + "“ (" + n.CallRef + ")"})
	if err != nil {
		return nil, err
	}
	doc.Paragraph(noticeOpening(n))
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
			{Title: "Punktwert", Width: 1.4, Align: "R"}, {Title: "Punkte", Width: 1.4, Align: "R"}, {Title: "Begründung", Width: 6.2}}, Rows: rows})
	}
	if len(n.Selected) > 0 {
		doc.Heading("Ausgewählte Träger")
		rows := [][]string{}
		for _, s := range n.Selected {
			rows = append(rows, []string{s.OrgName, rules.FormatGermanDecimal(s.Total, 2), rules.FormatFTE(s.FTE)})
		}
		doc.Table(pdf.Table{Columns: []pdf.Column{{Title: "Träger", Width: 6}, {Title: "Punkte", Width: 2, Align: "R"}, {Title: "VZÄ", Width: 2, Align: "R"}}, Rows: rows})
	}
	doc.Heading("Stillhaltefrist und Rüge")
	doc.Paragraph("Die Stillhaltefrist endet am " + core.FormatDateTime(n.StandstillEndsAt) + ". Bis dahin können Sie im Portal eine Rüge mit Begründung erheben. " +
		"Ist danach keine Rüge offen, wird die Entscheidung endgültig.")
	legalRemedy(doc, n.LegalRemedy, sender)
	closeLetter(doc, sender)
	return doc.Bytes()
}

// noticeOpening is the first paragraph of a notice: who decided when, and the outcome.
func noticeOpening(n *decision.NoticeContent) string {
	outcome := "Ihre Interessenbekundung wurde nicht ausgewählt."
	switch n.Kind {
	case decision.NoticeSelected:
		outcome = "Wir freuen uns, Ihnen mitzuteilen, dass Ihre Interessenbekundung ausgewählt wurde."
	case decision.NoticeExcluded:
		outcome = "Ihre Interessenbekundung wurde vom Verfahren ausgeschlossen."
	}
	return fmt.Sprintf("im Interessenbekundungsverfahren „%s“ wurde am %s über die Interessenbekundungen entschieden "+
		"(entscheidende Stelle: %s, Beschluss- oder Vorlagennummer %s). %s", n.CallTitle, n.DecidedOn.German(), n.Body, n.ResolutionNumber, outcome)
}
