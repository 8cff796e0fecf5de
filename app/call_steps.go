package app

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/rules"
	"kimibv/templates"
)

// callStepPage is the data of one step of the draft editor (page call_step).
type callStepPage struct {
	callEditPage
	Step     rules.CallStep
	Steps    []rules.CallStep
	Index    int // 1-based position of Step
	Count    int
	Warnings []rules.CallWarning
	AddRows  []string  // lists of this step that can grow ("lot", "criterion" …)
	Preview  *callPage // the public body, on the preview step only
}

// stepAddRows names the lists each step can grow, in the order of the "Weitere Zeile" buttons.
func stepAddRows(step string) []string {
	switch step {
	case rules.CallStepLots:
		return []string{"lot"}
	case rules.CallStepCriteria:
		return []string{"criterion", "scale"}
	case rules.CallStepDocuments:
		return []string{"eligibility", "doc"}
	}
	return nil
}

// StepHref is the address of a step of this draft.
func (d callEditPage) StepHref(slug string) string { return d.Base + "/entwurf/" + slug }

// FieldHref links to an editor field on the step page that holds it.
func (d callEditPage) FieldHref(field string) string {
	if field == "consultation" { // the Beteiligung holds the publication back (rules.md R31)
		return d.Base + "/beteiligung"
	}
	step := rules.CallStepOf(field)
	if step == "" {
		step = rules.CallStepBasics
	}
	return d.StepHref(step) + "#f-" + field
}

// callStepParam returns the :step of the address; an unknown step is 404.
func callStepParam(c echo.Context) (rules.CallStep, int, error) {
	i := rules.CallStepIndex(c.Param("schritt"))
	if i < 0 {
		return rules.CallStep{}, 0, echo.ErrNotFound
	}
	return rules.CallSteps()[i], i, nil
}

// stepData assembles a step page of the draft lc; values are the form values shown.
func (a *App) stepData(c echo.Context, lc *calls.LeadCall, step rules.CallStep, i int, values url.Values) callStepPage {
	steps := rules.CallSteps()
	d := callStepPage{callEditPage: a.editData(c, lc), Step: step, Steps: steps, Index: i + 1, Count: len(steps), AddRows: stepAddRows(step.Slug)}
	d.Rows = rowsOf(values)
	d.Warnings = rules.StepWarnings(rules.CallWarnings(&lc.View.Content, a.now(), rules.DefaultCallRules()), step.Slug)
	if step.Slug == rules.CallStepPreview {
		if v := rules.ValidateForPublication(&lc.View.Content, lc.Committee, a.now(), rules.DefaultCallRules()); v.OrNil() != nil {
			d.Problems = v
		}
		p := newCallPage(&lc.View, a.now())
		d.Preview = &p
	}
	return d
}

// dateInputs rewrites the date fields of values into the form the browser's date and
// datetime-local inputs show (German text stays what it was when it is no valid date).
func dateInputs(values url.Values) url.Values {
	for _, k := range []string{"funding_from", "funding_to"} {
		if values.Has(k) {
			values.Set(k, rules.DateInputValue(values.Get(k)))
		}
	}
	for _, k := range []string{"questions_until", "deadline", "planned_opening", "planned_decision"} {
		if values.Has(k) {
			values.Set(k, rules.DateTimeInputValue(values.Get(k)))
		}
	}
	return values
}

// callStep shows one step of a draft; a published call goes to its overview.
func (a *App) callStep(c echo.Context) error {
	lc, err := a.loadLeadCall(c)
	if err != nil {
		return err
	}
	step, i, err := callStepParam(c)
	if err != nil {
		return err
	}
	if !lc.View.Call.IsDraft() {
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("%s/%d", callsBase(c), lc.View.Call.ID))
	}
	values := dateInputs(formFromInput(rules.DraftInputFrom(lc.View.Content, lc.Committee)))
	data := a.stepData(c, lc, step, i, values)
	growRows(&data.Rows, c.QueryParam("weitere"))
	p := a.page(c, step.Title+" – Entwurf "+lc.View.Call.Ref, data)
	p.Form = templates.NewForm(values, nil)
	return a.render(c, http.StatusOK, "call_step", p)
}

// growRows adds the always-present empty row to each list and one more to the list extra.
func growRows(r *callRows, extra string) {
	for key, n := range map[string]*int{"lot": &r.Lots, "eligibility": &r.Eligibility, "doc": &r.Docs, "criterion": &r.Criteria, "scale": &r.Scale} {
		*n++
		if extra == key {
			*n++
		}
	}
}

// rowAnchor is where "Weitere Zeile" of a list lands on its step ("" for no list).
func rowAnchor(list string) string {
	return map[string]string{"lot": "lose", "eligibility": "voraussetzungen", "doc": "unterlagen", "criterion": "kriterien", "scale": "skala"}[list]
}

// saveCallStep stores the fields of one step through calls.SaveDraftStep; the button pressed
// decides where to continue: the next step (the default, also on Enter), the same step, or
// the same step with one more empty row.
func (a *App) saveCallStep(c echo.Context) error {
	lc, err := a.loadLeadCall(c)
	if err != nil {
		return err
	}
	step, i, err := callStepParam(c)
	if err != nil || step.Slug == rules.CallStepPreview {
		return echo.ErrNotFound
	}
	values := formValues(c)
	action := values.Get("action")
	values.Del("action")
	in := callInputFromForm(values)
	err = calls.SaveDraftStep(c.Request().Context(), a.db, actor(c), core.CallScope{Tenant: tenant(c).ID, Call: lc.View.Call.ID}, step.Slug, in, a.now())
	if _, ok := core.AsValidation(err); ok {
		data := a.stepData(c, lc, step, i, values)
		return a.invalid(c, "call_step", step.Title+" – Entwurf "+lc.View.Call.Ref, data, dateInputs(values), err)
	}
	if err != nil {
		return notDraft(err)
	}
	data := a.editData(c, lc)
	next := data.StepHref(step.Slug)
	switch {
	case action == "next" || action == "":
		next = data.StepHref(rules.CallSteps()[i+1].Slug)
	default:
		if list, ok := strings.CutPrefix(action, "add_"); ok && rowAnchor(list) != "" {
			next += "?weitere=" + list + "#" + rowAnchor(list)
		}
	}
	return a.redirect(c, next, step.Title+" gespeichert."+dstNotes(in))
}

// dstNotes returns the notes on wall times that occur twice (autumn change) in the input.
func dstNotes(in rules.CallDraftInput) string {
	var s string
	for _, v := range []string{in.QuestionsUntil, in.Deadline} {
		if _, note, _ := rules.ParseDateTimeInput(v); note != "" {
			s += " " + note
		}
	}
	return s
}
