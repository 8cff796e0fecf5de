package dbtest

import (
	"context"
	"fmt"
	"testing"

	"github.com/alexedwards/argon2id"
	"github.com/alexedwards/scs/v2"
	"gorm.io/gorm"

	"kimibv/models/accounts"
	"kimibv/models/demo"
)

// cheapLoginParams are argon2id parameters of almost no cost (64 KiB, one pass). The
// production parameters (64 MiB, three passes) cost about half a second of CPU per
// login under the race detector, and the tests log the demo accounts in thousands of
// times; that hashing was more than half of the CPU time of the app package's tests.
func cheapLoginParams() *argon2id.Params {
	return &argon2id.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}
}

// cheapenDemoLogins stores, for every account of the demo template, an argon2id hash of
// the same demo password with cheapLoginParams. A login still verifies the password
// against its stored argon2id hash, whose PHC string carries its own parameters; only
// the cost differs. accounts.HashPassword (and so every account a test creates) keeps
// the production parameters, which models/accounts tests; a test that measures what a
// real login costs stores an accounts.HashPassword hash for its account itself.
func cheapenDemoLogins(db *gorm.DB) error {
	hash, err := argon2id.CreateHash(demo.Password, cheapLoginParams())
	if err != nil {
		return fmt.Errorf("cheap demo password hash: %w", err)
	}
	if err := db.Exec(`UPDATE users SET password_hash = ?`, hash).Error; err != nil {
		return fmt.Errorf("cheap demo password hashes: %w", err)
	}
	return nil
}

// ConfirmSecondFactor marks the session with token as confirmed with the second factor
// and freshly proved (rules.md R29), as the code page does after a valid code. The test
// harnesses call it after the password login of an account whose roles need the second
// factor, so that tests of other behaviour log in as before and no test depends on a
// time step's code not having been used by an earlier login in the same 30 seconds.
func ConfirmSecondFactor(t testing.TB, db *gorm.DB, token string) {
	t.Helper()
	SetSessionProofs(t, db, token, "second_factor_at = now(), proved_at = now()")
}

// SetSessionProofs sets the proofs of the session with token (the assignments given, on
// its row in user_sessions, whose id the session keeps under "session_row" as app.openSession
// puts it), read through scs's own codec.
func SetSessionProofs(t testing.TB, db *gorm.DB, token, assignments string) {
	t.Helper()
	var data []byte
	if err := db.Raw(`SELECT data FROM sessions WHERE token = ?`, token).Row().Scan(&data); err != nil {
		t.Fatalf("read the session: %v", err)
	}
	_, values, err := scs.GobCodec{}.Decode(data)
	if err != nil {
		t.Fatalf("decode the session: %v", err)
	}
	row, _ := values["session_row"].(int64)
	res := db.Exec(`UPDATE user_sessions SET `+assignments+` WHERE id = ?`, row)
	if res.Error != nil || res.RowsAffected != 1 {
		t.Fatalf("set the proofs of the session: %v (%d rows)", res.Error, res.RowsAffected)
	}
}

// NewUser creates an account with password demo.Password through accounts.CreateUser
// (audited by by, 0 for the system) and then stores that password with cheapLoginParams,
// as for the demo's accounts: the creation hashes once at the production cost, the
// test's logins do not. Tests of registration, invitations and password changes go
// through their use cases instead.
func NewUser(t testing.TB, db *gorm.DB, by int64, email, name string) accounts.User {
	t.Helper()
	u, err := accounts.CreateUser(context.Background(), db, by, accounts.NewUserInput{Email: email, Name: name, Password: demo.Password}, false)
	if err != nil {
		t.Fatalf("create %s: %v", email, err)
	}
	hash, err := argon2id.CreateHash(demo.Password, cheapLoginParams())
	if err == nil {
		err = db.Exec(`UPDATE users SET password_hash = ? WHERE id = ?`, hash, u.ID).Error
	}
	if err != nil {
		t.Fatalf("cheap password hash of %s: %v", email, err)
	}
	return u
}
