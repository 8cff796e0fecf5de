package sso

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"kimibv/models/accounts"
	"kimibv/models/audit"
	"kimibv/models/store"
)

// Refusal is a sign-on that was refused, with its German explanation; nothing but the
// audit entry was written.
type Refusal struct {
	Reason  string // the code in the audit entry
	Message string
}

func (r *Refusal) Error() string { return "sso refused: " + r.Reason }

// refusalMessages explain each refusal to the person signing on.
var refusalMessages = map[string]string{
	"state":            "Diese Anmeldung ist abgelaufen oder wurde bereits verwendet. Bitte beginnen Sie die Anmeldung über die Kreisverwaltung erneut.",
	"provider_error":   "Der Anmeldedienst der Kreisverwaltung hat die Anmeldung nicht bestätigt. Bitte versuchen Sie es erneut.",
	"token_invalid":    "Die Bestätigung des Anmeldedienstes ist ungültig: Sie ist nicht für kimibv ausgestellt oder nicht korrekt signiert. Die Anmeldung wurde abgelehnt.",
	"token_expired":    "Die Bestätigung des Anmeldedienstes ist abgelaufen. Die Anmeldung wurde abgelehnt; bitte melden Sie sich erneut an.",
	"nonce":            "Die Bestätigung des Anmeldedienstes gehört nicht zu dieser Anmeldung. Die Anmeldung wurde abgelehnt.",
	"email_missing":    "Der Anmeldedienst hat keine E-Mail-Adresse übermittelt. Die Anmeldung wurde abgelehnt; bitte wenden Sie sich an die IT Ihrer Kreisverwaltung.",
	"email_unverified": "Der Anmeldedienst hat Ihre E-Mail-Adresse nicht als bestätigt gemeldet. Die Anmeldung wurde abgelehnt; bitte wenden Sie sich an die IT Ihrer Kreisverwaltung.",
	"email_domain":     "Ihre E-Mail-Adresse gehört nicht zu der E-Mail-Domain, die der Kreis für die Anmeldung zugelassen hat. Die Anmeldung wurde abgelehnt.",
	"unknown_user":     "Für diese E-Mail-Adresse gibt es im Kreis kein Konto. Bei der Anmeldung über die Kreisverwaltung wird kein Konto angelegt: Bitte bitten Sie die Kreisadministration, Sie einzuladen, und nehmen Sie die Einladung an.",
	"linked_other":     "Ihr kimibv-Konto ist bereits mit einem anderen Konto des Anmeldedienstes verknüpft. Die Anmeldung wurde abgelehnt; bitte wenden Sie sich an die Kreisadministration.",
	"not_configured":   "Die Anmeldung über die Kreisverwaltung ist für diesen Kreis noch nicht vollständig eingerichtet. Bitte melden Sie sich mit E-Mail-Adresse und Passwort an oder wenden Sie sich an die Kreisadministration.",
}

// refusal returns the refusal with reason and its message.
func refusal(reason string) *Refusal {
	return &Refusal{Reason: reason, Message: refusalMessages[reason]}
}

// SignIn finds the kimibv account of a verified sign-on of the provider account
// (issuer, subject) with e-mail into the Kreis tenantID (rules.md R28): an account linked
// before, if it still holds a role in the Kreis; otherwise the account with that e-mail
// address that holds a role in the Kreis, which is linked now (auth.sso_linked on the
// Kreis's chain). No account and no role is created. A success is audited as
// auth.sso_login, like a password login.
func SignIn(ctx context.Context, db *gorm.DB, tenantID int64, issuer, subject, email string, now time.Time) (accounts.User, error) {
	var u accounts.User
	err := store.InTx(ctx, db, func(tx *gorm.DB) error {
		var linked []int64
		if err := tx.Raw(`SELECT user_id FROM sso_identities WHERE issuer = ? AND subject = ? AND tenant_id = ?`, issuer, subject, tenantID).Scan(&linked).Error; err != nil {
			return fmt.Errorf("load sso identity: %w", err)
		}
		var userID int64
		if len(linked) > 0 {
			userID = linked[0]
		} else if err := tx.Raw(`SELECT id FROM users WHERE email = ?`, email).Scan(&userID).Error; err != nil {
			return fmt.Errorf("find account of %s: %w", email, err)
		}
		var member bool
		if err := tx.Raw(`SELECT EXISTS (SELECT 1 FROM tenant_memberships WHERE user_id = ? AND tenant_id = ?)`, userID, tenantID).Scan(&member).Error; err != nil {
			return fmt.Errorf("membership of %d: %w", userID, err)
		}
		if userID == 0 || !member {
			return refusal("unknown_user")
		}
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&u, userID).Error; err != nil {
			return store.NotFound(err, "load user")
		}
		if len(linked) == 0 {
			if err := link(tx, tenantID, u, issuer, subject, now); err != nil {
				return err
			}
		}
		if err := tx.Model(&u).Update("last_login_at", now).Error; err != nil {
			return fmt.Errorf("record sso login: %w", err)
		}
		_, err := audit.Audit(tx, audit.Event{Chain: audit.ChainPlatform, ActorID: u.ID, TenantID: tenantID, Action: "auth.sso_login",
			ObjectType: "user", ObjectID: fmt.Sprint(u.ID), Details: map[string]any{"issuer": issuer}})
		return err
	})
	if err != nil {
		return accounts.User{}, err
	}
	return u, nil
}

// link records the provider account (issuer, subject) for u in the Kreis; an account
// already linked to another provider account of the Kreis is refused.
func link(tx *gorm.DB, tenantID int64, u accounts.User, issuer, subject string, now time.Time) error {
	res := tx.Exec(`INSERT INTO sso_identities (issuer, subject, tenant_id, user_id, linked_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT DO NOTHING`, issuer, subject, tenantID, u.ID, now)
	if res.Error != nil {
		return fmt.Errorf("link sso identity: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return refusal("linked_other")
	}
	_, err := audit.Audit(tx, audit.Event{Chain: audit.TenantChain(tenantID), ActorID: u.ID, TenantID: tenantID, Action: "auth.sso_linked",
		ObjectType: "user", ObjectID: fmt.Sprint(u.ID), Details: map[string]any{"issuer": issuer, "email": u.Email}})
	return err
}
