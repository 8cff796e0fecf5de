package rules_test

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"kimibv/models/core"
	"kimibv/models/rules"
)

func TestConsolidationReasonRefusesMissingAndBoilerplateReasons(t *testing.T) {
	t.Parallel()
	mean := decimal.RequireFromString("2.67")
	for _, tc := range []struct {
		name, reason string
		deviates     bool
		code         string // "" accepted
		message      string
	}{
		{"empty", "", false, "required", "K1: Bitte begründen Sie die konsolidierte Bewertung."},
		{"blank", " \n\t ", false, "required", "K1: Bitte begründen Sie die konsolidierte Bewertung."},
		{"empty deviating", "", true, "required", "warum sie vom Mittelwert 2,67 abweicht"},
		{"the old notice boilerplate", "entspricht dem Mittelwert der Bewertungen des Gremiums", false, "boilerplate", "„entspricht dem Mittelwert“ ist keine Begründung"},
		{"boilerplate in capitals with punctuation", "Entspricht dem MITTELWERT (2,67) der Einzelbewertungen!", false, "boilerplate", ""},
		{"see above", "s. o.", false, "boilerplate", ""},
		{"mean only", "Mittelwert", true, "boilerplate", ""},
		{"committee was unanimous", "Das Gremium hat einstimmig so bewertet.", false, "boilerplate", ""},
		{"anonymised header without content", "Mitglied 1: gut\nMitglied 2: passt", false, "boilerplate", ""},
		{"stage only", "Entspricht Stufe 3 der Skala.", false, "boilerplate", ""},
		{"NUL byte", "Konzept beschreibt Ziele\x00 und Maßnahmen", false, "invalid", ""},
		{"too long", strings.Repeat("Konzept ", rules.MaxLongText/8+1), false, "too_long", ""},
		{"a real reason", "Das Konzept beschreibt Ziele, Maßnahmen und Zuständigkeiten nachvollziehbar.", false, "", ""},
		{"a real reason that names the mean", "Abweichend vom Mittelwert: Die unabhängige Beschwerdestelle ist verbindlich beschrieben.", true, "", ""},
		{"the anonymised draft", "Mitglied 1: Zielgruppen klar benannt.\nMitglied 2: Kooperationen fehlen teilweise.", false, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := &core.ValidationError{}
			rules.CheckConsolidationReason(v, "reason_K1", "K1", tc.reason, tc.deviates, mean)
			if tc.code == "" {
				if len(v.Fields) != 0 {
					t.Fatalf("refused a real reason: %+v", v.Fields)
				}
				return
			}
			if len(v.Fields) != 1 || v.Fields[0].Field != "reason_K1" || v.Fields[0].Code != tc.code {
				t.Fatalf("want one %q error on reason_K1, got %+v", tc.code, v.Fields)
			}
			if !strings.Contains(v.Fields[0].Message, tc.message) {
				t.Fatalf("message %q lacks %q", v.Fields[0].Message, tc.message)
			}
		})
	}
}

func TestDraftReasonAnonymisesMembersInCommitteeOrder(t *testing.T) {
	t.Parallel()
	evaluators := []rules.SnapshotEvaluator{{UserID: 7, Name: "Erika Muster"}, {UserID: 3, Name: "Max Beispiel"}, {UserID: 9, Name: "Paula Probe"}}
	cell := rules.MatrixCell{Scores: []rules.EvaluatorScore{
		{EvaluatorID: 3, Name: "Max Beispiel", Score: 2, Reason: "Kooperationen   fehlen\nteilweise."},
		{EvaluatorID: 9, Name: "Paula Probe", Score: 3, Reason: ""},
		{EvaluatorID: 7, Name: "Erika Muster", Score: 3, Reason: "Zielgruppen klar benannt."},
	}}
	got := rules.DraftReason(cell, evaluators)
	want := "Mitglied 1: Zielgruppen klar benannt.\nMitglied 2: Kooperationen fehlen teilweise."
	if got != want {
		t.Fatalf("draft = %q, want %q", got, want)
	}
	for _, name := range []string{"Erika", "Max", "Paula"} {
		if strings.Contains(got, name) {
			t.Fatalf("the draft names evaluator %s", name)
		}
	}
	// A notice states the lead's own reason; a legacy boilerplate falls back to the draft.
	cell.Consolidated = &rules.ConsolidatedScore{Reason: " Die Beschwerdestelle ist unabhängig und verbindlich geregelt. "}
	if r := rules.StatedReason(cell, evaluators); r != "Die Beschwerdestelle ist unabhängig und verbindlich geregelt." {
		t.Fatalf("stated reason = %q", r)
	}
	cell.Consolidated.Reason = "entspricht dem Mittelwert der Bewertungen des Gremiums"
	if r := rules.StatedReason(cell, evaluators); r != want {
		t.Fatalf("legacy stated reason = %q, want the draft", r)
	}
}
