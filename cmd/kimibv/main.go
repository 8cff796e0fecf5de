// Command kimibv is the single binary of the application: serve, migrate, demo,
// audit verify and user create.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"kimibv/models/accounts"
	"kimibv/models/audit"
	"kimibv/models/store"
	"kimibv/models/vault"
)

const usage = `kimibv – transparente Interessenbekundungsverfahren für das KIM

Usage:
  kimibv serve                 start the web server (applies pending migrations)
  kimibv migrate [status]      apply migrations, or show the schema state
  kimibv demo [--if-empty]     load the demonstration data and print the demo logins
                               (refused with KIMIBV_ENV=production)
  kimibv audit verify [CHAIN]  re-compute every audit chain (or one) and name the first broken entry
  kimibv user create --email E --name N [--password-file F] [--platform-admin]
                               create an account (password from F, or KIMIBV_NEW_PASSWORD)
  kimibv keygen FILE           write a new master key to FILE (mode 0600) unless FILE exists

Configuration comes from environment variables; see README.md.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "kimibv:", err)
		os.Exit(1)
	}
}

// run dispatches the subcommand; it is separate from main so tests can call it.
func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(out, usage)
		return nil
	}
	if args[0] == "keygen" {
		return keygen(args[1:], out)
	}
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	if err := refuseUnsafeInProduction(cfg, args[0]); err != nil {
		return err
	}
	log := newLogger(cfg, os.Stderr)
	switch args[0] {
	case "serve":
		return serve(ctx, cfg, log)
	case "migrate":
		return migrateCmd(ctx, cfg, log, args[1:], out)
	case "demo":
		return demoCmd(ctx, cfg, log, args[1:], out)
	case "audit":
		if len(args) < 2 || args[1] != "verify" {
			return errors.New("usage: kimibv audit verify [CHAIN]")
		}
		return auditVerify(ctx, cfg, log, args[2:], out)
	case "user":
		if len(args) < 2 || args[1] != "create" {
			return errors.New("usage: kimibv user create --email E --name N [--password-file F] [--platform-admin]")
		}
		return userCreate(ctx, cfg, log, args[2:], out)
	}
	return fmt.Errorf("unknown command %q\n\n%s", args[0], usage)
}

// newLogger builds the slog logger from KIMIBV_LOG_FORMAT and KIMIBV_LOG_LEVEL.
func newLogger(cfg config, w io.Writer) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if strings.EqualFold(cfg.LogFormat, "json") {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// openStore connects to the database.
func openStore(ctx context.Context, cfg config, log *slog.Logger) (*store.Store, error) {
	st, err := store.Open(ctx, cfg.DatabaseURL, log)
	if err != nil {
		return nil, err
	}
	if err := st.Ping(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

func migrateCmd(ctx context.Context, cfg config, log *slog.Logger, args []string, out io.Writer) error {
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	if len(args) > 0 && args[0] == "status" {
		err := store.CheckSchema(ctx, st.SQL)
		latest, _ := store.LatestMigration(st.SQL)
		switch {
		case err == nil:
			fmt.Fprintf(out, "schema current (version %d)\n", latest)
		case errors.Is(err, store.ErrSchemaOutdated):
			fmt.Fprintf(out, "migrations pending: %v\n", err)
		default:
			return err
		}
		return nil
	}
	if err := store.Migrate(ctx, st.SQL, log); err != nil {
		return err
	}
	latest, _ := store.LatestMigration(st.SQL)
	fmt.Fprintf(out, "schema current (version %d)\n", latest)
	return nil
}

func auditVerify(ctx context.Context, cfg config, log *slog.Logger, args []string, out io.Writer) error {
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	broken := 0
	report := func(v audit.Verification) error {
		if v.OK {
			_, err := fmt.Fprintf(out, "OK      %-20s %8d entries  head %s\n", v.Chain, v.Entries, v.HeadHash)
			return err
		}
		broken++
		_, err := fmt.Fprintf(out, "BROKEN  %-20s first broken entry %d: %s\n", v.Chain, v.BrokenSeq, v.Problem)
		return err
	}
	total := len(args)
	if total == 0 {
		// Every chain in one pass over the log (one COPY), not one query per chain.
		if total, err = audit.VerifyAllChains(ctx, st.DB, report); err != nil {
			return err
		}
	}
	for _, ch := range args {
		v, err := audit.VerifyChain(ctx, st.DB, ch)
		if err != nil {
			return err
		}
		if err := report(v); err != nil {
			return err
		}
	}
	if broken > 0 {
		return fmt.Errorf("%d of %d audit chains are broken", broken, total)
	}
	fmt.Fprintf(out, "%d audit chains verified\n", total)
	return nil
}

func userCreate(ctx context.Context, cfg config, log *slog.Logger, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("user create", flag.ContinueOnError)
	email := fs.String("email", "", "e-mail address (login)")
	name := fs.String("name", "", "full name")
	pwFile := fs.String("password-file", "", "file holding the password (else KIMIBV_NEW_PASSWORD)")
	platform := fs.Bool("platform-admin", false, "make the user the operator (creates Kreise)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	password := os.Getenv("KIMIBV_NEW_PASSWORD")
	if *pwFile != "" {
		b, err := os.ReadFile(*pwFile)
		if err != nil {
			return fmt.Errorf("password file: %w", err)
		}
		password = strings.TrimRight(string(b), "\r\n")
	}
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := store.CheckSchema(ctx, st.SQL); err != nil {
		return err
	}
	u, err := accounts.CreateUser(ctx, st.DB, 0, accounts.NewUserInput{Email: *email, Name: *name, Password: password}, *platform)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "user %d created: %s\n", u.ID, u.Email)
	return nil
}

// keygen creates the master key file; it never overwrites an existing key, so that it
// can run before every start (docker-compose does) without risking the stored data.
func keygen(args []string, out io.Writer) error {
	if len(args) != 1 || strings.HasPrefix(args[0], "-") {
		return errors.New("usage: kimibv keygen FILE")
	}
	created, err := vault.EnsureMasterKeyFile(args[0])
	if err != nil {
		return err
	}
	if created {
		fmt.Fprintf(out, "master key written to %s – back it up separately from the database\n", args[0])
	} else {
		fmt.Fprintf(out, "master key %s exists; left unchanged\n", args[0])
	}
	return nil
}
