package app_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"kimibv/app"
	"kimibv/models/accounts"
	"kimibv/models/demo"
)

// TestPasswordGuessingIsThrottled runs a bounded guessing loop on loopback: one account
// locks after accounts.LockoutThreshold failures; spraying one password over many unknown
// addresses is stopped per client address after 20 refusals with a German 429 page that
// no password check follows (the right password is refused as well), until 15 minutes pass.
func TestPasswordGuessingIsThrottled(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	c := ta.client()
	guess := func(email, pw string) *response {
		return c.post("/anmelden", url.Values{"email": {email}, "password": {pw}})
	}
	for i := 0; i < accounts.LockoutThreshold; i++ {
		guess("awo@traeger.example", "Falsch-Passwort-"+string(rune('a'+i))).wantStatus(t, 422)
	}
	if ta.count(`SELECT count(*) FROM users WHERE email = 'awo@traeger.example' AND locked_until > now()`) != 1 {
		t.Fatal("account not locked after the threshold")
	}
	guess("awo@traeger.example", demo.Password).wantStatus(t, 422) // locked: even the right password fails
	for i := accounts.LockoutThreshold + 1; i < 20; i++ {
		guess("spray"+string(rune('a'+i))+"@example.org", "Sommer2026!").wantStatus(t, 422)
	}
	failed := ta.count(`SELECT count(*) FROM audit_log WHERE action = 'auth.login_failed'`)
	for i := 0; i < 10; i++ {
		res := guess("more"+string(rune('a'+i))+"@example.org", "Sommer2026!").wantStatus(t, http.StatusTooManyRequests)
		res.wantContains(t, "zu viele erfolglose Anmeldeversuche")
		if res.Header.Get("Retry-After") == "" {
			t.Fatal("429 without Retry-After")
		}
	}
	guess("leitung@musterland.example", demo.Password).wantStatus(t, http.StatusTooManyRequests)
	if n := ta.count(`SELECT count(*) FROM audit_log WHERE action = 'auth.login_failed'`); n != failed {
		t.Fatalf("throttled attempts still checked passwords: %d new failures", n-failed)
	}
	// Another client address is not affected (the limit is per address, not global).
	other := ta.client()
	other.http.Transport = &http.Transport{DialContext: (&localDialer{addr: "127.0.0.2"}).dial}
	other.login("leitung@musterland.example", demo.Password)

	ta.clock.Advance(16 * time.Minute)
	c.login("leitung@musterland.example", demo.Password)
}

// forwardedFor makes c's requests carry X-Forwarded-For: addr, as a reverse proxy (or a
// client pretending to be one) would send it.
func forwardedFor(c *client, addr string) *client {
	base := c.http.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	c.http.Transport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
		r = r.Clone(r.Context())
		r.Header.Set("X-Forwarded-For", addr)
		return base.RoundTrip(r)
	})
	return c
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestLoginThrottleIsSharedByInstancesAndTrustsOnlyConfiguredProxies: refused logins from
// one address count on every instance of the installation; a forged X-Forwarded-For does
// not escape the throttle; behind a configured proxy each forwarded client has its own
// count, and the client addresses are forgotten after the window.
func TestLoginThrottleIsSharedByInstancesAndTrustsOnlyConfiguredProxies(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	second := ta.secondInstance(nil)
	form := func(i int) url.Values {
		return url.Values{"email": {fmt.Sprintf("spray%d@example.org", i)}, "password": {"Sommer2026!"}}
	}
	// All but two failures are counted directly (each refused login costs a password
	// hash); the last two go through both instances.
	nearLimit := func(client string) {
		for i := 0; i < accounts.LoginFailLimit-2; i++ {
			if err := accounts.RecordLoginFailure(context.Background(), ta.store.DB, client, time.Now()); err != nil {
				t.Fatal(err)
			}
		}
	}
	nearLimit("127.0.0.1")
	first, other := ta.client(), second.client()
	first.post("/anmelden", form(1)).wantStatus(t, http.StatusUnprocessableEntity)
	other.post("/anmelden", form(2)).wantStatus(t, http.StatusUnprocessableEntity)
	first.post("/anmelden", form(99)).wantStatus(t, http.StatusTooManyRequests)
	other.post("/anmelden", form(99)).wantStatus(t, http.StatusTooManyRequests)
	forwardedFor(ta.client(), "198.51.100.9").post("/anmelden", form(98)).wantStatus(t, http.StatusTooManyRequests)

	loopback := &net.IPNet{IP: net.IPv4(127, 0, 0, 1).To4(), Mask: net.CIDRMask(32, 32)}
	proxied := ta.secondInstance(func(c *app.Config) { c.TrustedProxies = []*net.IPNet{loopback} })
	behind := forwardedFor(proxied.client(), "203.0.113.7")
	behind.login("leitung@musterland.example", demo.Password)
	nearLimit("203.0.113.7")
	for i := 0; i < 2; i++ {
		behind.post("/anmelden", form(i)).wantStatus(t, http.StatusUnprocessableEntity)
	}
	behind.post("/anmelden", form(99)).wantStatus(t, http.StatusTooManyRequests)
	forwardedFor(proxied.client(), "203.0.113.8").login("leitung@musterland.example", demo.Password)
	if n := ta.count(`SELECT count(*) FROM login_failures WHERE client IN ('127.0.0.1', '203.0.113.7') AND failures >= ?`, accounts.LoginFailLimit); n != 2 {
		t.Fatalf("%d throttled client addresses, want 2 (the direct peer and the forwarded client)", n)
	}

	ta.clock.Advance(accounts.LoginFailWindow + 10*time.Minute) // past every instance's counts
	ta.raceJob(t, context.Background(), "login-throttle")
	if n := ta.count(`SELECT count(*) FROM login_failures`); n != 0 {
		t.Fatalf("%d client addresses kept after the window", n)
	}
}

// TestSessionCookiesAndHSTS: behind TLS (an https base URL) the session and CSRF cookies
// carry Secure, HttpOnly and SameSite and HSTS is sent; over plain HTTP no Secure, no HSTS.
func TestSessionCookiesAndHSTS(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	for _, tc := range []struct {
		base   string
		secure bool
	}{{"https://kimibv.kreis.example", true}, {"http://localhost:8080", false}} {
		_, e, err := app.New(app.Config{BaseURL: tc.base, Env: "production", MaxBodyBytes: 1 << 20, SessionLifetime: time.Hour, SessionIdle: time.Hour},
			ta.store, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(e)
		c := ta.client()
		c.base = srv.URL
		res := c.get("/anmelden")
		if got := res.Header.Get("Strict-Transport-Security") != ""; got != tc.secure {
			t.Errorf("%s: HSTS sent = %v", tc.base, got)
		}
		form := url.Values{"email": {"leitung@musterland.example"}, "password": {demo.Password}, "_csrf": {csrfFrom(t, res)}}
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/anmelden", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Cookie", "kimibv_csrf="+form.Get("_csrf"))
		login := c.do(req).wantStatus(t, http.StatusSeeOther)
		cookies := map[string]*http.Cookie{}
		for _, r := range []*response{res, login} {
			for _, ck := range (&http.Response{Header: r.Header}).Cookies() {
				cookies[ck.Name] = ck
			}
		}
		session := "kimibv_session"
		if tc.secure {
			session = "__Host-kimibv_session" // ASVS V3.4.4
		}
		for name, same := range map[string]http.SameSite{session: http.SameSiteLaxMode, "kimibv_csrf": http.SameSiteStrictMode} {
			ck := cookies[name]
			if ck == nil {
				t.Fatalf("%s: no %s cookie", tc.base, name)
			}
			if ck.Secure != tc.secure || !ck.HttpOnly || ck.SameSite != same {
				t.Errorf("%s: %s Secure=%v HttpOnly=%v SameSite=%v", tc.base, name, ck.Secure, ck.HttpOnly, ck.SameSite)
			}
		}
		srv.Close()
	}
}

// csrfFrom returns the CSRF cookie value set by res.
func csrfFrom(t *testing.T, res *response) string {
	for _, ck := range (&http.Response{Header: res.Header}).Cookies() {
		if ck.Name == "kimibv_csrf" {
			return ck.Value
		}
	}
	t.Fatal("no CSRF cookie")
	return ""
}

// localDialer connects from another loopback address, a second client for the server.
type localDialer struct{ addr string }

func (d *localDialer) dial(ctx context.Context, network, address string) (net.Conn, error) {
	nd := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(d.addr)}}
	return nd.DialContext(ctx, network, address)
}
