package sso

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/models/rules"
	"kimibv/models/store"
)

// Settings is a Kreis's OpenID provider (one row of tenant_sso). The client secret is
// not part of it: the operator provides it as a file (SecretFromFiles).
type Settings struct {
	TenantID    int64 `gorm:"primaryKey"`
	Issuer      string
	ClientID    string
	EmailDomain string
	SSOOnly     bool `gorm:"column:sso_only"`
	UpdatedAt   time.Time
}

// TableName is tenant_sso.
func (Settings) TableName() string { return "tenant_sso" }

// SecretLookup returns the client secret of the Kreis with slug, or ErrNoSecret.
type SecretLookup func(slug string) (string, error)

// ErrNoSecret means that the operator has not provided the Kreis's client secret.
var ErrNoSecret = errors.New("sso: no client secret")

// SecretFromFiles reads the client secret of a Kreis from the file named by its
// environment variable (rules.SSOSecretVariable), looked up with getenv; surrounding
// white space is dropped.
func SecretFromFiles(getenv func(string) string) SecretLookup {
	return func(slug string) (string, error) {
		path := getenv(rules.SSOSecretVariable(slug))
		if path == "" {
			return "", ErrNoSecret
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return "", fmt.Errorf("client secret of %s: %w", slug, err)
		}
		if s := strings.TrimSpace(string(b)); s != "" {
			return s, nil
		}
		return "", ErrNoSecret
	}
}

// SettingsOf returns the Kreis's provider settings, nil when it has none.
func SettingsOf(ctx context.Context, db *gorm.DB, tenantID int64) (*Settings, error) {
	var rows []Settings
	if err := db.WithContext(ctx).Where("tenant_id = ?", tenantID).Limit(1).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("sso settings of %d: %w", tenantID, err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return &rows[0], nil
}

// Kreis names a Kreis whose staff may sign on through its provider (the login page).
type Kreis struct {
	Slug string
	Name string
}

// Kreise lists the Kreise with a provider, by name.
func Kreise(ctx context.Context, db *gorm.DB) ([]Kreis, error) {
	var out []Kreis
	err := db.WithContext(ctx).Raw(`SELECT t.slug, t.name FROM tenant_sso s JOIN tenants t ON t.id = s.tenant_id ORDER BY t.name`).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("kreise with sso: %w", err)
	}
	return out, nil
}

// Input is the settings form; all of Issuer, ClientID and EmailDomain empty removes the
// provider.
type Input struct {
	Issuer      string
	ClientID    string
	EmailDomain string
	SSOOnly     bool
}

// Remove reports whether the input switches single sign-on off.
func (in *Input) Remove() bool { return in.Issuer == "" && in.ClientID == "" && in.EmailDomain == "" }

// Validate normalises the input and checks it.
func (in *Input) Validate() *core.ValidationError {
	in.Issuer = strings.TrimRight(strings.TrimSpace(in.Issuer), "/")
	in.ClientID = strings.TrimSpace(in.ClientID)
	in.EmailDomain = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(in.EmailDomain), "@"))
	v := &core.ValidationError{}
	if in.Remove() {
		if in.SSOOnly {
			v.Add("sso_only", "needs_provider", "Die Anmeldung nur über die Kreisverwaltung setzt einen Anmeldedienst voraus. Bitte geben Sie ihn an oder entfernen Sie das Häkchen.")
		}
		return v
	}
	core.CheckText(v, "issuer", "die Adresse des Anmeldedienstes", in.Issuer, true, 500)
	if !v.Has("issuer") && !rules.SSOIssuerAcceptable(in.Issuer) {
		v.Add("issuer", "invalid", "Bitte geben Sie die Adresse des Anmeldedienstes mit https:// an, zum Beispiel https://anmeldung.kreis-musterland.de/realms/kim.")
	}
	core.CheckText(v, "client_id", "die Client-ID", in.ClientID, true, 200)
	if !v.Has("client_id") && strings.ContainsAny(in.ClientID, " \t\r\n") {
		v.Add("client_id", "invalid", "Die Client-ID darf keine Leerzeichen enthalten.")
	}
	core.CheckText(v, "email_domain", "die E-Mail-Domain der Beschäftigten", in.EmailDomain, true, 200)
	if !v.Has("email_domain") && !rules.SSODomainAcceptable(in.EmailDomain) {
		v.Add("email_domain", "invalid", "Bitte geben Sie die E-Mail-Domain ohne @ an, zum Beispiel kreis-musterland.de.")
	}
	return v
}

// SaveSettings stores the Kreis's provider (or removes it) and audits the change as
// sso.settings_changed on the Kreis's chain; it returns the changed fields (none: nothing
// written). Only the Kreis's administrator may.
func SaveSettings(ctx context.Context, db *gorm.DB, actor *core.Actor, tenantID int64, in Input, now time.Time) ([]string, error) {
	if !actor.CanManageTenant(tenantID) {
		return nil, fmt.Errorf("save sso settings: %w", core.ErrNotFound)
	}
	if err := in.Validate().OrNil(); err != nil {
		return nil, err
	}
	var changed []string
	err := store.InTx(ctx, db, func(tx *gorm.DB) error {
		var rows []Settings
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("tenant_id = ?", tenantID).Find(&rows).Error; err != nil {
			return fmt.Errorf("lock sso settings: %w", err)
		}
		var before Settings
		if len(rows) > 0 {
			before = rows[0]
		}
		updates := map[string]any{}
		for _, f := range []struct {
			key           string
			before, after any
		}{
			{"issuer", before.Issuer, in.Issuer}, {"client_id", before.ClientID, in.ClientID},
			{"email_domain", before.EmailDomain, in.EmailDomain}, {"sso_only", before.SSOOnly, in.SSOOnly},
		} {
			if f.before != f.after {
				updates[f.key] = f.after
				changed = append(changed, f.key)
			}
		}
		if len(updates) == 0 {
			return nil
		}
		var err error
		if in.Remove() {
			err = tx.Where("tenant_id = ?", tenantID).Delete(&Settings{}).Error
		} else {
			err = tx.Save(&Settings{TenantID: tenantID, Issuer: in.Issuer, ClientID: in.ClientID, EmailDomain: in.EmailDomain, SSOOnly: in.SSOOnly, UpdatedAt: now}).Error
		}
		if err != nil {
			return fmt.Errorf("save sso settings: %w", err)
		}
		_, err = audit.Audit(tx, audit.Event{Chain: audit.TenantChain(tenantID), ActorID: actor.UserID, TenantID: tenantID, Action: "sso.settings_changed",
			ObjectType: "tenant", ObjectID: fmt.Sprint(tenantID), Details: map[string]any{"changed": updates}})
		return err
	})
	if err != nil {
		return nil, err
	}
	return changed, nil
}
