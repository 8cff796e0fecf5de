package pdfdoc

import (
	"fmt"
	"strconv"
	"time"

	"kimibv/app/pdf"
	"kimibv/models/accounts"
	"kimibv/models/bids"
	"kimibv/models/core"
	"kimibv/models/vault"
)

// Eingangsbestaetigung lays out the receipt of a submitted bid version as a letter to the
// organisation after DIN 5008 form B, in plain German: what was received when, the
// documents by name, and what the check value is good for. The exact way the check value
// is computed follows in one line of small print at the end.
func (rd *Renderer) Eingangsbestaetigung(meta vault.DocMeta, d *bids.ReceiptDocData) ([]byte, error) {
	parties := accounts.LetterParties{Sender: accounts.LetterSender{Kreis: d.Kreis, Authority: d.Authority, Letterhead: d.Letterhead},
		Recipient: []string{d.OrgName}}
	if d.Letter != nil {
		parties = *d.Letter
	}
	doc, err := rd.startLetter(meta, parties, letterText{title: "Eingangsbestätigung", kind: vault.DocEingangsbestaetigung.Label(), ref: d.CallRef,
		subject: "Eingangsbestätigung für Ihre Interessenbekundung zur Ausschreibung „" + d.CallTitle + "“ (" + d.CallRef + ")"})
	if err != nil {
		return nil, err
	}
	doc.Paragraph(fmt.Sprintf("hiermit bestätigen wir, dass die Interessenbekundung von %s am %s bei uns eingegangen ist. "+
		"Maßgeblich ist der Zeitpunkt, zu dem das Portal sie gespeichert hat (Ortszeit Deutschland).", d.OrgName, SecondsTime(d.ReceiptAt)))
	doc.Paragraph(fmt.Sprintf("Eingegangen ist Fassung %d Ihrer Interessenbekundung (%s durch %s), bezogen auf Fassung %d der Ausschreibung.",
		d.Version, d.Kind, d.SubmittedBy, d.CallVersion))
	doc.Heading("Beantragte Stellen")
	rows := make([][]string, 0, len(d.Lots))
	for _, l := range d.Lots {
		rows = append(rows, []string{l.Key, l.Name, l.FTE})
	}
	doc.Table(pdf.Table{Columns: []pdf.Column{{Title: "Los", Width: 1.2}, {Title: "Bezeichnung", Width: 6},
		{Title: "VZÄ", Width: 1.5, Align: "R"}}, Rows: rows})
	doc.Heading("Eingereichte Unterlagen")
	if len(d.Files) > 0 {
		fileTable(doc, "", d.Files)
	} else {
		doc.Paragraph("Sie haben keine Dateien eingereicht.")
	}
	doc.Heading("Prüfwert Ihrer Einreichung")
	doc.Paragraph("Mit diesem Prüfwert können Sie jederzeit nachweisen, dass Ihre Einreichung unverändert ist:\n" + d.ContentSHA256)
	doc.Paragraph("Jede Datei hat außerdem einen eigenen Prüfwert (in der Liste oben). Bis zur Öffnung nach Ablauf der Frist bleibt " +
		"Ihre Interessenbekundung versiegelt: Niemand beim Kreis kann sie vorher lesen. Geöffnet wird genau das, was hier bestätigt ist.")
	closeLetter(doc, parties.Sender)
	doc.Note("Technische Angaben: Prüfwerte sind SHA-256-Hashwerte – für die Angaben über ihre feste Darstellung (JSON mit sortierten " +
		"Schlüsseln, Texte in Unicode-NFC, Stellen als exakte Dezimalzahlen), für eine Datei über ihren Inhalt.")
	return doc.Bytes()
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

// fileTable lists files with the required document they answer ("Konzept (U1)"), the
// file name and size and its check value in one full-width column, so that the SHA-256
// never wraps (copying it from the PDF stays possible).
func fileTable(doc *pdf.Doc, caption string, files []bids.ReceiptDocFile) {
	rows := make([][]string, 0, len(files))
	for _, f := range files {
		doc := f.DocKey
		if f.DocName != "" {
			doc = f.DocName + " (" + f.DocKey + ")"
		}
		rows = append(rows, []string{doc + ": " + f.Name + " (" + Bytes(f.Size) + ")\nPrüfwert: " + f.SHA256})
	}
	doc.Table(pdf.Table{Caption: caption, Small: true, Columns: []pdf.Column{{Title: "Unterlage, Datei und Prüfwert"}}, Rows: rows})
}
