package app

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// revalidate sets the caching headers of a public page whose content is identified by
// tag and last changed at modified, and reports whether the request may be answered with
// 304 Not Modified. Only anonymous visitors without a pending flash message get the
// validators (ETag, Last-Modified, "public, no-cache": every use revalidates); a logged-in
// user's page carries their navigation and session, so it gets "private, no-store".
func (a *App) revalidate(c echo.Context, kind, tag string, modified time.Time) bool {
	h := c.Response().Header()
	h.Add("Vary", "Cookie")
	if actor(c) != nil || a.sessions.Exists(c.Request().Context(), sessionFlashKey) {
		h.Set("Cache-Control", "private, no-store")
		return false
	}
	etag := `W/"` + kind + "-" + tag + `"`
	h.Set("ETag", etag)
	h.Set("Cache-Control", "public, no-cache")
	modified = modified.UTC().Truncate(time.Second)
	if !modified.IsZero() {
		h.Set("Last-Modified", modified.Format(http.TimeFormat))
	}
	return notModified(c.Request(), etag, modified)
}

// notModifiedResponse answers a matching conditional request.
func notModifiedResponse(c echo.Context) error { return c.NoContent(http.StatusNotModified) }
