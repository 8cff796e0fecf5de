package app

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"kimibv/models/accounts"
	"kimibv/models/core"
	"kimibv/templates"
)

// operatorOrgsData is the operator's list of provider organisations.
type operatorOrgsData struct {
	Orgs []accounts.OrgSummary
}

// operatorLockData is the lock form of one organisation.
type operatorLockData struct {
	Org accounts.OrgSummary
}

// operatorOrgs lists every provider organisation with its lock state (GET /betrieb/organisationen).
func (a *App) operatorOrgs(c echo.Context) error {
	list, err := accounts.OrgOverview(c.Request().Context(), a.db, actor(c))
	if err != nil {
		return err
	}
	return a.show(c, "betrieb_organisationen", "Betrieb: Organisationen", operatorOrgsData{Orgs: list})
}

// operatorOrgParam reads :org.
func operatorOrgParam(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("org"), 10, 64)
	if err != nil || id <= 0 {
		return 0, echo.ErrNotFound
	}
	return id, nil
}

// operatorLockForm asks for the reason of a lock (GET /betrieb/organisationen/:org/sperren).
func (a *App) operatorLockForm(c echo.Context) error {
	return a.operatorLockPage(c, http.StatusOK, nil)
}

// operatorLockPage renders the lock form with status and, after a refusal, its errors.
func (a *App) operatorLockPage(c echo.Context, status int, form *templates.Form) error {
	id, err := operatorOrgParam(c)
	if err != nil {
		return err
	}
	o, err := accounts.OrgForLock(c.Request().Context(), a.db, actor(c), id)
	if err != nil {
		return err
	}
	p := a.page(c, "Organisation sperren", operatorLockData{Org: o})
	p.Form = form
	return a.render(c, status, "betrieb_sperren", p)
}

// operatorLock locks the organisation (POST /betrieb/organisationen/:org/sperren).
func (a *App) operatorLock(c echo.Context) error {
	return a.operatorSetLock(c, true)
}

// operatorUnlock lifts the lock (POST /betrieb/organisationen/:org/entsperren).
func (a *App) operatorUnlock(c echo.Context) error {
	return a.operatorSetLock(c, false)
}

// operatorSetLock locks or unlocks :org through the use case.
func (a *App) operatorSetLock(c echo.Context, lock bool) error {
	id, err := operatorOrgParam(c)
	if err != nil {
		return err
	}
	values := formValues(c)
	err = accounts.LockOrganization(c.Request().Context(), a.db, actor(c), id, lock, values.Get("reason"), a.now())
	if v, ok := core.AsValidation(err); ok {
		return a.operatorLockPage(c, http.StatusUnprocessableEntity, templates.NewForm(values, v))
	}
	if err != nil {
		return err
	}
	msg := "Die Organisation ist entsperrt. Ihre Mitglieder können sich wieder anmelden."
	if lock {
		msg = "Die Organisation ist gesperrt. Ihre Mitglieder haben keinen Zugriff mehr auf sie."
	}
	return a.redirect(c, "/betrieb/organisationen", msg)
}
