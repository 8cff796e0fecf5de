package accounts

import (
	"errors"
	"fmt"

	"gorm.io/gorm"
)

// ErrSSOOnly means that the account holds a role in a Kreis whose staff sign on only
// through the Kreis's provider ("nur SSO", rules.md R28): the right password does not
// log in.
var ErrSSOOnly = errors.New("accounts: sign-on through the Kreis's provider only")

// ssoOnly reports whether u holds a role in a Kreis with "nur SSO" (table tenant_sso of
// package sso, which reads and writes it).
func ssoOnly(tx *gorm.DB, u User) (bool, error) {
	var only bool
	err := tx.Raw(`SELECT EXISTS (SELECT 1 FROM tenant_memberships m JOIN tenant_sso s ON s.tenant_id = m.tenant_id
		WHERE m.user_id = ? AND s.sso_only)`, u.ID).Scan(&only).Error
	if err != nil {
		return false, fmt.Errorf("sso only of user %d: %w", u.ID, err)
	}
	return only, nil
}
