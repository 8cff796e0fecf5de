package app_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"kimibv/models/dbtest"
	"kimibv/models/demo"
)

// acctToken returns the token of the newest mail to addr linking to path/TOKEN.
func (ta *testApp) acctToken(addr, path string) string {
	ta.t.Helper()
	var body string
	if mails := dbtest.MailsTo(ta.t, ta.store.DB, addr, ""); len(mails) > 0 {
		body = mails[len(mails)-1].Body
	}
	m := regexp.MustCompile(regexp.QuoteMeta(path) + `/([A-Za-z0-9_-]{20,})`).FindStringSubmatch(body)
	if m == nil {
		ta.t.Fatalf("no %s link in the mail to %s: %q", path, addr, body)
	}
	return m[1]
}

const acctNewPassword = "Ein ganz neues Passwort 42"

func TestAccountPageShowsRolesPerKreisAndOrganisation(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	c := ta.client()
	res := c.get("/konto").wantStatus(t, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/anmelden?next=%2Fkonto" {
		t.Fatalf("anonymous redirected to %q", loc)
	}
	c.login("admin@beispielhausen.example", demo.Password)
	c.get("/konto").wantStatus(t, http.StatusOK).wantContains(t, "Bea Beispiel", "admin@beispielhausen.example",
		`href="/verwaltung/beispielhausen"`, "Verfahrensleitung, Kreisadministration", `href="/konto/passwort"`)

	p := ta.client()
	p.login("awo@traeger.example", demo.Password)
	res = p.get("/konto").wantStatus(t, http.StatusOK).wantContains(t, "Arbeiterwohlfahrt Kreisverband Musterland e. V.", "Administration des Trägers")
	if strings.Contains(res.Body, "Beispielhausen") {
		t.Fatal("another user's Kreis shown")
	}
}

func TestChangePasswordForm(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	c := ta.client()
	c.login("leitung@musterland.example", demo.Password)
	c.get("/konto/passwort").wantStatus(t, http.StatusOK).wantContains(t, `name="new_password_confirm"`, `autocomplete="current-password"`)

	res := c.post("/konto/passwort", url.Values{"current_password": {"falsch-geraten-123"}, "new_password": {acctNewPassword}, "new_password_confirm": {acctNewPassword + "x"}})
	res.wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, "Das bisherige Passwort ist nicht korrekt.", "Die beiden Passwörter stimmen nicht überein.",
		`href="#f-current_password"`, `href="#f-new_password_confirm"`)
	if strings.Contains(res.Body, acctNewPassword) || strings.Contains(res.Body, "falsch-geraten-123") {
		t.Fatal("a password was echoed into the form")
	}
	c.post("/konto/passwort", url.Values{"current_password": {demo.Password}, "new_password": {"kurz"}, "new_password_confirm": {"kurz"}}).
		wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, "mindestens 12 Zeichen")
	if n := ta.count(`SELECT count(*) FROM audit_log WHERE action = 'user.password_changed'`); n != 0 {
		t.Fatalf("refused change written: %d", n)
	}

	res = c.post("/konto/passwort", url.Values{"current_password": {demo.Password}, "new_password": {acctNewPassword}, "new_password_confirm": {acctNewPassword}})
	res.wantStatus(t, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/konto" {
		t.Fatalf("redirect to %q", loc)
	}
	c.get("/konto").wantContains(t, "Ihr Passwort wurde geändert.")
	if n := ta.count(`SELECT count(*) FROM audit_log WHERE action = 'user.password_changed'`); n != 1 {
		t.Fatalf("change audited %d times", n)
	}
	fresh := ta.client()
	fresh.post("/anmelden", url.Values{"email": {"leitung@musterland.example"}, "password": {demo.Password}}).wantStatus(t, http.StatusUnprocessableEntity)
	fresh.login("leitung@musterland.example", acctNewPassword)
}
