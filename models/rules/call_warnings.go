package rules

import (
	"fmt"
	"time"
)

// CallWarning is a plausibility note on a draft: not an error (the draft can be saved with
// it), but something the lead should look at before publishing. Field names the editor's
// field, as in CallDraftInput's errors.
type CallWarning struct {
	Field   string
	Message string
}

// CallWarnings returns the plausibility notes on a draft's content at now: a funding period
// that has already begun, questions open after the deadline, a deadline closer than the
// minimum period (rules.md R12, callRules.MinPeriod), weights not adding up to 100 and an
// opening planned before the deadline. Unset values give no note; ValidateForPublication
// reports what is missing.
func CallWarnings(c *CallContent, now time.Time, callRules CallRules) []CallWarning {
	var out []CallWarning
	add := func(field, format string, args ...any) {
		out = append(out, CallWarning{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	today := NewDate(now)
	if from := c.FundingPeriod.From; from != "" && from.Time().Before(today.Time()) {
		add("funding_from", "Der Förderzeitraum beginnt am %s und damit vor dem heutigen Tag. Bitte prüfen Sie den Beginn des Förderzeitraums.", from.German())
	}
	t := c.Timeline
	if !t.QuestionsUntil.IsZero() && !t.Deadline.IsZero() && t.QuestionsUntil.After(t.Deadline) {
		add("questions_until", "Fragen sind bis %s möglich, die Frist für Interessenbekundungen endet aber schon am %s. Die Fragefrist sollte vor der Frist enden.",
			FormatDateTimeZone(t.QuestionsUntil), FormatDateTimeZone(t.Deadline))
	}
	if !t.Deadline.IsZero() && callRules.MinPeriod > 0 && t.Deadline.Before(now.Add(callRules.MinPeriod)) {
		add("deadline", "Die Frist (%s) liegt weniger als %d Tage nach heute. Zwischen Veröffentlichung und Frist müssen mindestens %d Tage liegen.",
			FormatDateTimeZone(t.Deadline), int(callRules.MinPeriod.Hours()/24), int(callRules.MinPeriod.Hours()/24))
	}
	if len(c.Criteria) > 0 {
		if sum := c.TotalWeight(); sum != 100 {
			add("criteria", "Die Gewichtungen der Kriterien ergeben zusammen %d statt 100 Punkte.", sum)
		}
	}
	if !t.PlannedOpening.IsZero() && !t.Deadline.IsZero() && t.PlannedOpening.Before(t.Deadline) {
		add("planned_opening", "Die geplante Öffnung (%s) liegt vor der Frist für Interessenbekundungen (%s). Geöffnet werden kann erst nach der Frist.",
			FormatDateTimeZone(t.PlannedOpening), FormatDateTimeZone(t.Deadline))
	}
	return out
}

// StepWarnings returns the warnings whose field belongs to step (see CallStepOf); the
// preview (CallStepPreview) gets all of them.
func StepWarnings(ws []CallWarning, step string) []CallWarning {
	if step == CallStepPreview {
		return ws
	}
	var out []CallWarning
	for _, w := range ws {
		if CallStepOf(w.Field) == step {
			out = append(out, w)
		}
	}
	return out
}
