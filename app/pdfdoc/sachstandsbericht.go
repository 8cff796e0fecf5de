package pdfdoc

import (
	"fmt"

	"kimibv/app/pdf"
	"kimibv/models/council"
	"kimibv/models/vault"
)

// The renderer also lays out the council's status report.
var _ council.Documents = (*Renderer)(nil)

// Sachstandsbericht lays out a status report to the Kreistag (rules.md R32): the procedure,
// the reported stage, the lead's text and how it was distributed.
func (rd *Renderer) Sachstandsbericht(meta vault.DocMeta, d *council.ReportDoc) ([]byte, error) {
	doc, err := pdf.New(pdf.Meta{Title: "Sachstandsbericht an den Kreistag", Subtitle: d.CallTitle + " (" + d.Ref + ")",
		Kind: vault.DocSachstandsbericht.Label(), Authority: d.Authority, Letterhead: d.Letterhead,
		CheckValue: meta.ContentSHA256, ChainHead: meta.ChainHead, CheckURL: rd.checkURL, CreatedAt: meta.IssuedAt})
	if err != nil {
		return nil, err
	}
	doc.KeyValues([]pdf.KV{
		{Key: "Verfahren", Value: d.CallTitle},
		{Key: "Verfahrensnummer", Value: d.Ref},
		{Key: "Berichteter Stand", Value: d.StageLabel},
		{Key: "Verteilt am", Value: SecondsTime(d.PublishedAt)},
		{Key: "Verteilt durch", Value: d.PublishedBy},
		{Key: "Empfänger", Value: fmt.Sprintf("alle %d Mitglieder des Kreistags zur selben Zeit", d.Members)},
	})
	doc.Heading(d.Title)
	doc.Paragraph(d.Body)
	if len(d.Attachments) > 0 {
		doc.Heading("Anlagen")
		kv := make([]pdf.KV, len(d.Attachments))
		for i, f := range d.Attachments {
			kv[i] = pdf.KV{Key: f.Name, Value: "Prüfwert (SHA-256) " + f.SHA256}
		}
		doc.KeyValues(kv)
	}
	doc.Note("Dieser Bericht ging allen Mitgliedern des Kreistags mit demselben Inhalt zur selben Zeit zu. Vor der Öffnung enthält " +
		"ein Sachstandsbericht keine Angaben zu Interessenbekundungen und trägt keine Anlagen aus den Unterlagen der Träger.")
	return doc.Bytes()
}
