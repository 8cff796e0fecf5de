package app

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"kimibv/models/calls"
	"kimibv/models/consultation"
	"kimibv/models/core"
	"kimibv/models/rules"
	"kimibv/templates"
)

// leadConsultationPage is the data of the lead's Beteiligung page: the opening form while
// there is none, else the statements with their response forms and the Abwägung.
type leadConsultationPage struct {
	Call       *calls.CallHeader
	Base       string // this call's admin address
	V          *consultation.View
	Candidates []consultation.Candidate
	Editing    int64 // the statement whose response form shows the submitted values
	Running    bool
	CanWeigh   bool
	F          fmtr
}

// loadLeadConsultation loads the lead's page data for the call of :call.
func (a *App) loadLeadConsultation(c echo.Context) (*leadConsultationPage, core.CallScope, error) {
	id, err := callID(c)
	if err != nil {
		return nil, core.CallScope{}, err
	}
	ctx, act, t, now := c.Request().Context(), actor(c), tenant(c), a.now()
	scope := core.CallScope{Tenant: t.ID, Call: id}
	lc, err := calls.LeadCallByID(ctx, a.db, act, scope) // drafts too: the Beteiligung precedes the publication
	if err != nil {
		return nil, scope, err
	}
	h := calls.HeaderOf(lc.View.Call)
	d := &leadConsultationPage{Call: h, Base: fmt.Sprintf("%s/%d", callsBase(c), h.ID)}
	if d.V, err = consultation.OfCall(ctx, a.db, scope); err != nil {
		return nil, scope, err
	}
	if d.V == nil {
		d.Candidates, err = consultation.Candidates(ctx, a.db, t.ID)
		return d, scope, err
	}
	d.Running = d.V.Running(now)
	d.CanWeigh = d.V.Ended(now) && d.V.Unanswered == 0 && d.V.WeighedAt == nil
	return d, scope, nil
}

// leadConsultation shows the lead's Beteiligung page.
func (a *App) leadConsultation(c echo.Context) error {
	d, _, err := a.loadLeadConsultation(c)
	if err != nil {
		return err
	}
	return a.show(c, "consultation_lead", "Beteiligung – "+d.Call.Ref, d)
}

// openConsultation puts the draft to the Beteiligung.
func (a *App) openConsultation(c echo.Context) error {
	d, scope, err := a.loadLeadConsultation(c)
	if err != nil {
		return err
	}
	form := formValues(c)
	in := consultation.OpenInput{StartsAt: form.Get("starts_at"), EndsAt: form.Get("ends_at"), Orgs: ids(form["orgs"])}
	// Only an opening the use case would accept is confirmed first; anything else goes on
	// to Open, which refuses it with the field's message.
	if d.V == nil && consultation.CheckOpen(c.Request().Context(), a.db, actor(c), scope, in, a.now()) == nil {
		if ask, err := a.askConfirmation(c, openConsultationAct(d, form)); ask {
			return err
		}
	}
	_, err = consultation.Open(c.Request().Context(), a.db, actor(c), scope, in, a.docs, a.cfg.BaseURL, a.now())
	if _, ok := core.AsValidation(err); ok {
		return a.invalid(c, "consultation_lead", "Beteiligung – "+d.Call.Ref, d, form, err)
	}
	if err != nil {
		return err
	}
	return a.redirect(c, d.Base+"/beteiligung", "Die Beteiligung ist eröffnet. Die eingeladenen Organisationen wurden im Postfach und per E-Mail benachrichtigt.")
}

// openConsultationAct describes the opening of a Beteiligung for its confirmation page.
func openConsultationAct(d *leadConsultationPage, form url.Values) finalAct {
	chosen := ids(form["orgs"])
	var names []string
	for _, o := range d.Candidates {
		if slices.Contains(chosen, o.ID) {
			names = append(names, o.Name)
		}
	}
	return finalAct{Title: "Beteiligung eröffnen", Button: "Beteiligung jetzt eröffnen", Back: d.Base + "/beteiligung",
		Intro: fmt.Sprintf("Sie stellen den Entwurf von %s (%s) zur Beteiligung.", d.Call.Title, d.Call.Ref),
		Final: []string{"Der Entwurf wird so, wie er jetzt ist, als Fassung der Beteiligung festgehalten und als PDF mit Prüfwert ausgestellt; er ist öffentlich.",
			"Die eingeladenen Organisationen werden sofort im Postfach und per E-Mail benachrichtigt. Zeitraum und Eingeladene lassen sich danach nicht mehr ändern; zu einem Entwurf gibt es nur eine Beteiligung."},
		Rows: [][2]string{{"Beginn", typedTime(form.Get("starts_at"))}, {"Ende", typedTime(form.Get("ends_at"))}, {"Eingeladen", strings.Join(names, ", ")}}}
}

// typedTime writes a date-and-time field as typed in German form (Europe/Berlin).
func typedTime(s string) string {
	t, _, msg := rules.ParseDateTimeInput(s)
	if msg != "" {
		return s
	}
	return rules.FormatDateTimeZone(t)
}

// respondStatement records the lead's response to the statement of :st.
func (a *App) respondStatement(c echo.Context) error {
	d, scope, err := a.loadLeadConsultation(c)
	if err != nil {
		return err
	}
	st, err := pathID(c, "st")
	if err != nil || d.V == nil {
		return echo.ErrNotFound
	}
	form := formValues(c)
	err = consultation.Respond(c.Request().Context(), a.db, actor(c), scope, st,
		consultation.ResponseInput{Outcome: form.Get("outcome"), Reason: form.Get("reason")})
	if _, ok := core.AsValidation(err); ok {
		d.Editing = st
		p := a.page(c, "Beteiligung – "+d.Call.Ref, d)
		p.Form = templates.NewForm(form, err)
		return a.render(c, http.StatusUnprocessableEntity, "consultation_lead", p)
	}
	if err != nil {
		return err
	}
	return a.redirect(c, fmt.Sprintf("%s/beteiligung#stellungnahme-%d", d.Base, st), "Die Antwort ist gespeichert und öffentlich.")
}

// weighConsultation issues the Abwägung.
func (a *App) weighConsultation(c echo.Context) error {
	d, scope, err := a.loadLeadConsultation(c)
	if err != nil {
		return err
	}
	if err := consultation.Weigh(c.Request().Context(), a.db, actor(c), scope, a.docs, a.cfg.BaseURL, a.now()); err != nil {
		return err
	}
	return a.redirect(c, d.Base+"/beteiligung", "Die Abwägung ist veröffentlicht. Die eingeladenen Organisationen wurden benachrichtigt. Sie können die Ausschreibung jetzt veröffentlichen.")
}
