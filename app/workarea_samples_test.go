package app

import (
	"net/url"
	"time"

	"kimibv/models/rules"
	"kimibv/models/workarea"
)

// sampleWorkArea is a work area with a section of every kind: a lead's procedures in
// three stages, items due with and without deadline, and an empty section.
func sampleWorkArea() workAreaPage {
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	deadline := now.Add(72 * time.Hour)
	proc := func(id int64, f rules.StageFacts) workarea.Procedure {
		st := rules.ProcedureStage(f, now)
		return workarea.Procedure{ID: id, Ref: "musterland-2026-0" + string(rune('0'+id)), Title: "KIM-Case-Management <Los Nord>",
			Href: "/verwaltung/musterland/verfahren/1", Stage: st, Task: "/verwaltung/musterland/verfahren/1" + workarea.StepPath(st)}
	}
	return workAreaPage{Area: &workarea.Area{Sections: []workarea.Section{
		{Role: "lead", Heading: "Verfahrensleitung – Kreis Musterland", Home: "/verwaltung/musterland/verfahren", Finished: 2, Procedures: []workarea.Procedure{
			proc(1, rules.StageFacts{State: rules.CallPublished, Deadline: &deadline, OpenQuestions: 2}),
			proc(2, rules.StageFacts{State: rules.CallOpened, FormalOpen: 3}),
			proc(3, rules.StageFacts{State: rules.CallDraft}),
		}},
		{Role: "opener", Heading: "Öffnungsberechtigte Person – Kreis Musterland", Home: "/verwaltung/musterland/oeffnungen", Items: []workarea.Item{
			{Label: "Öffnung bestätigen (1 von 2 Bestätigungen)", Detail: "KIM (musterland-2026-01)", Due: &now, Href: "/verwaltung/musterland/verfahren/1/oeffnung", Link: "Zur Öffnung", Urgent: true},
			{Label: "Öffnung nach Ablauf der Frist", Detail: "KIM (musterland-2026-02)", Due: &deadline, Href: "/verwaltung/musterland/verfahren/2/oeffnung", Link: "Öffnungsseite ansehen"},
		}},
		{Role: "council", Heading: "Kreistagsmitglied – Kreis Musterland", Home: "/kreistag/musterland", Empty: "Es gibt keine neue Vergabedokumentation."},
	}}}
}

// sampleFinalAct is the confirmation of a score sheet's final submission, sent once with
// a confirmation that does not belong to it.
func sampleFinalAct() finalAct {
	return finalAct{Title: "Bewertungsbogen endgültig abgeben", Intro: "Sie geben Ihren Bewertungsbogen ab.", Button: "Bogen endgültig abgeben",
		Final: []string{"Ihre Punkte und Begründungen.", "Sie sehen danach die Bewertungen der anderen."},
		Rows:  [][2]string{{"Fachliches Konzept", "4 Punkte – Schlüssig\nund vollständig <b>"}},
		Back:  "/verwaltung/musterland/bewertung/1/2", Action: "/verwaltung/musterland/bewertung/1/2",
		Carry: url.Values{"action": {"submit"}, "score_konzept": {"4"}, "reason_konzept": {"Schlüssig\nund vollständig \"<b>\""}}, Token: "abc", Forged: true}
}
