package core

import (
	"context"
	"time"
)

// clockOffsetKey is the context key of a shifted database clock (WithClockOffset).
type clockOffsetKey struct{}

// WithClockOffset returns a context in which the readings of the database clock that a
// use case records — the time of an audit entry, of an issued document, of a bid's
// arrival — are shifted by d. Only the demonstration sets it (models/demo), so that the
// trail of a procedure it backdates shows the times its documents state; no request
// handler does, so for every real procedure the offset is zero.
func WithClockOffset(ctx context.Context, d time.Duration) context.Context {
	return context.WithValue(ctx, clockOffsetKey{}, d)
}

// ClockOffset returns the shift of the database clock set by WithClockOffset (0 without).
// A nil context has none.
func ClockOffset(ctx context.Context) time.Duration {
	if ctx == nil {
		return 0
	}
	d, _ := ctx.Value(clockOffsetKey{}).(time.Duration)
	return d
}

// ClockOffsetSeconds is ClockOffset in seconds, the argument of the SQL clock expressions
// (clock_timestamp() + make_interval(secs => ?)).
func ClockOffsetSeconds(ctx context.Context) float64 { return ClockOffset(ctx).Seconds() }
