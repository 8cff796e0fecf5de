package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kimibv/models/accounts"
	"kimibv/models/dbtest"
	"kimibv/models/store"
)

// execSQL runs statements on the database at url (a superuser connection in tests).
func execSQL(t *testing.T, url string, stmts ...string) {
	t.Helper()
	st, err := store.Open(context.Background(), url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, s := range stmts {
		if err := st.DB.Exec(s).Error; err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func TestAuditVerifyCommand(t *testing.T) {
	url := dbtest.NewDemoURL(t)
	t.Setenv("DATABASE_URL", url)
	ctx := context.Background()

	var out bytes.Buffer
	if err := run(ctx, []string{"audit", "verify"}, &out); err != nil {
		t.Fatalf("verify on the demo: %v\n%s", err, out.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) < 4 || !strings.HasSuffix(lines[len(lines)-1], "audit chains verified") {
		t.Fatalf("output:\n%s", out.String())
	}
	for _, l := range lines[:len(lines)-1] {
		if !strings.HasPrefix(l, "OK ") {
			t.Fatalf("chain not OK on the demo: %q", l)
		}
	}
	if !strings.Contains(out.String(), "platform") || !strings.Contains(out.String(), "kreis:1") {
		t.Fatalf("chains missing:\n%s", out.String())
	}

	// Tamper with the third entry of Kreis 1's chain (the trigger must be disabled by the superuser).
	execSQL(t, url, `ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete`,
		`UPDATE audit_log SET action = 'tenant.roles_changed_x' WHERE chain = 'kreis:1' AND seq = 3`,
		`ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update_delete`)
	out.Reset()
	err := run(ctx, []string{"audit", "verify"}, &out)
	if err == nil || !strings.Contains(err.Error(), "1 of") {
		t.Fatalf("verify after tampering: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "BROKEN  kreis:1") || !strings.Contains(out.String(), "first broken entry 3: Inhalt verändert") {
		t.Fatalf("broken entry not named:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "OK      platform") {
		t.Fatalf("untouched chain not OK:\n%s", out.String())
	}
	// One chain can be verified on its own.
	out.Reset()
	if err := run(ctx, []string{"audit", "verify", "platform"}, &out); err != nil || strings.Contains(out.String(), "kreis:1") {
		t.Fatalf("verify platform: %v\n%s", err, out.String())
	}
}

func TestUserCreateCommand(t *testing.T) {
	url := dbtest.NewURL(t)
	t.Setenv("DATABASE_URL", url)
	ctx := context.Background()
	st, err := store.Open(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	count := func(q string) int64 {
		var n int64
		if err := st.DB.Raw(q).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}

	// A weak password is refused with the German message and nothing is written.
	t.Setenv("KIMIBV_NEW_PASSWORD", "kurz")
	var out bytes.Buffer
	err = run(ctx, []string{"user", "create", "--email", "betrieb@kreis.example", "--name", "Otto Operator", "--platform-admin"}, &out)
	if err == nil || !strings.Contains(err.Error(), "Das Passwort muss mindestens") {
		t.Fatalf("weak password: %v", err)
	}
	if n := count(`SELECT count(*) FROM users`); n != 0 {
		t.Fatalf("users after refusal: %d", n)
	}

	// The password comes from a file (preferred over the environment).
	pw := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pw, []byte("Sehr-sicheres-Passwort-2026\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	err = run(ctx, []string{"user", "create", "--email", "Betrieb@Kreis.example", "--name", "Otto Operator", "--password-file", pw, "--platform-admin"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "created: betrieb@kreis.example") {
		t.Fatalf("output %q", out.String())
	}
	if n := count(`SELECT count(*) FROM users WHERE email = 'betrieb@kreis.example' AND platform_admin`); n != 1 {
		t.Fatal("no platform administrator created")
	}
	if n := count(`SELECT count(*) FROM audit_log WHERE action = 'user.created' AND details = '{"platform_admin":true}'`); n != 1 {
		t.Fatalf("user.created entries: %d", n)
	}
	if _, err := accounts.Authenticate(ctx, st.DB, "betrieb@kreis.example", "Sehr-sicheres-Passwort-2026", time.Now()); err != nil {
		t.Fatalf("login with the new account: %v", err)
	}
	// The same address twice is refused.
	err = run(ctx, []string{"user", "create", "--email", "betrieb@kreis.example", "--name", "Otto Operator", "--password-file", pw}, &out)
	if err == nil || !strings.Contains(err.Error(), "bereits ein Konto") {
		t.Fatalf("duplicate: %v", err)
	}
}
