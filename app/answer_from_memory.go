package app

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"kimibv/models/decision"
)

// answerFromMemory answers an anonymous visitor's GET of the call list, a call page or
// an award record before sessions, the current user and the CSRF cookie are set up, when
// everything needed is in memory: the page's validator (kept, see validators) and either
// a matching If-None-Match/If-Modified-Since (304) or the page in the page cache. It
// answers exactly as the route's handler would through revalidate, without a database
// query and without setting a cookie (a public, cacheable answer should not carry one;
// pages with a form are never in the page cache). A visitor with a session cookie (who
// may be logged in or have a message pending) and every miss go on to the route.
func (a *App) answerFromMemory(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if req.Method != http.MethodGet {
			return next(c)
		}
		if _, err := req.Cookie(a.sessions.Cookie.Name); err == nil {
			return next(c)
		}
		kind, tag, modified, ok := a.keptPublicValidator(c)
		if !ok {
			return next(c)
		}
		etag, modified := publicValidator(kind, tag, modified)
		notMod, body, _ := a.keptAnswer(c, etag, modified)
		if !notMod && body == nil {
			return next(c)
		}
		c.Response().Header().Add("Vary", "Cookie")
		return answerKept(c, etag, modified, body)
	}
}

// keptPublicValidator returns the validator of the public page the request addresses,
// as its handler passes it to revalidate, if it is kept in memory; ok is false for every
// other route and for a validator not kept (nothing is read from the database).
func (a *App) keptPublicValidator(c echo.Context) (kind, tag string, modified time.Time, ok bool) {
	switch c.Path() {
	case "/ausschreibungen":
		s, ok := peekValidator[decision.PageStamp](a.validators, "calls")
		return "calls", s.Tag, s.Modified, ok
	case "/ausschreibungen/:id":
		src, ok := peekValidator[decision.CallStampSource](a.validators, "call "+c.Param("id"))
		s := src.Stamp(a.now())
		return "call", s.Tag, s.Modified, ok
	case "/vergaben/:id":
		s, ok := peekValidator[decision.AwardStamp](a.validators, "award "+c.Param("id"))
		return "vergabe", s.HeadHash, s.HeadAt, ok
	}
	return "", "", time.Time{}, false
}

// peekValidator returns the entry under key if it is kept and younger than maxAge,
// without reading anything.
func peekValidator[T any](v *validators, key string) (T, bool) {
	now := time.Now()
	v.mu.RLock()
	e, ok := v.entries[key]
	v.mu.RUnlock()
	if !ok || now.Sub(e.read) >= v.maxAge {
		var zero T
		return zero, false
	}
	return e.val.(T), true
}
