package pdfdoc

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"kimibv/app/pdf"
	"kimibv/models/audit"
	"kimibv/models/core"
)

// maxProtocolPDFEntries bounds the entries of a protocol PDF: fpdf holds a document in
// memory until it is written, so longer extracts are cut with a note pointing to the
// CSV export (which streams) or a narrower filter.
const maxProtocolPDFEntries = 3000

// ProtocolHead is what a protocol PDF states before its entries.
type ProtocolHead struct {
	Kreis, Authority string
	Filter           string // the filter in words, "" for all entries
	Check            audit.Verification
	CreatedAt        time.Time
}

// Protocol is a protocol PDF under construction: NewProtocol, then Add per batch of
// entries, then Write.
type Protocol struct {
	doc     *pdf.Doc
	entries int
	cut     bool
}

// NewProtocol starts the extract of a Kreis's protocol with the result of its chain check.
func NewProtocol(h ProtocolHead) (*Protocol, error) {
	doc, err := pdf.New(pdf.Meta{Title: "Protokoll", Subtitle: h.Kreis + " – Auszug vom " + core.FormatDateTime(h.CreatedAt),
		Kind: "Auszug aus dem Protokoll", Authority: h.Authority, ChainHead: h.Check.HeadHash, CreatedAt: h.CreatedAt,
		Footer: "Auszug aus dem Protokoll – kein ausgestelltes Dokument. Kettenkopf: " + h.Check.HeadHash})
	if err != nil {
		return nil, err
	}
	doc.Heading("Prüfung der Protokollkette")
	doc.KeyValues([]pdf.KV{
		{Key: "Ergebnis", Value: ProtocolCheckText(h.Check)},
		{Key: "Einträge der Kette", Value: strconv.FormatInt(h.Check.Entries, 10)},
		{Key: "Letzter Hash (SHA-256)", Value: h.Check.HeadHash},
		{Key: "Auswahl", Value: cmpOr(h.Filter, "alle Einträge")},
	})
	doc.Note("Jeder Eintrag ist über seinen Hash mit dem vorherigen Eintrag seiner Kette verbunden. Zeiten in deutscher Zeit (Europe/Berlin), ältester Eintrag zuerst.")
	doc.Heading("Einträge")
	return &Protocol{doc: doc}, nil
}

// ProtocolCheckText states the result of a chain check in one sentence.
func ProtocolCheckText(v audit.Verification) string {
	if v.OK {
		return fmt.Sprintf("unverändert – alle %d Einträge nachgerechnet", v.Entries)
	}
	return fmt.Sprintf("beschädigt – erster fehlerhafter Eintrag Nr. %d: %s", v.BrokenSeq, v.Problem)
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Add lays out a batch of entries as a table (up to maxProtocolPDFEntries in all).
func (p *Protocol) Add(rows []audit.AuditRow) {
	if p.cut {
		return
	}
	if left := maxProtocolPDFEntries - p.entries; len(rows) > left {
		rows, p.cut = rows[:left], true
	}
	t := pdf.Table{Small: true, Columns: []pdf.Column{{Title: "Zeit", Width: 1.3}, {Title: "Person", Width: 1.3}, {Title: "Aktion", Width: 2},
		{Title: "Objekt", Width: 2}, {Title: "Einzelheiten", Width: 3.2}, {Title: "Kette, Nr.", Width: 1.6}}}
	for _, r := range rows {
		t.Rows = append(t.Rows, []string{SecondsTime(r.CreatedAt), r.Shown.Actor, r.ActionLabel(), r.Shown.Object,
			ProtocolDetails(r.Shown.Lines, "\n"), r.Shown.ChainName + ", Nr. " + strconv.FormatInt(r.Seq, 10)})
	}
	p.entries += len(rows)
	p.doc.Table(t)
	if p.cut {
		p.doc.Note(fmt.Sprintf("Der Auszug endet nach %d Einträgen. Für alle Einträge laden Sie bitte die CSV-Datei herunter oder wählen einen kürzeren Zeitraum.", maxProtocolPDFEntries))
	}
}

// Write finishes the PDF and writes it to w.
func (p *Protocol) Write(w io.Writer) error {
	if p.entries == 0 {
		p.doc.Paragraph("Für diese Auswahl gibt es keine Einträge.")
	}
	return p.doc.Write(w)
}

// ProtocolDetails joins the labelled detail lines of an entry with sep.
func ProtocolDetails(lines []audit.DetailLine, sep string) string {
	parts := make([]string, 0, len(lines))
	for _, l := range lines {
		if l.Key == "" {
			parts = append(parts, l.Value)
		} else {
			parts = append(parts, l.Key+": "+l.Value)
		}
	}
	return strings.Join(parts, sep)
}
