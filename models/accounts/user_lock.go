package accounts

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/models/store"
)

// ErrUserLocked means the operator locked the account: it cannot log in.
var ErrUserLocked = errors.New("konto gesperrt")

// UserSummary is one account as the operator's user search shows it.
type UserSummary struct {
	ID           int64
	Name         string
	Email        string
	CreatedAt    time.Time
	LastLoginAt  *time.Time
	LockedAt     *time.Time
	LockedReason string
}

// Locked reports whether the operator locked the account.
func (u UserSummary) Locked() bool { return u.LockedAt != nil }

// FindUsers lists up to 50 accounts whose e-mail address or name contains q, for the
// operator (an empty q lists nothing).
func FindUsers(ctx context.Context, db *gorm.DB, actor *core.Actor, q string) ([]UserSummary, error) {
	if !actor.CanCreateTenants() {
		return nil, fmt.Errorf("find users: %w", core.ErrNotFound)
	}
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, nil
	}
	like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(strings.ToLower(q)) + "%"
	var out []UserSummary
	err := db.WithContext(ctx).Raw(`SELECT id, name, email, created_at, last_login_at, locked_at, locked_reason FROM users
		WHERE lower(email) LIKE ? OR lower(name) LIKE ? ORDER BY email, id LIMIT 50`, like, like).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("find users: %w", err)
	}
	return out, nil
}

// LockUser locks (lock true, with a reason) or unlocks an account; only the operator may,
// and not their own. A locked account cannot log in and its sessions end at once.
// Audited on the platform chain as user.locked or user.unlocked; locking a locked
// account (or unlocking an unlocked one) is a conflict.
func LockUser(ctx context.Context, db *gorm.DB, actor *core.Actor, userID int64, lock bool, reason string, now time.Time) error {
	if !actor.CanCreateTenants() {
		return fmt.Errorf("lock user: %w", core.ErrNotFound)
	}
	reason = strings.TrimSpace(reason)
	v := &core.ValidationError{}
	switch {
	case !lock:
		reason = ""
	case userID == actor.UserID:
		v.Add("reason", "self", "Sie können Ihr eigenes Konto nicht sperren.")
	default:
		core.CheckText(v, "reason", "einen Grund für die Sperre", reason, true, MaxLockReason)
	}
	if err := v.OrNil(); err != nil {
		return err
	}
	return store.InTx(ctx, db, func(tx *gorm.DB) error {
		var lockedAt *time.Time
		if lock {
			lockedAt = &now
		}
		res := tx.Exec(`UPDATE users SET locked_at = ?, locked_reason = ?, updated_at = now() WHERE id = ? AND (locked_at IS NULL) = ?`,
			lockedAt, reason, userID, lock)
		if res.Error != nil {
			return fmt.Errorf("lock user %d: %w", userID, res.Error)
		}
		if res.RowsAffected == 0 {
			var n int64
			if err := tx.Raw(`SELECT count(*) FROM users WHERE id = ?`, userID).Scan(&n).Error; err != nil {
				return fmt.Errorf("load user %d: %w", userID, err)
			}
			if n == 0 {
				return fmt.Errorf("user %d: %w", userID, core.ErrNotFound)
			}
			if lock {
				return core.Conflict("Dieses Konto ist bereits gesperrt.")
			}
			return core.Conflict("Dieses Konto ist nicht gesperrt.")
		}
		action, details := "user.unlocked", map[string]any{}
		if lock {
			action, details["reason"] = "user.locked", reason
			if err := endSessionsTx(tx, userID); err != nil {
				return err
			}
		}
		_, err := audit.Audit(tx, audit.Event{Chain: audit.ChainPlatform, ActorID: actor.UserID, Action: action,
			ObjectType: "user", ObjectID: fmt.Sprint(userID), Details: details})
		return err
	})
}

// UserForLock loads one account for the operator's lock form.
func UserForLock(ctx context.Context, db *gorm.DB, actor *core.Actor, userID int64) (UserSummary, error) {
	if !actor.CanCreateTenants() {
		return UserSummary{}, fmt.Errorf("user for lock: %w", core.ErrNotFound)
	}
	var out []UserSummary
	if err := db.WithContext(ctx).Raw(`SELECT id, name, email, created_at, last_login_at, locked_at, locked_reason FROM users WHERE id = ?`,
		userID).Scan(&out).Error; err != nil {
		return UserSummary{}, fmt.Errorf("user for lock: %w", err)
	}
	if len(out) == 0 {
		return UserSummary{}, fmt.Errorf("user %d: %w", userID, core.ErrNotFound)
	}
	return out[0], nil
}
