package store_test

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"kimibv/models/dbtest"
	"kimibv/models/store"
)

func TestMigrationsApplyOnceUnderConcurrentStarts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := dbtest.NewEmptyURL(t)
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := sql.Open("pgx", url)
			if err != nil {
				errs <- err
				return
			}
			defer db.Close()
			errs <- store.Migrate(ctx, db, nil)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent migrate: %v", err)
		}
	}
	db, _ := sql.Open("pgx", url)
	defer db.Close()
	latest, _ := store.LatestMigration(db)
	var applied, distinct int64
	if err := db.QueryRow(`SELECT count(*), count(DISTINCT version_id) FROM goose_db_version WHERE version_id > 0`).Scan(&applied, &distinct); err != nil {
		t.Fatal(err)
	}
	files, _ := store.MigrationFiles()
	if applied != int64(len(files)) || distinct != applied || latest == 0 {
		t.Fatalf("applied %d rows (%d distinct) for %d migrations", applied, distinct, len(files))
	}
	if err := store.CheckSchema(ctx, db); err != nil {
		t.Fatalf("schema not current after migrate: %v", err)
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := dbtest.New(t)
	if err := store.CheckSchema(ctx, st.SQL); err != nil {
		t.Fatalf("fresh database: %v", err)
	}
	if err := st.DB.Exec(`INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999999, true)`).Error; err != nil {
		t.Fatal(err)
	}
	if err := store.CheckSchema(ctx, st.SQL); !errors.Is(err, store.ErrSchemaTooNew) {
		t.Fatalf("CheckSchema: %v", err)
	}
	if err := store.Migrate(ctx, st.SQL, nil); !errors.Is(err, store.ErrSchemaTooNew) {
		t.Fatalf("Migrate against a newer schema: %v", err)
	}
}
