package rules_test

import (
	"strings"
	"testing"
	"time"

	"kimibv/models/core"
	"kimibv/models/rules"
)

func TestPublicationWaitsForTheConsultationToBeAnsweredAndWeighed(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		s    rules.ConsultationState
		code string
	}{
		{"no consultation", rules.ConsultationState{}, ""},
		{"still running", rules.ConsultationState{Exists: true, Ends: now.Add(time.Hour)}, "running"},
		{"ends at this very moment", rules.ConsultationState{Exists: true, Ends: now}, "running"},
		{"one unanswered", rules.ConsultationState{Exists: true, Ends: now.Add(-time.Hour), Unanswered: 1}, "unanswered"},
		{"several unanswered", rules.ConsultationState{Exists: true, Ends: now.Add(-time.Hour), Unanswered: 3}, "unanswered"},
		{"answered, not weighed", rules.ConsultationState{Exists: true, Ends: now.Add(-time.Hour)}, "not_weighed"},
		{"answered and weighed", rules.ConsultationState{Exists: true, Ends: now.Add(-time.Hour), Weighed: true}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := &core.ValidationError{}
			rules.CheckConsultationDone(v, tc.s, now)
			if tc.code == "" {
				if len(v.Fields) != 0 {
					t.Fatalf("refused: %+v", v.Fields)
				}
				return
			}
			if len(v.Fields) != 1 || v.Fields[0].Code != tc.code || v.Fields[0].Field != "consultation" {
				t.Fatalf("want %q on consultation, got %+v", tc.code, v.Fields)
			}
		})
	}
}

func TestStatementsOnlyFromInviteesWithinThePeriod(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	end := time.Date(2026, 5, 15, 22, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		invited bool
		now     time.Time
		want    string
	}{
		{"invited within", true, start.Add(time.Hour), ""},
		{"at the end itself", true, end, ""},
		{"one second late", true, end.Add(time.Second), "geendet"},
		{"before the start", true, start.Add(-time.Minute), "beginnt erst"},
		{"not invited", false, start.Add(time.Hour), "nicht eingeladen"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := rules.StatementRefusal(tc.invited, start, end, tc.now)
			if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestConsultationPeriodAndStatementAndResponseChecks(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name       string
		start, end time.Time
		deadline   time.Time
		code       string
	}{
		{"fine", now, now.Add(14 * 24 * time.Hour), time.Time{}, ""},
		{"no start", time.Time{}, now.Add(time.Hour), time.Time{}, "required"},
		{"no end", now, time.Time{}, time.Time{}, "required"},
		{"end past", now.Add(-72 * time.Hour), now.Add(-time.Hour), time.Time{}, "past"},
		{"shorter than a day", now, now.Add(23 * time.Hour), time.Time{}, "too_short"},
		{"after the deadline", now, now.Add(48 * time.Hour), now.Add(24 * time.Hour), "after_deadline"},
	} {
		t.Run("period "+tc.name, func(t *testing.T) {
			v := &core.ValidationError{}
			rules.CheckConsultationPeriod(v, tc.start, tc.end, now, tc.deadline)
			if (tc.code == "") != (len(v.Fields) == 0) || (tc.code != "" && v.Fields[0].Code != tc.code) {
				t.Fatalf("want %q, got %+v", tc.code, v.Fields)
			}
		})
	}
	c := &rules.CallContent{Criteria: []rules.Criterion{{Key: "K1", Name: "Konzept"}}}
	for _, tc := range []struct{ name, section, body, code string }{
		{"criterion", "kriterium:k1", "Die Gewichtung des Konzepts sollte höher sein.", ""},
		{"general", "allgemein", "Bitte die Laufzeit verlängern.", ""},
		{"unknown criterion", "kriterium:k9", "Text", "invalid"},
		{"forged section", "'; drop", "Text", "invalid"},
		{"empty", "konzept", "  ", "required"},
		{"NUL", "konzept", "a\x00b", "invalid"},
		{"too long", "konzept", strings.Repeat("x", rules.MaxStatement+1), "too_long"},
	} {
		t.Run("statement "+tc.name, func(t *testing.T) {
			v := &core.ValidationError{}
			rules.CheckStatement(v, c, tc.section, tc.body)
			if (tc.code == "") != (len(v.Fields) == 0) || (tc.code != "" && v.Fields[0].Code != tc.code) {
				t.Fatalf("want %q, got %+v", tc.code, v.Fields)
			}
		})
	}
	for _, tc := range []struct{ name, outcome, reason, code string }{
		{"reasoned", rules.OutcomePartly, "Die Gewichtung des Konzepts wird von 30 auf 35 Prozent angehoben.", ""},
		{"no outcome", "", "Die Gewichtung des Konzepts wird angehoben.", "required"},
		{"forged outcome", "maybe", "Die Gewichtung des Konzepts wird angehoben.", "required"},
		{"no reason", rules.OutcomeAdopted, "", "required"},
		{"boilerplate", rules.OutcomeRejected, "s. o.", "boilerplate"},
		{"boilerplate words", rules.OutcomeRejected, "Siehe oben, entspricht der Bewertung.", "boilerplate"},
	} {
		t.Run("response "+tc.name, func(t *testing.T) {
			v := &core.ValidationError{}
			rules.CheckResponse(v, tc.outcome, tc.reason)
			if (tc.code == "") != (len(v.Fields) == 0) || (tc.code != "" && v.Fields[0].Code != tc.code) {
				t.Fatalf("want %q, got %+v", tc.code, v.Fields)
			}
		})
	}
}
