package models_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"kimibv/models/accounts"
	"kimibv/models/core"
	"kimibv/models/dbtest"
	"kimibv/models/sso"
)

// wantRefusal fails unless err is the sso refusal with reason.
func wantSSORefusal(t *testing.T, err error, reason string) {
	t.Helper()
	var r *sso.Refusal
	if !errors.As(err, &r) || r.Reason != reason || r.Message == "" {
		t.Fatalf("got %v, want the refusal %q", err, reason)
	}
}

func TestSSOSignInLinksOnceAndFollowsTheLinkNotTheAddress(t *testing.T) {
	t.Parallel()
	ctx, db, now := context.Background(), dbtest.NewDemo(t).DB, time.Now()
	musterland, beispielhausen := taTenantID(t, db, "musterland"), taTenantID(t, db, "beispielhausen")
	const issuer = "https://anmeldung.musterland.example"

	u, err := sso.SignIn(ctx, db, musterland, issuer, "sub-1", "leitung@musterland.example", now)
	if err != nil || u.Email != "leitung@musterland.example" {
		t.Fatalf("first sign-on: %v %v", u.Email, err)
	}
	// The link decides afterwards, whatever address the provider names.
	if u2, err := sso.SignIn(ctx, db, musterland, issuer, "sub-1", "umbenannt@musterland.example", now); err != nil || u2.ID != u.ID {
		t.Fatalf("second sign-on: %v %v", u2.ID, err)
	}
	// Another provider account with the same address may not take the account over.
	_, err = sso.SignIn(ctx, db, musterland, issuer, "sub-2", "leitung@musterland.example", now)
	wantSSORefusal(t, err, "linked_other")
	// An account without a role in the Kreis is refused, and none is created.
	_, err = sso.SignIn(ctx, db, beispielhausen, issuer, "sub-1", "leitung@musterland.example", now)
	wantSSORefusal(t, err, "unknown_user")
	_, err = sso.SignIn(ctx, db, musterland, issuer, "sub-3", "neu@musterland.example", now)
	wantSSORefusal(t, err, "unknown_user")
	if n := dbtest.Count(t, db, `SELECT count(*) FROM users WHERE email = 'neu@musterland.example'`); n != 0 {
		t.Fatal("a sign-on created an account")
	}
	// Once the Kreis administrator has removed every role, the link no longer signs in.
	admin := taActor(t, db, "admin@musterland.example")
	if err := accounts.SetTenantRoles(ctx, db, admin, musterland, u.ID, nil); err != nil {
		t.Fatal(err)
	}
	_, err = sso.SignIn(ctx, db, musterland, issuer, "sub-1", "leitung@musterland.example", now)
	wantSSORefusal(t, err, "unknown_user")
	if n := dbtest.Count(t, db, `SELECT count(*) FROM audit_log WHERE action = 'auth.sso_login'`); n != 2 {
		t.Fatalf("%d sign-ons audited, want 2", n)
	}
}

func TestSSOSettingsAreTheKreisAdministratorsAlone(t *testing.T) {
	t.Parallel()
	ctx, db := context.Background(), dbtest.NewDemo(t).DB
	musterland := taTenantID(t, db, "musterland")
	in := sso.Input{Issuer: "https://anmeldung.musterland.example", ClientID: "kimibv", EmailDomain: "musterland.example"}
	for _, email := range []string{"leitung@musterland.example", "admin@beispielhausen.example"} {
		if _, err := sso.SaveSettings(ctx, db, taActor(t, db, email), musterland, in, time.Now()); !errors.Is(err, core.ErrNotFound) {
			t.Fatalf("%s: %v", email, err)
		}
	}
	admin := taActor(t, db, "admin@musterland.example")
	if changed, err := sso.SaveSettings(ctx, db, admin, musterland, in, time.Now()); err != nil || len(changed) != 3 {
		t.Fatalf("save: %v %v", changed, err)
	}
	if changed, err := sso.SaveSettings(ctx, db, admin, musterland, in, time.Now()); err != nil || len(changed) != 0 {
		t.Fatalf("unchanged save: %v %v", changed, err)
	}
	if _, err := sso.SaveSettings(ctx, db, admin, musterland, sso.Input{}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if n := dbtest.Count(t, db, `SELECT count(*) FROM tenant_sso`); n != 0 {
		t.Fatal("empty settings did not switch single sign-on off")
	}
	if n := dbtest.Count(t, db, `SELECT count(*) FROM audit_log WHERE action = 'sso.settings_changed' AND chain LIKE 'kreis:%' AND tenant_id = ?`, musterland); n != 2 {
		t.Fatalf("%d changes audited, want 2", n)
	}
}
