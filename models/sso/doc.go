// Package sso is the single sign-on of Kreis staff through the Kreis's OpenID Connect
// provider: the Kreis's settings (issuer, client id, allowed e-mail domain, "nur SSO"),
// the authorisation code flow with PKCE, state and nonce (Start, Finish), the check of the
// ID token with the provider's keys, and the link of the provider's account to the
// kimibv account of an invited or registered member of the Kreis (SignIn). Roles stay
// assigned in kimibv; no account is created here. Providers' members (organisations) keep
// e-mail and password.
//
// Layer: above accounts. It imports core, rules, store, audit and accounts.
//
// Rules of docs/rules.md:
//   - R28: SaveSettings and the pure checks rules.SSOIssuerAcceptable,
//     rules.SSODomainAcceptable, rules.SSOEmailRefusal (settings.go); Start and Finish
//     with the single use of the state (flow.go); SignIn with the link by verified
//     e-mail (signin.go); the refusal of the password for a "nur SSO" Kreis is
//     accounts.Authenticate's (accounts/sso_only.go).
package sso
