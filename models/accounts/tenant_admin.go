package accounts

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lib/pq"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/models/store"
)

// TenantSummary is one Kreis as the operator sees it: no procedure content, only the frame.
type TenantSummary struct {
	ID                 int64
	Slug               string
	Name               string
	Kind               string
	State              string
	Users              int64
	PendingInvitations int64
	CreatedAt          time.Time
}

// KindLabel returns the German name of the Kreis's kind.
func (t TenantSummary) KindLabel() string { return TenantKinds[t.Kind] }

// TenantOverview lists every Kreis with its number of users for the operator (one query).
func TenantOverview(ctx context.Context, db *gorm.DB, actor *core.Actor, now time.Time) ([]TenantSummary, error) {
	if !actor.CanCreateTenants() {
		return nil, fmt.Errorf("tenant overview: %w", core.ErrNotFound)
	}
	var out []TenantSummary
	err := db.WithContext(ctx).Raw(`SELECT t.id, t.slug, t.name, t.kind, t.state, t.created_at,
			(SELECT count(DISTINCT m.user_id) FROM tenant_memberships m WHERE m.tenant_id = t.id) AS users,
			(SELECT count(*) FROM invitations i WHERE i.tenant_id = t.id AND i.accepted_at IS NULL AND i.withdrawn_at IS NULL AND i.expires_at > ?
				AND NOT EXISTS (`+memberWithInvitedEmail+`)) AS pending_invitations
		FROM tenants t ORDER BY t.name COLLATE german, t.id`, now).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("tenant overview: %w", err)
	}
	return out, nil
}

// TenantMember is a person holding roles in a Kreis.
type TenantMember struct {
	UserID int64
	Name   string
	Email  string
	Roles  pq.StringArray `gorm:"type:text[]"`
}

// RoleList returns the member's roles in display order.
func (m TenantMember) RoleList() []core.Role {
	out := make([]core.Role, 0, len(m.Roles))
	for _, r := range core.TenantRoles {
		if slices.Contains(m.Roles, string(r)) {
			out = append(out, r)
		}
	}
	return out
}

// HasRole reports whether the member holds role.
func (m TenantMember) HasRole(role core.Role) bool { return slices.Contains(m.Roles, string(role)) }

// tenantMembersSQL selects the members of a Kreis with their roles aggregated (no N+1).
const tenantMembersSQL = `SELECT u.id AS user_id, u.name, u.email, array_agg(m.role ORDER BY m.role) AS roles
	FROM tenant_memberships m JOIN users u ON u.id = m.user_id
	WHERE m.tenant_id = ? %s
	GROUP BY u.id, u.name, u.email
	ORDER BY u.name COLLATE german, u.id`

// TenantMembers lists the people of a Kreis with their roles, for its administrators.
func TenantMembers(ctx context.Context, db *gorm.DB, actor *core.Actor, tenantID int64) ([]TenantMember, error) {
	if !actor.CanManageTenant(tenantID) {
		return nil, fmt.Errorf("tenant members: %w", core.ErrNotFound)
	}
	var out []TenantMember
	if err := db.WithContext(ctx).Raw(fmt.Sprintf(tenantMembersSQL, ""), tenantID).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("tenant members: %w", err)
	}
	return out, nil
}

// TenantMemberByID loads one person of the Kreis; a person without a role there is ErrNotFound.
func TenantMemberByID(ctx context.Context, db *gorm.DB, actor *core.Actor, tenantID, userID int64) (*TenantMember, error) {
	if !actor.CanManageTenant(tenantID) {
		return nil, fmt.Errorf("tenant member: %w", core.ErrNotFound)
	}
	var out []TenantMember
	if err := db.WithContext(ctx).Raw(fmt.Sprintf(tenantMembersSQL, "AND u.id = ?"), tenantID, userID).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("tenant member: %w", err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("tenant member %d: %w", userID, core.ErrNotFound)
	}
	return &out[0], nil
}

// memberWithInvitedEmail finds a member of the invitation i's Kreis with the invited address:
// such an invitation is no longer pending even if it was never used.
const memberWithInvitedEmail = `SELECT 1 FROM tenant_memberships m JOIN users u ON u.id = m.user_id WHERE m.tenant_id = i.tenant_id AND u.email = i.email`

// PendingTenantInvitations lists the Kreis's unused, unexpired invitations of people who
// do not belong to the Kreis yet, newest first.
func PendingTenantInvitations(ctx context.Context, db *gorm.DB, actor *core.Actor, tenantID int64, now time.Time) ([]Invitation, error) {
	if !actor.CanManageTenant(tenantID) {
		return nil, fmt.Errorf("pending invitations: %w", core.ErrNotFound)
	}
	var out []Invitation
	err := db.WithContext(ctx).Raw(`SELECT i.* FROM invitations i
		WHERE i.tenant_id = ? AND i.accepted_at IS NULL AND i.withdrawn_at IS NULL AND i.expires_at > ? AND NOT EXISTS (`+memberWithInvitedEmail+`)
		ORDER BY i.created_at DESC, i.id DESC`, tenantID, now).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("pending invitations: %w", err)
	}
	return out, nil
}

// TenantInvite is what a Kreis administrator enters to invite a person.
type TenantInvite struct {
	Email string
	Roles []core.Role
}

// InviteToTenant lets a Kreis administrator invite a person by e-mail with one or more
// Kreis roles. A person who already belongs to the Kreis gets new roles on the user page
// instead. A person who left the Kreis but is still a named evaluator of one of its
// running procedures is not invited to a role that handles procedures (CommitteeRoleConflict).
func InviteToTenant(ctx context.Context, db *gorm.DB, actor *core.Actor, tenantID int64, in TenantInvite, baseURL string, now time.Time) (Invitation, error) {
	if !actor.CanManageTenant(tenantID) {
		return Invitation{}, fmt.Errorf("invite to tenant: %w", core.ErrNotFound)
	}
	// Validate the address before it is used in a query (a NUL byte is a database error).
	v := &core.ValidationError{}
	core.CheckEmail(v, "email", core.NormalizeEmail(in.Email))
	if err := v.OrNil(); err != nil {
		return Invitation{}, err
	}
	var inv Invitation
	err := store.InTx(ctx, db, func(tx *gorm.DB) error {
		var t Tenant
		if err := tx.Clauses(clause.Locking{Strength: "SHARE"}).First(&t, tenantID).Error; err != nil {
			return store.NotFound(err, "lock tenant")
		}
		var member int64
		err := tx.Raw(`SELECT count(*) FROM tenant_memberships m JOIN users u ON u.id = m.user_id
			WHERE m.tenant_id = ? AND u.email = ?`, tenantID, core.NormalizeEmail(in.Email)).Scan(&member).Error
		if err != nil {
			return fmt.Errorf("look up member: %w", err)
		}
		if member > 0 {
			v := &core.ValidationError{}
			v.Add("email", "member", "Diese Person gehört bereits zu "+t.Name+". Ändern Sie ihre Rollen bitte in der Liste der Personen.")
			return v
		}
		var existing []int64
		if err := tx.Raw(`SELECT id FROM users WHERE email = ?`, core.NormalizeEmail(in.Email)).Scan(&existing).Error; err != nil {
			return fmt.Errorf("look up invitee: %w", err)
		}
		for _, id := range existing {
			v := &core.ValidationError{}
			if err := checkRoleGrant(tx, tenantID, id, in.Roles, "roles", msgGrantConflict, v); err != nil {
				return err
			}
			if err := v.OrNil(); err != nil {
				return err
			}
		}
		if inv, err = newInvitation(tx, actor, tenantID, 0, in.Email, in.Roles, t.Name, baseURL, now); err != nil {
			return err
		}
		_, err = audit.Audit(tx, audit.Event{Chain: audit.TenantChain(tenantID), ActorID: actor.UserID, TenantID: tenantID, Action: "tenant.user_invited",
			ObjectType: "invitation", ObjectID: fmt.Sprint(inv.ID), Details: map[string]any{"email": inv.Email, "roles": []string(inv.Roles)}})
		return err
	})
	if err != nil {
		return Invitation{}, err
	}
	return inv, nil
}

// TenantSettings are the Kreis's texts that its administrators maintain.
type TenantSettings struct {
	Authority       string
	Address         string
	ContactEmail    string
	LegalRemedyText string
	Letterhead      string
	SigningOffice   string
	Phone           string
	Court           string
	CourtAddress    string
	ForwardingForm  string // "vertrag" or "bescheid" ("" is "vertrag")
	VacancyMonths   string // months after which a vacant post is flagged, as typed ("" is 3)
}

// Limits of the Kreis's texts (characters).
const (
	MaxLegalRemedyText = 5000
	MaxLetterhead      = 500
	MaxAddress         = 500
	MaxAddressLines    = 5 // a postal address the letter's information block and remedy can show
)

// phonePattern is a telephone number as printed: digits, spaces, "+", "/", "-", "(", ")".
var phonePattern = regexp.MustCompile(`^\+?[0-9][0-9 /()\-]{3,39}$`)

// Validate trims and checks the settings.
func (in *TenantSettings) Validate() *core.ValidationError {
	in.Authority = strings.TrimSpace(in.Authority)
	in.Address = strings.TrimSpace(normalizeNewlines(in.Address))
	in.ContactEmail = core.NormalizeEmail(in.ContactEmail)
	in.LegalRemedyText = strings.TrimSpace(normalizeNewlines(in.LegalRemedyText))
	in.Letterhead = strings.TrimSpace(normalizeNewlines(in.Letterhead))
	in.SigningOffice, in.Phone, in.Court = strings.TrimSpace(in.SigningOffice), strings.TrimSpace(in.Phone), strings.TrimSpace(in.Court)
	in.CourtAddress = strings.TrimSpace(normalizeNewlines(in.CourtAddress))
	v := &core.ValidationError{}
	core.CheckText(v, "authority", "die ausschreibende Behörde", in.Authority, true, 300)
	core.CheckText(v, "address", "die Postanschrift der Behörde", in.Address, true, MaxAddress)
	core.CheckEmail(v, "contact_email", in.ContactEmail)
	core.CheckText(v, "legal_remedy_text", "die Rechtsbehelfsbelehrung", in.LegalRemedyText, true, MaxLegalRemedyText)
	core.CheckText(v, "letterhead", "den Briefkopf", in.Letterhead, false, MaxLetterhead)
	in.validateLetter(v)
	return v
}

// validateLetter checks the sender details of letters: the postal address (return address)
// and the competent court with its address (the Rechtsbehelfsbelehrung names both) are
// required, single lines stay single, addresses have at most MaxAddressLines lines, and a
// telephone number looks like one.
func (in *TenantSettings) validateLetter(v *core.ValidationError) {
	checkLines(v, "address", "Die Anschrift", in.Address)
	core.CheckText(v, "signing_office", "die unterzeichnende Stelle", in.SigningOffice, false, 200)
	singleLine(v, "signing_office", in.SigningOffice)
	core.CheckText(v, "phone", "die Telefonnummer", in.Phone, false, 40)
	if in.Phone != "" && !v.Has("phone") && !phonePattern.MatchString(in.Phone) {
		v.Add("phone", "invalid", "Bitte geben Sie eine Telefonnummer aus Ziffern an, zum Beispiel „02131 928-0“.")
	}
	core.CheckText(v, "court", "das zuständige Verwaltungsgericht", in.Court, true, 200)
	singleLine(v, "court", in.Court)
	core.CheckText(v, "court_address", "die Anschrift des Gerichts", in.CourtAddress, true, 300)
	checkLines(v, "court_address", "Die Anschrift des Gerichts", in.CourtAddress)
	in.validateForwarding(v)
}

// validateForwarding checks the settings of the forwarding after the award (rules.md R35,
// R36): the form of the forwarding and the vacancy months (1 to 24); empty gives the
// defaults.
func (in *TenantSettings) validateForwarding(v *core.ValidationError) {
	in.ForwardingForm, in.VacancyMonths = strings.TrimSpace(in.ForwardingForm), strings.TrimSpace(in.VacancyMonths)
	if in.ForwardingForm == "" {
		in.ForwardingForm = "vertrag"
	}
	if in.VacancyMonths == "" {
		in.VacancyMonths = "3"
	}
	if in.ForwardingForm != "vertrag" && in.ForwardingForm != "bescheid" {
		v.Add("forwarding_form", "invalid", "Bitte wählen Sie Weiterleitungsvertrag oder Zuwendungsbescheid.")
	}
	if n, err := strconv.Atoi(in.VacancyMonths); err != nil || n < 1 || n > 24 {
		v.Add("vacancy_months", "invalid", "Bitte geben Sie eine ganze Zahl von 1 bis 24 Monaten an.")
	}
}

// singleLine refuses a line break in a one-line field.
func singleLine(v *core.ValidationError, field, value string) {
	if strings.ContainsAny(value, "\n\r") && !v.Has(field) {
		v.Add(field, "invalid", "Bitte geben Sie diese Angabe in einer Zeile an.")
	}
}

// checkLines refuses an address with more lines than a letter shows.
func checkLines(v *core.ValidationError, field, label, value string) {
	if strings.Count(value, "\n") >= MaxAddressLines && !v.Has(field) {
		v.Add(field, "too_many_lines", fmt.Sprintf("%s darf höchstens %d Zeilen haben.", label, MaxAddressLines))
	}
}

// normalizeNewlines turns CRLF and CR line ends (as browsers send them) into LF.
func normalizeNewlines(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// SettingsOf returns the current settings of t (for the edit form).
func SettingsOf(t *Tenant) TenantSettings {
	return TenantSettings{Authority: t.Authority, Address: t.Address, ContactEmail: t.ContactEmail,
		LegalRemedyText: t.LegalRemedyText, Letterhead: t.Letterhead, SigningOffice: t.SigningOffice, Phone: t.Phone,
		Court: t.Court, CourtAddress: t.CourtAddress, ForwardingForm: t.ForwardingForm, VacancyMonths: strconv.Itoa(t.VacancyFlagMonths)}
}

// UpdateTenantSettings saves the Kreis's texts and audits the changed fields with their
// new values. It returns the names of the changed fields (none: nothing is written).
func UpdateTenantSettings(ctx context.Context, db *gorm.DB, actor *core.Actor, tenantID int64, in TenantSettings) ([]string, error) {
	if !actor.CanManageTenant(tenantID) {
		return nil, fmt.Errorf("update tenant settings: %w", core.ErrNotFound)
	}
	if err := in.Validate().OrNil(); err != nil {
		return nil, err
	}
	var changed []string
	err := store.InTx(ctx, db, func(tx *gorm.DB) error {
		var t Tenant
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&t, tenantID).Error; err != nil {
			return store.NotFound(err, "lock tenant")
		}
		updates := map[string]any{}
		for _, f := range []struct {
			column, before, after string
		}{
			{"authority", t.Authority, in.Authority},
			{"address", t.Address, in.Address},
			{"contact_email", t.ContactEmail, in.ContactEmail},
			{"legal_remedy_text", t.LegalRemedyText, in.LegalRemedyText},
			{"letterhead", t.Letterhead, in.Letterhead},
			{"signing_office", t.SigningOffice, in.SigningOffice},
			{"phone", t.Phone, in.Phone},
			{"court", t.Court, in.Court},
			{"court_address", t.CourtAddress, in.CourtAddress},
			{"forwarding_form", t.ForwardingForm, in.ForwardingForm},
			{"vacancy_flag_months", strconv.Itoa(t.VacancyFlagMonths), in.VacancyMonths},
		} {
			if f.before != f.after {
				updates[f.column] = f.after
				changed = append(changed, f.column)
			}
		}
		if m, ok := updates["vacancy_flag_months"]; ok {
			updates["vacancy_flag_months"], _ = strconv.Atoi(m.(string))
		}
		if len(updates) == 0 {
			return nil
		}
		if err := tx.Model(&t).Updates(updates).Error; err != nil {
			return fmt.Errorf("update tenant settings: %w", err)
		}
		_, err := audit.Audit(tx, audit.Event{Chain: audit.TenantChain(tenantID), ActorID: actor.UserID, TenantID: tenantID, Action: "tenant.settings_changed",
			ObjectType: "tenant", ObjectID: fmt.Sprint(tenantID), Details: map[string]any{"changed": updates}})
		return err
	})
	if err != nil {
		return nil, err
	}
	return changed, nil
}
