package sso

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

// providerTTL is how long a discovered provider is used before it is discovered again
// (its endpoints rarely change; its key set fetches rotated keys on its own).
const providerTTL = time.Hour

// Providers keeps each issuer's discovered provider — its endpoints and its key set, which
// caches the signing keys — so that a sign-on does not repeat the discovery at its start
// and at its callback and fetch the keys anew each time. The application owns one.
type Providers struct {
	client *http.Client // for discovery and key fetches; its Timeout bounds every call
	mu     sync.Mutex
	known  map[string]knownProvider
}

// knownProvider is a discovered provider and when it is to be discovered again.
type knownProvider struct {
	p     *oidc.Provider
	until time.Time
}

// NewProviders returns an empty cache whose providers use client.
func NewProviders(client *http.Client) *Providers {
	return &Providers{client: client, known: map[string]knownProvider{}}
}

// Client is the HTTP client the providers are called with.
func (ps *Providers) Client() *http.Client { return ps.client }

// provider returns the provider of issuer, discovering it when it is not known or its
// time is up; a failed discovery is ErrUnreachable and is not kept. The provider's key
// set lives beyond the request, so it gets a context of its own with the client.
func (ps *Providers) provider(issuer string) (*oidc.Provider, error) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if k, ok := ps.known[issuer]; ok && time.Now().Before(k.until) {
		return k.p, nil
	}
	p, err := oidc.NewProvider(oidc.ClientContext(context.Background(), ps.client), issuer)
	if err != nil {
		return nil, fmt.Errorf("discovery %s: %w: %w", issuer, ErrUnreachable, err)
	}
	ps.known[issuer] = knownProvider{p: p, until: time.Now().Add(providerTTL)}
	return p, nil
}
