package app

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"kimibv/models/accounts"
	"kimibv/models/core"
	"kimibv/models/sso"
)

// loginData is the login page's data: where to go after the login, the Kreise whose staff
// may sign on through their provider, and why such a sign-on was refused.
type loginData struct {
	Next       string
	SSO        []sso.Kreis
	SSOMessage string
}

// msgLoginFailed is deliberately the same for unknown addresses, wrong passwords and locked accounts.
const msgLoginFailed = "E-Mail-Adresse oder Passwort sind nicht korrekt, oder das Konto ist nach mehreren Fehlversuchen vorübergehend gesperrt. Bitte versuchen Sie es in einigen Minuten erneut oder setzen Sie Ihr Passwort zurück."

// loginForm shows the login page.
func (a *App) loginForm(c echo.Context) error {
	if actor(c) != nil {
		return c.Redirect(http.StatusSeeOther, afterLogin(c.QueryParam("next")))
	}
	return a.show(c, "login", "Anmelden", a.loginPageData(c, c.QueryParam("next")))
}

// login checks the credentials, rotates the session token and remembers the user.
func (a *App) login(c echo.Context) error {
	values := formValues(c)
	data := a.loginPageData(c, values.Get("next"))
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
	return a.startSession(c, u, data.Next, "Sie sind angemeldet.")
}

// startSession begins the session of u after a successful first step (password, or the
// identity provider's login): it rotates the session token and remembers the user. The
// session is "password only" (rules.md R29): a user whose roles need the second factor,
// or who enrolled one, is sent to the code page or, not yet enrolled, to the enrolment;
// any other user goes on to next with the message done.
func (a *App) startSession(c echo.Context, u accounts.User, next, done string) error {
	ctx := c.Request().Context()
	if err := a.openSession(c, u.ID, u.SessionEpoch, true); err != nil { // the login is the first proof (R29)
		return err
	}
	act, err := accounts.LoadActor(ctx, a.db, u.ID)
	if err != nil {
		return err
	}
	q := ""
	if next = safeNext(next); next != "/" {
		q = "?next=" + url.QueryEscape(next)
	}
	switch {
	case act.SecondFactorEnrolled:
		return a.redirect(c, secondFactorCodePath+q, "Bitte bestätigen Sie die Anmeldung mit dem Code aus Ihrer Authentifizierungs-App.")
	case act.Guarded.Any():
		return a.redirect(c, secondFactorEnrolPath+q, "Für Ihre Rollen ist ein zweiter Faktor vorgeschrieben. Bitte richten Sie ihn jetzt ein.")
	}
	return a.redirect(c, afterLogin(next), done)
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
	case errors.Is(err, accounts.ErrSSOOnly):
		return "Die Beschäftigten Ihres Kreises melden sich nur über das Konto der Kreisverwaltung an. Bitte wählen Sie unten „Mit dem Konto der Kreisverwaltung anmelden“."
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
