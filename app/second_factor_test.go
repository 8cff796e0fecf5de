package app_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"kimibv/models/accounts"
	"kimibv/models/dbtest"
	"kimibv/models/demo"
)

var (
	reManualKey    = regexp.MustCompile(`<code class="manual-key">([A-Z2-7 ]+)</code>`)
	reRecoveryCode = regexp.MustCompile(`<code>([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})</code>`)
)

// code returns the TOTP code of key at the test app's clock shifted by d.
func (ta *testApp) code(key string, d time.Duration) string {
	ta.t.Helper()
	c, err := accounts.TOTPCode(key, ta.clock.Now().Add(d))
	if err != nil {
		ta.t.Fatal(err)
	}
	return c
}

// TestSecondFactorEnrolmentShowsQRCodeKeyAndRecoveryCodesOnce enrols a provider's
// administrator: the QR code only for the own pending enrolment and never cached, a
// wrong first code refused, ten recovery codes shown once and stored hashed, the secret
// sealed; from then on the login asks for a code, and a recovery code counts once.
func TestSecondFactorEnrolmentShowsQRCodeKeyAndRecoveryCodesOnce(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	c, other := ta.client(), ta.client()
	c.login("awo@traeger.example", demo.Password)
	other.login("caritas@traeger.example", demo.Password)
	c.get("/konto/zweiter-faktor").wantStatus(t, 200).wantContains(t, "Einrichtung beginnen")
	c.get("/konto/zweiter-faktor/qr.png").wantStatus(t, http.StatusNotFound) // nothing pending: no GET creates a secret
	c.post("/konto/zweiter-faktor", nil).wantStatus(t, http.StatusSeeOther)
	page := c.get("/konto/zweiter-faktor").wantStatus(t, 200)
	m := reManualKey.FindStringSubmatch(page.Body)
	if m == nil {
		t.Fatalf("no manual key on the enrolment page")
	}
	key := strings.ReplaceAll(m[1], " ", "")
	qr := c.get("/konto/zweiter-faktor/qr.png").wantStatus(t, 200)
	if qr.Header.Get("Content-Type") != "image/png" || qr.Header.Get("Cache-Control") != "no-store" || !strings.HasPrefix(qr.Body, "\x89PNG") {
		t.Fatalf("QR code: %s, Cache-Control %q", qr.Header.Get("Content-Type"), qr.Header.Get("Cache-Control"))
	}
	other.get("/konto/zweiter-faktor/qr.png").wantStatus(t, http.StatusNotFound) // another user's enrolment is not theirs
	if n := ta.count(`SELECT count(*) FROM second_factors WHERE position(convert_to(?, 'UTF8') in secret_sealed) > 0`, key); n != 0 {
		t.Fatal("the secret is stored in plain text")
	}
	c.post("/konto/zweiter-faktor/bestaetigen", url.Values{"code": {"000000"}}).wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, "passt nicht")
	done := c.post("/konto/zweiter-faktor/bestaetigen", url.Values{"code": {ta.code(key, 0)}}).wantStatus(t, 200)
	codes := reRecoveryCode.FindAllStringSubmatch(done.Body, -1)
	if len(codes) != 10 || done.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("%d recovery codes shown (Cache-Control %q), want 10", len(codes), done.Header.Get("Cache-Control"))
	}
	if n := ta.count(`SELECT count(*) FROM recovery_codes r JOIN users u ON u.id = r.user_id WHERE u.email = 'awo@traeger.example' AND r.code_hash LIKE '$argon2id$%'`); n != 10 {
		t.Fatalf("%d hashed recovery codes stored", n)
	}
	c.get("/konto/zweiter-faktor").wantStatus(t, 200).wantContains(t, "eingerichtet", "Unverbrauchte Wiederherstellungscodes: 10")

	// A new login asks for the code; the organisation's pages wait for it.
	fresh := ta.client()
	if !fresh.loginPasswordOnly("awo@traeger.example", demo.Password) {
		t.Fatal("the login of an enrolled user did not ask for the code")
	}
	org := ta.count(`SELECT org_id FROM organization_members m JOIN users u ON u.id = m.user_id WHERE u.email = 'awo@traeger.example'`)
	res := fresh.get("/traeger/" + fmt.Sprint(org))
	if res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/anmelden/zweiter-faktor") {
		t.Fatalf("password-only session on the organisation's page: %d %s", res.Status, res.Header.Get("Location"))
	}
	fresh.post("/anmelden/zweiter-faktor", url.Values{"code": {codes[0][1]}}).wantStatus(t, http.StatusSeeOther)
	fresh.get("/traeger/"+fmt.Sprint(org)).wantStatus(t, 200)
	again := ta.client()
	again.loginPasswordOnly("awo@traeger.example", demo.Password)
	again.post("/anmelden/zweiter-faktor", url.Values{"code": {strings.ToLower(codes[0][1])}}).wantStatus(t, http.StatusUnprocessableEntity)
	again.post("/anmelden/zweiter-faktor", url.Values{"code": {strings.ReplaceAll(codes[1][1], "-", " ")}}).wantStatus(t, http.StatusSeeOther)
}

// TestSecondFactorCodeCountsOnceAndWrongCodesLockTheAccount signs the demo lead in with
// the printed demo key: the lead's pages wait for the code and return to the asked page;
// the same code is refused for a second login in its window, the next step's code is
// accepted; wrong codes count towards the lock-out, which then refuses even a right code.
func TestSecondFactorCodeCountsOnceAndWrongCodesLockTheAccount(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	c := ta.client()
	c.loginPasswordOnly("leitung@musterland.example", demo.Password)
	res := c.get("/verwaltung/musterland/verfahren").wantStatus(t, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/anmelden/zweiter-faktor?next=%2Fverwaltung%2Fmusterland%2Fverfahren" {
		t.Fatalf("password-only lead sent to %q", loc)
	}
	code := ta.code(demo.SecondFactorKey, 0)
	res = c.post("/anmelden/zweiter-faktor", url.Values{"code": {code}, "next": {"/verwaltung/musterland/verfahren"}}).wantStatus(t, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/verwaltung/musterland/verfahren" {
		t.Fatalf("after the code: %q", loc)
	}
	c.get("/verwaltung/musterland/verfahren").wantStatus(t, 200)

	second := ta.client()
	second.loginPasswordOnly("leitung@musterland.example", demo.Password)
	second.post("/anmelden/zweiter-faktor", url.Values{"code": {code}}).wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, "jeder Code gilt nur einmal")
	second.get("/verwaltung/musterland/verfahren").wantStatus(t, http.StatusSeeOther)
	ta.clock.Advance(30 * time.Second)
	second.post("/anmelden/zweiter-faktor", url.Values{"code": {ta.code(demo.SecondFactorKey, 0)}}).wantStatus(t, http.StatusSeeOther)
	second.get("/verwaltung/musterland/verfahren").wantStatus(t, 200)

	third := ta.client()
	third.loginPasswordOnly("leitung@musterland.example", demo.Password)
	for range 5 {
		third.post("/anmelden/zweiter-faktor", url.Values{"code": {"123456"}}).wantStatus(t, http.StatusUnprocessableEntity)
	}
	if n := ta.count(`SELECT count(*) FROM users WHERE email = 'leitung@musterland.example' AND locked_until IS NOT NULL`); n != 1 {
		t.Fatal("five wrong codes did not lock the account")
	}
	if n := ta.count(`SELECT count(*) FROM audit_log WHERE action = 'auth.second_factor_failed'`); n < 5 {
		t.Fatalf("%d failed codes audited", n)
	}
	ta.clock.Advance(30 * time.Second)
	third.post("/anmelden/zweiter-faktor", url.Values{"code": {ta.code(demo.SecondFactorKey, 0)}}).wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, "vorübergehend gesperrt")
}

// TestRoleChangeNeedsAFreshProof lets the Kreis administration change roles only within
// 15 minutes of a proof of identity: an older proof leads to the re-authentication page
// and changes nothing; the password there renews the proof.
func TestRoleChangeNeedsAFreshProof(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	c := ta.client()
	c.login("admin@musterland.example", demo.Password)
	dbtest.SetSessionProofs(t, ta.store.DB, c.sessionCookie(), "proved_at = now() - interval '16 minutes'")
	user := fmt.Sprint(ta.count(`SELECT id FROM users WHERE email = 'gremium3@musterland.example'`))
	form := url.Values{"roles": {"evaluator", "council"}}
	res := c.post("/verwaltung/musterland/nutzer/"+user, form).wantStatus(t, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, "/anmelden/bestaetigen?next=") {
		t.Fatalf("stale proof led to %q", loc)
	}
	if n := ta.count(`SELECT count(*) FROM tenant_memberships WHERE user_id = ?`, user); n != 1 {
		t.Fatalf("the roles changed without a fresh proof (%d)", n)
	}
	c.post("/anmelden/bestaetigen", url.Values{"proof": {"falsch-falsch"}}).wantStatus(t, http.StatusUnprocessableEntity)
	c.post("/anmelden/bestaetigen", url.Values{"proof": {demo.Password}}).wantStatus(t, http.StatusSeeOther)
	c.post("/verwaltung/musterland/nutzer/"+user, form).wantStatus(t, http.StatusSeeOther)
	if n := ta.count(`SELECT count(*) FROM tenant_memberships WHERE user_id = ?`, user); n != 2 {
		t.Fatalf("roles after the fresh proof: %d", n)
	}
}

// TestReEnrolmentByKreisAdminAndOperator: the Kreis administration resets the lead's
// second factor after the confirmation page (audited, the lead's sessions end, the next
// login asks for a new enrolment); the operator resets a Kreis administrator's, and a
// form naming no Kreis administrator is refused.
func TestReEnrolmentByKreisAdminAndOperator(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	admin, lead, op := ta.client(), ta.client(), ta.client()
	admin.login("admin@musterland.example", demo.Password)
	lead.login("leitung@musterland.example", demo.Password)
	op.login("betrieb@kimibv.example", demo.Password)
	leadID := fmt.Sprint(ta.count(`SELECT id FROM users WHERE email = 'leitung@musterland.example'`))
	admin.get("/verwaltung/musterland/nutzer/"+leadID).wantStatus(t, 200).wantContains(t, "Zweiten Faktor neu einrichten lassen")
	admin.postConfirmed("/verwaltung/musterland/nutzer/"+leadID+"/zweiter-faktor", nil).wantStatus(t, http.StatusSeeOther)
	if n := ta.count(`SELECT count(*) FROM second_factors WHERE user_id = ?`, leadID); n != 0 {
		t.Fatal("the lead's factor was not reset")
	}
	if n := ta.count(`SELECT count(*) FROM audit_log WHERE action = 'user.second_factor_reset' AND object_id = ?`, leadID); n != 1 {
		t.Fatal("the reset is not in the Kreis's protocol")
	}
	lead.get("/verwaltung/musterland/verfahren").wantStatus(t, http.StatusSeeOther) // session ended
	fresh := ta.client()
	res := fresh.post("/anmelden", url.Values{"email": {"leitung@musterland.example"}, "password": {demo.Password}}).wantStatus(t, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, "/konto/zweiter-faktor") {
		t.Fatalf("after the reset the login leads to %q, want the enrolment", loc)
	}
	op.post("/betrieb/zweiter-faktor", url.Values{"reset_kreis": {"musterland"}, "reset_email": {"leitung@musterland.example"}}).
		wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, "keine Kreisadministration")
	op.postConfirmed("/betrieb/zweiter-faktor", url.Values{"reset_kreis": {"musterland"}, "reset_email": {"admin@musterland.example"}}).wantStatus(t, http.StatusSeeOther)
	if n := ta.count(`SELECT count(*) FROM second_factors f JOIN users u ON u.id = f.user_id WHERE u.email = 'admin@musterland.example'`); n != 0 {
		t.Fatal("the operator's reset left the Kreis administrator's factor")
	}
}

// TestKreisAndOrganisationExtendTheSecondFactor: evaluators need no second factor until
// the Kreis extends it to them; a provider's members none until its administrator
// requires it — then their password-only sessions are sent to the code page or the
// enrolment, and the setting is audited.
func TestKreisAndOrganisationExtendTheSecondFactor(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	admin, awo := ta.client(), ta.client()
	admin.login("admin@musterland.example", demo.Password)
	awo.login("awo@traeger.example", demo.Password)
	ta.store.DB.Exec(`DELETE FROM second_factors WHERE user_id = (SELECT id FROM users WHERE email = 'gremium2@musterland.example')`)
	eval := ta.client()
	if eval.loginPasswordOnly("gremium2@musterland.example", demo.Password) {
		t.Fatal("an evaluator without a second factor was asked for one before the Kreis extended it")
	}
	eval.get("/verwaltung/musterland/bewertung").wantStatus(t, 200)
	admin.get("/verwaltung/musterland/einstellungen").wantStatus(t, 200).wantContains(t, `name="second_factor_all_staff"`)
	admin.post("/verwaltung/musterland/einstellungen/zweiter-faktor", url.Values{"second_factor_all_staff": {"on"}}).wantStatus(t, http.StatusSeeOther)
	res := eval.get("/verwaltung/musterland/bewertung").wantStatus(t, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, "/konto/zweiter-faktor") {
		t.Fatalf("evaluator after the extension sent to %q, want the enrolment", loc)
	}

	org := fmt.Sprint(ta.count(`SELECT org_id FROM organization_members m JOIN users u ON u.id = m.user_id WHERE u.email = 'awo@traeger.example'`))
	awo.post("/traeger/"+org+"/zweiter-faktor", url.Values{"second_factor_required": {"on"}}).wantStatus(t, http.StatusSeeOther)
	res = awo.get("/traeger/"+org+"/mitglieder").wantStatus(t, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, "/konto/zweiter-faktor") {
		t.Fatalf("provider after the requirement sent to %q, want the enrolment", loc)
	}
	if n := ta.count(`SELECT count(*) FROM audit_log WHERE action IN ('tenant.settings_changed', 'organization.updated') AND details::text LIKE '%second_factor%'`); n != 2 {
		t.Fatalf("%d audited second factor settings, want 2", n)
	}
}
