package rules

import "strings"

// CallStep is one page of the draft editor: its address segment and its German title.
type CallStep struct{ Slug, Title string }

// The slugs of the draft editor's steps, in order.
const (
	CallStepBasics    = "grunddaten"
	CallStepLots      = "lose"
	CallStepCriteria  = "kriterien"
	CallStepDocuments = "unterlagen"
	CallStepSchedule  = "zeitplan"
	CallStepCommittee = "gremium"
	CallStepPreview   = "vorschau"
)

// CallSteps returns the steps of the draft editor in order; the last, the preview, has no fields.
func CallSteps() []CallStep {
	return []CallStep{
		{CallStepBasics, "Grunddaten"}, {CallStepLots, "Lose und Förderung"}, {CallStepCriteria, "Kriterien"},
		{CallStepDocuments, "Unterlagen"}, {CallStepSchedule, "Zeitplan"}, {CallStepCommittee, "Gremium"}, {CallStepPreview, "Vorschau"},
	}
}

// CallStepIndex returns the position of slug in CallSteps, or -1.
func CallStepIndex(slug string) int {
	for i, s := range CallSteps() {
		if s.Slug == slug {
			return i
		}
	}
	return -1
}

// CallStepOf returns the slug of the step whose page holds the editor field (as named in
// CallDraftInput's errors: "title", "lot_0_fte", "criteria", "evaluators" …); "" if none.
func CallStepOf(field string) string {
	switch field {
	case "title", "file_ref", "authority", "legal_basis", "funding_source", "description", "contact_name", "contact_email", "contact_phone":
		return CallStepBasics
	case "funding_from", "funding_to", "funding_per_fte", "kreis_top_up", "lots":
		return CallStepLots
	case "criteria", "scale", "min_total_points", "tie_break", "answer_max_chars":
		return CallStepCriteria
	case "questions_until", "deadline", "planned_opening", "planned_decision", "standstill_days":
		return CallStepSchedule
	case "evaluators", "openers":
		return CallStepCommittee
	}
	for prefix, step := range map[string]string{"lot_": CallStepLots, "criterion_": CallStepCriteria, "scale_": CallStepCriteria,
		"eligibility_": CallStepDocuments, "doc_": CallStepDocuments} {
		if strings.HasPrefix(field, prefix) {
			return step
		}
	}
	return ""
}

// WithStep returns in with the fields of step replaced by those of from; every other field
// keeps in's value. Saving one step of the editor thus never clears another step's fields.
func (in CallDraftInput) WithStep(step string, from CallDraftInput) CallDraftInput {
	switch step {
	case CallStepBasics:
		in.Title, in.FileRef, in.Authority, in.LegalBasis = from.Title, from.FileRef, from.Authority, from.LegalBasis
		in.FundingSource, in.Description = from.FundingSource, from.Description
		in.ContactName, in.ContactEmail, in.ContactPhone = from.ContactName, from.ContactEmail, from.ContactPhone
	case CallStepLots:
		in.FundingFrom, in.FundingTo, in.FundingPerFTE, in.KreisTopUp = from.FundingFrom, from.FundingTo, from.FundingPerFTE, from.KreisTopUp
		in.Lots = from.Lots
	case CallStepCriteria:
		in.Criteria, in.Scale = from.Criteria, from.Scale
		in.MinTotalPoints, in.TieBreak, in.AnswerMaxChars = from.MinTotalPoints, from.TieBreak, from.AnswerMaxChars
	case CallStepDocuments:
		in.Eligibility, in.RequiredDocs = from.Eligibility, from.RequiredDocs
	case CallStepSchedule:
		in.QuestionsUntil, in.Deadline, in.PlannedOpening, in.PlannedDecision = from.QuestionsUntil, from.Deadline, from.PlannedOpening, from.PlannedDecision
		in.StandstillDays = from.StandstillDays
	case CallStepCommittee:
		in.Committee = from.Committee
	}
	return in
}
