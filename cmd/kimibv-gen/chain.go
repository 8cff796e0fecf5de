package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"kimibv/models/audit"
	"kimibv/models/store"
)

// chain appends entries to one audit chain in batches of 50 000 (one transaction each)
// and, with --export, writes every entry's canonical encoding (the bytes that
// kimibv audit verify hashes) to a file, one per line, for the sha256sum baseline.
func chain(ctx context.Context, st *store.Store, args []string) error {
	fs := flag.NewFlagSet("chain", flag.ContinueOnError)
	n := fs.Int("entries", 1_000_000, "entries to append")
	name := fs.String("name", "bench:1m", "chain key")
	export := fs.String("export", "", "file for the canonical encodings")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var out io.Writer
	if *export != "" {
		f, err := os.Create(*export)
		if err != nil {
			return err
		}
		defer f.Close()
		bw := bufio.NewWriterSize(f, 1<<20)
		defer bw.Flush()
		out = bw
	}
	start := time.Now()
	const batch = 50_000
	for done := 0; done < *n; {
		size := min(batch, *n-done)
		if err := chainBatch(ctx, st, *name, done, size, out); err != nil {
			return err
		}
		done += size
	}
	fmt.Printf("appended %d entries to chain %s in %s\n", *n, *name, time.Since(start).Round(time.Millisecond))
	return nil
}

func chainBatch(ctx context.Context, st *store.Store, name string, offset, size int, out io.Writer) error {
	tx, err := st.Pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	a, err := openChain(ctx, tx, name)
	if err != nil {
		return err
	}
	a.out = out
	i := 0
	src := pgx.CopyFromFunc(func() ([]any, error) {
		if i == size {
			return nil, nil
		}
		i++
		n := offset + i
		e, err := a.next(audit.Event{Chain: name, ActorID: int64(n%997 + 1), TenantID: int64(n%50 + 1), Action: "bench.entry",
			ObjectType: "bid", ObjectID: strconv.Itoa(n), Details: map[string]any{"n": n, "version": n % 3}})
		if err != nil {
			return nil, err
		}
		return entryRow(e), nil
	})
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"audit_log"}, auditCols, src); err != nil {
		return fmt.Errorf("copy audit_log: %w", err)
	}
	if err := a.writeHead(ctx, tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}
