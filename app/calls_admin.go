package app

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/evaluation"
	"kimibv/models/rules"
)

// msgAlreadyPublished answers a publish or save of a call that is no longer a draft.
const msgAlreadyPublished = "Dieses Verfahren ist bereits veröffentlicht (vielleicht in einem anderen Fenster) und kann nicht mehr als Entwurf bearbeitet oder erneut veröffentlicht werden. Es wurde nichts verändert. Änderungen sind nur über eine begründete Änderungsbekanntmachung möglich."

// pathID parses the path parameter name as a positive number; anything else is 404.
func pathID(c echo.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, echo.ErrNotFound
	}
	return id, nil
}

// callID parses the :call parameter; anything else is 404.
func callID(c echo.Context) (int64, error) { return pathID(c, "call") }

func callsBase(c echo.Context) string { return "/verwaltung/" + tenant(c).Slug + "/verfahren" }

// notDraft turns ErrCallNotDraft into a 409 page with a clear message.
func notDraft(err error) error {
	if calls.IsCallNotDraft(err) {
		return &echo.HTTPError{Code: http.StatusConflict, Message: msgAlreadyPublished, Internal: err}
	}
	return err
}

// leadCallsPage is the data of the Kreis's procedure list.
type leadCallsPage struct {
	Calls []rules.Call
	Base  string
	F     fmtr
}

// leadCalls lists the Kreis's calls in every state with the form for a new one.
func (a *App) leadCalls(c echo.Context) error {
	callRows, err := calls.TenantCalls(c.Request().Context(), a.db, actor(c), tenant(c).ID)
	if err != nil {
		return err
	}
	return a.show(c, "calls_admin", "Verfahren – "+tenant(c).Name, leadCallsPage{Calls: callRows, Base: callsBase(c)})
}

// createCall starts a draft from the KIM template or as a copy of an earlier call.
func (a *App) createCall(c echo.Context) error {
	var from int64
	if src := c.FormValue("quelle"); src != "vorlage" {
		id, err := strconv.ParseInt(src, 10, 64)
		if err != nil || id <= 0 {
			return echo.ErrNotFound
		}
		from = id
	}
	call, err := calls.CreateDraft(c.Request().Context(), a.db, actor(c), tenant(c).ID, from, a.now())
	if err != nil {
		return err
	}
	return a.redirect(c, fmt.Sprintf("%s/%d", callsBase(c), call.ID), "Der Entwurf "+call.Ref+" wurde angelegt.")
}

// callEditPage is the data of the draft editor.
type callEditPage struct {
	Call         calls.CallRow
	Rows         callRows
	Evaluators   []calls.CommitteeCandidate
	Openers      []calls.CommitteeCandidate
	Committee    rules.Committee
	Base         string // this call's admin address
	Href         string // public address
	Problems     *core.ValidationError
	F            fmtr
	BidStatus    string                   // "Frist läuft" / "Frist abgelaufen – ungeöffnet": no count, no names (rules.md R2)
	Docs         evaluation.CallDocStatus // procedure pages and issued documents
	Stage        *rules.Stage             // the stepper of a published procedure (workarea.Stage)
	NextStepHref string                   // the page of the procedure's next step, if any
}

func (a *App) editData(c echo.Context, lc *calls.LeadCall) callEditPage {
	d := callEditPage{Call: lc.View.Call, Committee: lc.Committee, Base: fmt.Sprintf("%s/%d", callsBase(c), lc.View.Call.ID),
		Href: "/ausschreibungen/" + lc.View.Call.Ref}
	for _, cand := range lc.Candidates {
		if cand.Role == rules.CommitteeEvaluator {
			d.Evaluators = append(d.Evaluators, cand)
		} else {
			d.Openers = append(d.Openers, cand)
		}
	}
	return d
}

// loadLeadCall loads the call of the :call parameter for the Kreis's lead.
func (a *App) loadLeadCall(c echo.Context) (*calls.LeadCall, error) {
	id, err := callID(c)
	if err != nil {
		return nil, err
	}
	return calls.LeadCallByID(c.Request().Context(), a.db, actor(c), core.CallScope{Tenant: tenant(c).ID, Call: id})
}

// editCall shows the editor of a draft, or the overview of a published call.
func (a *App) editCall(c echo.Context) error {
	lc, err := a.loadLeadCall(c)
	if err != nil {
		return err
	}
	lc.View.Call.State = rules.StateAt(lc.View.Call.State, lc.View.Call.Deadline, a.now()) // shown, never written here
	data := a.editData(c, lc)
	if !lc.View.Call.IsDraft() {
		data.BidStatus = a.leadBidStatus(c, lc.View.Call.ID)
		if data.Docs, err = evaluation.CallDocuments(c.Request().Context(), a.db, core.CallScope{Tenant: tenant(c).ID, Call: lc.View.Call.ID}); err != nil {
			return err
		}
		if err := a.withStage(c, &data); err != nil {
			return err
		}
		return a.show(c, "call_manage", lc.View.Call.Title, data)
	}
	to := data.StepHref(rules.CallStepBasics)
	if list := c.QueryParam("weitere"); rowAnchor(list) != "" { // the addresses of the one-page editor
		to = data.StepHref(rules.CallStepOf(list+"_0")) + "?weitere=" + list + "#" + rowAnchor(list)
	}
	return c.Redirect(http.StatusSeeOther, to)
}

// saveCall stores the whole draft at once (all steps' fields, as the one-page editor posted
// them and API clients and tests still do); the button pressed decides where to continue.
// Errors show the step of the first faulty field with the whole summary.
func (a *App) saveCall(c echo.Context) error {
	lc, err := a.loadLeadCall(c)
	if err != nil {
		return err
	}
	values := formValues(c)
	action := values.Get("action")
	values.Del("action")
	in := callInputFromForm(values)
	err = calls.SaveDraft(c.Request().Context(), a.db, actor(c), core.CallScope{Tenant: tenant(c).ID, Call: lc.View.Call.ID}, in, a.now())
	if v, ok := core.AsValidation(err); ok {
		i := max(rules.CallStepIndex(rules.CallStepOf(v.Fields[0].Field)), 0)
		data := a.stepData(c, lc, rules.CallSteps()[i], i, values)
		return a.invalid(c, "call_step", "Entwurf bearbeiten – "+lc.View.Call.Ref, data, dateInputs(values), err)
	}
	if err != nil {
		return notDraft(err)
	}
	data := a.editData(c, lc)
	next := data.StepHref(rules.CallStepBasics)
	switch list, add := strings.CutPrefix(action, "add_"); {
	case add && rowAnchor(list) != "":
		next = data.StepHref(rules.CallStepOf(list+"_0")) + "?weitere=" + list + "#" + rowAnchor(list)
	case action == "preview":
		next = data.Base + "/vorschau"
	case action == "publish":
		next = data.Base + "/veroeffentlichen"
	}
	return a.redirect(c, next, "Der Entwurf wurde gespeichert."+dstNotes(in))
}

// previewCall renders the draft exactly as the public page will, marked as preview.
func (a *App) previewCall(c echo.Context) error {
	lc, err := a.loadLeadCall(c)
	if err != nil {
		return err
	}
	if !lc.View.Call.IsDraft() {
		return c.Redirect(http.StatusSeeOther, "/ausschreibungen/"+lc.View.Call.Ref)
	}
	p := newCallPage(&lc.View, a.now())
	p.EditHref = fmt.Sprintf("%s/%d", callsBase(c), lc.View.Call.ID)
	title := lc.View.Content.Title
	if title == "" {
		title = "Vorschau"
	}
	return a.show(c, "call", "Vorschau: "+title, p)
}

// publishConfirm shows what publishing means and which problems still block it.
func (a *App) publishConfirm(c echo.Context) error {
	lc, err := a.loadLeadCall(c)
	if err != nil {
		return err
	}
	if !lc.View.Call.IsDraft() {
		return notDraft(calls.ErrCallNotDraft)
	}
	data := a.editData(c, lc)
	if v := rules.ValidateForPublication(&lc.View.Content, lc.Committee, a.now(), rules.DefaultCallRules()); v.OrNil() != nil {
		data.Problems = v
	}
	return a.show(c, "call_publish", "Veröffentlichen – "+lc.View.Call.Ref, data)
}

// publishCall freezes the draft as version 1. Problems re-open the editor with the
// messages at their fields; a second publish gets a clear conflict page.
func (a *App) publishCall(c echo.Context) error {
	lc, err := a.loadLeadCall(c)
	if err != nil {
		return err
	}
	if c.FormValue("bestaetigt") != "1" {
		v := &core.ValidationError{}
		v.Add("bestaetigt", "required", "Bitte bestätigen Sie, dass die Ausschreibung vollständig ist und veröffentlicht werden soll.")
		data := a.editData(c, lc)
		return a.invalid(c, "call_publish", "Veröffentlichen – "+lc.View.Call.Ref, data, url.Values{}, v)
	}
	_, err = calls.Publish(c.Request().Context(), a.db, actor(c), core.CallScope{Tenant: tenant(c).ID, Call: lc.View.Call.ID}, rules.DefaultCallRules(), a.now(), a.docs)
	if v, ok := core.AsValidation(err); ok {
		i := rules.CallStepIndex(rules.CallStepPreview)
		data := a.stepData(c, lc, rules.CallSteps()[i], i, url.Values{})
		data.Problems = v
		return a.render(c, http.StatusUnprocessableEntity, "call_step", a.page(c, "Vorschau – Entwurf "+lc.View.Call.Ref, data))
	}
	if err != nil {
		return notDraft(err)
	}
	return a.redirect(c, "/ausschreibungen/"+lc.View.Call.Ref, "Die Ausschreibung ist veröffentlicht. Fassung 1 ist eingefroren.")
}

// NameOf returns the name of a committee candidate.
func (d callEditPage) NameOf(id int64) string {
	for _, c := range append(append([]calls.CommitteeCandidate(nil), d.Evaluators...), d.Openers...) {
		if c.UserID == id {
			return c.Name
		}
	}
	return fmt.Sprintf("Person %d", id)
}
