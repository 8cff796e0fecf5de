package rules

import (
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// ChangeKind says whether a field changed or a list entry was added or removed.
type ChangeKind string

// Change kinds of DiffVersions.
const (
	Changed ChangeKind = "changed"
	Added   ChangeKind = "added"
	Removed ChangeKind = "removed"
	TextChg ChangeKind = "text" // a long text: see RemovedParas and AddedParas
)

// Change is one readable difference between two versions of a call.
type Change struct {
	Section      string // German section, e.g. "Zeitplan", "Bewertungskriterien"
	Item         string // the list entry, e.g. "Kriterium K2 „Unabhängigkeit und…“" ("" for plain fields)
	Label        string // the field, e.g. "Abgabefrist" or "Gewichtung" ("" for an added or removed entry)
	Kind         ChangeKind
	Old, New     string   // for Changed; New for Added, Old for Removed
	RemovedParas []string // for TextChg: paragraphs no longer in the text
	AddedParas   []string // for TextChg: new or reworded paragraphs
}

// Heading names what changed: "Abgabefrist", "Kriterium K2 „Unabhängigkeit und…“: Gewichtung"
// or, for an added or removed entry, the entry.
func (c Change) Heading() string {
	switch {
	case c.Item == "":
		return c.Label
	case c.Label == "":
		return c.Item
	}
	return c.Item + ": " + c.Label
}

// String renders the change in one line, e.g.
// "Abgabefrist: 15.01.2027 12:00 Uhr → 29.01.2027 12:00 Uhr" or
// "Kriterium K2 „Unabhängigkeit und…“: Gewichtung 20 → 25".
func (c Change) String() string {
	switch c.Kind {
	case Added:
		return c.Heading() + " hinzugefügt: " + c.New
	case Removed:
		return c.Heading() + " entfernt: " + c.Old
	case TextChg:
		return fmt.Sprintf("%s: %s entfernt oder geändert, %s neu", c.Heading(), paras(len(c.RemovedParas)), paras(len(c.AddedParas)))
	}
	if c.Item != "" {
		return c.Heading() + " " + c.Old + " → " + c.New
	}
	return c.Label + ": " + c.Old + " → " + c.New
}

func paras(n int) string {
	if n == 1 {
		return "1 Absatz"
	}
	return fmt.Sprintf("%d Absätze", n)
}

// DiffVersions lists what changed from a to b in reading order with German labels. List
// entries with keys (lots, documents, criteria) are matched by key, so a renamed criterion
// is a change and not a removal plus an addition. The publication time is not compared.
func DiffVersions(a, b CallContent) []Change {
	d := &differ{}
	d.section("Allgemeines")
	d.text("Titel", a.Title, b.Title)
	d.text("Aktenzeichen", a.FileRef, b.FileRef)
	d.text("Ausschreibende Behörde", a.Authority, b.Authority)
	d.long("Rechtsgrundlage", a.LegalBasis, b.LegalBasis)
	d.long("Finanzierungsquelle", a.FundingSource, b.FundingSource)
	d.long("Leistungsbeschreibung", a.Description, b.Description)

	d.section("Förderung")
	d.text("Förderzeitraum", periodText(a.FundingPeriod), periodText(b.FundingPeriod))
	d.text("Förderung je VZÄ und Jahr", euro(a.FundingPerFTE), euro(b.FundingPerFTE))
	d.text("Zuschuss des Kreises je VZÄ und Jahr", euro(a.KreisTopUp), euro(b.KreisTopUp))

	d.section("Lose")
	diffKeyed(d, a.Lots, b.Lots, func(l Lot) string { return l.Key }, func(l Lot) string {
		return fmt.Sprintf("Los %s „%s“", l.Key, shortName(l.Name))
	}, func(l Lot) string {
		return fmt.Sprintf("%s (%s), %s VZÄ, mindestens %s VZÄ je Standort", l.Name, l.Region, FormatFTE(l.FTE), FormatFTE(l.MinFTEPerSite))
	},
		func(p string, x, y Lot) {
			d.itemText(p, "Name", x.Name, y.Name)
			d.itemText(p, "Gemeinden/Region", x.Region, y.Region)
			d.itemText(p, "VZÄ", FormatFTE(x.FTE), FormatFTE(y.FTE))
			d.itemText(p, "Mindestausstattung je Standort", FormatFTE(x.MinFTEPerSite)+" VZÄ", FormatFTE(y.MinFTEPerSite)+" VZÄ")
		})

	d.section("Teilnahmevoraussetzungen")
	diffStrings(d, "Teilnahmevoraussetzung", a.Eligibility, b.Eligibility)

	d.section("Einzureichende Unterlagen")
	diffKeyed(d, a.RequiredDocs, b.RequiredDocs, func(x RequiredDoc) string { return x.Key }, func(x RequiredDoc) string {
		return fmt.Sprintf("Unterlage %s „%s“", x.Key, shortName(x.Name))
	}, func(x RequiredDoc) string {
		return x.Name + " (" + mandatoryText(x.Mandatory) + ")" + suffix(", ", x.Note)
	},
		func(p string, x, y RequiredDoc) {
			d.itemText(p, "Bezeichnung", x.Name, y.Name)
			d.itemText(p, "Pflicht", mandatoryText(x.Mandatory), mandatoryText(y.Mandatory))
			d.itemText(p, "Hinweis", x.Note, y.Note)
		})

	d.section("Bewertungskriterien")
	diffKeyed(d, a.Criteria, b.Criteria, func(x Criterion) string { return x.Key }, func(x Criterion) string {
		return fmt.Sprintf("Kriterium %s „%s“", x.Key, shortName(x.Name))
	}, func(x Criterion) string {
		return fmt.Sprintf("%s, Gewichtung %d, Mindestbewertung %s", x.Name, x.Weight, minScoreText(x.MinScore))
	},
		func(p string, x, y Criterion) {
			d.itemText(p, "Name", x.Name, y.Name)
			d.itemLong(p, "Beschreibung", x.Description, y.Description)
			d.itemText(p, "Gewichtung", fmt.Sprint(x.Weight), fmt.Sprint(y.Weight))
			d.itemText(p, "Mindestbewertung", minScoreText(x.MinScore), minScoreText(y.MinScore))
		})
	d.text("Mindestgesamtpunktzahl", FormatGermanDecimal(a.MinTotalPoints, 2), FormatGermanDecimal(b.MinTotalPoints, 2))
	d.text("Reihenfolge bei Punktgleichheit", strings.Join(a.TieBreak, ", "), strings.Join(b.TieBreak, ", "))
	d.text("Höchstlänge je Antwort (Zeichen)", fmt.Sprint(a.AnswerMaxChars), fmt.Sprint(b.AnswerMaxChars))

	d.section("Bewertungsskala")
	diffScale(d, a.Scale, b.Scale)

	d.section("Zeitplan")
	d.text("Frist für Fragen", FormatDateTimeZone(a.Timeline.QuestionsUntil), FormatDateTimeZone(b.Timeline.QuestionsUntil))
	d.text("Abgabefrist", FormatDateTimeZone(a.Timeline.Deadline), FormatDateTimeZone(b.Timeline.Deadline))
	d.text("Geplante Öffnung", FormatDateTimeZone(a.Timeline.PlannedOpening), FormatDateTimeZone(b.Timeline.PlannedOpening))
	d.text("Geplante Entscheidung", FormatDateTimeZone(a.Timeline.PlannedDecision), FormatDateTimeZone(b.Timeline.PlannedDecision))
	d.text("Stillhaltefrist vor der Vergabe (Tage)", fmt.Sprint(a.Timeline.StandstillDays), fmt.Sprint(b.Timeline.StandstillDays))

	d.section("Kontakt")
	d.text("Ansprechperson", a.Contact.Name, b.Contact.Name)
	d.text("E-Mail-Adresse", a.Contact.Email, b.Contact.Email)
	d.text("Telefon", a.Contact.Phone, b.Contact.Phone)
	return d.out
}

// differ collects changes under the current section.
type differ struct {
	sec string
	out []Change
}

func (d *differ) section(s string) { d.sec = s }

func (d *differ) add(c Change) {
	c.Section = d.sec
	d.out = append(d.out, c)
}

// text records a change of a short value ("—" stands for empty).
func (d *differ) text(label, a, b string) { d.itemText("", label, a, b) }

// itemText is text for a field of a list entry.
func (d *differ) itemText(item, label, a, b string) {
	if a != b {
		d.add(Change{Item: item, Label: label, Kind: Changed, Old: orDash(a), New: orDash(b)})
	}
}

// long records a change of a text that may span paragraphs: short single-paragraph texts
// are shown whole, longer ones as the paragraphs removed and added.
func (d *differ) long(label, a, b string) { d.itemLong("", label, a, b) }

// itemLong is long for a field of a list entry.
func (d *differ) itemLong(item, label, a, b string) {
	if a == b {
		return
	}
	if len([]rune(a)) <= 200 && len([]rune(b)) <= 200 && !strings.Contains(a+b, "\n") {
		d.itemText(item, label, a, b)
		return
	}
	removed, added := paragraphDiff(paragraphs(a), paragraphs(b))
	d.add(Change{Item: item, Label: label, Kind: TextChg, RemovedParas: removed, AddedParas: added})
}

// diffKeyed compares two keyed lists: removed entries, then per entry of b either added
// or its field changes.
func diffKeyed[T any](d *differ, a, b []T, key func(T) string, name func(T) string, summary func(T) string, fields func(prefix string, x, y T)) {
	inB := map[string]bool{}
	for _, y := range b {
		inB[key(y)] = true
	}
	old := map[string]T{}
	for _, x := range a {
		old[key(x)] = x
		if !inB[key(x)] {
			d.add(Change{Item: name(x), Kind: Removed, Old: summary(x)})
		}
	}
	for _, y := range b {
		x, ok := old[key(y)]
		if !ok {
			d.add(Change{Item: name(y), Kind: Added, New: summary(y)})
			continue
		}
		fields(name(x), x, y)
	}
}

// diffStrings compares unkeyed lists of texts as sets, keeping b's order for additions.
func diffStrings(d *differ, label string, a, b []string) {
	inA, inB := map[string]bool{}, map[string]bool{}
	for _, s := range a {
		inA[s] = true
	}
	for _, s := range b {
		inB[s] = true
	}
	for _, s := range a {
		if !inB[s] {
			d.add(Change{Item: label, Kind: Removed, Old: s})
		}
	}
	for _, s := range b {
		if !inA[s] {
			d.add(Change{Item: label, Kind: Added, New: s})
		}
	}
}

// diffScale compares the scale level by level value.
func diffScale(d *differ, a, b []ScaleLevel) {
	label := func(v int) string { return fmt.Sprintf("Stufe %d", v) }
	old := map[int]string{}
	for _, s := range a {
		old[s.Value] = s.Label
	}
	seen := map[int]bool{}
	for _, s := range b {
		seen[s.Value] = true
		if o, ok := old[s.Value]; !ok {
			d.add(Change{Item: label(s.Value), Kind: Added, New: s.Label})
		} else {
			d.itemText(label(s.Value), "Bezeichnung", o, s.Label)
		}
	}
	for _, s := range a {
		if !seen[s.Value] {
			d.add(Change{Item: label(s.Value), Kind: Removed, Old: s.Label})
		}
	}
}

// paragraphs splits a text at blank lines.
func paragraphs(s string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// paragraphDiff returns the paragraphs of a not in the longest common subsequence with b
// (removed) and those of b not in it (added).
func paragraphDiff(a, b []string) (removed, added []string) {
	n, m := len(a), len(b)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case a[i] == b[j]:
			i, j = i+1, j+1
		case lcs[i+1][j] >= lcs[i][j+1]:
			removed = append(removed, a[i])
			i++
		default:
			added = append(added, b[j])
			j++
		}
	}
	removed = append(removed, a[i:]...)
	added = append(added, b[j:]...)
	return removed, added
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func suffix(sep, s string) string {
	if s == "" {
		return ""
	}
	return sep + s
}

// shortName shortens a name to about 30 characters at a word boundary, e.g. "Unabhängigkeit…".
func shortName(s string) string {
	r := []rune(s)
	if len(r) <= 30 {
		return s
	}
	cut := strings.LastIndex(string(r[:30]), " ")
	if cut <= 0 {
		return string(r[:30]) + "…"
	}
	return strings.TrimRight(string(r[:30])[:cut], " ,;:") + "…"
}

func periodText(p Period) string {
	if p.From == "" && p.To == "" {
		return ""
	}
	return p.From.German() + "–" + p.To.German()
}

func euro(d decimal.Decimal) string { return FormatEuro(d) }

func mandatoryText(m bool) string {
	if m {
		return "verpflichtend"
	}
	return "freiwillig"
}

func minScoreText(m *int) string {
	if m == nil {
		return "keine"
	}
	return fmt.Sprint(*m)
}

// TimeText is FormatDateTimeZone for the messages of CheckAmendment.
func TimeText(t time.Time) string { return FormatDateTimeZone(t) }
