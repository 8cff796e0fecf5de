package app_test

import (
	"context"
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
		for name, same := range map[string]http.SameSite{"kimibv_session": http.SameSiteLaxMode, "kimibv_csrf": http.SameSiteStrictMode} {
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
