package app

import (
	"github.com/labstack/echo/v4"

	"kimibv/models/core"
	"kimibv/models/workarea"
)

// workAreaPath is the work area: where every logged-in user lands after the login.
const workAreaPath = "/arbeitsbereich"

// workAreaPage is the data of the work area.
type workAreaPage struct {
	Area *workarea.Area
}

// workArea shows what is due for each of the user's roles, with one link per task.
func (a *App) workArea(c echo.Context) error {
	area, err := workarea.Load(c.Request().Context(), a.db, actor(c), a.now())
	if err != nil {
		return err
	}
	return a.show(c, "workarea", "Arbeitsbereich", workAreaPage{Area: area})
}

// afterLogin is where the login leads: the safe next address the user came from, else
// the work area.
func afterLogin(next string) string {
	if next = safeNext(next); next == "/" {
		return workAreaPath
	}
	return next
}

// withStage adds the procedure's stage and the address of its next step to the lead's
// call page.
func (a *App) withStage(c echo.Context, d *callEditPage) error {
	st, err := workarea.Stage(a.db.WithContext(c.Request().Context()), core.CallScope{Tenant: tenant(c).ID, Call: d.Call.ID}, a.now())
	if err != nil {
		return err
	}
	d.Stage = &st
	if p := workarea.StepPath(st); p != "" {
		d.NextStepHref = d.Base + p
	}
	return nil
}
