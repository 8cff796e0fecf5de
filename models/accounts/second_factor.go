package accounts

import (
	"context"
	"fmt"
	"time"

	"github.com/pquerna/otp"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/models/store"
	"kimibv/models/vault"
)

// SecondFactor is a user's TOTP enrolment (rules.md R29); the secret stays sealed.
type SecondFactor struct {
	UserID       int64 `gorm:"primaryKey"`
	SecretSealed []byte
	ConfirmedAt  *time.Time
	LastStep     int64
	CreatedAt    time.Time
}

// SecondFactorStatus is what the account page shows about the second factor.
type SecondFactorStatus struct {
	ConfirmedAt   *time.Time // nil: not enrolled
	Pending       bool       // an enrolment awaits its first code
	RecoveryCodes int        // unused recovery codes
}

// msgWrongCode is the same for a wrong, an expired and a reused code.
const msgWrongCode = "Der Code ist nicht gültig. Bitte geben Sie den aktuellen sechsstelligen Code aus Ihrer App ein (jeder Code gilt nur einmal) oder einen unverbrauchten Wiederherstellungscode."

// SecondFactorStatusOf returns the second factor's state of userID.
func SecondFactorStatusOf(ctx context.Context, db *gorm.DB, userID int64) (SecondFactorStatus, error) {
	var st SecondFactorStatus
	var f SecondFactor
	res := db.WithContext(ctx).Where("user_id = ?", userID).Limit(1).Find(&f)
	if res.Error != nil {
		return st, fmt.Errorf("load second factor: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return st, nil
	}
	st.ConfirmedAt, st.Pending = f.ConfirmedAt, f.ConfirmedAt == nil
	var n int64
	if err := db.WithContext(ctx).Table("recovery_codes").Where("user_id = ? AND used_at IS NULL", userID).Count(&n).Error; err != nil {
		return st, fmt.Errorf("count recovery codes: %w", err)
	}
	st.RecoveryCodes = int(n)
	return st, nil
}

// StartSecondFactor creates a new secret awaiting confirmation (replacing an unconfirmed
// one). A confirmed factor is replaced only by re-enrolment (ResetSecondFactor).
func StartSecondFactor(ctx context.Context, db *gorm.DB, actor *core.Actor, now time.Time) error {
	return store.InTx(ctx, db, func(tx *gorm.DB) error {
		var confirmed int64
		if err := tx.Raw(`SELECT count(*) FROM second_factors WHERE user_id = ? AND confirmed_at IS NOT NULL`, actor.UserID).Scan(&confirmed).Error; err != nil {
			return fmt.Errorf("load second factor: %w", err)
		}
		if confirmed > 0 {
			return core.Conflict("Ihr zweiter Faktor ist bereits eingerichtet. Ein neues Gerät richtet Ihnen die Kreisadministration (oder der Betrieb) durch eine Neueinrichtung ein.")
		}
		key, err := newTOTPKey(actor.Email)
		if err != nil {
			return fmt.Errorf("new TOTP secret: %w", err)
		}
		return storeSecret(tx, actor.UserID, key.Secret(), nil, now)
	})
}

// storeSecret seals secret with the vault and stores it for userID (confirmed at confirmedAt, or pending).
func storeSecret(tx *gorm.DB, userID int64, secret string, confirmedAt *time.Time, now time.Time) error {
	v, err := vault.BoundVault(tx)
	if err != nil {
		return err
	}
	sealed, err := v.SealTo(tx, vault.SecondFactorScope(), []byte(secret))
	if err != nil {
		return err
	}
	f := SecondFactor{UserID: userID, SecretSealed: sealed, ConfirmedAt: confirmedAt, CreatedAt: now}
	if err := tx.Clauses(clause.OnConflict{UpdateAll: true}).Create(&f).Error; err != nil {
		return fmt.Errorf("store second factor: %w", err)
	}
	return nil
}

// openSecret decrypts the stored secret of f.
func openSecret(tx *gorm.DB, f SecondFactor) (string, error) {
	v, err := vault.BoundVault(tx)
	if err != nil {
		return "", err
	}
	plain, err := v.OpenFrom(tx, vault.SecondFactorScope(), f.SecretSealed)
	if err != nil {
		return "", fmt.Errorf("open second factor: %w", err)
	}
	return string(plain), nil
}

// PendingSecondFactorKey returns the key of actor's unconfirmed enrolment (QR code and
// manual key), ErrNotFound when none awaits confirmation.
func PendingSecondFactorKey(ctx context.Context, db *gorm.DB, actor *core.Actor) (*otp.Key, error) {
	var f SecondFactor
	res := db.WithContext(ctx).Where("user_id = ? AND confirmed_at IS NULL", actor.UserID).Limit(1).Find(&f)
	if res.Error != nil {
		return nil, fmt.Errorf("load second factor: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, fmt.Errorf("pending second factor: %w", core.ErrNotFound)
	}
	secret, err := openSecret(db.WithContext(ctx), f)
	if err != nil {
		return nil, err
	}
	return totpKey(actor.Email, secret)
}

// ConfirmSecondFactor checks the first code of the pending enrolment, confirms it and
// returns the ten recovery codes (shown once; only their hashes are stored).
func ConfirmSecondFactor(ctx context.Context, db *gorm.DB, actor *core.Actor, code string, now time.Time) ([]string, error) {
	var codes []string
	err := store.InTx(ctx, db, func(tx *gorm.DB) error {
		var f SecondFactor
		res := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("user_id = ? AND confirmed_at IS NULL", actor.UserID).Limit(1).Find(&f)
		if res.Error != nil {
			return fmt.Errorf("load second factor: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return core.Conflict("Es wartet keine Einrichtung auf ihre Bestätigung. Bitte beginnen Sie die Einrichtung neu.")
		}
		secret, err := openSecret(tx, f)
		if err != nil {
			return err
		}
		c, kind := normalizeCode(code)
		step, ok := matchTOTP(secret, c, now, 0)
		if kind != codeTOTP || !ok {
			v := &core.ValidationError{}
			v.Add("code", "wrong", "Der Code passt nicht zum Schlüssel. Bitte prüfen Sie die Uhrzeit Ihres Geräts und geben Sie den aktuellen sechsstelligen Code ein.")
			return v
		}
		if err := tx.Model(&f).Updates(map[string]any{"confirmed_at": now, "last_step": step}).Error; err != nil {
			return fmt.Errorf("confirm second factor: %w", err)
		}
		if codes, err = issueRecoveryCodes(tx, actor.UserID); err != nil {
			return err
		}
		_, err = audit.Audit(tx, audit.Event{Chain: audit.ChainPlatform, ActorID: actor.UserID, Action: "auth.second_factor_enrolled", ObjectType: "user", ObjectID: fmt.Sprint(actor.UserID)})
		return err
	})
	return codes, err
}

// issueRecoveryCodes replaces userID's recovery codes by RecoveryCodeCount new ones.
func issueRecoveryCodes(tx *gorm.DB, userID int64) ([]string, error) {
	if err := tx.Exec(`DELETE FROM recovery_codes WHERE user_id = ?`, userID).Error; err != nil {
		return nil, fmt.Errorf("drop recovery codes: %w", err)
	}
	codes := make([]string, 0, RecoveryCodeCount)
	for range RecoveryCodeCount {
		c, err := newRecoveryCode()
		if err != nil {
			return nil, fmt.Errorf("recovery code: %w", err)
		}
		norm, _ := normalizeCode(c)
		hash, err := HashPassword(norm)
		if err != nil {
			return nil, err
		}
		if err := tx.Exec(`INSERT INTO recovery_codes (user_id, lookup, code_hash) VALUES (?, ?, ?)`, userID, norm[:4], hash).Error; err != nil {
			return nil, fmt.Errorf("store recovery code: %w", err)
		}
		codes = append(codes, c)
	}
	return codes, nil
}

// VerifySecondFactor checks a code (TOTP or recovery code) at login or re-authentication.
// A wrong, reused or malformed code counts as a failed login towards the lock-out
// (LockoutUntil); a locked account is refused with core.ErrLocked without checking.
// Both outcomes are audited (auth.second_factor, auth.second_factor_failed).
func VerifySecondFactor(ctx context.Context, db *gorm.DB, userID int64, code string, now time.Time) error {
	var result error
	err := store.InTx(ctx, db, func(tx *gorm.DB) error {
		var u User
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&u, userID).Error; err != nil {
			return store.NotFound(err, "load user")
		}
		if u.LockedUntil != nil && now.Before(*u.LockedUntil) {
			result = core.ErrLocked
			return auditCode(tx, userID, "auth.second_factor_failed", map[string]any{"reason": "locked"})
		}
		how, err := checkCode(tx, userID, code, now)
		if err != nil {
			return err
		}
		if how == "" {
			u.FailedLogins++
			details := map[string]any{"reason": "wrong_code", "failures": u.FailedLogins}
			u.LockedUntil = nil
			if until := LockoutUntil(u.FailedLogins, now); !until.IsZero() {
				u.LockedUntil = &until
				details["locked_until"] = until.UTC().Format(time.RFC3339)
			}
			if err := tx.Model(&u).Updates(map[string]any{"failed_logins": u.FailedLogins, "locked_until": u.LockedUntil}).Error; err != nil {
				return fmt.Errorf("count failure: %w", err)
			}
			v := &core.ValidationError{}
			v.Add("code", "wrong", msgWrongCode)
			result = v
			return auditCode(tx, userID, "auth.second_factor_failed", details)
		}
		if err := tx.Model(&u).Updates(map[string]any{"failed_logins": 0, "locked_until": nil}).Error; err != nil {
			return fmt.Errorf("record code: %w", err)
		}
		return auditCode(tx, userID, "auth.second_factor", map[string]any{"method": how})
	})
	if err != nil {
		return err
	}
	return result
}

// checkCode returns "totp" or "recovery_code" for an accepted code (marking it used), ""
// for a refused one. A user without a confirmed factor has no valid code.
func checkCode(tx *gorm.DB, userID int64, code string, now time.Time) (string, error) {
	var f SecondFactor
	res := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("user_id = ? AND confirmed_at IS NOT NULL", userID).Limit(1).Find(&f)
	if res.Error != nil {
		return "", fmt.Errorf("load second factor: %w", res.Error)
	}
	c, kind := normalizeCode(code)
	if res.RowsAffected == 0 || kind == codeInvalid {
		return "", nil
	}
	if kind == codeRecovery {
		var rows []struct {
			ID       int64
			CodeHash string
		}
		if err := tx.Raw(`SELECT id, code_hash FROM recovery_codes WHERE user_id = ? AND lookup = ? AND used_at IS NULL`, userID, c[:4]).Scan(&rows).Error; err != nil {
			return "", fmt.Errorf("load recovery codes: %w", err)
		}
		for _, r := range rows {
			if PasswordMatches(c, r.CodeHash) {
				if err := tx.Exec(`UPDATE recovery_codes SET used_at = ? WHERE id = ?`, now, r.ID).Error; err != nil {
					return "", fmt.Errorf("use recovery code: %w", err)
				}
				return "recovery_code", nil
			}
		}
		return "", nil
	}
	secret, err := openSecret(tx, f)
	if err != nil {
		return "", err
	}
	step, ok := matchTOTP(secret, c, now, f.LastStep)
	if !ok {
		return "", nil
	}
	if err := tx.Model(&f).Update("last_step", step).Error; err != nil {
		return "", fmt.Errorf("record code step: %w", err)
	}
	return "totp", nil
}

// auditCode writes the platform chain's entry about a code of userID.
func auditCode(tx *gorm.DB, userID int64, action string, details map[string]any) error {
	_, err := audit.Audit(tx, audit.Event{Chain: audit.ChainPlatform, ActorID: userID, Action: action, ObjectType: "user", ObjectID: fmt.Sprint(userID), Details: details})
	return err
}
