package app

import (
	"strconv"

	"github.com/labstack/echo/v4"

	"kimibv/models/core"
	"kimibv/models/evaluation"
	"kimibv/models/rules"
)

// committeePage is the lead's committee page of a call.
type committeePage struct {
	View *evaluation.CommitteeView
	Base string
}

// TieLabel returns the German label of a tie kind.
func (committeePage) TieLabel(t string) string { return rules.TieLabel(t) }

// committee shows evaluators, declarations, sheets and the warning for understaffed bids.
func (a *App) committee(c echo.Context) error {
	id, v, err := a.callVault(c)
	if err != nil {
		return err
	}
	cv, err := evaluation.LeadCommittee(c.Request().Context(), a.db, v, actor(c), core.CallScope{Tenant: tenant(c).ID, Call: id}, a.now())
	if err != nil {
		return err
	}
	return a.show(c, "committee", "Bewertungsgremium – "+cv.Call.Ref, committeePage{View: cv, Base: procBase(c, id)})
}

// addEvaluator adds a Kreis evaluator to the committee.
func (a *App) addEvaluator(c echo.Context) error {
	id, err := callID(c)
	if err != nil {
		return err
	}
	values := formValues(c)
	userID, _ := strconv.ParseInt(values.Get("user"), 10, 64)
	err = evaluation.AddEvaluator(c.Request().Context(), a.db, actor(c), core.CallScope{Tenant: tenant(c).ID, Call: id}, userID, a.now())
	if _, ok := core.AsValidation(err); ok {
		v, verr := a.vault()
		if verr != nil {
			return verr
		}
		cv, lerr := evaluation.LeadCommittee(c.Request().Context(), a.db, v, actor(c), core.CallScope{Tenant: tenant(c).ID, Call: id}, a.now())
		if lerr != nil {
			return lerr
		}
		return a.invalid(c, "committee", "Bewertungsgremium – "+cv.Call.Ref, committeePage{View: cv, Base: procBase(c, id)}, values, err)
	}
	if err != nil {
		return refusal(err)
	}
	return a.redirect(c, procBase(c, id)+"/gremium", "Das Mitglied wurde benannt und per E-Mail informiert. Es erklärt vor der Bewertung seine Verbindungen.")
}
