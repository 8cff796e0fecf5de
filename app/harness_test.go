package app_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"kimibv/app"
	"kimibv/models/dbtest"
	"kimibv/models/store"
	"kimibv/templates"
)

// testApp is the real router on a real PostgreSQL database, served over loopback.
type testApp struct {
	t      *testing.T
	store  *store.Store
	app    *app.App
	echo   *echo.Echo // the router, for its route table
	server *httptest.Server
	clock  *fakeClock
}

// fakeClock is an adjustable application clock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

// Now returns the clock's time.
func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

// Advance moves the clock forward.
func (c *fakeClock) Advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// newTestApp starts the application on a fresh database; withDemo loads the demonstration.
func newTestApp(t *testing.T, withDemo bool) *testApp {
	t.Helper()
	var st *store.Store
	if withDemo {
		st = dbtest.NewDemo(t)
	} else {
		st = dbtest.New(t)
	}
	return newTestAppOn(t, st, nil)
}

// sharedViews are the parsed templates every test App shares, a test-only cache like the
// HTML collector: parsed per App they cost a sixth of the package's CPU, and the copies of
// the tests running at once held 4 GB.
var sharedViews = sync.OnceValues(templates.NewRenderer)

// newTestAppOn starts the application on st, with the configuration adjusted by adjust
// (may be nil), as kimibv serve does: with its LISTEN connection for the public pages'
// validators (stopped at the end of the test).
func newTestAppOn(t *testing.T, st *store.Store, adjust func(*app.Config)) *testApp {
	t.Helper()
	return newTestAppClocked(t, st, adjust, &fakeClock{now: time.Now()})
}

// newTestAppClocked is newTestAppOn with the application clock given: the instances of
// one installation share it (secondInstance), as servers share the wall clock.
func newTestAppClocked(t *testing.T, st *store.Store, adjust func(*app.Config), clock *fakeClock) *testApp {
	t.Helper()
	var logw io.Writer = io.Discard
	if os.Getenv("KIMIBV_TEST_LOG") != "" {
		logw = os.Stderr
	}
	log := slog.New(slog.NewTextHandler(logw, nil))
	cfg := app.Config{BaseURL: "http://kimibv.test", Env: "production", MaxBodyBytes: 110 << 20,
		SessionLifetime: 12 * time.Hour, SessionIdle: 2 * time.Hour, ContactEmail: "kontakt@kimibv.test", Operator: "Testbetrieb", Vault: dbtest.Vault(t)}
	if adjust != nil {
		adjust(&cfg)
	}
	views, err := sharedViews()
	if err != nil {
		t.Fatal(err)
	}
	a, e, err := app.New(cfg, st, log, app.WithClock(clock.Now), app.WithRenderer(views))
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	listening := make(chan struct{})
	go func() { defer close(listening); _ = a.ListenForChanges(ctx) }()
	t.Cleanup(func() { stop(); <-listening })
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return &testApp{t: t, store: st, app: a, echo: e, server: srv, clock: clock}
}

// routes lists the GET and POST routes of the router.
func (ta *testApp) routes() []routeKey {
	var out []routeKey
	for _, r := range ta.echo.Routes() {
		if r.Method == http.MethodGet || r.Method == http.MethodPost {
			out = append(out, routeKey{r.Method, r.Path})
		}
	}
	return out
}

// client is a browser-like HTTP client with a cookie jar that does not follow redirects.
type client struct {
	t    *testing.T
	base string
	http *http.Client
	db   *gorm.DB // for confirming the second factor of a harness login (login)
}

// response is a fully read answer.
type response struct {
	Status int
	Header http.Header
	Body   string
}

func (ta *testApp) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: ta.t, base: ta.server.URL, db: ta.store.DB, http: &http.Client{Jar: jar, Timeout: 120 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c *client) do(req *http.Request) *response {
	c.t.Helper()
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		app.CollectHTML(c.t.Name()+": "+req.Method+" "+req.URL.RequestURI(), req.URL.RequestURI(), res.StatusCode, string(b))
	}
	return &response{Status: res.StatusCode, Header: res.Header, Body: string(b)}
}

// get requests path.
func (c *client) get(path string) *response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.base+path, nil)
	return c.do(req)
}

// csrfToken returns the CSRF token (the double-submit cookie), fetching a page first if needed.
func (c *client) csrfToken() string {
	c.t.Helper()
	u, _ := url.Parse(c.base)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == "kimibv_csrf" {
			return ck.Value
		}
	}
	c.get("/anmelden")
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == "kimibv_csrf" {
			return ck.Value
		}
	}
	c.t.Fatal("no CSRF cookie")
	return ""
}

// post submits a form with the CSRF token added.
func (c *client) post(path string, form url.Values) *response {
	c.t.Helper()
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	f.Set("_csrf", c.csrfToken())
	return c.postRaw(path, f)
}

// postRaw submits a form exactly as given (no CSRF token added).
func (c *client) postRaw(path string, form url.Values) *response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// login signs in and fails the test unless the login redirects. When the account's
// roles need the second factor (the login leads to the code page or the enrolment), the
// session is marked as confirmed with it, so the client acts with all its roles; tests
// of the second factor itself use loginPasswordOnly.
func (c *client) login(email, password string) {
	c.t.Helper()
	if c.loginPasswordOnly(email, password) {
		dbtest.ConfirmSecondFactor(c.t, c.db, c.sessionCookie())
	}
}

// loginPasswordOnly signs in with the password alone and reports whether the login asks
// for the second factor (code page or enrolment).
func (c *client) loginPasswordOnly(email, password string) bool {
	c.t.Helper()
	res := c.post("/anmelden", url.Values{"email": {email}, "password": {password}})
	if res.Status != http.StatusSeeOther {
		c.t.Fatalf("login %s: status %d\n%s", email, res.Status, res.Body)
	}
	loc := res.Header.Get("Location")
	return strings.HasPrefix(loc, "/anmelden/zweiter-faktor") || strings.HasPrefix(loc, "/konto/zweiter-faktor")
}

// wantStatus fails the test unless res has status.
func (r *response) wantStatus(t *testing.T, status int) *response {
	t.Helper()
	if r.Status != status {
		body := r.Body
		if len(body) > 3000 {
			body = body[:3000]
		}
		t.Fatalf("status %d, want %d\n%s", r.Status, status, body)
	}
	return r
}

// wantContains fails the test unless the body contains every s.
func (r *response) wantContains(t *testing.T, ss ...string) *response {
	t.Helper()
	for _, s := range ss {
		if !strings.Contains(r.Body, s) {
			t.Fatalf("body lacks %q", s)
		}
	}
	return r
}

// count returns the number of rows of a SQL count query.
func (ta *testApp) count(query string, args ...any) int64 {
	ta.t.Helper()
	return dbtest.Count(ta.t, ta.store.DB, query, args...)
}
