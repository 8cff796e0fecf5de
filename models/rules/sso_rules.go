package rules

import (
	"net"
	"net/url"
	"strings"
	"time"
)

// SSOStateLifetime is how long a started single sign-on may take until its callback
// (rules.md R28): a state older than this is refused like a used one.
const SSOStateLifetime = 10 * time.Minute

// SSOIssuerAcceptable reports whether issuer may name a Kreis's OpenID provider: an
// absolute https address without query or fragment; plain http only for a loopback host
// (a provider on the same machine, as in tests and local development).
func SSOIssuerAcceptable(issuer string) bool {
	u, err := url.Parse(issuer)
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil || u.Opaque != "" {
		return false
	}
	switch u.Scheme {
	case "https":
		return true
	case "http":
		host := u.Hostname()
		ip := net.ParseIP(host)
		return host == "localhost" || (ip != nil && ip.IsLoopback())
	}
	return false
}

// SSODomainAcceptable reports whether domain is a plain e-mail domain like
// "kreis-musterland.de": lower case letters, digits, hyphens and at least one dot.
func SSODomainAcceptable(domain string) bool {
	if len(domain) > 200 || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return false
	}
	for _, label := range strings.Split(domain, ".") {
		if label == "" || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

// SSOEmailRefusal is why the e-mail claims of an ID token do not admit a sign-on into a
// Kreis whose staff use addresses of domain: "email_missing", "email_unverified",
// "email_domain", or "" when they admit it. The address must end in "@"+domain exactly
// (no subdomains) and the provider must have verified it.
func SSOEmailRefusal(email string, verified bool, domain string) string {
	at := strings.LastIndex(email, "@")
	switch {
	case email == "" || at <= 0:
		return "email_missing"
	case !verified:
		return "email_unverified"
	case !strings.EqualFold(email[at+1:], domain):
		return "email_domain"
	}
	return ""
}

// SSOSecretVariable is the environment variable that names the file holding the client
// secret of the Kreis with slug: KIMIBV_OIDC_<SLUG>_CLIENT_SECRET_FILE, the slug in
// upper case with hyphens as underscores.
func SSOSecretVariable(slug string) string {
	return "KIMIBV_OIDC_" + strings.ToUpper(strings.ReplaceAll(slug, "-", "_")) + "_CLIENT_SECRET_FILE"
}
