package rules_test

import (
	"errors"
	"testing"
	"time"

	"kimibv/models/core"
	"kimibv/models/evaluation"
	"kimibv/models/rules"
)

func TestChecklistAndFormalDecision(t *testing.T) {
	t.Parallel()
	deadline := time.Date(2026, 6, 30, 10, 0, 0, 0, time.UTC)
	c := &rules.CallContent{Eligibility: []string{"Anerkannter Träger", "Erfahrung"},
		RequiredDocs: []rules.RequiredDoc{{Key: "U1", Name: "Konzept", Mandatory: true}, {Key: "U2", Name: "Freistellungsbescheid", Mandatory: true},
			{Key: "U3", Name: "Flyer"}}}
	freist := string(rules.DocFreistellung)
	day := func(y int, m time.Month, d int) *time.Time { t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC); return &t }
	concept := rules.ProtocolFile{DocKey: "U1", Name: "konzept.pdf", SHA256: "a"}
	validF := rules.ProtocolFile{DocKey: "U2", Name: "f.pdf", DocType: &freist, ValidUntil: day(2026, 6, 30)}
	expiredF := rules.ProtocolFile{DocKey: "U2", Name: "f.pdf", DocType: &freist, ValidUntil: day(2026, 6, 29)}
	answer := rules.RequestAnswer{DocKey: "U2", Name: "neu.pdf", ReceivedAt: deadline.Add(48 * time.Hour)}
	all := map[string]rules.ItemAssessment{"E1": {Met: true}, "E2": {Met: true}, "U1": {Met: true}, "U2": {Met: true}}
	without := func(key string) map[string]rules.ItemAssessment {
		m := map[string]rules.ItemAssessment{}
		for k, v := range all {
			if k != key {
				m[k] = v
			}
		}
		return m
	}
	cases := []struct {
		name     string
		current  rules.FormalOutcome
		files    []rules.ProtocolFile
		answers  []rules.RequestAnswer
		assessed map[string]rules.ItemAssessment
		decision rules.FormalDecision
		reason   string
		field    string // expected field error; "" no error
		kind     error  // expected sentinel instead
	}{
		{"complete and met", rules.FormalPending, []rules.ProtocolFile{concept, validF}, nil, all, rules.DecideAdmit, "", "", nil},
		{"optional document missing is fine", rules.FormalPending, []rules.ProtocolFile{concept, validF}, nil, all, rules.DecideAdmit, "", "", nil},
		{"minimum requirement (eligibility) not met", rules.FormalPending, []rules.ProtocolFile{concept, validF}, nil, without("E2"), rules.DecideAdmit, "", "met_E2", nil},
		{"mandatory document missing (OVG NRW 4 B 690/16)", rules.FormalPending, []rules.ProtocolFile{validF}, nil, all, rules.DecideAdmit, "", "met_U1", nil},
		{"wallet document expired at the deadline", rules.FormalPending, []rules.ProtocolFile{concept, expiredF}, nil, all, rules.DecideAdmit, "", "met_U2", nil},
		{"expired document replaced by an answer", rules.FormalPending, []rules.ProtocolFile{concept, expiredF}, []rules.RequestAnswer{answer}, all, rules.DecideAdmit, "", "", nil},
		{"missing document answered", rules.FormalPending, []rules.ProtocolFile{concept}, []rules.RequestAnswer{answer}, all, rules.DecideAdmit, "", "", nil},
		{"exclusion needs a reason", rules.FormalPending, nil, nil, nil, rules.DecideExclude, "  ", "reason", nil},
		{"exclusion with reason", rules.FormalPending, nil, nil, nil, rules.DecideExclude, "Satzung fehlt", "", nil},
		{"excluded is final: admit", rules.FormalExcluded, []rules.ProtocolFile{concept, validF}, nil, all, rules.DecideAdmit, "", "", core.ErrConflict},
		{"excluded is final: save", rules.FormalExcluded, nil, nil, nil, rules.DecideSave, "", "", core.ErrConflict},
		{"admitted may still be excluded", rules.FormalAdmitted, nil, nil, nil, rules.DecideExclude, "Nachträglich festgestellt", "", nil},
		{"unknown decision", rules.FormalPending, nil, nil, nil, "x", "", "decision", nil},
	}
	for _, tc := range cases {
		items := rules.Checklist(c, tc.files, tc.answers, tc.assessed, deadline)
		if len(items) != 5 {
			t.Fatalf("%s: %d items", tc.name, len(items))
		}
		err := rules.CheckFormalDecision(tc.current, items, tc.decision, tc.reason)
		switch {
		case tc.kind != nil:
			if !errors.Is(err, tc.kind) {
				t.Errorf("%s: %v, want %v", tc.name, err, tc.kind)
			}
		case tc.field == "":
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
		default:
			v, ok := core.AsValidation(err)
			if !ok || !v.Has(tc.field) {
				t.Errorf("%s: %v, want a field error on %s", tc.name, err, tc.field)
			}
		}
	}
}

func TestEvaluatorMaySee(t *testing.T) {
	t.Parallel()
	bidders := []int64{1, 2, 3}
	cases := []struct {
		name     string
		declared map[int64]string
		org      int64
		want     bool
	}{
		{"nothing declared", map[int64]string{}, 1, false},
		{"declared for some bidders only", map[int64]string{1: "none", 2: "none"}, 1, false},
		{"all declared, no tie", map[int64]string{1: "none", 2: "none", 3: "none"}, 1, true},
		{"tie to this bidder", map[int64]string{1: "board", 2: "none", 3: "none"}, 1, false},
		{"tie to another bidder only", map[int64]string{1: "none", 2: "family", 3: "none"}, 1, true},
		{"every tie kind excludes", map[int64]string{1: "employment", 2: "membership", 3: "other"}, 3, false},
	}
	for _, c := range cases {
		if got := rules.EvaluatorMaySee(c.declared, bidders, c.org); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	if rules.MaySeeOthersScores(false) || !rules.MaySeeOthersScores(true) {
		t.Fatal("others' scores must be visible exactly after the own sheet is submitted")
	}
}

func TestCheckSheet(t *testing.T) {
	t.Parallel()
	crit := []rules.Criterion{{Key: "K1", Name: "Konzept"}, {Key: "K2", Name: "Unabhängigkeit"}}
	cases := []struct {
		name   string
		in     evaluation.SheetInput
		fields []string
	}{
		{"empty draft", evaluation.SheetInput{}, nil},
		{"partial draft", evaluation.SheetInput{Scores: map[string]string{"K1": "2"}}, nil},
		{"complete submit", evaluation.SheetInput{Scores: map[string]string{"K1": "0", "K2": "4"}, Reasons: map[string]string{"K1": "fehlt", "K2": "sehr gut"}, Submit: true}, nil},
		{"above the scale", evaluation.SheetInput{Scores: map[string]string{"K1": "5"}}, []string{"score_K1"}},
		{"negative", evaluation.SheetInput{Scores: map[string]string{"K1": "-1"}}, []string{"score_K1"}},
		{"not a number", evaluation.SheetInput{Scores: map[string]string{"K1": "2,5"}}, []string{"score_K1"}},
		{"submit without reason", evaluation.SheetInput{Scores: map[string]string{"K1": "2", "K2": "2"}, Reasons: map[string]string{"K1": "gut"}, Submit: true}, []string{"reason_K2"}},
		{"submit unscored", evaluation.SheetInput{Scores: map[string]string{"K1": "2"}, Reasons: map[string]string{"K1": "gut", "K2": "x"}, Submit: true}, []string{"score_K2"}},
		{"score for no criterion", evaluation.SheetInput{Scores: map[string]string{"K1": "2", "K99": "3"}}, []string{"score_K99"}},
		{"empty score for no criterion", evaluation.SheetInput{Scores: map[string]string{"K1": "2", "K99": ""}}, []string{"score_K99"}},
		{"reason for no criterion", evaluation.SheetInput{Scores: map[string]string{"K1": "0", "K2": "4"},
			Reasons: map[string]string{"K1": "fehlt", "K2": "sehr gut", "k1": "klein geschrieben"}, Submit: true}, []string{"reason_k1"}},
	}
	for _, c := range cases {
		_, err := evaluation.CheckSheet(crit, 4, c.in)
		if len(c.fields) == 0 {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		v, ok := core.AsValidation(err)
		if !ok {
			t.Fatalf("%s: %v", c.name, err)
		}
		for _, f := range c.fields {
			if !v.Has(f) {
				t.Errorf("%s: no error on %s (%v)", c.name, f, v.Codes())
			}
		}
	}
}
