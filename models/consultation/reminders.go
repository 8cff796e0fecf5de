package consultation

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"kimibv/models/audit"
	"kimibv/models/calls"
	"kimibv/models/postbox"
	"kimibv/models/rules"
	"kimibv/models/store"
)

// RemindClosing tells the invitees of every consultation that ends within a day of now
// (and has not ended) by Postfach and e-mail, once per consultation: the reminder is
// marked in the same transaction (reminded_at), so a second run or a second instance
// finds nothing to do. Returns the number of consultations reminded.
func RemindClosing(ctx context.Context, db *gorm.DB, baseURL string, now time.Time) (int, error) {
	var due []int64
	if err := db.WithContext(ctx).Raw(`SELECT id FROM consultations WHERE reminded_at IS NULL AND ends_at > ? AND ends_at <= ?
		ORDER BY ends_at, id`, now, now.Add(24*time.Hour)).Scan(&due).Error; err != nil {
		return 0, fmt.Errorf("load closing consultations: %w", err)
	}
	n := 0
	for _, id := range due {
		err := store.InTx(ctx, db, func(tx *gorm.DB) error {
			var h Header
			res := tx.Raw(`SELECT c.id, c.call_id, c.tenant_id, c.ends_at, k.ref, k.title FROM consultations c JOIN calls k ON k.id = c.call_id
				WHERE c.id = ? AND c.reminded_at IS NULL FOR UPDATE OF c`, id).Scan(&h)
			if res.Error != nil || res.RowsAffected == 0 {
				return res.Error
			}
			if err := tx.Exec(`UPDATE consultations SET reminded_at = ? WHERE id = ?`, now, id).Error; err != nil {
				return fmt.Errorf("mark reminded: %w", err)
			}
			var orgs []int64
			if err := tx.Raw(`SELECT org_id FROM consultation_invitees WHERE consultation_id = ?`, id).Scan(&orgs).Error; err != nil {
				return fmt.Errorf("load invitees: %w", err)
			}
			mails, err := postbox.NotifyOrgIDs(tx, h.CallID, orgs, postbox.Notice{Kind: InboxClosing, Subject: "Beteiligung endet bald: " + calls.ShortTitle(h.Title),
				Body: fmt.Sprintf("Die Beteiligung zum Entwurf der Ausschreibung „%s“ (%s) endet am %s.\n\n"+
					"Bis dahin können Sie Stellungnahmen abgeben und ändern:\n%s/beteiligungen/%d\n", h.Title, h.Ref,
					rules.FormatDateTimeZone(h.EndsAt), baseURL, id)})
			if err != nil {
				return err
			}
			n++
			_, err = audit.Audit(tx, audit.Event{Chain: audit.CallChain(h.CallID), TenantID: h.TenantID, Action: "consultation.reminded",
				ObjectType: "consultation", ObjectID: strconv.FormatInt(id, 10), Details: map[string]any{"organisations_notified": len(orgs), "mails": mails}})
			return err
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
