package app_test

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"kimibv/models/dbtest"
)

func TestSecurityHeadersAndGermanErrorPages(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, false)
	c := ta.client()
	res := c.get("/").wantStatus(t, http.StatusOK)
	csp := res.Header.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP lacks %q: %s", want, csp)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Error("CSP allows inline code")
	}
	for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin", "X-Frame-Options": "DENY"} {
		if got := res.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if res.Header.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS sent without TLS")
	}
	if res.Header.Get("X-Request-Id") == "" {
		t.Error("no request id")
	}
	if strings.Contains(res.Body, "<script>") || strings.Contains(res.Body, " style=") {
		t.Error("inline script or style in the page")
	}

	nf := c.get("/gibt-es-nicht").wantStatus(t, http.StatusNotFound)
	nf.wantContains(t, `lang="de"`, "Seite nicht gefunden", "Vorgangsnummer")
}

func TestHealthAndReadiness(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, false)
	c := ta.client()
	c.get("/healthz").wantStatus(t, http.StatusOK)
	c.get("/readyz").wantStatus(t, http.StatusOK).wantContains(t, "bereit")
	// A schema from a newer version makes the instance unready.
	ta.store.DB.Exec(`INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999999, true)`)
	c.get("/readyz").wantStatus(t, http.StatusServiceUnavailable)
}

// databaseOutage logs the lead in, applies the SQL statements breaking to the test's
// database (%[1]s is its name) as superuser, checks that pages answer the German 503 without
// internals and that /readyz is not ready, applies mending and checks that the same instance
// serves the still logged-in user again.
func databaseOutage(t *testing.T, breaking []string, mending string) {
	t.Helper()
	ta := newTestApp(t, true)
	c := ta.client()
	c.login("leitung@musterland.example", "Demo-Passwort-2026")
	var name string
	ta.store.DB.Raw(`SELECT current_database()`).Scan(&name)
	admin, err := pgx.Connect(context.Background(), dbtest.AdminURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(context.Background())
	for _, q := range breaking {
		if _, err := admin.Exec(context.Background(), fmt.Sprintf(q, name)); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 { // the first request may meet a terminated connection, the second the broken database
		res := c.get("/")
		res.wantStatus(t, http.StatusServiceUnavailable).wantContains(t, "Vorübergehend nicht erreichbar")
		for _, leak := range []string{"goroutine", "SQLSTATE", "read-only"} {
			if strings.Contains(res.Body, leak) {
				t.Fatalf("internal details (%s) leaked to the browser", leak)
			}
		}
		if res.Header.Get("Retry-After") == "" {
			t.Error("503 without Retry-After")
		}
	}
	c.get("/readyz").wantStatus(t, http.StatusServiceUnavailable)
	if _, err := admin.Exec(context.Background(), fmt.Sprintf(mending, name)); err != nil {
		t.Fatal(err)
	}
	c.get("/readyz").wantStatus(t, http.StatusOK)
	c.get("/").wantStatus(t, http.StatusOK).wantContains(t, "Abmelden")
}

// terminateSQL ends every connection to the test's database.
const terminateSQL = `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '%[1]s'`

// TestDatabaseOutageGivesGerman503AndRecovers: the database goes away (existing connections
// are killed, new ones refused); the same instance recovers by itself, the session survives.
func TestDatabaseOutageGivesGerman503AndRecovers(t *testing.T) {
	t.Parallel()
	databaseOutage(t, []string{`ALTER DATABASE "%[1]s" ALLOW_CONNECTIONS false`, terminateSQL}, `ALTER DATABASE "%[1]s" ALLOW_CONNECTIONS true`)
}

// TestReadOnlyDatabaseGivesGerman503AndRecovers: the database accepts no writes, as a
// standby does before its promotion or a former primary after a failover. Pages answer the
// German 503 (no 500), /readyz says not ready, and once the database accepts writes again
// the same instance serves the logged-in user without a restart.
func TestReadOnlyDatabaseGivesGerman503AndRecovers(t *testing.T) {
	t.Parallel()
	databaseOutage(t, []string{`ALTER DATABASE "%[1]s" SET default_transaction_read_only = on`, terminateSQL},
		`ALTER DATABASE "%[1]s" RESET default_transaction_read_only`)
}

func TestGzipForTextAndCachingForStatic(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, false)
	req, _ := http.NewRequest(http.MethodGet, ta.server.URL+"/static/kern/kern.min.css", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("CSS not gzipped: %v", res.Header)
	}
	zr, err := gzip.NewReader(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(zr)
	if !strings.Contains(string(b), ".kern-btn") {
		t.Fatal("gzipped CSS is not the KERN stylesheet")
	}
	if !strings.Contains(res.Header.Get("Cache-Control"), "max-age=") {
		t.Fatalf("static file without cache lifetime: %q", res.Header.Get("Cache-Control"))
	}
}

func TestOversizedBodyIsRefusedInGerman(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, false)
	c := ta.client()
	c.get("/anmelden")
	big := strings.Repeat("a", 111<<20)
	req, _ := http.NewRequest(http.MethodPost, c.base+"/anmelden", strings.NewReader("email="+big))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res := c.do(req)
	res.wantStatus(t, http.StatusRequestEntityTooLarge).wantContains(t, "zu groß")
}
