package accounts

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/models/postbox"
	"kimibv/models/store"
)

// PasswordResetValidity is how long a reset link can be used.
const PasswordResetValidity = time.Hour

// RequestPasswordReset queues a one-time reset link for the account with email. The
// answer is the same whether or not the account exists; the request is audited.
func RequestPasswordReset(ctx context.Context, db *gorm.DB, email, baseURL string, now time.Time) error {
	return store.InTx(ctx, db, func(tx *gorm.DB) error { return RequestPasswordResetTx(tx, email, baseURL, now) })
}

// RequestPasswordResetTx is RequestPasswordReset inside the caller's transaction tx: it checks, locks, writes and
// audits as RequestPasswordReset does, but neither opens nor commits a transaction, so use cases compose.
func RequestPasswordResetTx(tx *gorm.DB, email string, baseURL string, now time.Time) error {
	email = core.NormalizeEmail(email)
	v := &core.ValidationError{}
	core.CheckEmail(v, "email", email)
	if err := v.OrNil(); err != nil {
		return err
	}
	var u User
	res := tx.Where("email = ?", email).Limit(1).Find(&u)
	if res.Error != nil {
		return fmt.Errorf("load user: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		_, err := audit.Audit(tx, audit.Event{Chain: audit.ChainPlatform, Action: "auth.password_reset_requested", ObjectType: "user",
			Details: map[string]any{"email": email, "known": false}})
		return err
	}
	tok, hash := NewToken()
	expires := now.Add(PasswordResetValidity)
	// The hash must not follow "(" directly: GORM would expand the byte slice into a list.
	if err := tx.Exec(`INSERT INTO password_resets (user_id, token_hash, expires_at) VALUES (?, ?, ?)`, u.ID, hash, expires).Error; err != nil {
		return fmt.Errorf("store reset token: %w", err)
	}
	body := fmt.Sprintf("Guten Tag %s,\n\nfür Ihr Konto bei kimibv wurde ein neues Passwort angefordert. "+
		"Über diesen Link können Sie es bis %s festlegen:\n%s/passwort-zuruecksetzen/%s\n\n"+
		"Der Link kann nur einmal verwendet werden. Wenn Sie kein neues Passwort angefordert haben, können Sie diese E-Mail ignorieren; Ihr bisheriges Passwort bleibt gültig.\n",
		u.Name, core.FormatDateTime(expires), baseURL, tok)
	if err := postbox.EnqueueMail(tx, postbox.Mail{ToAddr: u.Email, Subject: "kimibv: Passwort zurücksetzen", Body: body, Kind: "password_reset"}); err != nil {
		return err
	}
	_, err := audit.Audit(tx, audit.Event{Chain: audit.ChainPlatform, ActorID: u.ID, Action: "auth.password_reset_requested", ObjectType: "user", ObjectID: fmt.Sprint(u.ID)})
	return err
}

// PasswordResetValid reports whether token is an unused, unexpired reset token.
func PasswordResetValid(ctx context.Context, db *gorm.DB, token string, now time.Time) (bool, error) {
	var n int64
	err := db.WithContext(ctx).Raw(`SELECT count(*) FROM password_resets WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?`,
		HashToken(token), now).Scan(&n).Error
	if err != nil {
		return false, fmt.Errorf("check reset token: %w", err)
	}
	return n > 0, nil
}

// ResetPassword sets a new password with a valid one-time token and uses the token up;
// confirm must repeat password. It also clears a lock-out. An invalid or used token is
// ErrNotFound; after a validation error the token stays usable.
func ResetPassword(ctx context.Context, db *gorm.DB, token, password, confirm string, now time.Time) error {
	return store.InTx(ctx, db, func(tx *gorm.DB) error { return ResetPasswordTx(tx, token, password, confirm, now) })
}

// ResetPasswordTx is ResetPassword inside the caller's transaction tx: it checks, locks, writes and
// audits as ResetPassword does, but neither opens nor commits a transaction, so use cases compose.
func ResetPasswordTx(tx *gorm.DB, token string, password string, confirm string, now time.Time) error {
	var userID int64
	res := tx.Raw(`UPDATE password_resets SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING user_id`,
		now, HashToken(token), now).Scan(&userID)
	if res.Error != nil {
		return fmt.Errorf("use reset token: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("reset token: %w", core.ErrNotFound)
	}
	var u User
	if err := tx.First(&u, userID).Error; err != nil {
		return store.NotFound(err, "load user")
	}
	v := &core.ValidationError{}
	for _, f := range CheckPassword(password, u.Email, u.Name).Fields {
		v.Add("password", f.Code, f.Message)
	}
	CheckPasswordConfirm(v, "password_confirm", password, confirm)
	if err := v.OrNil(); err != nil {
		return err
	}
	return setPassword(tx, u, password, "auth.password_reset")
}
