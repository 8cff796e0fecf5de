package accounts

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/models/store"
)

// ErrOrgLocked means every organisation of the account is locked by the operator and the
// account holds no other role: it cannot log in.
var ErrOrgLocked = errors.New("organisation gesperrt")

// OrgSummary is one provider organisation in the operator's list.
type OrgSummary struct {
	ID           int64
	Name         string
	City         string
	Kreise       string // the Kreise whose calls it follows, comma-separated
	Members      int
	CreatedAt    time.Time
	LockedAt     *time.Time
	LockedReason string
}

// Locked reports whether the operator locked the organisation.
func (o OrgSummary) Locked() bool { return o.LockedAt != nil }

// OrgOverview lists every provider organisation for the operator (one query): name, the
// Kreise it follows, its number of members, registration date and lock state.
func OrgOverview(ctx context.Context, db *gorm.DB, actor *core.Actor) ([]OrgSummary, error) {
	if !actor.CanCreateTenants() {
		return nil, fmt.Errorf("organisation overview: %w", core.ErrNotFound)
	}
	var out []OrgSummary
	err := db.WithContext(ctx).Raw(`SELECT o.id, o.name, o.city, o.created_at, o.locked_at, o.locked_reason,
			(SELECT count(*) FROM organization_members m WHERE m.org_id = o.id) AS members,
			COALESCE((SELECT string_agg(DISTINCT t.name, ', ' ORDER BY t.name) FROM follows f JOIN calls c ON c.id = f.call_id
				JOIN tenants t ON t.id = c.tenant_id WHERE f.org_id = o.id), '') AS kreise
		FROM organizations o ORDER BY o.name COLLATE german, o.id`).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("organisation overview: %w", err)
	}
	return out, nil
}

// MaxLockReason is the longest reason for a lock, in characters.
const MaxLockReason = 1000

// OrgForLock loads one organisation for the operator's lock form.
func OrgForLock(ctx context.Context, db *gorm.DB, actor *core.Actor, orgID int64) (OrgSummary, error) {
	list, err := OrgOverview(ctx, db, actor)
	if err != nil {
		return OrgSummary{}, err
	}
	for _, o := range list {
		if o.ID == orgID {
			return o, nil
		}
	}
	return OrgSummary{}, fmt.Errorf("organisation %d: %w", orgID, core.ErrNotFound)
}

// LockOrganization locks (lock true, with a reason) or unlocks an organisation; only the
// operator may. Its members lose the organisation from their roles at once (LoadActor)
// and cannot log in unless they hold another role. Audited on the platform chain as
// organization.locked or organization.unlocked; locking a locked organisation (or
// unlocking an unlocked one) is a conflict.
func LockOrganization(ctx context.Context, db *gorm.DB, actor *core.Actor, orgID int64, lock bool, reason string, now time.Time) error {
	if !actor.CanCreateTenants() {
		return fmt.Errorf("lock organisation: %w", core.ErrNotFound)
	}
	reason = strings.TrimSpace(reason)
	if lock {
		v := &core.ValidationError{}
		switch {
		case reason == "" || !utf8.ValidString(reason) || strings.ContainsRune(reason, 0):
			v.Add("reason", "required", "Bitte geben Sie einen Grund für die Sperre an; er wird im Protokoll festgehalten.")
		case utf8.RuneCountInString(reason) > MaxLockReason:
			v.Add("reason", "too_long", fmt.Sprintf("Der Grund darf höchstens %d Zeichen lang sein.", MaxLockReason))
		}
		if err := v.OrNil(); err != nil {
			return err
		}
	} else {
		reason = ""
	}
	return store.InTx(ctx, db, func(tx *gorm.DB) error {
		var lockedAt *time.Time
		if lock {
			lockedAt = &now
		}
		res := tx.Exec(`UPDATE organizations SET locked_at = ?, locked_reason = ? WHERE id = ? AND (locked_at IS NULL) = ?`,
			lockedAt, reason, orgID, lock)
		if res.Error != nil {
			return fmt.Errorf("lock organisation %d: %w", orgID, res.Error)
		}
		if res.RowsAffected == 0 {
			var n int64
			if err := tx.Raw(`SELECT count(*) FROM organizations WHERE id = ?`, orgID).Scan(&n).Error; err != nil {
				return fmt.Errorf("load organisation %d: %w", orgID, err)
			}
			if n == 0 {
				return fmt.Errorf("organisation %d: %w", orgID, core.ErrNotFound)
			}
			if lock {
				return core.Conflict("Diese Organisation ist bereits gesperrt.")
			}
			return core.Conflict("Diese Organisation ist nicht gesperrt.")
		}
		action, details := "organization.unlocked", map[string]any{}
		if lock {
			action, details["reason"] = "organization.locked", reason
		}
		_, err := audit.Audit(tx, audit.Event{Chain: audit.ChainPlatform, ActorID: actor.UserID, Action: action,
			ObjectType: "organization", ObjectID: fmt.Sprint(orgID), Details: details})
		return err
	})
}

// LockedMember reports whether userID is a member of the locked organisation orgID.
func LockedMember(ctx context.Context, db *gorm.DB, userID, orgID int64) (bool, error) {
	var n int64
	err := db.WithContext(ctx).Raw(`SELECT count(*) FROM organization_members m JOIN organizations o ON o.id = m.org_id
		WHERE m.user_id = ? AND m.org_id = ? AND o.locked_at IS NOT NULL`, userID, orgID).Scan(&n).Error
	if err != nil {
		return false, fmt.Errorf("locked membership: %w", err)
	}
	return n > 0, nil
}

// onlyLockedOrgs reports whether the account's only roles are memberships in locked
// organisations (it then may not log in).
func onlyLockedOrgs(tx *gorm.DB, u User) (bool, error) {
	if u.PlatformAdmin {
		return false, nil
	}
	var r struct{ Locked, Other int64 }
	err := tx.Raw(`SELECT
			(SELECT count(*) FROM organization_members m JOIN organizations o ON o.id = m.org_id WHERE m.user_id = @u AND o.locked_at IS NOT NULL) AS locked,
			(SELECT count(*) FROM organization_members m JOIN organizations o ON o.id = m.org_id WHERE m.user_id = @u AND o.locked_at IS NULL)
			+ (SELECT count(*) FROM tenant_memberships WHERE user_id = @u) AS other`, map[string]any{"u": u.ID}).Scan(&r).Error
	if err != nil {
		return false, fmt.Errorf("memberships of user %d: %w", u.ID, err)
	}
	return r.Locked > 0 && r.Other == 0, nil
}
