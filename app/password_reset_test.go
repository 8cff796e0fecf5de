package app_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

func TestPasswordResetByMailedLink(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	c := ta.client()
	c.get("/passwort-vergessen").wantStatus(t, http.StatusOK).wantContains(t, "Link anfordern")
	c.post("/passwort-vergessen", url.Values{"email": {"kein-at-zeichen"}}).wantStatus(t, http.StatusUnprocessableEntity).
		wantContains(t, "Bitte geben Sie eine gültige E-Mail-Adresse an", `value="kein-at-zeichen"`)
	if n := ta.count(`SELECT count(*) FROM password_resets`) + ta.count(`SELECT count(*) FROM audit_log WHERE action = 'auth.password_reset_requested'`); n != 0 {
		t.Fatalf("invalid request wrote %d rows", n)
	}

	// Unknown and known addresses get the same answer; only the known one gets a mail.
	mails := ta.count(`SELECT count(*) FROM outbox`)
	unknown := c.post("/passwort-vergessen", url.Values{"email": {"niemand@traeger.example"}}).wantStatus(t, http.StatusSeeOther)
	c.get("/anmelden").wantContains(t, "Wenn für diese E-Mail-Adresse ein Konto besteht")
	if ta.count(`SELECT count(*) FROM outbox`) != mails {
		t.Fatal("mail queued for an unknown address")
	}
	known := c.post("/passwort-vergessen", url.Values{"email": {"awo@traeger.example"}}).wantStatus(t, http.StatusSeeOther)
	if unknown.Header.Get("Location") != known.Header.Get("Location") {
		t.Fatal("answers differ between known and unknown addresses")
	}
	c.get("/anmelden").wantContains(t, "Wenn für diese E-Mail-Adresse ein Konto besteht")
	tok := ta.acctToken("awo@traeger.example", "http://kimibv.test/passwort-zuruecksetzen")

	path := "/passwort-zuruecksetzen/" + tok
	c.get(path).wantStatus(t, http.StatusOK).wantContains(t, `name="password_confirm"`)
	c.post(path, url.Values{"password": {acctNewPassword}, "password_confirm": {"etwas anderes 1234"}}).
		wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, "Die beiden Passwörter stimmen nicht überein.")
	if n := ta.count(`SELECT count(*) FROM audit_log WHERE action = 'auth.password_reset'`); n != 0 {
		t.Fatal("refused reset written")
	}
	res := c.post(path, url.Values{"password": {acctNewPassword}, "password_confirm": {acctNewPassword}}).wantStatus(t, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/anmelden" {
		t.Fatalf("redirect to %q", loc)
	}
	c.get("/anmelden").wantContains(t, "Ihr neues Passwort ist gespeichert.")
	c.login("awo@traeger.example", acctNewPassword)

	// The link works once.
	c.get(path).wantStatus(t, http.StatusNotFound).wantContains(t, "Link ungültig oder abgelaufen", `href="/passwort-vergessen"`)
	c.post(path, url.Values{"password": {"Noch ein Passwort 99"}, "password_confirm": {"Noch ein Passwort 99"}}).wantStatus(t, http.StatusNotFound)
	ta.client().get("/passwort-zuruecksetzen/erfunden").wantStatus(t, http.StatusNotFound).wantContains(t, "Link ungültig oder abgelaufen")

	// After an hour the link has expired.
	c.post("/passwort-vergessen", url.Values{"email": {"awo@traeger.example"}}).wantStatus(t, http.StatusSeeOther)
	tok2 := ta.acctToken("awo@traeger.example", "http://kimibv.test/passwort-zuruecksetzen")
	ta.clock.Advance(61 * time.Minute)
	c.get("/passwort-zuruecksetzen/"+tok2).wantStatus(t, http.StatusNotFound)
}
