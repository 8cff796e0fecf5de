package app_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kimibv/models/demo"
)

// userID returns the id of the account with email.
func (ta *testApp) userID(email string) int64 {
	ta.t.Helper()
	id := ta.count(`SELECT id FROM users WHERE email = ?`, email)
	if id == 0 {
		ta.t.Fatalf("no user %s", email)
	}
	return id
}

// writes counts the rows the Kreis administration can write.
func (ta *testApp) writes() string {
	return fmt.Sprint(ta.count(`SELECT count(*) FROM audit_log WHERE action NOT LIKE 'auth.%'`), ta.count(`SELECT count(*) FROM invitations`),
		ta.count(`SELECT count(*) FROM tenant_memberships`), ta.count(`SELECT count(*) FROM outbox`),
		ta.count(`SELECT count(*) FROM tenants WHERE legal_remedy_text LIKE 'Neu%' OR letterhead <> ''`))
}

func TestKreisPagesAreHiddenFromOutsiders(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	lead := ta.userID("leitung@musterland.example")
	pages := []string{"/verwaltung/musterland", "/verwaltung/musterland/nutzer", fmt.Sprintf("/verwaltung/musterland/nutzer/%d", lead),
		"/verwaltung/musterland/einstellungen", "/verwaltung/musterland/protokoll"}
	posts := map[string]url.Values{
		"/verwaltung/musterland/einladungen":                  {"email": {"neu@musterland.example"}, "roles": {"lead"}},
		fmt.Sprintf("/verwaltung/musterland/nutzer/%d", lead): {"roles": {"tenant_admin"}},
		"/verwaltung/musterland/einstellungen":                {"authority": {"X"}, "contact_email": {"x@x.example"}, "legal_remedy_text": {"Neu"}, "letterhead": {"Neu"}},
	}
	before := ta.writes()

	anon := ta.client()
	for _, p := range pages {
		res := anon.get(p).wantStatus(t, http.StatusSeeOther)
		if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, "/anmelden?next=") {
			t.Fatalf("anonymous %s redirected to %q", p, loc)
		}
	}
	for p, form := range posts {
		anon.post(p, form).wantStatus(t, http.StatusSeeOther)
	}

	// Beispielhausen's administrator (also a lead there), the operator and a provider see nothing of Musterland.
	for _, email := range []string{"admin@beispielhausen.example", "betrieb@kimibv.example", "awo@traeger.example"} {
		c := ta.client()
		c.login(email, demo.Password)
		for _, p := range pages {
			c.get(p).wantStatus(t, http.StatusNotFound)
		}
		for p, form := range posts {
			c.post(p, form).wantStatus(t, http.StatusNotFound)
		}
	}
	// The lead may see the start page and the audit list, not the administration.
	c := ta.client()
	c.login("leitung@musterland.example", demo.Password)
	c.get("/verwaltung/musterland").wantStatus(t, http.StatusOK).wantContains(t, "Verfahrensleitung", "/verwaltung/musterland/protokoll")
	if res := c.get("/verwaltung/musterland"); strings.Contains(res.Body, "/verwaltung/musterland/nutzer") {
		t.Fatal("the lead's start page links to the user administration")
	}
	c.get("/verwaltung/musterland/protokoll").wantStatus(t, http.StatusOK)
	for _, p := range pages[1:4] {
		c.get(p).wantStatus(t, http.StatusNotFound)
	}
	for p, form := range posts {
		c.post(p, form).wantStatus(t, http.StatusNotFound)
	}
	// An evaluator has the start page only.
	ev := ta.client()
	ev.login("gremium1@musterland.example", demo.Password)
	ev.get("/verwaltung/musterland").wantStatus(t, http.StatusOK).wantContains(t, "Mitglied des Bewertungsgremiums")
	ev.get("/verwaltung/musterland/protokoll").wantStatus(t, http.StatusNotFound)
	ev.get("/verwaltung/unbekannt").wantStatus(t, http.StatusNotFound)

	if after := ta.writes(); after != before {
		t.Fatalf("outsiders wrote something: %s → %s", before, after)
	}
}

func TestKreisAdministratorInvitesAndChangesRoles(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	c := ta.client()
	c.login("admin@musterland.example", demo.Password)
	c.get("/verwaltung/musterland").wantStatus(t, http.StatusOK).wantContains(t, "/verwaltung/musterland/nutzer", "/verwaltung/musterland/einstellungen", "/verwaltung/musterland/protokoll")
	c.get("/verwaltung/musterland/nutzer").wantStatus(t, http.StatusOK).wantContains(t, "Jana Leitner", "Verfahrensleitung", "Petra Verwalter (Sie)", "Es gibt keine offenen Einladungen.")

	before := ta.writes()
	bad := []struct {
		form url.Values
		want string
	}{
		{url.Values{"email": {"neu@musterland.example"}}, "Bitte wählen Sie mindestens eine Rolle aus."},
		{url.Values{"email": {"neu@"}, "roles": {"lead"}}, "Bitte geben Sie eine gültige E-Mail-Adresse an"},
		{url.Values{"email": {"neu@musterland.example"}, "roles": {"org_admin"}}, "Bitte wählen Sie nur Rollen aus der Liste aus."},
		{url.Values{"email": {"leitung@musterland.example"}, "roles": {"council"}}, "gehört bereits zu Kreis Musterland"},
	}
	for _, tc := range bad {
		c.post("/verwaltung/musterland/einladungen", tc.form).wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, tc.want, `id="fehlerliste"`, `href="#f-`, "Jana Leitner")
	}
	if after := ta.writes(); after != before {
		t.Fatalf("refused invitations wrote something: %s → %s", before, after)
	}
	// Checked roles stay checked on a refused form.
	c.post("/verwaltung/musterland/einladungen", url.Values{"email": {"neu@"}, "roles": {"council"}}).wantContains(t, `value="council" checked`)

	c.post("/verwaltung/musterland/einladungen", url.Values{"email": {"neu@musterland.example"}, "roles": {"evaluator", "council"}}).wantStatus(t, http.StatusSeeOther)
	c.get("/verwaltung/musterland/nutzer").wantContains(t, "Die Einladung an neu@musterland.example", "Mitglied des Bewertungsgremiums, Kreistagsmitglied")
	if n := ta.count(`SELECT count(*) FROM audit_log WHERE action = 'tenant.user_invited' AND details LIKE '%neu@musterland.example%'`); n != 1 {
		t.Fatalf("invitation audit entries: %d", n)
	}

	admin, lead, provider := ta.userID("admin@musterland.example"), ta.userID("leitung@musterland.example"), ta.userID("awo@traeger.example")
	leadPage := fmt.Sprintf("/verwaltung/musterland/nutzer/%d", lead)
	c.get(leadPage).wantStatus(t, http.StatusOK).wantContains(t, "Rollen von Jana Leitner", `value="lead" checked`)
	before = ta.writes()
	c.post(fmt.Sprintf("/verwaltung/musterland/nutzer/%d", admin), url.Values{"roles": {"lead"}}).
		wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, "nicht selbst entziehen", `value="lead" checked`)
	c.post(leadPage, url.Values{"roles": {"lead", "bid_reader"}}).wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, "nur Rollen aus der Liste")
	// A person who does not belong to the Kreis cannot be given roles here (invite them instead).
	c.post(fmt.Sprintf("/verwaltung/musterland/nutzer/%d", provider), url.Values{"roles": {"lead"}}).wantStatus(t, http.StatusNotFound)
	c.get(fmt.Sprintf("/verwaltung/musterland/nutzer/%d", provider)).wantStatus(t, http.StatusNotFound)
	c.get("/verwaltung/musterland/nutzer/abc").wantStatus(t, http.StatusNotFound)
	if after := ta.writes(); after != before {
		t.Fatalf("refused role changes wrote something: %s → %s", before, after)
	}

	c.post(leadPage, url.Values{"roles": {"lead", "council"}}).wantStatus(t, http.StatusSeeOther)
	c.get("/verwaltung/musterland/nutzer").wantContains(t, "Die Rollen von Jana Leitner wurden gespeichert.", "Verfahrensleitung, Kreistagsmitglied")
	c.post(leadPage, url.Values{}).wantStatus(t, http.StatusSeeOther)
	res := c.get("/verwaltung/musterland/nutzer").wantContains(t, "Jana Leitner gehört nicht mehr zu Kreis Musterland.")
	if strings.Contains(res.Body, "leitung@musterland.example") {
		t.Fatal("the removed person is still listed")
	}
	c.get(leadPage).wantStatus(t, http.StatusNotFound)
}

func TestKreisAdministratorEditsTexts(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	c := ta.client()
	c.login("admin@musterland.example", demo.Password)
	c.get("/verwaltung/musterland/einstellungen").wantStatus(t, http.StatusOK).
		wantContains(t, "Kreis Musterland – Der Landrat, Kommunales Integrationszentrum", "Gegen diese Entscheidung", "ki@musterland.example")
	valid := url.Values{"authority": {"Kreis Musterland – Der Landrat"}, "address": {"Kreishaus\r\nHauptstraße 1"}, "contact_email": {"ki@musterland.example"},
		"legal_remedy_text": {"Neue Rechtsbehelfsbelehrung: Gegen diese Entscheidung …"}, "letterhead": {"Kreis Musterland\r\nDer Landrat"},
		"signing_office": {"Der Landrat – Amt für Integration"}, "phone": {"02345 6789-0"}, "court": {"Verwaltungsgericht Düsseldorf"},
		"court_address": {"Bastionstraße 39\r\n40213 Düsseldorf"}}
	with := func(k, v string) url.Values {
		out := url.Values{}
		for key, vals := range valid {
			out[key] = vals
		}
		out.Set(k, v)
		return out
	}
	before := ta.writes()
	bad := []struct {
		form url.Values
		want string
	}{
		{with("legal_remedy_text", " "), "Bitte geben Sie die Rechtsbehelfsbelehrung an."},
		{with("legal_remedy_text", strings.Repeat("a", 5001)), "höchstens 5000 Zeichen"},
		{with("letterhead", strings.Repeat("a", 501)), "höchstens 500 Zeichen"},
		{with("contact_email", "ki"), "gültige E-Mail-Adresse"},
		{with("authority", ""), "Bitte geben Sie die ausschreibende Behörde an."},
		{with("phone", "bitte anrufen"), "Bitte geben Sie eine Telefonnummer aus Ziffern an"},
		{with("court_address", ""), "Bitte geben Sie die Anschrift des Gerichts an."},
		{with("court", ""), "Bitte geben Sie das zuständige Verwaltungsgericht an."},
		{with("signing_office", "Der Landrat\r\nAmt 50"), "Bitte geben Sie diese Angabe in einer Zeile an."},
		{with("address", "1\n2\n3\n4\n5\n6"), "Die Anschrift darf höchstens 5 Zeilen haben."},
		{with("address", " \r\n "), "Bitte geben Sie die Postanschrift der Behörde an."},
	}
	for _, tc := range bad {
		c.post("/verwaltung/musterland/einstellungen", tc.form).wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, tc.want, `id="fehlerliste"`)
	}
	if after := ta.writes(); after != before {
		t.Fatalf("refused settings wrote something: %s → %s", before, after)
	}
	c.post("/verwaltung/musterland/einstellungen", valid).wantStatus(t, http.StatusSeeOther)
	c.get("/verwaltung/musterland/einstellungen").wantContains(t, "Die Einstellungen wurden gespeichert.", "Neue Rechtsbehelfsbelehrung")
	if n := ta.count(`SELECT count(*) FROM tenants WHERE slug = 'musterland' AND letterhead = E'Kreis Musterland\nDer Landrat'`); n != 1 {
		t.Fatal("letterhead not stored with normalised line ends")
	}
	if n := ta.count(`SELECT count(*) FROM tenants WHERE slug = 'musterland' AND signing_office = 'Der Landrat – Amt für Integration'
		AND phone = '02345 6789-0' AND court = 'Verwaltungsgericht Düsseldorf' AND court_address = E'Bastionstraße 39\n40213 Düsseldorf'`); n != 1 {
		t.Fatal("letter settings not stored")
	}
	if n := ta.count(`SELECT count(*) FROM audit_log WHERE action = 'tenant.settings_changed' AND details LIKE '%legal_remedy_text%'`); n != 1 {
		t.Fatalf("settings audit entries: %d", n)
	}
	c.post("/verwaltung/musterland/einstellungen", valid).wantStatus(t, http.StatusSeeOther)
	c.get("/verwaltung/musterland/einstellungen").wantContains(t, "Sie haben nichts geändert")
}
