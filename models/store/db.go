package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"kimibv/models/core"
)

// Store bundles the connection pool and the GORM handle opened on it.
type Store struct {
	Pool *pgxpool.Pool
	SQL  *sql.DB
	DB   *gorm.DB
}

// defaultMaxConns is the connection pool size unless DATABASE_URL sets pool_max_conns;
// two instances stay well below PostgreSQL's default max_connections of 100.
const defaultMaxConns = 24

// Open connects to PostgreSQL at url and returns a Store whose GORM handle counts
// queries for contexts made by WithQueryCounter.
func Open(ctx context.Context, url string, log *slog.Logger) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	cfg.MaxConnLifetime = time.Hour
	// After a failover the pool must forget connections to a server that is no longer
	// the primary; with a multi-host URL and target_session_attrs=read-write new ones go
	// to the new primary (pgx tries the hosts in order). Dead connections are discarded
	// on their first error and idle ones pinged after a second (pgxpool's defaults).
	cfg.PrepareConn = refuseReadOnly
	if !strings.Contains(url, "pool_max_conns") {
		// pgxpool's default is max(4, NumCPU): on a two-core server four connections are
		// shared by every request, and a deadline rush queues for them while submissions
		// wait on their call's audit chain lock and receipts render inside their
		// transaction (measured: 35 instead of 97 of 150 timely submissions accepted).
		cfg.MaxConns = defaultMaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open pool: %w", err)
	}
	sqlDB := stdlib.OpenDBFromPool(pool)
	db, err := OpenGorm(sqlDB, log)
	if err != nil {
		pool.Close()
		return nil, err
	}
	return &Store{Pool: pool, SQL: sqlDB, DB: db}, nil
}

// OpenGorm wraps an existing *sql.DB in GORM with kimibv's settings.
func OpenGorm(sqlDB *sql.DB, log *slog.Logger) (*gorm.DB, error) {
	gl := logger.Discard
	if log != nil {
		gl = logger.NewSlogLogger(log, logger.Config{SlowThreshold: 500 * time.Millisecond, IgnoreRecordNotFoundError: true, LogLevel: logger.Warn})
	}
	db, err := gorm.Open(postgres.New(postgres.Config{Conn: sqlDB}), &gorm.Config{
		Logger:                 gl,
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return time.Now().UTC() },
	})
	if err != nil {
		return nil, fmt.Errorf("open gorm: %w", err)
	}
	if err := registerQueryCounter(db); err != nil {
		return nil, err
	}
	return db, nil
}

// Close releases the pool.
func (s *Store) Close() {
	_ = s.SQL.Close()
	s.Pool.Close()
}

// Ping checks that the database answers within the context's deadline.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.Pool.Ping(ctx); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}

type queryCounterKey struct{}

// WithQueryCounter returns a context whose GORM statements are counted into n.
func WithQueryCounter(ctx context.Context, n *atomic.Int64) context.Context {
	return context.WithValue(ctx, queryCounterKey{}, n)
}

func registerQueryCounter(db *gorm.DB) error {
	count := func(tx *gorm.DB) {
		if n, ok := tx.Statement.Context.Value(queryCounterKey{}).(*atomic.Int64); ok {
			n.Add(1)
		}
	}
	cb := db.Callback()
	for name, err := range map[string]error{
		"create": cb.Create().After("gorm:create").Register("kimibv:count_create", count),
		"query":  cb.Query().After("gorm:query").Register("kimibv:count_query", count),
		"update": cb.Update().After("gorm:update").Register("kimibv:count_update", count),
		"delete": cb.Delete().After("gorm:delete").Register("kimibv:count_delete", count),
		"row":    cb.Row().After("gorm:row").Register("kimibv:count_row", count),
		"raw":    cb.Raw().After("gorm:raw").Register("kimibv:count_raw", count),
	} {
		if err != nil {
			return fmt.Errorf("register query counter %s: %w", name, err)
		}
	}
	return nil
}

// InTx runs fn in one transaction on db; the transaction commits when fn returns nil.
func InTx(ctx context.Context, db *gorm.DB, fn func(tx *gorm.DB) error) error {
	return db.WithContext(ctx).Transaction(fn)
}

// NotFound converts GORM's not-found error into ErrNotFound and wraps others with what.
func NotFound(err error, what string) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return fmt.Errorf("%s: %w", what, core.ErrNotFound)
	}
	return fmt.Errorf("%s: %w", what, err)
}
