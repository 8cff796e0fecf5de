package app

import (
	"github.com/labstack/echo/v4"

	"kimibv/models/accounts"
)

// sessionRowKey is the session key holding the id of the session's row in user_sessions
// (the list on the account page); a session whose row is gone ends (loadActor).
const sessionRowKey = "session_row"

// sessionLimits are the configured idle timeout and absolute lifetime of a session.
func (a *App) sessionLimits() accounts.SessionLimits {
	return accounts.SessionLimits{Idle: a.cfg.SessionIdle, Lifetime: a.cfg.SessionLifetime}
}

// openSession rotates the session token (no fixation) and logs userID in with the
// session epoch it has now, recording the login for the user's list of sessions (proved:
// the login itself proved the identity, rules.md R29).
func (a *App) openSession(c echo.Context, userID, epoch int64, proved bool) error {
	ctx := c.Request().Context()
	if err := a.sessions.RenewToken(ctx); err != nil {
		return err
	}
	row, err := accounts.StartSession(ctx, a.db, userID, epoch, c.Request().UserAgent(), c.RealIP(), a.sessionLimits(), proved)
	if err != nil {
		return err
	}
	a.sessions.Put(ctx, sessionUserKey, userID)
	a.sessions.Put(ctx, sessionEpochKey, epoch)
	a.sessions.Put(ctx, sessionRowKey, row)
	return nil
}

// currentSessionRow returns the id of this session's row (0 when anonymous).
func (a *App) currentSessionRow(c echo.Context) int64 {
	return a.sessions.GetInt64(c.Request().Context(), sessionRowKey)
}

// endSession ends another session of the logged-in user (the form on the account page).
func (a *App) endSession(c echo.Context) error {
	id, err := pathID(c, "session")
	if err != nil {
		return err
	}
	if err := accounts.EndSession(c.Request().Context(), a.db, actor(c), id, a.currentSessionRow(c)); err != nil {
		return err
	}
	return a.redirect(c, "/konto", "Die Anmeldung wurde beendet.")
}

// msgUserLocked is the login refusal for an account the operator locked.
func (a *App) msgUserLocked() string {
	return "Ihr Konto ist gesperrt. Bitte wenden Sie sich an den Betrieb von kimibv (" + a.cfg.ContactEmail + ")."
}
