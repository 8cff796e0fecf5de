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
	"kimibv/models/rules"
	"kimibv/templates"
)

// amendPage is the data of the amendment form and its confirmation step.
type amendPage struct {
	Call        *calls.CallHeader
	Base        string // this call's admin address
	Href        string // public address
	Rows        callRows
	Preview     *calls.AmendmentPreview
	Values      url.Values // the submitted form, carried through the confirmation step
	MinLeftDays int
	F           fmtr
}

// amendTitle is the title of the amendment pages.
func amendTitle(h *calls.CallHeader) string { return "Änderungsbekanntmachung – " + h.Ref }

// loadAmendCall loads the call of :call for its lead; a call that cannot be amended any
// more (cancelled) gets the 409 page with the reason.
func (a *App) loadAmendCall(c echo.Context, action string) (amendPage, error) {
	return a.loadLeadCallIf(c, func(s rules.CallState) error { return rules.AmendmentBlocked(s, action) })
}

// loadCancelCall loads the call of :call for its lead if it can still be cancelled
// (every state from the publication up to 'notified'); else the 409 page with the reason.
func (a *App) loadCancelCall(c echo.Context) (amendPage, error) {
	return a.loadLeadCallIf(c, rules.CancelBlocked)
}

// loadLeadCallIf loads the call of :call for its lead; blocked explains a state that
// does not allow the action (409 page).
func (a *App) loadLeadCallIf(c echo.Context, blocked func(rules.CallState) error) (amendPage, error) {
	id, err := callID(c)
	if err != nil {
		return amendPage{}, err
	}
	h, err := calls.LeadCallHeader(c.Request().Context(), a.db, actor(c), core.CallScope{Tenant: tenant(c).ID, Call: id})
	if err != nil {
		return amendPage{}, err
	}
	if err := blocked(h.State); err != nil {
		return amendPage{}, conflictPage(err)
	}
	return amendPage{Call: h, Base: fmt.Sprintf("%s/%d", callsBase(c), h.ID), Href: "/ausschreibungen/" + h.Ref,
		MinLeftDays: int(rules.DefaultCallRules().MinAmendmentLead.Hours() / 24)}, nil
}

// amendForm shows the current version in the editor's fields with a reason field.
func (a *App) amendForm(c echo.Context) error {
	d, err := a.loadAmendCall(c, "Eine Änderungsbekanntmachung")
	if err != nil {
		return err
	}
	lc, err := calls.LeadCallByID(c.Request().Context(), a.db, actor(c), core.CallScope{Tenant: tenant(c).ID, Call: d.Call.ID})
	if err != nil {
		return err
	}
	values := formFromInput(rules.DraftInputFrom(lc.View.Content, rules.Committee{}))
	values.Set("version", strconv.Itoa(d.Call.CurrentVersion))
	d.Rows = rowsOf(values)
	d.Rows.Lots, d.Rows.Eligibility, d.Rows.Docs, d.Rows.Criteria, d.Rows.Scale =
		d.Rows.Lots+1, d.Rows.Eligibility+1, d.Rows.Docs+1, d.Rows.Criteria+1, d.Rows.Scale+1
	p := a.page(c, amendTitle(d.Call), d)
	p.Form = templates.NewForm(values, nil)
	return a.render(c, http.StatusOK, "call_amend", p)
}

// amend handles the amendment form: "add_…" adds an empty row, "check" (default) shows the
// changes for confirmation, "edit" goes back to the form, "publish" publishes version N+1.
func (a *App) amend(c echo.Context) error {
	d, err := a.loadAmendCall(c, "Eine Änderungsbekanntmachung")
	if err != nil {
		return err
	}
	values := formValues(c)
	action := values.Get("action")
	values.Del("action")
	values.Del("_loaded")
	d.Rows = rowsOf(values)
	d.Rows.Lots, d.Rows.Eligibility, d.Rows.Docs = max(d.Rows.Lots, 1), max(d.Rows.Eligibility, 1), max(d.Rows.Docs, 1)
	d.Rows.Criteria, d.Rows.Scale = max(d.Rows.Criteria, 1), max(d.Rows.Scale, 2)
	if list, ok := strings.CutPrefix(action, "add_"); ok || action == "edit" {
		grow := map[string]*int{"lot": &d.Rows.Lots, "eligibility": &d.Rows.Eligibility, "doc": &d.Rows.Docs, "criterion": &d.Rows.Criteria, "scale": &d.Rows.Scale}
		if n, ok := grow[list]; ok {
			*n++
		}
		p := a.page(c, amendTitle(d.Call), d)
		p.Form = templates.NewForm(values, nil)
		return a.render(c, http.StatusOK, "call_amend", p)
	}
	base, _ := strconv.Atoi(values.Get("version"))
	in := calls.AmendInput{Content: callInputFromForm(values), Reason: values.Get("reason"), BaseVersion: base}
	ctx, act, callRules := c.Request().Context(), actor(c), rules.DefaultCallRules()
	if action != "publish" {
		d.Preview, err = calls.PreviewAmendment(ctx, a.db, act, core.CallScope{Tenant: tenant(c).ID, Call: d.Call.ID}, in, callRules, a.now())
		if _, ok := core.AsValidation(err); ok {
			return a.invalid(c, "call_amend", amendTitle(d.Call), d, values, err)
		}
		if err != nil {
			return conflictPage(err)
		}
		d.Values = values
		return a.show(c, "call_amend_confirm", amendTitle(d.Call), d)
	}
	ver, err := calls.Amend(ctx, a.db, act, core.CallScope{Tenant: tenant(c).ID, Call: d.Call.ID}, in, callRules, a.cfg.BaseURL, a.now(), a.docs)
	if _, ok := core.AsValidation(err); ok {
		return a.invalid(c, "call_amend", amendTitle(d.Call), d, values, err)
	}
	if err != nil {
		return conflictPage(err)
	}
	flash := fmt.Sprintf("Die Änderungsbekanntmachung ist veröffentlicht: Fassung %d.", ver.Version)
	if ver.Material {
		flash += " Bereits abgegebene Interessenbekundungen müssen erneut bestätigt werden."
	}
	return a.redirect(c, fmt.Sprintf("%s/fassungen/%d/%d", d.Href, ver.Version-1, ver.Version), flash)
}

// cancelPage is the data of the cancellation form.
type cancelPage struct {
	Call *calls.CallHeader
	Base string
	Href string
	F    fmtr
}

// cancelForm asks for the reason of the cancellation.
func (a *App) cancelForm(c echo.Context) error {
	d, err := a.loadCancelCall(c)
	if err != nil {
		return err
	}
	return a.show(c, "call_cancel", "Aufhebung – "+d.Call.Ref, cancelPage{Call: d.Call, Base: d.Base, Href: d.Href})
}

// cancelCall cancels the call with the reason; it is shown on the public page at once.
func (a *App) cancelCall(c echo.Context) error {
	d, err := a.loadCancelCall(c)
	if err != nil {
		return err
	}
	err = calls.Cancel(c.Request().Context(), a.db, actor(c), core.CallScope{Tenant: tenant(c).ID, Call: d.Call.ID}, c.FormValue("reason"), a.cfg.BaseURL, a.now())
	if _, ok := core.AsValidation(err); ok {
		return a.invalid(c, "call_cancel", "Aufhebung – "+d.Call.Ref, cancelPage{Call: d.Call, Base: d.Base, Href: d.Href}, formValues(c), err)
	}
	if err != nil {
		return conflictPage(err)
	}
	return a.redirect(c, d.Href, "Die Ausschreibung ist aufgehoben. Die Begründung ist öffentlich sichtbar; die folgenden und die beteiligten Träger wurden benachrichtigt.")
}
