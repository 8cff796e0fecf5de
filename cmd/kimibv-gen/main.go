// Command kimibv-gen creates large data sets for benchmarks and fault tests, fast:
// rows go in with COPY, but everything that must verify is computed like the real use
// cases do it — bid content is the canonical encoding sealed with the vault (the call's
// data key), its SHA-256 is the content hash, receipt times are set by the COMMIT-time
// deadline trigger, and every audit chain is built with audit.EntryHash.
//
// Usage (DATABASE_URL and KIMIBV_MASTER_KEY_FILE as for kimibv; the schema must be migrated):
//
//	kimibv-gen volume [--kreise 50 --calls 20 --bids 30 --evaluators 5 --criteria 8]
//	kimibv-gen rush   --orgs 500 --out rush.json
//	kimibv-gen chain  --entries 1000000 --name bench:1m --export chain.bin
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"kimibv/models/store"
	"kimibv/models/vault"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "kimibv-gen:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return errors.New("usage: kimibv-gen volume|rush|chain [flags]")
	}
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		return errors.New("DATABASE_URL is not set")
	}
	st, err := store.Open(ctx, url, nil)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := store.CheckSchema(ctx, st.SQL); err != nil {
		return fmt.Errorf("schema (run kimibv migrate first): %w", err)
	}
	switch args[0] {
	case "volume":
		v, err := loadVault(st)
		if err != nil {
			return err
		}
		return volume(ctx, st, v, args[1:])
	case "rush":
		v, err := loadVault(st)
		if err != nil {
			return err
		}
		return rushSetup(ctx, st, v, args[1:])
	case "chain":
		return chain(ctx, st, args[1:])
	}
	return fmt.Errorf("unknown command %q", args[0])
}

// loadVault opens the master key file named by KIMIBV_MASTER_KEY_FILE (created if
// missing) and binds it to the store, as the server does (vault.BindVault).
func loadVault(st *store.Store) (*vault.Vault, error) {
	path := os.Getenv("KIMIBV_MASTER_KEY_FILE")
	if path == "" {
		return nil, errors.New("KIMIBV_MASTER_KEY_FILE is not set")
	}
	if _, err := vault.EnsureMasterKeyFile(path); err != nil {
		return nil, err
	}
	v, err := vault.LoadVault(path)
	if err != nil {
		return nil, err
	}
	return v, vault.BindVault(st.DB, v)
}
