package accounts

import (
	"context"
	"fmt"
	"slices"

	"gorm.io/gorm"

	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/models/store"
)

// SetTenantRoles replaces the roles user holds in the Kreis. Kreis administrators (and the
// operator, for a Kreis's first administrator) may do this; an administrator cannot take
// the administrator role from themselves, so a Kreis never locks itself out. A member of
// the committee of a running procedure gets no role that handles procedures
// (CommitteeRoleConflict): the request is refused with a field error and nothing changes.
func SetTenantRoles(ctx context.Context, db *gorm.DB, actor *core.Actor, tenantID, userID int64, roles []core.Role) error {
	return store.InTx(ctx, db, func(tx *gorm.DB) error { return SetTenantRolesTx(tx, actor, tenantID, userID, roles) })
}

// SetTenantRolesTx is SetTenantRoles inside the caller's transaction tx: it checks, locks, writes and
// audits as SetTenantRoles does, but neither opens nor commits a transaction, so use cases compose.
func SetTenantRolesTx(tx *gorm.DB, actor *core.Actor, tenantID int64, userID int64, roles []core.Role) error {
	if !actor.CanManageTenant(tenantID) && !actor.CanCreateTenants() {
		return fmt.Errorf("set tenant roles: %w", core.ErrNotFound)
	}
	v := &core.ValidationError{}
	for _, r := range roles {
		if !r.IsTenantRole() {
			v.Add("roles", "invalid", "Bitte wählen Sie nur Rollen aus der Liste aus.")
			return v
		}
	}
	if userID == actor.UserID && actor.CanManageTenant(tenantID) && !slices.Contains(roles, core.RoleTenantAdmin) {
		v.Add("roles", "self_admin", "Sie können sich die Rolle Kreisadministration nicht selbst entziehen. Bitten Sie eine andere administrierende Person darum.")
		return v
	}
	var before []string
	if err := tx.Raw(`SELECT role FROM tenant_memberships WHERE tenant_id = ? AND user_id = ? ORDER BY role FOR UPDATE`, tenantID, userID).Scan(&before).Error; err != nil {
		return fmt.Errorf("load roles: %w", err)
	}
	var exists int64
	if err := tx.Raw(`SELECT count(*) FROM users WHERE id = ?`, userID).Scan(&exists).Error; err != nil || exists == 0 {
		return fmt.Errorf("set tenant roles: user %d: %w", userID, core.ErrNotFound)
	}
	if len(before) == 0 && !actor.CanCreateTenants() {
		// A Kreis administrator changes the roles of the Kreis's own people only; a person of
		// another Kreis (a forged user id) does not exist here. New people come by invitation.
		var elsewhere int64
		if err := tx.Raw(`SELECT count(*) FROM tenant_memberships WHERE user_id = ?`, userID).Scan(&elsewhere).Error; err != nil {
			return fmt.Errorf("set tenant roles: %w", err)
		}
		if elsewhere > 0 {
			return fmt.Errorf("set tenant roles: user %d is no member of Kreis %d: %w", userID, tenantID, core.ErrNotFound)
		}
	}
	if err := checkRoleGrant(tx, tenantID, userID, roles, "roles", msgGrantConflict, v); err != nil {
		return err
	}
	if err := v.OrNil(); err != nil {
		return err
	}
	if err := tx.Exec(`DELETE FROM tenant_memberships WHERE tenant_id = ? AND user_id = ?`, tenantID, userID).Error; err != nil {
		return fmt.Errorf("clear roles: %w", err)
	}
	after := make([]string, 0, len(roles))
	for _, r := range roles {
		if err := tx.Exec(`INSERT INTO tenant_memberships (tenant_id, user_id, role) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, tenantID, userID, r).Error; err != nil {
			return fmt.Errorf("grant role: %w", err)
		}
		after = append(after, string(r))
	}
	slices.Sort(after)
	after = slices.Compact(after)
	for _, r := range before {
		if !slices.Contains(after, r) && userID != actor.UserID {
			// A role taken away ends the person's sessions (not the acting person's own).
			if err := endSessionsTx(tx, userID); err != nil {
				return err
			}
			break
		}
	}
	_, err := audit.Audit(tx, audit.Event{Chain: audit.TenantChain(tenantID), ActorID: actor.UserID, TenantID: tenantID, Action: "tenant.roles_changed",
		ObjectType: "user", ObjectID: fmt.Sprint(userID), Details: map[string]any{"before": before, "after": after}})
	return err
}
