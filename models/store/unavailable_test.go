package store_test

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net/url"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"kimibv/models/core"
	"kimibv/models/dbtest"
	"kimibv/models/store"
)

func TestIsUnavailableClassifiesConnectionTroubleOnly(t *testing.T) {
	t.Parallel()
	pg := func(code string) error { return fmt.Errorf("append audit entry: %w", &pgconn.PgError{Code: code}) }
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"connection closed by a stopped server", fmt.Errorf("lock audit chain bids:1: %w", io.ErrUnexpectedEOF), true},
		{"connection closed by the driver", fmt.Errorf("read: %w", pgconn.ErrConnClosed), true},
		{"database/sql bad connection", fmt.Errorf("begin: %w", driver.ErrBadConn), true},
		{"standby or former primary", store.ErrReadOnly, true},
		{"write in a read-only transaction", pg("25006"), true},
		{"admin shutdown", pg("57P01"), true},
		{"cannot connect now (starting, promoting)", pg("57P03"), true},
		{"connection failure", pg("08006"), true},
		{"too many connections", pg("53300"), true},
		{"deadline", fmt.Errorf("ping: %w", context.DeadlineExceeded), true},
		{"unique violation", pg("23505"), false},
		{"serialization failure", pg("40001"), false},
		{"not found", fmt.Errorf("bid: %w", core.ErrNotFound), false},
		{"client went away", context.Canceled, false},
		{"plain", errors.New("boom"), false},
		{"nil", nil, false},
	} {
		if got := store.IsUnavailable(tc.err); got != tc.want {
			t.Errorf("%s: IsUnavailable(%v) = %v, want %v", tc.name, tc.err, got, tc.want)
		}
	}
}

// admin runs statements on the test cluster as superuser, outside the database under test.
func admin(t *testing.T, stmts ...string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbtest.AdminURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, s := range stmts {
		if _, err := conn.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// openFresh opens a Store on a fresh database of its own, closed when the test ends.
func openFresh(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), dbtest.NewURL(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	return st
}

// TestReadOnlyServerIsRefusedAndLeftBehind: a database whose sessions are read-only (as a
// standby's, or a former primary fenced with default_transaction_read_only) gives
// ErrReadOnly instead of a failing write; once it accepts writes again the same Store
// works without being reopened.
func TestReadOnlyServerIsRefusedAndLeftBehind(t *testing.T) {
	t.Parallel()
	ctx, st := context.Background(), openFresh(t)
	var name string
	if err := st.Pool.QueryRow(ctx, `SELECT current_database()`).Scan(&name); err != nil {
		t.Fatal(err)
	}
	admin(t, `ALTER DATABASE "`+name+`" SET default_transaction_read_only = on`,
		`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '`+name+`'`)
	// The first use of the terminated idle connection fails (unavailable too); from then on
	// every new connection is refused as read-only.
	if err := st.Ping(ctx); !store.IsUnavailable(err) {
		t.Fatalf("Ping on a terminated connection: %v, want an unavailable error", err)
	}
	err := st.Ping(ctx)
	if !errors.Is(err, store.ErrReadOnly) || !store.IsUnavailable(err) {
		t.Fatalf("Ping on a read-only database: %v, want ErrReadOnly", err)
	}
	err = store.InTx(ctx, st.DB, func(tx *gorm.DB) error { return tx.Exec(`CREATE TABLE t (i int)`).Error })
	if !store.IsUnavailable(err) {
		t.Fatalf("write on a read-only database: %v, want an unavailable error", err)
	}
	admin(t, `ALTER DATABASE "`+name+`" RESET default_transaction_read_only`)
	if err := st.Ping(ctx); err != nil {
		t.Fatalf("Ping after the database accepts writes again: %v", err)
	}
	if err := store.InTx(ctx, st.DB, func(tx *gorm.DB) error { return tx.Exec(`CREATE TABLE t (i int)`).Error }); err != nil {
		t.Fatalf("write after the database accepts writes again: %v", err)
	}
}

// TestConnectionLostInTransactionIsUnavailable: the server ends the connection in the
// middle of a transaction (as a stopped primary does); the use case gets an unavailable
// error (503, not 500) and the next transaction runs on a fresh connection.
func TestConnectionLostInTransactionIsUnavailable(t *testing.T) {
	t.Parallel()
	ctx, st := context.Background(), openFresh(t)
	err := store.InTx(ctx, st.DB, func(tx *gorm.DB) error {
		var pid int
		if err := tx.Raw(`SELECT pg_backend_pid()`).Scan(&pid).Error; err != nil {
			return err
		}
		admin(t, fmt.Sprintf(`SELECT pg_terminate_backend(%d, 5000)`, pid))
		return tx.Exec(`CREATE TABLE t (i int)`).Error
	})
	if err == nil || !store.IsUnavailable(err) {
		t.Fatalf("transaction on a terminated connection: %v, want an unavailable error", err)
	}
	if err := store.InTx(ctx, st.DB, func(tx *gorm.DB) error { return tx.Exec(`CREATE TABLE t (i int)`).Error }); err != nil {
		t.Fatalf("next transaction: %v", err)
	}
}

// TestWriteInReadOnlyTransactionIsUnavailable: PostgreSQL's own refusal of a write on a
// read-only session (SQLSTATE 25006) counts as unavailable.
func TestWriteInReadOnlyTransactionIsUnavailable(t *testing.T) {
	t.Parallel()
	st := dbtest.New(t)
	err := store.InTx(context.Background(), st.DB, func(tx *gorm.DB) error {
		if err := tx.Exec(`SET TRANSACTION READ ONLY`).Error; err != nil {
			return err
		}
		return tx.Exec(`CREATE TABLE t (i int)`).Error
	})
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "25006" || !store.IsUnavailable(err) {
		t.Fatalf("write in a read-only transaction: %v, want SQLSTATE 25006 classified as unavailable", err)
	}
}

// TestMultiHostURLFindsTheWritableHost: DATABASE_URL names two hosts, as after a failover
// where the first (the former primary) is gone; pgx goes on to the second, and a URL whose
// hosts all refuse gives an unavailable error. Go's own URL parser keeps such a URL intact.
func TestMultiHostURLFindsTheWritableHost(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	u, err := url.Parse(dbtest.NewURL(t))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("target_session_attrs", "read-write")
	u.RawQuery = q.Encode()
	live := u.Host
	u.Host = "127.0.0.1:1," + live // nothing listens on port 1
	if back, err := url.Parse(u.String()); err != nil || back.Host != u.Host {
		t.Fatalf("net/url does not keep the multi-host URL: %v, %v", back, err)
	}
	st, err := store.Open(ctx, u.String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Ping(ctx); err != nil {
		t.Fatalf("Ping with the first host gone: %v", err)
	}
	u.Host = "127.0.0.1:1,127.0.0.1:2"
	dead, err := store.Open(ctx, u.String(), nil) // GORM pings once when it opens
	if err == nil {
		defer dead.Close()
		err = dead.Ping(ctx)
	}
	if !store.IsUnavailable(err) {
		t.Fatalf("no host answers: %v, want an unavailable error", err)
	}
}
