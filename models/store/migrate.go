package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// ErrSchemaTooNew means the database was migrated by a newer kimibv than this binary.
var ErrSchemaTooNew = errors.New("das Datenbankschema ist neuer als diese Programmversion")

// ErrSchemaOutdated means migrations are pending.
var ErrSchemaOutdated = errors.New("das Datenbankschema ist nicht aktuell")

func newProvider(db *sql.DB, withLock bool) (*goose.Provider, error) {
	sub, err := fs.Sub(migrationFS, "migrations")
	if err != nil {
		return nil, fmt.Errorf("migrations fs: %w", err)
	}
	var opts []goose.ProviderOption
	if withLock {
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, fmt.Errorf("migration lock: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, sub, opts...)
	if err != nil {
		return nil, fmt.Errorf("goose provider: %w", err)
	}
	return p, nil
}

// Migrate applies all pending migrations under goose's PostgreSQL advisory lock, so
// that several instances starting at once apply each migration exactly once. It
// refuses a database whose schema is newer than the embedded migrations.
func Migrate(ctx context.Context, db *sql.DB, log *slog.Logger) error {
	if err := CheckSchema(ctx, db); err != nil && !errors.Is(err, ErrSchemaOutdated) {
		return err
	}
	p, err := newProvider(db, true)
	if err != nil {
		return err
	}
	results, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("apply migrations: %w", err)
	}
	for _, r := range results {
		if log != nil {
			log.Info("migration applied", "version", r.Source.Version, "file", r.Source.Path, "duration", r.Duration)
		}
	}
	return nil
}

// LatestMigration returns the highest migration version embedded in the binary.
func LatestMigration(db *sql.DB) (int64, error) {
	p, err := newProvider(db, false)
	if err != nil {
		return 0, err
	}
	srcs := p.ListSources()
	if len(srcs) == 0 {
		return 0, nil
	}
	return srcs[len(srcs)-1].Version, nil
}

// CheckSchema compares the database's schema version with the embedded migrations:
// ErrSchemaTooNew when the database is ahead, ErrSchemaOutdated when it is behind.
func CheckSchema(ctx context.Context, db *sql.DB) error {
	latest, err := LatestMigration(db)
	if err != nil {
		return err
	}
	var exists bool
	if err := db.QueryRowContext(ctx, `SELECT to_regclass('goose_db_version') IS NOT NULL`).Scan(&exists); err != nil {
		return fmt.Errorf("check schema: %w", err)
	}
	if !exists {
		return ErrSchemaOutdated
	}
	var current int64
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(max(version_id), 0) FROM goose_db_version WHERE is_applied`).Scan(&current); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	switch {
	case current > latest:
		return fmt.Errorf("%w (Datenbank %d, Programm %d)", ErrSchemaTooNew, current, latest)
	case current < latest:
		return fmt.Errorf("%w (Datenbank %d, Programm %d)", ErrSchemaOutdated, current, latest)
	}
	return nil
}

// MigrationFiles returns the embedded migrations as "name\ncontent" strings in order,
// so that test templates can be keyed by the schema they contain.
func MigrationFiles() ([]string, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	out := make([]string, 0, len(entries))
	for _, e := range entries {
		b, err := fs.ReadFile(migrationFS, "migrations/"+e.Name())
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		out = append(out, e.Name()+"\n"+string(b))
	}
	return out, nil
}
