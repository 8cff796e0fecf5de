package postbox

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/models/store"
	"kimibv/models/vault"
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

// OutboxProblem is a mail that failed for good or whose delivery is uncertain.
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
	// Sealed marks a mail about a bid (BidMailKind): the review shows neither recipient
	// nor subject nor the error text, only that a sealed message could not be delivered.
	Sealed bool
}

// StatusLabel names the problem in German.
func (p OutboxProblem) StatusLabel() string {
	if p.UncertainAt != nil {
		return "Zustellung ungewiss – bitte prüfen"
	}
	return "Zustellung fehlgeschlagen"
}

// mayReviewOutbox reports whether actor reviews the outbox of tenantID: the Kreis
// administrator that of the Kreis, the operator (tenantID 0) the mails without a Kreis.
func mayReviewOutbox(actor *core.Actor, tenantID int64) bool {
	if tenantID == 0 {
		return actor != nil && actor.PlatformAdmin
	}
	return actor.HasTenantRole(tenantID, core.RoleTenantAdmin)
}

// OutboxProblems lists the failed and uncertain mails of a Kreis (for its administrator)
// or, with tenantID 0, those without a Kreis (for the operator), newest first, at most
// limit. Recipient, subject and error text are opened for the page; a mail about a bid
// stays sealed (OutboxProblem.Sealed).
func OutboxProblems(ctx context.Context, db *gorm.DB, actor *core.Actor, tenantID int64, limit int) ([]OutboxProblem, error) {
	if !mayReviewOutbox(actor, tenantID) {
		return nil, fmt.Errorf("outbox of tenant %d: %w", tenantID, core.ErrNotFound)
	}
	db = db.WithContext(ctx)
	var rows []struct {
		ID                    int64
		ToAddr, Subject, Kind string
		Attempts              int
		LastError             string
		FailedAt, UncertainAt *time.Time
		CreatedAt             time.Time
		Sealed, SealedError   []byte
	}
	cond, args := tenantCond(tenantID)
	if err := db.Raw(`SELECT id, to_addr, subject, kind, attempts, last_error, failed_at, uncertain_at, created_at, sealed, sealed_error
		FROM outbox WHERE `+cond+` AND sent_at IS NULL AND (failed_at IS NOT NULL OR uncertain_at IS NOT NULL)
		ORDER BY id DESC LIMIT ?`, append(args, limit)...).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("load outbox problems: %w", err)
	}
	out := make([]OutboxProblem, 0, len(rows))
	for _, r := range rows {
		p := OutboxProblem{ID: r.ID, Kind: r.Kind, Attempts: r.Attempts, LastError: r.LastError, FailedAt: r.FailedAt,
			UncertainAt: r.UncertainAt, CreatedAt: r.CreatedAt}
		if BidMailKind(p.Kind) {
			p.Sealed = true
			out = append(out, p)
			continue
		}
		m := Mail{ID: p.ID, ToAddr: r.ToAddr, Subject: r.Subject, Sealed: r.Sealed}
		if r.Sealed != nil || r.SealedError != nil {
			v, err := vault.BoundVault(db)
			if err != nil {
				return nil, err
			}
			if err := openMail(db, v, &m); err != nil {
				return nil, err
			}
			if r.SealedError != nil {
				text, err := v.OpenFrom(db, vault.MailScope(), r.SealedError)
				if err != nil {
					return nil, fmt.Errorf("open error of mail %d: %w", p.ID, err)
				}
				p.LastError = string(text)
			}
		}
		p.ToAddr, p.Subject = m.ToAddr, m.Subject
		out = append(out, p)
	}
	return out, nil
}

// tenantCond selects the mails of a Kreis or, for tenantID 0, those without one.
func tenantCond(tenantID int64) (string, []any) {
	if tenantID == 0 {
		return "tenant_id IS NULL", nil
	}
	return "tenant_id = ?", []any{tenantID}
}

// RetryMail puts a failed or uncertain mail back into the queue: the Kreis administrator
// (or, for mails without a Kreis, tenantID 0, the operator) decided that it shall be sent
// (again). Audited as outbox.retried on the Kreis's chain or the platform's.
func RetryMail(ctx context.Context, db *gorm.DB, actor *core.Actor, tenantID, mailID int64, now time.Time) error {
	return store.InTx(ctx, db, func(tx *gorm.DB) error { return RetryMailTx(tx, actor, tenantID, mailID) })
}

// RetryMailTx is RetryMail inside the caller's transaction tx: it checks, locks, writes and
// audits as RetryMail does, but neither opens nor commits a transaction, so use cases compose.
func RetryMailTx(tx *gorm.DB, actor *core.Actor, tenantID int64, mailID int64) error {
	if !mayReviewOutbox(actor, tenantID) {
		return fmt.Errorf("retry mail of tenant %d: %w", tenantID, core.ErrNotFound)
	}
	var row struct {
		ID          int64
		SentAt      *time.Time
		FailedAt    *time.Time
		UncertainAt *time.Time
	}
	cond, args := tenantCond(tenantID)
	res := tx.Raw(`SELECT id, sent_at, failed_at, uncertain_at FROM outbox WHERE `+cond+` AND id = ? FOR UPDATE`,
		append(args, mailID)...).Scan(&row)
	if res.Error != nil {
		return fmt.Errorf("lock mail %d: %w", mailID, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("mail %d: %w", mailID, core.ErrNotFound)
	}
	if row.SentAt != nil || (row.FailedAt == nil && row.UncertainAt == nil) {
		return fmt.Errorf("%w: die E-Mail wird bereits versandt oder ist zugestellt", core.ErrConflict)
	}
	if err := tx.Exec(`UPDATE outbox SET failed_at = NULL, uncertain_at = NULL, sending_at = NULL, attempts = 0,
		next_try_at = now(), retried_by = ? WHERE id = ?`, actor.UserID, mailID).Error; err != nil {
		return fmt.Errorf("retry mail %d: %w", mailID, err)
	}
	chain := audit.ChainPlatform
	if tenantID != 0 {
		chain = audit.TenantChain(tenantID)
	}
	_, err := audit.Audit(tx, audit.Event{Chain: chain, ActorID: actor.UserID, TenantID: tenantID, Action: "outbox.retried",
		ObjectType: "mail", ObjectID: strconv.FormatInt(mailID, 10), Details: map[string]any{"uncertain": row.UncertainAt != nil}})
	return err
}
