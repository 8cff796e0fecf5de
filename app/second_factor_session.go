package app

import (
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"kimibv/models/core"
)

// freshProofAge is how long a proof of identity (password or code) counts as fresh for
// the opening, the decision and role changes (rules.md R29); older proofs are asked again.
const freshProofAge = 15 * time.Minute

// ctxProofs holds the session row's proofs read by loadActor.
const ctxProofs = "session_proofs"

// ctxProvedAtLogin marks a login's request: when its new session row is written, the
// login counts as its first proof of identity (proveOnCommit).
const ctxProvedAtLogin = "proved_at_login"

// ctxKeepSecondFactor marks a request that rotates the token of a session which had
// confirmed the second factor (a password change): the new row keeps it (proveOnCommit).
const ctxKeepSecondFactor = "keep_second_factor"

// Addresses of the second factor's pages.
const (
	secondFactorCodePath   = "/anmelden/zweiter-faktor"
	secondFactorEnrolPath  = "/konto/zweiter-faktor"
	reauthenticatePath     = "/anmelden/bestaetigen"
	secondFactorQRCodePath = "/konto/zweiter-faktor/qr.png"
)

// sessionProofs are the session row's times of the second factor and of the last proof
// of identity (the login itself, or a later password or code); they follow the wall clock,
// as the session's lifetime does, not the application clock that tests move.
type sessionProofs struct {
	SecondFactor bool // the session confirmed the second factor
	Fresh        bool // the last proof is younger than freshProofAge
}

// loadProofs reads the proofs of the request's session row (once per request).
func (a *App) loadProofs(c echo.Context) (sessionProofs, error) {
	if p, ok := c.Get(ctxProofs).(sessionProofs); ok {
		return p, nil
	}
	var row struct {
		SecondFactorAt sql.NullTime
		Fresh          bool
	}
	token := a.sessions.Token(c.Request().Context())
	if token != "" {
		err := a.db.WithContext(c.Request().Context()).Raw(`SELECT second_factor_at, coalesce(proved_at > now() - make_interval(secs => ?), false) AS fresh
			FROM sessions WHERE token = ?`, freshProofAge.Seconds(), token).Scan(&row).Error
		if err != nil {
			return sessionProofs{}, fmt.Errorf("session proofs: %w", err)
		}
	}
	p := sessionProofs{SecondFactor: row.SecondFactorAt.Valid, Fresh: row.Fresh}
	c.Set(ctxProofs, p)
	return p, nil
}

// proveOnCommit records the login (or a password change) as a proof of identity in the
// session row of token, which loadSession has just written (the row does not exist before
// the answer, as both rotate the token); a confirmed second factor is carried over.
func (a *App) proveOnCommit(c echo.Context, token string) {
	if done, _ := c.Get(ctxProvedAtLogin).(bool); !done {
		return
	}
	q := `UPDATE sessions SET proved_at = now() WHERE token = ?`
	if keep, _ := c.Get(ctxKeepSecondFactor).(bool); keep {
		q = `UPDATE sessions SET proved_at = now(), second_factor_at = now() WHERE token = ?`
	}
	if err := a.db.WithContext(c.Request().Context()).Exec(q, token).Error; err != nil {
		a.log.Error("record the login's proof", "err", err)
	}
}

// markSession records in the session row a proof of identity given now, and with
// secondFactor that the session confirmed the second factor.
func (a *App) markSession(c echo.Context, secondFactor bool) error {
	q := `UPDATE sessions SET proved_at = now() WHERE token = ?`
	if secondFactor {
		q = `UPDATE sessions SET proved_at = now(), second_factor_at = now() WHERE token = ?`
	}
	if err := a.db.WithContext(c.Request().Context()).Exec(q, a.sessions.Token(c.Request().Context())).Error; err != nil {
		return fmt.Errorf("mark session: %w", err)
	}
	return nil
}

// withholdWithoutSecondFactor takes the guarded roles from act unless the session
// confirmed the second factor (R29); loadActor calls it for every logged-in request.
func (a *App) withholdWithoutSecondFactor(c echo.Context, act *core.Actor) error {
	if !act.NeedsSecondFactor() {
		return nil
	}
	p, err := a.loadProofs(c)
	if err != nil {
		return err
	}
	if !p.SecondFactor {
		act.WithholdGuarded()
	}
	return nil
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
		p, err := a.loadProofs(c)
		if err != nil {
			return err
		}
		if p.Fresh {
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
