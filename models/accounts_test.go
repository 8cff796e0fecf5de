package models_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"

	"kimibv/models/accounts"
	"kimibv/models/core"
	"kimibv/models/dbtest"
)

const accPassword = "Grüne Wiese am Fluss 7"

// accToken returns the token of the newest mail to addr whose body links to path/TOKEN.
func accToken(t *testing.T, db *gorm.DB, addr, path string) string {
	t.Helper()
	var body string
	if mails := dbtest.MailsTo(t, db, addr, ""); len(mails) > 0 {
		body = mails[len(mails)-1].Body
	}
	m := regexp.MustCompile(regexp.QuoteMeta(path) + `/([A-Za-z0-9_-]{20,})`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %s link in mail to %s: %q", path, addr, body)
	}
	return m[1]
}

// accUser creates an account and returns it as an actor.
func accUser(t *testing.T, db *gorm.DB, email, name string) *core.Actor {
	t.Helper()
	u, err := accounts.CreateUser(context.Background(), db, 0, accounts.NewUserInput{Email: email, Name: name, Password: accPassword}, false)
	if err != nil {
		t.Fatal(err)
	}
	a, err := accounts.LoadActor(context.Background(), db, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestCheckPasswordConfirm(t *testing.T) {
	t.Parallel()
	cases := []struct{ pw, confirm, code string }{
		{"Grüne Wiese 7", "Grüne Wiese 7", ""},
		{"Grüne Wiese 7", "", "required"},
		{"Grüne Wiese 7", "grüne Wiese 7", "mismatch"},
		{"Grüne Wiese 7", "Grüne Wiese 7 ", "mismatch"},
	}
	for _, tc := range cases {
		v := &core.ValidationError{}
		accounts.CheckPasswordConfirm(v, "password_confirm", tc.pw, tc.confirm)
		switch {
		case tc.code == "" && len(v.Fields) != 0:
			t.Errorf("%q/%q: unexpected %v", tc.pw, tc.confirm, v.Codes())
		case tc.code != "" && !slices.Equal(v.Codes(), []string{"password_confirm:" + tc.code}):
			t.Errorf("%q/%q: got %v, want %s", tc.pw, tc.confirm, v.Codes(), tc.code)
		}
	}
}

func TestPasswordResetIsOneTimeAndExpires(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t).DB
	ctx, now := context.Background(), time.Now()
	accUser(t, db, "jana@kreis.example", "Jana Leitner")

	if err := accounts.RequestPasswordReset(ctx, db, " Jana@Kreis.example ", "https://kimibv.test", now); err != nil {
		t.Fatal(err)
	}
	tok := accToken(t, db, "jana@kreis.example", "https://kimibv.test/passwort-zuruecksetzen")
	if ok, err := accounts.PasswordResetValid(ctx, db, tok, now); err != nil || !ok {
		t.Fatalf("fresh token not valid: %v %v", ok, err)
	}
	// A mismatching confirmation is refused and leaves the token usable.
	wantCodes(t, accounts.ResetPassword(ctx, db, tok, "Neues Passwort am Fluss", "Neues Passwort am See", now), "password_confirm:mismatch")
	wantCodes(t, accounts.ResetPassword(ctx, db, tok, "kurz", "kurz", now), "password:too_short")
	if err := accounts.ResetPassword(ctx, db, tok, "Neues Passwort am Fluss", "Neues Passwort am Fluss", now); err != nil {
		t.Fatal(err)
	}
	if n := dbtest.Count(t, db, `SELECT count(*) FROM audit_log WHERE action = 'auth.password_reset'`); n != 1 {
		t.Fatalf("password_reset audited %d times", n)
	}
	if _, err := accounts.Authenticate(ctx, db, "jana@kreis.example", "Neues Passwort am Fluss", now); err != nil {
		t.Fatalf("new password does not work: %v", err)
	}
	// One time only.
	if err := accounts.ResetPassword(ctx, db, tok, "Noch ein Passwort am See", "Noch ein Passwort am See", now); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("second use: %v", err)
	}
	if ok, _ := accounts.PasswordResetValid(ctx, db, tok, now); ok {
		t.Fatal("used token still valid")
	}

	// Expiry after one hour.
	if err := accounts.RequestPasswordReset(ctx, db, "jana@kreis.example", "https://kimibv.test", now); err != nil {
		t.Fatal(err)
	}
	tok2 := accToken(t, db, "jana@kreis.example", "https://kimibv.test/passwort-zuruecksetzen")
	later := now.Add(accounts.PasswordResetValidity + time.Second)
	if ok, _ := accounts.PasswordResetValid(ctx, db, tok2, later); ok {
		t.Fatal("expired token valid")
	}
	if err := accounts.ResetPassword(ctx, db, tok2, "Noch ein Passwort am See", "Noch ein Passwort am See", later); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("expired token: %v", err)
	}
}

func TestPasswordResetForUnknownAddressIsNeutral(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t).DB
	ctx := context.Background()
	if err := accounts.RequestPasswordReset(ctx, db, "niemand@kreis.example", "https://kimibv.test", time.Now()); err != nil {
		t.Fatalf("unknown address must answer like a known one: %v", err)
	}
	if n := dbtest.Count(t, db, `SELECT count(*) FROM outbox`) + dbtest.Count(t, db, `SELECT count(*) FROM password_resets`); n != 0 {
		t.Fatalf("mail or token written for an unknown address: %d", n)
	}
	if n := dbtest.Count(t, db, `SELECT count(*) FROM audit_log WHERE action = 'auth.password_reset_requested' AND actor_id IS NULL AND details LIKE '%"known":false%'`); n != 1 {
		t.Fatalf("unknown request audited %d times", n)
	}
	wantCodes(t, accounts.RequestPasswordReset(ctx, db, "keine-adresse", "https://kimibv.test", time.Now()), "email:invalid")
}

func TestChangePassword(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t).DB
	ctx := context.Background()
	a := accUser(t, db, "jana@kreis.example", "Jana Leitner")
	wantCodes(t, accounts.ChangePassword(ctx, db, a, "falsch", "Ein neues gutes Passwort", "Ein neues gutes Passwort anders"),
		"current_password:wrong", "new_password_confirm:mismatch")
	wantCodes(t, accounts.ChangePassword(ctx, db, a, accPassword, "kurz", "kurz"), "new_password:too_short")
	if n := dbtest.Count(t, db, `SELECT count(*) FROM audit_log WHERE action = 'user.password_changed'`); n != 0 {
		t.Fatalf("refused change audited: %d", n)
	}
	if err := accounts.ChangePassword(ctx, db, a, accPassword, "Ein neues gutes Passwort", "Ein neues gutes Passwort"); err != nil {
		t.Fatal(err)
	}
	if _, err := accounts.Authenticate(ctx, db, a.Email, "Ein neues gutes Passwort", time.Now()); err != nil {
		t.Fatal(err)
	}
	if n := dbtest.Count(t, db, `SELECT count(*) FROM audit_log WHERE action = 'user.password_changed' AND actor_id = ?`, a.UserID); n != 1 {
		t.Fatalf("change audited %d times", n)
	}
}

// accOrgInput is a valid organisation.
func accOrgInput(name string) accounts.OrgInput {
	return accounts.OrgInput{Name: name, LegalForm: accounts.LegalForms[0], Street: "Hauptstraße 1", PostalCode: "57001", City: "Musterstadt",
		Association: accounts.Associations[4], Email: "info@verein.example"}
}

// accRegister registers an organisation and returns it with its administrator as actor.
func accRegister(t *testing.T, db *gorm.DB, name, email string) (*accounts.Organization, *core.Actor) {
	t.Helper()
	confirm := accPassword
	o, u, err := accounts.RegisterProvider(context.Background(), db, accounts.Registration{Org: accOrgInput(name),
		User: accounts.NewUserInput{Email: email, Name: "Andrea Admin", Password: accPassword, PasswordConfirm: &confirm}, PrivacyAccepted: true}, "http://kimibv.test", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	a, err := accounts.LoadActor(context.Background(), db, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return o, a
}

func TestRegisterProvider(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t).DB
	ctx := context.Background()
	o, admin := accRegister(t, db, "Brückenschlag e. V.", "admin@bruecke.example")
	if !admin.IsOrgAdmin(o.ID) {
		t.Fatal("first user is not the administrator")
	}
	if n := dbtest.Count(t, db, `SELECT count(*) FROM audit_log WHERE action = 'organization.registered' AND object_id = ? AND details LIKE '%"privacy_notice_acknowledged":true%'`,
		fmt.Sprint(o.ID)); n != 1 {
		t.Fatalf("registration audited %d times", n)
	}
	counts := func() [3]int64 {
		return [3]int64{dbtest.Count(t, db, `SELECT count(*) FROM organizations`), dbtest.Count(t, db, `SELECT count(*) FROM users`), dbtest.Count(t, db, `SELECT count(*) FROM audit_log`)}
	}
	before := counts()
	confirm, other := accPassword, "anders"
	user := func(email string, confirm *string) accounts.NewUserInput {
		return accounts.NewUserInput{Email: email, Name: "Zweite Person", Password: accPassword, PasswordConfirm: confirm}
	}
	// The same name in other case, and an existing e-mail address: nothing written.
	_, _, err := accounts.RegisterProvider(ctx, db, accounts.Registration{Org: accOrgInput("BRÜCKENSCHLAG E. V."), User: user("neu@bruecke.example", &confirm), PrivacyAccepted: true}, "http://kimibv.test", time.Now())
	wantCodes(t, err, "org_name:taken")
	_, _, err = accounts.RegisterProvider(ctx, db, accounts.Registration{Org: accOrgInput("Anderer Verein e. V."), User: user("ADMIN@bruecke.example", &confirm), PrivacyAccepted: true}, "http://kimibv.test", time.Now())
	wantCodes(t, err, "email:taken")
	_, _, err = accounts.RegisterProvider(ctx, db, accounts.Registration{Org: accOrgInput("Anderer Verein e. V."), User: user("neu@bruecke.example", &other)}, "http://kimibv.test", time.Now())
	wantCodes(t, err, "password_confirm:mismatch", "privacy:required")
	bad := accOrgInput("X")
	bad.LegalForm, bad.PostalCode, bad.Email = "GmbH & Co. KG", "1234", ""
	_, _, err = accounts.RegisterProvider(ctx, db, accounts.Registration{Org: bad, User: user("neu@bruecke.example", &confirm), PrivacyAccepted: true}, "http://kimibv.test", time.Now())
	wantCodes(t, err, "org_name:too_short", "legal_form:invalid", "postal_code:invalid", "org_email:required")
	if after := counts(); after != before {
		t.Fatalf("refused registrations wrote something: %v → %v", before, after)
	}
}
