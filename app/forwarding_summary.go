package app

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"kimibv/app/pdfdoc"
	"kimibv/models/accounts"
	"kimibv/models/core"
	"kimibv/models/forwarding"
	"kimibv/templates"
)

// forwardingSummaryPage is the Kreis's overview of the years (V nil) or one year's
// summary of the forwarding.
type forwardingSummaryPage struct {
	Tenant  *accounts.Tenant
	Years   []int
	V       *forwarding.YearSummaryView
	Base    string // "/verwaltung/:kreis/weiterleitung"
	Calls   string // the lead's procedures, "" for an administrator without the lead's role
	Method  []string
	Created string
	F       fmtr
}

// Year is the address of year y's page.
func (p forwardingSummaryPage) Year(y int) string { return p.Base + "/" + strconv.Itoa(y) }

// forwardingSummaryBase is the overview's address.
func forwardingSummaryBase(c echo.Context) string {
	return "/verwaltung/" + tenant(c).Slug + "/weiterleitung"
}

// forwardingYears shows the years for which the Kreis has a summary, each with its page,
// PDF and spreadsheet (GET /verwaltung/:kreis/weiterleitung).
func (a *App) forwardingYears(c echo.Context) error {
	t := tenant(c)
	years, err := forwarding.SummaryYears(c.Request().Context(), a.db, actor(c), t.ID)
	if err != nil {
		return err
	}
	return a.showSummary(c, "Weiterleitung der Mittel: Jahresübersichten", forwardingSummaryPage{Tenant: t, Years: years, Base: forwardingSummaryBase(c)})
}

// showSummary renders the overview or a year's page with the Kreis's breadcrumbs.
func (a *App) showSummary(c echo.Context, title string, d forwardingSummaryPage) error {
	p := a.page(c, title, d)
	p.Crumbs = []templates.NavItem{{Label: d.Tenant.Name, Href: "/verwaltung/" + d.Tenant.Slug}}
	if d.V != nil {
		p.Crumbs = append(p.Crumbs, templates.NavItem{Label: "Jahresübersichten", Href: d.Base})
	}
	p.Crumbs = append(p.Crumbs, templates.NavItem{Label: title})
	return a.render(c, http.StatusOK, "forwarding_summary", p)
}

// msgNoSummaryYear answers a year for which there is no summary.
const msgNoSummaryYear = "Für dieses Jahr gibt es keine Jahresübersicht der Weiterleitung: Es ist kein Jahr mit Weiterleitungsverträgen des Kreises. " +
	"Bitte wählen Sie ein Jahr aus der Übersicht."

// loadForwardingSummary reads the summary of the year :jahr; anything but a year with
// contracts of the Kreis is a 404 with a German explanation, before anything is written.
func (a *App) loadForwardingSummary(c echo.Context) (forwardingSummaryPage, error) {
	t, act := tenant(c), actor(c)
	year, err := strconv.Atoi(c.Param("jahr"))
	if err != nil || year < 1900 || year > 9999 {
		return forwardingSummaryPage{}, &echo.HTTPError{Code: http.StatusNotFound, Message: msgNoSummaryYear}
	}
	v, err := forwarding.YearSummary(c.Request().Context(), a.db, act, t.ID, year, a.now())
	if errors.Is(err, core.ErrNotFound) {
		return forwardingSummaryPage{}, &echo.HTTPError{Code: http.StatusNotFound, Message: msgNoSummaryYear, Internal: err}
	}
	if err != nil {
		return forwardingSummaryPage{}, err
	}
	p := forwardingSummaryPage{Tenant: t, Years: v.Years, V: v, Base: forwardingSummaryBase(c), Method: pdfdoc.SummaryMethod(year),
		Created: core.FormatDateTime(a.now())}
	if act.HasTenantRole(t.ID, core.RoleLead) {
		p.Calls = callsBase(c)
	}
	return p, nil
}

// forwardingSummary shows one year's summary (GET /verwaltung/:kreis/weiterleitung/:jahr).
func (a *App) forwardingSummary(c echo.Context) error {
	p, err := a.loadForwardingSummary(c)
	if err != nil {
		return err
	}
	return a.showSummary(c, fmt.Sprintf("Jahresübersicht %d: Weiterleitung der Mittel", p.V.Year), p)
}

// forwardingSummaryPDF sends the year's summary as PDF (A4 landscape). Like the protocol's
// export it is an evaluation made on request: nothing is stored or audited.
func (a *App) forwardingSummaryPDF(c echo.Context) error {
	p, err := a.loadForwardingSummary(c)
	if err != nil {
		return err
	}
	b, err := pdfdoc.Jahresuebersicht(pdfdoc.SummaryHead{Kreis: p.Tenant.Name, Authority: p.Tenant.Authority, CreatedAt: a.now()}, p.V)
	if err != nil {
		return err
	}
	return summaryDownload(c, "application/pdf", summaryFileName(p, "pdf"), b)
}

// forwardingSummaryXLSX sends the year's summary as spreadsheet.
func (a *App) forwardingSummaryXLSX(c echo.Context) error {
	p, err := a.loadForwardingSummary(c)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := writeSummaryXLSX(&buf, p.Tenant.Name, p.V, a.now()); err != nil {
		return err
	}
	return summaryDownload(c, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", summaryFileName(p, "xlsx"), buf.Bytes())
}

// summaryFileName is e.g. "jahresuebersicht-musterland-2027.pdf".
func summaryFileName(p forwardingSummaryPage, ext string) string {
	return fmt.Sprintf("jahresuebersicht-%s-%d.%s", p.Tenant.Slug, p.V.Year, ext)
}

// summaryDownload sends b as a private download that is not cached.
func summaryDownload(c echo.Context, contentType, name string, b []byte) error {
	exportHeaders(c.Response().Header(), contentType, name)
	return c.Blob(http.StatusOK, contentType, b)
}
