package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"kimibv/app"
	"kimibv/models/postbox"
	"kimibv/models/store"
)

// serve migrates, starts the jobs and the HTTP server, and on a signal shuts down
// in order: HTTP server, receipts being issued, scheduler (each with a bounded drain), database.
func serve(ctx context.Context, cfg config, log *slog.Logger) error {
	if cfg.MemoryLimit > 0 {
		// Without a limit the heap may grow to twice what was live at the last collection;
		// after a login (64 MiB of argon2id, live while it ran) parallel uploads fill that
		// room with their 1 MiB chunk copies (pgx encodes each chunk twice) before the next
		// collection: 20 uploads of 20 MiB peaked at 208–310 MiB RSS, with 150 MiB at ~170.
		debug.SetMemoryLimit(cfg.MemoryLimit)
	}
	vlt, err := openVault(cfg, log)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer func() {
		st.Close()
		log.Info("database closed")
	}()
	if err := store.Migrate(ctx, st.SQL, log); err != nil {
		return err
	}
	// Rows stored in plain text before encryption at rest covered them are sealed now,
	// before the first request (README "Encryption at rest").
	if _, err := postbox.SealLegacyAtRest(ctx, st.DB, vlt, log); err != nil {
		return err
	}
	a, e, err := app.New(app.Config{
		BaseURL: cfg.BaseURL, Env: cfg.Env, MaxBodyBytes: cfg.MaxBodyBytes,
		SessionLifetime: cfg.SessionLifetime, SessionIdle: cfg.SessionIdle,
		ContactEmail: cfg.ContactEmail, Operator: cfg.Operator,
		Vault: vlt, MaxFileBytes: cfg.MaxFileBytes, MaxBidBytes: cfg.MaxBidBytes, OCIDPrefix: cfg.OCIDPrefix, Bench: cfg.Bench,
		ValidatorMaxAge: cfg.ValidatorMaxAge, TrustedProxies: cfg.TrustedProxies,
	}, st, log)
	if err != nil {
		return err
	}
	deliver, err := app.NewDeliverer(app.SMTPConfig{Host: cfg.SMTPHost, Port: cfg.SMTPPort, User: cfg.SMTPUser,
		Password: cfg.SMTPPassword, From: cfg.SMTPFrom, TLS: cfg.SMTPTLS, Domain: a.MessageDomain()}, cfg.Env == "development", log)
	if err != nil {
		return err
	}
	if deliver == nil {
		log.Warn("KIMIBV_SMTP_HOST is not set: e-mails stay in the outbox until SMTP is configured")
	}
	sched := app.NewScheduler(st.Pool, log)
	for _, j := range a.Jobs(deliver) {
		if err := sched.Add(j); err != nil {
			return err
		}
	}
	sched.Start()
	// The public pages' validators are kept in memory while this LISTEN connection runs;
	// it stops with the server (lctx), before the database is closed.
	lctx, stopListen := context.WithCancel(context.Background())
	listening := make(chan struct{})
	go func() { defer close(listening); _ = a.ListenForChanges(lctx) }()
	defer func() { stopListen(); <-listening }()

	srv := &http.Server{Addr: cfg.Listen, Handler: e, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 10 * time.Minute, WriteTimeout: 10 * time.Minute, IdleTimeout: 2 * time.Minute}
	errc := make(chan error, 2) // the public and the metrics listener
	go func() { errc <- srv.ListenAndServe() }()
	log.Info("kimibv listening", "addr", cfg.Listen, "base_url", cfg.BaseURL)
	if cfg.MetricsListen != "" {
		msrv := &http.Server{Addr: cfg.MetricsListen, Handler: a.MetricsHandler(), ReadHeaderTimeout: 10 * time.Second}
		go func() { errc <- msrv.ListenAndServe() }()
		defer func() { _ = msrv.Close() }()
		log.Info("metrics listening", "addr", cfg.MetricsListen)
	}

	select {
	case err := <-errc:
		sched.Stop(cfg.ShutdownDrain)
		if !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("http server: %w", err)
		}
		return nil
	case <-ctx.Done():
	}
	log.Info("shutting down: http server")
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownDrain)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn("http shutdown", "err", err)
	}
	log.Info("shutting down: receipts in progress")
	if !a.WaitReceipts(cfg.ShutdownDrain) {
		log.Warn("receipts still in progress after the drain; the receipts job issues them after the restart")
	}
	log.Info("shutting down: scheduler")
	sched.Stop(cfg.ShutdownDrain)
	return nil
}
