package app

import (
	"fmt"
	"strconv"

	"github.com/labstack/echo/v4"

	"kimibv/models/core"
	"kimibv/models/forwarding"
	"kimibv/models/rules"
)

// leadForwardingPage is the lead's forwarding page of an awarded call.
type leadForwardingPage struct {
	V        *forwarding.LeadView
	Base     string
	CallHref string
	F        fmtr
}

// leadScope is the Kreis and the :call of the address.
func leadScope(c echo.Context) (core.CallScope, error) {
	id, err := callID(c)
	if err != nil {
		return core.CallScope{}, err
	}
	return core.CallScope{Tenant: tenant(c).ID, Call: id}, nil
}

// loadLeadForwarding loads the forwarding of :call for the lead.
func (a *App) loadLeadForwarding(c echo.Context) (leadForwardingPage, error) {
	s, err := leadScope(c)
	if err != nil {
		return leadForwardingPage{}, err
	}
	v, err := forwarding.LoadLeadView(c.Request().Context(), a.db, actor(c), s, a.now())
	if err != nil {
		return leadForwardingPage{}, err
	}
	call := fmt.Sprintf("%s/%d", callsBase(c), s.Call)
	return leadForwardingPage{V: v, Base: call + "/weiterleitung", CallHref: call}, nil
}

// leadForwarding shows the selected providers, their contracts, posts and draw-downs.
func (a *App) leadForwarding(c echo.Context) error {
	d, err := a.loadLeadForwarding(c)
	if err != nil {
		return err
	}
	return a.show(c, "forwarding_lead", "Weiterleitung der Mittel – "+d.V.Ref, d)
}

// issueForwarding issues the contract to the provider :org, after the confirmation page.
func (a *App) issueForwarding(c echo.Context) error {
	d, err := a.loadLeadForwarding(c)
	if err != nil {
		return err
	}
	orgID, err := strconv.ParseInt(c.Param("org"), 10, 64)
	if err != nil || orgID <= 0 {
		return echo.ErrNotFound
	}
	for _, p := range d.V.Providers {
		if p.OrgID == orgID && p.Contract == nil {
			act := finalAct{Title: d.V.FormLabel() + " ausstellen", Button: d.V.FormLabel() + " jetzt ausstellen", Back: d.Base,
				Intro: "Sie stellen " + p.OrgName + " den " + d.V.FormLabel() + " über " + fmtFTE(p) + " VZÄ aus.",
				Final: []string{"Das PDF wird mit dem Prüfprotokoll-Kopf ausgestellt und in das Postfach des Trägers gelegt; es lässt sich nicht zurückholen.",
					"Der Träger kann erst nach seiner Annahme Mittel abrufen."}}
			if ask, err := a.askConfirmation(c, act); ask {
				return err
			}
		}
	}
	if _, err := forwarding.IssueContract(c.Request().Context(), a.db, actor(c), a.docs, core.CallScope{Tenant: tenant(c).ID, Call: d.V.CallID}, orgID, a.now()); err != nil {
		return err
	}
	return a.redirect(c, d.Base, "Der "+d.V.FormLabel()+" ist ausgestellt und liegt im Postfach des Trägers.")
}

// fmtFTE formats a provider's posts.
func fmtFTE(p forwarding.Provider) string { return rules.FormatFTE(p.FTE) }

// drawID reads :draw.
func drawID(c echo.Context) (int64, error) { return pathID(c, "draw") }

// decideDrawdown approves or refuses a Mittelabruf (decision "approve" or "refuse").
func (a *App) decideDrawdown(c echo.Context) error {
	s, err := leadScope(c)
	if err != nil {
		return err
	}
	id, err := drawID(c)
	if err != nil {
		return err
	}
	err = forwarding.DecideDrawdown(c.Request().Context(), a.db, actor(c), s, id, c.FormValue("decision"), c.FormValue("reason"), a.now())
	if _, ok := core.AsValidation(err); ok {
		d, lerr := a.loadLeadForwarding(c)
		if lerr != nil {
			return lerr
		}
		return a.invalid(c, "forwarding_lead", "Weiterleitung der Mittel – "+d.V.Ref, d, formValues(c), err)
	}
	if err != nil {
		return err
	}
	base := fmt.Sprintf("%s/%d/weiterleitung", callsBase(c), s.Call)
	if c.FormValue("decision") == forwarding.DecisionApprove {
		return a.redirect(c, base, "Der Mittelabruf ist bewilligt. Vermerken Sie die Auszahlung, sobald sie veranlasst ist.")
	}
	return a.redirect(c, base, "Der Mittelabruf ist abgelehnt; der Träger wurde mit Begründung benachrichtigt.")
}

// recordPayment records the payment of an approved Mittelabruf.
func (a *App) recordPayment(c echo.Context) error {
	s, err := leadScope(c)
	if err != nil {
		return err
	}
	id, err := drawID(c)
	if err != nil {
		return err
	}
	if err := forwarding.RecordPayment(c.Request().Context(), a.db, actor(c), s, id, a.now()); err != nil {
		return err
	}
	return a.redirect(c, fmt.Sprintf("%s/%d/weiterleitung", callsBase(c), s.Call), "Die Auszahlung ist vermerkt.")
}
