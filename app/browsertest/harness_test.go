package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kimibv/app"
	"kimibv/models/dbtest"
	"kimibv/models/store"
)

// tools are the paths of the browser and of axe-core, read from the environment.
type tools struct {
	chromium string
	axeJS    string // the source of axe.min.js
}

// needTools returns the browser tools, or skips the test (fails it under CI=true)
// when KIMIBV_CHROMIUM or KIMIBV_AXE_JS is unset or points nowhere.
func needTools(t *testing.T) tools {
	t.Helper()
	var missing []string
	chromium := os.Getenv("KIMIBV_CHROMIUM")
	if chromium == "" {
		missing = append(missing, "KIMIBV_CHROMIUM is not set (path of the Chromium binary; Debian: apt-get install chromium)")
	} else if _, err := os.Stat(chromium); err != nil {
		missing = append(missing, fmt.Sprintf("KIMIBV_CHROMIUM=%s: %v", chromium, err))
	}
	var src []byte
	axe := os.Getenv("KIMIBV_AXE_JS")
	if axe == "" {
		missing = append(missing, "KIMIBV_AXE_JS is not set (path of node_modules/axe-core/axe.min.js; run npm ci)")
	} else if b, err := os.ReadFile(axe); err != nil {
		missing = append(missing, fmt.Sprintf("KIMIBV_AXE_JS=%s: %v", axe, err))
	} else {
		src = b
	}
	if len(missing) > 0 {
		msg := "browser test needs Chromium and axe-core (scripts/test sets both):\n  " + strings.Join(missing, "\n  ")
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + "\nCI=true: browser tests must run in CI, not skip")
		}
		t.Skip("SKIPPED: " + msg)
	}
	return tools{chromium: chromium, axeJS: string(src)}
}

// startApp serves the real application with the demonstration data on loopback and returns its URL.
func startApp(t *testing.T) string {
	t.Helper()
	base, _ := startAppOn(t)
	return base
}

// startAppOn is startApp that also returns the application's store (for the mails it queued).
func startAppOn(t *testing.T) (string, *store.Store) {
	t.Helper()
	st := dbtest.NewDemo(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	_, e, err := app.New(app.Config{BaseURL: "http://kimibv.test", Env: "production", MaxBodyBytes: 110 << 20,
		SessionLifetime: 12 * time.Hour, SessionIdle: 2 * time.Hour, ContactEmail: "kontakt@kimibv.test", Operator: "Testbetrieb", Vault: dbtest.Vault(t)},
		st, log)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv.URL, st
}

// chromium is the one headless Chromium of the test process, started on first use and
// stopped by TestMain: a test-only process cache, like the database templates of dbtest.
// Starting a browser costs a second or more of CPU; every test opens its tabs in this one,
// each in a browser context of its own (newTab), so that tests can run in parallel.
var chromium browserProcess

// TestMain runs the tests and then stops the shared Chromium.
func TestMain(m *testing.M) {
	code := m.Run()
	if n := chromium.audits.Load() + chromium.reused.Load(); n > 0 {
		fmt.Printf("axe-core: %d page audits, %d of them answered by an earlier audit of the same page shape\n", n, chromium.reused.Load())
	}
	chromium.stop()
	os.Exit(code)
}

// browserProcess is a lazily started headless Chromium with a fresh profile.
type browserProcess struct {
	once   sync.Once
	ctx    context.Context // the browser's first tab; newTab derives new browser contexts from it
	cancel context.CancelFunc
	dir    string // the profile directory
	err    error

	audited sync.Map     // page shape (sha256 of pageShape) → the axe-core findings on it
	audits  atomic.Int64 // axe-core runs
	reused  atomic.Int64 // audits answered from audited
}

// start starts the browser once and returns its context.
func (b *browserProcess) start(chromiumPath string) (context.Context, error) {
	b.once.Do(func() {
		b.dir, b.err = os.MkdirTemp("", "kimibv-chromium-")
		if b.err != nil {
			return
		}
		opts := []chromedp.ExecAllocatorOption{
			chromedp.ExecPath(chromiumPath),
			chromedp.UserDataDir(b.dir),
			chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-dev-shm-usage", true),
			chromedp.Flag("disable-extensions", true),
			chromedp.Flag("disable-default-apps", true),
			// Tabs of parallel tests run side by side: none may be throttled as a background tab.
			chromedp.Flag("disable-background-timer-throttling", true),
			chromedp.Flag("disable-backgrounding-occluded-windows", true),
			chromedp.Flag("disable-renderer-backgrounding", true),
			chromedp.Flag("lang", "de-DE"),
			chromedp.WindowSize(1280, 900),
		}
		allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancel := chromedp.NewContext(allocCtx)
		b.ctx, b.cancel = ctx, func() { cancel(); cancelAlloc() }
		if err := chromedp.Do(ctx); err != nil { // starts the browser, with no timeout
			b.err = fmt.Errorf("start Chromium %s: %w", chromiumPath, err)
		}
	})
	return b.ctx, b.err
}

// stop ends the browser, if it was started, and removes its profile.
func (b *browserProcess) stop() {
	if b.cancel != nil {
		b.cancel()
	}
	if b.dir != "" {
		_ = os.RemoveAll(b.dir)
	}
}

// startBrowser returns the context of the test process's Chromium (starting it on first
// use); tabs made from it with newTab share the browser process but not their cookies.
func startBrowser(t *testing.T, tl tools) context.Context {
	t.Helper()
	ctx, err := chromium.start(tl.chromium)
	if err != nil {
		t.Fatal(err)
	}
	return ctx
}

// newTab opens a tab in a new browser context (own cookies, like a private window).
func newTab(t *testing.T, browser context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open tab: %v", err)
	}
	return ctx
}

// run runs action in the tab with a timeout, so that a hanging page fails instead of blocking.
func run[T any](tab context.Context, action chromedp.Action[T]) (T, error) {
	ctx, cancel := context.WithTimeout(tab, 30*time.Second)
	defer cancel()
	return chromedp.Run(ctx, action)
}

// eval evaluates a JavaScript expression (awaiting a promise) and decodes its JSON value into T.
func eval[T any](tab context.Context, expr string) (T, error) {
	var zero T
	raw, err := run(tab, chromedp.Evaluate[[]byte](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		return zero, err
	}
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		return zero, fmt.Errorf("decode %s: %w", raw, err)
	}
	return v, nil
}
