package app_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"kimibv/app"
	"kimibv/models/dbtest"
	"kimibv/models/demo"
)

// uaTransport sends every request with a fixed User-Agent (a browser on some device).
type uaTransport struct{ ua string }

// RoundTrip sets the User-Agent and sends the request.
func (u uaTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("User-Agent", u.ua)
	return http.DefaultTransport.RoundTrip(r)
}

// device returns a client that identifies itself as ua.
func (ta *testApp) device(ua string) *client {
	c := ta.client()
	c.http.Transport = uaTransport{ua: ua}
	return c
}

// sessionRow returns the id of the listed session recorded with user agent ua.
func (ta *testApp) sessionRow(ua string) int64 {
	ta.t.Helper()
	id := ta.count(`SELECT COALESCE(max(id), 0) FROM user_sessions WHERE user_agent = ?`, ua)
	if id == 0 {
		ta.t.Fatalf("no session row for %q", ua)
	}
	return id
}

// TestUsersSeeAndEndTheirOtherSessions: the account page lists the user's logins with
// device, address, start and last use; the user ends another one (audited) and that
// client is logged out at its next request, while this one stays. Their own current
// session, another user's session and a malformed id are 404 and change nothing.
func TestUsersSeeAndEndTheirOtherSessions(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	laptop, phone, other := ta.device("Firefox auf dem Laptop"), ta.device("Safari auf dem Telefon"), ta.device("Fremder Browser")
	laptop.login("leitung@musterland.example", demo.Password)
	phone.login("leitung@musterland.example", demo.Password)
	other.login("kreistag@musterland.example", demo.Password)

	page := laptop.get("/konto").wantStatus(t, http.StatusOK).wantContains(t, "Ihre Anmeldungen", "Firefox auf dem Laptop", "Safari auf dem Telefon",
		"127.0.0.1", "diese Anmeldung", "nach 2 Stunden ohne Nutzung, spätestens nach 12 Stunden")
	if strings.Contains(page.Body, "Fremder Browser") {
		t.Fatal("another user's session is listed")
	}
	mine, theirs, stranger := ta.sessionRow("Firefox auf dem Laptop"), ta.sessionRow("Safari auf dem Telefon"), ta.sessionRow("Fremder Browser")
	if strings.Contains(page.Body, fmt.Sprintf("/konto/anmeldungen/%d/beenden", mine)) ||
		!strings.Contains(page.Body, fmt.Sprintf("/konto/anmeldungen/%d/beenden", theirs)) {
		t.Fatal("the end button is offered for the current session or missing for the other")
	}

	before := ta.count(`SELECT count(*) FROM audit_log WHERE action = 'user.session_ended'`)
	for _, id := range []string{fmt.Sprint(mine), fmt.Sprint(stranger), "abc", "-1", "99999999999999999999"} {
		laptop.post("/konto/anmeldungen/"+id+"/beenden", nil).wantStatus(t, http.StatusNotFound)
	}
	other.get("/konto").wantStatus(t, http.StatusOK)
	if n := ta.count(`SELECT count(*) FROM user_sessions`); n != 3 {
		t.Fatalf("refused requests ended sessions: %d rows", n)
	}

	laptop.post(fmt.Sprintf("/konto/anmeldungen/%d/beenden", theirs), nil).wantStatus(t, http.StatusSeeOther)
	after := laptop.get("/konto").wantStatus(t, http.StatusOK).wantContains(t, "Die Anmeldung wurde beendet.", "Firefox auf dem Laptop")
	if strings.Contains(after.Body, "Safari auf dem Telefon") {
		t.Fatal("the ended session is still listed")
	}
	if loc := phone.get("/konto").wantStatus(t, http.StatusSeeOther).Header.Get("Location"); !strings.HasPrefix(loc, "/anmelden") {
		t.Fatalf("ended session went to %q", loc)
	}
	if n := ta.count(`SELECT count(*) FROM audit_log WHERE action = 'user.session_ended' AND actor_id = ?`, ta.userID("leitung@musterland.example")); n != before+1 {
		t.Fatalf("session_ended entries: %d", n)
	}
	laptop.post(fmt.Sprintf("/konto/anmeldungen/%d/beenden", theirs), nil).wantStatus(t, http.StatusNotFound)
	other.get("/konto").wantStatus(t, http.StatusOK)
}

// TestPasswordChangeAndRoleRemovalEndSessions: after a password change only the changing
// session is listed (the other client is logged out); adding a role leaves the person's
// sessions, taking one away ends them.
func TestPasswordChangeAndRoleRemovalEndSessions(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	a, b := ta.device("Gerät A"), ta.device("Gerät B")
	a.login("leitung@musterland.example", demo.Password)
	b.login("leitung@musterland.example", demo.Password)
	a.post("/konto/passwort", url.Values{"current_password": {demo.Password}, "new_password": {acctNewPassword}, "new_password_confirm": {acctNewPassword}}).
		wantStatus(t, http.StatusSeeOther)
	list := a.get("/konto").wantStatus(t, http.StatusOK).wantContains(t, "Gerät A", "diese Anmeldung")
	if strings.Contains(list.Body, "Gerät B") {
		t.Fatal("a session ended by the password change is still listed")
	}
	b.get("/konto").wantStatus(t, http.StatusSeeOther)

	admin := ta.client()
	admin.login("admin@musterland.example", demo.Password)
	leadPage := fmt.Sprintf("/verwaltung/musterland/nutzer/%d", ta.userID("leitung@musterland.example"))
	admin.post(leadPage, url.Values{"roles": {"lead", "council"}}).wantStatus(t, http.StatusSeeOther)
	a.get("/verwaltung/musterland/verfahren").wantStatus(t, http.StatusOK)
	admin.post(leadPage, url.Values{"roles": {"council"}}).wantStatus(t, http.StatusSeeOther)
	a.get("/verwaltung/musterland/verfahren").wantStatus(t, http.StatusSeeOther)
	a.get("/konto").wantStatus(t, http.StatusSeeOther)
	if n := ta.count(`SELECT count(*) FROM user_sessions WHERE user_id = ?`, ta.userID("leitung@musterland.example")); n != 0 {
		t.Fatalf("%d sessions listed after the role removal", n)
	}
	admin.get("/konto").wantStatus(t, http.StatusOK)
}

// tlsLogin logs email in on an app served as https:// (the cookie jar would keep Secure
// cookies from a plain loopback server) and returns the answers to GET /anmelden and to
// the login, and when the login was sent.
func tlsLogin(t *testing.T, ta *testApp, email, password string) (*http.Response, *http.Response, time.Time) {
	t.Helper()
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	page, err := hc.Get(ta.server.URL + "/anmelden")
	if err != nil {
		t.Fatal(err)
	}
	page.Body.Close()
	csrf := cookieNamed(page, "kimibv_csrf")
	if csrf == nil {
		t.Fatal("no CSRF cookie")
	}
	form := url.Values{"email": {email}, "password": {password}, "_csrf": {csrf.Value}}
	req, _ := http.NewRequest(http.MethodPost, ta.server.URL+"/anmelden", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(csrf)
	start := time.Now()
	res, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", res.StatusCode)
	}
	return page, res, start
}

// cookieNamed returns the cookie name set by res, or nil.
func cookieNamed(res *http.Response, name string) *http.Cookie {
	for _, ck := range res.Cookies() {
		if ck.Name == name {
			return ck
		}
	}
	return nil
}

// within reports whether d is want give or take a minute.
func within(d, want time.Duration) bool { return d > want-time.Minute && d < want+time.Minute }

// TestSessionCookieAndHeadersBehindTLS (ASVS V3): behind TLS the session and CSRF cookies
// are Secure, HttpOnly, SameSite and host-only (the session cookie with the __Host- prefix); a session ends after the idle timeout
// (stored expiry and cookie) and never outlives its absolute lifetime, both as
// configured; every answer has HSTS, CSP with frame-ancestors, Referrer-Policy, nosniff
// and Permissions-Policy.
func TestSessionCookieAndHeadersBehindTLS(t *testing.T) {
	t.Parallel()
	st := dbtest.NewDemo(t)
	idle, lifetime := 30*time.Minute, 8*time.Hour
	ta := newTestAppOn(t, st, func(c *app.Config) {
		c.BaseURL, c.SessionIdle, c.SessionLifetime = "https://kimibv.test", idle, lifetime
	})
	page, res, start := tlsLogin(t, ta, "leitung@musterland.example", demo.Password)
	for h, want := range map[string]string{"Strict-Transport-Security": "max-age=31536000; includeSubDomains", "X-Content-Type-Options": "nosniff",
		"Referrer-Policy": "same-origin", "Permissions-Policy": "camera=(), microphone=(), geolocation=()"} {
		if got := page.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if csp := page.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "form-action 'self'") {
		t.Errorf("CSP %q", csp)
	}
	if csrf := cookieNamed(page, "kimibv_csrf"); !csrf.Secure || !csrf.HttpOnly || csrf.SameSite != http.SameSiteStrictMode {
		t.Errorf("CSRF cookie %+v", csrf)
	}
	sess := cookieNamed(res, "__Host-kimibv_session")
	switch {
	case sess == nil:
		t.Fatal("no session cookie")
	case !sess.Secure || !sess.HttpOnly || sess.SameSite != http.SameSiteLaxMode || sess.Domain != "" || sess.Path != "/":
		t.Fatalf("session cookie flags: %q", res.Header.Values("Set-Cookie"))
	case !within(sess.Expires.Sub(start), idle):
		t.Fatalf("session cookie expires after %v, want the idle timeout %v", sess.Expires.Sub(start), idle)
	}
	var expiry time.Time
	if err := st.DB.Raw(`SELECT max(expiry) FROM sessions`).Scan(&expiry).Error; err != nil {
		t.Fatal(err)
	}
	if !within(expiry.Sub(start), idle) {
		t.Fatalf("stored session expires after %v, want the idle timeout %v", expiry.Sub(start), idle)
	}

	// With an absolute lifetime shorter than the idle timeout the lifetime ends the session.
	short := newTestAppOn(t, dbtest.NewDemo(t), func(c *app.Config) { c.SessionIdle, c.SessionLifetime = 8*time.Hour, 20*time.Minute })
	_, res, start = tlsLogin(t, short, "leitung@musterland.example", demo.Password)
	if sess := cookieNamed(res, "kimibv_session"); sess == nil || !within(sess.Expires.Sub(start), 20*time.Minute) || sess.Secure {
		t.Fatalf("session cookie without TLS and a 20-minute lifetime: %q", res.Header.Values("Set-Cookie"))
	}
	if page, err := http.Get(short.server.URL + "/"); err != nil || page.Header.Get("Strict-Transport-Security") != "" {
		t.Fatalf("HSTS without TLS: %v", err)
	}
}
