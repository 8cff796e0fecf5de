package rules

import (
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"kimibv/models/core"
)

// CallRules are the configurable periods of the procedure.
type CallRules struct {
	// MinPeriod is the least time between publication and the submission deadline.
	MinPeriod time.Duration
	// MinAmendmentLead is the least time left before the deadline for an amendment that
	// changes criteria, scale, lots, eligibility or required documents (rules.md R1).
	MinAmendmentLead time.Duration
}

// DefaultCallRules are 21 days for submissions and 10 days before the deadline for amendments.
func DefaultCallRules() CallRules {
	return CallRules{MinPeriod: 21 * 24 * time.Hour, MinAmendmentLead: 10 * 24 * time.Hour}
}

// ValidateForPublication checks that content and committee make a complete, consistent
// call that can be published at now. Every failure names the editor's field.
func ValidateForPublication(c *CallContent, committee Committee, now time.Time, callRules CallRules) *core.ValidationError {
	v := &core.ValidationError{}
	core.CheckText(v, "title", "den Titel", c.Title, true, MaxTitle)
	core.CheckText(v, "file_ref", "das Aktenzeichen", c.FileRef, true, 100)
	core.CheckText(v, "authority", "die ausschreibende Behörde", c.Authority, true, MaxShortText)
	core.CheckText(v, "legal_basis", "die Rechtsgrundlage", c.LegalBasis, true, MaxLongText)
	core.CheckText(v, "funding_source", "die Finanzierungsquelle", c.FundingSource, true, MaxLongText)
	core.CheckText(v, "description", "die Leistungsbeschreibung", c.Description, true, MaxDescription)
	core.CheckText(v, "contact_name", "den Namen der Ansprechperson", c.Contact.Name, true, 200)
	core.CheckEmail(v, "contact_email", c.Contact.Email)
	validateFunding(v, c)
	validateLots(v, c)
	validateDocs(v, c)
	validateCriteria(v, c)
	validateTimeline(v, &c.Timeline, now, callRules)
	if len(committee.Evaluators) < 2 {
		v.Add("evaluators", "too_few", "Bitte benennen Sie mindestens zwei Mitglieder des Bewertungsgremiums.")
	}
	if len(committee.Openers) < 2 {
		v.Add("openers", "too_few", "Bitte benennen Sie mindestens zwei Öffnungsberechtigte, damit die Öffnung im Vier-Augen-Prinzip möglich ist.")
	}
	return v
}

func validateFunding(v *core.ValidationError, c *CallContent) {
	from, to := c.FundingPeriod.From.Time(), c.FundingPeriod.To.Time()
	if from.IsZero() {
		v.Add("funding_from", "required", "Bitte geben Sie den Beginn des Förderzeitraums an.")
	}
	if to.IsZero() {
		v.Add("funding_to", "required", "Bitte geben Sie das Ende des Förderzeitraums an.")
	}
	if !from.IsZero() && !to.IsZero() && !to.After(from) {
		v.Add("funding_to", "order", "Das Ende des Förderzeitraums muss nach seinem Beginn liegen.")
	}
	if !c.FundingPerFTE.IsPositive() {
		v.Add("funding_per_fte", "required", "Bitte geben Sie die Förderung je Vollzeitstelle und Jahr in Euro an.")
	}
	if c.KreisTopUp.IsNegative() {
		v.Add("kreis_top_up", "negative", "Der Zuschuss des Kreises darf nicht negativ sein.")
	}
}

func validateLots(v *core.ValidationError, c *CallContent) {
	if len(c.Lots) == 0 {
		v.Add("lots", "required", "Bitte legen Sie mindestens ein Los an.")
	}
	names := map[string]bool{}
	for i, l := range c.Lots {
		f := func(s string) string { return fmt.Sprintf("lot_%d_%s", i, s) }
		core.CheckText(v, f("name"), "den Namen des Loses", l.Name, true, 200)
		if names[strings.ToLower(l.Name)] && l.Name != "" {
			v.Add(f("name"), "duplicate", "Jedes Los braucht einen eigenen Namen.")
		}
		names[strings.ToLower(l.Name)] = true
		switch {
		case !l.FTE.IsPositive():
			v.Add(f("fte"), "positive", fmt.Sprintf("Bitte geben Sie für Los „%s“ die Zahl der Vollzeitstellen (VZÄ) größer als 0 an.", l.Name))
		case !IsFTEMultiple(l.FTE):
			v.Add(f("fte"), "step", "Vollzeitstellen werden in Schritten von 0,05 VZÄ angegeben, zum Beispiel 1,25.")
		}
		switch {
		case !l.MinFTEPerSite.IsPositive():
			v.Add(f("min_fte"), "positive", "Bitte geben Sie die Mindestausstattung je Standort in VZÄ (größer als 0) an.")
		case !IsFTEMultiple(l.MinFTEPerSite):
			v.Add(f("min_fte"), "step", "Vollzeitstellen werden in Schritten von 0,05 VZÄ angegeben, zum Beispiel 0,50.")
		case l.FTE.IsPositive() && l.MinFTEPerSite.GreaterThan(l.FTE):
			v.Add(f("min_fte"), "above_fte", "Die Mindestausstattung je Standort darf nicht größer sein als die Stellen des Loses.")
		}
	}
}

func validateDocs(v *core.ValidationError, c *CallContent) {
	if len(c.Eligibility) == 0 {
		v.Add("eligibility_0", "required", "Bitte nennen Sie mindestens eine Teilnahmevoraussetzung.")
	}
	if len(c.RequiredDocs) == 0 {
		v.Add("doc_0_name", "required", "Bitte nennen Sie mindestens eine einzureichende Unterlage.")
	}
	for i, d := range c.RequiredDocs {
		core.CheckText(v, fmt.Sprintf("doc_%d_name", i), "die Bezeichnung der Unterlage", d.Name, true, MaxShortText)
	}
}

func validateCriteria(v *core.ValidationError, c *CallContent) {
	if len(c.Criteria) == 0 {
		v.Add("criteria", "required", "Bitte legen Sie mindestens ein Bewertungskriterium an.")
	}
	if len(c.Scale) < 2 {
		v.Add("scale", "too_few", "Die Bewertungsskala braucht mindestens zwei Stufen, zum Beispiel 0 und 1.")
	}
	top := c.ScaleMax()
	for i, cr := range c.Criteria {
		f := func(s string) string { return fmt.Sprintf("criterion_%d_%s", i, s) }
		core.CheckText(v, f("name"), "den Namen des Kriteriums", cr.Name, true, MaxShortText)
		if cr.Weight <= 0 {
			v.Add(f("weight"), "positive", "Bitte geben Sie eine Gewichtung von mindestens 1 Punkt an.")
		}
		if cr.MinScore != nil && len(c.Scale) >= 2 && (*cr.MinScore < 0 || *cr.MinScore > top) {
			v.Add(f("min_score"), "scale", fmt.Sprintf("Die Mindestbewertung muss auf der Skala liegen (0 bis %d).", top))
		}
	}
	if sum := c.TotalWeight(); len(c.Criteria) > 0 && sum != 100 {
		v.Add("criteria", "weights", fmt.Sprintf("Die Gewichtungen müssen zusammen 100 Punkte ergeben; derzeit sind es %d.", sum))
	}
	if c.MinTotalPoints.IsNegative() || c.MinTotalPoints.GreaterThan(decimal.NewFromInt(100)) {
		v.Add("min_total_points", "range", "Die Mindestpunktzahl muss zwischen 0 und 100 Punkten liegen.")
	}
	if c.AnswerMaxChars < 100 || c.AnswerMaxChars > 100000 {
		v.Add("answer_max_chars", "range", "Bitte geben Sie die höchste Zeichenzahl je Antwort zwischen 100 und 100.000 an.")
	}
}

func validateTimeline(v *core.ValidationError, t *Timeline, now time.Time, callRules CallRules) {
	if t.QuestionsUntil.IsZero() {
		v.Add("questions_until", "required", "Bitte geben Sie an, bis wann Fragen gestellt werden können.")
	}
	switch {
	case t.Deadline.IsZero():
		v.Add("deadline", "required", "Bitte geben Sie die Frist für Interessenbekundungen an (Datum und Uhrzeit).")
	case !t.Deadline.After(now):
		v.Add("deadline", "past", "Die Frist für Interessenbekundungen muss in der Zukunft liegen.")
	case t.Deadline.Before(now.Add(callRules.MinPeriod)):
		v.Add("deadline", "min_period", fmt.Sprintf("Zwischen Veröffentlichung und Frist müssen mindestens %d Tage liegen. Bei Veröffentlichung jetzt endet die Frist frühestens am %s.",
			int(callRules.MinPeriod.Hours()/24), FormatDateTimeZone(now.Add(callRules.MinPeriod).Truncate(time.Minute).Add(time.Minute))))
	}
	if !t.QuestionsUntil.IsZero() && !t.Deadline.IsZero() && !t.QuestionsUntil.Before(t.Deadline) {
		v.Add("questions_until", "order", "Fragen müssen vor der Frist für Interessenbekundungen enden.")
	} else if !t.QuestionsUntil.IsZero() && !t.QuestionsUntil.After(now) {
		v.Add("questions_until", "past", "Das Ende der Fragefrist muss in der Zukunft liegen.")
	}
	switch {
	case t.PlannedOpening.IsZero():
		v.Add("planned_opening", "required", "Bitte geben Sie den geplanten Termin der Öffnung an.")
	case !t.Deadline.IsZero() && t.PlannedOpening.Before(t.Deadline):
		v.Add("planned_opening", "order", "Die Öffnung kann erst nach der Frist für Interessenbekundungen stattfinden.")
	}
	switch {
	case t.PlannedDecision.IsZero():
		v.Add("planned_decision", "required", "Bitte geben Sie den geplanten Termin der Entscheidung an.")
	case !t.PlannedOpening.IsZero() && t.PlannedDecision.Before(t.PlannedOpening):
		v.Add("planned_decision", "order", "Die Entscheidung kann erst nach der Öffnung getroffen werden.")
	}
	if t.StandstillDays < 1 || t.StandstillDays > 90 {
		v.Add("standstill_days", "range", "Bitte geben Sie die Stillhaltefrist vor der endgültigen Vergabe zwischen 1 und 90 Tagen an.")
	}
}

// Countdown says in German words how long remains until deadline, e.g.
// "noch 12 Tage und 3 Stunden"; "abgelaufen" when it has passed.
func Countdown(deadline, now time.Time) string {
	d := deadline.Sub(now)
	if d <= 0 {
		return "abgelaufen"
	}
	days := int(d / (24 * time.Hour))
	hours := int(d % (24 * time.Hour) / time.Hour)
	minutes := int(d % time.Hour / time.Minute)
	unit := func(n int, one, many string) string {
		if n == 1 {
			return "1 " + one
		}
		return fmt.Sprintf("%d %s", n, many)
	}
	switch {
	case days > 0 && hours > 0:
		return "noch " + unit(days, "Tag", "Tage") + " und " + unit(hours, "Stunde", "Stunden")
	case days > 0:
		return "noch " + unit(days, "Tag", "Tage")
	case hours > 0:
		return "noch " + unit(hours, "Stunde", "Stunden") + " und " + unit(minutes, "Minute", "Minuten")
	case minutes > 0:
		return "noch " + unit(minutes, "Minute", "Minuten")
	}
	return "noch weniger als 1 Minute"
}
