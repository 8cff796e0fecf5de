package app_test

import (
	"context"
	"crypto/sha256"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"
)

// This file starts a real OpenID provider for the single sign-on tests: zitadel's op
// package with its example storage, served over loopback. Its login page signs in the
// user the test names (the provider's own password check runs), and it can misbehave in
// the two ways a verifier must catch: ID tokens for another audience, and expired ones.

// ssoClientID and ssoClientSecret are kimibv's client at the test provider.
const (
	ssoClientID     = "kimibv-musterland"
	ssoClientSecret = "geheimnis-der-kreis-it"
	ssoPassword     = "sehr-geheim"
)

// testProvider is a running OpenID provider.
type testProvider struct {
	srv     *httptest.Server
	issuer  string
	storage *providerStorage
}

// providerStorage is the example storage with the misbehaviours switched per provider.
type providerStorage struct {
	*storage.Storage
	mu       sync.Mutex
	loginAs  string        // the username the login page signs in
	client   string        // when set, ID tokens are issued to this client instead of kimibv
	lifetime time.Duration // when set, the lifetime of the ID tokens
}

// providerUsers are the provider's accounts, by username (= e-mail address).
type providerUsers map[string]*storage.User

func (u providerUsers) GetUserByID(id string) *storage.User { return u[id] }
func (u providerUsers) GetUserByUsername(name string) *storage.User {
	return u[name]
}
func (u providerUsers) ExampleClientID() string { return storage.ServiceUserID }

// newTestProvider starts a provider whose accounts have the given e-mail addresses
// (verified), with kimibv registered as client for redirect.
func newTestProvider(t *testing.T, redirect string, emails ...string) *testProvider {
	t.Helper()
	users := providerUsers{}
	for i, e := range emails {
		users[e] = &storage.User{ID: e, Username: e, Password: ssoPassword, FirstName: "Person", LastName: string(rune('A' + i)),
			Email: e, EmailVerified: true, PreferredLanguage: language.German}
	}
	st := &providerStorage{Storage: storage.NewStorageWithClients(users, map[string]*storage.Client{
		ssoClientID: storage.WebClient(ssoClientID, ssoClientSecret, redirect),
	})}
	var handler http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	provider, err := op.NewProvider(&op.Config{CryptoKey: sha256.Sum256([]byte("kimibv-test")), CodeMethodS256: true},
		st, op.StaticIssuer(srv.URL), op.WithAllowInsecure())
	if err != nil {
		t.Fatal(err)
	}
	callback := op.AuthCallbackURL(provider)
	mux := http.NewServeMux()
	mux.Handle("/login/username", op.NewIssuerInterceptor(provider.IssuerFromRequest).HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.FormValue("authRequestID")
		st.mu.Lock()
		who := st.loginAs
		st.mu.Unlock()
		if err := st.CheckUsernamePassword(who, ssoPassword, id); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		http.Redirect(w, r, callback(r.Context(), id), http.StatusFound)
	}))
	mux.Handle("/", provider)
	handler = mux
	return &testProvider{srv: srv, issuer: srv.URL, storage: st}
}

// as makes the provider's login page sign in the account with e-mail.
func (p *testProvider) as(email string) *testProvider {
	p.storage.mu.Lock()
	p.storage.loginAs = email
	p.storage.mu.Unlock()
	return p
}

// AuthRequestByCode hands out the request as if another client had made it, if set.
func (s *providerStorage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	r, err := s.Storage.AuthRequestByCode(ctx, code)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil || s.client == "" {
		return r, err
	}
	return otherClientRequest{AuthRequest: r, client: s.client}, nil
}

// GetClientByClientID hands out the client with another id or ID token lifetime, if set
// (after kimibv's credentials were checked).
func (s *providerStorage) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	c, err := s.Storage.GetClientByClientID(ctx, id)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil || (s.lifetime == 0 && s.client == "") {
		return c, err
	}
	return otherClient{Client: c, id: s.client, lifetime: s.lifetime}, nil
}

// otherClientRequest is an authorisation request of another client: the ID token names
// that client as its audience.
type otherClientRequest struct {
	op.AuthRequest
	client string
}

func (r otherClientRequest) GetClientID() string   { return r.client }
func (r otherClientRequest) GetAudience() []string { return []string{r.client} }

// otherClient is kimibv's client with another id or ID token lifetime.
type otherClient struct {
	op.Client
	id       string
	lifetime time.Duration
}

func (c otherClient) GetID() string {
	if c.id != "" {
		return c.id
	}
	return c.Client.GetID()
}

func (c otherClient) IDTokenLifetime() time.Duration {
	if c.lifetime != 0 {
		return c.lifetime
	}
	return c.Client.IDTokenLifetime()
}

// signOn starts the sign-on of c for the Kreis at kimibv, walks the provider's
// redirects and returns kimibv's callback address (path and query) without calling it.
func (p *testProvider) signOn(t *testing.T, c *client, kreis string) string {
	t.Helper()
	res := c.post("/anmelden/sso/"+kreis, nil).wantStatus(t, http.StatusSeeOther)
	loc := res.Header.Get("Location")
	for range 10 {
		if path, ok := strings.CutPrefix(loc, kimibvBase); ok {
			return path
		}
		if strings.HasPrefix(loc, "/") {
			loc = p.issuer + loc
		}
		if !strings.HasPrefix(loc, p.issuer) {
			t.Fatalf("redirected away from the provider to %q", loc)
		}
		req, _ := http.NewRequest(http.MethodGet, loc, nil)
		res, err := c.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusFound && res.StatusCode != http.StatusSeeOther {
			t.Fatalf("provider answered %d at %s", res.StatusCode, loc)
		}
		loc = res.Header.Get("Location")
	}
	t.Fatal("too many redirects at the provider")
	return ""
}

// kimibvBase is the test application's public address (newTestAppOn).
const kimibvBase = "http://kimibv.test"
