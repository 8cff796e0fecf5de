package accounts

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lib/pq"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/models/postbox"
	"kimibv/models/store"
)

// InvitationValidity is how long an invitation link can be used.
const InvitationValidity = 7 * 24 * time.Hour

// Invitation invites an e-mail address into a Kreis (TenantID) or organisation (OrgID) with roles.
type Invitation struct {
	ID          int64
	TenantID    *int64
	OrgID       *int64
	Email       string
	Roles       pq.StringArray `gorm:"type:text[]"`
	TokenHash   []byte
	InvitedBy   int64
	ExpiresAt   time.Time
	AcceptedAt  *time.Time
	WithdrawnAt *time.Time
	CreatedAt   time.Time
}

// InvitationView is what the acceptance page shows about an invitation.
type InvitationView struct {
	Invitation
	TargetName  string // name of the Kreis or organisation
	TenantSlug  string // the Kreis's address part (Kreis invitations only)
	InviterName string
	UserExists  bool // an account with the invited address exists
}

// Home is the area the invitation leads into: the Kreis administration or the organisation.
func (iv InvitationView) Home() string {
	if iv.OrgID != nil {
		return fmt.Sprintf("/traeger/%d", *iv.OrgID)
	}
	if iv.TenantSlug != "" {
		return "/verwaltung/" + iv.TenantSlug
	}
	return "/konto"
}

// RoleList returns the invitation's roles as Role values.
func (i Invitation) RoleList() []core.Role {
	out := make([]core.Role, 0, len(i.Roles))
	for _, r := range i.Roles {
		out = append(out, core.Role(r))
	}
	return out
}

// newInvitation validates and stores an invitation inside tx, queues the e-mail with the
// link and returns the invitation. Exactly one of tenantID and orgID is non-zero.
func newInvitation(tx *gorm.DB, inviter *core.Actor, tenantID, orgID int64, email string, roles []core.Role, targetName, baseURL string, now time.Time) (Invitation, error) {
	email = core.NormalizeEmail(email)
	v := &core.ValidationError{}
	core.CheckEmail(v, "email", email)
	if len(roles) == 0 {
		v.Add("roles", "required", "Bitte wählen Sie mindestens eine Rolle aus.")
	}
	for _, r := range roles {
		if (tenantID != 0 && !r.IsTenantRole()) || (orgID != 0 && !r.IsOrgRole()) {
			v.Add("roles", "invalid", "Bitte wählen Sie nur Rollen aus der Liste aus.")
			break
		}
	}
	if err := v.OrNil(); err != nil {
		return Invitation{}, err
	}
	tok, hash := NewToken()
	inv := Invitation{TenantID: audit.OptionalID(tenantID), OrgID: audit.OptionalID(orgID), Email: email, TokenHash: hash,
		InvitedBy: inviter.UserID, ExpiresAt: now.Add(InvitationValidity)}
	for _, r := range roles {
		inv.Roles = append(inv.Roles, string(r))
	}
	if err := tx.Omit("CreatedAt").Create(&inv).Error; err != nil {
		return Invitation{}, fmt.Errorf("store invitation: %w", err)
	}
	labels := make([]string, 0, len(roles))
	for _, r := range roles {
		labels = append(labels, r.Label())
	}
	body := fmt.Sprintf("Guten Tag,\n\n%s hat Sie eingeladen, bei %s in kimibv mitzuarbeiten (Rolle: %s).\n\n"+
		"Bitte öffnen Sie diesen Link, um die Einladung anzunehmen:\n%s/einladung/%s\n\n"+
		"Der Link ist bis %s gültig. Falls Sie diese Einladung nicht erwartet haben, können Sie diese E-Mail ignorieren.\n",
		inviter.Name, targetName, strings.Join(labels, ", "), baseURL, tok, core.FormatDateTime(inv.ExpiresAt))
	if err := postbox.EnqueueMail(tx, postbox.Mail{TenantID: audit.OptionalID(tenantID), ToAddr: email, Subject: "Einladung zu kimibv: " + targetName, Body: body, Kind: "invitation"}); err != nil {
		return Invitation{}, err
	}
	return inv, nil
}

// InvitationByToken loads a valid (unused, unexpired) invitation for the acceptance page.
func InvitationByToken(ctx context.Context, db *gorm.DB, token string, now time.Time) (*InvitationView, error) {
	var iv InvitationView
	err := db.WithContext(ctx).Raw(`SELECT i.*, COALESCE(t.name, o.name) AS target_name, COALESCE(t.slug, '') AS tenant_slug, u.name AS inviter_name,
			EXISTS (SELECT 1 FROM users x WHERE x.email = i.email) AS user_exists
		FROM invitations i LEFT JOIN tenants t ON t.id = i.tenant_id LEFT JOIN organizations o ON o.id = i.org_id
		JOIN users u ON u.id = i.invited_by
		WHERE i.token_hash = ? AND i.accepted_at IS NULL AND i.withdrawn_at IS NULL AND i.expires_at > ?`, HashToken(token), now).Scan(&iv).Error
	if err != nil {
		return nil, fmt.Errorf("load invitation: %w", err)
	}
	if iv.ID == 0 {
		if withdrawn, err := invitationWithdrawn(ctx, db, token); err != nil {
			return nil, err
		} else if withdrawn {
			return nil, fmt.Errorf("invitation: %w", ErrInvitationWithdrawn)
		}
		return nil, fmt.Errorf("invitation: %w", core.ErrNotFound)
	}
	return &iv, nil
}

// AcceptInvitation adds the memberships of the invitation. A logged-in actor accepts for
// their own account (the address must match); otherwise newUser creates the account.
// It returns the id of the user who now holds the roles.
func AcceptInvitation(ctx context.Context, db *gorm.DB, token string, actor *core.Actor, newUser *NewUserInput, now time.Time) (int64, error) {
	var userID int64
	err := store.InTx(ctx, db, func(tx *gorm.DB) error {
		var inv Invitation
		res := tx.Clauses(clause.Locking{Strength: "UPDATE"}).
			Where("token_hash = ? AND accepted_at IS NULL AND withdrawn_at IS NULL AND expires_at > ?", HashToken(token), now).Limit(1).Find(&inv)
		if res.Error != nil {
			return fmt.Errorf("load invitation: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("invitation: %w", core.ErrNotFound)
		}
		switch {
		case actor != nil:
			if core.NormalizeEmail(actor.Email) != inv.Email {
				v := &core.ValidationError{}
				v.Add("email", "mismatch", "Diese Einladung gilt für eine andere E-Mail-Adresse. Bitte melden Sie sich mit dem eingeladenen Konto an.")
				return v
			}
			userID = actor.UserID
		case newUser != nil:
			newUser.Email = inv.Email
			u, err := insertUser(tx, *newUser, false)
			if err != nil {
				return err
			}
			userID = u.ID
		default:
			return fmt.Errorf("accept invitation: %w", core.ErrForbidden)
		}
		if err := grantInvitation(tx, inv, userID); err != nil {
			return err
		}
		if err := tx.Model(&inv).Update("accepted_at", now).Error; err != nil {
			return fmt.Errorf("mark invitation: %w", err)
		}
		chain, tenantID := audit.ChainPlatform, int64(0)
		if inv.TenantID != nil {
			chain, tenantID = audit.TenantChain(*inv.TenantID), *inv.TenantID
		}
		_, err := audit.Audit(tx, audit.Event{Chain: chain, ActorID: userID, TenantID: tenantID, Action: "invitation.accepted",
			ObjectType: "invitation", ObjectID: fmt.Sprint(inv.ID), Details: map[string]any{"roles": []string(inv.Roles), "org_id": inv.OrgID}})
		return err
	})
	return userID, err
}

// grantInvitation inserts the memberships an invitation grants (idempotent). Kreis roles
// that, together with those the user holds, break CommitteeRoleConflict are refused
// with a field error (nothing is granted).
func grantInvitation(tx *gorm.DB, inv Invitation, userID int64) error {
	if inv.TenantID != nil {
		var held []string
		if err := tx.Raw(`SELECT role FROM tenant_memberships WHERE tenant_id = ? AND user_id = ?`, *inv.TenantID, userID).Scan(&held).Error; err != nil {
			return fmt.Errorf("load roles: %w", err)
		}
		roles := inv.RoleList()
		for _, r := range held {
			roles = append(roles, core.Role(r))
		}
		v := &core.ValidationError{}
		if err := checkRoleGrant(tx, *inv.TenantID, userID, roles, "roles", msgAcceptConflict, v); err != nil {
			return err
		}
		if err := v.OrNil(); err != nil {
			return err
		}
		for _, r := range inv.Roles {
			if err := tx.Exec(`INSERT INTO tenant_memberships (tenant_id, user_id, role) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
				*inv.TenantID, userID, r).Error; err != nil {
				return fmt.Errorf("grant role: %w", err)
			}
		}
		return nil
	}
	role := core.RoleOrgMember
	if slices.Contains(inv.Roles, string(core.RoleOrgAdmin)) {
		role = core.RoleOrgAdmin
	}
	// An invitation never demotes: an administrator accepting a member invitation stays administrator.
	if err := tx.Exec(`INSERT INTO organization_members (org_id, user_id, role) VALUES (?, ?, ?)
		ON CONFLICT (org_id, user_id) DO UPDATE SET role = CASE WHEN organization_members.role = 'org_admin' THEN 'org_admin' ELSE EXCLUDED.role END`,
		*inv.OrgID, userID, role).Error; err != nil {
		return fmt.Errorf("grant org role: %w", err)
	}
	return nil
}
