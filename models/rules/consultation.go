package rules

import (
	"fmt"
	"strings"
	"time"

	"kimibv/models/core"
)

// The Beteiligung on a draft call (rules.md R31): the draft is put to the invited
// organisations for a period; each states its view per section or criterion; the lead
// answers every statement with a reasoned response; the call is published only when
// every statement has its response and the Abwägung was issued.

// MaxStatement is the longest statement or response (characters).
const MaxStatement = 8000

// Outcomes of the lead's response to a statement.
const (
	OutcomeAdopted  = "adopted"
	OutcomePartly   = "partly"
	OutcomeRejected = "rejected"
)

// outcomeLabels names the outcomes in German, in the order a form offers them.
var outcomeLabels = []struct{ Key, Label string }{
	{OutcomeAdopted, "übernommen"}, {OutcomePartly, "teilweise übernommen"}, {OutcomeRejected, "nicht übernommen"},
}

// OutcomeLabel returns the German name of an outcome ("" for none or an unknown one).
func OutcomeLabel(o string) string {
	for _, l := range outcomeLabels {
		if l.Key == o {
			return l.Label
		}
	}
	return ""
}

// OutcomeChoices lists the outcomes with their labels for a form.
func OutcomeChoices() []struct{ Key, Label string } { return outcomeLabels }

// Section is a part of the draft a statement refers to.
type Section struct {
	Key, Label string
}

// ConsultationSections lists the parts of content an organisation may comment on: the
// general sections and one per criterion ("kriterium:K1"). Pure.
func ConsultationSections(c *CallContent) []Section {
	out := []Section{{"allgemein", "Allgemein"}, {"konzept", "Leistungsbeschreibung und Konzept"}, {"lose", "Lose und Stellen"},
		{"eignung", "Eignung"}}
	for _, k := range c.Criteria {
		out = append(out, Section{"kriterium:" + strings.ToLower(k.Key), fmt.Sprintf("Kriterium %s: %s", k.Key, k.Name)})
	}
	return append(out, Section{"skala", "Gewichtung, Mindestwerte und Bewertungsskala"}, Section{"unterlagen", "Einzureichende Unterlagen"},
		Section{"zeitplan", "Zeitplan"})
}

// SectionLabel names section key of content ("" for an unknown key). Pure.
func SectionLabel(c *CallContent, key string) string {
	for _, s := range ConsultationSections(c) {
		if s.Key == key {
			return s.Label
		}
	}
	return ""
}

// CheckConsultationPeriod validates the period of a consultation opened at now: both
// given, the end after the start and after now, the period at least one day long (the
// reminder goes out a day before the end) and the end before the call's deadline, if one
// is set. Errors in German on "starts_at" and "ends_at". Pure.
func CheckConsultationPeriod(v *core.ValidationError, start, end, now time.Time, deadline time.Time) {
	switch {
	case start.IsZero():
		v.Add("starts_at", "required", "Bitte geben Sie den Beginn der Beteiligung an.")
	case end.IsZero():
		v.Add("ends_at", "required", "Bitte geben Sie das Ende der Beteiligung an.")
	case !end.After(now):
		v.Add("ends_at", "past", "Das Ende der Beteiligung muss in der Zukunft liegen.")
	case end.Sub(start) < 24*time.Hour:
		v.Add("ends_at", "too_short", "Die Beteiligung muss mindestens einen Tag dauern, damit die Eingeladenen Stellung nehmen können.")
	case !deadline.IsZero() && !end.Before(deadline):
		v.Add("ends_at", "after_deadline", fmt.Sprintf("Die Beteiligung muss vor der Bewerbungsfrist (%s) enden.", FormatDateTimeZone(deadline)))
	}
}

// StatementRefusal tells why an organisation may not state (or revise) its view at now,
// "" when it may: not invited, before the start, after the end (inclusive end). Pure.
func StatementRefusal(invited bool, start, end, now time.Time) string {
	switch {
	case !invited:
		return "Ihre Organisation ist zu dieser Beteiligung nicht eingeladen. Es wurde nichts gespeichert."
	case now.Before(start):
		return fmt.Sprintf("Die Beteiligung beginnt erst am %s. Es wurde nichts gespeichert.", FormatDateTimeZone(start))
	case now.After(end):
		return fmt.Sprintf("Die Beteiligung ist am %s geendet. Stellungnahmen können nicht mehr abgegeben oder geändert werden; es wurde nichts gespeichert.",
			FormatDateTimeZone(end))
	}
	return ""
}

// CheckStatement validates a statement on section of content. Pure.
func CheckStatement(v *core.ValidationError, c *CallContent, section, body string) {
	if SectionLabel(c, section) == "" {
		v.Add("section", "invalid", "Bitte wählen Sie aus, zu welchem Teil des Entwurfs Sie Stellung nehmen.")
	}
	core.CheckText(v, "body", "Ihre Stellungnahme", body, true, MaxStatement)
}

// CheckResponse validates the lead's response to a statement: an outcome and a reason
// that says something of its own (no boilerplate, as the consolidation's reasons). Pure.
func CheckResponse(v *core.ValidationError, outcome, reason string) {
	if OutcomeLabel(outcome) == "" {
		v.Add("outcome", "required", "Bitte wählen Sie, ob die Stellungnahme übernommen, teilweise übernommen oder nicht übernommen wird.")
	}
	before := len(v.Fields)
	core.CheckText(v, "reason", "die Begründung", reason, true, MaxStatement)
	if len(v.Fields) == before && IsBoilerplateReason(reason) {
		v.Add("reason", "boilerplate", "Ein Satz wie „wird geprüft“ oder „s. o.“ ist keine Begründung. Bitte schreiben Sie in ganzen Sätzen, "+
			"warum der Vorschlag übernommen wird oder nicht. Die Begründung wird veröffentlicht.")
	}
}

// ConsultationState is what the publication needs to know of a call's consultation.
type ConsultationState struct {
	Exists     bool
	Ends       time.Time
	Unanswered int  // statements without a response
	Weighed    bool // the Abwägung was issued
}

// CheckConsultationDone refuses the publication of a call whose consultation is still
// running, has statements without response, or whose Abwägung was not issued. Errors
// in German on "consultation". Pure.
func CheckConsultationDone(v *core.ValidationError, s ConsultationState, now time.Time) {
	switch {
	case !s.Exists:
	case !now.After(s.Ends):
		v.Add("consultation", "running", fmt.Sprintf("Die Beteiligung läuft noch bis %s. Die Ausschreibung kann erst danach veröffentlicht werden.",
			FormatDateTimeZone(s.Ends)))
	case s.Unanswered == 1:
		v.Add("consultation", "unanswered", "Eine Stellungnahme aus der Beteiligung hat noch keine Antwort. Bitte beantworten Sie sie vor der Veröffentlichung.")
	case s.Unanswered > 1:
		v.Add("consultation", "unanswered", fmt.Sprintf("%d Stellungnahmen aus der Beteiligung haben noch keine Antwort. Bitte beantworten Sie sie vor der Veröffentlichung.", s.Unanswered))
	case !s.Weighed:
		v.Add("consultation", "not_weighed", "Bitte schließen Sie die Abwägung der Beteiligung ab, bevor Sie die Ausschreibung veröffentlichen.")
	}
}
