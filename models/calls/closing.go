package calls

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/models/postbox"
	"kimibv/models/store"
)

// dueCall is a published call whose deadline has passed.
type dueCall struct {
	ID       int64
	TenantID int64
	Ref      string
	Title    string
	Deadline time.Time
}

// CloseDueCalls moves every published call whose deadline lies before now (and before
// the database clock, so that no submission the database would still accept is cut off)
// to 'closed' (Frist abgelaufen), records call.closed (system actor) and notifies the
// Kreis's leads and the call's openers by e-mail. It is idempotent: calls that another
// instance is closing right now are skipped (SKIP LOCKED) and a closed call is never
// closed twice. It returns the number of calls closed.
func CloseDueCalls(ctx context.Context, db *gorm.DB, now time.Time) (int, error) {
	n := 0
	err := store.InTx(ctx, db, func(tx *gorm.DB) error {
		var due []dueCall
		if err := tx.Raw(`SELECT id, tenant_id, ref, title, deadline FROM calls
			WHERE state = 'published' AND deadline < ? AND deadline < clock_timestamp() ORDER BY id FOR UPDATE SKIP LOCKED`, now).Scan(&due).Error; err != nil {
			return fmt.Errorf("find due calls: %w", err)
		}
		for _, c := range due {
			if err := closeCall(tx, c, now); err != nil {
				return err
			}
		}
		n = len(due)
		return nil
	})
	return n, err
}

// CloseCallTx closes one call inside tx if it is due, waiting for a concurrent closer.
func CloseCallTx(tx *gorm.DB, callID int64, now time.Time) error {
	var due []dueCall
	if err := tx.Raw(`SELECT id, tenant_id, ref, title, deadline FROM calls
		WHERE id = ? AND state = 'published' AND deadline < ? AND deadline < clock_timestamp() FOR UPDATE`, callID, now).Scan(&due).Error; err != nil {
		return fmt.Errorf("lock due call %d: %w", callID, err)
	}
	for _, c := range due {
		if err := closeCall(tx, c, now); err != nil {
			return err
		}
	}
	return nil
}

// closeCall changes the state, writes the audit entry and queues the e-mails.
func closeCall(tx *gorm.DB, c dueCall, now time.Time) error {
	if err := tx.Exec(`UPDATE calls SET state = 'closed', closed_at = ?, updated_at = ? WHERE id = ?`, now, now, c.ID).Error; err != nil {
		return fmt.Errorf("close call %d: %w", c.ID, err)
	}
	if _, err := audit.Audit(tx, audit.Event{Chain: audit.CallChain(c.ID), TenantID: c.TenantID, Action: "call.closed", ObjectType: "call",
		ObjectID: strconv.FormatInt(c.ID, 10), Details: map[string]any{"deadline": c.Deadline.UTC().Format(time.RFC3339)}}); err != nil {
		return err
	}
	var to []struct {
		Email, Name string
		Opener      bool
	}
	if err := tx.Raw(`SELECT DISTINCT u.email, u.name, false AS opener FROM tenant_memberships m JOIN users u ON u.id = m.user_id
		WHERE m.tenant_id = ? AND m.role = 'lead'
		UNION SELECT u.email, u.name, true FROM call_committee k JOIN users u ON u.id = k.user_id WHERE k.call_id = ? AND k.role = 'opener'
		ORDER BY 1`, c.TenantID, c.ID).Scan(&to).Error; err != nil {
		return fmt.Errorf("load recipients: %w", err)
	}
	for _, r := range to {
		body := fmt.Sprintf("Guten Tag %s,\n\ndie Frist für Interessenbekundungen im Verfahren %s („%s“) ist am %s abgelaufen. "+
			"Die Interessenbekundungen bleiben versiegelt, bis zwei öffnungsberechtigte Personen die Öffnung bestätigt haben.\n\n", r.Name, c.Ref, c.Title, core.FormatDateTime(c.Deadline))
		if r.Opener {
			body += "Sie sind für dieses Verfahren als öffnungsberechtigte Person benannt. Die Öffnung bestätigen Sie im Verwaltungsbereich unter „Öffnung“ des Verfahrens.\n"
		} else {
			body += "Die Öffnung, die formale Prüfung und das Bewertungsgremium erreichen Sie über die Verfahrensseite im Verwaltungsbereich.\n"
		}
		tid := c.TenantID
		if err := postbox.EnqueueMail(tx, postbox.Mail{TenantID: &tid, ToAddr: r.Email, Subject: "Frist abgelaufen: " + c.Ref, Body: body, Kind: "call_closed"}); err != nil {
			return err
		}
	}
	return nil
}

// RecordLateAttempt counts a submit attempt refused because the deadline had passed
// (without content or organisation) for the Öffnungsprotokoll.
func RecordLateAttempt(ctx context.Context, db *gorm.DB, bidID int64) error {
	if err := db.WithContext(ctx).Exec(`INSERT INTO call_late_attempts (call_id, attempts, last_at)
		SELECT call_id, 1, clock_timestamp() FROM bids WHERE id = ?
		ON CONFLICT (call_id) DO UPDATE SET attempts = call_late_attempts.attempts + 1, last_at = EXCLUDED.last_at`, bidID).Error; err != nil {
		return fmt.Errorf("count late attempt: %w", err)
	}
	return nil
}
