package rules

import (
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"kimibv/models/core"
)

// CallDraftInput is the draft editor's form as entered: every value is text so that a
// 422 re-render shows exactly what was typed. Empty list rows are ignored.
// Field names for errors follow the form: "title", "lot_0_fte", "criterion_2_weight" ….
type CallDraftInput struct {
	Title, FileRef, Authority, LegalBasis, FundingSource, Description string
	FundingFrom, FundingTo                                            string
	FundingPerFTE, KreisTopUp                                         string
	Lots                                                              []LotInput
	Eligibility                                                       []string
	RequiredDocs                                                      []DocInput
	Criteria                                                          []CriterionInput
	Scale                                                             []string // labels of levels 0, 1, 2, …
	MinTotalPoints, TieBreak, AnswerMaxChars                          string
	QuestionsUntil, Deadline, PlannedOpening, PlannedDecision         string
	StandstillDays                                                    string
	ContactName, ContactEmail, ContactPhone                           string
	Committee                                                         Committee
}

// LotInput is one lot row of the editor.
type LotInput struct{ Key, Name, Region, FTE, MinFTEPerSite string }

// DocInput is one required-document row of the editor.
type DocInput struct {
	Key, Name, Note string
	Mandatory       bool
}

// CriterionInput is one criterion row of the editor.
type CriterionInput struct{ Key, Name, Description, Weight, MinScore string }

// Text length limits of the call's fields (characters).
const (
	MaxTitle       = 300
	MaxShortText   = 300
	MaxLongText    = 2000
	MaxDescription = 50000
)

// Content converts the input into CallContent, checking formats only (numbers, dates,
// lengths, characters). Completeness and consistency are ValidateForPublication's job,
// so that an incomplete draft can be saved. now rejects timeline dates in the past.
func (in *CallDraftInput) Content(now time.Time) (CallContent, *core.ValidationError) {
	v := &core.ValidationError{}
	c := CallContent{
		Title: strings.TrimSpace(in.Title), FileRef: strings.TrimSpace(in.FileRef), Authority: strings.TrimSpace(in.Authority),
		LegalBasis: strings.TrimSpace(in.LegalBasis), FundingSource: strings.TrimSpace(in.FundingSource),
		Description: strings.TrimSpace(strings.ReplaceAll(in.Description, "\r\n", "\n")),
		Contact:     Contact{Name: strings.TrimSpace(in.ContactName), Email: core.NormalizeEmail(in.ContactEmail), Phone: strings.TrimSpace(in.ContactPhone)},
	}
	core.CheckText(v, "title", "den Titel", c.Title, false, MaxTitle)
	core.CheckText(v, "file_ref", "das Aktenzeichen", c.FileRef, false, 100)
	core.CheckText(v, "authority", "die ausschreibende Behörde", c.Authority, false, MaxShortText)
	core.CheckText(v, "legal_basis", "die Rechtsgrundlage", c.LegalBasis, false, MaxLongText)
	core.CheckText(v, "funding_source", "die Finanzierungsquelle", c.FundingSource, false, MaxLongText)
	core.CheckText(v, "description", "die Leistungsbeschreibung", c.Description, false, MaxDescription)
	core.CheckText(v, "contact_name", "den Namen der Ansprechperson", c.Contact.Name, false, 200)
	core.CheckText(v, "contact_phone", "die Telefonnummer", c.Contact.Phone, false, 50)
	if c.Contact.Email != "" {
		core.CheckEmail(v, "contact_email", c.Contact.Email)
	}

	c.FundingPeriod.From = parseDateField(v, "funding_from", in.FundingFrom)
	c.FundingPeriod.To = parseDateField(v, "funding_to", in.FundingTo)
	c.FundingPerFTE = parseDecimalField(v, "funding_per_fte", in.FundingPerFTE, 2)
	c.KreisTopUp = parseDecimalField(v, "kreis_top_up", in.KreisTopUp, 2)
	c.MinTotalPoints = parseDecimalField(v, "min_total_points", in.MinTotalPoints, 2)
	c.AnswerMaxChars = parseIntField(v, "answer_max_chars", in.AnswerMaxChars)
	c.Timeline.StandstillDays = parseIntField(v, "standstill_days", in.StandstillDays)

	for i, l := range in.Lots {
		if blank(l.Name, l.Region, l.FTE, l.MinFTEPerSite) {
			continue
		}
		f := func(s string) string { return fmt.Sprintf("lot_%d_%s", i, s) }
		lot := Lot{Key: l.Key, Name: strings.TrimSpace(l.Name), Region: strings.TrimSpace(l.Region)}
		core.CheckText(v, f("name"), "den Namen des Loses", lot.Name, false, 200)
		core.CheckText(v, f("region"), "die Gemeinden oder Region", lot.Region, false, MaxShortText)
		lot.FTE = parseDecimalField(v, f("fte"), l.FTE, 2)
		lot.MinFTEPerSite = parseDecimalField(v, f("min_fte"), l.MinFTEPerSite, 2)
		c.Lots = append(c.Lots, lot)
	}
	for i, e := range in.Eligibility {
		e = strings.TrimSpace(e)
		if e == "" {
			continue
		}
		core.CheckText(v, fmt.Sprintf("eligibility_%d", i), "die Voraussetzung", e, false, MaxLongText)
		c.Eligibility = append(c.Eligibility, e)
	}
	for i, d := range in.RequiredDocs {
		if blank(d.Name, d.Note) {
			continue
		}
		doc := RequiredDoc{Key: d.Key, Name: strings.TrimSpace(d.Name), Note: strings.TrimSpace(d.Note), Mandatory: d.Mandatory}
		core.CheckText(v, fmt.Sprintf("doc_%d_name", i), "die Bezeichnung der Unterlage", doc.Name, false, MaxShortText)
		core.CheckText(v, fmt.Sprintf("doc_%d_note", i), "den Hinweis", doc.Note, false, MaxLongText)
		c.RequiredDocs = append(c.RequiredDocs, doc)
	}
	for i, cr := range in.Criteria {
		if blank(cr.Name, cr.Description, cr.Weight, cr.MinScore) {
			continue
		}
		f := func(s string) string { return fmt.Sprintf("criterion_%d_%s", i, s) }
		crit := Criterion{Key: cr.Key, Name: strings.TrimSpace(cr.Name), Description: strings.TrimSpace(cr.Description)}
		core.CheckText(v, f("name"), "den Namen des Kriteriums", crit.Name, false, MaxShortText)
		core.CheckText(v, f("description"), "die Beschreibung", crit.Description, false, MaxLongText)
		crit.Weight = parseIntField(v, f("weight"), cr.Weight)
		if strings.TrimSpace(cr.MinScore) != "" {
			m := parseIntField(v, f("min_score"), cr.MinScore)
			crit.MinScore = &m
		}
		c.Criteria = append(c.Criteria, crit)
	}
	for i, label := range in.Scale {
		label = strings.TrimSpace(label)
		if label == "" {
			continue
		}
		core.CheckText(v, fmt.Sprintf("scale_%d", i), "die Beschreibung der Stufe", label, false, MaxShortText)
		c.Scale = append(c.Scale, ScaleLevel{Value: len(c.Scale), Label: label})
	}
	assignKeys(&c)
	c.TieBreak = parseTieBreak(v, in.TieBreak, &c)

	t := &c.Timeline
	t.QuestionsUntil = parseDateTimeField(v, "questions_until", in.QuestionsUntil, now)
	t.Deadline = parseDateTimeField(v, "deadline", in.Deadline, now)
	t.PlannedOpening = parseDateTimeField(v, "planned_opening", in.PlannedOpening, now)
	t.PlannedDecision = parseDateTimeField(v, "planned_decision", in.PlannedDecision, now)
	return c, v
}

func blank(ss ...string) bool {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return false
		}
	}
	return true
}

// assignKeys gives rows without a key (new rows) the next free key of their list.
func assignKeys(c *CallContent) {
	keys := func(n int, get func(int) string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = get(i)
		}
		return out
	}
	for i := range c.Lots {
		if !validKey("L", c.Lots[i].Key) {
			c.Lots[i].Key = NextKey("L", keys(len(c.Lots), func(j int) string { return c.Lots[j].Key }))
		}
	}
	for i := range c.RequiredDocs {
		if !validKey("U", c.RequiredDocs[i].Key) {
			c.RequiredDocs[i].Key = NextKey("U", keys(len(c.RequiredDocs), func(j int) string { return c.RequiredDocs[j].Key }))
		}
	}
	for i := range c.Criteria {
		if !validKey("K", c.Criteria[i].Key) {
			c.Criteria[i].Key = NextKey("K", keys(len(c.Criteria), func(j int) string { return c.Criteria[j].Key }))
		}
	}
}

// validKey reports whether key is prefix followed by a positive number, e.g. "K3".
func validKey(prefix, key string) bool {
	var n int
	_, err := fmt.Sscanf(key, prefix+"%d", &n)
	return err == nil && n > 0 && key == fmt.Sprintf("%s%d", prefix, n)
}

func parseDecimalField(v *core.ValidationError, field, s string, places int) (d decimal.Decimal) {
	if strings.TrimSpace(s) == "" {
		return d
	}
	d, msg := ParseGermanDecimal(s, places, false)
	if msg != "" {
		v.Add(field, "number", msg)
	}
	return d
}

func parseIntField(v *core.ValidationError, field, s string) int {
	if strings.TrimSpace(s) == "" {
		return 0
	}
	n, msg := ParseGermanInt(s, false)
	if msg != "" {
		v.Add(field, "integer", msg)
	}
	return n
}

func parseDateField(v *core.ValidationError, field, s string) Date {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	d, msg := ParseDateInput(s)
	if msg != "" {
		v.Add(field, "date", dateFieldLabel(field)+": "+msg)
	}
	return d
}

func parseDateTimeField(v *core.ValidationError, field, s string, now time.Time) time.Time {
	if strings.TrimSpace(s) == "" {
		return time.Time{}
	}
	t, _, msg := ParseDateTimeInput(s)
	switch {
	case msg != "":
		v.Add(field, "datetime", dateFieldLabel(field)+": "+msg)
	case !t.After(now):
		v.Add(field, "past", fmt.Sprintf("%s: Der Zeitpunkt %s liegt in der Vergangenheit. Bitte geben Sie einen künftigen Zeitpunkt an.", dateFieldLabel(field), FormatDateTimeZone(t)))
	}
	return t
}

// dateFieldLabel names a date field in its error message, as the editor labels it, so that
// the message says which date is wrong also in the list at the top of the page.
func dateFieldLabel(field string) string {
	return map[string]string{"funding_from": "Förderzeitraum von", "funding_to": "Förderzeitraum bis", "questions_until": "Fragen bis",
		"deadline": "Frist für Interessenbekundungen", "planned_opening": "Geplante Öffnung", "planned_decision": "Geplante Entscheidung"}[field]
}

// parseTieBreak reads "K2, K1" into criterion keys; empty means the criteria's order.
func parseTieBreak(v *core.ValidationError, s string, c *CallContent) []string {
	var out []string
	seen := map[string]bool{}
	for _, k := range strings.FieldsFunc(strings.ToUpper(s), func(r rune) bool { return r == ',' || r == ';' || r == ' ' }) {
		if _, ok := c.Criterion(k); !ok || seen[k] {
			v.Add("tie_break", "invalid", "Bitte nennen Sie für den Gleichstand die Schlüssel vorhandener Kriterien jeweils einmal, durch Kommas getrennt, zum Beispiel „K1, K2“.")
			return nil
		}
		seen[k] = true
		out = append(out, k)
	}
	return out
}

// DraftInputFrom fills the editor's input from stored content and committee.
func DraftInputFrom(c CallContent, committee Committee) CallDraftInput {
	in := CallDraftInput{
		Title: c.Title, FileRef: c.FileRef, Authority: c.Authority, LegalBasis: c.LegalBasis, FundingSource: c.FundingSource,
		Description: c.Description, FundingFrom: c.FundingPeriod.From.German(), FundingTo: c.FundingPeriod.To.German(),
		FundingPerFTE: decimalInput(c.FundingPerFTE, 2), KreisTopUp: decimalInput(c.KreisTopUp, 2),
		Eligibility: append([]string(nil), c.Eligibility...), MinTotalPoints: decimalInput(c.MinTotalPoints, 0),
		TieBreak: strings.Join(c.TieBreak, ", "), AnswerMaxChars: intInput(c.AnswerMaxChars),
		QuestionsUntil: FormatGermanDateTimeInput(c.Timeline.QuestionsUntil), Deadline: FormatGermanDateTimeInput(c.Timeline.Deadline),
		PlannedOpening: FormatGermanDateTimeInput(c.Timeline.PlannedOpening), PlannedDecision: FormatGermanDateTimeInput(c.Timeline.PlannedDecision),
		StandstillDays: intInput(c.Timeline.StandstillDays),
		ContactName:    c.Contact.Name, ContactEmail: c.Contact.Email, ContactPhone: c.Contact.Phone, Committee: committee,
	}
	for _, l := range c.Lots {
		in.Lots = append(in.Lots, LotInput{Key: l.Key, Name: l.Name, Region: l.Region, FTE: FormatFTE(l.FTE), MinFTEPerSite: FormatFTE(l.MinFTEPerSite)})
	}
	for _, d := range c.RequiredDocs {
		in.RequiredDocs = append(in.RequiredDocs, DocInput{Key: d.Key, Name: d.Name, Note: d.Note, Mandatory: d.Mandatory})
	}
	for _, cr := range c.Criteria {
		ci := CriterionInput{Key: cr.Key, Name: cr.Name, Description: cr.Description, Weight: intInput(cr.Weight)}
		if cr.MinScore != nil {
			ci.MinScore = fmt.Sprint(*cr.MinScore)
		}
		in.Criteria = append(in.Criteria, ci)
	}
	for _, s := range c.Scale {
		in.Scale = append(in.Scale, s.Label)
	}
	return in
}

func decimalInput(d decimal.Decimal, places int32) string {
	if d.IsZero() {
		return ""
	}
	if places == 0 && !d.Equal(d.Truncate(0)) {
		places = 2
	}
	return FormatGermanDecimal(d, places)
}

func intInput(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprint(n)
}
