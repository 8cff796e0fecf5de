package browsertest

import (
	"fmt"
	"testing"
)

// TestSessionsAndAccountLockInTheBrowser: without JavaScript-dependent steps, a lead logged
// in twice ends the other login on „Mein Konto“, and the operator finds and locks the
// account; axe-core audits every page on the way (1280 and 390 px pictures with
// KIMIBV_SCREENSHOT_DIR).
func TestSessionsAndAccountLockInTheBrowser(t *testing.T) {
	t.Parallel()
	f := newFlow(t)
	first, second := f.as("Leitung (Laptop)", "leitung@musterland.example"), f.as("Leitung (Telefon)", "leitung@musterland.example")
	first.openOK("/konto")
	first.wantText("Ihre Anmeldungen", "diese Anmeldung", "Beenden")
	first.pictures("konto-anmeldungen")
	other := f.count(`SELECT max(id) FROM user_sessions`)
	first.submitOK(fmt.Sprintf("/konto/anmeldungen/%d/beenden", other), "")
	first.wantText("Die Anmeldung wurde beendet.")
	if s := second.open("/konto"); s != 200 || second.path() != "/anmelden?next=%2Fkonto" {
		t.Fatalf("the ended login still reaches %s (%d)", second.path(), s)
	}

	op := f.as("Betrieb", "betrieb@kimibv.example")
	op.openOK("/betrieb/nutzer?q=leitung")
	op.wantText("Jana Leitner", "Aktiv")
	op.pictures("betrieb-konten")
	lead := f.count(`SELECT id FROM users WHERE email = 'leitung@musterland.example'`)
	op.openOK(fmt.Sprintf("/betrieb/nutzer/%d/sperren", lead))
	op.fill(fmt.Sprintf("/betrieb/nutzer/%d/sperren", lead), map[string]string{"reason": "Dienstverhältnis beendet"})
	op.submitOK(fmt.Sprintf("/betrieb/nutzer/%d/sperren", lead), "")
	op.wantText("ist gesperrt", "Grund: Dienstverhältnis beendet")
	op.pictures("betrieb-konto-gesperrt")
	if s := first.open("/konto"); s != 200 || first.path() != "/anmelden?next=%2Fkonto" {
		t.Fatalf("the locked account still reaches %s (%d)", first.path(), s)
	}
}
