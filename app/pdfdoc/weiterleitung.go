package pdfdoc

import (
	"fmt"

	"kimibv/app/pdf"
	"kimibv/models/accounts"
	"kimibv/models/forwarding"
	"kimibv/models/rules"
	"kimibv/models/vault"
)

// The renderer renders the forwarding's contract too.
var _ forwarding.Documents = (*Renderer)(nil)

// Weiterleitung renders the Weiterleitungsvertrag (or Zuwendungsbescheid) as a DIN 5008
// letter to the provider (rules.md R35): parties, legal basis, posts per lot, funding per
// VZÄ and year with the Kreis's top-up, period and Förderjahre, payment by draw-down,
// reporting duties and dates, acceptance in the portal, and the ANBest-P summary as annex.
func (rd *Renderer) Weiterleitung(meta vault.DocMeta, t *forwarding.Terms) ([]byte, error) {
	sender := t.Letter.Sender
	if sender.Authority == "" {
		sender.Authority = t.Authority
	}
	parties := accounts.LetterParties{Sender: sender, Recipient: t.Letter.Recipient}
	if len(parties.Recipient) == 0 {
		parties.Recipient = []string{t.OrgName}
	}
	doc, err := rd.startLetter(meta, parties, letterText{title: t.FormLabel(), kind: vault.DocWeiterleitung.Label(), ref: t.CallRef,
		subject: t.FormLabel() + " über die Weiterleitung von Landesmitteln – „" + t.CallTitle + "“ (" + t.CallRef + ")"})
	if err != nil {
		return nil, err
	}
	decided := ""
	if t.ResolutionNumber != "" {
		decided = fmt.Sprintf(" (Entscheidung vom %s, Nr. %s)", t.DecidedOn.German(), t.ResolutionNumber)
	}
	doc.Paragraph(fmt.Sprintf("nach der endgültigen Vergabe im Interessenbekundungsverfahren „%s“%s leiten wir Ihnen die Landesmittel für die "+
		"Ihnen zugeteilten Stellen zu den folgenden Bedingungen weiter.", t.CallTitle, decided))
	doc.Heading("§ 1 Vertragsparteien und Rechtsgrundlage")
	doc.KeyValues([]pdf.KV{{Key: "Erstempfänger", Value: sender.Authority}, {Key: "Letztempfänger", Value: t.OrgName},
		{Key: "Rechtsgrundlage", Value: t.LegalBasis}})
	if t.CallLegalBasis != "" {
		doc.Paragraph("Förderprogramm: " + t.CallLegalBasis)
	}
	if t.FundingSource != "" {
		doc.Paragraph("Mittelherkunft: " + t.FundingSource)
	}
	doc.Heading("§ 2 Stellen und Förderung")
	rows := [][]string{}
	for _, l := range t.Lots {
		rows = append(rows, []string{l.Name, rules.FormatFTE(l.FTE), rules.FormatEuro(l.PerYear)})
	}
	rows = append(rows, []string{"Zusammen", rules.FormatFTE(t.TotalFTE()), rules.FormatEuro(t.TotalFTE().Mul(t.TotalPerFTE()))})
	doc.Table(pdf.Table{Columns: []pdf.Column{{Title: "Los", Width: 5}, {Title: "VZÄ", Width: 2, Align: "R"}, {Title: "Förderung je Jahr", Width: 3, Align: "R"}}, Rows: rows})
	doc.Paragraph(fmt.Sprintf("Förderung je VZÄ und Jahr: %s Landesmittel", rules.FormatEuro(t.FundingPerFTE)) + topUpText(t) + ".")
	doc.Paragraph(fmt.Sprintf("Förderzeitraum: %s bis %s.", t.Period.From.German(), t.Period.To.German()))
	years := [][]string{}
	for _, y := range t.Years {
		years = append(years, []string{fmt.Sprint(y.No), y.Period.From.German() + " – " + y.Period.To.German(), y.Grant.German(),
			y.DueDay()})
	}
	doc.Table(pdf.Table{Columns: []pdf.Column{{Title: "Förderjahr", Width: 2}, {Title: "Zeitraum", Width: 4}, {Title: "Höchstbetrag", Width: 3, Align: "R"},
		{Title: "Verwendungsnachweis bis", Width: 3}}, Rows: years})
	doc.Heading("§ 3 Auszahlung im Abrufverfahren")
	doc.Paragraph("Die Mittel werden nur auf Abruf im Portal ausgezahlt, frühestens nach Ihrer Annahme dieses Vertrags. Ein Mittelabruf nennt einen Zeitraum " +
		"im Förderzeitraum und einen Betrag. Er darf weder die anteilige Förderung des Vertrags für diesen Zeitraum noch den Betrag übersteigen, den die " +
		"gemeldeten besetzten Stellen rechtfertigen: je Kalendertag die besetzten VZÄ (höchstens die vertraglichen VZÄ je Los) × Förderung je VZÄ und Jahr ÷ " +
		"Tage des Kalenderjahres; die Summe wird einmal kaufmännisch auf volle Cent gerundet.")
	doc.Heading("§ 4 Meldepflichten und Termine")
	doc.Bullets([]string{
		"Den Stand jeder Stelle (besetzt mit VZÄ und Dienstbeginn, Qualifikation bestätigt; oder unbesetzt seit, geplante Besetzung) melden Sie im Portal, " +
			"spätestens zwei Wochen nach jeder Änderung. Namen von Beschäftigten werden nicht erhoben.",
		"Für jedes Förderjahr legen Sie bis zum oben genannten Datum einen Verwendungsnachweis mit Sachbericht und zahlenmäßigem Nachweis vor.",
		"Weniger verwendete als ausgezahlte Mittel sind zu erstatten.",
	})
	doc.Heading("§ 5 Annahme")
	doc.Paragraph("Der Vertrag kommt mit Ihrer Annahme im Portal zustande. Die Annahme erklärt eine Person mit Administrationsrechten Ihrer Organisation " +
		"unter Angabe ihres Namens; Zeitpunkt und Name werden im Prüfprotokoll des Verfahrens festgehalten.")
	closeLetter(doc, sender)
	intro, points := forwarding.ANBestPSummary()
	doc.PageBreak()
	doc.Heading("Anlage: ANBest-P (Zusammenfassung)")
	doc.Paragraph(intro)
	doc.Bullets(points)
	return doc.Bytes()
}

// topUpText states the Kreis's top-up, if any.
func topUpText(t *forwarding.Terms) string {
	if !t.KreisTopUp.IsPositive() {
		return ""
	}
	return fmt.Sprintf(" und %s Zuschuss des Kreises, zusammen %s", rules.FormatEuro(t.KreisTopUp), rules.FormatEuro(t.TotalPerFTE()))
}
