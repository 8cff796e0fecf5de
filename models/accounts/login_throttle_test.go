package accounts_test

import (
	"testing"
	"time"

	"kimibv/models/accounts"
)

func TestThrottleWaitOnlyAtTheLimitAndWithinTheWindow(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	limit, window := accounts.LoginFailLimit, accounts.LoginFailWindow
	for _, c := range []struct {
		name     string
		failures int
		since    time.Time
		want     time.Duration
	}{
		{"below the limit", limit - 1, now, 0},
		{"at the limit, window just started", limit, now, window},
		{"at the limit, five minutes in", limit, now.Add(-5 * time.Minute), window - 5*time.Minute},
		{"far above the limit, window over", 10 * limit, now.Add(-window), 0},
		{"at the limit, one second left", limit, now.Add(-window + time.Second), time.Second},
	} {
		if got := accounts.ThrottleWait(c.failures, c.since, now); got != c.want {
			t.Errorf("%s: got %s, want %s", c.name, got, c.want)
		}
	}
}
