package app_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kimibv/models/demo"
)

// acctOrgID returns the id of the demo organisation with the e-mail address.
func (ta *testApp) acctOrgID(email string) int64 {
	ta.t.Helper()
	id := ta.count(`SELECT id FROM organizations WHERE email = ?`, email)
	if id == 0 {
		ta.t.Fatalf("no organisation %s", email)
	}
	return id
}

const (
	acctAWO     = "info@awo-musterland.example"
	acctCaritas = "info@caritas-musterland.example"
)

// acctJoin lets the logged-in administrator c invite email into the organisation with role,
// accepts the invitation with a new account and returns that user's logged-in client.
func (ta *testApp) acctJoin(c *client, orgID int64, email, name, role string) *client {
	ta.t.Helper()
	c.post(fmt.Sprintf("/traeger/%d/mitglieder/einladen", orgID), url.Values{"email": {email}, "role": {role}}).wantStatus(ta.t, http.StatusSeeOther)
	tok := ta.acctToken(email, "http://kimibv.test/einladung")
	m := ta.client()
	m.post("/einladung/"+tok, url.Values{"name": {name}, "password": {acctNewPassword}, "password_confirm": {acctNewPassword}}).wantStatus(ta.t, http.StatusSeeOther)
	return m
}

func TestAnotherOrganisationsPagesAreNotFound(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	awo, caritas := ta.acctOrgID(acctAWO), ta.acctOrgID(acctCaritas)
	anon := ta.client()
	if loc := anon.get(fmt.Sprintf("/traeger/%d", awo)).wantStatus(t, http.StatusSeeOther).Header.Get("Location"); !strings.HasPrefix(loc, "/anmelden?next=") {
		t.Fatalf("anonymous redirected to %q", loc)
	}
	c := ta.client()
	c.login("awo@traeger.example", demo.Password)
	c.get(fmt.Sprintf("/traeger/%d", awo)).wantStatus(t, http.StatusOK)
	audit := ta.count(`SELECT count(*) FROM audit_log`)
	caritasAdmin := ta.count(`SELECT id FROM users WHERE email = 'caritas@traeger.example'`)
	other := fmt.Sprintf("/traeger/%d", caritas)
	for _, p := range []string{other, other + "/profil", other + "/mitglieder", "/traeger/abc", "/traeger/0", "/traeger/999999"} {
		c.get(p).wantStatus(t, http.StatusNotFound).wantContains(t, "Seite nicht gefunden")
	}
	posts := map[string]url.Values{
		other + "/profil":              acctRegistration(),
		other + "/mitglieder/einladen": {"email": {"spion@traeger.example"}, "role": {"org_admin"}},
		other + fmt.Sprintf("/mitglieder/%d/rolle", caritasAdmin):     {"role": {"org_member"}},
		other + fmt.Sprintf("/mitglieder/%d/entfernen", caritasAdmin): {},
	}
	for p, form := range posts {
		c.post(p, form).wantStatus(t, http.StatusNotFound)
	}
	if n := ta.count(`SELECT count(*) FROM audit_log`); n != audit {
		t.Fatalf("requests on another organisation wrote %d audit entries", n-audit)
	}
	if n := ta.count(`SELECT count(*) FROM invitations WHERE org_id IS NOT NULL`); n != 0 {
		t.Fatal("invitation into another organisation stored")
	}
	// The AWO administrator's own member list does not leak other organisations' people.
	res := c.get(fmt.Sprintf("/traeger/%d/mitglieder", awo)).wantStatus(t, http.StatusOK)
	if strings.Contains(res.Body, "caritas@traeger.example") {
		t.Fatal("other organisation's member shown")
	}
}

func TestOrgMemberCannotUseAdminPages(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	awo := ta.acctOrgID(acctAWO)
	admin := ta.client()
	admin.login("awo@traeger.example", demo.Password)
	m := ta.acctJoin(admin, awo, "mia@awo.example", "Mia Mitglied", "org_member")
	base := fmt.Sprintf("/traeger/%d", awo)
	m.get(base).wantStatus(t, http.StatusOK).wantContains(t, "Mia Mitglied", "Mitarbeitende Person des Trägers", "Alle Mitglieder ansehen")
	res := m.get(base+"/mitglieder").wantStatus(t, http.StatusOK).wantContains(t, "Andrea Wohlfahrt")
	if strings.Contains(res.Body, "Einladung verschicken") || strings.Contains(res.Body, "/entfernen") {
		t.Fatal("member sees administration controls")
	}
	adminID := ta.count(`SELECT id FROM users WHERE email = 'awo@traeger.example'`)
	audit := ta.count(`SELECT count(*) FROM audit_log`)
	m.get(base+"/profil").wantStatus(t, http.StatusNotFound)
	m.post(base+"/profil", acctRegistration()).wantStatus(t, http.StatusNotFound)
	m.post(base+"/mitglieder/einladen", url.Values{"email": {"freund@awo.example"}, "role": {"org_admin"}}).wantStatus(t, http.StatusNotFound)
	m.post(fmt.Sprintf("%s/mitglieder/%d/rolle", base, adminID), url.Values{"role": {"org_member"}}).wantStatus(t, http.StatusNotFound)
	m.post(fmt.Sprintf("%s/mitglieder/%d/entfernen", base, adminID), nil).wantStatus(t, http.StatusNotFound)
	if n := ta.count(`SELECT count(*) FROM audit_log`); n != audit {
		t.Fatal("member's refused requests wrote audit entries")
	}
}

func TestOrgProfileEdit(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	awo := ta.acctOrgID(acctAWO)
	c := ta.client()
	c.login("awo@traeger.example", demo.Password)
	path := fmt.Sprintf("/traeger/%d/profil", awo)
	c.get(path).wantStatus(t, http.StatusOK).wantContains(t, `value="Hauptstraße 12"`, `value="57001"`, `<option value="Arbeiterwohlfahrt (AWO)" selected>`)

	form := url.Values{"org_name": {"Arbeiterwohlfahrt Kreisverband Musterland e. V."}, "legal_form": {"eingetragener Verein (e. V.)"},
		"register_court": {"Amtsgericht Musterstadt"}, "register_number": {"VR 7001"}, "street": {"Hauptstraße 12"}, "postal_code": {"57x01"},
		"city": {"Musterstadt"}, "association": {"Arbeiterwohlfahrt (AWO)"}, "org_email": {"info@awo-musterland.example"}, "phone": {"02345 1234-0"}}
	c.post(path, form).wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, "Bitte geben Sie eine fünfstellige Postleitzahl an.", `value="57x01"`)
	form.Set("postal_code", "57001")
	form.Set("org_name", "Diakonisches Werk im Kreis Musterland e. V.")
	c.post(path, form).wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, "bereits unter diesem Namen registriert")
	if n := ta.count(`SELECT count(*) FROM audit_log WHERE action = 'organization.updated'`); n != 0 {
		t.Fatal("refused update written")
	}
	form.Set("org_name", "Arbeiterwohlfahrt Kreisverband Musterland e. V.")
	form.Set("city", "Neustadt")
	c.post(path, form).wantStatus(t, http.StatusSeeOther)
	c.get(fmt.Sprintf("/traeger/%d", awo)).wantContains(t, "Das Profil der Organisation ist gespeichert.", "Hauptstraße 12, 57001 Neustadt")
	if n := ta.count(`SELECT count(*) FROM audit_log WHERE action = 'organization.updated' AND details LIKE '%"after":"Neustadt"%'`); n != 1 {
		t.Fatalf("update audited %d times", n)
	}
}

func TestOrgMembersInviteRoleAndRemoval(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	awo := ta.acctOrgID(acctAWO)
	c := ta.client()
	c.login("awo@traeger.example", demo.Password)
	base := fmt.Sprintf("/traeger/%d/mitglieder", awo)
	adminID := ta.count(`SELECT id FROM users WHERE email = 'awo@traeger.example'`)
	c.get(base).wantStatus(t, http.StatusOK).wantContains(t, "Andrea Wohlfahrt (Sie)", "Einladung verschicken")

	c.post(base+"/einladen", url.Values{"email": {"kein-at"}, "role": {"org_member"}}).wantStatus(t, http.StatusUnprocessableEntity).
		wantContains(t, "Bitte geben Sie eine gültige E-Mail-Adresse an")
	c.post(base+"/einladen", url.Values{"email": {"neu@awo.example"}, "role": {"tenant_admin"}}).wantStatus(t, http.StatusUnprocessableEntity).
		wantContains(t, "Bitte wählen Sie die Rolle aus der Liste aus.")
	c.post(base+"/einladen", url.Values{"email": {"awo@traeger.example"}, "role": {"org_member"}}).wantStatus(t, http.StatusUnprocessableEntity).
		wantContains(t, "Diese Person gehört der Organisation bereits an.")
	// The only administrator can neither step down nor leave.
	c.post(fmt.Sprintf("%s/%d/rolle", base, adminID), url.Values{"role": {"org_member"}}).wantStatus(t, http.StatusUnprocessableEntity).
		wantContains(t, "braucht mindestens eine Person", `href="#f-member"`)
	c.post(fmt.Sprintf("%s/%d/entfernen", base, adminID), nil).wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, "braucht mindestens eine Person")
	if n := ta.count(`SELECT count(*) FROM invitations WHERE org_id IS NOT NULL`) + ta.count(`SELECT count(*) FROM audit_log WHERE action LIKE 'organization.%' AND action <> 'organization.registered'`); n != 0 {
		t.Fatalf("refused requests wrote %d rows", n)
	}

	m := ta.acctJoin(c, awo, "max@awo.example", "Max Muster", "org_member")
	c.get(base).wantContains(t, "Max Muster", "max@awo.example")
	if n := ta.count(`SELECT count(*) FROM audit_log WHERE action = 'organization.member_invited'`); n != 1 {
		t.Fatalf("invitation audited %d times", n)
	}
	maxID := ta.count(`SELECT id FROM users WHERE email = 'max@awo.example'`)
	c.post(fmt.Sprintf("%s/%d/rolle", base, maxID), url.Values{"role": {"org_admin"}}).wantStatus(t, http.StatusSeeOther)
	m.get(fmt.Sprintf("/traeger/%d/profil", awo)).wantStatus(t, http.StatusOK)
	// Now the first administrator may step down; the new one removes them.
	c.post(fmt.Sprintf("%s/%d/rolle", base, adminID), url.Values{"role": {"org_member"}}).wantStatus(t, http.StatusSeeOther)
	c.get(fmt.Sprintf("/traeger/%d/profil", awo)).wantStatus(t, http.StatusNotFound)
	m.post(fmt.Sprintf("%s/%d/entfernen", base, adminID), nil).wantStatus(t, http.StatusSeeOther)
	// Removed by another administrator: the removed person's sessions end (rules.md R30).
	c.get(fmt.Sprintf("/traeger/%d", awo)).wantStatus(t, http.StatusSeeOther)
	if n := ta.count(`SELECT count(*) FROM audit_log WHERE action = 'organization.role_changed'`); n != 2 {
		t.Fatalf("role changes audited %d times", n)
	}
	if n := ta.count(`SELECT count(*) FROM audit_log WHERE action = 'organization.member_removed'`); n != 1 {
		t.Fatalf("removals audited %d times", n)
	}
	// The last administrator leaving is refused again.
	m.post(fmt.Sprintf("%s/%d/entfernen", base, maxID), nil).wantStatus(t, http.StatusUnprocessableEntity)
}
