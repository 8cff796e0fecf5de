package pdfdoc

import (
	"fmt"
	"time"

	"kimibv/app/pdf"
	"kimibv/models/core"
	"kimibv/models/forwarding"
	"kimibv/models/rules"
)

// SummaryHead is what the year summary's PDF states about itself: the Kreis, its
// authority and when it was made.
type SummaryHead struct {
	Kreis, Authority string
	CreatedAt        time.Time
}

// Jahresuebersicht lays out the Kreis's year summary of the forwarding (rules.md R39) on
// A4 landscape: the procedures, the posts and money per contract and the proofs of the
// Förderjahre ending in the year, each table with its sums, and how it is computed. It is
// an evaluation made on request, not an issued document: no Prüfwert, the footer says so.
func Jahresuebersicht(h SummaryHead, v *forwarding.YearSummaryView) ([]byte, error) {
	created := core.FormatDateTime(h.CreatedAt)
	doc, err := pdf.New(pdf.Meta{Title: fmt.Sprintf("Jahresübersicht %d: Weiterleitung der KIM-Mittel", v.Year),
		Subtitle: fmt.Sprintf("%s – alle Verfahren und Träger, %s; erstellt am %s", h.Kreis, SummaryAsOf(v), created),
		Kind:     "Jahresübersicht der Weiterleitung", Authority: h.Authority, CreatedAt: h.CreatedAt,
		Footer: fmt.Sprintf("Jahresübersicht %d von %s, erstellt am %s – Auswertung, kein ausgestelltes Dokument", v.Year, h.Kreis, created)}, pdf.Landscape())
	if err != nil {
		return nil, err
	}
	doc.Heading("Verfahren")
	var procs []pdf.KV
	for _, p := range v.Procedures() {
		procs = append(procs, pdf.KV{Key: p.Ref, Value: p.Title})
	}
	doc.KeyValues(procs)

	doc.Heading(fmt.Sprintf("Stellen und Mittel im Jahr %d", v.Year))
	// Widths are weights in millimetres: a reference, a date range and an amount each on one line.
	funds := pdf.Table{Small: true, Columns: []pdf.Column{{Title: "Verfahren und Träger", Width: 50}, {Title: "Zeitraum im Jahr", Width: 38},
		{Title: "VZÄ bewilligt", Width: 20, Align: "R"}, {Title: "VZÄ besetzt am " + v.AsOf.German(), Width: 24, Align: "R"},
		{Title: "VZÄ besetzt im Durchschnitt", Width: 24, Align: "R"}, {Title: fmt.Sprintf("Förderung %d", v.Year), Width: 30, Align: "R"},
		{Title: fmt.Sprintf("Ausgezahlt für %d", v.Year), Width: 30, Align: "R"}}}
	for _, r := range v.Funds {
		at, avg := "–", "–"
		if r.FilledKnown {
			at, avg = rules.FormatFTE(r.FilledAtEnd), rules.FormatFTE(r.FilledAvg)
			if r.FilledOn != v.AsOf {
				at += "\n(am " + r.FilledOn.German() + ")"
			}
		}
		funds.Rows = append(funds.Rows, []string{r.CallRef + "\n" + r.ProviderText(), r.Days.From.German() + " – " + r.Days.To.German(),
			rules.FormatFTE(r.Awarded), at, avg, r.Grant.German(), r.Paid.German()})
	}
	t := v.FundsTotal
	funds.Foot = []string{"Summe: " + plural(len(v.Funds), "Vertrag", "Verträge"), "", rules.FormatFTE(t.Awarded), rules.FormatFTE(t.FilledAtEnd),
		rules.FormatFTE(t.FilledAvg), t.Grant.German(), t.Paid.German()}
	doc.Table(funds)

	doc.Heading(fmt.Sprintf("Verwendungsnachweise der Förderjahre, die %d enden", v.Year))
	if len(v.Proofs) == 0 {
		doc.Paragraph(fmt.Sprintf("Im Jahr %d endet kein Förderjahr. Ein Förderjahr steht in der Übersicht des Jahres, in dem es endet.", v.Year))
	} else {
		proofs := pdf.Table{Small: true, Columns: []pdf.Column{{Title: "Verfahren und Träger", Width: 40}, {Title: "Förderjahr", Width: 30},
			{Title: "Förderung", Width: 26, Align: "R"}, {Title: "Ausgezahlt", Width: 26, Align: "R"}, {Title: "Fällig bis", Width: 21},
			{Title: "Eingegangen", Width: 21}, {Title: "Prüfung", Width: 34}, {Title: "Verwendet", Width: 26, Align: "R"}, {Title: "Rückforderung", Width: 26, Align: "R"}}}
		for _, r := range v.Proofs {
			received, used, repay := "–", "–", "–"
			if r.SubmittedAt != nil {
				received, used = rules.NewDate(*r.SubmittedAt).German(), r.Used.German()
			}
			if r.State == rules.ProofStateChecked {
				repay = r.Repayment.German()
			}
			proofs.Rows = append(proofs.Rows, []string{r.CallRef + "\n" + r.ProviderText(), fmt.Sprintf("%d. Förderjahr\n%s – %s", r.No, r.Period.From.German(), r.Period.To.German()),
				r.Grant.German(), r.Paid.German(), r.DueDay().German(), received, r.CheckedText(), used, repay})
		}
		p := v.ProofTotal
		proofs.Foot = []string{"Summe: " + plural(len(v.Proofs), "Förderjahr", "Förderjahre"), "", p.Grant.German(), p.Paid.German(), "",
			fmt.Sprintf("%d von %d", p.Received, len(v.Proofs)), fmt.Sprintf("%d geprüft, %d überfällig", p.Checked, p.Overdue), p.Used.German(), p.Repayment.German()}
		doc.Table(proofs)
	}
	doc.Heading("Rechenweise")
	doc.Bullets(SummaryMethod(v.Year))
	return doc.Bytes()
}

// SummaryAsOf says up to which day the posts are counted.
func SummaryAsOf(v *forwarding.YearSummaryView) string {
	if v.Running {
		return "Stand " + v.AsOf.German() + " (das Jahr läuft noch)"
	}
	return "Jahresende " + v.AsOf.German()
}

// plural is "1 Vertrag" or "3 Verträge".
func plural(n int, one, many string) string { return core.Quantity(n, one, many) }

// SummaryMethod states how the year summary is computed (rules.md R39), for the page,
// the PDF and the spreadsheet alike.
func SummaryMethod(year int) []string {
	return []string{
		fmt.Sprintf("Förderung %d: je Vertrag die VZÄ des Vertrags an den Tagen seines Förderzeitraums im Jahr, mal Förderung je VZÄ und Jahr einschließlich Eigenanteil des Kreises, geteilt durch die Tage des Jahres; einmal je Vertrag auf volle Cent gerundet (kaufmännisch).", year),
		fmt.Sprintf("Ausgezahlt für %d: die vermerkten Auszahlungen der Mittelabrufe, deren Zeitraum %d beginnt, gleich wann gezahlt wurde.", year, year),
		"VZÄ besetzt: nach den Meldungen der Träger, am Stichtag (Jahresende, Ende des Förderzeitraums oder heute, wenn das Jahr noch läuft) und im Durchschnitt über die geförderten Tage bis dahin, auf zwei Stellen gerundet.",
		"Verwendungsnachweise: jedes Förderjahr in dem Jahr, in dem es endet; ausgezahlt sind die Auszahlungen der Mittelabrufe, die im Förderjahr beginnen; Rückforderung wie bei der Prüfung festgehalten.",
		"Die Summen sind die Summen der gezeigten Werte.",
	}
}
