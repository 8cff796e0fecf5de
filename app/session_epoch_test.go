package app_test

import (
	"net/http"
	"net/url"
	"testing"

	"kimibv/models/demo"
)

// TestPasswordChangeEndsOtherSessions: the same user is logged in twice; changing the
// password in one client logs the other one out (its next request is anonymous and its
// session row is gone), while the changing client stays logged in; a stale session cannot
// post either. A wrong current password ends nothing.
func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	a, b := ta.client(), ta.client()
	a.login("leitung@musterland.example", demo.Password)
	b.login("leitung@musterland.example", demo.Password)
	b.get("/konto").wantStatus(t, http.StatusOK)

	a.post("/konto/passwort", url.Values{"current_password": {"falsch-geraten-123"}, "new_password": {acctNewPassword}, "new_password_confirm": {acctNewPassword}}).
		wantStatus(t, http.StatusUnprocessableEntity)
	b.get("/konto").wantStatus(t, http.StatusOK)

	sessions := ta.count(`SELECT count(*) FROM sessions`)
	a.post("/konto/passwort", url.Values{"current_password": {demo.Password}, "new_password": {acctNewPassword}, "new_password_confirm": {acctNewPassword}}).
		wantStatus(t, http.StatusSeeOther)
	a.get("/konto").wantStatus(t, http.StatusOK).wantContains(t, "Ihr Passwort wurde geändert.")

	res := b.get("/konto").wantStatus(t, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/anmelden?next=%2Fkonto" {
		t.Fatalf("other session redirected to %q", loc)
	}
	if n := ta.count(`SELECT count(*) FROM sessions`); n >= sessions {
		t.Fatalf("stale session not destroyed: %d sessions before, %d after", sessions, n)
	}
	b.post("/konto/passwort", url.Values{"current_password": {acctNewPassword}, "new_password": {"Noch ein gutes Passwort"}, "new_password_confirm": {"Noch ein gutes Passwort"}}).
		wantStatus(t, http.StatusSeeOther)
	if n := ta.count(`SELECT count(*) FROM audit_log WHERE action = 'user.password_changed'`); n != 1 {
		t.Fatalf("stale session changed the password: %d changes", n)
	}
	a.get("/konto").wantStatus(t, http.StatusOK)
	b.login("leitung@musterland.example", acctNewPassword)
	b.get("/konto").wantStatus(t, http.StatusOK)
	a.get("/konto").wantStatus(t, http.StatusOK)
}

// TestPasswordResetEndsSessions: a reset by mailed link logs out every session of the user.
func TestPasswordResetEndsSessions(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	a := ta.client()
	a.login("awo@traeger.example", demo.Password)
	a.get("/konto").wantStatus(t, http.StatusOK)
	other := ta.client()
	other.login("leitung@musterland.example", demo.Password)

	r := ta.client()
	r.post("/passwort-vergessen", url.Values{"email": {"awo@traeger.example"}}).wantStatus(t, http.StatusSeeOther)
	tok := ta.acctToken("awo@traeger.example", "http://kimibv.test/passwort-zuruecksetzen")
	r.post("/passwort-zuruecksetzen/"+tok, url.Values{"password": {acctNewPassword}, "password_confirm": {acctNewPassword}}).wantStatus(t, http.StatusSeeOther)

	a.get("/konto").wantStatus(t, http.StatusSeeOther)
	other.get("/konto").wantStatus(t, http.StatusOK) // another user's session is untouched
	a.login("awo@traeger.example", acctNewPassword)
	a.get("/konto").wantStatus(t, http.StatusOK)
}
