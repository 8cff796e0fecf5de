package app_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"kimibv/app"
	"kimibv/models/accounts"
	"kimibv/models/dbtest"
	"kimibv/models/demo"
	"kimibv/models/sso"
)

// ssoEnv is the demonstration with a running OpenID provider for Kreis Musterland.
type ssoEnv struct {
	ta       *testApp
	provider *testProvider
}

// newSSOEnv starts kimibv on the demonstration and a provider with accounts for emails;
// with configure, Musterland's administrator has set the provider up (domain
// musterland.example).
func newSSOEnv(t *testing.T, configure bool, emails ...string) *ssoEnv {
	t.Helper()
	ta := newTestAppOn(t, dbtest.NewDemo(t), func(cfg *app.Config) {
		cfg.SSOSecret = func(slug string) (string, error) {
			if slug == "musterland" {
				return ssoClientSecret, nil
			}
			return "", sso.ErrNoSecret
		}
	})
	env := &ssoEnv{ta: ta, provider: newTestProvider(t, kimibvBase+"/anmelden/sso/rueckkehr", emails...)}
	if configure {
		env.configure(t, false)
	}
	return env
}

// configure saves Musterland's provider settings as its administrator would.
func (e *ssoEnv) configure(t *testing.T, ssoOnly bool) {
	t.Helper()
	ctx := context.Background()
	admin, err := accounts.LoadActor(ctx, e.ta.store.DB, e.ta.userID("admin@musterland.example"))
	if err != nil {
		t.Fatal(err)
	}
	tenant, err := accounts.TenantBySlug(ctx, e.ta.store.DB, "musterland")
	if err != nil {
		t.Fatal(err)
	}
	in := sso.Input{Issuer: e.provider.issuer, ClientID: ssoClientID, EmailDomain: "musterland.example", SSOOnly: ssoOnly}
	if _, err := sso.SaveSettings(ctx, e.ta.store.DB, admin, tenant.ID, in, time.Now()); err != nil {
		t.Fatal(err)
	}
}

// state counts what a sign-on may change: links, successful sign-ons and sessions.
func (e *ssoEnv) state() [3]int64 {
	return [3]int64{e.ta.count(`SELECT count(*) FROM sso_identities`), e.ta.count(`SELECT count(*) FROM audit_log WHERE action = 'auth.sso_login'`),
		e.ta.count(`SELECT count(*) FROM sessions`)}
}

// wantSignedOut fails unless c has no session of a user.
func wantSignedOut(t *testing.T, c *client) {
	t.Helper()
	if loc := c.get("/arbeitsbereich").wantStatus(t, http.StatusSeeOther).Header.Get("Location"); loc != "/anmelden?next=%2Farbeitsbereich" {
		t.Fatalf("work area redirected to %q", loc)
	}
}

func TestSSOFirstLoginLinksTheInvitedAccountAndLandsInTheWorkAreaWithItsKreisRoles(t *testing.T) {
	t.Parallel()
	env := newSSOEnv(t, false, "leitung@musterland.example")
	ta := env.ta

	// The Kreis administrator sets the provider up on the settings page.
	admin := ta.client()
	admin.login("admin@musterland.example", demo.Password)
	admin.get("/verwaltung/musterland/anmeldung").wantStatus(t, http.StatusOK).
		wantContains(t, "ist beim Betrieb hinterlegt", "http://kimibv.test/anmelden/sso/rueckkehr")
	admin.post("/verwaltung/musterland/anmeldung", url.Values{"issuer": {env.provider.issuer + "/"}, "client_id": {ssoClientID},
		"email_domain": {"@Musterland.example"}}).wantStatus(t, http.StatusSeeOther)
	if n := ta.count(`SELECT count(*) FROM tenant_sso WHERE issuer = ? AND email_domain = 'musterland.example' AND NOT sso_only`, env.provider.issuer); n != 1 {
		t.Fatal("settings not stored normalised")
	}
	if n := ta.count(`SELECT count(*) FROM audit_log WHERE action = 'sso.settings_changed' AND details LIKE '%client_id%'`); n != 1 {
		t.Fatal("settings change not audited")
	}

	// The login page offers the sign-on without JavaScript: a form with a button.
	c := ta.client()
	c.get("/anmelden").wantContains(t, `action="/anmelden/sso/musterland"`, "Mit dem Konto der Kreisverwaltung anmelden")
	callback := env.provider.as("leitung@musterland.example").signOn(t, c, "musterland")
	res := c.get(callback).wantStatus(t, http.StatusSeeOther)
	// The lead's roles need the second factor after a sign-on as after a password (R29):
	// until it is confirmed, the session reaches none of the lead's pages.
	if loc := res.Header.Get("Location"); loc != "/anmelden/zweiter-faktor" {
		t.Fatalf("after the sign-on to %q", loc)
	}
	if loc := c.get("/verwaltung/musterland/verfahren").wantStatus(t, http.StatusSeeOther).Header.Get("Location"); !strings.HasPrefix(loc, "/anmelden/zweiter-faktor") {
		t.Fatalf("the lead's page without the second factor sent to %q", loc)
	}
	dbtest.ConfirmSecondFactor(t, c.db, c.sessionCookie())
	c.get("/arbeitsbereich").wantStatus(t, http.StatusOK)
	c.get("/konto").wantStatus(t, http.StatusOK).wantContains(t, "Jana Leitner", "leitung@musterland.example", "Verfahrensleitung")
	c.get("/verwaltung/musterland/verfahren").wantStatus(t, http.StatusOK) // the lead's role, assigned in kimibv
	c.get("/verwaltung/musterland/nutzer").wantStatus(t, http.StatusNotFound)
	lead := ta.userID("leitung@musterland.example")
	if n := ta.count(`SELECT count(*) FROM sso_identities WHERE user_id = ? AND issuer = ? AND subject = 'leitung@musterland.example'`, lead, env.provider.issuer); n != 1 {
		t.Fatal("provider account not linked")
	}
	if n := ta.count(`SELECT count(*) FROM audit_log WHERE action = 'auth.sso_linked' AND chain LIKE 'kreis:%' AND actor_id = ?`, lead); n != 1 {
		t.Fatal("link not audited on the Kreis's chain")
	}

	// The same callback again (replayed state): refused, nothing changed (not even an
	// audit entry or a throttle count), in another browser and in the same one.
	before, entries := env.state(), ta.count(`SELECT count(*) FROM audit_log`)
	for _, b := range []*client{ta.client(), c} {
		b.get(callback).wantStatus(t, http.StatusBadRequest).wantContains(t, "abgelaufen oder wurde bereits verwendet")
	}
	if after := env.state(); after != before || ta.count(`SELECT count(*) FROM audit_log`) != entries || ta.count(`SELECT count(*) FROM login_failures`) != 0 {
		t.Fatalf("replayed state changed %v → %v", before, after)
	}
	// A callback with the state of another browser's sign-on is refused, and that
	// browser's sign-on stays usable once.
	other := ta.client()
	stolen := env.provider.signOn(t, other, "musterland")
	ta.client().get(stolen).wantStatus(t, http.StatusBadRequest)
	other.get(stolen).wantStatus(t, http.StatusSeeOther)

	// A second sign-on uses the link; the audit entries carry German labels.
	c2 := ta.client()
	c2.get(env.provider.signOn(t, c2, "musterland")).wantStatus(t, http.StatusSeeOther)
	if n := ta.count(`SELECT count(*) FROM sso_identities`); n != 1 {
		t.Fatalf("%d links after the second sign-on", n)
	}
	admin.get("/verwaltung/musterland/protokoll").wantStatus(t, http.StatusOK).
		wantContains(t, "Konto mit dem Konto der Kreisverwaltung verknüpft (SSO)", "Anmeldung über die Kreisverwaltung (SSO) eingestellt")
}

func TestSSORefusesTokensForAnotherClientAndExpiredTokens(t *testing.T) {
	t.Parallel()
	env := newSSOEnv(t, true, "leitung@musterland.example")
	env.provider.as("leitung@musterland.example")
	before := env.state()

	env.provider.storage.mu.Lock()
	env.provider.storage.client = "anderes-fachverfahren"
	env.provider.storage.mu.Unlock()
	c := env.ta.client()
	c.get(env.provider.signOn(t, c, "musterland")).wantStatus(t, http.StatusUnprocessableEntity).
		wantContains(t, "nicht für kimibv ausgestellt")
	wantSignedOut(t, c)

	env.provider.storage.mu.Lock()
	env.provider.storage.client, env.provider.storage.lifetime = "", -time.Minute
	env.provider.storage.mu.Unlock()
	c = env.ta.client()
	c.get(env.provider.signOn(t, c, "musterland")).wantStatus(t, http.StatusUnprocessableEntity).
		wantContains(t, "Bestätigung des Anmeldedienstes ist abgelaufen")
	wantSignedOut(t, c)

	if after := env.state(); after[0] != before[0] || after[1] != before[1] {
		t.Fatalf("refused tokens changed %v → %v", before, after)
	}
	if n := env.ta.count(`SELECT count(*) FROM audit_log WHERE action = 'auth.sso_login_failed' AND details LIKE '%token_%'`); n != 2 {
		t.Fatalf("%d refusals audited, want 2", n)
	}
}

func TestSSORefusesUnknownUsersAndAddressesOutsideTheKreisDomain(t *testing.T) {
	t.Parallel()
	env := newSSOEnv(t, true, "unbekannt@musterland.example", "leitung@andere.example", "admin@beispielhausen.example")
	before := env.state()
	users := env.ta.count(`SELECT count(*) FROM users`)
	for email, want := range map[string]string{
		"unbekannt@musterland.example": "Für diese E-Mail-Adresse gibt es im Kreis kein Konto.",
		"leitung@andere.example":       "gehört nicht zur E-Mail-Domain @musterland.example",
		// Staff of another Kreis with an account, but no role in Musterland.
		"admin@beispielhausen.example": "gehört nicht zur E-Mail-Domain @musterland.example",
	} {
		c := env.ta.client()
		c.get(env.provider.as(email).signOn(t, c, "musterland")).wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, want)
		wantSignedOut(t, c)
	}
	if after := env.state(); after[0] != before[0] || after[1] != before[1] || env.ta.count(`SELECT count(*) FROM users`) != users {
		t.Fatalf("refused sign-ons changed %v → %v", before, after)
	}
	if n := env.ta.count(`SELECT coalesce(sum(failures), 0) FROM login_failures`); n != 3 {
		t.Fatalf("login throttle counted %d refused sign-ons, want 3", n)
	}
}

func TestSSOProviderDownLeavesThePasswordUnlessTheKreisChoseSSOOnly(t *testing.T) {
	t.Parallel()
	env := newSSOEnv(t, true, "leitung@musterland.example")
	env.provider.srv.Close()
	before := env.state()
	c := env.ta.client()
	c.post("/anmelden/sso/musterland", nil).wantStatus(t, http.StatusServiceUnavailable).
		wantContains(t, "Der Anmeldedienst der Kreisverwaltung ist zurzeit nicht erreichbar. Es wurde nichts geändert.")
	if after := env.state(); after[0] != before[0] || after[1] != before[1] {
		t.Fatalf("provider down changed %v → %v", before, after)
	}
	if n := env.ta.count(`SELECT count(*) FROM login_failures`); n != 0 {
		t.Fatal("an unreachable provider counted as a failed login")
	}
	c.login("leitung@musterland.example", demo.Password)

	// With "nur SSO" the right password of Musterland's staff no longer logs in; a
	// provider's member keeps it.
	env.configure(t, true)
	env.ta.client().post("/anmelden", url.Values{"email": {"oeffnung1@musterland.example"}, "password": {demo.Password}}).
		wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, "nur über das Konto der Kreisverwaltung an")
	env.ta.client().login("awo@traeger.example", demo.Password)
	// A Kreis without SSO is not offered and cannot be started.
	env.ta.client().post("/anmelden/sso/beispielhausen", nil).wantStatus(t, http.StatusNotFound)
}

func TestSSOSettingsRefuseBadInputAndWriteNothing(t *testing.T) {
	t.Parallel()
	env := newSSOEnv(t, false)
	admin := env.ta.client()
	admin.login("admin@musterland.example", demo.Password)
	valid := url.Values{"issuer": {"https://anmeldung.musterland.example/realms/kim"}, "client_id": {ssoClientID}, "email_domain": {"musterland.example"}}
	with := func(k, v string) url.Values {
		out := url.Values{}
		for key, vals := range valid {
			out[key] = vals
		}
		out.Set(k, v)
		return out
	}
	for _, tc := range []struct {
		form url.Values
		want string
	}{
		{with("issuer", "http://anmeldung.musterland.example"), "mit https:// an"},
		{with("issuer", ""), "Bitte geben Sie die Adresse des Anmeldedienstes an."},
		{with("client_id", "a b"), "keine Leerzeichen"},
		{with("email_domain", "musterland"), "ohne @ an"},
		{url.Values{"sso_only": {"1"}}, "setzt einen Anmeldedienst voraus"},
	} {
		admin.post("/verwaltung/musterland/anmeldung", tc.form).wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, tc.want, `id="fehlerliste"`)
	}
	if n := env.ta.count(`SELECT count(*) FROM tenant_sso`) + env.ta.count(`SELECT count(*) FROM audit_log WHERE action = 'sso.settings_changed'`); n != 0 {
		t.Fatal("refused settings wrote something")
	}
	// Beispielhausen has no secret yet: the page says which variable names its file.
	b := env.ta.client()
	b.login("admin@beispielhausen.example", demo.Password)
	b.get("/verwaltung/beispielhausen/anmeldung").wantStatus(t, http.StatusOK).wantContains(t, "KIMIBV_OIDC_BEISPIELHAUSEN_CLIENT_SECRET_FILE")
	b.get("/verwaltung/musterland/anmeldung").wantStatus(t, http.StatusNotFound)
}
