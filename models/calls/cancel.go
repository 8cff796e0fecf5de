package calls

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/models/postbox"
	"kimibv/models/rules"
	"kimibv/models/store"
)

// cancelOrgsSQL selects the organisations told about a cancellation: the followers and
// every organisation with a bid (draft, submitted or withdrawn) — one set, one message,
// so the notification says nothing about whether or how many bids exist.
const cancelOrgsSQL = `SELECT org_id FROM follows WHERE call_id = @call UNION SELECT org_id FROM bids WHERE call_id = @call`

// Cancel cancels a call (Aufhebung) with a mandatory public reason in any state from
// publication up to 'notified' (CancelBlocked): the state becomes cancelled, nothing
// recorded so far is changed or deleted (bids, opening, scores, decision and notices
// stay in the Vergabeakte), call.cancelled is recorded with the previous state, and the
// followers and the bidding organisations get a Postfach message and e-mails. Bids of a
// call cancelled before the opening stay sealed: opened_at stays empty, and neither the
// audit entry nor the message states anything about them. The award can no longer
// become final (the finalisation selects only notified calls); objections can no longer
// be raised. Awarded, cancelled and draft calls are refused with a core.StateConflict.
func Cancel(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.CallScope, reason, baseURL string, now time.Time) error {
	return store.InTx(ctx, db, func(tx *gorm.DB) error { return CancelTx(tx, actor, scope, reason, baseURL, now) })
}

// CancelTx is Cancel inside the caller's transaction tx: it checks, locks, writes and
// audits as Cancel does, but neither opens nor commits a transaction, so use cases compose.
func CancelTx(tx *gorm.DB, actor *core.Actor, scope core.CallScope, reason string, baseURL string, now time.Time) error {
	tenantID := scope.Tenant
	reason = strings.TrimSpace(strings.ReplaceAll(reason, "\r\n", "\n"))
	v := &core.ValidationError{}
	core.CheckText(v, "reason", "die Begründung der Aufhebung", reason, true, rules.MaxReason)
	call, err := LockPublishedCall(tx, actor, scope)
	if err != nil {
		return err
	}
	if err := rules.CancelBlocked(call.State); err != nil {
		return err
	}
	if err := v.OrNil(); err != nil {
		return err
	}
	now = now.UTC().Truncate(time.Second)
	res := tx.Exec(`UPDATE calls SET state = 'cancelled', cancelled_at = ?, cancel_reason = ?, updated_at = ? WHERE id = ? AND state = ?`,
		now, reason, now, call.ID, string(call.State))
	if res.Error != nil {
		return fmt.Errorf("cancel call: %w", res.Error)
	}
	if res.RowsAffected != 1 {
		return fmt.Errorf("cancel call %d: %w", call.ID, core.ErrConflict)
	}
	if _, err := audit.Audit(tx, audit.Event{Chain: audit.CallChain(call.ID), ActorID: actor.UserID, TenantID: tenantID, Action: "call.cancelled",
		ObjectType: "call", ObjectID: fmt.Sprint(call.ID), Details: map[string]any{"reason": reason, "version": call.CurrentVersion,
			"previous_state": string(call.State)}}); err != nil {
		return err
	}
	n := postbox.Notice{Kind: postbox.InboxCancellation, Subject: "Aufhebung: " + ShortTitle(call.Title), Body: cancelBody(call, reason, baseURL, now)}
	_, err = postbox.NotifyOrgs(tx, call.ID, cancelOrgsSQL, nil, n)
	return err
}

// cancelBody is the message about a cancellation; its text depends only on the state the
// call was in, never on its bids.
func cancelBody(call *rules.Call, reason, baseURL string, now time.Time) string {
	var effect string
	switch call.State {
	case rules.CallPublished:
		effect = "Interessenbekundungen können nicht mehr abgegeben werden. Bereits abgegebene Interessenbekundungen werden nicht geöffnet."
	case rules.CallClosed:
		effect = "Die Abgabefrist war bereits abgelaufen. Abgegebene Interessenbekundungen werden nicht geöffnet und bleiben verschlossen."
	case rules.CallOpened:
		effect = "Die Interessenbekundungen waren bereits geöffnet. Es wird keine Entscheidung getroffen; alle bisherigen Verfahrensschritte bleiben in der Vergabeakte dokumentiert."
	default: // decided, notified
		effect = "Die bereits getroffene Entscheidung wird nicht umgesetzt; eine Vergabe findet nicht statt. Versandte Mitteilungen über das Ergebnis sind damit gegenstandslos. Alle bisherigen Verfahrensschritte bleiben in der Vergabeakte dokumentiert."
	}
	return fmt.Sprintf("Die Ausschreibung „%s“ (%s) wurde am %s aufgehoben.\n\nBegründung: %s\n\n%s\n\n%s/ausschreibungen/%s\n",
		call.Title, call.Ref, rules.TimeText(now), reason, effect, baseURL, call.Ref)
}
