package app

import (
	"github.com/labstack/echo/v4"
)

// staticPageData is what the start page and the legal pages show of the configuration.
type staticPageData struct {
	ContactEmail string
	Operator     string
	BaseURL      string
}

func (a *App) staticData() staticPageData {
	return staticPageData{ContactEmail: a.cfg.ContactEmail, Operator: a.cfg.Operator, BaseURL: a.cfg.BaseURL}
}

// home shows the start page that explains the procedure.
func (a *App) home(c echo.Context) error {
	return a.show(c, "home", "", a.staticData())
}

// staticPage returns a handler for one of the legal pages.
func (a *App) staticPage(name, title string) echo.HandlerFunc {
	return func(c echo.Context) error { return a.show(c, name, title, a.staticData()) }
}
