package app_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"kimibv/models/accounts"
)

// acctRegistration is a complete, valid registration form.
func acctRegistration() url.Values {
	return url.Values{"org_name": {"Neuer Weg e. V."}, "legal_form": {accounts.LegalForms[0]}, "register_court": {"Amtsgericht Musterstadt"},
		"register_number": {"VR 999"}, "street": {"Lindenallee 4"}, "postal_code": {"57030"}, "city": {"Westdorf"},
		"association": {accounts.Associations[4]}, "org_email": {"info@neuer-weg.example"}, "phone": {"02345 99"},
		"name": {"Nadia Neumann"}, "email": {"nadia@neuer-weg.example"}, "password": {acctNewPassword}, "password_confirm": {acctNewPassword},
		"privacy": {"1"}}
}

func TestRegisterProviderLogsTheAdministratorIn(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	c := ta.client()
	c.get("/registrieren").wantStatus(t, http.StatusOK).wantContains(t, `name="org_name"`, "gemeinnützige GmbH (gGmbH)", "Der Paritätische",
		`name="privacy"`, `href="/datenschutz"`)
	res := c.post("/registrieren", acctRegistration()).wantStatus(t, http.StatusSeeOther)
	loc := res.Header.Get("Location")
	if !regexp.MustCompile(`^/traeger/[0-9]+$`).MatchString(loc) {
		t.Fatalf("redirect to %q", loc)
	}
	c.get(loc).wantStatus(t, http.StatusOK).wantContains(t, "Ihre Organisation ist registriert", "Neuer Weg e. V.", "Lindenallee 4, 57030 Westdorf",
		"Nadia Neumann", "Ausschreibungen ansehen", "Profil bearbeiten")
	if n := ta.count(`SELECT count(*) FROM organization_members m JOIN users u ON u.id = m.user_id WHERE u.email = 'nadia@neuer-weg.example' AND m.role = 'org_admin'`); n != 1 {
		t.Fatal("first user is not the administrator")
	}
}

func TestRegisterProviderRefusesBadInput(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	c := ta.client()
	written := func() int64 {
		return ta.count(`SELECT count(*) FROM organizations`)*1000 + ta.count(`SELECT count(*) FROM users`)
	}
	before := written()
	cases := []struct {
		name   string
		change func(v url.Values)
		want   []string
	}{
		{"no privacy, mismatch, bad postcode", func(v url.Values) {
			v.Del("privacy")
			v.Set("password_confirm", "anders als vorher 1")
			v.Set("postal_code", "5703")
		}, []string{"Datenschutzhinweise zur Kenntnis genommen", "Die beiden Passwörter stimmen nicht überein.", "fünfstellige Postleitzahl", `value="Neuer Weg e. V."`}},
		{"unknown legal form and association", func(v url.Values) {
			v.Set("legal_form", "GmbH & Co. KG")
			v.Set("association", "Erfundener Verband")
		}, []string{"Bitte wählen Sie die Rechtsform aus der Liste aus.", "Bitte wählen Sie den Spitzenverband aus der Liste aus."}},
		{"missing fields", func(v url.Values) {
			v.Set("org_name", "")
			v.Set("city", "")
			v.Set("name", "")
		}, []string{"Bitte geben Sie den Namen der Organisation an.", "Bitte geben Sie den Ort an.", "Bitte geben Sie Ihren Namen an."}},
		{"name of a registered organisation", func(v url.Values) { v.Set("org_name", "caritasverband für den kreis musterland e. v.") },
			[]string{"Eine Organisation mit diesem Namen ist bereits registriert."}},
		{"address of an existing account", func(v url.Values) { v.Set("email", "AWO@traeger.example") },
			[]string{"Für diese E-Mail-Adresse besteht bereits ein Konto."}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			form := acctRegistration()
			tc.change(form)
			res := c.post("/registrieren", form).wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, tc.want...)
			res.wantContains(t, `id="fehlerliste"`)
			if strings.Contains(res.Body, acctNewPassword) {
				t.Fatal("password echoed")
			}
			if written() != before {
				t.Fatal("refused registration wrote an organisation or a user")
			}
		})
	}
}
