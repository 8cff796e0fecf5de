package pdfdoc

import (
	"fmt"

	"kimibv/app/pdf"
	"kimibv/models/core"
	"kimibv/models/evaluation"
	"kimibv/models/vault"
)

// Oeffnungsprotokoll returns the renderer of the opening record for
// evaluation.OeffnungsprotokollIssuer; checkURL is the public document check's address.
func Oeffnungsprotokoll(checkURL string) evaluation.OpeningRenderer {
	return func(meta vault.DocMeta, d *evaluation.OpeningDocData) ([]byte, error) {
		doc, err := pdf.New(pdf.Meta{Title: "Öffnungsprotokoll", Subtitle: d.CallTitle + " (" + d.CallRef + ")",
			Kind: vault.DocOeffnungsprotokoll.Label(), Authority: d.Authority, Letterhead: d.Letterhead,
			CheckValue: meta.ContentSHA256, ChainHead: meta.ChainHead, CheckURL: checkURL, CreatedAt: meta.IssuedAt}, pdf.NumberedHeadings())
		if err != nil {
			return nil, err
		}
		submitted, withdrawn := 0, 0
		for _, b := range d.Bids {
			if b.Withdrawn {
				withdrawn++
			} else {
				submitted++
			}
		}
		doc.Heading("Verfahren und Öffnung")
		kv := []pdf.KV{
			{Key: "Ausschreibung", Value: d.CallTitle},
			{Key: "Verfahrensnummer", Value: d.CallRef},
			{Key: "Fassung", Value: fmt.Sprint(d.CallVersion)},
			{Key: "Abgabefrist", Value: core.FormatDateTime(d.Deadline)},
		}
		for i, o := range d.Openers {
			kv = append(kv, pdf.KV{Key: fmt.Sprintf("%d. Bestätigung", i+1), Value: o.Name + ", " + SecondsTime(o.ConfirmedAt)})
		}
		kv = append(kv, pdf.KV{Key: "Geöffnet", Value: SecondsTime(d.OpenedAt)},
			pdf.KV{Key: "Eingegangen", Value: fmt.Sprintf("%d Interessenbekundungen, davon %d vor Fristablauf zurückgezogen", submitted+withdrawn, withdrawn)},
			pdf.KV{Key: "Verspätete Versuche", Value: fmt.Sprintf("%d (nach Fristablauf abgewiesen; Inhalte wurden nicht gespeichert)", d.LateAttempts)})
		doc.KeyValues(kv)
		doc.Note("Die Interessenbekundungen waren bis zur Bestätigung durch zwei verschiedene öffnungsberechtigte Personen nach " +
			"Fristablauf versiegelt. Maßgeblich für den Eingang ist die Uhr der Datenbank bei der Speicherung. Vor der Öffnung wurde " +
			"der Prüfwert jeder Interessenbekundung neu berechnet und mit dem beim Eingang gespeicherten verglichen.")
		doc.Heading("Eingegangene Interessenbekundungen")
		if len(d.Bids) == 0 {
			doc.Paragraph("Es ist keine Interessenbekundung eingegangen.")
		}
		for _, b := range d.Bids {
			title := b.OrgName
			if b.Withdrawn {
				title += " (zurückgezogen)"
			}
			doc.Subheading(title)
			state := "eingereicht, gültig"
			switch {
			case b.Withdrawn:
				state = "vor Fristablauf zurückgezogen; wird nicht bewertet"
			case b.NeedsReconfirmation:
				state = "erneute Bestätigung nach wesentlicher Änderung fehlt"
			}
			doc.KeyValues([]pdf.KV{
				{Key: "Eingang", Value: SecondsTime(b.ReceiptAt)},
				{Key: "Fassung", Value: fmt.Sprintf("%d (%s), bezogen auf Fassung %d der Ausschreibung", b.Version, b.Kind, b.CallVersion)},
				{Key: "Status", Value: state},
			})
			doc.Paragraph("Prüfwert der Angaben (SHA-256):\n" + b.ContentSHA256)
			if len(b.Files) > 0 {
				fileTable(doc, "", b.Files)
			}
		}
		return doc.Bytes()
	}
}
