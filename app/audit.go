package app

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"kimibv/models/accounts"
	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/templates"
)

// auditData is the Kreis's audit list: one page of entries, the filter choices and
// the verification of the Kreis's chain (Page is nil after refused filter input).
type auditData struct {
	Tenant   *accounts.Tenant
	Page     *audit.AuditPage
	Options  audit.AuditOptions
	NextURL  string // the next (older) page with the same filter
	FirstURL string // the newest page with the same filter
	// ExportBase and ExportQuery make the addresses of the CSV and PDF export with the
	// same filter (ExportBase + ".csv" + ExportQuery).
	ExportBase, ExportQuery string
}

// auditFilter reads the filter fields of the protocol from the query (without the cursor).
func auditFilter(c echo.Context) (url.Values, audit.AuditQuery) {
	filter := url.Values{}
	for _, k := range auditFilterFields {
		if v := c.QueryParam(k); v != "" {
			filter.Set(k, v)
		}
	}
	return filter, audit.AuditQuery{Actor: filter.Get("actor"), Action: filter.Get("action"), ObjectType: filter.Get("object_type"),
		ObjectID: filter.Get("object_id"), From: filter.Get("from"), To: filter.Get("to")}
}

// auditFilterFields are the query parameters of the filter form.
var auditFilterFields = []string{"actor", "action", "object_type", "object_id", "from", "to"}

// auditList shows the Kreis's audit entries, newest first, filtered and paged by keyset.
func (a *App) auditList(c echo.Context) error {
	ctx, t, act := c.Request().Context(), tenant(c), actor(c)
	filter, q := auditFilter(c)
	q.Cursor = c.QueryParam("cursor")
	base := "/verwaltung/" + t.Slug + "/protokoll"
	data := auditData{Tenant: t, FirstURL: base, ExportBase: base}
	if len(filter) > 0 {
		data.FirstURL += "?" + filter.Encode()
		data.ExportQuery = "?" + filter.Encode()
	}
	page, err := audit.ListAudit(ctx, a.db, act, t.ID, q)
	if v, ok := core.AsValidation(err); ok {
		if data.Options, err = audit.AuditFilterOptions(ctx, a.db, act, t.ID); err != nil {
			return err
		}
		return a.tenantPage(c, http.StatusUnprocessableEntity, "kreis_protokoll", "Protokoll", data, templates.NewForm(filter, v))
	}
	if err != nil {
		return err
	}
	data.Page, data.Options = page, page.Options
	if page.Next != "" {
		next := url.Values{}
		for k, v := range filter {
			next[k] = v
		}
		next.Set("cursor", page.Next)
		data.NextURL = base + "?" + next.Encode()
	}
	return a.tenantPage(c, http.StatusOK, "kreis_protokoll", "Protokoll", data, templates.NewForm(filter, nil))
}
