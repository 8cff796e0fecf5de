package app

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// healthz answers 200 while the process runs.
func (a *App) healthz(c echo.Context) error { return c.String(http.StatusOK, "ok\n") }

// readyz answers 200 when the database is reachable and the schema current, else 503.
func (a *App) readyz(c echo.Context) error {
	if err := a.Ready(c.Request().Context()); err != nil {
		a.log.Warn("not ready", "err", err)
		return c.String(http.StatusServiceUnavailable, "nicht bereit\n")
	}
	return c.String(http.StatusOK, "bereit\n")
}
