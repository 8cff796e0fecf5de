package pdfdoc

import (
	"fmt"
	"strconv"
	"strings"

	"kimibv/app/pdf"
	"kimibv/models/core"
	"kimibv/models/decision"
	"kimibv/models/rules"
	"kimibv/models/vault"
)

// Vergabevermerk lays out the decision record (Vergabevermerk).
func (rd *Renderer) Vergabevermerk(meta vault.DocMeta, d *decision.VermerkData) ([]byte, error) {
	return renderVermerk(rd.checkURL, meta, d)
}

func renderVermerk(checkURL string, meta vault.DocMeta, d *decision.VermerkData) ([]byte, error) {
	c := &d.Content
	letterhead := d.Letterhead
	if letterhead == "" {
		letterhead = d.Kreis
	}
	doc, err := pdf.New(pdf.Meta{Title: "Vergabevermerk", Subtitle: c.Title + " – Stand: " + d.Stage, Kind: vault.DocVergabevermerk.Label(),
		Authority: d.Authority, Letterhead: letterhead, CheckValue: meta.ContentSHA256, ChainHead: meta.ChainHead, CheckURL: checkURL,
		CreatedAt: meta.IssuedAt}, pdf.NumberedHeadings())
	if err != nil {
		return nil, err
	}
	doc.Heading("Verfahren")
	doc.KeyValues([]pdf.KV{{Key: "Ausschreibende Stelle", Value: d.Authority}, {Key: "Gegenstand", Value: c.Title},
		{Key: "Verfahrensnummer", Value: d.Ref}, {Key: "Aktenzeichen", Value: c.FileRef}, {Key: "Rechtsgrundlage", Value: c.LegalBasis},
		{Key: "Finanzierung", Value: c.FundingSource}, {Key: "Stellen insgesamt", Value: rules.FormatFTE(c.TotalFTE()) + " VZÄ"}})
	doc.Subheading("Warum ein Interessenbekundungsverfahren")
	doc.Paragraph(d.WhyIBV)

	doc.Heading("Bewerbungen und Eingang")
	rows := [][]string{}
	for _, a := range d.Applicants {
		state := "abgegeben"
		if a.State == "withdrawn" {
			state = "zurückgezogen"
		}
		rows = append(rows, []string{a.OrgName, core.FormatDateTime(a.ReceiptAt), strconv.Itoa(a.Version), state, a.SHA256[:min(16, len(a.SHA256))] + "…"})
	}
	doc.Table(pdf.Table{Caption: "Alle Bewerbungen mit Eingangszeit", Columns: []pdf.Column{{Title: "Träger", Width: 5}, {Title: "Eingang", Width: 3},
		{Title: "Fassung", Width: 1.6}, {Title: "Stand", Width: 2}, {Title: "SHA-256", Width: 3}}, Rows: orNone(rows, 5)})
	if d.OpenedAt != nil {
		doc.Paragraph(fmt.Sprintf("Geöffnet am %s durch %s.", core.FormatDateTime(*d.OpenedAt), strings.Join(d.Openers, " und ")))
	}
	vermerkRemedies(doc, d.Remedies)

	doc.Heading("Formale Prüfung und Nachforderungen")
	rows = rows[:0]
	for _, f := range d.Formal {
		reason := f.Reason
		if f.Correction != "" {
			reason += " – Korrekturvermerk: " + f.Correction
		}
		rows = append(rows, []string{f.OrgName, formalLabel(f.Outcome), reason})
	}
	doc.Table(pdf.Table{Caption: "Formale Prüfung", Columns: []pdf.Column{{Title: "Träger", Width: 4}, {Title: "Ergebnis", Width: 2.8}, {Title: "Begründung", Width: 6}}, Rows: orNone(rows, 3)})
	rows = [][]string{}
	for _, r := range d.Requests {
		rows = append(rows, []string{r.OrgName, r.Docs, r.Message, core.FormatDateTime(r.RequestedAt), strconv.Itoa(r.Answers)})
	}
	doc.Table(pdf.Table{Caption: "Nachforderungen von Unterlagen", Columns: []pdf.Column{{Title: "Träger", Width: 3}, {Title: "Unterlagen", Width: 2},
		{Title: "Nachricht", Width: 4}, {Title: "Angefordert", Width: 2.5}, {Title: "Eingänge", Width: 1.5}}, Rows: orNone(rows, 5)})

	doc.Heading("Bewertungsgremium und Interessenkonflikte")
	doc.Paragraph("Mitglieder des Bewertungsgremiums: " + orDash(strings.Join(d.Committee, ", ")))
	rows = [][]string{}
	for _, x := range d.Declarations {
		rows = append(rows, []string{x.Evaluator, x.OrgName, x.Tie, x.Note})
	}
	doc.Table(pdf.Table{Caption: "Erklärungen zu Interessenkonflikten", Columns: []pdf.Column{{Title: "Mitglied", Width: 3}, {Title: "Träger", Width: 4},
		{Title: "Beziehung", Width: 3}, {Title: "Erläuterung", Width: 4}}, Rows: orNone(rows, 4)})

	doc.Heading("Bewertungen der Mitglieder")
	rows = [][]string{}
	for _, s := range d.EvaluatorScores {
		rows = append(rows, []string{s.OrgName, s.Criterion, s.Evaluator, strconv.Itoa(s.Score), s.Reason})
	}
	doc.Table(pdf.Table{Small: true, Columns: []pdf.Column{{Title: "Träger", Width: 3}, {Title: "Kriterium", Width: 3}, {Title: "Mitglied", Width: 2.5},
		{Title: "Punktwert", Width: 1.3, Align: "R"}, {Title: "Begründung", Width: 5}}, Rows: orNone(rows, 5)})

	doc.Heading("Konsolidierte Bewertung")
	rows = [][]string{}
	for _, s := range d.Consolidated {
		rows = append(rows, []string{s.OrgName, s.Criterion, strings.ReplaceAll(s.Score, ".", ","), strings.ReplaceAll(s.Mean, ".", ","), orDash(s.Reason), s.SetBy})
	}
	doc.Table(pdf.Table{Small: true, Columns: []pdf.Column{{Title: "Träger", Width: 3}, {Title: "Kriterium", Width: 3}, {Title: "Punktwert", Width: 1.4, Align: "R"},
		{Title: "Mittelwert", Width: 1.5, Align: "R"}, {Title: "Begründung", Width: 4}, {Title: "Festgelegt von", Width: 2}}, Rows: orNone(rows, 6)})

	doc.Heading("Rangfolge und Verteilung")
	rows = [][]string{}
	for _, r := range d.Ranking {
		rank := strconv.Itoa(r.Rank)
		if r.Excluded {
			rank = "–"
		}
		rows = append(rows, []string{rank, r.OrgName, r.Total, orDash(r.Selected), strings.Join(r.Reasons, "; ")})
	}
	doc.Table(pdf.Table{Caption: "Rangfolge", Columns: []pdf.Column{{Title: "Rang", Width: 1.5}, {Title: "Träger", Width: 4}, {Title: "Punkte", Width: 1.5, Align: "R"},
		{Title: "Ausgewählt", Width: 3}, {Title: "Gründe für Ausschluss oder Nichtauswahl", Width: 4}}, Rows: orNone(rows, 5)})
	rows = [][]string{}
	for _, a := range d.Allocations {
		flag := ""
		if a.Deviates {
			flag = "Abweichung"
		}
		rows = append(rows, []string{a.OrgName, a.Lot, a.ResultFTE, a.FTE, flag})
	}
	doc.Table(pdf.Table{Caption: "Verteilung der Stellen (VZÄ)", Columns: []pdf.Column{{Title: "Träger", Width: 4}, {Title: "Los", Width: 2},
		{Title: "Ergebnis der Bewertung", Width: 2, Align: "R"}, {Title: "Entscheidung", Width: 2, Align: "R"}, {Title: "Hinweis", Width: 2}}, Rows: orNone(rows, 5)})

	doc.Heading("Gründe der Auswahl")
	doc.Paragraph(d.Justification)
	if d.Deviates {
		doc.Subheading("ABWEICHUNG VOM ERGEBNIS DER BEWERTUNG")
		doc.Paragraph("Begründung der Abweichung: " + d.DeviationReason)
	}

	doc.Heading("Entscheidung")
	doc.KeyValues([]pdf.KV{{Key: "Entscheidendes Gremium", Value: d.Body}, {Key: "Datum der Entscheidung", Value: d.DecidedOn},
		{Key: "Beschluss-/Vorlagennummer", Value: d.ResolutionNumber}, {Key: "Abstimmungsergebnis", Value: orDash(d.VoteResult)},
		{Key: "Ratsinformationssystem", Value: orDash(d.CouncilURL)}, {Key: "Aufgezeichnet", Value: recorded(d)}})

	doc.Heading("Mitteilungen und Stillhaltefrist")
	rows = [][]string{}
	for _, n := range d.Notices {
		rows = append(rows, []string{n.OrgName, n.Kind, core.FormatDateTime(n.IssuedAt)})
	}
	doc.Table(pdf.Table{Caption: "Versandte Mitteilungen", Columns: []pdf.Column{{Title: "Träger", Width: 5}, {Title: "Inhalt", Width: 3}, {Title: "Versandt", Width: 3}}, Rows: orNone(rows, 3)})
	standstill := fmt.Sprintf("Stillhaltefrist: %d Tage", d.StandstillDays)
	if d.StandstillEndsAt != nil {
		standstill += ", endet am " + core.FormatDateTime(*d.StandstillEndsAt)
	} else {
		standstill += " ab Versand der Mitteilungen (noch nicht versandt)"
	}
	doc.Paragraph(standstill + ".")
	rows = [][]string{}
	for _, o := range d.Objections {
		answered := o.Outcome
		if o.AnsweredAt != nil {
			answered = o.Outcome + " am " + core.FormatDateTime(*o.AnsweredAt) + ": " + o.Answer
		}
		rows = append(rows, []string{o.OrgName, core.FormatDateTime(o.LodgedAt), o.Reason, answered})
	}
	doc.Table(pdf.Table{Caption: "Rügen", Columns: []pdf.Column{{Title: "Träger", Width: 3}, {Title: "Erhoben", Width: 2.5}, {Title: "Begründung", Width: 4.5},
		{Title: "Ergebnis und Antwort", Width: 6}}, Rows: orNone(rows, 4)})

	doc.Heading("Endgültige Vergabe")
	if d.AwardedAt != nil {
		doc.Paragraph("Die Vergabe ist seit " + core.FormatDateTime(*d.AwardedAt) + " endgültig.")
	} else {
		doc.Paragraph("Die Vergabe ist noch nicht endgültig; sie wird es nach Ablauf der Stillhaltefrist, wenn keine Rüge offen ist.")
	}
	return doc.Bytes()
}

func recorded(d *decision.VermerkData) string {
	if d.RecordedAt == nil {
		return "–"
	}
	return core.FormatDateTime(*d.RecordedAt) + " durch " + d.RecordedBy
}

func formalLabel(outcome string) string {
	switch outcome {
	case "admitted":
		return "zugelassen"
	case "excluded":
		return "ausgeschlossen"
	case "requested":
		return "nachgefordert"
	}
	return "offen"
}

// orNone gives an empty table one row that says so.
func orNone(rows [][]string, cols int) [][]string {
	if len(rows) > 0 {
		return rows
	}
	r := make([]string, cols)
	r[0] = "keine"
	return [][]string{r}
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "–"
	}
	return s
}

// vermerkRemedies records the returns to a step after upheld objections, each with the
// result it superseded, first result first (rules.md R34); nothing when there was none.
func vermerkRemedies(doc *pdf.Doc, remedies []decision.VermerkRemedy) {
	if len(remedies) == 0 {
		return
	}
	doc.Heading("Rückverweisungen und ersetzte Ergebnisse")
	doc.Paragraph("Nach abgeholfenen Rügen wurde das Verfahren zurückverwiesen. Die ersetzten Ergebnisse bleiben hier dokumentiert; sie gelten nicht mehr. " +
		"Die folgenden Abschnitte zeigen das geltende Ergebnis.")
	for i, m := range remedies {
		doc.Subheading(fmt.Sprintf("ERGEBNIS %d – ERSETZT DURCH RÜCKVERWEISUNG VOM %s", i+1, core.FormatDateTime(m.ReturnedAt)))
		doc.KeyValues([]pdf.KV{{Key: "Zurückverwiesen an", Value: m.Step}, {Key: "Begründung", Value: m.Reason}, {Key: "Ersetzte Entscheidung", Value: orDash(m.Decision)}})
		rows := [][]string{}
		for _, r := range m.Ranking {
			rank := strconv.Itoa(r.Rank)
			if r.Excluded || r.Rank == 0 {
				rank = "–"
			}
			rows = append(rows, []string{rank, r.OrgName, r.Total, orDash(r.Selected)})
		}
		doc.Table(pdf.Table{Caption: fmt.Sprintf("Ersetztes Ergebnis %d", i+1), Columns: []pdf.Column{{Title: "Rang", Width: 1.5}, {Title: "Träger", Width: 5},
			{Title: "Punkte", Width: 1.5, Align: "R"}, {Title: "Ausgewählt", Width: 5}}, Rows: orNone(rows, 4)})
		rows = [][]string{}
		for _, o := range m.Objections {
			rows = append(rows, []string{o.OrgName, core.FormatDateTime(o.LodgedAt), o.Reason, o.Outcome + ": " + o.Answer})
		}
		doc.Table(pdf.Table{Caption: fmt.Sprintf("Rügen gegen Ergebnis %d", i+1), Columns: []pdf.Column{{Title: "Träger", Width: 3}, {Title: "Erhoben", Width: 2.5},
			{Title: "Begründung", Width: 4.5}, {Title: "Ergebnis und Antwort", Width: 6}}, Rows: orNone(rows, 4)})
	}
}
