package app

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"kimibv/models/accounts"
	"kimibv/models/core"
)

// Context keys of values the middleware puts on echo.Context.
const (
	ctxActor  = "actor"
	ctxCSRF   = "csrf"
	ctxTenant = "tenant"
	ctxOrg    = "org"
	// ctxSessionLoaded marks requests whose session is in the context (so flashes can be read).
	ctxSessionLoaded = "session_loaded"
)

// sessionUserKey is the session key holding the logged-in user's id.
const sessionUserKey = "user_id"

// sessionEpochKey is the session key holding the user's session epoch at login (or at
// the own password change); a session with an older epoch is ended (loadActor).
const sessionEpochKey = "session_epoch"

// contentSecurityPolicy allows no inline script or style and no framing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// securityHeaders sets the headers every answer carries.
func (a *App) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if a.cfg.Secure() {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		return next(c)
	}
}

// loadSession loads the scs session into the request context and commits it just
// before the answer's header is written (also for answers written by the error handler).
func (a *App) loadSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		var token string
		if ck, err := r.Cookie(a.sessions.Cookie.Name); err == nil {
			token = ck.Value
		}
		ctx, err := a.sessions.Load(r.Context(), token)
		if err != nil {
			return err
		}
		c.SetRequest(r.WithContext(ctx))
		c.Set(ctxSessionLoaded, true)
		c.Response().Before(func() {
			switch a.sessions.Status(ctx) {
			case scs.Modified:
				tok, expiry, err := a.sessions.Commit(ctx)
				if err != nil {
					a.log.Error("commit session", "err", err)
					return
				}
				a.sessions.WriteSessionCookie(ctx, c.Response().Writer, tok, expiry)
			case scs.Destroyed:
				a.sessions.WriteSessionCookie(ctx, c.Response().Writer, "", time.Time{})
			}
		})
		c.Response().Header().Add("Vary", "Cookie")
		return next(c)
	}
}

// loadActor resolves the session's user with memberships; a vanished user logs out.
func (a *App) loadActor(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		id := a.sessions.GetInt64(ctx, sessionUserKey)
		if id != 0 {
			actor, err := accounts.LoadActor(ctx, a.db, id)
			switch {
			case errors.Is(err, core.ErrNotFound):
				_ = a.sessions.Destroy(ctx)
			case err != nil:
				return err
			case actor.SessionEpoch != a.sessions.GetInt64(ctx, sessionEpochKey):
				// The password was changed or reset, a role removed or the account locked
				// after this session began.
				if err := a.sessions.Destroy(ctx); err != nil {
					return err
				}
			default:
				// One read of the session's row: the user may have ended this session on
				// another device (sessions.go), and its proofs decide the guarded roles (R29).
				st, err := accounts.LoadSessionState(ctx, a.db, a.currentSessionRow(c), id, freshProofAge)
				if err != nil {
					return err
				}
				if !st.Alive {
					if err := a.sessions.Destroy(ctx); err != nil {
						return err
					}
					break
				}
				withholdWithoutSecondFactor(actor, st)
				c.Set(ctxSessionState, st)
				c.Set(ctxActor, actor)
			}
		}
		return next(c)
	}
}

// actor returns the logged-in user or nil.
func actor(c echo.Context) *core.Actor {
	a, _ := c.Get(ctxActor).(*core.Actor)
	return a
}

// requireLogin redirects anonymous visitors to the login page and back afterwards.
func (a *App) requireLogin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if actor(c) == nil {
			return c.Redirect(http.StatusSeeOther, "/anmelden?next="+url.QueryEscape(safeNext(c.Request().URL.RequestURI())))
		}
		return next(c)
	}
}

// requirePlatformAdmin lets only the operator through; others get 404.
func (a *App) requirePlatformAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !actor(c).CanCreateTenants() {
			if actor(c).WithheldPlatform() {
				return a.askSecondFactor(c)
			}
			return echo.ErrNotFound
		}
		return next(c)
	}
}

// requireTenantRole resolves the Kreis from the :kreis slug and admits users holding any
// of roles there. Everybody else gets 404: another Kreis's pages do not exist for them.
func (a *App) requireTenantRole(roles ...core.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			t, err := accounts.TenantBySlug(c.Request().Context(), a.db, c.Param("kreis"))
			if err != nil {
				return err
			}
			act := actor(c)
			for _, r := range roles {
				if act.HasTenantRole(t.ID, r) {
					c.Set(ctxTenant, t)
					return next(c)
				}
			}
			for _, r := range roles {
				if act.WithheldTenantRole(t.ID, r) {
					return a.askSecondFactor(c)
				}
			}
			return echo.ErrNotFound
		}
	}
}

// tenant returns the Kreis resolved by requireTenantRole.
func tenant(c echo.Context) *accounts.Tenant {
	t, _ := c.Get(ctxTenant).(*accounts.Tenant)
	return t
}

// requireOrgMember resolves the organisation from :org and admits its members
// (admins only when adminOnly); everybody else gets 404.
func (a *App) requireOrgMember(adminOnly bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			id, err := pathID(c, "org")
			if err != nil {
				return err
			}
			act := actor(c)
			if !act.InOrg(id) && act != nil {
				if locked, err := accounts.LockedMember(c.Request().Context(), a.db, act.UserID, id); err != nil {
					return err
				} else if locked {
					return &echo.HTTPError{Code: http.StatusForbidden, Message: "Ihre Organisation ist gesperrt. Bitte wenden Sie sich an den Betrieb von kimibv (" + a.cfg.ContactEmail + ")."}
				}
			}
			if act.WithheldOrg(id, adminOnly) {
				return a.askSecondFactor(c)
			}
			if !act.InOrg(id) || (adminOnly && !act.IsOrgAdmin(id)) {
				return echo.ErrNotFound
			}
			org, err := accounts.OrganizationByID(c.Request().Context(), a.db, id)
			if err != nil {
				return err
			}
			c.Set(ctxOrg, org)
			return next(c)
		}
	}
}

// org returns the organisation resolved by requireOrgMember.
func org(c echo.Context) *accounts.Organization {
	o, _ := c.Get(ctxOrg).(*accounts.Organization)
	return o
}

// csrf protects every state-changing request with a token in a hidden form field
// (double-submit cookie); browsers' Sec-Fetch-Site: same-origin is accepted as well.
func (a *App) csrf() echo.MiddlewareFunc {
	return middleware.CSRFWithConfig(middleware.CSRFConfig{
		TokenLookup:    "form:_csrf,header:X-CSRF-Token",
		ContextKey:     ctxCSRF,
		CookieName:     "kimibv_csrf",
		CookiePath:     "/",
		CookieHTTPOnly: true,
		CookieSecure:   a.cfg.Secure(),
		CookieSameSite: http.SameSiteStrictMode,
		ErrorHandler: func(err error, c echo.Context) error {
			return &echo.HTTPError{Code: http.StatusForbidden, Message: msgCSRF, Internal: err}
		},
	})
}

// msgCSRF explains a missing or stale form token.
const msgCSRF = "Das Formular ist abgelaufen oder wurde nicht über diese Anwendung abgeschickt. Bitte laden Sie die Seite neu und versuchen Sie es noch einmal."

// safeNext keeps only local paths as redirect targets after login.
func safeNext(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") || strings.ContainsAny(p, "\r\n") {
		return "/"
	}
	return p
}
