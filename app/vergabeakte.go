package app

import (
	"github.com/labstack/echo/v4"

	"kimibv/models/core"
	"kimibv/models/decision"
)

// vergabeakte streams the procedure file export (ZIP) for the lead.
func (a *App) vergabeakte(c echo.Context) error {
	id, err := callID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	act := actor(c)
	v, err := decision.PrepareVergabeakte(ctx, a.db, act, core.CallScope{Tenant: tenant(c).ID, Call: id})
	if err != nil {
		return err
	}
	vlt, err := a.vault()
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "application/zip")
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+v.FileName()+`"`)
	h.Set("Cache-Control", "private, no-store")
	c.Response().WriteHeader(200)
	if err := v.Write(ctx, a.db, vlt, act, a.now(), c.Response()); err != nil {
		// The status is sent; a broken archive is what the client gets. Log it.
		a.log.Error("vergabeakte", "call", id, "err", err)
	}
	return nil
}
