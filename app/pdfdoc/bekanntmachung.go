package pdfdoc

import (
	"fmt"
	"strconv"
	"strings"

	"kimibv/app/pdf"
	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/rules"
	"kimibv/models/vault"
)

// Bekanntmachung lays out the Bekanntmachung (the published call, per version).
func (rd *Renderer) Bekanntmachung(meta vault.DocMeta, d *calls.BekanntmachungData) ([]byte, error) {
	return renderBekanntmachung(rd.checkURL, meta, d)
}

func renderBekanntmachung(checkURL string, meta vault.DocMeta, d *calls.BekanntmachungData) ([]byte, error) {
	c := &d.Content
	subtitle, kind := "Bekanntmachung eines Interessenbekundungsverfahrens", vault.DocBekanntmachung
	version := fmt.Sprintf("%d, veröffentlicht am %s", d.Version, core.FormatDateTime(d.PublishedAt))
	if d.Version == 0 { // the draft put to the Beteiligung (models/consultation)
		subtitle, kind = "Entwurf zur Beteiligung – noch keine Bekanntmachung", vault.DocBeteiligungsentwurf
		version = "Entwurf, zur Beteiligung gestellt am " + core.FormatDateTime(d.PublishedAt)
	}
	if d.Version > 1 {
		subtitle = fmt.Sprintf("Änderungsbekanntmachung – Fassung %d (Änderung Nr. %d)", d.Version, d.AmendmentNo())
	}
	letterhead := d.Letterhead
	if letterhead == "" {
		letterhead = d.Kreis
	}
	doc, err := pdf.New(pdf.Meta{Title: c.Title, Subtitle: subtitle, Kind: kind.Label(),
		Authority: d.Authority, Letterhead: letterhead, CheckValue: meta.ContentSHA256, ChainHead: meta.ChainHead,
		CheckURL: checkURL, CreatedAt: meta.IssuedAt}, pdf.NumberedHeadings())
	if err != nil {
		return nil, err
	}
	if d.Version > 1 {
		doc.Heading(fmt.Sprintf("Änderung Nr. %d", d.AmendmentNo()))
		doc.Paragraph("Begründung: " + d.Reason)
		if d.Material {
			doc.Paragraph("Die Änderung ist wesentlich (Kriterien, Lose oder Unterlagen). Bereits abgegebene Interessenbekundungen müssen erneut bestätigt werden.")
		}
		doc.Paragraph("Diese Fassung ersetzt die vorherige vollständig. Alle Fassungen bleiben auf der Seite der Ausschreibung abrufbar.")
	}
	doc.Heading("Angaben zum Verfahren")
	doc.KeyValues([]pdf.KV{
		{Key: "Aktenzeichen", Value: c.FileRef},
		{Key: "Verfahrensnummer", Value: d.Ref},
		{Key: "Fassung", Value: version},
		{Key: "Ausschreibende Stelle", Value: d.Authority},
		{Key: "Rechtsgrundlage", Value: c.LegalBasis},
		{Key: "Finanzierung", Value: c.FundingSource},
		{Key: "Förderzeitraum", Value: c.FundingPeriod.From.German() + " bis " + c.FundingPeriod.To.German()},
		{Key: "Förderung je VZÄ und Jahr", Value: rules.FormatEuro(c.FundingPerFTE) + " Landesmittel zuzüglich " +
			rules.FormatEuro(c.KreisTopUp) + " Zuschuss des Kreises, zusammen " + rules.FormatEuro(c.FundingTotalPerFTE())},
		{Key: "Stellen insgesamt", Value: rules.FormatFTE(c.TotalFTE()) + " VZÄ"},
	})
	doc.Heading("Leistungsbeschreibung")
	markdownAsText(doc, c.Description)
	lots(doc, c)
	doc.Heading("Teilnahmevoraussetzungen")
	doc.Bullets(c.Eligibility)
	requiredDocs(doc, c)
	criteria(doc, c)
	timeline(doc, c)
	doc.Heading("Kontakt")
	doc.KeyValues([]pdf.KV{{Key: "Ansprechperson", Value: c.Contact.Name}, {Key: "E-Mail", Value: c.Contact.Email},
		{Key: "Telefon", Value: c.Contact.Phone}})
	doc.Note("Alle Zeiten sind Ortszeit Deutschland (Europe/Berlin). Fragen zum Verfahren stellen Sie bitte über die Seite der " +
		"Ausschreibung; die Antworten werden dort für alle veröffentlicht. Maßgeblich für den fristgerechten Eingang ist die " +
		"Uhr der Datenbank bei der Speicherung der Interessenbekundung.")
	return doc.Bytes()
}

func lots(doc *pdf.Doc, c *rules.CallContent) {
	doc.Heading("Lose und Stellen")
	rows := make([][]string, 0, len(c.Lots)+1)
	for _, l := range c.Lots {
		rows = append(rows, []string{l.Key, l.Name, l.Region, rules.FormatFTE(l.FTE), rules.FormatFTE(l.MinFTEPerSite)})
	}
	rows = append(rows, []string{"", "Summe", "", rules.FormatFTE(c.TotalFTE()), ""})
	doc.Table(pdf.Table{Columns: []pdf.Column{{Title: "Los", Width: 1.2}, {Title: "Bezeichnung", Width: 3}, {Title: "Gebiet", Width: 4},
		{Title: "VZÄ", Width: 1.5, Align: "R"}, {Title: "mind. je Standort", Width: 2, Align: "R"}}, Rows: rows})
	doc.Note("Eine Interessenbekundung kann sich auf einen Teil der Stellen eines Loses beziehen. Die Stellen eines Loses " +
		"werden in der Reihenfolge der Rangliste vergeben, bis das Los besetzt ist.")
}

func requiredDocs(doc *pdf.Doc, c *rules.CallContent) {
	doc.Heading("Einzureichende Unterlagen")
	rows := make([][]string, 0, len(c.RequiredDocs))
	for _, r := range c.RequiredDocs {
		must := "freiwillig"
		if r.Mandatory {
			must = "Pflicht"
		}
		rows = append(rows, []string{r.Key, r.Name, must, r.Note})
	}
	doc.Table(pdf.Table{Columns: []pdf.Column{{Title: "Nr.", Width: 1}, {Title: "Unterlage", Width: 5}, {Title: "Art", Width: 1.8},
		{Title: "Hinweis", Width: 4}}, Rows: rows})
}

func criteria(doc *pdf.Doc, c *rules.CallContent) {
	doc.Heading("Bewertungskriterien")
	rows := make([][]string, 0, len(c.Criteria)+1)
	for i, cr := range c.Criteria {
		name := cr.Name
		if cr.Description != "" {
			name += "\n" + cr.Description
		}
		minimum := "–"
		if cr.MinScore != nil {
			minimum = "mindestens " + strconv.Itoa(*cr.MinScore)
		}
		rows = append(rows, []string{strconv.Itoa(i + 1), name, strconv.Itoa(cr.Weight), minimum})
	}
	rows = append(rows, []string{"", "Summe", strconv.Itoa(c.TotalWeight()), ""})
	doc.Table(pdf.Table{Columns: []pdf.Column{{Title: "Nr.", Width: 1}, {Title: "Kriterium", Width: 8}, {Title: "Gewichtung (Punkte)", Width: 2.4, Align: "R"},
		{Title: "Mindest-bewertung", Width: 2.4}}, Rows: rows})
	doc.Subheading("Bewertungsskala")
	scale := make([][]string, 0, len(c.Scale))
	for _, s := range c.Scale {
		scale = append(scale, []string{strconv.Itoa(s.Value), s.Label})
	}
	doc.Table(pdf.Table{Columns: []pdf.Column{{Title: "Wert", Width: 1, Align: "R"}, {Title: "Bedeutung", Width: 10}}, Rows: scale})
	doc.Subheading("Berechnung, Ausschluss und Rangfolge")
	doc.Paragraph(fmt.Sprintf("Punkte je Kriterium = Bewertung ÷ %d × Gewichtung, kaufmännisch auf zwei Nachkommastellen gerundet; "+
		"die Gesamtpunktzahl ist die Summe der Punkte (höchstens %d).", c.ScaleMax(), c.TotalWeight()))
	doc.Paragraph("Ausgeschlossen wird eine Interessenbekundung, die in einem Kriterium die Mindestbewertung nicht erreicht oder " +
		"weniger als " + rules.FormatGermanDecimal(c.MinTotalPoints, 0) + " Punkte insgesamt erzielt.")
	if len(c.TieBreak) > 0 {
		order := make([]string, 0, len(c.TieBreak))
		for _, k := range c.TieBreak {
			if cr, ok := c.Criterion(k); ok {
				order = append(order, cr.Name)
			}
		}
		doc.Paragraph("Bei gleicher Gesamtpunktzahl entscheiden nacheinander die Punkte in diesen Kriterien:")
		doc.Bullets(order)
	}
}

func timeline(doc *pdf.Doc, c *rules.CallContent) {
	t := c.Timeline
	doc.Heading("Zeitplan")
	kv := []pdf.KV{{Key: "Veröffentlichung", Value: core.FormatDateTime(t.Publication)}}
	if !t.QuestionsUntil.IsZero() {
		kv = append(kv, pdf.KV{Key: "Fragen bis", Value: core.FormatDateTime(t.QuestionsUntil)})
	}
	kv = append(kv, pdf.KV{Key: "Abgabefrist", Value: core.FormatDateTime(t.Deadline)})
	if !t.PlannedOpening.IsZero() {
		kv = append(kv, pdf.KV{Key: "Geplante Öffnung", Value: core.FormatDateTime(t.PlannedOpening)})
	}
	if !t.PlannedDecision.IsZero() {
		kv = append(kv, pdf.KV{Key: "Geplante Entscheidung", Value: core.FormatDateTime(t.PlannedDecision)})
	}
	kv = append(kv, pdf.KV{Key: "Stillhaltefrist", Value: strconv.Itoa(t.StandstillDays) + " Tage nach Versand der Mitteilungen"})
	doc.KeyValues(kv)
}

// markdownAsText draws Markdown source as plain paragraphs: headings become subheadings,
// list items bullets, emphasis markers and link syntax are dropped; nothing is interpreted
// as markup, so any other text appears literally.
func markdownAsText(doc *pdf.Doc, src string) {
	var para []string
	var items []string
	flush := func() {
		if len(para) > 0 {
			doc.Paragraph(strings.Join(para, " "))
			para = nil
		}
		if len(items) > 0 {
			doc.Bullets(items)
			items = nil
		}
	}
	for _, line := range strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n") {
		s := strings.TrimSpace(line)
		switch {
		case s == "":
			flush()
		case strings.HasPrefix(s, "#"):
			flush()
			doc.Subheading(plain(strings.TrimLeft(s, "# ")))
		case strings.HasPrefix(s, "- "), strings.HasPrefix(s, "* "), strings.HasPrefix(s, "+ "):
			if len(para) > 0 {
				doc.Paragraph(strings.Join(para, " "))
				para = nil
			}
			items = append(items, plain(s[2:]))
		case len(items) > 0 && strings.HasPrefix(line, "  "):
			items[len(items)-1] += " " + plain(s)
		default:
			if len(items) > 0 {
				doc.Bullets(items)
				items = nil
			}
			para = append(para, plain(strings.TrimLeft(s, "> ")))
		}
	}
	flush()
}

// plain removes inline Markdown emphasis and turns [text](url) into "text (url)".
func plain(s string) string {
	s = strings.NewReplacer("**", "", "__", "", "`", "").Replace(s)
	for {
		i := strings.Index(s, "](")
		open := strings.LastIndex(s[:max(i, 0)], "[")
		end := strings.Index(s[max(i, 0):], ")")
		if i < 0 || open < 0 || end < 0 {
			return s
		}
		s = s[:open] + s[open+1:i] + " (" + s[i+2:i+end] + ")" + s[i+end+1:]
	}
}
