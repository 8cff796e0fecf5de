package council

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"kimibv/models/core"
	"kimibv/models/postbox"
	"kimibv/models/store"
)

// item is a report or an answer to distribute.
type item struct {
	reportID, questionID int64
	contentSHA           string
	subject, body        string
}

// distribute records that every council member (ms) received the item with the same
// content hash at the same time now, with the member's faction at that time, and queues
// one mail to each member; all in the caller's transaction (rules.md R32). It returns the
// distribution's id.
func distribute(tx *gorm.DB, c *callRow, it item, ms []Member, now time.Time) (int64, error) {
	var rid, qid *int64
	if it.reportID != 0 {
		rid = &it.reportID
	} else {
		qid = &it.questionID
	}
	var id int64
	if err := tx.Raw(`INSERT INTO council_distributions (tenant_id, call_id, report_id, question_id, content_sha256, distributed_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, c.TenantID, c.ID, rid, qid, it.contentSHA, now).Scan(&id).Error; err != nil {
		return 0, fmt.Errorf("store distribution: %w", err)
	}
	if err := tx.Exec(`INSERT INTO council_receipts (distribution_id, user_id, faction_name, received_at)
		SELECT ?, m.user_id, coalesce(f.name, ''), ? FROM tenant_memberships m
		LEFT JOIN council_member_factions mf ON mf.tenant_id = m.tenant_id AND mf.user_id = m.user_id
		LEFT JOIN council_factions f ON f.id = mf.faction_id
		WHERE m.tenant_id = ? AND m.role = 'council'`, id, now, c.TenantID).Error; err != nil {
		return 0, fmt.Errorf("store receipts: %w", err)
	}
	body := "Guten Tag,\n\n" + it.body + "\n\nSie finden ihn im Bereich Kreistag unter dem Verfahren. Alle Mitglieder des Kreistags " +
		"erhalten diese Nachricht zur selben Zeit.\n\nMit freundlichen Grüßen\n" + c.Authority
	if err := postbox.QueueMailsTo(tx, &c.TenantID, "council_information", it.subject, body,
		`SELECT u.email FROM tenant_memberships m JOIN users u ON u.id = m.user_id WHERE m.tenant_id = ? AND m.role = 'council' ORDER BY u.id`,
		c.TenantID); err != nil {
		return 0, err
	}
	return id, nil
}

// MarkRead records that the member opened distribution id (the POST behind the "Öffnen"
// button; the page itself never writes). The first opening counts; a distribution of
// another procedure or Kreis, or one the member did not receive, is ErrNotFound.
func MarkRead(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.CallScope, id int64, now time.Time) error {
	if err := requireCouncil(actor, scope.Tenant); err != nil {
		return err
	}
	return store.InTx(ctx, db, func(tx *gorm.DB) error {
		res := tx.Exec(`UPDATE council_receipts r SET read_at = coalesce(r.read_at, ?) FROM council_distributions d
			WHERE d.id = r.distribution_id AND d.id = ? AND d.call_id = ? AND d.tenant_id = ? AND r.user_id = ?`,
			now, id, scope.Call, scope.Tenant, actor.UserID)
		if res.Error != nil {
			return fmt.Errorf("mark read: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("distribution %s: %w", strconv.FormatInt(id, 10), core.ErrNotFound)
		}
		return nil
	})
}

// requireCouncil admits the Kreis's council members; everybody else gets ErrNotFound.
func requireCouncil(actor *core.Actor, tenantID int64) error {
	if !actor.HasTenantRole(tenantID, core.RoleCouncil) {
		return fmt.Errorf("council information of Kreis %d: %w", tenantID, core.ErrNotFound)
	}
	return nil
}
