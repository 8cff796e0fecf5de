package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// ErrReadOnly reports a connection to a server that accepts no writes: a standby in
// recovery (in_hot_standby) or a server fenced with default_transaction_read_only, e.g. a
// former primary after a failover. kimibv writes on almost every request (sessions, audit
// entries), so such a server is of no use until it is promoted or another host is primary.
var ErrReadOnly = errors.New("database server accepts no writes (standby or read-only)")

// refuseReadOnly is the pool's PrepareConn hook: it discards a connection whose server
// reports itself as a standby or read-only, so a pool never keeps a stale connection to a
// demoted primary and a single-host URL that points at a standby gives ErrReadOnly (503)
// instead of a failing write. It costs no round trip: PostgreSQL 14 and later report both
// settings to the client at connect time and whenever they change.
func refuseReadOnly(_ context.Context, conn *pgx.Conn) (bool, error) {
	if readOnlyServer(conn.PgConn()) {
		return false, ErrReadOnly
	}
	return true, nil
}

// readOnlyServer reports whether the server of c says it is a standby or read-only.
func readOnlyServer(c *pgconn.PgConn) bool {
	return c.ParameterStatus("in_hot_standby") == "on" || c.ParameterStatus("default_transaction_read_only") == "on"
}

// IsUnavailable reports whether err means that the database cannot serve the request right
// now and a later attempt may succeed: no server reachable, the connection lost (a server
// stopped, a failover), a server shutting down or starting, no read-write server, too many
// connections, a deadline exceeded. The application answers these with 503 and a German
// page, never with 500; whether a write whose connection broke during COMMIT was stored is
// unknown to the caller, so nothing here retries a write.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var ne net.Error
	var pe *pgconn.PgError
	var ce *pgconn.ConnectError
	switch {
	case errors.As(err, &ce), errors.As(err, &ne):
		return true
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, ErrReadOnly):
		return true
	// A connection the server closed (pgx reads EOF in the middle of a message), one the
	// driver already closed, and database/sql's names for both.
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, pgconn.ErrConnClosed),
		errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone):
		return true
	case errors.As(err, &pe):
		return unavailableCode(pe.Code)
	}
	return false
}

// unavailableCode reports whether a SQLSTATE means "not now" rather than a failed statement.
func unavailableCode(code string) bool {
	switch code {
	case "57P01", "57P02", "57P03": // admin shutdown, crash shutdown, cannot connect now
		return true
	case "25006": // read_only_sql_transaction: a standby or a fenced former primary
		return true
	case "53300": // too_many_connections, e.g. while every instance reconnects at once
		return true
	}
	return len(code) == 5 && code[:2] == "08" // connection exceptions
}
