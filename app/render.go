package app

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"kimibv/models/accounts"
	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/templates"
)

// sessionFlashKey is the session key of the one-time message shown after a redirect.
const sessionFlashKey = "flash"

// page builds the envelope for the current request.
func (a *App) page(c echo.Context, title string, data any) *templates.Page {
	p := &templates.Page{
		Title:     title,
		Path:      c.Request().URL.Path,
		User:      actor(c),
		Data:      data,
		RequestID: c.Response().Header().Get(echo.HeaderXRequestID),
		Status:    http.StatusOK,
	}
	if tok, ok := c.Get(ctxCSRF).(string); ok {
		p.CSRF = tok
	}
	if p.User != nil {
		p.Nav = a.nav(c, p.User)
	}
	if loaded, _ := c.Get(ctxSessionLoaded).(bool); loaded && c.Request().Method == http.MethodGet {
		p.Flash = a.sessions.PopString(c.Request().Context(), sessionFlashKey)
	}
	return p
}

// render writes page as HTML with status; the template is executed into a buffer
// first so that a template error becomes a clean 500 page, not half a page.
func (a *App) render(c echo.Context, status int, name string, p *templates.Page) error {
	p.Status = status
	var buf bytes.Buffer
	if err := a.views.Render(&buf, name, p); err != nil {
		return err
	}
	a.storePage(c, status, p.CSRF, buf.Bytes())
	return c.HTMLBlob(status, buf.Bytes())
}

// show renders a page with status 200.
func (a *App) show(c echo.Context, name, title string, data any) error {
	return a.render(c, http.StatusOK, name, a.page(c, title, data))
}

// invalid re-renders a form page with 422, the submitted values and the field errors of err.
func (a *App) invalid(c echo.Context, name, title string, data any, values url.Values, err error) error {
	p := a.page(c, title, data)
	p.Form = templates.NewForm(values, err)
	return a.render(c, http.StatusUnprocessableEntity, name, p)
}

// redirect answers a successful POST with 303 and a one-time message.
func (a *App) redirect(c echo.Context, to, flash string) error {
	if flash != "" {
		a.sessions.Put(c.Request().Context(), sessionFlashKey, flash)
	}
	return c.Redirect(http.StatusSeeOther, to)
}

// formValues returns the parsed form without the CSRF token.
func formValues(c echo.Context) url.Values {
	v, err := c.FormParams()
	if err != nil {
		return url.Values{}
	}
	out := url.Values{}
	for k, vals := range v {
		if k != "_csrf" {
			out[k] = vals
		}
	}
	return out
}

// nav lists the areas of the logged-in user (Kreise by role, organisations, operator).
func (a *App) nav(c echo.Context, act *core.Actor) []templates.NavItem {
	items, err := accounts.ActorAreas(c.Request().Context(), a.db, act)
	if err != nil {
		a.log.Warn("navigation", "err", err)
		return nil
	}
	out := make([]templates.NavItem, 0, len(items))
	for _, it := range items {
		out = append(out, templates.NavItem{Label: it.Label, Href: it.Href, Context: it.Context, Count: it.Unread})
	}
	return out
}

// pageLinks returns the addresses of the previous and the next page of the public list at
// path with the filter q (empty values left out), or "" where there is none.
func pageLinks(path string, q url.Values, p calls.ListPage) (prev, next string) {
	link := func(page int) string {
		v := url.Values{"seite": {strconv.Itoa(page)}}
		for k, vals := range q {
			if len(vals) > 0 && vals[0] != "" {
				v.Set(k, vals[0])
			}
		}
		return path + "?" + v.Encode()
	}
	if p.Page > 1 {
		prev = link(p.Page - 1)
	}
	if p.Page < p.Pages {
		next = link(p.Page + 1)
	}
	return prev, next
}
