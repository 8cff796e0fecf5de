package accounts

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/models/store"
)

// Tenant is a Kreis or kreisfreie Stadt using the installation.
type Tenant struct {
	ID              int64
	Slug            string
	Name            string
	Kind            string
	State           string
	Authority       string
	Address         string
	ContactEmail    string
	LegalRemedyText string
	Letterhead      string
	SigningOffice   string // under the closing of letters, e.g. "Der Landrat – Amt für Integration"
	Phone           string // telephone number in the information block of letters
	Court           string // administrative court named in the Rechtsbehelfsbelehrung
	CourtAddress    string // its postal address, newline separated
	// SecondFactorAllStaff extends the second factor to evaluators and council members (R29).
	SecondFactorAllStaff bool
	// The forwarding after the award (rules.md R35, R36): "vertrag" or "bescheid", and the
	// months after which a vacant post is flagged.
	ForwardingForm    string `gorm:"default:vertrag"`
	VacancyFlagMonths int    `gorm:"default:3"`
	CreatedAt         time.Time
}

// TenantBySlug loads a Kreis by its URL slug; an unknown slug is ErrNotFound.
func TenantBySlug(ctx context.Context, db *gorm.DB, slug string) (*Tenant, error) {
	var t Tenant
	if err := db.WithContext(ctx).Where("slug = ?", slug).First(&t).Error; err != nil {
		return nil, store.NotFound(err, fmt.Sprintf("tenant %q", slug))
	}
	return &t, nil
}

// TenantInput is what the operator enters to create a Kreis.
type TenantInput struct {
	Slug, Name, Kind, State, Authority, ContactEmail string
	AdminEmail                                       string // first Kreis administrator, invited by e-mail
}

// TenantKinds maps the kind codes to German labels.
var TenantKinds = map[string]string{"kreis": "Kreis", "kreisfreie_stadt": "Kreisfreie Stadt"}

// Validate checks the input.
func (in *TenantInput) Validate() *core.ValidationError {
	in.Slug = strings.ToLower(strings.TrimSpace(in.Slug))
	in.Name, in.State, in.Authority = strings.TrimSpace(in.Name), strings.TrimSpace(in.State), strings.TrimSpace(in.Authority)
	in.ContactEmail, in.AdminEmail = core.NormalizeEmail(in.ContactEmail), core.NormalizeEmail(in.AdminEmail)
	v := &core.ValidationError{}
	if !slugPattern.MatchString(in.Slug) {
		v.Add("slug", "invalid", "Bitte geben Sie ein Kürzel aus 2 bis 40 Kleinbuchstaben, Ziffern oder Bindestrichen an, zum Beispiel „musterland“.")
	}
	core.CheckText(v, "name", "den Namen", in.Name, true, 200)
	if _, ok := TenantKinds[in.Kind]; !ok {
		v.Add("kind", "invalid", "Bitte wählen Sie aus, ob es sich um einen Kreis oder eine kreisfreie Stadt handelt.")
	}
	core.CheckText(v, "state", "das Bundesland", in.State, true, 100)
	core.CheckText(v, "authority", "die ausschreibende Behörde", in.Authority, true, 300)
	core.CheckEmail(v, "contact_email", in.ContactEmail)
	core.CheckEmail(v, "admin_email", in.AdminEmail)
	return v
}

// slugPattern is the form of a Kreis's address part.
var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,39}$`)

// CreateTenant lets the operator create a Kreis and invite its first administrator.
func CreateTenant(ctx context.Context, db *gorm.DB, actor *core.Actor, in TenantInput, baseURL string, now time.Time) (*Tenant, error) {
	if !actor.CanCreateTenants() {
		return nil, fmt.Errorf("create tenant: %w", core.ErrNotFound)
	}
	if err := in.Validate().OrNil(); err != nil {
		return nil, err
	}
	t := &Tenant{Slug: in.Slug, Name: in.Name, Kind: in.Kind, State: in.State, Authority: in.Authority, ContactEmail: in.ContactEmail,
		LegalRemedyText: DefaultLegalRemedyText(in.Authority)}
	err := store.InTx(ctx, db, func(tx *gorm.DB) error {
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Omit("CreatedAt").Create(t)
		if res.Error != nil {
			return fmt.Errorf("insert tenant: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			v := &core.ValidationError{}
			v.Add("slug", "taken", "Dieses Kürzel ist bereits vergeben.")
			return v
		}
		if _, err := newInvitation(tx, actor, t.ID, 0, in.AdminEmail, []core.Role{core.RoleTenantAdmin}, t.Name, baseURL, now); err != nil {
			if v, ok := core.AsValidation(err); ok {
				for i := range v.Fields {
					v.Fields[i].Field = "admin_email"
				}
			}
			return err
		}
		if _, err := audit.Audit(tx, audit.Event{Chain: audit.ChainPlatform, ActorID: actor.UserID, TenantID: t.ID, Action: "tenant.created",
			ObjectType: "tenant", ObjectID: fmt.Sprint(t.ID), Details: map[string]any{"slug": t.Slug, "name": t.Name}}); err != nil {
			return err
		}
		_, err := audit.Audit(tx, audit.Event{Chain: audit.TenantChain(t.ID), ActorID: actor.UserID, TenantID: t.ID, Action: "tenant.created",
			ObjectType: "tenant", ObjectID: fmt.Sprint(t.ID), Details: map[string]any{"admin_email": in.AdminEmail}})
		return err
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// DefaultLegalRemedyText is the starting Rechtsbehelfsbelehrung of a new Kreis; the Kreis
// administrator adapts it.
func DefaultLegalRemedyText(authority string) string {
	return "Gegen diese Entscheidung kann innerhalb eines Monats nach Bekanntgabe Klage beim zuständigen Verwaltungsgericht erhoben werden. " +
		"Vor Erhebung einer Klage können Sie innerhalb der Stillhaltefrist eine Rüge über kimibv bei " + authority + " einlegen."
}
