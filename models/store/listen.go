package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// ListenApplicationName is the application_name of the LISTEN connection (Listen), so
// that an operator or a test can find it in pg_stat_activity.
const ListenApplicationName = "kimibv-listen"

// ListenHandler receives what a LISTEN connection learns. Connected is called once the
// connection listens (after every reconnect: whatever was derived from the database
// before may have missed notifications in between), Disconnected when it is lost (from
// then on until the next Connected nothing is heard), Notify for every notification.
type ListenHandler interface {
	Connected()
	Disconnected(err error)
	Notify(payload string)
}

// listenPing is how long the connection may stay silent before it is pinged: a
// connection that died without a word (a cut network) is noticed within about this time.
const listenPing = 15 * time.Second

// Listen holds one dedicated connection (outside the pool) that LISTENs on channel and
// passes what it hears to h until ctx ends. A lost connection is reopened with a backoff
// of 100 ms doubling up to 5 s; failures are logged, never returned. Listen returns nil
// when ctx ends.
func Listen(ctx context.Context, s *Store, channel string, h ListenHandler, log *slog.Logger) error {
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		heard, err := listenOnce(ctx, s, channel, h)
		if ctx.Err() != nil {
			return nil
		}
		if heard {
			backoff = 100 * time.Millisecond
		}
		if log != nil {
			log.Warn("LISTEN connection lost, reconnecting", "channel", channel, "err", err, "in", backoff)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
	return nil
}

// listenOnce connects, LISTENs and waits for notifications until the connection fails;
// listened reports whether LISTEN succeeded (and Connected was called).
func listenOnce(ctx context.Context, s *Store, channel string, h ListenHandler) (listened bool, err error) {
	cfg := s.Pool.Config().ConnConfig.Copy()
	cfg.RuntimeParams["application_name"] = ListenApplicationName
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	conn, err := pgx.ConnectConfig(cctx, cfg)
	cancel()
	if err != nil {
		return false, fmt.Errorf("connect: %w", err)
	}
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.Background(), time.Second)
		_ = conn.Close(closeCtx)
		cancel()
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
		return false, fmt.Errorf("listen %s: %w", channel, err)
	}
	h.Connected()
	defer func() { h.Disconnected(err) }()
	for {
		wctx, cancel := context.WithTimeout(ctx, listenPing)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case err == nil:
			h.Notify(n.Payload)
			continue
		case ctx.Err() != nil:
			return true, ctx.Err()
		case !errors.Is(err, context.DeadlineExceeded):
			return true, fmt.Errorf("wait for notification: %w", err)
		}
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err = conn.Ping(pctx)
		cancel()
		if err != nil {
			return true, fmt.Errorf("ping: %w", err)
		}
	}
}
