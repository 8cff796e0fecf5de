package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Mail is an e-mail queued in the outbox in the transaction of the action that causes it.
type Mail struct {
	ID        int64
	TenantID  *int64
	ToAddr    string
	Subject   string
	Body      string
	Kind      string
	Attempts  int
	NextTryAt time.Time
	LastError string
	SendingAt *time.Time
	SentAt    *time.Time
	FailedAt  *time.Time
	CreatedAt time.Time
}

// TableName maps Mail to the outbox table.
func (Mail) TableName() string { return "outbox" }

// EnqueueMail writes m to the outbox inside tx; the sender job delivers it after commit.
func EnqueueMail(tx *gorm.DB, m Mail) error {
	if m.ToAddr == "" || m.Subject == "" {
		return fmt.Errorf("enqueue mail: recipient and subject are required")
	}
	m.ID = 0
	if err := tx.Omit("NextTryAt", "CreatedAt").Create(&m).Error; err != nil {
		return fmt.Errorf("enqueue mail: %w", err)
	}
	return nil
}

// outboxMaxAttempts is how often delivery is tried before a mail is marked failed.
const outboxMaxAttempts = 8

// outboxReclaimAfter is when a claim that was never resolved counts as abandoned: the
// sender died between handing the mail to the SMTP server and recording the outcome.
// Such a mail is NOT sent again automatically (nobody knows whether the server accepted
// it, and a receiving server need not de-duplicate by Message-ID); it is marked
// uncertain ("needs review") for the Kreis administrator (issue 6, see OutboxProblems).
const outboxReclaimAfter = 10 * time.Minute

// OutboxBackoff is the wait before the next attempt after attempts failures (1, 2, 4 … min, at most 4 h).
func OutboxBackoff(attempts int) time.Duration {
	d := time.Minute
	for i := 1; i < attempts && d < 4*time.Hour; i++ {
		d *= 2
	}
	if d > 4*time.Hour {
		d = 4 * time.Hour
	}
	return d
}

// Deliverer sends one mail; an error schedules a retry.
type Deliverer func(ctx context.Context, m Mail) error

// SendOutbox claims up to batch due mails (skipping rows other instances hold), commits
// the claim, delivers them, and records success or the error with back-off. It returns
// how many were sent.
func SendOutbox(ctx context.Context, db *gorm.DB, deliver Deliverer, batch int) (int, error) {
	if err := markAbandonedClaims(ctx, db); err != nil {
		return 0, err
	}
	var claimed []Mail
	// The claim (the attempt) is committed before the SMTP conversation starts.
	err := db.WithContext(ctx).Raw(`UPDATE outbox SET sending_at = now(), attempts = attempts + 1
		WHERE id IN (SELECT id FROM outbox
			WHERE sent_at IS NULL AND failed_at IS NULL AND uncertain_at IS NULL AND sending_at IS NULL AND next_try_at <= now()
			ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED)
		RETURNING *`, batch).Scan(&claimed).Error
	if err != nil {
		return 0, fmt.Errorf("claim outbox: %w", err)
	}
	sent := 0
	for _, m := range claimed {
		derr := deliver(ctx, m)
		var q *gorm.DB
		switch {
		case derr == nil:
			sent++
			q = db.WithContext(ctx).Exec(`UPDATE outbox SET sent_at = now(), sending_at = NULL, uncertain_at = NULL, last_error = '' WHERE id = ?`, m.ID)
		case errors.Is(derr, ErrDeliveryUncertain):
			q = db.WithContext(ctx).Exec(`UPDATE outbox SET uncertain_at = now(), last_error = ? WHERE id = ?`, derr.Error(), m.ID)
		case m.Attempts >= outboxMaxAttempts:
			q = db.WithContext(ctx).Exec(`UPDATE outbox SET failed_at = now(), sending_at = NULL, last_error = ? WHERE id = ?`, derr.Error(), m.ID)
		default:
			q = db.WithContext(ctx).Exec(`UPDATE outbox SET sending_at = NULL, last_error = ?, next_try_at = now() + make_interval(secs => ?) WHERE id = ?`,
				derr.Error(), OutboxBackoff(m.Attempts).Seconds(), m.ID)
		}
		if q.Error != nil {
			return sent, fmt.Errorf("record delivery of mail %d: %w", m.ID, q.Error)
		}
	}
	return sent, nil
}
