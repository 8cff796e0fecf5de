package app

import (
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"kimibv/models/accounts"
	"kimibv/models/core"
)

// accountData is the account overview: the user's Kreise and organisations with roles.
type accountData struct {
	Memberships []accounts.Membership
	Sessions    []accounts.UserSession // the user's running logins, this one marked
	Idle        string                 // the idle timeout and absolute lifetime, in words
	Lifetime    string
}

// account shows the logged-in user's account overview.
func (a *App) account(c echo.Context) error {
	ms, err := accounts.AccountMemberships(c.Request().Context(), a.db, actor(c))
	if err != nil {
		return err
	}
	ss, err := accounts.ActiveSessions(c.Request().Context(), a.db, actor(c), a.currentSessionRow(c), a.sessionLimits())
	if err != nil {
		return err
	}
	return a.show(c, "account", "Mein Konto", accountData{Memberships: ms, Sessions: ss,
		Idle: germanDuration(a.cfg.SessionIdle), Lifetime: germanDuration(a.cfg.SessionLifetime)})
}

// passwordForm shows the form to change the password.
func (a *App) passwordForm(c echo.Context) error {
	return a.show(c, "account_password", "Passwort ändern", nil)
}

// changePassword sets a new password, rotates the session token and ends the user's
// other sessions (session epoch).
func (a *App) changePassword(c echo.Context) error {
	values := formValues(c)
	ctx := c.Request().Context()
	err := accounts.ChangePassword(ctx, a.db, actor(c), values.Get("current_password"), values.Get("new_password"), values.Get("new_password_confirm"))
	if _, ok := core.AsValidation(err); ok {
		return a.invalid(c, "account_password", "Passwort ändern", nil, withoutPasswords(values), err)
	}
	if err != nil {
		return err
	}
	if err := a.sessions.RenewToken(ctx); err != nil {
		return err
	}
	// The change ended every other session (new epoch); this one carries the new epoch.
	me, err := accounts.LoadActor(ctx, a.db, actor(c).UserID)
	if err != nil {
		return err
	}
	a.sessions.Put(ctx, sessionEpochKey, me.SessionEpoch)
	if err := accounts.KeepSessionAfterEpoch(ctx, a.db, a.currentSessionRow(c), me.UserID, me.SessionEpoch); err != nil {
		return err
	}
	// The session's row stays (a confirmed second factor stays confirmed); the current
	// password was just given, a proof of identity (R29).
	if err := a.markSession(c, false); err != nil {
		return err
	}
	return a.redirect(c, "/konto", "Ihr Passwort wurde geändert. Andere Anmeldungen Ihres Kontos wurden beendet.")
}

// withoutPasswords returns the form values without any password field, so that a
// re-rendered form never echoes a password.
func withoutPasswords(values url.Values) url.Values {
	out := url.Values{}
	for k, v := range values {
		switch k {
		case "password", "password_confirm", "current_password", "new_password", "new_password_confirm":
		default:
			out[k] = v
		}
	}
	return out
}

// germanDuration says a session limit in words ("2 Stunden", "30 Minuten").
func germanDuration(d time.Duration) string {
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		return core.Quantity(int(d/time.Hour), "Stunde", "Stunden")
	default:
		return core.Quantity(int(d.Round(time.Minute)/time.Minute), "Minute", "Minuten")
	}
}
