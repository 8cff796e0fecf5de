package models_test

import (
	"context"
	"testing"
	"time"

	"kimibv/models/accounts"
	"kimibv/models/dbtest"
)

// TestPasswordChangeAndResetAdvanceSessionEpoch: a password change and a reset each
// increment the user's session epoch (which ends older sessions); a refused change and a
// refused reset leave it, and other users' epochs never move.
func TestPasswordChangeAndResetAdvanceSessionEpoch(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t).DB
	ctx, now := context.Background(), time.Now()
	id := accUser(t, db, "jana@kreis.example", "Jana Leitner").UserID
	other := accUser(t, db, "olaf@kreis.example", "Olaf Öffner").UserID
	epoch := func(uid int64) int64 {
		a, err := accounts.LoadActor(ctx, db, uid)
		if err != nil {
			t.Fatal(err)
		}
		return a.SessionEpoch
	}
	a, _ := accounts.LoadActor(ctx, db, id)
	if a.SessionEpoch != 0 {
		t.Fatalf("initial epoch %d", a.SessionEpoch)
	}
	if err := accounts.ChangePassword(ctx, db, a, "falsch", "Ein neues gutes Passwort", "Ein neues gutes Passwort"); err == nil || epoch(id) != 0 {
		t.Fatalf("refused change: %v, epoch %d", err, epoch(id))
	}
	if err := accounts.ChangePassword(ctx, db, a, accPassword, "Ein neues gutes Passwort", "Ein neues gutes Passwort"); err != nil || epoch(id) != 1 {
		t.Fatalf("change: %v, epoch %d", err, epoch(id))
	}
	if err := accounts.RequestPasswordReset(ctx, db, "jana@kreis.example", "https://kimibv.test", now); err != nil {
		t.Fatal(err)
	}
	tok := accToken(t, db, "jana@kreis.example", "https://kimibv.test/passwort-zuruecksetzen")
	if err := accounts.ResetPassword(ctx, db, tok, "kurz", "kurz", now); err == nil || epoch(id) != 1 {
		t.Fatalf("refused reset: %v, epoch %d", err, epoch(id))
	}
	if err := accounts.ResetPassword(ctx, db, tok, "Neues Passwort am Fluss", "Neues Passwort am Fluss", now); err != nil || epoch(id) != 2 {
		t.Fatalf("reset: %v, epoch %d", err, epoch(id))
	}
	if epoch(other) != 0 {
		t.Fatal("another user's epoch moved")
	}
}
