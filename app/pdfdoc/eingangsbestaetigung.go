package pdfdoc

import (
	"fmt"
	"strconv"
	"time"

	"kimibv/app/pdf"
	"kimibv/models/bids"
	"kimibv/models/core"
	"kimibv/models/vault"
)

// Eingangsbestaetigung returns the renderer of the receipt of a submitted bid version for
// bids.EingangsbestaetigungIssuer; checkURL is the public document check's address.
func Eingangsbestaetigung(checkURL string) bids.ReceiptRenderer {
	return func(meta vault.DocMeta, d *bids.ReceiptDocData) ([]byte, error) {
		doc, err := pdf.New(pdf.Meta{Title: "Eingangsbestätigung", Subtitle: d.CallTitle + " (" + d.CallRef + ")",
			Kind: vault.DocEingangsbestaetigung.Label(), Authority: d.Authority, Letterhead: d.Letterhead,
			CheckValue: meta.ContentSHA256, ChainHead: meta.ChainHead, CheckURL: checkURL, CreatedAt: meta.IssuedAt}, pdf.NumberedHeadings())
		if err != nil {
			return nil, err
		}
		doc.Paragraph(fmt.Sprintf("Die Interessenbekundung von %s ist zu folgender Zeit eingegangen: %s.", d.OrgName, SecondsTime(d.ReceiptAt)))
		doc.Heading("Eingang")
		doc.KeyValues([]pdf.KV{
			{Key: "Ausschreibung", Value: d.CallTitle},
			{Key: "Verfahrensnummer", Value: d.CallRef},
			{Key: "Fassung der Ausschreibung", Value: fmt.Sprint(d.CallVersion)},
			{Key: "Träger", Value: d.OrgName},
			{Key: "Interessenbekundung", Value: fmt.Sprintf("Fassung %d (%s durch %s)", d.Version, d.Kind, d.SubmittedBy)},
			{Key: "Eingang", Value: SecondsTime(d.ReceiptAt)},
		})
		doc.Note("Der Eingang ist die Uhrzeit der Datenbank im Moment der Speicherung (Ortszeit Deutschland). " +
			"Nur eine bis zum Ablauf der Frist gespeicherte Interessenbekundung erhält eine Eingangsbestätigung.")
		doc.Heading("Lose und Stellen")
		rows := make([][]string, 0, len(d.Lots))
		for _, l := range d.Lots {
			rows = append(rows, []string{l.Key, l.Name, l.FTE})
		}
		doc.Table(pdf.Table{Columns: []pdf.Column{{Title: "Los", Width: 1.2}, {Title: "Bezeichnung", Width: 6},
			{Title: "VZÄ", Width: 1.5, Align: "R"}}, Rows: rows})
		doc.Heading("Prüfwerte")
		doc.Paragraph("Prüfwert der Angaben (SHA-256):\n" + d.ContentSHA256)
		if len(d.Files) > 0 {
			fileTable(doc, "Unterlagen", d.Files)
		} else {
			doc.Paragraph("Es wurden keine Dateien eingereicht.")
		}
		doc.Note("Der Prüfwert der Angaben wird über ihre kanonische Kodierung gebildet (JSON mit sortierten Schlüsseln, Texte in " +
			"Unicode-NFC, Stellen als exakte Dezimalzahlen), der Prüfwert einer Datei über ihren Inhalt. Was hier bestätigt ist, " +
			"wird bei der Öffnung geöffnet. Die Interessenbekundung ist bis zur Öffnung durch zwei Personen nach Fristablauf versiegelt.")
		return doc.Bytes()
	}
}

// SecondsTime formats t as "02.01.2006 15:04:05 Uhr" in Europe/Berlin.
func SecondsTime(t time.Time) string {
	return t.In(core.Berlin()).Format("02.01.2006 15:04:05") + " Uhr"
}

// Bytes formats a byte count with German digit grouping, e.g. "12.345 Bytes".
func Bytes(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "." + s[i:]
	}
	return s + " Bytes"
}

// fileTable lists files with number, name, size and SHA-256; the hash gets a line of its
// own in the full width so that it never wraps (copying it from the PDF stays possible).
func fileTable(doc *pdf.Doc, caption string, files []bids.ReceiptDocFile) {
	rows := make([][]string, 0, len(files))
	for _, f := range files {
		rows = append(rows, []string{f.DocKey, f.Name + " (" + Bytes(f.Size) + ")\nSHA-256: " + f.SHA256})
	}
	doc.Table(pdf.Table{Caption: caption, Small: true, Columns: []pdf.Column{{Title: "Nr.", Width: 1},
		{Title: "Datei und Prüfwert", Width: 12}}, Rows: rows})
}
