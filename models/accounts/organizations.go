package accounts

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/models/store"
)

// Organization is a provider (freier Träger); organisations are shared across Kreise.
type Organization struct {
	ID             int64
	Name           string
	LegalForm      string
	RegisterCourt  string
	RegisterNumber string
	Street         string
	PostalCode     string
	City           string
	Association    string
	Email          string
	Phone          string
	// SecondFactorRequired: its administrators require the second factor of all members (R29).
	SecondFactorRequired bool
	CreatedAt            time.Time
}

// OrganizationByID loads an organisation.
func OrganizationByID(ctx context.Context, db *gorm.DB, id int64) (*Organization, error) {
	var o Organization
	if err := db.WithContext(ctx).First(&o, id).Error; err != nil {
		return nil, store.NotFound(err, fmt.Sprintf("organization %d", id))
	}
	return &o, nil
}

// OrgInput is the organisation part of the provider registration and profile form.
type OrgInput struct {
	Name, LegalForm, RegisterCourt, RegisterNumber, Street, PostalCode, City, Association, Email, Phone string
}

// LegalForms are the legal forms offered at registration (value = label).
var LegalForms = []string{"eingetragener Verein (e. V.)", "gemeinnützige GmbH (gGmbH)", "Stiftung", "Körperschaft des öffentlichen Rechts", "Genossenschaft (eG)", "andere Rechtsform"}

// Associations are the umbrella associations of the free welfare (Spitzenverbände) plus "none".
var Associations = []string{"Arbeiterwohlfahrt (AWO)", "Deutscher Caritasverband", "Diakonie", "Deutsches Rotes Kreuz (DRK)", "Der Paritätische", "Zentralwohlfahrtsstelle der Juden in Deutschland (ZWST)", "keinem Spitzenverband angeschlossen"}

// Validate trims and checks the organisation fields.
func (in *OrgInput) Validate() *core.ValidationError {
	for _, p := range []*string{&in.Name, &in.LegalForm, &in.RegisterCourt, &in.RegisterNumber, &in.Street, &in.PostalCode, &in.City, &in.Association, &in.Phone} {
		*p = strings.TrimSpace(*p)
	}
	in.Email = core.NormalizeEmail(in.Email)
	v := &core.ValidationError{}
	core.CheckText(v, "org_name", "den Namen der Organisation", in.Name, true, 200)
	if utf8.RuneCountInString(in.Name) == 1 {
		v.Add("org_name", "too_short", "Der Name der Organisation muss mindestens 2 Zeichen lang sein.")
	}
	if !slices.Contains(LegalForms, in.LegalForm) {
		v.Add("legal_form", "invalid", "Bitte wählen Sie die Rechtsform aus der Liste aus.")
	}
	core.CheckText(v, "register_court", "das Registergericht", in.RegisterCourt, false, 100)
	core.CheckText(v, "register_number", "die Registernummer", in.RegisterNumber, false, 50)
	core.CheckText(v, "street", "Straße und Hausnummer", in.Street, true, 200)
	if !postalCodePattern.MatchString(in.PostalCode) {
		v.Add("postal_code", "invalid", "Bitte geben Sie eine fünfstellige Postleitzahl an.")
	}
	core.CheckText(v, "city", "den Ort", in.City, true, 100)
	if in.Association != "" && !slices.Contains(Associations, in.Association) {
		v.Add("association", "invalid", "Bitte wählen Sie den Spitzenverband aus der Liste aus.")
	}
	core.CheckEmail(v, "org_email", in.Email)
	core.CheckText(v, "phone", "die Telefonnummer", in.Phone, false, 50)
	return v
}

// postalCodePattern is a German postal code.
var postalCodePattern = regexp.MustCompile(`^[0-9]{5}$`)

// Registration is the self-registration form of a provider: the organisation, its first
// user and the acknowledgement of the privacy notice.
type Registration struct {
	Org             OrgInput
	User            NewUserInput
	PrivacyAccepted bool
}

// RegisterProvider is the self-registration: like RegisterOrganization, but the privacy
// notice must have been acknowledged, which the audit entry records, and the account
// cannot log in before its address is confirmed through the link mailed to it (valid
// EmailConfirmationValidity from now, baseURL the site's address).
func RegisterProvider(ctx context.Context, db *gorm.DB, r Registration, baseURL string, now time.Time) (*Organization, User, error) {
	v := r.Org.Validate()
	v.Fields = append(v.Fields, r.User.Validate().Fields...)
	if !r.PrivacyAccepted {
		v.Add("privacy", "required", "Bitte bestätigen Sie, dass Sie die Datenschutzhinweise zur Kenntnis genommen haben.")
	}
	if err := v.OrNil(); err != nil {
		return nil, User{}, err
	}
	return registerOrganization(ctx, db, r.Org, r.User, map[string]any{"privacy_notice_acknowledged": true}, &confirmation{baseURL, now})
}

// RegisterOrganization creates the provider organisation together with its first user,
// who becomes its administrator. Both are audited on the platform chain.
func RegisterOrganization(ctx context.Context, db *gorm.DB, org OrgInput, user NewUserInput) (*Organization, User, error) {
	return registerOrganization(ctx, db, org, user, nil, nil)
}

// registerOrganization creates the organisation and its administrator; with conf the
// account stays unconfirmed and is mailed a confirmation link in the same transaction.
func registerOrganization(ctx context.Context, db *gorm.DB, org OrgInput, user NewUserInput, extra map[string]any, conf *confirmation) (*Organization, User, error) {
	v := org.Validate()
	v.Fields = append(v.Fields, user.Validate().Fields...)
	if err := v.OrNil(); err != nil {
		return nil, User{}, err
	}
	o := &Organization{Name: org.Name, LegalForm: org.LegalForm, RegisterCourt: org.RegisterCourt, RegisterNumber: org.RegisterNumber,
		Street: org.Street, PostalCode: org.PostalCode, City: org.City, Association: org.Association, Email: org.Email, Phone: org.Phone}
	var u User
	err := store.InTx(ctx, db, func(tx *gorm.DB) error {
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Omit("CreatedAt").Create(o)
		if res.Error != nil {
			return fmt.Errorf("insert organization: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			v := &core.ValidationError{}
			v.Add("org_name", "taken", "Eine Organisation mit diesem Namen ist bereits registriert. Bitten Sie deren Administration, Sie einzuladen.")
			return v
		}
		var err error
		if u, err = insertUser(tx, user, false); err != nil {
			return err
		}
		if err := tx.Exec(`INSERT INTO organization_members (org_id, user_id, role) VALUES (?, ?, ?)`, o.ID, u.ID, core.RoleOrgAdmin).Error; err != nil {
			return fmt.Errorf("insert org admin: %w", err)
		}
		if conf != nil {
			if err := tx.Exec(`UPDATE users SET email_confirmed_at = NULL WHERE id = ?`, u.ID).Error; err != nil {
				return fmt.Errorf("mark user unconfirmed: %w", err)
			}
			if err := sendEmailConfirmationTx(tx, u, conf.baseURL, conf.now); err != nil {
				return err
			}
		}
		details := map[string]any{"name": o.Name, "legal_form": o.LegalForm, "user_id": u.ID}
		for k, val := range extra {
			details[k] = val
		}
		_, err = audit.Audit(tx, audit.Event{Chain: audit.ChainPlatform, ActorID: u.ID, Action: "organization.registered", ObjectType: "organization",
			ObjectID: fmt.Sprint(o.ID), Details: details})
		return err
	})
	if err != nil {
		return nil, User{}, err
	}
	return o, u, nil
}
