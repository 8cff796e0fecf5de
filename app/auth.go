package app

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"kimibv/models/accounts"
	"kimibv/models/core"
)

// loginData is the login page's data.
type loginData struct{ Next string }

// msgLoginFailed is deliberately the same for unknown addresses, wrong passwords and locked accounts.
const msgLoginFailed = "E-Mail-Adresse oder Passwort sind nicht korrekt, oder das Konto ist nach mehreren Fehlversuchen vorübergehend gesperrt. Bitte versuchen Sie es in einigen Minuten erneut oder setzen Sie Ihr Passwort zurück."

// loginForm shows the login page.
func (a *App) loginForm(c echo.Context) error {
	if actor(c) != nil {
		return c.Redirect(http.StatusSeeOther, afterLogin(c.QueryParam("next")))
	}
	return a.show(c, "login", "Anmelden", loginData{Next: safeNext(c.QueryParam("next"))})
}

// login checks the credentials, rotates the session token and remembers the user.
func (a *App) login(c echo.Context) error {
	values := formValues(c)
	data := loginData{Next: safeNext(values.Get("next"))}
	values.Del("password")
	if v := loginMissing(values.Get("email"), c.FormValue("password")); v != nil {
		return a.invalid(c, "login", "Anmelden", data, values, v)
	}
	u, err := accounts.Authenticate(c.Request().Context(), a.db, values.Get("email"), c.FormValue("password"), a.now())
	if errors.Is(err, core.ErrInvalidCredentials) || errors.Is(err, core.ErrLocked) {
		v := &core.ValidationError{}
		v.Add("email", "login_failed", msgLoginFailed)
		return a.invalid(c, "login", "Anmelden", data, values, v)
	}
	if blocked := a.loginBlocked(c, u, err); blocked != "" {
		v := &core.ValidationError{}
		v.Add("email", "login_blocked", blocked)
		return a.invalid(c, "login", "Anmelden", data, values, v)
	}
	if err != nil {
		return err
	}
	if err := a.startSession(c, u.ID, u.SessionEpoch); err != nil {
		return err
	}
	return a.redirect(c, afterLogin(data.Next), "Sie sind angemeldet.")
}

// loginBlocked returns the message for a right password that may not log in: an
// unconfirmed address (a new link is mailed when the old ones expired) or an account
// whose organisations are all locked. "" otherwise.
func (a *App) loginBlocked(c echo.Context, u accounts.User, err error) string {
	switch {
	case errors.Is(err, accounts.ErrEmailUnconfirmed):
		sent, rerr := accounts.ResendEmailConfirmation(c.Request().Context(), a.db, u.ID, a.cfg.BaseURL, a.now())
		if rerr != nil {
			c.Logger().Error(rerr)
		}
		msg := "Ihre E-Mail-Adresse ist noch nicht bestätigt. Bitte öffnen Sie den Link aus der E-Mail, die wir Ihnen nach der Registrierung geschickt haben."
		if sent {
			msg += " Da der bisherige Link abgelaufen ist, haben wir Ihnen soeben einen neuen geschickt (48 Stunden gültig)."
		}
		return msg
	case errors.Is(err, accounts.ErrUserLocked):
		return a.msgUserLocked()
	case errors.Is(err, accounts.ErrOrgLocked):
		return "Ihre Organisation ist gesperrt. Bitte wenden Sie sich an den Betrieb von kimibv (" + a.cfg.ContactEmail + ")."
	}
	return ""
}

// logout ends the session.
func (a *App) logout(c echo.Context) error {
	if err := a.sessions.Destroy(c.Request().Context()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/")
}

// loginMissing names the empty fields of the login form, so that an empty form does not
// count as a failed login.
func loginMissing(email, password string) *core.ValidationError {
	v := &core.ValidationError{}
	if strings.TrimSpace(email) == "" {
		v.Add("email", "required", "Bitte geben Sie Ihre E-Mail-Adresse an.")
	}
	if password == "" {
		v.Add("password", "required", "Bitte geben Sie Ihr Passwort an.")
	}
	if len(v.Fields) == 0 {
		return nil
	}
	return v
}
