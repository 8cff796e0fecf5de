package app

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"kimibv/app/pdfdoc"
	"kimibv/models/accounts"
	"kimibv/models/audit"
	"kimibv/models/core"
)

// utf8BOM starts the CSV export, so that Excel reads it as UTF-8.
const utf8BOM = "\ufeff"

// auditCSV streams the Kreis's protocol with the filter of the protocol page as CSV
// (GET /verwaltung/:kreis/protokoll.csv): German headers, semicolons, UTF-8 with BOM,
// the result of the chain check above the entries, oldest entry first, written batch by
// batch as it is read.
func (a *App) auditCSV(c echo.Context) error {
	ctx, t, act := c.Request().Context(), tenant(c), actor(c)
	filter, q := auditFilter(c)
	words, err := a.auditFilterWords(c, filter)
	if err != nil {
		return err
	}
	w := c.Response()
	var cw *csv.Writer
	err = audit.ExportAudit(ctx, a.db, act, t.ID, q, func(v audit.Verification) error {
		exportHeaders(w.Header(), "text/csv; charset=utf-8", exportFileName(t, "csv"))
		w.WriteHeader(http.StatusOK)
		if _, err := w.Write([]byte(utf8BOM)); err != nil {
			return err
		}
		cw = csv.NewWriter(w)
		cw.Comma, cw.UseCRLF = ';', true
		for _, rec := range [][]string{
			{"Protokoll", t.Name},
			{"Erstellt", core.FormatDateTime(a.now())},
			{"Auswahl", words},
			{"Prüfung der Protokollkette", pdfdoc.ProtocolCheckText(v)},
			{"Einträge der Kette", strconv.FormatInt(v.Entries, 10)},
			{"Letzter Hash (SHA-256)", v.HeadHash},
			{},
			{"Zeit", "Person", "Aktion", "Objekt", "Einzelheiten", "Protokollkette", "Nr.", "Hash (SHA-256)"},
		} {
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
		return nil
	}, func(rows []audit.AuditRow) error {
		for _, r := range rows {
			rec := []string{pdfdoc.SecondsTime(r.CreatedAt), r.Shown.Actor, r.ActionLabel(), r.Shown.Object,
				pdfdoc.ProtocolDetails(r.Shown.Lines, " | "), r.Shown.ChainName, strconv.FormatInt(r.Seq, 10), r.Hash}
			for i := range rec {
				rec[i] = spreadsheetSafe(rec[i])
			}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
		cw.Flush()
		w.Flush()
		return cw.Error()
	})
	return a.exportDone(c, err)
}

// auditPDF renders the Kreis's protocol with the filter of the protocol page as PDF
// (GET /verwaltung/:kreis/protokoll.pdf), with the result of the chain check first. The
// entries are laid out batch by batch; pdfdoc bounds their number (the CSV streams all).
func (a *App) auditPDF(c echo.Context) error {
	ctx, t, act := c.Request().Context(), tenant(c), actor(c)
	filter, q := auditFilter(c)
	words, err := a.auditFilterWords(c, filter)
	if err != nil {
		return err
	}
	var doc *pdfdoc.Protocol
	err = audit.ExportAudit(ctx, a.db, act, t.ID, q, func(v audit.Verification) error {
		var err error
		doc, err = pdfdoc.NewProtocol(pdfdoc.ProtocolHead{Kreis: t.Name, Authority: t.Authority, Filter: words, Check: v, CreatedAt: a.now()})
		return err
	}, func(rows []audit.AuditRow) error {
		doc.Add(rows)
		return nil
	})
	if err != nil {
		return a.exportDone(c, err)
	}
	w := c.Response()
	exportHeaders(w.Header(), "application/pdf", exportFileName(t, "pdf"))
	w.WriteHeader(http.StatusOK)
	return doc.Write(w)
}

// exportDone answers a refused filter with the protocol page and its messages, as long
// as nothing has been written yet; other errors go to the error handler.
func (a *App) exportDone(c echo.Context, err error) error {
	if _, ok := core.AsValidation(err); ok && !c.Response().Committed {
		return a.auditList(c)
	}
	return err
}

// exportHeaders marks a download of the protocol: private, not cached, not sniffed.
func exportHeaders(h http.Header, contentType, name string) {
	h.Set(echo.HeaderContentType, contentType)
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	h.Set("Cache-Control", "private, no-store")
	h.Set("X-Content-Type-Options", "nosniff")
}

// exportFileName is e.g. "protokoll-musterland.csv".
func exportFileName(t *accounts.Tenant, ext string) string { return "protokoll-" + t.Slug + "." + ext }

// spreadsheetSafe keeps a spreadsheet from reading a value as a formula.
func spreadsheetSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// auditFilterWords describes the filter in words ("alle Einträge" without one).
func (a *App) auditFilterWords(c echo.Context, filter url.Values) (string, error) {
	if len(filter) == 0 {
		return "alle Einträge", nil
	}
	var parts []string
	if id := filter.Get("actor"); id != "" {
		opts, err := audit.AuditFilterOptions(c.Request().Context(), a.db, actor(c), tenant(c).ID)
		if err != nil {
			return "", err
		}
		name := "eine Person"
		for _, o := range opts.Actors {
			if strconv.FormatInt(o.ID, 10) == id && o.Name != "" {
				name = o.Name
			}
		}
		parts = append(parts, "Person: "+name)
	}
	if v := filter.Get("action"); v != "" {
		parts = append(parts, "Aktion: "+audit.ActionLabel(v))
	}
	if v := filter.Get("object_type"); v != "" {
		parts = append(parts, "Objektart: "+audit.ObjectTypeLabel(v))
	}
	if v := filter.Get("object_id"); v != "" {
		parts = append(parts, "Kennung des Objekts: "+v)
	}
	if v := filter.Get("from"); v != "" {
		parts = append(parts, "von "+v)
	}
	if v := filter.Get("to"); v != "" {
		parts = append(parts, "bis einschließlich "+v)
	}
	return strings.Join(parts, "; "), nil
}
