package app_test

import (
	"net/http"
	"net/url"
	"testing"

	"kimibv/models/dbtest"
	"kimibv/models/demo"
)

func TestOperatorPageIsForTheOperatorOnly(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	anon := ta.client()
	res := anon.get("/betrieb").wantStatus(t, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/anmelden?next=%2Fbetrieb" {
		t.Fatalf("anonymous redirected to %q", loc)
	}
	tenants := ta.count(`SELECT count(*) FROM tenants`)
	for _, email := range []string{"admin@musterland.example", "awo@traeger.example"} {
		c := ta.client()
		c.login(email, demo.Password)
		c.get("/betrieb").wantStatus(t, http.StatusNotFound).wantContains(t, "Seite nicht gefunden")
		c.post("/betrieb/kreise", url.Values{"slug": {"neuland"}, "name": {"Kreis Neuland"}, "kind": {"kreis"}, "state": {"Nordrhein-Westfalen"},
			"authority": {"Kreis Neuland"}, "contact_email": {"ki@neuland.example"}, "admin_email": {"admin@neuland.example"}}).wantStatus(t, http.StatusNotFound)
	}
	if n := ta.count(`SELECT count(*) FROM tenants`); n != tenants {
		t.Fatal("a non-operator created a Kreis")
	}
}

func TestOperatorCreatesKreis(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	c := ta.client()
	c.login("betrieb@kimibv.example", demo.Password)
	c.get("/betrieb").wantStatus(t, http.StatusOK).wantContains(t, "Kreis Musterland", "Stadt Beispielhausen", "Kreisfreie Stadt", `action="/betrieb/kreise"`)

	valid := url.Values{"slug": {"neuland"}, "name": {"Kreis Neuland"}, "kind": {"kreis"}, "state": {"Nordrhein-Westfalen"},
		"authority": {"Kreis Neuland – Der Landrat"}, "contact_email": {"ki@neuland.example"}, "admin_email": {"admin@neuland.example"}}
	with := func(k, v string) url.Values {
		out := url.Values{}
		for key, vals := range valid {
			out[key] = vals
		}
		out.Set(k, v)
		return out
	}
	tenants, invitations, audit := ta.count(`SELECT count(*) FROM tenants`), ta.count(`SELECT count(*) FROM invitations`), ta.count(`SELECT count(*) FROM audit_log`)
	bad := []struct {
		form url.Values
		want string
	}{
		{url.Values{}, "Bitte geben Sie ein Kürzel"},
		{with("slug", "Neu Land"), "Kleinbuchstaben, Ziffern oder Bindestrichen"},
		{with("slug", "musterland"), "Dieses Kürzel ist bereits vergeben."},
		{with("kind", "dorf"), "ob es sich um einen Kreis oder eine kreisfreie Stadt handelt"},
		{with("admin_email", "admin@"), "gültige E-Mail-Adresse"},
		{with("name", ""), "Bitte geben Sie den Namen an."},
	}
	for _, tc := range bad {
		c.post("/betrieb/kreise", tc.form).wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, tc.want, `id="fehlerliste"`, "Kreis Musterland")
	}
	if ta.count(`SELECT count(*) FROM tenants`) != tenants || ta.count(`SELECT count(*) FROM invitations`) != invitations || ta.count(`SELECT count(*) FROM audit_log`) != audit {
		t.Fatal("a refused form wrote something")
	}
	// Values are kept on a refused form.
	c.post("/betrieb/kreise", with("slug", "musterland")).wantContains(t, `value="Kreis Neuland – Der Landrat"`)

	res := c.post("/betrieb/kreise", valid).wantStatus(t, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/betrieb" {
		t.Fatalf("redirect to %q", loc)
	}
	c.get("/betrieb").wantStatus(t, http.StatusOK).wantContains(t, "„Kreis Neuland“ wurde angelegt", "admin@neuland.example", "neuland")
	if n := ta.count(`SELECT count(*) FROM invitations i JOIN tenants t ON t.id = i.tenant_id WHERE t.slug = 'neuland' AND i.email = 'admin@neuland.example' AND i.roles = '{tenant_admin}'`); n != 1 {
		t.Fatalf("first administrator invitations: %d", n)
	}
	if n := len(dbtest.MailsTo(t, ta.store.DB, "admin@neuland.example", "")); n != 1 {
		t.Fatalf("invitation mails: %d", n)
	}
	if n := ta.count(`SELECT count(*) FROM audit_log a JOIN tenants t ON t.id = a.tenant_id WHERE t.slug = 'neuland' AND a.action = 'tenant.created'`); n != 2 {
		t.Fatalf("tenant.created entries (platform and Kreis chain): %d", n)
	}
}
