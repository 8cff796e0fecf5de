package dbtest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	"gorm.io/gorm"

	"kimibv/app/pdfdoc"
	"kimibv/models/demo"
	"kimibv/models/store"
	"kimibv/models/vault"
)

// templateState guards the per-process template setup; tests in one package share it.
type templateState struct {
	once sync.Once
	name string
	err  error
}

// Test-only process caches: the migrated template, the demo template and a counter for names.
var (
	state     templateState
	demoState templateState
	counter   atomic.Int64
)

// AdminURL returns the superuser URL of the test cluster or skips (fails under CI=true).
func AdminURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("KIMIBV_TEST_DATABASE_URL")
	if u == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("KIMIBV_TEST_DATABASE_URL is not set; run the tests with scripts/test")
		}
		t.Skip("KIMIBV_TEST_DATABASE_URL is not set: database tests skipped (scripts/test starts a throw-away PostgreSQL)")
	}
	return u
}

// WithDatabase returns url with the database name replaced.
func WithDatabase(raw, name string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.Path = "/" + name
	return u.String()
}

func templateName() string {
	h := sha256.New()
	entries, _ := store.MigrationFiles()
	for _, e := range entries {
		h.Write([]byte(e))
	}
	return "kimibv_tmpl_" + hex.EncodeToString(h.Sum(nil))[:12]
}

func ensureTemplate(ctx context.Context, admin string) (string, error) {
	name := templateName()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", fmt.Errorf("connect test cluster: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(424242)`); err != nil {
		return "", fmt.Errorf("template lock: %w", err)
	}
	defer conn.Exec(ctx, `SELECT pg_advisory_unlock(424242)`) //nolint:errcheck
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return "", fmt.Errorf("look up template: %w", err)
	}
	if exists {
		return name, nil
	}
	building := name + "_building"
	if _, err := conn.Exec(ctx, `DROP DATABASE IF EXISTS `+building); err != nil {
		return "", fmt.Errorf("drop stale template: %w", err)
	}
	if _, err := conn.Exec(ctx, `CREATE DATABASE `+building); err != nil {
		return "", fmt.Errorf("create template: %w", err)
	}
	db, err := sql.Open("pgx", WithDatabase(admin, building))
	if err != nil {
		return "", fmt.Errorf("open template: %w", err)
	}
	err = store.Migrate(ctx, db, nil)
	db.Close()
	if err != nil {
		return "", fmt.Errorf("migrate template: %w", err)
	}
	if _, err := conn.Exec(ctx, `ALTER DATABASE `+building+` RENAME TO `+name); err != nil {
		return "", fmt.Errorf("rename template: %w", err)
	}
	return name, nil
}

// NewURL creates a fresh migrated database for the test, drops it at cleanup, and
// returns its URL.
func NewURL(t testing.TB) string {
	t.Helper()
	admin := AdminURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	state.once.Do(func() { state.name, state.err = ensureTemplate(ctx, admin) })
	if state.err != nil {
		t.Fatalf("test database template: %v", state.err)
	}
	return cloneDatabase(t, ctx, admin, state.name)
}

// NewDemoURL is NewURL with the demonstration data loaded (from a per-schema template, so
// the slow password hashing of the demo accounts happens once per test run).
func NewDemoURL(t testing.TB) string {
	t.Helper()
	admin := AdminURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	state.once.Do(func() { state.name, state.err = ensureTemplate(ctx, admin) })
	if state.err != nil {
		t.Fatalf("test database template: %v", state.err)
	}
	demoState.once.Do(func() { demoState.name, demoState.err = ensureDemoTemplate(ctx, admin, state.name) })
	if demoState.err != nil {
		t.Fatalf("demo database template: %v", demoState.err)
	}
	return cloneDatabase(t, ctx, admin, demoState.name)
}

// NewDemo returns a Store on a fresh database holding the demonstration.
func NewDemo(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), NewDemoURL(t), nil)
	if err != nil {
		t.Fatalf("open demo database: %v", err)
	}
	t.Cleanup(st.Close)
	bindVault(t, st)
	return st
}

func ensureDemoTemplate(ctx context.Context, admin, base string) (string, error) {
	name := strings.Replace(base, "kimibv_tmpl_", "kimibv_demo_", 1)
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", fmt.Errorf("connect test cluster: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(424243)`); err != nil {
		return "", fmt.Errorf("demo template lock: %w", err)
	}
	defer conn.Exec(ctx, `SELECT pg_advisory_unlock(424243)`) //nolint:errcheck
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return "", fmt.Errorf("look up demo template: %w", err)
	}
	if exists {
		return name, nil
	}
	building := name + "_building"
	if _, err := conn.Exec(ctx, `DROP DATABASE IF EXISTS `+building); err != nil {
		return "", fmt.Errorf("drop stale demo template: %w", err)
	}
	if err := createFromTemplate(ctx, conn, building, base); err != nil {
		return "", err
	}
	st, err := store.Open(ctx, WithDatabase(admin, building), nil)
	if err != nil {
		return "", fmt.Errorf("open demo template: %w", err)
	}
	v, err := testVault()
	if err == nil {
		err = vault.BindVault(st.DB, v)
	}
	if err == nil {
		_, err = demo.Load(ctx, st.DB, false, demo.WithVault(v),
			demo.WithDocuments(pdfdoc.New("http://localhost:8080/dokumentenpruefung")))
	}
	if err == nil {
		err = cheapenDemoLogins(st.DB)
	}
	st.Close()
	if err != nil {
		return "", fmt.Errorf("load demo: %w", err)
	}
	if _, err := conn.Exec(ctx, `ALTER DATABASE `+building+` RENAME TO `+name); err != nil {
		return "", fmt.Errorf("rename demo template: %w", err)
	}
	return name, nil
}

// createFromTemplate clones template into name, retrying while another process clones it too.
func createFromTemplate(ctx context.Context, conn *pgx.Conn, name, template string) error {
	var err error
	for attempt := 0; ; attempt++ {
		_, err = conn.Exec(ctx, `CREATE DATABASE "`+name+`" TEMPLATE `+template)
		if err == nil || attempt > 100 || !strings.Contains(err.Error(), "being accessed by other users") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		return fmt.Errorf("clone %s: %w", template, err)
	}
	return nil
}

func cloneDatabase(t testing.TB, ctx context.Context, admin, template string) string {
	t.Helper()
	name := fmt.Sprintf("t_%d_%d_%s", os.Getpid(), counter.Add(1), strings.ToLower(sanitize(t.Name())))
	if len(name) > 63 {
		name = name[:63]
	}
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("connect test cluster: %v", err)
	}
	defer conn.Close(ctx)
	if err := createFromTemplate(ctx, conn, name, template); err != nil {
		t.Fatalf("test database: %v", err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), admin)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		_, _ = c.Exec(context.Background(), `DROP DATABASE IF EXISTS "`+name+`" WITH (FORCE)`)
	})
	return WithDatabase(admin, name)
}

// New returns a Store on a fresh migrated database that is closed and dropped after the test.
func New(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), NewURL(t), nil)
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(st.Close)
	bindVault(t, st)
	return st
}

// DB is a shortcut for New(t).DB.
func DB(t testing.TB) *gorm.DB { return New(t).DB }

func sanitize(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// NewEmptyURL creates an empty database (no schema), dropped after the test, for
// tests of the migrations themselves.
func NewEmptyURL(t testing.TB) string {
	t.Helper()
	return cloneDatabase(t, context.Background(), AdminURL(t), "template0")
}

// Count runs a query that returns one number (usually a count(*)) and fails the test on an
// error — the row-count helper of every package's tests.
func Count(t testing.TB, db *gorm.DB, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.Raw(query, args...).Scan(&n).Error; err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}
