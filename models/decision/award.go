package decision

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/models/postbox"
	"kimibv/models/rules"
	"kimibv/models/store"
)

// awardDueSQL selects notified calls whose standstill is over at ? and that have no open
// and no upheld objection (an upheld objection needs a new decision or a cancellation).
const awardDueSQL = `SELECT c.id, c.tenant_id, c.ref, c.title FROM calls c JOIN decisions d ON d.call_id = c.id
	WHERE c.state = 'notified' AND d.standstill_ends_at < ?
	  AND NOT EXISTS (SELECT 1 FROM objections o WHERE o.call_id = c.id AND (o.answered_at IS NULL OR o.outcome = 'upheld'))`

// dueAward is a call whose award can become final.
type dueAward struct {
	ID, TenantID int64
	Ref, Title   string
}

// FinalizeDueAwards makes every due award final (the scheduled job). Calls another
// instance is finalising are skipped (SKIP LOCKED); it returns how many it finalised.
func FinalizeDueAwards(ctx context.Context, db *gorm.DB, docs Documents, now time.Time) (int, error) {
	n := 0
	err := store.InTx(ctx, db, func(tx *gorm.DB) error {
		var due []dueAward
		if err := tx.Raw(awardDueSQL+` ORDER BY c.id FOR UPDATE OF c SKIP LOCKED`, now).Scan(&due).Error; err != nil {
			return fmt.Errorf("find due awards: %w", err)
		}
		for _, c := range due {
			if err := finalizeAward(tx, docs, c, now); err != nil {
				return err
			}
		}
		n = len(due)
		return nil
	})
	return n, err
}

// FinalizeAward makes call callID's award final when it is due, waiting for a concurrent
// finaliser (FOR UPDATE re-checks the state): FinalizeDueAwards for one call, for the
// demonstration and the data generator. Pages never call it (a GET never writes); they
// report AwardDue until the job has run.
func FinalizeAward(ctx context.Context, db *gorm.DB, docs Documents, callID int64, now time.Time) (bool, error) {
	if due, err := AwardDue(db.WithContext(ctx), callID, now); err != nil || !due {
		return false, err
	}
	done := false
	err := store.InTx(ctx, db, func(tx *gorm.DB) error {
		var rows []dueAward
		if err := tx.Raw(awardDueSQL+` AND c.id = ? FOR UPDATE OF c`, now, callID).Scan(&rows).Error; err != nil {
			return fmt.Errorf("lock award of call %d: %w", callID, err)
		}
		for _, c := range rows {
			if err := finalizeAward(tx, docs, c, now); err != nil {
				return err
			}
			done = true
		}
		return nil
	})
	return done, err
}

// AwardDue reports whether call callID's award is due to become final at now: the
// standstill is over and no objection is open or upheld.
func AwardDue(tx *gorm.DB, callID int64, now time.Time) (bool, error) {
	var due int64
	if err := tx.Raw(`SELECT count(*) FROM (`+awardDueSQL+` AND c.id = ?) x`, now, callID).Scan(&due).Error; err != nil {
		return false, fmt.Errorf("check award of call %d: %w", callID, err)
	}
	return due > 0, nil
}

// finalizeAward moves the locked call to 'awarded', records call.awarded (system actor)
// and notifies every bidding organisation and the Kreis's leads.
func finalizeAward(tx *gorm.DB, docs Documents, c dueAward, now time.Time) error {
	if err := tx.Exec(`UPDATE calls SET state = 'awarded', awarded_at = ?, updated_at = ? WHERE id = ?`, now, now, c.ID).Error; err != nil {
		return fmt.Errorf("set call awarded: %w", err)
	}
	if err := tx.Exec(`UPDATE decisions SET awarded_at = ? WHERE call_id = ?`, now, c.ID).Error; err != nil {
		return fmt.Errorf("set decision awarded: %w", err)
	}
	var orgs []int64
	if err := tx.Raw(`SELECT org_id FROM notices WHERE call_id = ? ORDER BY org_id`, c.ID).Scan(&orgs).Error; err != nil {
		return fmt.Errorf("load notified organisations: %w", err)
	}
	subject := "Vergabe endgültig: " + c.Ref
	body := fmt.Sprintf("Die Stillhaltefrist im Interessenbekundungsverfahren „%s“ (%s) ist abgelaufen. Die Entscheidung ist seit %s endgültig (Vergeben).\n",
		c.Title, c.Ref, core.FormatDateTime(now))
	if _, err := postbox.NotifyOrgIDs(tx, c.ID, orgs, postbox.Notice{Kind: postbox.InboxAwardFinal, Subject: subject, Body: body}); err != nil {
		return err
	}
	if err := postbox.QueueMailsTo(tx, &c.TenantID, "award_final", subject, body,
		`SELECT u.email FROM users u JOIN tenant_memberships m ON m.user_id = u.id WHERE m.tenant_id = ? AND m.role = 'lead' ORDER BY u.email`,
		c.TenantID); err != nil {
		return fmt.Errorf("notify leads: %w", err)
	}
	_, err := audit.Audit(tx, audit.Event{Chain: audit.CallChain(c.ID), TenantID: c.TenantID, Action: "call.awarded", ObjectType: "call",
		ObjectID: strconv.FormatInt(c.ID, 10), Details: map[string]any{"organisations_notified": len(orgs)}})
	if err != nil {
		return err
	}
	var raw struct{ Content []byte }
	if err := tx.Raw(`SELECT v.content FROM calls c JOIN call_versions v ON v.call_id = c.id AND v.version = c.current_version WHERE c.id = ?`, c.ID).
		Scan(&raw).Error; err != nil {
		return fmt.Errorf("load call content: %w", err)
	}
	content, err := rules.DecodeCallContent(raw.Content)
	if err != nil {
		return err
	}
	v := &DecisionView{CallID: c.ID, TenantID: c.TenantID, Ref: c.Ref, Title: c.Title, State: rules.CallAwarded, Content: content}
	return issueVermerk(tx, docs, v, 0, VermerkStageFinal)
}
