package accounts

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/models/postbox"
	"kimibv/models/store"
)

// EmailConfirmationValidity is how long a confirmation link of a self-registration can be used.
const EmailConfirmationValidity = 48 * time.Hour

// ErrEmailUnconfirmed means the password was right but the account's e-mail address is not
// confirmed yet: it cannot log in.
var ErrEmailUnconfirmed = errors.New("e-mail-adresse nicht bestätigt")

// confirmation asks registerOrganization to leave the new account unconfirmed and to mail
// it a confirmation link.
type confirmation struct {
	baseURL string
	now     time.Time
}

// sendEmailConfirmationTx stores a new one-time token for u (only its hash), queues the
// mail with the link in the outbox and audits it, inside tx.
func sendEmailConfirmationTx(tx *gorm.DB, u User, baseURL string, now time.Time) error {
	tok, hash := NewToken()
	expires := now.Add(EmailConfirmationValidity)
	// The hash must not follow "(" directly: GORM would expand the byte slice into a list.
	if err := tx.Exec(`INSERT INTO email_confirmations (user_id, token_hash, expires_at) VALUES (?, ?, ?)`, u.ID, hash, expires).Error; err != nil {
		return fmt.Errorf("store confirmation token: %w", err)
	}
	body := fmt.Sprintf("Guten Tag %s,\n\nSie haben bei kimibv ein Konto für Ihre Organisation angelegt. "+
		"Bitte bestätigen Sie Ihre E-Mail-Adresse bis %s über diesen Link:\n%s/registrieren/bestaetigen/%s\n\n"+
		"Erst danach können Sie sich anmelden. Der Link kann nur einmal verwendet werden. "+
		"Wenn Sie sich nicht registriert haben, können Sie diese E-Mail ignorieren.\n",
		u.Name, core.FormatDateTime(expires), baseURL, tok)
	if err := postbox.EnqueueMail(tx, postbox.Mail{ToAddr: u.Email, Subject: "kimibv: E-Mail-Adresse bestätigen", Body: body, Kind: "email_confirmation"}); err != nil {
		return err
	}
	_, err := audit.Audit(tx, audit.Event{Chain: audit.ChainPlatform, ActorID: u.ID, Action: "auth.email_confirmation_sent",
		ObjectType: "user", ObjectID: fmt.Sprint(u.ID), Details: map[string]any{"expires_at": expires.UTC().Format(time.RFC3339)}})
	return err
}

// ConfirmEmail confirms the address of the account a valid, unused, unexpired token
// belongs to and uses the token up (audited as auth.email_confirmed). Anything else is
// ErrNotFound.
func ConfirmEmail(ctx context.Context, db *gorm.DB, token string, now time.Time) (User, error) {
	var u User
	err := store.InTx(ctx, db, func(tx *gorm.DB) error {
		var userID int64
		res := tx.Raw(`UPDATE email_confirmations SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING user_id`,
			now, HashToken(token), now).Scan(&userID)
		if res.Error != nil {
			return fmt.Errorf("use confirmation token: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("confirmation token: %w", core.ErrNotFound)
		}
		if err := tx.Exec(`UPDATE users SET email_confirmed_at = COALESCE(email_confirmed_at, ?) WHERE id = ?`, now, userID).Error; err != nil {
			return fmt.Errorf("confirm user %d: %w", userID, err)
		}
		if err := tx.First(&u, userID).Error; err != nil {
			return store.NotFound(err, "load user")
		}
		_, err := audit.Audit(tx, audit.Event{Chain: audit.ChainPlatform, ActorID: u.ID, Action: "auth.email_confirmed", ObjectType: "user", ObjectID: fmt.Sprint(u.ID)})
		return err
	})
	return u, err
}

// ResendEmailConfirmation mails a new link to an unconfirmed account whose links have all
// expired or been used; it reports whether it sent one. The login calls it after the right
// password of an unconfirmed account, so that an expired link does not lock anybody out.
func ResendEmailConfirmation(ctx context.Context, db *gorm.DB, userID int64, baseURL string, now time.Time) (bool, error) {
	sent := false
	err := store.InTx(ctx, db, func(tx *gorm.DB) error {
		var u User
		if err := tx.Raw(`SELECT * FROM users WHERE id = ? AND email_confirmed_at IS NULL FOR UPDATE`, userID).Scan(&u).Error; err != nil {
			return fmt.Errorf("load user %d: %w", userID, err)
		}
		if u.ID == 0 {
			return nil
		}
		var valid int64
		if err := tx.Raw(`SELECT count(*) FROM email_confirmations WHERE user_id = ? AND used_at IS NULL AND expires_at > ?`, userID, now).Scan(&valid).Error; err != nil {
			return fmt.Errorf("confirmation tokens of user %d: %w", userID, err)
		}
		if valid > 0 {
			return nil
		}
		sent = true
		return sendEmailConfirmationTx(tx, u, baseURL, now)
	})
	return sent, err
}

// loginBlocked returns why an account with the right password may not log in (nil: it may).
func loginBlocked(tx *gorm.DB, u User) (string, error) {
	var st struct{ Confirmed, Locked bool }
	if err := tx.Raw(`SELECT email_confirmed_at IS NOT NULL AS confirmed, locked_at IS NOT NULL AS locked FROM users WHERE id = ?`, u.ID).Scan(&st).Error; err != nil {
		return "", fmt.Errorf("confirmation of user %d: %w", u.ID, err)
	}
	if st.Locked {
		return "user_locked", ErrUserLocked
	}
	if !st.Confirmed {
		return "unconfirmed", ErrEmailUnconfirmed
	}
	locked, err := onlyLockedOrgs(tx, u)
	if err != nil {
		return "", err
	}
	if locked {
		return "org_locked", ErrOrgLocked
	}
	only, err := ssoOnly(tx, u)
	if err != nil {
		return "", err
	}
	if only {
		return "sso_only", ErrSSOOnly
	}
	return "", nil
}

// EmailConfirmationValid reports whether token is an unused, unexpired confirmation token.
func EmailConfirmationValid(ctx context.Context, db *gorm.DB, token string, now time.Time) (bool, error) {
	var n int64
	err := db.WithContext(ctx).Raw(`SELECT count(*) FROM email_confirmations WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?`,
		HashToken(token), now).Scan(&n).Error
	if err != nil {
		return false, fmt.Errorf("check confirmation token: %w", err)
	}
	return n > 0, nil
}
