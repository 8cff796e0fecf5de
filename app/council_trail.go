package app

import (
	"github.com/labstack/echo/v4"

	"kimibv/models/accounts"
	"kimibv/models/audit"
	"kimibv/models/core"
)

// councilTrailPage is the data of /kreistag/:kreis/verfahren/:call/protokoll.
type councilTrailPage struct {
	Tenant *accounts.Tenant
	T      *audit.CallTrail
	Base   string
}

// councilTrail shows a member of the Kreistag the procedure's protocol from the opening
// on (audit.LoadCouncilTrail: 404 before the opening).
func (a *App) councilTrail(c echo.Context) error {
	t := tenant(c)
	id, err := callID(c)
	if err != nil {
		return err
	}
	tr, err := audit.LoadCouncilTrail(c.Request().Context(), a.db, actor(c), core.CallScope{Tenant: t.ID, Call: id})
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "private, no-store")
	return a.show(c, "council_trail", "Protokoll des Verfahrens "+tr.Ref, councilTrailPage{Tenant: t, T: tr,
		Base: "/kreistag/" + t.Slug + "/verfahren/" + c.Param("call")})
}
