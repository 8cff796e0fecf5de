package demo

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"kimibv/models/accounts"
)

// SecondFactorKey is the TOTP key (base32) of every demo account whose roles need the
// second factor (rules.md R29): the operator and the Kreis staff. It is printed with the
// demo logins, so anyone can sign in (e.g. `oathtool --totp -b KEY`); that is the point
// of a demonstration, and why production refuses to load it.
const SecondFactorKey = "KIMIBVDEMOZWEITERFAKTOR2"

// enrolDemoStaff enrols the operator and every Kreis staff account with SecondFactorKey.
func enrolDemoStaff(ctx context.Context, db *gorm.DB, now time.Time) error {
	emails := []string{operatorEmail}
	for _, p := range append(musterlandStaff(), beispielhausenStaff()...) {
		emails = append(emails, p.email)
	}
	for _, e := range emails {
		var id int64
		if err := db.WithContext(ctx).Raw(`SELECT id FROM users WHERE email = ?`, e).Scan(&id).Error; err != nil || id == 0 {
			return fmt.Errorf("demo second factor %s: %w", e, err)
		}
		if err := accounts.EnrolKnownSecondFactor(ctx, db, id, SecondFactorKey, now); err != nil {
			return fmt.Errorf("demo second factor %s: %w", e, err)
		}
	}
	return nil
}
