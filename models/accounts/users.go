package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/models/store"
)

// User is an account; the same person may hold roles in several Kreise and organisations.
type User struct {
	ID            int64
	Email         string
	Name          string
	PasswordHash  string
	PlatformAdmin bool
	FailedLogins  int
	LockedUntil   *time.Time
	LastLoginAt   *time.Time
	SessionEpoch  int64 // incremented by every password change or reset; ends older sessions
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// NewUserInput is what creating an account needs.
type NewUserInput struct {
	Email    string
	Name     string
	Password string
	// PasswordConfirm, when set, must repeat Password (forms ask for it twice).
	PasswordConfirm *string
}

// Validate checks the input and normalises the e-mail address.
func (in *NewUserInput) Validate() *core.ValidationError {
	in.Email = core.NormalizeEmail(in.Email)
	in.Name = strings.TrimSpace(in.Name)
	v := &core.ValidationError{}
	core.CheckEmail(v, "email", in.Email)
	core.CheckText(v, "name", "Ihren Namen", in.Name, true, 200)
	v.Fields = append(v.Fields, CheckPassword(in.Password, in.Email, in.Name).Fields...)
	if in.PasswordConfirm != nil {
		CheckPasswordConfirm(v, "password_confirm", in.Password, *in.PasswordConfirm)
	}
	return v
}

// insertUser creates the account inside tx; a taken e-mail address is a validation error.
func insertUser(tx *gorm.DB, in NewUserInput, platformAdmin bool) (User, error) {
	if v := in.Validate(); len(v.Fields) > 0 {
		return User{}, v
	}
	hash, err := HashPassword(in.Password)
	if err != nil {
		return User{}, err
	}
	u := User{Email: in.Email, Name: in.Name, PasswordHash: hash, PlatformAdmin: platformAdmin}
	res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&u)
	if res.Error != nil {
		return User{}, fmt.Errorf("insert user: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		v := &core.ValidationError{}
		v.Add("email", "taken", "Für diese E-Mail-Adresse besteht bereits ein Konto. Bitte melden Sie sich an oder setzen Sie Ihr Passwort zurück.")
		return User{}, v
	}
	return u, nil
}

// CreateUser creates an account (the operator's command `user create`), audited on the platform chain.
func CreateUser(ctx context.Context, db *gorm.DB, actorID int64, in NewUserInput, platformAdmin bool) (User, error) {
	var u User
	err := store.InTx(ctx, db, func(tx *gorm.DB) error {
		var err error
		if u, err = insertUser(tx, in, platformAdmin); err != nil {
			return err
		}
		_, err = audit.Audit(tx, audit.Event{Chain: audit.ChainPlatform, ActorID: actorID, Action: "user.created", ObjectType: "user",
			ObjectID: fmt.Sprint(u.ID), Details: map[string]any{"platform_admin": platformAdmin}})
		return err
	})
	return u, err
}

// Authenticate checks e-mail and password. It counts failures, locks the account per
// LockoutUntil, audits every failure as auth.login_failed and a success as auth.login.
// An unknown address and a wrong password give the same error and take the same time.
func Authenticate(ctx context.Context, db *gorm.DB, email, password string, now time.Time) (User, error) {
	email = core.NormalizeEmail(email)
	var u User
	var result error
	err := store.InTx(ctx, db, func(tx *gorm.DB) error {
		res := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("email = ?", email).Limit(1).Find(&u)
		if res.Error != nil {
			return fmt.Errorf("load user: %w", res.Error)
		}
		details := map[string]any{"email": email}
		switch {
		case res.RowsAffected == 0:
			PasswordMatches(password, dummyHash)
			details["reason"] = "unknown_email"
			result = core.ErrInvalidCredentials
		case u.LockedUntil != nil && now.Before(*u.LockedUntil):
			details["reason"] = "locked"
			result = core.ErrLocked
		case !PasswordMatches(password, u.PasswordHash):
			u.FailedLogins++
			until := LockoutUntil(u.FailedLogins, now)
			u.LockedUntil = nil
			if !until.IsZero() {
				u.LockedUntil = &until
				details["locked_until"] = until.UTC().Format(time.RFC3339)
			}
			details["reason"], details["failures"] = "wrong_password", u.FailedLogins
			if err := tx.Model(&u).Updates(map[string]any{"failed_logins": u.FailedLogins, "locked_until": u.LockedUntil}).Error; err != nil {
				return fmt.Errorf("count failure: %w", err)
			}
			result = core.ErrInvalidCredentials
		default:
			reason, blocked := loginBlocked(tx, u)
			if reason == "" && blocked != nil {
				return blocked
			}
			if blocked != nil {
				details["reason"], result = reason, blocked
				break
			}
			if err := tx.Model(&u).Updates(map[string]any{"failed_logins": 0, "locked_until": nil, "last_login_at": now}).Error; err != nil {
				return fmt.Errorf("record login: %w", err)
			}
			_, err := audit.Audit(tx, audit.Event{Chain: audit.ChainPlatform, ActorID: u.ID, Action: "auth.login", ObjectType: "user", ObjectID: fmt.Sprint(u.ID)})
			return err
		}
		var actor int64
		if res.RowsAffected > 0 {
			actor = u.ID
		}
		_, err := audit.Audit(tx, audit.Event{Chain: audit.ChainPlatform, ActorID: actor, Action: "auth.login_failed", ObjectType: "user", ObjectID: fmt.Sprint(u.ID), Details: details})
		return err
	})
	if err != nil {
		return User{}, err
	}
	if errors.Is(result, ErrEmailUnconfirmed) {
		return u, result // the caller may mail a new link (ResendEmailConfirmation)
	}
	if result != nil {
		return User{}, result
	}
	return u, nil
}

// LoadActor loads the user with all Kreis and organisation memberships (two queries).
func LoadActor(ctx context.Context, db *gorm.DB, userID int64) (*core.Actor, error) {
	var u User
	if err := db.WithContext(ctx).First(&u, userID).Error; err != nil {
		return nil, store.NotFound(err, "load actor")
	}
	var rows []struct {
		Kind     string
		ID       int64
		Role     core.Role
		Extended bool // the Kreis or organisation extends the second factor to this role (R29)
	}
	err := db.WithContext(ctx).Raw(`SELECT 't' AS kind, m.tenant_id AS id, m.role, t.second_factor_all_staff AS extended
			FROM tenant_memberships m JOIN tenants t ON t.id = m.tenant_id WHERE m.user_id = ?
		UNION ALL SELECT 'o', m.org_id, m.role, o.second_factor_required FROM organization_members m JOIN organizations o ON o.id = m.org_id
			WHERE m.user_id = ? AND o.locked_at IS NULL
		UNION ALL SELECT 'f', 0, '', true FROM second_factors WHERE user_id = ? AND confirmed_at IS NOT NULL`, userID, userID, userID).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("load memberships: %w", err)
	}
	a := &core.Actor{UserID: u.ID, Name: u.Name, Email: u.Email, PlatformAdmin: u.PlatformAdmin, SessionEpoch: u.SessionEpoch, Tenants: map[int64][]core.Role{}, Orgs: map[int64]core.Role{},
		Guarded: core.Guarded{Tenants: map[int64][]core.Role{}, Orgs: map[int64]core.Role{}, PlatformAdmin: u.PlatformAdmin}}
	for _, r := range rows {
		if r.Kind == "f" {
			a.SecondFactorEnrolled = true
		}
	}
	for _, r := range rows {
		guarded := a.SecondFactorEnrolled || core.RoleNeedsSecondFactor(r.Role, r.Extended)
		switch r.Kind {
		case "t":
			a.Tenants[r.ID] = append(a.Tenants[r.ID], r.Role)
			if guarded {
				a.Guarded.Tenants[r.ID] = append(a.Guarded.Tenants[r.ID], r.Role)
			}
		case "o":
			a.Orgs[r.ID] = r.Role
			if guarded {
				a.Guarded.Orgs[r.ID] = r.Role
			}
		}
	}
	return a, nil
}

// ChangePassword sets a new password after checking the current one; confirm must repeat next.
func ChangePassword(ctx context.Context, db *gorm.DB, actor *core.Actor, current, next, confirm string) error {
	return store.InTx(ctx, db, func(tx *gorm.DB) error { return ChangePasswordTx(tx, actor, current, next, confirm) })
}

// ChangePasswordTx is ChangePassword inside the caller's transaction tx: it checks, locks, writes and
// audits as ChangePassword does, but neither opens nor commits a transaction, so use cases compose.
func ChangePasswordTx(tx *gorm.DB, actor *core.Actor, current string, next string, confirm string) error {
	if actor == nil {
		return fmt.Errorf("change password: %w", core.ErrForbidden)
	}
	var u User
	if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&u, actor.UserID).Error; err != nil {
		return store.NotFound(err, "load user")
	}
	v := &core.ValidationError{}
	if !PasswordMatches(current, u.PasswordHash) {
		v.Add("current_password", "wrong", "Das bisherige Passwort ist nicht korrekt.")
	}
	for _, f := range CheckPassword(next, u.Email, u.Name).Fields {
		v.Add("new_password", f.Code, f.Message)
	}
	CheckPasswordConfirm(v, "new_password_confirm", next, confirm)
	if err := v.OrNil(); err != nil {
		return err
	}
	return setPassword(tx, u, next, "user.password_changed")
}

// setPassword stores the new password's hash, clears a lock-out and increments the
// session epoch, which ends every session created before (app.loadActor compares it).
func setPassword(tx *gorm.DB, u User, password, action string) error {
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	if err := tx.Model(&u).Updates(map[string]any{"password_hash": hash, "failed_logins": 0, "locked_until": nil,
		"session_epoch": gorm.Expr("session_epoch + 1"), "updated_at": gorm.Expr("now()")}).Error; err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	_, err = audit.Audit(tx, audit.Event{Chain: audit.ChainPlatform, ActorID: u.ID, Action: action, ObjectType: "user", ObjectID: fmt.Sprint(u.ID)})
	return err
}

// NewToken returns a random URL-safe token and the SHA-256 that is stored instead of it.
func NewToken() (string, []byte) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	tok := base64.RawURLEncoding.EncodeToString(b)
	return tok, HashToken(tok)
}

// HashToken returns the SHA-256 of a token as stored in the database.
func HashToken(tok string) []byte {
	sum := sha256.Sum256([]byte(tok))
	return sum[:]
}
