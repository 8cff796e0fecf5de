package rules

import "testing"

func TestSSOIssuerMustBeHTTPSOrLoopback(t *testing.T) {
	t.Parallel()
	for issuer, want := range map[string]bool{
		"https://login.kreis-musterland.de":            true,
		"https://login.kreis-musterland.de/realms/kim": true,
		"http://127.0.0.1:5556":                        true,
		"http://localhost:8080/dex":                    true,
		"http://[::1]:9000":                            true,
		"http://login.kreis-musterland.de":             false,
		"https://login.example/?x=1":                   false,
		"https://login.example/#frag":                  false,
		"https://user:pw@login.example":                false,
		"ftp://login.example":                          false,
		"login.example":                                false,
		"":                                             false,
		"javascript:alert(1)":                          false,
	} {
		if got := SSOIssuerAcceptable(issuer); got != want {
			t.Errorf("SSOIssuerAcceptable(%q) = %v, want %v", issuer, got, want)
		}
	}
}

func TestSSODomainIsAPlainDomain(t *testing.T) {
	t.Parallel()
	for domain, want := range map[string]bool{
		"kreis-musterland.de": true, "musterland.example": true, "a.b.c.de": true,
		"musterland": false, ".de": false, "kreis.de.": false, "Kreis.de": false, "kreis..de": false,
		"-kreis.de": false, "kreis .de": false, "@kreis.de": false, "": false,
	} {
		if got := SSODomainAcceptable(domain); got != want {
			t.Errorf("SSODomainAcceptable(%q) = %v, want %v", domain, got, want)
		}
	}
}

func TestSSOEmailMustBeVerifiedAndOfTheDomain(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		email    string
		verified bool
		want     string
	}{
		{"leitung@musterland.example", true, ""},
		{"Leitung@MUSTERLAND.example", true, ""},
		{"leitung@musterland.example", false, "email_unverified"},
		{"leitung@andere.example", true, "email_domain"},
		{"leitung@sub.musterland.example", true, "email_domain"},
		{"leitung@musterland.example.evil", true, "email_domain"},
		{"", true, "email_missing"},
		{"@musterland.example", true, "email_missing"},
	} {
		if got := SSOEmailRefusal(tc.email, tc.verified, "musterland.example"); got != tc.want {
			t.Errorf("SSOEmailRefusal(%q, %v) = %q, want %q", tc.email, tc.verified, got, tc.want)
		}
	}
}

func TestSSOSecretVariableNamesTheKreis(t *testing.T) {
	t.Parallel()
	if got := SSOSecretVariable("rhein-kreis-neuss"); got != "KIMIBV_OIDC_RHEIN_KREIS_NEUSS_CLIENT_SECRET_FILE" {
		t.Fatal(got)
	}
}
