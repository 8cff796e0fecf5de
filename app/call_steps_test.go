package app_test

import (
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"kimibv/models/core"
	"kimibv/models/demo"
	"kimibv/models/rules"
)

// draftInput reads the stored draft and committee of call id as the editor's input.
func (ta *testApp) draftInput(id int64) rules.CallDraftInput {
	ta.t.Helper()
	var row struct{ Draft []byte }
	if err := ta.store.DB.Raw(`SELECT draft FROM calls WHERE id = ?`, id).Scan(&row).Error; err != nil {
		ta.t.Fatal(err)
	}
	c, err := rules.DecodeCallContent(row.Draft)
	if err != nil {
		ta.t.Fatal(err)
	}
	var com rules.Committee
	ta.store.DB.Raw(`SELECT user_id FROM call_committee WHERE call_id = ? AND role = 'evaluator' ORDER BY user_id`, id).Scan(&com.Evaluators)
	ta.store.DB.Raw(`SELECT user_id FROM call_committee WHERE call_id = ? AND role = 'opener' ORDER BY user_id`, id).Scan(&com.Openers)
	return rules.DraftInputFrom(c, com)
}

// newDraft creates a draft from the KIM template as the lead and returns its address and id.
func newDraft(t *testing.T, lead *client) (string, int64) {
	t.Helper()
	edit := lead.post("/verwaltung/musterland/verfahren", url.Values{"quelle": {"vorlage"}}).wantStatus(t, http.StatusSeeOther).Header.Get("Location")
	id, err := strconv.ParseInt(edit[strings.LastIndex(edit, "/")+1:], 10, 64)
	if err != nil {
		t.Fatalf("draft address %s", edit)
	}
	return edit, id
}

// firstSubmit returns the name=value of the first submit button of the form posting to action.
func firstSubmit(t *testing.T, body, action string) string {
	t.Helper()
	start := strings.Index(body, `<form method="post" action="`+action+`"`)
	if start < 0 {
		t.Fatalf("no form posting to %s", action)
	}
	form := body[start:]
	form = form[:strings.Index(form, "</form>")]
	b := strings.Index(form, `type="submit"`)
	if b < 0 {
		t.Fatalf("form %s has no submit button", action)
	}
	tag := form[b:]
	return tag[:strings.Index(tag, ">")]
}

// TestEachCallStepSavesOnlyItsFields posts every step of the editor with the browser's date
// formats and fields of other steps forged in: each save changes exactly its step's fields,
// leads to the next step, is audited with the step, and Enter (the first submit button) saves.
func TestEachCallStepSavesOnlyItsFields(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	lead := ta.client()
	lead.login("leitung@musterland.example", demo.Password)
	edit, id := newDraft(t, lead)
	day := func(days, hour int) time.Time {
		l := ta.clock.Now().In(core.Berlin())
		return time.Date(l.Year(), l.Month(), l.Day()+days, hour, 0, 0, 0, core.Berlin())
	}
	iso := func(tm time.Time) string { return tm.Format("2006-01-02T15:04") }
	forged := url.Values{"title": {"Untergeschoben"}, "deadline": {"01.01.2099 12:00"}, "lot_0_name": {"Untergeschoben"},
		"criterion_0_weight": {"1"}, "eligibility_0": {"Untergeschoben"}, "evaluators": {"1"}}
	steps := []struct {
		slug   string
		values url.Values
		check  func(rules.CallDraftInput) bool
	}{
		{"grunddaten", url.Values{"title": {"KIM im Kreis Musterland 2027"}, "file_ref": {"KI 7"}, "authority": {"Kreis Musterland"},
			"legal_basis": {"Richtlinie KIM"}, "funding_source": {"Landesmittel"}, "description": {"## Leistung\n\nCase Management."},
			"contact_name": {"Integrationsbüro"}, "contact_email": {"ki@musterland.example"}},
			func(in rules.CallDraftInput) bool {
				return in.Title == "KIM im Kreis Musterland 2027" && in.ContactName == "Integrationsbüro"
			}},
		{"lose", url.Values{"funding_from": {day(60, 0).Format("2006-01-02")}, "funding_to": {"31.12.2029"}, "funding_per_fte": {"57.000,00"},
			"lot_0_name": {"Nord"}, "lot_0_region": {"Nordstadt"}, "lot_0_fte": {"1,5"}, "lot_0_min_fte": {"0,5"}},
			func(in rules.CallDraftInput) bool {
				return in.FundingFrom == day(60, 0).Format("02.01.2006") && in.FundingTo == "31.12.2029" && len(in.Lots) == 1 && in.Lots[0].FTE == "1,50"
			}},
		{"kriterien", url.Values{"criterion_0_name": {"Konzept"}, "criterion_0_weight": {"70"}, "criterion_1_name": {"Vernetzung"},
			"criterion_1_weight": {"30"}, "scale_0": {"nicht erfüllt"}, "scale_1": {"erfüllt"}, "answer_max_chars": {"5000"}},
			func(in rules.CallDraftInput) bool {
				return len(in.Criteria) == 2 && len(in.Scale) == 2 && in.AnswerMaxChars == "5000"
			}},
		{"unterlagen", url.Values{"eligibility_0": {"Anerkannter Träger"}, "doc_0_name": {"Konzept"}, "doc_0_mandatory": {"1"}},
			func(in rules.CallDraftInput) bool {
				return len(in.Eligibility) == 1 && len(in.RequiredDocs) == 1 && in.RequiredDocs[0].Mandatory
			}},
		{"zeitplan", url.Values{"questions_until": {iso(day(23, 12))}, "deadline": {iso(day(30, 12))}, "planned_opening": {iso(day(31, 10))},
			"planned_decision": {"15.03.2099 10:00"}, "standstill_days": {"14"}},
			func(in rules.CallDraftInput) bool {
				return in.Deadline == day(30, 12).Format("02.01.2006 15:04") && in.PlannedDecision == "15.03.2099 10:00" && in.StandstillDays == "14"
			}},
		{"gremium", url.Values{"evaluators": {fmt.Sprint(ta.userID("gremium1@musterland.example")), fmt.Sprint(ta.userID("gremium2@musterland.example"))},
			"openers": {fmt.Sprint(ta.userID("oeffnung1@musterland.example")), fmt.Sprint(ta.userID("oeffnung2@musterland.example"))}},
			func(in rules.CallDraftInput) bool {
				return len(in.Committee.Evaluators) == 2 && len(in.Committee.Openers) == 2
			}},
	}
	for i, st := range steps {
		page := edit + "/entwurf/" + st.slug
		body := lead.get(page).wantStatus(t, http.StatusOK).wantContains(t, fmt.Sprintf("Schritt %d von 7", i+1), `aria-current="step"`).Body
		if got := firstSubmit(t, body, page); !strings.Contains(got, `value="next"`) {
			t.Errorf("%s: Enter presses %s, want „Speichern und weiter“", st.slug, got)
		}
		before := ta.draftInput(id)
		v := url.Values{}
		for k, vals := range forged {
			if rules.CallStepOf(k) != st.slug {
				v[k] = vals
			}
		}
		for k, vals := range st.values {
			v[k] = vals
		}
		// No action: what the browser sends on Enter when the default button has no value is the same path.
		v.Set("action", "next")
		if loc := lead.post(page, v).wantStatus(t, http.StatusSeeOther).Header.Get("Location"); loc != edit+"/entwurf/"+rules.CallSteps()[i+1].Slug {
			t.Errorf("%s: saving leads to %s, want the next step", st.slug, loc)
		}
		after := ta.draftInput(id)
		if !st.check(after) {
			t.Errorf("%s: the step's fields were not saved: %+v", st.slug, after)
		}
		if !reflect.DeepEqual(before.WithStep(st.slug, after), after) {
			t.Errorf("%s: saving changed fields of other steps:\nbefore %+v\nafter  %+v", st.slug, before, after)
		}
		if n := ta.count(`SELECT count(*) FROM audit_log WHERE chain = ? AND action = 'call.draft_saved' AND details::jsonb->>'step' = ?`,
			fmt.Sprintf("call:%d", id), st.slug); n != 1 {
			t.Errorf("%s: %d audit entries of the step, want 1", st.slug, n)
		}
	}
	// The preview shows the call as published, no open problems, and the way to publish.
	lead.get(edit+"/entwurf/vorschau").wantStatus(t, http.StatusOK).
		wantContains(t, "Schritt 7 von 7", "So wird die Ausschreibung veröffentlicht", "KIM im Kreis Musterland 2027", "Der Entwurf ist vollständig", edit+"/veroeffentlichen")
	// "Weitere Zeile" saves and adds a row on the same step.
	v := url.Values{"lot_0_name": {"Nord"}, "lot_0_fte": {"1,5"}, "lot_0_min_fte": {"0,5"}, "action": {"add_lot"}}
	if loc := lead.post(edit+"/entwurf/lose", v).wantStatus(t, http.StatusSeeOther).Header.Get("Location"); loc != edit+"/entwurf/lose?weitere=lot#lose" {
		t.Errorf("Weitere Zeile leads to %s", loc)
	}
	lead.get(edit+"/entwurf/lose?weitere=lot").wantStatus(t, http.StatusOK).wantContains(t, `name="lot_2_name"`)
	lead.get(edit+"/entwurf/nirgendwo").wantStatus(t, http.StatusNotFound)
	lead.post(edit+"/entwurf/vorschau", url.Values{"title": {"x"}}).wantStatus(t, http.StatusNotFound)
}

// TestCallStepRefusesInvalidInputAndChangesNothing: a bad value in one step answers 422 with a
// German message that names the field, shows the step again with what was typed, and
// changes neither the draft nor the audit trail.
func TestCallStepRefusesInvalidInputAndChangesNothing(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	lead := ta.client()
	lead.login("leitung@musterland.example", demo.Password)
	edit, _ := newDraft(t, lead)
	cases := []struct {
		step, field, value string
		want               []string
	}{
		{"lose", "funding_from", "2027-02-30", []string{"Förderzeitraum von: Den 30.02.2027 gibt es nicht"}},
		{"lose", "funding_to", "morgen", []string{"Förderzeitraum bis: Bitte geben Sie das Datum im Format TT.MM.JJJJ an"}},
		{"zeitplan", "deadline", "2020-02-01T12:00", []string{"Frist für Interessenbekundungen: Der Zeitpunkt", "in der Vergangenheit"}},
		{"zeitplan", "questions_until", "2099-03-29T02:30", []string{"Fragen bis: Den 29.03.2099 um 02:30 Uhr gibt es wegen der Umstellung auf die Sommerzeit nicht"}},
		{"zeitplan", "planned_opening", "15.06.2099", []string{"Geplante Öffnung: Bitte geben Sie Datum und Uhrzeit"}},
		{"lose", "lot_0_fte", "1,2,3", []string{"höchstens einem Komma"}},
		{"kriterien", "criterion_0_weight", "12,5", []string{"ganze Zahl"}},
		{"grunddaten", "title", strings.Repeat("Ä", 400), []string{"höchstens 300 Zeichen"}},
		{"gremium", "evaluators", fmt.Sprint(ta.userID("admin@beispielhausen.example")), []string{"Bewertungsgremium"}},
	}
	before := ta.callState()
	for _, tc := range cases {
		page := edit + "/entwurf/" + tc.step
		res := lead.post(page, url.Values{tc.field: {tc.value}, "action": {"next"}}).wantStatus(t, http.StatusUnprocessableEntity).
			wantContains(t, append(tc.want, `id="fehlerliste"`, `href="#f-`+tc.field+`"`)...)
		if got := firstSubmit(t, res.Body, page); !strings.Contains(got, `value="next"`) {
			t.Errorf("%s: the re-rendered step's first submit button is %s", tc.field, got)
		}
		if ta.callState() != before {
			t.Fatalf("%s=%q changed data", tc.field, tc.value)
		}
	}
}

// TestCallStepsWarnAboutImplausibleDates: the KIM template's funding period began on
// 01.09.2026; the step and the preview say so (as a note, the save succeeds), and so
// for the question period, the deadline, the opening and the weights.
func TestCallStepsWarnAboutImplausibleDates(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	lead := ta.client()
	lead.login("leitung@musterland.example", demo.Password)
	edit, _ := newDraft(t, lead)
	if !ta.clock.Now().After(time.Date(2026, 9, 2, 0, 0, 0, 0, core.Berlin())) {
		t.Skip("the template's funding period has not begun yet at this clock")
	}
	lead.get(edit+"/entwurf/lose").wantStatus(t, http.StatusOK).wantContains(t, "Bitte prüfen (Hinweis, kein Fehler)", "Der Förderzeitraum beginnt am 01.09.2026")
	day := func(days int) string {
		return ta.clock.Now().In(core.Berlin()).AddDate(0, 0, days).Format("2006-01-02") + "T12:00"
	}
	lead.post(edit+"/entwurf/zeitplan", url.Values{"questions_until": {day(15)}, "deadline": {day(10)}, "planned_opening": {day(9)},
		"action": {"save"}}).wantStatus(t, http.StatusSeeOther)
	lead.post(edit+"/entwurf/kriterien", url.Values{"criterion_0_name": {"Konzept"}, "criterion_0_weight": {"60"}, "action": {"save"}}).
		wantStatus(t, http.StatusSeeOther)
	lead.get(edit+"/entwurf/zeitplan").wantStatus(t, http.StatusOK).
		wantContains(t, "Die Fragefrist sollte vor der Frist enden", "weniger als 21 Tage", "Geöffnet werden kann erst nach der Frist").
		wantLacks(t, "Der Förderzeitraum beginnt")
	lead.get(edit+"/entwurf/kriterien").wantStatus(t, http.StatusOK).wantContains(t, "60 statt 100 Punkte")
	lead.get(edit+"/entwurf/vorschau").wantStatus(t, http.StatusOK).
		wantContains(t, "Der Förderzeitraum beginnt am 01.09.2026", "60 statt 100 Punkte", "Die Fragefrist sollte", "Noch nicht veröffentlichungsreif",
			edit+"/entwurf/gremium#f-evaluators", edit+"/veroeffentlichen")
}
