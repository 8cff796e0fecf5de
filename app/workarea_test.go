package app_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"kimibv/models/core"
	"kimibv/models/demo"
)

// TestLoginLeadsToTheWorkAreaUnlessASafeNextWasGiven logs in without, with a local and
// with a foreign next address, and opens the login page when already logged in.
func TestLoginLeadsToTheWorkAreaUnlessASafeNextWasGiven(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	for next, want := range map[string]string{"": "/arbeitsbereich", "/konto": "/konto", "//evil.example/": "/arbeitsbereich",
		"https://evil.example/": "/arbeitsbereich", "/": "/arbeitsbereich"} {
		c := ta.client()
		form := url.Values{"email": {"awo@traeger.example"}, "password": {demo.Password}} // no second factor (see TestSecondFactor…)
		if next != "" {
			form.Set("next", next)
		}
		if got := c.post("/anmelden", form).wantStatus(t, 303).Header.Get("Location"); got != want {
			t.Errorf("login with next %q leads to %q, want %q", next, got, want)
		}
		if next == "" {
			if got := c.get("/anmelden").wantStatus(t, 303).Header.Get("Location"); got != "/arbeitsbereich" {
				t.Errorf("the login page for a logged-in user leads to %q", got)
			}
		}
	}
	ta.client().get("/arbeitsbereich").wantStatus(t, 303) // anonymous: to the login page
}

// TestWorkAreaShowsEachRoleWhatIsDue opens the work area as each demo role before and
// after the deadline and the opening: each sees its next task with the one link to it,
// and the navigation counts the unread Postfach messages.
func TestWorkAreaShowsEachRoleWhatIsDue(t *testing.T) {
	t.Parallel()
	e := newEvalEnv(t)
	wa := func(who string) string { return e.as(t, who).get("/arbeitsbereich").wantStatus(t, 200).Body }
	proc := e.base

	lead := wa("leitung")
	for _, s := range []string{"Verfahrensleitung – Kreis Musterland", `href="` + proc + `"`, "Schritt 3 von 11: Frist", "aria-current=\"step\""} {
		if !strings.Contains(lead, s) {
			t.Errorf("the lead's work area lacks %q", s)
		}
	}
	if op := wa("oeffnung1"); !strings.Contains(op, "Öffnung nach Ablauf der Frist") || strings.Contains(op, "Zur Öffnung") {
		t.Error("before the deadline the opener is told to open or not told of the coming opening")
	}
	unread := e.ta.count(`SELECT count(*) FROM inbox_messages WHERE org_id = ? AND read_at IS NULL`, e.awoOrg)
	awo := wa("awo")
	for _, s := range []string{core.Quantity(int(unread), "ungelesene Nachricht", "ungelesene Nachrichten") + " im Postfach", fmt.Sprintf(`href="/traeger/%d/postfach"`, e.awoOrg),
		fmt.Sprintf(`<span class="nav-count">%d<span class="kern-sr-only"> ungelesen</span>`, unread)} {
		if !strings.Contains(awo, s) {
			t.Errorf("the AWO's work area lacks %q", s)
		}
	}
	caritas, caritasBid := wa("caritas"), e.ta.count(`SELECT b.id FROM bids b JOIN organization_members m ON m.org_id = b.org_id JOIN users u ON u.id = m.user_id
		WHERE u.email = 'caritas@traeger.example' AND b.call_id = ?`, e.callID)
	if !strings.Contains(caritas, "Interessenbekundung fertigstellen und einreichen") || !strings.Contains(caritas, fmt.Sprintf("/bewerbungen/%d\"", caritasBid)) {
		t.Error("the Caritas's work area does not lead to its draft bid")
	}
	wa("admin")
	if !strings.Contains(wa("admin"), "/verwaltung/musterland/nutzer") {
		t.Error("the Kreis administration's work area does not lead to the users")
	}

	e.passDeadline(t)
	if op := wa("oeffnung1"); !strings.Contains(op, "Öffnung bestätigen (0 von 2 Bestätigungen)") || !strings.Contains(op, `href="`+proc+`/oeffnung"`) {
		t.Error("after the deadline the opener's work area does not lead to the opening")
	}
	if !strings.Contains(wa("leitung"), "Öffnung bestätigen (0 von 2 Bestätigungen).") {
		t.Error("the lead's stepper does not name the opening as the next step")
	}
	e.as(t, "oeffnung1").postConfirmed(proc+"/oeffnung", nil).wantStatus(t, 303)
	if op := wa("oeffnung1"); !strings.Contains(op, "es fehlt die zweite öffnungsberechtigte Person") {
		t.Error("the first opener is asked again after confirming")
	}
	e.as(t, "oeffnung2").postConfirmed(proc+"/oeffnung", nil).wantStatus(t, 303)
	if ev := wa("gremium1"); !strings.Contains(ev, "Erklärung zu Interessenkonflikten abgeben") ||
		!strings.Contains(ev, fmt.Sprintf(`href="/verwaltung/musterland/bewertung/%d/erklaerung"`, e.callID)) {
		t.Error("after the opening the evaluator is not led to the declaration")
	}
	if l := wa("leitung"); !strings.Contains(l, "Formale Prüfung abschließen") || !strings.Contains(l, `href="`+proc+`/pruefung"`) {
		t.Error("after the opening the lead is not led to the formal check")
	}
	if !strings.Contains(e.as(t, "leitung").get(proc).wantStatus(t, 200).Body, "Schritt 5 von 11: Formale Prüfung") {
		t.Error("the lead's call page lacks the stepper")
	}
}
