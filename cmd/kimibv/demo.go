package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"kimibv/app/pdfdoc"
	"kimibv/models"
	"kimibv/models/demo"
)

// demoCmd migrates and loads the demonstration (unless present with --if-empty) and prints the logins.
func demoCmd(ctx context.Context, cfg config, log *slog.Logger, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	ifEmpty := fs.Bool("if-empty", false, "load only when no demonstration is present; print the logins in any case")
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := models.Migrate(ctx, st.SQL, log); err != nil {
		return err
	}
	vault, err := openVault(cfg, log)
	if err != nil {
		return err
	}
	// Issue 5: the call in scoring needs its deadline to pass after the bids (up to a minute).
	log.Info("loading the demonstration; the call in scoring waits for its deadline (up to a minute)")
	loaded, err := demo.Load(ctx, st.DB, *ifEmpty, demo.WithVault(vault), demo.WithScoringCalls(),
		demo.WithIssuer(models.BekanntmachungIssuer(pdfdoc.Bekanntmachung(cfg.BaseURL+"/dokumentenpruefung"))))
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
	fmt.Fprintln(out)
	return nil
}
