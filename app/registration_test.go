package app_test

import (
	"context"
	"fmt"
	"io"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"kimibv/app/smtptest"
	"kimibv/models/accounts"
	"kimibv/models/postbox"
)

// acctRegistration is a complete, valid registration form.
func acctRegistration() url.Values {
	return url.Values{"org_name": {"Neuer Weg e. V."}, "legal_form": {accounts.LegalForms[0]}, "register_court": {"Amtsgericht Musterstadt"},
		"register_number": {"VR 999"}, "street": {"Lindenallee 4"}, "postal_code": {"57030"}, "city": {"Westdorf"},
		"association": {accounts.Associations[4]}, "org_email": {"info@neuer-weg.example"}, "phone": {"02345 99"},
		"name": {"Nadia Neumann"}, "email": {"nadia@neuer-weg.example"}, "password": {acctNewPassword}, "password_confirm": {acctNewPassword},
		"privacy": {"1"}}
}

// TestRegisterProviderConfirmsTheAddressByMailedLink registers a provider, delivers the
// outbox to the real SMTP test server and follows the link as the server received it:
// no login before the confirmation, the link works once, expires after 48 hours, and the
// right password of an unconfirmed account with an expired link mails a new one.
func TestRegisterProviderConfirmsTheAddressByMailedLink(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	if n := ta.count(`SELECT count(*) FROM users WHERE email_confirmed_at IS NULL`); n != 0 {
		t.Fatalf("%d demo accounts are unconfirmed", n)
	}
	sink := startSMTP(t)
	c := ta.client()
	c.get("/registrieren").wantStatus(t, http.StatusOK).wantContains(t, `name="org_name"`, "gemeinnützige GmbH (gGmbH)", "Der Paritätische",
		`name="privacy"`, `href="/datenschutz"`)
	res := c.post("/registrieren", acctRegistration()).wantStatus(t, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/anmelden" {
		t.Fatalf("redirect to %q", loc)
	}
	c.get("/anmelden").wantContains(t, "Ihre Organisation ist registriert", "nadia@neuer-weg.example", "Bitte bestätigen Sie Ihre E-Mail-Adresse")
	if n := ta.count(`SELECT count(*) FROM organization_members m JOIN users u ON u.id = m.user_id WHERE u.email = 'nadia@neuer-weg.example' AND m.role = 'org_admin'`); n != 1 {
		t.Fatal("first user is not the administrator")
	}
	loginRefused := func(c *client, want string) {
		t.Helper()
		c.post("/anmelden", url.Values{"email": {"nadia@neuer-weg.example"}, "password": {acctNewPassword}}).
			wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, want, `href="#f-email"`)
		if c.get("/konto").Status != http.StatusSeeOther {
			t.Fatal("logged in before the confirmation")
		}
	}
	loginRefused(c, "Ihre E-Mail-Adresse ist noch nicht bestätigt")

	link := confirmationLink(t, ta, sink, "nadia@neuer-weg.example")
	tok := strings.TrimPrefix(link, "http://kimibv.test/registrieren/bestaetigen/")
	if n := ta.count(`SELECT count(*) FROM email_confirmations WHERE token_hash = ? AND expires_at BETWEEN ? AND ?`,
		accounts.HashToken(tok), ta.clock.Now().Add(47*time.Hour), ta.clock.Now().Add(49*time.Hour)); n != 1 {
		t.Fatal("the token is not stored as its hash with an expiry of 48 hours")
	}
	path := "/registrieren/bestaetigen/" + tok
	c.get(path).wantStatus(t, http.StatusOK).wantContains(t, "E-Mail-Adresse bestätigen", `action="`+path+`"`)
	if n := ta.count(`SELECT count(*) FROM users WHERE email = 'nadia@neuer-weg.example' AND email_confirmed_at IS NULL`); n != 1 {
		t.Fatal("opening the link (GET) confirmed the address")
	}
	c.post(path, nil).wantStatus(t, http.StatusSeeOther)
	c.get("/anmelden").wantContains(t, "Ihre E-Mail-Adresse ist bestätigt.")
	c.login("nadia@neuer-weg.example", acctNewPassword)
	org := ta.count(`SELECT org_id FROM organization_members m JOIN users u ON u.id = m.user_id WHERE u.email = 'nadia@neuer-weg.example'`)
	c.get(fmt.Sprintf("/traeger/%d", org)).wantStatus(t, http.StatusOK).wantContains(t, "Neuer Weg e. V.", "Lindenallee 4, 57030 Westdorf", "Nadia Neumann")
	ta.client().post(path, nil).wantStatus(t, http.StatusNotFound).wantContains(t, "Link ungültig oder abgelaufen")

	// A second registration waits longer than 48 hours: the link has expired, and the
	// right password mails a new one.
	second := acctRegistration()
	second.Set("org_name", "Zweiter Weg e. V.")
	second.Set("email", "zoe@zweiter-weg.example")
	c2 := ta.client()
	c2.post("/registrieren", second).wantStatus(t, http.StatusSeeOther)
	old := confirmationLink(t, ta, sink, "zoe@zweiter-weg.example")
	ta.clock.Advance(48*time.Hour + time.Minute)
	c2.get(strings.TrimPrefix(old, "http://kimibv.test")).wantStatus(t, http.StatusNotFound).wantContains(t, "Link ungültig oder abgelaufen")
	c2.post("/anmelden", url.Values{"email": {"zoe@zweiter-weg.example"}, "password": {acctNewPassword}}).
		wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, "soeben einen neuen geschickt")
	fresh := confirmationLink(t, ta, sink, "zoe@zweiter-weg.example")
	if fresh == old {
		t.Fatal("no new link")
	}
	c2.post(strings.TrimPrefix(fresh, "http://kimibv.test"), nil).wantStatus(t, http.StatusSeeOther)
	c2.login("zoe@zweiter-weg.example", acctNewPassword)
}

// confirmationLink delivers the outbox to sink and returns the newest confirmation link
// in a message sink received for to, decoded from its transfer encoding.
func confirmationLink(t *testing.T, ta *testApp, sink *smtptest.Sink, to string) string {
	t.Helper()
	if _, err := postbox.SendOutbox(context.Background(), ta.store.DB, delivererTo(t, sink.Addr), 100); err != nil {
		t.Fatal(err)
	}
	link := ""
	for _, raw := range sink.Messages() {
		rcpt, msg, _ := strings.Cut(raw, "\n")
		if rcpt != "RCPT:"+to {
			continue
		}
		m, err := mail.ReadMessage(strings.NewReader(msg))
		if err != nil {
			t.Fatal(err)
		}
		var body io.Reader = m.Body
		if strings.EqualFold(m.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
			body = quotedprintable.NewReader(m.Body)
		}
		b, _ := io.ReadAll(body)
		if found := regexp.MustCompile(`http://kimibv\.test/registrieren/bestaetigen/[A-Za-z0-9_-]{40,}`).FindString(string(b)); found != "" {
			link = found
		}
	}
	if link == "" {
		t.Fatalf("the SMTP server received no confirmation link for %s", to)
	}
	return link
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
