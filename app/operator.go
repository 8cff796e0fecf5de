package app

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"kimibv/models/accounts"
	"kimibv/models/core"
	"kimibv/templates"
)

// operatorData is the operator's page: the Kreise with their number of users. The
// operator sees the frame of every Kreis, never the content of a procedure.
type operatorData struct {
	Tenants []accounts.TenantSummary
}

// operatorTitle is the title of the operator's page.
const operatorTitle = "Betrieb: Kreise"

// operatorHome lists every Kreis with a form to create one.
func (a *App) operatorHome(c echo.Context) error {
	return a.operatorPage(c, http.StatusOK, nil)
}

// operatorPage renders the operator's page with status and, after a refused form, its errors.
func (a *App) operatorPage(c echo.Context, status int, form *templates.Form) error {
	list, err := accounts.TenantOverview(c.Request().Context(), a.db, actor(c), a.now())
	if err != nil {
		return err
	}
	p := a.page(c, operatorTitle, operatorData{Tenants: list})
	p.Form = form
	return a.render(c, status, "betrieb", p)
}

// createTenant creates a Kreis and invites its first administrator by e-mail.
func (a *App) createTenant(c echo.Context) error {
	values := formValues(c)
	in := accounts.TenantInput{Slug: values.Get("slug"), Name: values.Get("name"), Kind: values.Get("kind"), State: values.Get("state"),
		Authority: values.Get("authority"), ContactEmail: values.Get("contact_email"), AdminEmail: values.Get("admin_email")}
	t, err := accounts.CreateTenant(c.Request().Context(), a.db, actor(c), in, a.cfg.BaseURL, a.now())
	if v, ok := core.AsValidation(err); ok {
		return a.operatorPage(c, http.StatusUnprocessableEntity, templates.NewForm(values, v))
	}
	if err != nil {
		return err
	}
	return a.redirect(c, "/betrieb", "„"+t.Name+"“ wurde angelegt. Die Einladung an die erste Kreisadministration wird an "+
		core.NormalizeEmail(in.AdminEmail)+" verschickt.")
}
