package app

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"kimibv/models/accounts"
	"kimibv/models/core"
	"kimibv/models/rules"
	"kimibv/models/sso"
	"kimibv/templates"
)

// Single sign-on of Kreis staff through the Kreis's OpenID provider (rules.md R28).

// sessionSSOStateKey is the session key of the state of a started sign-on: it binds the
// callback to the browser that started it.
const sessionSSOStateKey = "sso_state"

// ssoCallbackPath is the callback address every Kreis registers at its provider.
const ssoCallbackPath = "/anmelden/sso/rueckkehr"

// ssoProviderTimeout bounds every call to a provider.
const ssoProviderTimeout = 10 * time.Second

// msgSSOUnreachable explains a provider that did not answer; the password login stays
// open unless the Kreis chose "nur SSO".
const msgSSOUnreachable = "Der Anmeldedienst der Kreisverwaltung ist zurzeit nicht erreichbar. Es wurde nichts geändert. Bitte versuchen Sie es in einigen Minuten erneut. Wenn Ihr Kreis es zulässt, können Sie sich auch mit E-Mail-Adresse und Passwort anmelden."

// ssoFlow is the sign-on flow with the application's database, callback and secrets.
func (a *App) ssoFlow() sso.Flow {
	return sso.Flow{DB: a.db, HTTP: a.ssoProviders.Client(), Providers: a.ssoProviders, RedirectURL: a.cfg.BaseURL + ssoCallbackPath, Secret: a.cfg.SSOSecret}
}

// loginPageData is the login page's data with the Kreise whose staff may sign on through
// their provider.
func (a *App) loginPageData(c echo.Context, next string) loginData {
	kreise, err := sso.Kreise(c.Request().Context(), a.db)
	if err != nil {
		c.Logger().Error(err)
	}
	return loginData{Next: safeNext(next), SSO: kreise}
}

// ssoStart begins the sign-on of a member of the Kreis: to the provider (303) with state,
// nonce and PKCE challenge; the state is kept in the session.
func (a *App) ssoStart(c echo.Context) error {
	if actor(c) != nil {
		return c.Redirect(http.StatusSeeOther, afterLogin(c.FormValue("next")))
	}
	ctx := c.Request().Context()
	st, err := a.ssoFlow().Start(ctx, c.Param("kreis"), safeNext(c.FormValue("next")), a.now())
	if err != nil {
		return a.ssoRefused(c, c.FormValue("next"), err)
	}
	a.sessions.Put(ctx, sessionSSOStateKey, st.State)
	return c.Redirect(http.StatusSeeOther, st.AuthURL)
}

// ssoCallback completes the sign-on when the provider sends the browser back. For a
// browser with a started sign-on this GET writes (the state is used up, the session
// created, the entries audited): the provider can only send a GET, and the session cookie
// (SameSite=Lax) reaches only a GET. Without one it writes nothing.
func (a *App) ssoCallback(c echo.Context) error {
	ctx := c.Request().Context()
	cb := sso.Callback{State: c.QueryParam("state"), SessionState: a.sessions.PopString(ctx, sessionSSOStateKey),
		Code: c.QueryParam("code"), Error: c.QueryParam("error")}
	u, next, err := a.ssoFlow().Finish(ctx, cb, a.now())
	if err != nil {
		return a.ssoRefused(c, next, err)
	}
	return a.signInAfterSSO(c, u, next)
}

// signInAfterSSO creates the session of u after a verified sign-on through the Kreis's
// provider, as the password login does: roles that need the second factor ask for it
// next (R29), as after the password.
func (a *App) signInAfterSSO(c echo.Context, u accounts.User, next string) error {
	return a.startSession(c, u, next, "Sie sind über das Konto der Kreisverwaltung angemeldet.")
}

// ssoRefused shows the login page with the German explanation of a refused sign-on (422,
// counted by the login throttle), of a callback without a started sign-on of this browser
// (400: nothing was written, so a stray or replayed callback neither writes nor counts) or
// of an impossible one (503); other errors pass on.
func (a *App) ssoRefused(c echo.Context, next string, err error) error {
	var r *sso.Refusal
	data := a.loginPageData(c, next)
	status := http.StatusUnprocessableEntity
	switch {
	case errors.As(err, &r) && r.Reason == "not_configured":
		data.SSOMessage, status = r.Message, http.StatusServiceUnavailable
	case errors.As(err, &r) && r.Reason == "state":
		data.SSOMessage, status = r.Message, http.StatusBadRequest
	case errors.As(err, &r):
		data.SSOMessage = r.Message
	case errors.Is(err, sso.ErrUnreachable):
		c.Logger().Warn(err)
		data.SSOMessage, status = msgSSOUnreachable, http.StatusServiceUnavailable
	default:
		return err
	}
	return a.render(c, status, "login", a.page(c, "Anmelden", data))
}

// ssoSettingsData is the Kreis administrator's form for the Kreis's provider.
type ssoSettingsData struct {
	Tenant         *accounts.Tenant
	Configured     bool
	SecretVariable string // the environment variable naming the secret's file
	SecretSet      bool
	CallbackURL    string
}

// ssoSettingsForm shows the Kreis's provider settings.
func (a *App) ssoSettingsForm(c echo.Context) error {
	t := tenant(c)
	s, err := sso.SettingsOf(c.Request().Context(), a.db, t.ID)
	if err != nil {
		return err
	}
	values := url.Values{}
	if s != nil {
		values = url.Values{"issuer": {s.Issuer}, "client_id": {s.ClientID}, "email_domain": {s.EmailDomain}}
		if s.SSOOnly {
			values.Set("sso_only", "1")
		}
	}
	return a.ssoSettingsPage(c, http.StatusOK, s != nil, templates.NewForm(values, nil))
}

func (a *App) ssoSettingsPage(c echo.Context, status int, configured bool, form *templates.Form) error {
	t := tenant(c)
	_, err := a.cfg.SSOSecret(t.Slug)
	data := ssoSettingsData{Tenant: t, Configured: configured, SecretVariable: rules.SSOSecretVariable(t.Slug), SecretSet: err == nil,
		CallbackURL: a.cfg.BaseURL + ssoCallbackPath}
	return a.tenantPage(c, status, "kreis_anmeldung", "Anmeldung über die Kreisverwaltung", data, form)
}

// updateSSOSettings saves the Kreis's provider settings (audited as sso.settings_changed).
func (a *App) updateSSOSettings(c echo.Context) error {
	t, values := tenant(c), formValues(c)
	in := sso.Input{Issuer: values.Get("issuer"), ClientID: values.Get("client_id"), EmailDomain: values.Get("email_domain"), SSOOnly: values.Get("sso_only") == "1"}
	changed, err := sso.SaveSettings(c.Request().Context(), a.db, actor(c), t.ID, in, a.now())
	if v, ok := core.AsValidation(err); ok {
		s, serr := sso.SettingsOf(c.Request().Context(), a.db, t.ID)
		if serr != nil {
			return serr
		}
		return a.ssoSettingsPage(c, http.StatusUnprocessableEntity, s != nil, templates.NewForm(values, v))
	}
	if err != nil {
		return err
	}
	msg := "Die Anmeldung über die Kreisverwaltung wurde gespeichert."
	switch {
	case len(changed) == 0:
		msg = "Sie haben nichts geändert; die Einstellungen bleiben, wie sie waren."
	case in.Remove():
		msg = "Die Anmeldung über die Kreisverwaltung ist ausgeschaltet. Alle Beschäftigten melden sich mit E-Mail-Adresse und Passwort an."
	}
	return a.redirect(c, "/verwaltung/"+t.Slug+"/anmeldung", msg)
}
