package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kimibv/models/demo"
)

func TestLoginSuccessRotatesSessionAndFailureIsAudited(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	c := ta.client()
	c.get("/anmelden").wantStatus(t, http.StatusOK).wantContains(t, `name="_csrf"`, `autocomplete="current-password"`)
	before := c.sessionCookie()

	res := c.post("/anmelden", url.Values{"email": {"leitung@musterland.example"}, "password": {"falsch-falsch-falsch"}})
	res.wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, "nicht korrekt", `id="fehlerliste"`, `value="leitung@musterland.example"`)
	if strings.Contains(res.Body, "falsch-falsch-falsch") {
		t.Fatal("password echoed back into the form")
	}
	if n := ta.count(`SELECT count(*) FROM audit_log WHERE action = 'auth.login_failed'`); n != 1 {
		t.Fatalf("login_failed entries: %d", n)
	}

	c.login("leitung@musterland.example", demo.Password)
	after := c.sessionCookie()
	if after == "" || after == before {
		t.Fatalf("session token not rotated on login: before %q after %q", before, after)
	}
	c.get("/").wantStatus(t, http.StatusOK).wantContains(t, "Abmelden", "/verwaltung/musterland")
	// Logging in again (another account) from an existing session issues a new token too.
	c.login("kreistag@musterland.example", demo.Password)
	if again := c.sessionCookie(); again == after {
		t.Fatal("session token not rotated on second login")
	}

	c.post("/abmelden", nil).wantStatus(t, http.StatusSeeOther)
	c.get("/").wantContains(t, "Anmelden")
}

func TestEmptyLoginNamesTheMissingFieldsAndIsNoFailedAttempt(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	c := ta.client()
	res := c.post("/anmelden", url.Values{"email": {" "}, "password": {""}})
	res.wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, "Bitte geben Sie Ihre E-Mail-Adresse an.", "Bitte geben Sie Ihr Passwort an.", `href="#f-password"`)
	if n := ta.count(`SELECT count(*) FROM audit_log WHERE action = 'auth.login_failed'`); n != 0 {
		t.Fatalf("an empty form counted as a failed login: %d", n)
	}
}

func TestLoginLockOutAfterRepeatedFailures(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	c := ta.client()
	for i := 0; i < 5; i++ {
		c.post("/anmelden", url.Values{"email": {"awo@traeger.example"}, "password": {"nicht-das-passwort"}}).wantStatus(t, http.StatusUnprocessableEntity)
	}
	// Locked: even the right password is refused now, and the refusal is audited.
	c.post("/anmelden", url.Values{"email": {"awo@traeger.example"}, "password": {demo.Password}}).wantStatus(t, http.StatusUnprocessableEntity)
	if n := ta.count(`SELECT count(*) FROM audit_log WHERE action = 'auth.login_failed' AND details LIKE '%"locked"%'`); n != 1 {
		t.Fatalf("locked refusals audited: %d", n)
	}
	// After the lock-out period it works again.
	ta.clock.Advance(2 * 60 * 1e9)
	c.login("awo@traeger.example", demo.Password)
}

func TestStateChangingRequestWithoutCSRFTokenIsRefused(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	c := ta.client()
	c.get("/anmelden")
	res := c.postRaw("/anmelden", url.Values{"email": {"leitung@musterland.example"}, "password": {demo.Password}})
	res.wantStatus(t, http.StatusForbidden).wantContains(t, "Formular ist abgelaufen")
	res = c.postRaw("/anmelden", url.Values{"_csrf": {"gefälscht"}, "email": {"leitung@musterland.example"}, "password": {demo.Password}})
	res.wantStatus(t, http.StatusForbidden)
	if n := ta.count(`SELECT count(*) FROM audit_log WHERE action = 'auth.login'`); n != 0 {
		t.Fatalf("login happened without a CSRF token: %d", n)
	}
}

func TestOpenRedirectAfterLoginIsRefused(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	c := ta.client()
	res := c.post("/anmelden", url.Values{"email": {"awo@traeger.example"}, "password": {demo.Password}, "next": {"//evil.example/"}})
	res.wantStatus(t, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/arbeitsbereich" { // the work area, not the foreign address
		t.Fatalf("redirect to %q", loc)
	}
	// An account with a second factor goes to the code page, without the foreign address.
	res = ta.client().post("/anmelden", url.Values{"email": {"leitung@musterland.example"}, "password": {demo.Password}, "next": {"//evil.example/"}})
	if loc := res.wantStatus(t, http.StatusSeeOther).Header.Get("Location"); loc != "/anmelden/zweiter-faktor" {
		t.Fatalf("redirect of the lead to %q", loc)
	}
}

// sessionCookie returns the current session cookie value.
func (c *client) sessionCookie() string {
	u, _ := url.Parse(c.base)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == "kimibv_session" {
			return ck.Value
		}
	}
	return ""
}
