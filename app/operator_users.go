package app

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"kimibv/models/accounts"
	"kimibv/models/core"
	"kimibv/templates"
)

// operatorUsersData is the operator's account search.
type operatorUsersData struct {
	Query string
	Users []accounts.UserSummary
}

// operatorUserLockData is the lock form of one account.
type operatorUserLockData struct {
	User accounts.UserSummary
}

// operatorUsers finds accounts by e-mail address or name (GET /betrieb/nutzer?q=…).
func (a *App) operatorUsers(c echo.Context) error {
	q := c.QueryParam("q")
	list, err := accounts.FindUsers(c.Request().Context(), a.db, actor(c), q)
	if err != nil {
		return err
	}
	return a.show(c, "betrieb_nutzer", "Betrieb: Konten", operatorUsersData{Query: q, Users: list})
}

// operatorUserParam reads :user.
func operatorUserParam(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("user"), 10, 64)
	if err != nil || id <= 0 {
		return 0, echo.ErrNotFound
	}
	return id, nil
}

// operatorUserLockForm asks for the reason of an account lock (GET /betrieb/nutzer/:user/sperren).
func (a *App) operatorUserLockForm(c echo.Context) error {
	return a.operatorUserLockPage(c, http.StatusOK, nil)
}

// operatorUserLockPage renders the account lock form with status and, after a refusal, its errors.
func (a *App) operatorUserLockPage(c echo.Context, status int, form *templates.Form) error {
	id, err := operatorUserParam(c)
	if err != nil {
		return err
	}
	u, err := accounts.UserForLock(c.Request().Context(), a.db, actor(c), id)
	if err != nil {
		return err
	}
	p := a.page(c, "Konto sperren", operatorUserLockData{User: u})
	p.Form = form
	return a.render(c, status, "betrieb_nutzer_sperren", p)
}

// operatorLockUser locks the account (POST /betrieb/nutzer/:user/sperren).
func (a *App) operatorLockUser(c echo.Context) error { return a.operatorSetUserLock(c, true) }

// operatorUnlockUser lifts the account lock (POST /betrieb/nutzer/:user/entsperren).
func (a *App) operatorUnlockUser(c echo.Context) error { return a.operatorSetUserLock(c, false) }

// operatorSetUserLock locks or unlocks :user through the use case.
func (a *App) operatorSetUserLock(c echo.Context, lock bool) error {
	id, err := operatorUserParam(c)
	if err != nil {
		return err
	}
	values := formValues(c)
	err = accounts.LockUser(c.Request().Context(), a.db, actor(c), id, lock, values.Get("reason"), a.now())
	if v, ok := core.AsValidation(err); ok {
		return a.operatorUserLockPage(c, http.StatusUnprocessableEntity, templates.NewForm(values, v))
	}
	if err != nil {
		return err
	}
	u, err := accounts.UserForLock(c.Request().Context(), a.db, actor(c), id)
	if err != nil {
		return err
	}
	msg := "Das Konto von " + u.Name + " ist entsperrt. Die Person kann sich wieder anmelden."
	if lock {
		msg = "Das Konto von " + u.Name + " ist gesperrt. Ihre Anmeldungen wurden beendet."
	}
	return a.redirect(c, "/betrieb/nutzer?q="+url.QueryEscape(u.Email), msg)
}

// withdrawTenantInvitation withdraws an open invitation of the Kreis
// (POST /verwaltung/:kreis/einladungen/:inv/zurueckziehen).
func (a *App) withdrawTenantInvitation(c echo.Context) error {
	id, err := pathID(c, "inv")
	if err != nil {
		return err
	}
	t := tenant(c)
	if err := accounts.WithdrawInvitation(c.Request().Context(), a.db, actor(c), t.ID, 0, id, a.now()); err != nil {
		return err
	}
	return a.redirect(c, "/verwaltung/"+t.Slug+"/nutzer", "Die Einladung wurde zurückgezogen. Der Link in der E-Mail gilt nicht mehr.")
}

// withdrawOrgInvitation withdraws an open invitation of the organisation
// (POST /traeger/:org/mitglieder/einladungen/:inv/zurueckziehen).
func (a *App) withdrawOrgInvitation(c echo.Context) error {
	id, err := pathID(c, "inv")
	if err != nil {
		return err
	}
	o := org(c)
	if err := accounts.WithdrawInvitation(c.Request().Context(), a.db, actor(c), 0, o.ID, id, a.now()); err != nil {
		return err
	}
	return a.redirect(c, "/traeger/"+strconv.FormatInt(o.ID, 10)+"/mitglieder", "Die Einladung wurde zurückgezogen. Der Link in der E-Mail gilt nicht mehr.")
}
