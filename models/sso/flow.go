package sso

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
	"gorm.io/gorm"

	"kimibv/models/accounts"
	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/models/rules"
	"kimibv/models/store"
)

// ErrUnreachable means that the Kreis's provider did not answer (discovery, keys or the
// token endpoint); nothing was changed.
var ErrUnreachable = errors.New("sso: provider unreachable")

// Flow runs the authorisation code flow with PKCE, state and nonce (rules.md R28).
type Flow struct {
	DB          *gorm.DB
	HTTP        *http.Client // for the provider's token and UserInfo endpoints; its Timeout bounds every call
	Providers   *Providers   // the discovered providers (providers.go)
	RedirectURL string       // the callback address registered at every provider
	Secret      SecretLookup
}

// Started is a begun sign-on: the browser goes to AuthURL; State is kept in its session
// and must come back with the callback.
type Started struct {
	AuthURL string
	State   string
}

// Start begins the sign-on of a member of the Kreis with slug: it finds the provider
// (discovered once, Providers), stores state, nonce and PKCE verifier for one use and returns the
// provider's authorisation address. next is where the user goes after the sign-on.
func (f Flow) Start(ctx context.Context, slug, next string, now time.Time) (Started, error) {
	t, s, secret, err := f.kreis(ctx, slug)
	if err != nil {
		return Started{}, err
	}
	p, err := f.Providers.provider(s.Issuer)
	if err != nil {
		return Started{}, err
	}
	state, nonce, verifier := randomToken(), randomToken(), oauth2.GenerateVerifier()
	err = f.DB.WithContext(ctx).Exec(`WITH old AS (DELETE FROM sso_logins WHERE created_at < ?)
		INSERT INTO sso_logins (tenant_id, state_hash, nonce, verifier, next, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		now.Add(-time.Hour), t.ID, accounts.HashToken(state), nonce, verifier, next, now).Error // a []byte first in ( ) would be expanded by GORM
	if err != nil {
		return Started{}, fmt.Errorf("store sso state: %w", err)
	}
	cfg := f.oauth(p, s, secret)
	return Started{AuthURL: cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce)), State: state}, nil
}

// Callback is what the provider sent back to the browser, with the state kept in the
// browser's session.
type Callback struct {
	State        string // the state parameter
	SessionState string // the state Start put into this browser's session
	Code         string
	Error        string // the provider's error parameter, if any
}

// Finish completes the sign-on: the state must be this browser's and unused (it is used
// up now, whatever follows), the code is exchanged with the PKCE verifier, the ID token is
// verified with the provider's keys (issuer, audience = client id, expiry, signature),
// its nonce must match, and the verified e-mail must belong to the Kreis's domain. Then
// SignIn links or finds the account. A refusal is a *Refusal; once a state was used up it
// is audited as auth.sso_login_failed. Finish returns where the user wanted to go as next.
func (f Flow) Finish(ctx context.Context, cb Callback, now time.Time) (u accounts.User, next string, err error) {
	var pending struct {
		TenantID int64
		Slug     string
		Nonce    string
		Verifier string
		Next     string
	}
	// Without a started sign-on of this browser nothing is written, not even an audit
	// entry: anybody can call the callback address.
	if cb.State == "" || cb.State != cb.SessionState {
		return u, "", refusal("state")
	}
	res := f.DB.WithContext(ctx).Raw(`UPDATE sso_logins l SET used_at = ? FROM tenants t
		WHERE t.id = l.tenant_id AND l.state_hash = ? AND l.used_at IS NULL AND l.created_at > ?
		RETURNING l.tenant_id, t.slug, l.nonce, l.verifier, l.next`, now, accounts.HashToken(cb.State), now.Add(-rules.SSOStateLifetime)).Scan(&pending)
	if res.Error != nil {
		return u, "", fmt.Errorf("use sso state: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return u, "", refusal("state")
	}
	if cb.Error != "" || cb.Code == "" {
		return u, pending.Next, f.refuse(ctx, pending.TenantID, "", refusal("provider_error"))
	}
	claims, s, err := f.verify(ctx, pending.Slug, cb.Code, pending.Verifier, pending.Nonce, now)
	if err != nil {
		return u, pending.Next, f.refuse(ctx, pending.TenantID, claims.Email, err)
	}
	u, err = SignIn(ctx, f.DB, pending.TenantID, s.Issuer, claims.Subject, claims.Email, now)
	return u, pending.Next, f.refuse(ctx, pending.TenantID, claims.Email, err)
}

// idClaims are the claims of the ID token kimibv reads.
type idClaims struct {
	Subject       string `json:"sub"`
	Email         string `json:"email"`
	EmailVerified bool   `json:"email_verified"`
}

// verify exchanges code and checks the ID token and its claims.
func (f Flow) verify(ctx context.Context, slug, code, verifier, nonce string, now time.Time) (idClaims, *Settings, error) {
	var claims idClaims
	_, s, secret, err := f.kreis(ctx, slug)
	if err != nil {
		return claims, nil, err
	}
	p, err := f.Providers.provider(s.Issuer)
	if err != nil {
		return claims, nil, err
	}
	ctx = oidc.ClientContext(ctx, f.HTTP)
	tok, err := f.oauth(p, s, secret).Exchange(ctx, code, oauth2.VerifierOption(verifier))
	var rerr *oauth2.RetrieveError
	switch {
	case errors.As(err, &rerr):
		return claims, nil, refusal("provider_error")
	case err != nil:
		return claims, nil, fmt.Errorf("token exchange: %w: %w", ErrUnreachable, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return claims, nil, refusal("token_invalid")
	}
	id, err := p.VerifierContext(ctx, &oidc.Config{ClientID: s.ClientID, Now: func() time.Time { return now }}).Verify(ctx, raw)
	var expired *oidc.TokenExpiredError
	switch {
	case errors.As(err, &expired):
		return claims, nil, refusal("token_expired")
	case err != nil:
		return claims, nil, refusal("token_invalid")
	case id.Nonce != nonce:
		return claims, nil, refusal("nonce")
	}
	if err := id.Claims(&claims); err != nil {
		return claims, nil, refusal("token_invalid")
	}
	if claims.Email == "" { // a provider that names the address only at its UserInfo endpoint
		if err := userInfo(ctx, p, tok, &claims); err != nil {
			return claims, nil, err
		}
	}
	claims.Email = core.NormalizeEmail(claims.Email)
	if reason := rules.SSOEmailRefusal(claims.Email, claims.EmailVerified, s.EmailDomain); reason != "" {
		r := refusal(reason)
		if reason == "email_domain" {
			r.Message = fmt.Sprintf("Die E-Mail-Adresse %s gehört nicht zur E-Mail-Domain @%s, die der Kreis für die Anmeldung über die Kreisverwaltung zugelassen hat. Die Anmeldung wurde abgelehnt.", claims.Email, s.EmailDomain)
		}
		return claims, nil, r
	}
	return claims, s, nil
}

// userInfo reads the e-mail claims from the provider's UserInfo endpoint with the access
// token; its subject must be the ID token's.
func userInfo(ctx context.Context, p *oidc.Provider, tok *oauth2.Token, claims *idClaims) error {
	ui, err := p.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		return fmt.Errorf("userinfo: %w: %w", ErrUnreachable, err)
	}
	if ui.Subject != claims.Subject {
		return refusal("token_invalid")
	}
	claims.Email, claims.EmailVerified = ui.Email, ui.EmailVerified
	return nil
}

// kreis loads the Kreis, its provider and its client secret; a Kreis without provider is
// ErrNotFound, one without secret the refusal "not_configured".
func (f Flow) kreis(ctx context.Context, slug string) (*accounts.Tenant, *Settings, string, error) {
	t, err := accounts.TenantBySlug(ctx, f.DB, slug)
	if err != nil {
		return nil, nil, "", err
	}
	s, err := SettingsOf(ctx, f.DB, t.ID)
	if err != nil {
		return nil, nil, "", err
	}
	if s == nil {
		return nil, nil, "", fmt.Errorf("sso of %s: %w", slug, core.ErrNotFound)
	}
	secret, err := f.Secret(slug)
	if errors.Is(err, ErrNoSecret) {
		return nil, nil, "", refusal("not_configured")
	}
	if err != nil {
		return nil, nil, "", err
	}
	return t, s, secret, nil
}

// oauth is the OAuth 2.0 client of the Kreis at provider p.
func (f Flow) oauth(p *oidc.Provider, s *Settings, secret string) *oauth2.Config {
	return &oauth2.Config{ClientID: s.ClientID, ClientSecret: secret, Endpoint: p.Endpoint(), RedirectURL: f.RedirectURL,
		Scopes: []string{oidc.ScopeOpenID, "email", "profile"}}
}

// refuse audits a refusal (err a *Refusal) as auth.sso_login_failed and returns err;
// other errors pass unchanged.
func (f Flow) refuse(ctx context.Context, tenantID int64, email string, err error) error {
	var r *Refusal
	if !errors.As(err, &r) {
		return err
	}
	details := map[string]any{"reason": r.Reason}
	if email != "" {
		details["email"] = email
	}
	aerr := store.InTx(ctx, f.DB, func(tx *gorm.DB) error {
		_, err := audit.Audit(tx, audit.Event{Chain: audit.ChainPlatform, TenantID: tenantID, Action: "auth.sso_login_failed",
			ObjectType: "tenant", ObjectID: fmt.Sprint(tenantID), Details: details})
		return err
	})
	if aerr != nil {
		return aerr
	}
	return err
}

// randomToken returns 32 random bytes, URL-safe.
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
