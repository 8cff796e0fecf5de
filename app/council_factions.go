package app

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"kimibv/models/accounts"
	"kimibv/models/core"
	"kimibv/models/council"
	"kimibv/templates"
)

// councilAdminData is the Kreis administrator's page of the council: its factions and
// members.
type councilAdminData struct {
	Tenant   *accounts.Tenant
	Factions []council.Faction
	Members  []council.Member
	OParl    string // the address of the Kreis's OParl system
}

// councilAdminPage renders the council administration with the given form state.
func (a *App) councilAdminPage(c echo.Context, status int, form *templates.Form) error {
	t := tenant(c)
	fs, ms, err := council.Factions(c.Request().Context(), a.db, actor(c), t.ID)
	if err != nil {
		return err
	}
	system, err := council.OParlSystem(c.Request().Context(), a.db, t.ID)
	if err != nil {
		return err
	}
	return a.tenantPage(c, status, "kreis_kreistag", "Kreistag: Fraktionen und Mitglieder", councilAdminData{Tenant: t, Factions: fs, Members: ms, OParl: system}, form)
}

// councilAdmin shows the factions and the council members with their faction.
func (a *App) councilAdmin(c echo.Context) error {
	return a.councilAdminPage(c, http.StatusOK, templates.NewForm(nil, nil))
}

// createFaction adds a Fraktion or Gruppe.
func (a *App) createFaction(c echo.Context) error {
	t, values := tenant(c), formValues(c)
	_, err := council.CreateFaction(c.Request().Context(), a.db, actor(c), t.ID, values.Get("name"), values.Get("kind"), a.now())
	if v, ok := core.AsValidation(err); ok {
		return a.councilAdminPage(c, http.StatusUnprocessableEntity, templates.NewForm(values, v))
	}
	if err != nil {
		return err
	}
	return a.redirect(c, "/verwaltung/"+t.Slug+"/kreistag", "Die Fraktion oder Gruppe „"+values.Get("name")+"“ ist angelegt.")
}

// assignFaction sets a council member's faction (empty: none).
func (a *App) assignFaction(c echo.Context) error {
	t := tenant(c)
	uid, err := pathID(c, "user")
	if err != nil {
		return err
	}
	var fid int64
	if s := c.FormValue("faction_id"); s != "" {
		if fid, err = strconv.ParseInt(s, 10, 64); err != nil || fid <= 0 {
			return echo.ErrNotFound
		}
	}
	if err := council.AssignFaction(c.Request().Context(), a.db, actor(c), t.ID, uid, fid); err != nil {
		return err
	}
	return a.redirect(c, "/verwaltung/"+t.Slug+"/kreistag", "Die Zugehörigkeit ist gespeichert. Sie gilt für Berichte und Antworten, die ab jetzt verteilt werden.")
}

// setOParlSystem sets the address of the Kreis's council information system (OParl).
func (a *App) setOParlSystem(c echo.Context) error {
	t, values := tenant(c), formValues(c)
	err := council.SetOParlSystem(c.Request().Context(), a.db, actor(c), t.ID, values.Get("oparl_system_url"))
	if v, ok := core.AsValidation(err); ok {
		return a.councilAdminPage(c, http.StatusUnprocessableEntity, templates.NewForm(values, v))
	}
	if err != nil {
		return err
	}
	return a.redirect(c, "/verwaltung/"+t.Slug+"/kreistag#oparl", "Das Ratsinformationssystem ist gespeichert.")
}
