package app

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/alexedwards/scs/v2"
	"github.com/hashicorp/golang-lru/v2/expirable"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"kimibv/app/pdfdoc"
	"kimibv/models/decision"
	"kimibv/models/sso"
	"kimibv/models/store"
	"kimibv/models/vault"
	"kimibv/templates"
)

// Config is the part of the configuration the HTTP layer needs.
type Config struct {
	BaseURL         string        // public address, e.g. https://kimibv.kreis.de
	Env             string        // "development" or "production"
	MaxBodyBytes    int64         // upper bound for a request body
	SessionLifetime time.Duration // absolute session lifetime
	SessionIdle     time.Duration // idle timeout
	ContactEmail    string        // feedback address of the accessibility statement and Impressum
	Operator        string        // name of the operating organisation (Impressum)
	Vault           *vault.Vault  // master key for encryption at rest; without it file routes answer 503
	MaxFileBytes    int64         // largest uploaded file (0: vault.DefaultMaxFileBytes)
	MaxBidBytes     int64         // largest total of one bid's files (0: vault.DefaultMaxBidBytes)
	OCIDPrefix      string        // OCDS ocid prefix ("": opendata.DefaultOCIDPrefix)
	Bench           bool          // KIMIBV_BENCH=1: /bench/floor and the query-count header (app/bench.go)
	ValidatorMaxAge time.Duration // longest a public page's validator is kept without a notification (0: DefaultValidatorMaxAge)
	TrustedProxies  []*net.IPNet  // reverse proxies whose X-Forwarded-For names the client (login throttle, logs)
	// SSOSecret returns a Kreis's OpenID client secret (nil: from the file named by
	// KIMIBV_OIDC_<KREIS>_CLIENT_SECRET_FILE, sso.SecretFromFiles).
	SSOSecret sso.SecretLookup
}

// Secure reports whether the application is served over TLS (cookies Secure, HSTS).
func (c Config) Secure() bool { return strings.HasPrefix(c.BaseURL, "https://") }

// Dev reports whether the application runs in development mode.
func (c Config) Dev() bool { return c.Env == "development" }

// App holds the dependencies of the handlers; there are no package globals.
type App struct {
	cfg          Config
	store        *store.Store
	db           *gorm.DB
	sessions     *scs.SessionManager
	views        *templates.Renderer
	docs         *pdfdoc.Renderer // renders the PDFs the use cases issue (decision.ProcedureDocuments, forwarding.Documents)
	log          *slog.Logger
	now          func() time.Time
	pages        *expirable.LRU[string, []byte] // rendered public pages for anonymous visitors (revalidate)
	validators   *validators                    // the public pages' validators, kept while ListenForChanges runs
	checks       *decision.ChainChecks          // verified procedure chains by head (award record)
	streamed     map[string]bool                // "POST /path" of the routes whose multipart body readUpload streams
	receipts     *receiptIssuer                 // Eingangsbestätigungen issued after the submission (receipts.go)
	metrics      *metrics                       // the Prometheus registry served on KIMIBV_METRICS_LISTEN (metrics.go)
	ssoProviders *sso.Providers                 // the Kreise's discovered OpenID providers (sso.go)
}

// Option adjusts an App at construction (tests inject a clock).
type Option func(*App)

// WithClock replaces the wall clock used by handlers and jobs.
func WithClock(now func() time.Time) Option { return func(a *App) { a.now = now } }

// WithRenderer uses views instead of parsing the templates for this App: html/template
// executes concurrently, so the tests' many Apps share one parsed set.
func WithRenderer(views *templates.Renderer) Option { return func(a *App) { a.views = views } }

// New builds the App and its Echo router with every route registered.
func New(cfg Config, store *store.Store, log *slog.Logger, opts ...Option) (*App, *echo.Echo, error) {
	sm := scs.New()
	sm.Store = pgxstore.NewWithCleanupInterval(store.Pool, 30*time.Minute)
	sm.Lifetime = cfg.SessionLifetime
	sm.IdleTimeout = cfg.SessionIdle
	sm.Cookie.Name = "kimibv_session"
	if cfg.Secure() {
		// ASVS V3.4.4: the __Host- prefix makes browsers insist on Secure, Path=/ and no
		// Domain, so no sibling host can set or overwrite the session cookie.
		sm.Cookie.Name = "__Host-kimibv_session"
	}
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = cfg.Secure()
	if cfg.MaxFileBytes <= 0 {
		cfg.MaxFileBytes = vault.DefaultMaxFileBytes
	}
	if cfg.MaxBidBytes <= 0 {
		cfg.MaxBidBytes = vault.DefaultMaxBidBytes
	}
	if cfg.SSOSecret == nil {
		cfg.SSOSecret = sso.SecretFromFiles(os.Getenv)
	}
	if cfg.Vault != nil {
		// The use cases seal the outbox, the Postfach and documents to organisations
		// with the vault bound to the database handle.
		if err := vault.BindVault(store.DB, cfg.Vault); err != nil {
			return nil, nil, err
		}
	}
	a := &App{cfg: cfg, store: store, db: store.DB, sessions: sm, log: log, now: time.Now, pages: newPageCache(),
		validators: newValidators(cfg.ValidatorMaxAge), checks: decision.NewChainChecks(chainCheckMaxAge), receipts: newReceiptIssuer(),
		docs:         pdfdoc.New(strings.TrimRight(cfg.BaseURL, "/") + "/dokumentenpruefung"),
		ssoProviders: sso.NewProviders(&http.Client{Timeout: ssoProviderTimeout})}
	for _, o := range opts {
		o(a)
	}
	if a.views == nil {
		views, err := templates.NewRenderer()
		if err != nil {
			return nil, nil, fmt.Errorf("templates: %w", err)
		}
		a.views = views
	}
	a.metrics = newMetrics(a)
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = a.handleError
	e.IPExtractor = ipExtractor(cfg.TrustedProxies)
	a.routes(e)
	a.metrics.learnRoutes(e)
	return a, e, nil
}

// Now returns the application clock's current time.
func (a *App) Now() time.Time { return a.now() }

// Ready reports whether the database answers and the schema is current (/readyz).
func (a *App) Ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := a.store.Ping(ctx); err != nil {
		return err
	}
	return store.CheckSchema(ctx, a.store.SQL)
}
