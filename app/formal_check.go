package app

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"kimibv/models/bids"
	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/evaluation"
	"kimibv/models/rules"
	"kimibv/templates"
)

// formalChecksPage is the overview of the formal check of a call.
type formalChecksPage struct {
	Call     *calls.CallHeader
	Rows     []evaluation.FormalRow
	Deadline string
	Base     string
}

// formalChecks lists the opened bids with their formal outcome.
func (a *App) formalChecks(c echo.Context) error {
	id, v, err := a.callVault(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	rows, d, err := evaluation.FormalOverview(ctx, a.db, v, actor(c), core.CallScope{Tenant: tenant(c).ID, Call: id}, a.now())
	if err != nil {
		return err
	}
	h, err := calls.LeadCallHeader(ctx, a.db, actor(c), core.CallScope{Tenant: tenant(c).ID, Call: id})
	if err != nil {
		return err
	}
	p := formalChecksPage{Call: h, Rows: rows, Base: procBase(c, id)}
	if d != nil {
		p.Deadline = core.FormatDateTime(*d)
	}
	return a.show(c, "formal_checks", "Formale Prüfung – "+h.Ref, p)
}

// formalCheckPage is the checklist of one bid.
type formalCheckPage struct {
	View *evaluation.FormalBidView
	Base string // the bid's address
	List string // the overview
}

// DocName returns the name of a required document of the bid's call version.
func (p formalCheckPage) DocName(key string) string {
	for _, d := range p.View.Content.RequiredDocs {
		if d.Key == key {
			return d.Name
		}
	}
	return key
}

// Deadline returns the call's request deadline as text ("" before the first request).
func (p formalCheckPage) Deadline() string {
	if p.View.RequestDeadline == nil {
		return ""
	}
	return core.FormatDateTime(*p.View.RequestDeadline)
}

// loadFormalCheck loads the view of the bid in the path.
func (a *App) loadFormalCheck(c echo.Context) (formalCheckPage, error) {
	p, err := a.callBidParams(c)
	if err != nil {
		return formalCheckPage{}, err
	}
	fv, err := evaluation.FormalCheckOf(c.Request().Context(), a.db, p.vault, actor(c), core.CallScope{Tenant: tenant(c).ID, Call: p.call}, p.bid, a.now())
	if err != nil {
		return formalCheckPage{}, err
	}
	list := procBase(c, p.call) + "/pruefung"
	return formalCheckPage{View: fv, Base: fmt.Sprintf("%s/%d", list, p.bid), List: list}, nil
}

func formalTitle(p formalCheckPage) string { return "Formale Prüfung – " + p.View.Bid.OrgName }

// formalCheck shows the checklist with the stored assessment.
func (a *App) formalCheck(c echo.Context) error {
	p, err := a.loadFormalCheck(c)
	if err != nil {
		return err
	}
	values := url.Values{"decision": {"save"}}
	for _, it := range p.View.Items {
		if it.Met {
			values.Set("met_"+it.Key, "1")
		}
		values.Set("remark_"+it.Key, it.Remark)
	}
	pg := a.page(c, formalTitle(p), p)
	pg.Form = templates.NewForm(values, nil)
	return a.render(c, 200, "formal_check", pg)
}

// formalInput reads the checklist form.
func formalInput(values url.Values, items []rules.CheckItem) evaluation.FormalInput {
	in := evaluation.FormalInput{Items: map[string]rules.ItemAssessment{}, Decision: rules.FormalDecision(values.Get("decision")), Reason: strings.TrimSpace(values.Get("reason"))}
	for _, it := range items {
		in.Items[it.Key] = rules.ItemAssessment{Met: values.Get("met_"+it.Key) != "", Remark: strings.TrimSpace(values.Get("remark_" + it.Key))}
	}
	return in
}

// saveFormalCheck stores the checklist and the decision.
func (a *App) saveFormalCheck(c echo.Context) error {
	p, err := a.loadFormalCheck(c)
	if err != nil {
		return err
	}
	values := formValues(c)
	err = evaluation.SaveFormalCheck(c.Request().Context(), a.db, actor(c), core.CallScope{Tenant: tenant(c).ID, Call: p.View.Call.ID}, p.View.Bid.BidID, formalInput(values, p.View.Items), a.now())
	if _, ok := core.AsValidation(err); ok {
		return a.invalid(c, "formal_check", formalTitle(p), p, values, err)
	}
	if err != nil {
		return refusal(err)
	}
	msg := map[string]string{"admit": "Die Interessenbekundung ist zugelassen.", "exclude": "Die Interessenbekundung ist ausgeschlossen."}[values.Get("decision")]
	if msg == "" {
		msg = "Die Prüfliste wurde gespeichert."
	}
	return a.redirect(c, p.Base, msg)
}

// requestDocuments sends a Nachforderung.
func (a *App) requestDocuments(c echo.Context) error {
	p, err := a.loadFormalCheck(c)
	if err != nil {
		return err
	}
	values := formValues(c)
	in := evaluation.DocRequestInput{DocKeys: values["docs"], Message: strings.TrimSpace(values.Get("message")), Deadline: values.Get("deadline")}
	err = evaluation.RequestDocuments(c.Request().Context(), a.db, actor(c), core.CallScope{Tenant: tenant(c).ID, Call: p.View.Call.ID}, p.View.Bid.BidID, in, a.now())
	if _, ok := core.AsValidation(err); ok {
		return a.invalid(c, "formal_check", formalTitle(p), p, values, err)
	}
	if err != nil {
		return refusal(err)
	}
	return a.redirect(c, p.Base, "Die Nachforderung wurde an den Träger gesendet (Postfach und E-Mail).")
}

// correctExclusion records a correction of an exclusion.
func (a *App) correctExclusion(c echo.Context) error {
	p, err := a.loadFormalCheck(c)
	if err != nil {
		return err
	}
	values := formValues(c)
	err = evaluation.CorrectExclusion(c.Request().Context(), a.db, actor(c), core.CallScope{Tenant: tenant(c).ID, Call: p.View.Call.ID}, p.View.Bid.BidID, strings.TrimSpace(values.Get("correction")), a.now())
	if _, ok := core.AsValidation(err); ok {
		return a.invalid(c, "formal_check", formalTitle(p), p, values, err)
	}
	if err != nil {
		return refusal(err)
	}
	return a.redirect(c, p.Base, "Der Korrekturvermerk wurde gespeichert; die Interessenbekundung ist zugelassen.")
}

// formalFile streams a file of an opened bid to the lead (through ReadBids).
func (a *App) formalFile(c echo.Context) error {
	key, err := docKey(c)
	if err != nil {
		return err
	}
	p, err := a.callBidParams(c)
	if err != nil {
		return err
	}
	ob, err := bids.ReadBids(c.Request().Context(), a.db, p.vault, actor(c), p.call, a.now())
	if err != nil {
		return err
	}
	if !actor(c).HasTenantRole(tenant(c).ID, core.RoleLead) {
		return echo.ErrNotFound
	}
	r, f, err := ob.OpenFile(c.Request().Context(), p.bid, key)
	if err != nil {
		return err
	}
	defer r.Close()
	return a.sendFile(c, f, r)
}

// answerFile streams an answer to a document request to the lead.
func (a *App) answerFile(c echo.Context) error {
	ans, err := pathID(c, "answer")
	if err != nil {
		return err
	}
	p, err := a.callBidParams(c)
	if err != nil {
		return err
	}
	r, f, err := evaluation.OpenAnswerFile(c.Request().Context(), a.db, p.vault, actor(c), core.CallScope{Tenant: tenant(c).ID, Call: p.call}, p.bid, ans, a.now())
	if err != nil {
		return err
	}
	defer r.Close()
	return a.sendFile(c, f, r)
}
