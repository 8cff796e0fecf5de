package accounts

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/models/store"
)

// ErrInvitationWithdrawn means the invitation's link was withdrawn by whoever issued it.
var ErrInvitationWithdrawn = errors.New("einladung zurückgezogen")

// WithdrawInvitation withdraws an open invitation of the Kreis tenantID (its
// administrators) or of the organisation orgID (its administrators); exactly one is
// non-zero. Its link then shows that it was withdrawn. Audited as invitation.withdrawn on
// the Kreis's chain or the platform chain. Another Kreis's or organisation's invitation,
// or one accepted or withdrawn already, is ErrNotFound.
func WithdrawInvitation(ctx context.Context, db *gorm.DB, actor *core.Actor, tenantID, orgID, invID int64, now time.Time) error {
	chain, scope := audit.ChainPlatform, "org_id = ?"
	scopeID := orgID
	switch {
	case tenantID != 0 && actor.CanManageTenant(tenantID):
		chain, scope, scopeID = audit.TenantChain(tenantID), "tenant_id = ?", tenantID
	case tenantID == 0 && orgID != 0 && actor.IsOrgAdmin(orgID):
	default:
		return fmt.Errorf("withdraw invitation: %w", core.ErrNotFound)
	}
	return store.InTx(ctx, db, func(tx *gorm.DB) error {
		var inv Invitation
		res := tx.Raw(`UPDATE invitations SET withdrawn_at = ? WHERE id = ? AND `+scope+`
			AND accepted_at IS NULL AND withdrawn_at IS NULL AND expires_at > ? RETURNING *`, now, invID, scopeID, now).Scan(&inv)
		if res.Error != nil {
			return fmt.Errorf("withdraw invitation %d: %w", invID, res.Error)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("withdraw invitation %d: %w", invID, core.ErrNotFound)
		}
		_, err := audit.Audit(tx, audit.Event{Chain: chain, ActorID: actor.UserID, TenantID: tenantID, Action: "invitation.withdrawn",
			ObjectType: "invitation", ObjectID: fmt.Sprint(inv.ID), Details: map[string]any{"email": inv.Email, "roles": []string(inv.Roles), "org_id": inv.OrgID}})
		return err
	})
}

// invitationWithdrawn reports whether token names a withdrawn invitation.
func invitationWithdrawn(ctx context.Context, db *gorm.DB, token string) (bool, error) {
	var n int64
	if err := db.WithContext(ctx).Raw(`SELECT count(*) FROM invitations WHERE token_hash = ? AND withdrawn_at IS NOT NULL`, HashToken(token)).Scan(&n).Error; err != nil {
		return false, fmt.Errorf("invitation withdrawn: %w", err)
	}
	return n > 0, nil
}
