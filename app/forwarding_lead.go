package app

import (
	"fmt"

	"github.com/labstack/echo/v4"

	"kimibv/models/core"
	"kimibv/models/forwarding"
	"kimibv/models/rules"
)

// leadForwardingPage is the lead's forwarding page of an awarded call.
type leadForwardingPage struct {
	V           *forwarding.LeadView
	Base        string
	CallHref    string
	SummaryHref string // the Kreis's year summaries of the forwarding
	F           fmtr
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
	return leadForwardingPage{V: v, Base: call + "/weiterleitung", CallHref: call, SummaryHref: forwardingSummaryBase(c)}, nil
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
	orgID, err := pathID(c, "org")
	if err != nil {
		return err
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

// leadForwardingAct runs act on the record :param (a Mittelabruf or a Verwendungsnachweis)
// of the lead's call: refused input shows the forwarding page again with the messages and
// changes nothing; afterwards the lead returns to the page with the message done(). Every
// lead act on the forwarding page goes through it.
func (a *App) leadForwardingAct(c echo.Context, param string, act func(s core.CallScope, id int64) error, done func() string) error {
	s, err := leadScope(c)
	if err != nil {
		return err
	}
	id, err := pathID(c, param)
	if err != nil {
		return err
	}
	err = act(s, id)
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
	return a.redirect(c, fmt.Sprintf("%s/%d/weiterleitung", callsBase(c), s.Call), done())
}

// decideDrawdown approves or refuses a Mittelabruf (decision "approve" or "refuse").
func (a *App) decideDrawdown(c echo.Context) error {
	return a.leadForwardingAct(c, "draw", func(s core.CallScope, id int64) error {
		return forwarding.DecideDrawdown(c.Request().Context(), a.db, actor(c), s, id, c.FormValue("decision"), c.FormValue("reason"), a.now())
	}, func() string {
		if c.FormValue("decision") == forwarding.DecisionApprove {
			return "Der Mittelabruf ist bewilligt. Vermerken Sie die Auszahlung, sobald sie veranlasst ist."
		}
		return "Der Mittelabruf ist abgelehnt; der Träger wurde mit Begründung benachrichtigt."
	})
}

// recordPayment records the payment of an approved Mittelabruf.
func (a *App) recordPayment(c echo.Context) error {
	return a.leadForwardingAct(c, "draw", func(s core.CallScope, id int64) error {
		return forwarding.RecordPayment(c.Request().Context(), a.db, actor(c), s, id, a.now())
	}, func() string { return "Die Auszahlung ist vermerkt." })
}
