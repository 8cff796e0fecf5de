package app_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"kimibv/models/demo"
)

func TestInvitationCreatesAccountAndLogsIn(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	awo := ta.acctOrgID(acctAWO)
	admin := ta.client()
	admin.login("awo@traeger.example", demo.Password)
	admin.post(fmt.Sprintf("/traeger/%d/mitglieder/einladen", awo), url.Values{"email": {"Nora@AWO.example"}, "role": {"org_member"}}).wantStatus(t, http.StatusSeeOther)
	admin.get(fmt.Sprintf("/traeger/%d/mitglieder", awo)).wantContains(t, "Die Einladung an nora@awo.example ist verschickt.", "Offene Einladungen")
	tok := ta.acctToken("nora@awo.example", "http://kimibv.test/einladung")
	path := "/einladung/" + tok

	c := ta.client()
	c.get(path).wantStatus(t, http.StatusOK).wantContains(t, "Andrea Wohlfahrt hat Sie eingeladen", "Arbeiterwohlfahrt Kreisverband Musterland e. V.",
		"Mitarbeitende Person des Trägers", "Konto anlegen", `name="password_confirm"`)
	users := ta.count(`SELECT count(*) FROM users`)
	c.post(path, url.Values{"name": {"Nora Neu"}, "password": {acctNewPassword}, "password_confirm": {"nicht dasselbe 123"}}).
		wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, "Die beiden Passwörter stimmen nicht überein.", `value="Nora Neu"`)
	c.post(path, url.Values{"name": {""}, "password": {"kurz"}, "password_confirm": {"kurz"}}).
		wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, "Bitte geben Sie Ihren Namen an.", "mindestens 12 Zeichen")
	if ta.count(`SELECT count(*) FROM users`) != users {
		t.Fatal("refused acceptance created a user")
	}
	res := c.post(path, url.Values{"name": {"Nora Neu"}, "password": {acctNewPassword}, "password_confirm": {acctNewPassword}}).wantStatus(t, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != fmt.Sprintf("/traeger/%d", awo) {
		t.Fatalf("redirect to %q", loc)
	}
	c.get(res.Header.Get("Location")).wantStatus(t, http.StatusOK).wantContains(t, "Sie haben die Einladung angenommen", "Nora Neu")
	if n := ta.count(`SELECT count(*) FROM audit_log WHERE action = 'invitation.accepted'`); n != 1 {
		t.Fatalf("acceptance audited %d times", n)
	}
	// Used once only.
	ta.client().get(path).wantStatus(t, http.StatusNotFound).wantContains(t, "Einladung ungültig oder abgelaufen")
	ta.client().post(path, url.Values{"name": {"Noch wer"}, "password": {acctNewPassword}, "password_confirm": {acctNewPassword}}).wantStatus(t, http.StatusNotFound)
}

func TestInvitationForAnExistingAccount(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	awo := ta.acctOrgID(acctAWO)
	admin := ta.client()
	admin.login("awo@traeger.example", demo.Password)
	admin.post(fmt.Sprintf("/traeger/%d/mitglieder/einladen", awo), url.Values{"email": {"caritas@traeger.example"}, "role": {"org_admin"}}).wantStatus(t, http.StatusSeeOther)
	tok := ta.acctToken("caritas@traeger.example", "http://kimibv.test/einladung")
	path := "/einladung/" + tok

	anon := ta.client()
	anon.get(path).wantStatus(t, http.StatusOK).wantContains(t, "bereits ein Konto", `href="/anmelden?next=%2Feinladung%2F`+tok+`"`)
	if loc := anon.post(path, url.Values{"name": {"X"}}).wantStatus(t, http.StatusSeeOther).Header.Get("Location"); loc != "/anmelden?next=%2Feinladung%2F"+tok {
		t.Fatalf("anonymous POST redirected to %q", loc)
	}

	// Logged in with another account: explained on the page, refused on submit.
	wrong := ta.client()
	wrong.login("diakonie@traeger.example", demo.Password)
	wrong.get(path).wantStatus(t, http.StatusOK).wantContains(t, "Diese Einladung gilt für ein anderes Konto.")
	members := ta.count(`SELECT count(*) FROM organization_members WHERE org_id = ?`, awo)
	wrong.post(path, nil).wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, "Diese Einladung gilt für eine andere E-Mail-Adresse.")
	if ta.count(`SELECT count(*) FROM organization_members WHERE org_id = ?`, awo) != members {
		t.Fatal("wrong account became a member")
	}

	right := ta.client()
	right.login("caritas@traeger.example", demo.Password)
	right.get(path).wantStatus(t, http.StatusOK).wantContains(t, "Einladung annehmen", "Administration des Trägers")
	right.post(path, nil).wantStatus(t, http.StatusSeeOther)
	// Now a member of both organisations.
	right.get("/konto").wantContains(t, "Arbeiterwohlfahrt Kreisverband Musterland e. V.", "Caritasverband für den Kreis Musterland e. V.")
	right.get(fmt.Sprintf("/traeger/%d/profil", awo)).wantStatus(t, http.StatusOK)
}

func TestExpiredInvitationIsNotFound(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	awo := ta.acctOrgID(acctAWO)
	admin := ta.client()
	admin.login("awo@traeger.example", demo.Password)
	admin.post(fmt.Sprintf("/traeger/%d/mitglieder/einladen", awo), url.Values{"email": {"spaet@awo.example"}, "role": {"org_member"}}).wantStatus(t, http.StatusSeeOther)
	tok := ta.acctToken("spaet@awo.example", "http://kimibv.test/einladung")
	ta.clock.Advance(8 * 24 * time.Hour)
	c := ta.client()
	c.get("/einladung/"+tok).wantStatus(t, http.StatusNotFound).wantContains(t, "Einladung ungültig oder abgelaufen")
	c.post("/einladung/"+tok, url.Values{"name": {"Sven Spät"}, "password": {acctNewPassword}, "password_confirm": {acctNewPassword}}).wantStatus(t, http.StatusNotFound)
	if n := ta.count(`SELECT count(*) FROM users WHERE email = 'spaet@awo.example'`); n != 0 {
		t.Fatal("account created from an expired invitation")
	}
}
