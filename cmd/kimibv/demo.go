package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"kimibv/app/pdfdoc"
	"kimibv/models/demo"
	"kimibv/models/store"
	"kimibv/models/vault"
)

// demoCmd migrates and loads the demonstration (unless present with --if-empty) and prints the logins.
func demoCmd(ctx context.Context, cfg config, log *slog.Logger, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	ifEmpty := fs.Bool("if-empty", false, "load only when no demonstration is present; print the logins in any case")
	deferProc := fs.Bool("defer-procedures", false, "leave out the procedures past their deadline; load them later with --procedures")
	procOnly := fs.Bool("procedures", false, "only add the procedures past their deadline to a loaded demonstration")
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := store.Migrate(ctx, st.SQL, log); err != nil {
		return err
	}
	vlt, err := openVault(cfg, log)
	if err != nil {
		return err
	}
	if err := vault.BindVault(st.DB, vlt); err != nil {
		return err
	}
	opts := []demo.Option{demo.WithVault(vlt), demo.WithBaseURL(cfg.BaseURL),
		demo.WithDocuments(pdfdoc.New(cfg.BaseURL + "/dokumentenpruefung"))}
	if *procOnly {
		log.Info("loading the demonstration procedures past their deadline")
		added, err := demo.LoadProcedures(ctx, st.DB, opts...)
		if err != nil {
			return err
		}
		if added {
			fmt.Fprintln(out, "Demonstration procedures in scoring, consolidated and awarded loaded.")
		}
		return nil
	}
	if !*deferProc {
		// The procedures past their deadline are recorded on their days (models/demo timeline).
		log.Info("loading the demonstration with its procedures past their deadline")
		opts = append(opts, demo.WithScoringCalls())
	}
	loaded, err := demo.Load(ctx, st.DB, *ifEmpty, opts...)
	if err != nil {
		return err
	}
	if loaded {
		fmt.Fprintln(out, "Demonstration data loaded.")
	} else {
		fmt.Fprintln(out, "Demonstration data already present.")
	}
	fmt.Fprintf(out, "\nDemo logins for %s (password for every account: %s)\n\n", cfg.BaseURL, demo.Password)
	for _, l := range demo.Logins() {
		fmt.Fprintf(out, "  %-32s %-36s %s\n", l.Role, l.Email, l.Note)
	}
	fmt.Fprintf(out, "\nKreis accounts and the operator confirm the login with a second factor: TOTP key %s\n(current code: oathtool --totp -b %s, or add the key to an authenticator app).\n\n", demo.SecondFactorKey, demo.SecondFactorKey)
	if *deferProc && loaded {
		fmt.Fprintln(out, "The procedures past their deadline (in scoring, with result, awarded) follow within 80 seconds (kimibv demo --procedures).")
	}
	return nil
}
