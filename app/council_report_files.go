package app

import (
	"io"
	"net/url"

	"github.com/labstack/echo/v4"

	"kimibv/models/core"
	"kimibv/models/council"
)

// addCouncilReportFile stores an uploaded PDF for the procedure's next status report (an
// upload route; the file streams into storage). It goes out with the next report.
func (a *App) addCouncilReportFile(c echo.Context) error {
	p, err := a.leadCouncilData(c)
	if err != nil {
		return err
	}
	vlt, err := a.vault()
	if err != nil {
		return err
	}
	scope := core.CallScope{Tenant: tenant(c).ID, Call: p.I.CallID}
	values, err := a.readUpload(c, "anlage", a.cfg.MaxFileBytes, func(_ url.Values, filename string, file io.Reader) error {
		return council.AddReportFile(c.Request().Context(), a.db, vlt, actor(c), scope,
			council.ReportFileInput{Name: filename, File: file, MaxBytes: a.cfg.MaxFileBytes}, a.now())
	})
	if _, ok := core.AsValidation(err); ok {
		return a.invalid(c, "lead_council", "Kreistag informieren – "+p.I.Ref, p, values, err)
	}
	if err != nil {
		return err
	}
	return a.redirect(c, p.Base+"#bericht", "Die Anlage ist gespeichert. Sie geht mit dem nächsten Sachstandsbericht an alle Mitglieder.")
}

// councilReportFile sends an attachment of a status report to a council member or a lead
// of the Kreis (council.OpenReportFile decides).
func (a *App) councilReportFile(c echo.Context) error {
	id, err := callID(c)
	if err != nil {
		return err
	}
	rid, err := pathID(c, "report")
	if err != nil {
		return err
	}
	fid, err := pathID(c, "anlage")
	if err != nil {
		return err
	}
	vlt, err := a.vault()
	if err != nil {
		return err
	}
	r, f, err := council.OpenReportFile(c.Request().Context(), a.db, vlt, actor(c), core.CallScope{Tenant: tenant(c).ID, Call: id}, rid, fid)
	if err != nil {
		return err
	}
	defer r.Close()
	return a.sendFile(c, f, r)
}
