package models

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"
)

// ErrDeliveryUncertain marks a delivery error after which nobody knows whether the SMTP
// server accepted the mail (e.g. the connection broke after the message data was sent).
// SendOutbox marks such a mail uncertain instead of retrying it.
var ErrDeliveryUncertain = errors.New("zustellung ungewiss")

// uncertainNote is the last_error of an abandoned claim.
const uncertainNote = "Zustellung ungewiss: der Versand wurde begonnen, aber nicht abgeschlossen (Neustart oder Absturz). Nicht automatisch erneut gesendet."

// markAbandonedClaims marks claims older than outboxReclaimAfter as uncertain.
func markAbandonedClaims(ctx context.Context, db *gorm.DB) error {
	if err := db.WithContext(ctx).Exec(`UPDATE outbox SET uncertain_at = now(), last_error = ?
		WHERE sent_at IS NULL AND failed_at IS NULL AND uncertain_at IS NULL
		  AND sending_at < now() - make_interval(secs => ?)`, uncertainNote, outboxReclaimAfter.Seconds()).Error; err != nil {
		return fmt.Errorf("mark abandoned outbox claims: %w", err)
	}
	return nil
}

// OutboxProblem is a mail of a Kreis that failed for good or whose delivery is uncertain.
type OutboxProblem struct {
	ID          int64
	ToAddr      string
	Subject     string
	Kind        string
	Attempts    int
	LastError   string
	FailedAt    *time.Time
	UncertainAt *time.Time
	CreatedAt   time.Time
}

// StatusLabel names the problem in German.
func (p OutboxProblem) StatusLabel() string {
	if p.UncertainAt != nil {
		return "Zustellung ungewiss – bitte prüfen"
	}
	return "Zustellung fehlgeschlagen"
}

// OutboxProblems lists the Kreis's failed and uncertain mails, newest first (at most
// limit). Only the Kreis administrator may see them.
func OutboxProblems(ctx context.Context, db *gorm.DB, actor *Actor, tenantID int64, limit int) ([]OutboxProblem, error) {
	if !actor.HasTenantRole(tenantID, RoleTenantAdmin) {
		return nil, fmt.Errorf("outbox of tenant %d: %w", tenantID, ErrNotFound)
	}
	var out []OutboxProblem
	if err := db.WithContext(ctx).Raw(`SELECT id, to_addr, subject, kind, attempts, last_error, failed_at, uncertain_at, created_at FROM outbox
		WHERE tenant_id = ? AND sent_at IS NULL AND (failed_at IS NOT NULL OR uncertain_at IS NOT NULL)
		ORDER BY id DESC LIMIT ?`, tenantID, limit).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("load outbox problems: %w", err)
	}
	return out, nil
}

// RetryMail puts a failed or uncertain mail of the Kreis back into the queue: the Kreis
// administrator decided that it shall be sent (again). Audited as outbox.retried.
func RetryMail(ctx context.Context, db *gorm.DB, actor *Actor, tenantID, mailID int64, now time.Time) error {
	if !actor.HasTenantRole(tenantID, RoleTenantAdmin) {
		return fmt.Errorf("retry mail of tenant %d: %w", tenantID, ErrNotFound)
	}
	return InTx(ctx, db, func(tx *gorm.DB) error {
		var row struct {
			ID          int64
			SentAt      *time.Time
			FailedAt    *time.Time
			UncertainAt *time.Time
		}
		res := tx.Raw(`SELECT id, sent_at, failed_at, uncertain_at FROM outbox WHERE id = ? AND tenant_id = ? FOR UPDATE`, mailID, tenantID).Scan(&row)
		if res.Error != nil {
			return fmt.Errorf("lock mail %d: %w", mailID, res.Error)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("mail %d: %w", mailID, ErrNotFound)
		}
		if row.SentAt != nil || (row.FailedAt == nil && row.UncertainAt == nil) {
			return fmt.Errorf("%w: die E-Mail wird bereits versandt oder ist zugestellt", ErrConflict)
		}
		if err := tx.Exec(`UPDATE outbox SET failed_at = NULL, uncertain_at = NULL, sending_at = NULL, attempts = 0,
			next_try_at = now(), retried_by = ? WHERE id = ?`, actor.UserID, mailID).Error; err != nil {
			return fmt.Errorf("retry mail %d: %w", mailID, err)
		}
		_, err := Audit(tx, Event{Chain: TenantChain(tenantID), ActorID: actor.UserID, TenantID: tenantID, Action: "outbox.retried",
			ObjectType: "mail", ObjectID: strconv.FormatInt(mailID, 10), Details: map[string]any{"uncertain": row.UncertainAt != nil}})
		return err
	})
}
