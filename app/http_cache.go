package app

import (
	"bytes"
	"net/http"
	"strconv"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
	"github.com/labstack/echo/v4"
)

// Page cache limits: a rendered public page is kept for at most pageCacheTTL and at most
// pageCacheSize pages are kept (about 200 KB for the largest award record). The
// verification of a procedure chain shown on an award record is kept per chain head for
// chainCheckMaxAge (decision.ChainChecks), so the chain verification a visitor sees is
// at most the sum old; the page states when it was done.
const (
	pageCacheSize    = 128
	pageCacheTTL     = time.Minute
	chainCheckMaxAge = 5 * time.Minute
)

// ctxPageKey holds the page-cache key of a response that may be cached (see revalidate).
const ctxPageKey = "kimibv.page_key"

// newPageCache returns the cache of rendered public pages for anonymous visitors.
func newPageCache() *expirable.LRU[string, []byte] {
	return expirable.NewLRU[string, []byte](pageCacheSize, nil, pageCacheTTL)
}

// revalidate sets the caching headers of a public page whose content is identified by
// tag and last changed at modified, and reports whether the request has been answered:
// with 304 Not Modified on a matching validator, or with the page rendered earlier for
// the same tag and address. Only anonymous visitors without a pending flash message get
// the validators (ETag, Last-Modified, "public, no-cache": every use revalidates) and the
// cached page; a logged-in user's page carries their navigation and session, so it gets
// "private, no-store" and is always rendered. When revalidate answers false for an
// anonymous visitor, render stores the page it produces (see storePage).
func (a *App) revalidate(c echo.Context, kind, tag string, modified time.Time) (bool, error) {
	h := c.Response().Header()
	h.Add("Vary", "Cookie")
	if actor(c) != nil || a.sessions.Exists(c.Request().Context(), sessionFlashKey) {
		h.Set("Cache-Control", "private, no-store")
		return false, nil
	}
	etag, modified := publicValidator(kind, tag, modified)
	notMod, body, key := a.keptAnswer(c, etag, modified)
	if notMod || body != nil {
		return true, answerKept(c, etag, modified, body)
	}
	setPublicValidator(h, etag, modified)
	c.Set(ctxPageKey, key)
	return false, nil
}

// publicValidator is the weak ETag of a page of kind with tag and its Last-Modified (to
// the second, as the header carries it).
func publicValidator(kind, tag string, modified time.Time) (string, time.Time) {
	return `W/"` + kind + "-" + tag + `"`, modified.UTC().Truncate(time.Second)
}

// setPublicValidator sets the headers of an anonymous visitor's public page.
func setPublicValidator(h http.Header, etag string, modified time.Time) {
	h.Set("ETag", etag)
	h.Set("Cache-Control", "public, no-cache")
	if !modified.IsZero() {
		h.Set("Last-Modified", modified.Format(http.TimeFormat))
	}
}

// keptAnswer tells what memory can answer for the page with etag at the request's
// address: 304 when the request's validator matches (notMod), else the page kept in the
// page cache (body, nil if none); key is the page's page-cache key.
func (a *App) keptAnswer(c echo.Context, etag string, modified time.Time) (notMod bool, body []byte, key string) {
	if notModified(c.Request(), etag, modified) {
		return true, nil, ""
	}
	key = etag + " " + c.Request().URL.RequestURI()
	body, _ = a.pages.Get(key)
	return false, body, key
}

// answerKept answers an anonymous visitor from memory with the page's validators: 304
// without body when body is nil, else the kept page.
func answerKept(c echo.Context, etag string, modified time.Time, body []byte) error {
	h := c.Response().Header()
	setPublicValidator(h, etag, modified)
	if body == nil {
		return c.NoContent(http.StatusNotModified)
	}
	// With its length the page goes out in one piece instead of chunked.
	h.Set(echo.HeaderContentLength, strconv.Itoa(len(body)))
	return c.HTMLBlob(http.StatusOK, body)
}

// storePage keeps a rendered 200 page of an anonymous visitor for revalidate, unless it
// contains the visitor's CSRF token (a form), which must not be handed to anybody else.
func (a *App) storePage(c echo.Context, status int, csrf string, body []byte) {
	key, ok := c.Get(ctxPageKey).(string)
	if !ok || status != http.StatusOK || (csrf != "" && bytes.Contains(body, []byte(csrf))) {
		return
	}
	a.pages.Add(key, bytes.Clone(body))
}
