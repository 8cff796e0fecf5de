package app

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/evaluation"
	"kimibv/models/rules"
	"kimibv/templates"
)

// msgAlreadyPublished answers a publish or save of a call that is no longer a draft.
const msgAlreadyPublished = "Dieses Verfahren ist bereits veröffentlicht (vielleicht in einem anderen Fenster) und kann nicht mehr als Entwurf bearbeitet oder erneut veröffentlicht werden. Es wurde nichts verändert. Änderungen sind nur über eine begründete Änderungsbekanntmachung möglich."

// callID parses the :call parameter; anything else is 404.
func callID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("call"), 10, 64)
	if err != nil || id <= 0 {
		return 0, echo.ErrNotFound
	}
	return id, nil
}

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
	Call       calls.CallRow
	Rows       callRows
	Evaluators []calls.CommitteeCandidate
	Openers    []calls.CommitteeCandidate
	Committee  rules.Committee
	Base       string // this call's admin address
	Href       string // public address
	Problems   *core.ValidationError
	F          fmtr
	BidStatus  string                   // "Frist läuft" / "Frist abgelaufen – ungeöffnet": no count, no names (rules.md R2)
	Docs       evaluation.CallDocStatus // procedure pages and issued documents
	Stage      *rules.Stage             // the stepper of a published procedure (workarea.Stage)
	StepHref   string                   // the page of the next step, if any
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
	if id, err := callID(c); err == nil { // close lazily at the deadline (rules.md R14)
		if err := calls.CloseCallIfDue(c.Request().Context(), a.db, id, a.now()); err != nil {
			return err
		}
	}
	lc, err := a.loadLeadCall(c)
	if err != nil {
		return err
	}
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
	in := rules.DraftInputFrom(lc.View.Content, lc.Committee)
	values := formFromInput(in)
	data.Rows = rowsOf(values)
	extra := c.QueryParam("weitere")
	grow := func(n *int, key string) {
		*n++ // one empty row always
		if extra == key {
			*n++
		}
	}
	grow(&data.Rows.Lots, "lot")
	grow(&data.Rows.Eligibility, "eligibility")
	grow(&data.Rows.Docs, "doc")
	grow(&data.Rows.Criteria, "criterion")
	grow(&data.Rows.Scale, "scale")
	p := a.page(c, "Entwurf bearbeiten – "+lc.View.Call.Ref, data)
	p.Form = templates.NewForm(values, nil)
	return a.render(c, http.StatusOK, "call_edit", p)
}

// saveActions maps the editor's buttons to where the lead goes after saving.
var saveActions = map[string]string{
	"save": "", "add_lot": "?weitere=lot#lose", "add_eligibility": "?weitere=eligibility#voraussetzungen",
	"add_doc": "?weitere=doc#unterlagen", "add_criterion": "?weitere=criterion#kriterien", "add_scale": "?weitere=scale#skala",
	"preview": "/vorschau", "publish": "/veroeffentlichen",
}

// saveCall stores the draft; the button pressed decides where to continue.
func (a *App) saveCall(c echo.Context) error {
	lc, err := a.loadLeadCall(c)
	if err != nil {
		return err
	}
	values := formValues(c)
	next := saveActions[values.Get("action")]
	values.Del("action")
	in := callInputFromForm(values)
	err = calls.SaveDraft(c.Request().Context(), a.db, actor(c), core.CallScope{Tenant: tenant(c).ID, Call: lc.View.Call.ID}, in, a.now())
	if _, ok := core.AsValidation(err); ok {
		data := a.editData(c, lc)
		data.Rows = rowsOf(values)
		return a.invalid(c, "call_edit", "Entwurf bearbeiten – "+lc.View.Call.Ref, data, values, err)
	}
	if err != nil {
		return notDraft(err)
	}
	flash := "Der Entwurf wurde gespeichert."
	for _, s := range []string{in.QuestionsUntil, in.Deadline} {
		if _, note, _ := rules.ParseGermanDateTime(s); note != "" {
			flash += " " + note
		}
	}
	return a.redirect(c, fmt.Sprintf("%s/%d%s", callsBase(c), lc.View.Call.ID, next), flash)
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
		data := a.editData(c, lc)
		values := formFromInput(rules.DraftInputFrom(lc.View.Content, lc.Committee))
		data.Rows = rowsOf(values)
		data.Rows.Lots, data.Rows.Criteria = max(data.Rows.Lots, 1), max(data.Rows.Criteria, 1)
		data.Rows.Docs, data.Rows.Eligibility, data.Rows.Scale = max(data.Rows.Docs, 1), max(data.Rows.Eligibility, 1), max(data.Rows.Scale, 2)
		return a.invalid(c, "call_edit", "Entwurf bearbeiten – "+lc.View.Call.Ref, data, values, v)
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
