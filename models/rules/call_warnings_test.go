package rules

import (
	"slices"
	"strings"
	"testing"
	"time"

	"kimibv/models/core"
)

func TestCallWarningsEachRuleAlone(t *testing.T) {
	now := time.Date(2026, 12, 3, 15, 0, 0, 0, core.Berlin())
	at := func(days int) time.Time { return now.AddDate(0, 0, days) }
	// good is a plausible draft: no warning.
	good := func() CallContent {
		return CallContent{
			FundingPeriod: Period{From: "2027-03-01", To: "2029-12-31"},
			Criteria:      []Criterion{{Key: "K1", Weight: 60}, {Key: "K2", Weight: 40}},
			Timeline:      Timeline{QuestionsUntil: at(20), Deadline: at(30), PlannedOpening: at(31), PlannedDecision: at(60)},
		}
	}
	cases := []struct {
		name   string
		change func(*CallContent)
		want   []string // fields warned about
		text   string   // part of the message
	}{
		{"plausible draft", func(*CallContent) {}, nil, ""},
		{"empty draft", func(c *CallContent) { *c = CallContent{} }, nil, ""},
		{"funding starts yesterday", func(c *CallContent) { c.FundingPeriod.From = "2026-12-02" }, []string{"funding_from"}, "02.12.2026"},
		{"funding starts today", func(c *CallContent) { c.FundingPeriod.From = "2026-12-03" }, nil, ""},
		{"template funding start 01.09.2026", func(c *CallContent) { c.FundingPeriod.From = "2026-09-01" }, []string{"funding_from"}, "vor dem heutigen Tag"},
		{"questions end after the deadline", func(c *CallContent) { c.Timeline.QuestionsUntil = at(30).Add(time.Minute) }, []string{"questions_until"}, "Fragefrist"},
		{"questions end at the deadline", func(c *CallContent) { c.Timeline.QuestionsUntil = at(30) }, nil, ""},
		{"deadline 20 days ahead", func(c *CallContent) {
			c.Timeline.QuestionsUntil, c.Timeline.Deadline, c.Timeline.PlannedOpening = at(10), at(20), at(21)
		}, []string{"deadline"}, "mindestens 21 Tage"},
		{"deadline exactly 21 days ahead", func(c *CallContent) {
			c.Timeline.QuestionsUntil, c.Timeline.Deadline, c.Timeline.PlannedOpening = at(10), now.Add(21*24*time.Hour), at(22)
		}, nil, ""},
		{"weights 90", func(c *CallContent) { c.Criteria[1].Weight = 30 }, []string{"criteria"}, "90 statt 100"},
		{"weights 110", func(c *CallContent) { c.Criteria[1].Weight = 50 }, []string{"criteria"}, "110 statt 100"},
		{"opening before the deadline", func(c *CallContent) { c.Timeline.PlannedOpening = at(29) }, []string{"planned_opening"}, "vor der Frist"},
		{"opening at the deadline", func(c *CallContent) { c.Timeline.PlannedOpening = at(30) }, nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := good()
			tc.change(&c)
			ws := CallWarnings(&c, now, DefaultCallRules())
			var fields []string
			for _, w := range ws {
				fields = append(fields, w.Field)
				if tc.text != "" && !strings.Contains(w.Message, tc.text) {
					t.Errorf("warning %q does not say %q", w.Message, tc.text)
				}
			}
			if !slices.Equal(fields, tc.want) {
				t.Errorf("warnings on %v, want %v (%v)", fields, tc.want, ws)
			}
		})
	}
}

func TestStepWarningsKeepOnlyTheStepsFields(t *testing.T) {
	ws := []CallWarning{{Field: "funding_from"}, {Field: "criteria"}, {Field: "deadline"}, {Field: "planned_opening"}}
	for step, want := range map[string]int{CallStepLots: 1, CallStepCriteria: 1, CallStepSchedule: 2, CallStepBasics: 0, CallStepPreview: 4} {
		if got := len(StepWarnings(ws, step)); got != want {
			t.Errorf("step %s shows %d warnings, want %d", step, got, want)
		}
	}
}

func TestWithStepReplacesOnlyTheStepsFields(t *testing.T) {
	stored := CallDraftInput{Title: "Alt", Description: "Text", FundingFrom: "01.09.2027", Lots: []LotInput{{Name: "Nord"}},
		Criteria: []CriterionInput{{Name: "K"}}, Eligibility: []string{"e"}, Deadline: "01.02.2027 12:00",
		Committee: Committee{Evaluators: []int64{1, 2}}}
	cases := []struct {
		step  string
		check func(CallDraftInput) bool
	}{
		{CallStepBasics, func(in CallDraftInput) bool {
			return in.Title == "" && in.Description == "" && in.FundingFrom != "" && len(in.Lots) == 1 && in.Deadline != "" && len(in.Committee.Evaluators) == 2
		}},
		{CallStepLots, func(in CallDraftInput) bool {
			return in.Title == "Alt" && in.FundingFrom == "" && in.Lots == nil && len(in.Criteria) == 1
		}},
		{CallStepCriteria, func(in CallDraftInput) bool {
			return in.Criteria == nil && len(in.Lots) == 1 && len(in.Eligibility) == 1
		}},
		{CallStepDocuments, func(in CallDraftInput) bool {
			return in.Eligibility == nil && len(in.Criteria) == 1 && in.Deadline != ""
		}},
		{CallStepSchedule, func(in CallDraftInput) bool {
			return in.Deadline == "" && in.Title == "Alt" && len(in.Committee.Evaluators) == 2
		}},
		{CallStepCommittee, func(in CallDraftInput) bool { return in.Committee.Evaluators == nil && in.Deadline != "" }},
		{CallStepPreview, func(in CallDraftInput) bool {
			return in.Title == "Alt" && in.Deadline != "" && len(in.Committee.Evaluators) == 2
		}},
	}
	for _, tc := range cases {
		if got := stored.WithStep(tc.step, CallDraftInput{}); !tc.check(got) {
			t.Errorf("step %s: merged input %+v", tc.step, got)
		}
	}
	for _, field := range []string{"title", "contact_email", "lot_3_fte", "lots", "funding_to", "criterion_0_weight", "scale_2", "tie_break",
		"eligibility_0", "doc_1_name", "deadline", "standstill_days", "openers"} {
		if CallStepOf(field) == "" || CallStepIndex(CallStepOf(field)) < 0 {
			t.Errorf("field %s belongs to no step", field)
		}
	}
}

func TestDateFieldsAcceptGermanAndISO(t *testing.T) {
	for _, tc := range []struct{ in, want, msg string }{
		{"01.09.2026", "2026-09-01", ""}, {"2026-09-01", "2026-09-01", ""}, {"1.9.2026", "2026-09-01", ""},
		{"2026-02-30", "", "gibt es nicht"}, {"2026-9-1", "", "TT.MM.JJJJ"}, {"morgen", "", "TT.MM.JJJJ"},
	} {
		d, msg := ParseDateInput(tc.in)
		if string(d) != tc.want || !strings.Contains(msg, tc.msg) || (tc.msg == "") != (msg == "") {
			t.Errorf("ParseDateInput(%q) = %q, %q", tc.in, d, msg)
		}
	}
	for _, tc := range []struct{ in, want, msg string }{
		{"15.06.2027 12:00", "2027-06-15T10:00:00Z", ""}, {"2027-06-15T12:00", "2027-06-15T10:00:00Z", ""},
		{"2027-01-15T12:00", "2027-01-15T11:00:00Z", ""}, {"2099-03-29T02:30", "", "Sommerzeit"},
		{"2027-06-15T25:00", "", "Uhrzeit"}, {"2027-06-15", "", "TT.MM.JJJJ HH:MM"},
	} {
		got, _, msg := ParseDateTimeInput(tc.in)
		s := ""
		if !got.IsZero() {
			s = got.UTC().Format(time.RFC3339)
		}
		if s != tc.want || !strings.Contains(msg, tc.msg) || (tc.msg == "") != (msg == "") {
			t.Errorf("ParseDateTimeInput(%q) = %q, %q", tc.in, s, msg)
		}
	}
	if got := DateTimeInputValue("15.06.2027 12:00"); got != "2027-06-15T12:00" {
		t.Errorf("DateTimeInputValue = %q", got)
	}
	if got := DateInputValue("31.02.2027"); got != "31.02.2027" {
		t.Errorf("an invalid date is not kept as typed: %q", got)
	}
}
