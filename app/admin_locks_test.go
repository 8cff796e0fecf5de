package app_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kimibv/models/demo"
)

// TestWithdrawnInvitationLinkSaysSo: a Kreis administrator and an organisation
// administrator each withdraw an open invitation (audited); the link then explains in
// German that it was withdrawn and cannot be accepted. Another Kreis's or organisation's
// administrator, a second withdrawal and malformed ids are 404 and change nothing.
func TestWithdrawnInvitationLinkSaysSo(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	admin, bhAdmin := ta.client(), ta.client()
	admin.login("admin@musterland.example", demo.Password)
	bhAdmin.login("admin@beispielhausen.example", demo.Password)
	admin.post("/verwaltung/musterland/einladungen", url.Values{"email": {"neu@musterland.example"}, "roles": {"council"}}).wantStatus(t, http.StatusSeeOther)
	tok := ta.acctToken("neu@musterland.example", "http://kimibv.test/einladung")
	inv := ta.count(`SELECT id FROM invitations WHERE email = 'neu@musterland.example'`)
	admin.get("/verwaltung/musterland/nutzer").wantContains(t, fmt.Sprintf(`action="/verwaltung/musterland/einladungen/%d/zurueckziehen"`, inv))

	before := ta.writes()
	bhAdmin.post(fmt.Sprintf("/verwaltung/beispielhausen/einladungen/%d/zurueckziehen", inv), nil).wantStatus(t, http.StatusNotFound)
	for _, id := range []string{"abc", "0", "99999999", "1e3"} {
		admin.post("/verwaltung/musterland/einladungen/"+id+"/zurueckziehen", nil).wantStatus(t, http.StatusNotFound)
	}
	if ta.writes() != before || ta.count(`SELECT count(*) FROM invitations WHERE withdrawn_at IS NOT NULL`) != 0 {
		t.Fatal("a refused withdrawal changed something")
	}
	ta.client().get("/einladung/"+tok).wantStatus(t, http.StatusOK)

	admin.post(fmt.Sprintf("/verwaltung/musterland/einladungen/%d/zurueckziehen", inv), nil).wantStatus(t, http.StatusSeeOther)
	list := admin.get("/verwaltung/musterland/nutzer").wantContains(t, "Die Einladung wurde zurückgezogen.", "Es gibt keine offenen Einladungen.")
	if strings.Contains(list.Body, "zurueckziehen") {
		t.Fatal("the withdrawn invitation is still offered")
	}
	if n := ta.count(`SELECT count(*) FROM audit_log WHERE action = 'invitation.withdrawn' AND object_id = ?`, fmt.Sprint(inv)); n != 1 {
		t.Fatalf("withdrawal audited %d times", n)
	}
	ta.client().get("/einladung/"+tok).wantStatus(t, http.StatusNotFound).wantContains(t, "Einladung zurückgezogen", "von der einladenden Stelle zurückgezogen")
	users := ta.count(`SELECT count(*) FROM users`)
	ta.client().post("/einladung/"+tok, url.Values{"name": {"Nina Neu"}, "password": {acctNewPassword}, "password_confirm": {acctNewPassword}}).
		wantStatus(t, http.StatusNotFound).wantContains(t, "Einladung zurückgezogen")
	if ta.count(`SELECT count(*) FROM users`) != users {
		t.Fatal("a withdrawn invitation created an account")
	}
	admin.post(fmt.Sprintf("/verwaltung/musterland/einladungen/%d/zurueckziehen", inv), nil).wantStatus(t, http.StatusNotFound)

	// An organisation's invitation: only its own administrators withdraw it.
	awo := ta.acctOrgID(acctAWO)
	orgAdmin, caritas := ta.client(), ta.client()
	orgAdmin.login("awo@traeger.example", demo.Password)
	caritas.login("caritas@traeger.example", demo.Password)
	orgAdmin.post(fmt.Sprintf("/traeger/%d/mitglieder/einladen", awo), url.Values{"email": {"nora@awo.example"}, "role": {"org_member"}}).wantStatus(t, http.StatusSeeOther)
	orgInv := ta.count(`SELECT id FROM invitations WHERE email = 'nora@awo.example'`)
	orgTok := ta.acctToken("nora@awo.example", "http://kimibv.test/einladung")
	caritasOrg := ta.count(`SELECT m.org_id FROM organization_members m JOIN users u ON u.id = m.user_id WHERE u.email = 'caritas@traeger.example'`)
	caritas.post(fmt.Sprintf("/traeger/%d/mitglieder/einladungen/%d/zurueckziehen", caritasOrg, orgInv), nil).wantStatus(t, http.StatusNotFound)
	caritas.post(fmt.Sprintf("/traeger/%d/mitglieder/einladungen/%d/zurueckziehen", awo, orgInv), nil).wantStatus(t, http.StatusNotFound)
	admin.post(fmt.Sprintf("/verwaltung/musterland/einladungen/%d/zurueckziehen", orgInv), nil).wantStatus(t, http.StatusNotFound)
	ta.client().get("/einladung/"+orgTok).wantStatus(t, http.StatusOK)
	orgAdmin.post(fmt.Sprintf("/traeger/%d/mitglieder/einladungen/%d/zurueckziehen", awo, orgInv), nil).wantStatus(t, http.StatusSeeOther)
	orgAdmin.get(fmt.Sprintf("/traeger/%d/mitglieder", awo)).wantContains(t, "Die Einladung wurde zurückgezogen.")
	ta.client().get("/einladung/"+orgTok).wantStatus(t, http.StatusNotFound).wantContains(t, "Einladung zurückgezogen")
}

// TestRoleChangesAcceptOnlyMembersOfTheKreis: a Kreis administrator who forges the id of
// another Kreis's person (or an organisation's) into the role form gets 404; that person
// keeps exactly their roles and nothing is written.
func TestRoleChangesAcceptOnlyMembersOfTheKreis(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	admin := ta.client()
	admin.login("admin@musterland.example", demo.Password)
	stranger := ta.userID("admin@beispielhausen.example")
	roles := func() string {
		return fmt.Sprint(ta.count(`SELECT count(*) FROM tenant_memberships WHERE user_id = ?`, stranger),
			ta.count(`SELECT count(*) FROM tenant_memberships WHERE user_id = ? AND role = 'tenant_admin'`, stranger))
	}
	before, rolesBefore := ta.writes(), roles()
	for _, form := range []url.Values{{"roles": {"lead"}}, {"roles": {"tenant_admin", "council"}}, {}} {
		admin.post(fmt.Sprintf("/verwaltung/musterland/nutzer/%d", stranger), form).wantStatus(t, http.StatusNotFound)
	}
	admin.get(fmt.Sprintf("/verwaltung/musterland/nutzer/%d", stranger)).wantStatus(t, http.StatusNotFound)
	if ta.writes() != before || roles() != rolesBefore {
		t.Fatalf("a forged role change wrote something: %s → %s, roles %s → %s", before, ta.writes(), rolesBefore, roles())
	}
	if n := ta.count(`SELECT count(*) FROM tenant_memberships m JOIN tenants t ON t.id = m.tenant_id WHERE m.user_id = ? AND t.slug = 'musterland'`, stranger); n != 0 {
		t.Fatal("the stranger got a role in Musterland")
	}
}

// TestOperatorLocksAndUnlocksAnAccount: only the operator finds and locks an account
// (with a reason, audited); the person's sessions end at once and the login is refused
// with a German message naming the lock (a wrong password still gets the general
// message); the operator cannot lock their own account; unlocking lets the person in.
func TestOperatorLocksAndUnlocksAnAccount(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	lead := ta.userID("leitung@musterland.example")
	base := fmt.Sprintf("/betrieb/nutzer/%d", lead)
	admin := ta.client()
	admin.login("admin@musterland.example", demo.Password)
	admin.get("/betrieb/nutzer?q=leitung").wantStatus(t, http.StatusNotFound)
	admin.post(base+"/sperren", url.Values{"reason": {"Versuch"}}).wantStatus(t, http.StatusNotFound)

	person := ta.client()
	person.login("leitung@musterland.example", demo.Password)
	op := ta.client()
	op.login("betrieb@kimibv.example", demo.Password)
	op.get("/betrieb").wantContains(t, `href="/betrieb/nutzer"`)
	op.get("/betrieb/nutzer?q=LEITUNG%40musterland").wantStatus(t, http.StatusOK).wantContains(t, "Jana Leitner", "leitung@musterland.example", "Aktiv", `href="`+base+`/sperren"`)
	op.get("/betrieb/nutzer?q=%25").wantStatus(t, http.StatusOK).wantContains(t, "Kein Konto passt zu Ihrer Suche.")
	op.get(base+"/sperren").wantStatus(t, http.StatusOK).wantContains(t, "Konto sperren: Jana Leitner")

	before := ta.count(`SELECT count(*) FROM audit_log`)
	op.post(base+"/sperren", url.Values{"reason": {" "}}).wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, "Bitte geben Sie einen Grund", `href="#f-reason"`)
	op.post(fmt.Sprintf("/betrieb/nutzer/%d/sperren", ta.userID("betrieb@kimibv.example")), url.Values{"reason": {"Test"}}).
		wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, "Sie können Ihr eigenes Konto nicht sperren.")
	op.post("/betrieb/nutzer/99999999/sperren", url.Values{"reason": {"Test"}}).wantStatus(t, http.StatusNotFound)
	op.post(base+"/entsperren", nil).wantStatus(t, http.StatusConflict).wantContains(t, "nicht gesperrt")
	if ta.count(`SELECT count(*) FROM audit_log`) != before || ta.count(`SELECT count(*) FROM users WHERE locked_at IS NOT NULL`) != 0 {
		t.Fatal("a refused lock changed something")
	}
	person.get("/konto").wantStatus(t, http.StatusOK)

	op.post(base+"/sperren", url.Values{"reason": {"Dienstverhältnis beendet"}}).wantStatus(t, http.StatusSeeOther)
	op.get("/betrieb/nutzer?q=leitung@musterland.example").wantContains(t, "Das Konto von Jana Leitner ist gesperrt.", "Grund: Dienstverhältnis beendet", `action="`+base+`/entsperren"`)
	if n := ta.count(`SELECT count(*) FROM audit_log WHERE action = 'user.locked' AND object_id = ? AND details LIKE '%Dienstverhältnis%'`, fmt.Sprint(lead)); n != 1 {
		t.Fatalf("lock audited %d times", n)
	}
	person.get("/konto").wantStatus(t, http.StatusSeeOther)
	c := ta.client()
	c.post("/anmelden", url.Values{"email": {"leitung@musterland.example"}, "password": {demo.Password}}).
		wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, "Ihr Konto ist gesperrt. Bitte wenden Sie sich an den Betrieb")
	wrong := c.post("/anmelden", url.Values{"email": {"leitung@musterland.example"}, "password": {"falsch-falsch-falsch"}}).wantStatus(t, http.StatusUnprocessableEntity)
	if strings.Contains(wrong.Body, "Ihr Konto ist gesperrt") {
		t.Fatal("a wrong password reveals the lock")
	}

	op.post(base+"/entsperren", nil).wantStatus(t, http.StatusSeeOther)
	op.get("/betrieb/nutzer?q=leitung@musterland.example").wantContains(t, "ist entsperrt")
	c.login("leitung@musterland.example", demo.Password)
	c.get("/verwaltung/musterland/verfahren").wantStatus(t, http.StatusOK)
	if n := ta.count(`SELECT count(*) FROM audit_log WHERE action = 'user.unlocked' AND object_id = ?`, fmt.Sprint(lead)); n != 1 {
		t.Fatalf("unlock audited %d times", n)
	}
}

// TestHostileCorpusOnAccountAdministration sends the hostile corpus to the new forms: the
// reason of an account lock, the operator's account search, and forged ids in the
// addresses of session ends and invitation withdrawals. Nothing answers 5xx, nothing is
// echoed unescaped, refused input changes nothing, and stored text has no bidi override.
func TestHostileCorpusOnAccountAdministration(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	op, admin, orgAdmin := ta.client(), ta.client(), ta.client()
	op.login("betrieb@kimibv.example", demo.Password)
	admin.login("admin@musterland.example", demo.Password)
	orgAdmin.login("awo@traeger.example", demo.Password)
	check := func(what string, res *response) {
		t.Helper()
		if res.Status >= 500 {
			t.Errorf("%s: status %d", what, res.Status)
		}
		for _, raw := range rawActive {
			if strings.Contains(res.Body, raw) {
				t.Errorf("%s: answer echoes %q unescaped", what, raw)
			}
		}
	}
	lock := fmt.Sprintf("/betrieb/nutzer/%d", ta.userID("gremium2@musterland.example"))
	locks := int64(0)
	for _, p := range hostilePayloads {
		res := op.post(lock+"/sperren", url.Values{"reason": {p}})
		check("lock reason "+fmt.Sprintf("%.20q", p), res)
		if res.Status == http.StatusSeeOther {
			locks++
			op.post(lock+"/entsperren", nil).wantStatus(t, http.StatusSeeOther)
		} else if res.Status != http.StatusBadRequest && res.Status != http.StatusUnprocessableEntity {
			t.Errorf("lock reason %.20q: status %d", p, res.Status)
		}
		if len(p) < 1000 {
			check("search "+fmt.Sprintf("%.20q", p), op.get("/betrieb/nutzer?q="+url.QueryEscape(p)))
		}
	}
	awo := ta.acctOrgID(acctAWO)
	before := ta.writes()
	for _, id := range []string{"999999", "-1", "0", "99999999999999999999", "1e309", "abc", "%00", "%C3%28"} {
		check("session "+id, op.post("/konto/anmeldungen/"+id+"/beenden", nil))
		check("kreis invitation "+id, admin.post("/verwaltung/musterland/einladungen/"+id+"/zurueckziehen", nil))
		check("org invitation "+id, orgAdmin.post(fmt.Sprintf("/traeger/%d/mitglieder/einladungen/%s/zurueckziehen", awo, id), nil))
	}
	if ta.writes() != before {
		t.Fatal("forged ids changed something")
	}
	if n := ta.count(`SELECT count(*) FROM users WHERE strpos(locked_reason, U&'\202E') > 0 OR length(locked_reason) > 1000`); n != 0 {
		t.Fatalf("%d stored lock reasons with a bidi override or over-long", n)
	}
	// Over-long text, broken UTF-8, a NUL byte and a bidi override are refused; the rest
	// are reasons like any other, stored as typed.
	if n := ta.count(`SELECT count(*) FROM audit_log WHERE action = 'user.locked'`); n != locks || locks != int64(len(hostilePayloads)-4) {
		t.Fatalf("%d locks stored, %d accepted of %d payloads", n, locks, len(hostilePayloads))
	}
}
