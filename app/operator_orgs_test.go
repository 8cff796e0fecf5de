package app_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kimibv/models/demo"
)

// TestOperatorLocksAndUnlocksAnOrganisation lists the organisations as the operator,
// locks AWO with a reason (refused without one), checks that its only member can neither
// log in nor reach the organisation with a session opened before, and unlocks it again;
// both steps are audited and nobody else reaches the pages.
func TestOperatorLocksAndUnlocksAnOrganisation(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	awo := ta.count(`SELECT m.org_id FROM organization_members m JOIN users u ON u.id = m.user_id WHERE u.email = 'awo@traeger.example'`)
	base := fmt.Sprintf("/betrieb/organisationen/%d", awo)
	for _, email := range []string{"admin@musterland.example", "awo@traeger.example"} {
		c := ta.client()
		c.login(email, demo.Password)
		c.get("/betrieb/organisationen").wantStatus(t, http.StatusNotFound)
		c.post(base+"/sperren", url.Values{"reason": {"Versuch"}}).wantStatus(t, http.StatusNotFound)
	}
	op := ta.client()
	op.login("betrieb@kimibv.example", demo.Password)
	op.get("/betrieb").wantStatus(t, http.StatusOK).wantContains(t, `href="/betrieb/organisationen"`)
	op.get("/betrieb/organisationen").wantStatus(t, http.StatusOK).
		wantContains(t, "Arbeiterwohlfahrt Kreisverband Musterland e. V.", "Caritasverband", `href="`+base+`/sperren"`, "Aktiv")

	before := ta.count(`SELECT count(*) FROM audit_log`)
	op.post(base+"/sperren", url.Values{"reason": {"  "}}).wantStatus(t, http.StatusUnprocessableEntity).
		wantContains(t, "Bitte geben Sie einen Grund für die Sperre an", `href="#f-reason"`)
	if ta.count(`SELECT count(*) FROM audit_log`) != before || ta.count(`SELECT count(*) FROM organizations WHERE locked_at IS NOT NULL`) != 0 {
		t.Fatal("a refused lock changed something")
	}

	session := ta.client() // logged in before the lock
	session.login("awo@traeger.example", demo.Password)
	session.get(fmt.Sprintf("/traeger/%d", awo)).wantStatus(t, http.StatusOK)

	op.post(base+"/sperren", url.Values{"reason": {"Registrierung mit falschen Angaben"}}).wantStatus(t, http.StatusSeeOther)
	op.get("/betrieb/organisationen").wantContains(t, "Die Organisation ist gesperrt.", "Gesperrt", "Grund: Registrierung mit falschen Angaben",
		`action="`+base+`/entsperren"`)
	if n := ta.count(`SELECT count(*) FROM audit_log WHERE action = 'organization.locked' AND object_id = ? AND details LIKE '%falschen Angaben%'`, fmt.Sprint(awo)); n != 1 {
		t.Fatalf("lock audited %d times", n)
	}
	op.post(base+"/sperren", url.Values{"reason": {"noch einmal"}}).wantStatus(t, http.StatusConflict).wantContains(t, "bereits gesperrt")

	c := ta.client()
	c.post("/anmelden", url.Values{"email": {"awo@traeger.example"}, "password": {demo.Password}}).
		wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, "Ihre Organisation ist gesperrt", `href="#f-email"`)
	for _, p := range []string{"", "/bewerbungen"} {
		session.get(fmt.Sprintf("/traeger/%d%s", awo, p)).wantStatus(t, http.StatusForbidden).wantContains(t, "Ihre Organisation ist gesperrt")
	}
	bid := ta.count(`SELECT id FROM bids WHERE org_id = ? ORDER BY id LIMIT 1`, awo)
	res := session.post(fmt.Sprintf("/traeger/%d/bewerbungen/%d/einreichen", awo, bid), url.Values{"confirm": {"1"}})
	if res.Status != http.StatusForbidden || !strings.Contains(res.Body, "gesperrt") {
		t.Fatalf("submission of a locked organisation: status %d", res.Status)
	}

	op.post(base+"/entsperren", nil).wantStatus(t, http.StatusSeeOther)
	op.get("/betrieb/organisationen").wantContains(t, "Die Organisation ist entsperrt.")
	if n := ta.count(`SELECT count(*) FROM audit_log WHERE action = 'organization.unlocked' AND object_id = ?`, fmt.Sprint(awo)); n != 1 {
		t.Fatalf("unlock audited %d times", n)
	}
	c.login("awo@traeger.example", demo.Password)
	c.get(fmt.Sprintf("/traeger/%d", awo)).wantStatus(t, http.StatusOK)
	op.post(fmt.Sprintf("/betrieb/organisationen/%d/sperren", awo+9999), url.Values{"reason": {"x"}}).wantStatus(t, http.StatusNotFound)
}
