package accounts

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/models/store"
)

// ResetSecondFactor removes the second factor and the recovery codes of userID, who
// enrols anew at the next login, and ends the user's sessions (session epoch). The Kreis
// administration resets its staff, the operator the Kreis administrators (R29); nobody
// resets the own factor. Audited as user.second_factor_reset in the Kreis's chain.
func ResetSecondFactor(ctx context.Context, db *gorm.DB, actor *core.Actor, tenantID, userID int64) error {
	return store.InTx(ctx, db, func(tx *gorm.DB) error {
		var roles []core.Role
		if err := tx.Raw(`SELECT role FROM tenant_memberships WHERE tenant_id = ? AND user_id = ?`, tenantID, userID).Scan(&roles).Error; err != nil {
			return fmt.Errorf("load roles: %w", err)
		}
		isAdmin := false
		for _, r := range roles {
			isAdmin = isAdmin || r == core.RoleTenantAdmin
		}
		if len(roles) == 0 || !(actor.CanManageTenant(tenantID) || (actor.CanCreateTenants() && isAdmin)) {
			return fmt.Errorf("reset second factor: %w", core.ErrNotFound)
		}
		if userID == actor.UserID {
			return core.Conflict("Ihren eigenen zweiten Faktor kann nur eine andere administrierende Person oder der Betrieb neu einrichten lassen.")
		}
		var email string
		if err := tx.Raw(`SELECT email FROM users WHERE id = ? FOR UPDATE`, userID).Scan(&email).Error; err != nil {
			return fmt.Errorf("lock user: %w", err)
		}
		res := tx.Exec(`DELETE FROM second_factors WHERE user_id = ?`, userID)
		if res.Error != nil {
			return fmt.Errorf("drop second factor: %w", res.Error)
		}
		if err := tx.Exec(`DELETE FROM recovery_codes WHERE user_id = ?`, userID).Error; err != nil {
			return fmt.Errorf("drop recovery codes: %w", err)
		}
		if err := tx.Exec(`UPDATE users SET session_epoch = session_epoch + 1 WHERE id = ?`, userID).Error; err != nil {
			return fmt.Errorf("end sessions: %w", err)
		}
		_, err := audit.Audit(tx, audit.Event{Chain: audit.TenantChain(tenantID), ActorID: actor.UserID, TenantID: tenantID, Action: "user.second_factor_reset",
			ObjectType: "user", ObjectID: fmt.Sprint(userID), Details: map[string]any{"email": email, "had_factor": res.RowsAffected > 0}})
		return err
	})
}

// EnrolKnownSecondFactor confirms the given secret (base32) as userID's second factor
// without recovery codes. Only the demonstration uses it, whose printed key lets anyone
// sign in as its staff.
func EnrolKnownSecondFactor(ctx context.Context, db *gorm.DB, userID int64, secret string, now time.Time) error {
	return store.InTx(ctx, db, func(tx *gorm.DB) error {
		if err := storeSecret(tx, userID, secret, &now, now); err != nil {
			return err
		}
		return auditCode(tx, userID, "auth.second_factor_enrolled", nil)
	})
}

// SetTenantSecondFactorAllStaff extends the second factor to the Kreis's evaluators and
// council members (on) or limits it to openers, leads and administrators (off).
func SetTenantSecondFactorAllStaff(ctx context.Context, db *gorm.DB, actor *core.Actor, tenantID int64, on bool) error {
	if !actor.CanManageTenant(tenantID) {
		return fmt.Errorf("second factor setting: %w", core.ErrNotFound)
	}
	return store.InTx(ctx, db, func(tx *gorm.DB) error {
		res := tx.Exec(`UPDATE tenants SET second_factor_all_staff = ? WHERE id = ? AND second_factor_all_staff <> ?`, on, tenantID, on)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		_, err := audit.Audit(tx, audit.Event{Chain: audit.TenantChain(tenantID), ActorID: actor.UserID, TenantID: tenantID, Action: "tenant.settings_changed",
			ObjectType: "tenant", ObjectID: fmt.Sprint(tenantID), Details: map[string]any{"changed": map[string]any{"second_factor_all_staff": on}}})
		return err
	})
}

// SetOrgSecondFactor makes the second factor required (on) or optional for the members of
// the organisation orgID; only its administrators may change it.
func SetOrgSecondFactor(ctx context.Context, db *gorm.DB, actor *core.Actor, orgID int64, on bool) error {
	if !actor.IsOrgAdmin(orgID) {
		return fmt.Errorf("second factor setting: %w", core.ErrNotFound)
	}
	return store.InTx(ctx, db, func(tx *gorm.DB) error {
		res := tx.Exec(`UPDATE organizations SET second_factor_required = ? WHERE id = ? AND second_factor_required <> ?`, on, orgID, on)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		_, err := audit.Audit(tx, audit.Event{Chain: audit.ChainPlatform, ActorID: actor.UserID, Action: "organization.updated", ObjectType: "organization",
			ObjectID: fmt.Sprint(orgID), Details: map[string]any{"changed": map[string]any{"second_factor_required": on}}})
		return err
	})
}
