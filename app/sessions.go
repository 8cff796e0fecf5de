package app

import (
	"strconv"

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
// session epoch it has now, recording the login for the user's list of sessions.
func (a *App) openSession(c echo.Context, userID, epoch int64) error {
	ctx := c.Request().Context()
	if err := a.sessions.RenewToken(ctx); err != nil {
		return err
	}
	row, err := accounts.StartSession(ctx, a.db, userID, epoch, c.Request().UserAgent(), c.RealIP(), a.sessionLimits())
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
	id, err := strconv.ParseInt(c.Param("session"), 10, 64)
	if err != nil || id <= 0 {
		return echo.ErrNotFound
	}
	if err := accounts.EndSession(c.Request().Context(), a.db, actor(c), id, a.currentSessionRow(c)); err != nil {
		return err
	}
	return a.redirect(c, "/konto", "Die Anmeldung wurde beendet.")
}

// sessionGone reports whether the logged-in session's row was ended (by the user on
// another device, a lock or a role removal): such a session is logged out.
func (a *App) sessionGone(c echo.Context, userID int64) (bool, error) {
	alive, err := accounts.SessionAlive(c.Request().Context(), a.db, a.currentSessionRow(c), userID)
	return !alive, err
}

// msgUserLocked is the login refusal for an account the operator locked.
func (a *App) msgUserLocked() string {
	return "Ihr Konto ist gesperrt. Bitte wenden Sie sich an den Betrieb von kimibv (" + a.cfg.ContactEmail + ")."
}
