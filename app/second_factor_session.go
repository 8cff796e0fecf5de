package app

import (
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"kimibv/models/accounts"
	"kimibv/models/core"
)

// freshProofAge is how long a proof of identity (password or code) counts as fresh for
// the opening, the decision and role changes (rules.md R29); older proofs are asked again.
const freshProofAge = 15 * time.Minute

// ctxSessionState holds the session row's state (accounts.SessionState) read by loadActor.
const ctxSessionState = "session_state"

// Addresses of the second factor's pages.
const (
	secondFactorCodePath   = "/anmelden/zweiter-faktor"
	secondFactorEnrolPath  = "/konto/zweiter-faktor"
	reauthenticatePath     = "/anmelden/bestaetigen"
	secondFactorQRCodePath = "/konto/zweiter-faktor/qr.png"
)

// sessionState is the state of the request's session row as loadActor read it (the zero
// state for an anonymous request): its proofs follow the database clock, as the session's
// lifetime does, not the application clock that tests move.
func sessionState(c echo.Context) accounts.SessionState {
	st, _ := c.Get(ctxSessionState).(accounts.SessionState)
	return st
}

// markSession records in the session row a proof of identity given now, and with
// secondFactor that the session confirmed the second factor.
func (a *App) markSession(c echo.Context, secondFactor bool) error {
	return accounts.ProveSession(c.Request().Context(), a.db, a.currentSessionRow(c), secondFactor)
}

// withholdWithoutSecondFactor takes the guarded roles from act unless the session
// confirmed the second factor (R29); loadActor calls it for every logged-in request.
func withholdWithoutSecondFactor(act *core.Actor, st accounts.SessionState) {
	if act.NeedsSecondFactor() && !st.SecondFactor {
		act.WithholdGuarded()
	}
}

// askSecondFactor answers a request for a page of a withheld role: to the code page, or
// to the enrolment when the user has no second factor yet, and back afterwards (GET).
func (a *App) askSecondFactor(c echo.Context) error {
	to := secondFactorEnrolPath
	if actor(c).SecondFactorEnrolled {
		to = secondFactorCodePath
	}
	if c.Request().Method == http.MethodGet {
		to += "?next=" + url.QueryEscape(safeNext(c.Request().URL.RequestURI()))
	}
	return c.Redirect(http.StatusSeeOther, to)
}

// requireFreshProof guards the opening, the decision and role changes (R29): without a
// proof of identity within freshProofAge the request changes nothing and leads to the
// re-authentication page, which returns to the page the form was sent from.
func (a *App) requireFreshProof(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if sessionState(c).Fresh {
			return next(c)
		}
		back := c.Request().URL.Path
		if ref, err := url.Parse(c.Request().Referer()); err == nil && ref.Path != "" && c.Request().Referer() != "" {
			back = ref.RequestURI()
		}
		return a.redirect(c, reauthenticatePath+"?next="+url.QueryEscape(safeNext(back)),
			"Bitte bestätigen Sie zuerst Ihre Identität; danach senden Sie das Formular erneut ab.")
	}
}
