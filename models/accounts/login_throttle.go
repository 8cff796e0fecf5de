package accounts

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Login throttling per client address (rules.md R27): the per-account lock-out
// (LockoutUntil) does not stop an attacker who tries one password against many accounts.
// After LoginFailLimit refused login forms from one client address within LoginFailWindow,
// further attempts from it are refused until the window has passed, without checking a
// password. The count lives in PostgreSQL, so every instance behind the load balancer
// applies the same limit.
const (
	LoginFailLimit  = 20
	LoginFailWindow = 15 * time.Minute
)

// ThrottleWait is how long a client with failures refused logins counted since since must
// still wait at now: 0 below the limit or once the window has passed.
func ThrottleWait(failures int, since, now time.Time) time.Duration {
	left := LoginFailWindow - now.Sub(since)
	if failures < LoginFailLimit || left <= 0 {
		return 0
	}
	return left
}

// LoginThrottleWait returns how long client must wait before its next login attempt.
func LoginThrottleWait(ctx context.Context, db *gorm.DB, client string, now time.Time) (time.Duration, error) {
	var rows []struct {
		Failures int
		Since    time.Time
	}
	if err := db.WithContext(ctx).Raw(`SELECT failures, since FROM login_failures WHERE client = ?`, client).Scan(&rows).Error; err != nil {
		return 0, fmt.Errorf("login throttle of %s: %w", client, err)
	}
	if len(rows) == 0 {
		return 0, nil
	}
	return ThrottleWait(rows[0].Failures, rows[0].Since, now), nil
}

// RecordLoginFailure counts one refused login of client at now; a count older than the
// window starts again at one.
func RecordLoginFailure(ctx context.Context, db *gorm.DB, client string, now time.Time) error {
	if err := db.WithContext(ctx).Exec(`INSERT INTO login_failures (client, failures, since) VALUES (@c, 1, @now)
		ON CONFLICT (client) DO UPDATE SET
			failures = CASE WHEN login_failures.since <= @start THEN 1 ELSE login_failures.failures + 1 END,
			since = CASE WHEN login_failures.since <= @start THEN @now ELSE login_failures.since END`,
		map[string]any{"c": client, "now": now, "start": now.Add(-LoginFailWindow)}).Error; err != nil {
		return fmt.Errorf("count login failure of %s: %w", client, err)
	}
	return nil
}

// ForgetLoginFailures deletes the counts whose window has passed at now (the
// login-throttle job): a client address is not kept longer than needed.
func ForgetLoginFailures(ctx context.Context, db *gorm.DB, now time.Time) (int64, error) {
	res := db.WithContext(ctx).Exec(`DELETE FROM login_failures WHERE since <= ?`, now.Add(-LoginFailWindow))
	if res.Error != nil {
		return 0, fmt.Errorf("forget login failures: %w", res.Error)
	}
	return res.RowsAffected, nil
}
