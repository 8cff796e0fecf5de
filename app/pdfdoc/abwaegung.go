package pdfdoc

import (
	"fmt"
	"strconv"
	"strings"

	"kimibv/app/pdf"
	"kimibv/models/consultation"
	"kimibv/models/core"
	"kimibv/models/rules"
	"kimibv/models/vault"
)

// Abwaegung lays out the Abwägung of a Beteiligung: the period, the invitees and the
// table of statements with the Kreis's responses.
func (rd *Renderer) Abwaegung(meta vault.DocMeta, d *consultation.AbwaegungData) ([]byte, error) {
	letterhead := d.Letterhead
	if letterhead == "" {
		letterhead = d.Kreis
	}
	doc, err := pdf.New(pdf.Meta{Title: "Abwägung der Stellungnahmen", Subtitle: d.Title + " (" + d.Ref + ")",
		Kind: vault.DocAbwaegung.Label(), Authority: d.Authority, Letterhead: letterhead, CheckValue: meta.ContentSHA256,
		ChainHead: meta.ChainHead, CheckURL: rd.checkURL, CreatedAt: meta.IssuedAt}, pdf.NumberedHeadings())
	if err != nil {
		return nil, err
	}
	doc.Heading("Beteiligung")
	doc.KeyValues([]pdf.KV{
		{Key: "Verfahrensnummer", Value: d.Ref},
		{Key: "Zeitraum", Value: core.FormatDateTime(d.StartsAt) + " bis " + core.FormatDateTime(d.EndsAt)},
		{Key: "Eingeladen", Value: strings.Join(d.Invited, ", ")},
		{Key: "Stellungnahmen", Value: strconv.Itoa(len(d.Statements))},
		{Key: "Prüfwert des Entwurfs", Value: d.DraftSHA},
	})
	doc.Note("Die Stellungnahmen und die Antworten des Kreises sind öffentlich. Maßgeblich für den Eingang einer Stellungnahme ist " +
		"die Uhr der Datenbank bei der Speicherung. Was sich gegenüber dem Entwurf geändert hat, zeigt die Seite der Ausschreibung.")
	doc.Heading("Stellungnahmen und Abwägung")
	if len(d.Statements) == 0 {
		doc.Paragraph("Es ist keine Stellungnahme eingegangen.")
	}
	rows := make([][]string, 0, len(d.Statements))
	for i, s := range d.Statements {
		received := "eingegangen " + core.FormatDateTime(s.ReceivedAt)
		if s.RevisedAt != nil {
			received = "geändert " + core.FormatDateTime(*s.RevisedAt)
		}
		body := s.Body
		if s.FileName != "" {
			body += "\n\nAnlage: " + s.FileName + " (PDF)"
		}
		rows = append(rows, []string{strconv.Itoa(i + 1), s.OrgName + "\n" + s.SectionLabel + "\n" + received, body,
			rules.OutcomeLabel(s.Outcome) + "\n" + s.Response})
	}
	if len(rows) > 0 {
		doc.Table(pdf.Table{Columns: []pdf.Column{{Title: "Nr.", Width: 1}, {Title: "Organisation und Abschnitt", Width: 4},
			{Title: "Stellungnahme", Width: 6}, {Title: "Abwägung des Kreises", Width: 6}}, Rows: rows, Small: true})
	}
	doc.Paragraph(fmt.Sprintf("Der Kreis hat %d Stellungnahmen geprüft und jede mit Begründung beantwortet.", len(d.Statements)))
	return doc.Bytes()
}
