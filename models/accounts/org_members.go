package accounts

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/models/store"
)

// OrgMember is a user's membership in an organisation, for the members list.
type OrgMember struct {
	UserID    int64
	Name      string
	Email     string
	Role      core.Role
	CreatedAt time.Time
}

// OrgMembers lists the organisation's members, administrators first, then by name.
func OrgMembers(ctx context.Context, db *gorm.DB, orgID int64) ([]OrgMember, error) {
	var out []OrgMember
	err := db.WithContext(ctx).Raw(`SELECT u.id AS user_id, u.name, u.email, m.role, m.created_at
		FROM organization_members m JOIN users u ON u.id = m.user_id
		WHERE m.org_id = ? ORDER BY m.role = 'org_admin' DESC, u.name COLLATE german, u.id`, orgID).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	return out, nil
}

// OrgOpenInvitations lists the organisation's invitations that are neither accepted nor expired.
func OrgOpenInvitations(ctx context.Context, db *gorm.DB, orgID int64, now time.Time) ([]Invitation, error) {
	var out []Invitation
	err := db.WithContext(ctx).Where("org_id = ? AND accepted_at IS NULL AND withdrawn_at IS NULL AND expires_at > ?", orgID, now).
		Order("created_at DESC, id DESC").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("list invitations: %w", err)
	}
	return out, nil
}

// KeepsAnAdmin reports whether an organisation with admins administrators still has one
// after a member whose role is from changes to role to ("" means the member is removed).
func KeepsAnAdmin(admins int, from, to core.Role) bool {
	if from != core.RoleOrgAdmin || to == core.RoleOrgAdmin {
		return true
	}
	return admins > 1
}

// msgLastAdmin explains the last-administrator rule.
const msgLastAdmin = "Die Organisation braucht mindestens eine Person mit der Rolle „Administration des Trägers“. " +
	"Bitte ernennen Sie zuerst eine andere Person zur Administration."

// OrgChanges returns the fields of in that differ from o as {field: {"before", "after"}},
// keyed by the form field names. in must be validated.
func OrgChanges(o Organization, in OrgInput) map[string]any {
	pairs := []struct{ field, before, after string }{
		{"org_name", o.Name, in.Name}, {"legal_form", o.LegalForm, in.LegalForm},
		{"register_court", o.RegisterCourt, in.RegisterCourt}, {"register_number", o.RegisterNumber, in.RegisterNumber},
		{"street", o.Street, in.Street}, {"postal_code", o.PostalCode, in.PostalCode}, {"city", o.City, in.City},
		{"association", o.Association, in.Association}, {"org_email", o.Email, in.Email}, {"phone", o.Phone, in.Phone},
	}
	out := map[string]any{}
	for _, p := range pairs {
		if p.before != p.after {
			out[p.field] = map[string]any{"before": p.before, "after": p.after}
		}
	}
	return out
}

// UpdateOrganization lets an organisation administrator change the profile. Changed fields
// are audited as organization.updated on the platform chain; nothing changed writes nothing.
func UpdateOrganization(ctx context.Context, db *gorm.DB, actor *core.Actor, orgID int64, in OrgInput) (*Organization, error) {
	if !actor.IsOrgAdmin(orgID) {
		return nil, fmt.Errorf("update organization %d: %w", orgID, core.ErrNotFound)
	}
	if err := in.Validate().OrNil(); err != nil {
		return nil, err
	}
	var o Organization
	err := store.InTx(ctx, db, func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&o, orgID).Error; err != nil {
			return store.NotFound(err, "load organization")
		}
		changes := OrgChanges(o, in)
		if len(changes) == 0 {
			return nil
		}
		var taken int64
		if err := tx.Raw(`SELECT count(*) FROM organizations WHERE lower(name) = lower(?) AND id <> ?`, in.Name, orgID).Scan(&taken).Error; err != nil {
			return fmt.Errorf("check name: %w", err)
		}
		if taken > 0 {
			return nameTaken()
		}
		err := tx.Model(&o).Updates(map[string]any{"name": in.Name, "legal_form": in.LegalForm, "register_court": in.RegisterCourt,
			"register_number": in.RegisterNumber, "street": in.Street, "postal_code": in.PostalCode, "city": in.City,
			"association": in.Association, "email": in.Email, "phone": in.Phone}).Error
		if isUniqueViolation(err) {
			return nameTaken()
		}
		if err != nil {
			return fmt.Errorf("update organization: %w", err)
		}
		_, err = audit.Audit(tx, audit.Event{Chain: audit.ChainPlatform, ActorID: actor.UserID, Action: "organization.updated", ObjectType: "organization",
			ObjectID: fmt.Sprint(orgID), Details: map[string]any{"changed": changes}})
		return err
	})
	if err != nil {
		return nil, err
	}
	return &o, nil
}

func nameTaken() error {
	v := &core.ValidationError{}
	v.Add("org_name", "taken", "Eine andere Organisation ist bereits unter diesem Namen registriert.")
	return v
}

func isUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// InviteToOrg lets an organisation administrator invite a colleague by e-mail with role
// org_member or org_admin; audited as organization.member_invited on the platform chain.
func InviteToOrg(ctx context.Context, db *gorm.DB, actor *core.Actor, orgID int64, email string, role core.Role, baseURL string, now time.Time) (Invitation, error) {
	if !actor.IsOrgAdmin(orgID) {
		return Invitation{}, fmt.Errorf("invite to organization %d: %w", orgID, core.ErrNotFound)
	}
	// Validate the address before it is used in a query (a NUL byte is a database error).
	v := &core.ValidationError{}
	core.CheckEmail(v, "email", core.NormalizeEmail(email))
	if err := v.OrNil(); err != nil {
		return Invitation{}, err
	}
	var inv Invitation
	err := store.InTx(ctx, db, func(tx *gorm.DB) error {
		var o Organization
		if err := tx.Clauses(clause.Locking{Strength: "SHARE"}).First(&o, orgID).Error; err != nil {
			return store.NotFound(err, "load organization")
		}
		var member int64
		if err := tx.Raw(`SELECT count(*) FROM organization_members m JOIN users u ON u.id = m.user_id WHERE m.org_id = ? AND u.email = ?`,
			orgID, core.NormalizeEmail(email)).Scan(&member).Error; err != nil {
			return fmt.Errorf("check membership: %w", err)
		}
		if member > 0 {
			v := &core.ValidationError{}
			v.Add("email", "member", "Diese Person gehört der Organisation bereits an.")
			return v
		}
		var err error
		inv, err = newInvitation(tx, actor, 0, orgID, email, []core.Role{role}, o.Name, baseURL, now)
		if v, ok := core.AsValidation(err); ok {
			for i := range v.Fields {
				if v.Fields[i].Field == "roles" {
					v.Fields[i].Field, v.Fields[i].Message = "role", "Bitte wählen Sie die Rolle aus der Liste aus."
				}
			}
		}
		if err != nil {
			return err
		}
		_, err = audit.Audit(tx, audit.Event{Chain: audit.ChainPlatform, ActorID: actor.UserID, Action: "organization.member_invited", ObjectType: "organization",
			ObjectID: fmt.Sprint(orgID), Details: map[string]any{"email": inv.Email, "role": string(role), "invitation_id": inv.ID}})
		return err
	})
	return inv, err
}

// lockMembers locks all memberships of the organisation (so that concurrent role changes
// count administrators consistently) and returns the roles by user and the admin count.
func lockMembers(tx *gorm.DB, orgID int64) (map[int64]core.Role, int, error) {
	var rows []struct {
		UserID int64
		Role   core.Role
	}
	if err := tx.Raw(`SELECT user_id, role FROM organization_members WHERE org_id = ? ORDER BY user_id FOR UPDATE`, orgID).Scan(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("lock members: %w", err)
	}
	roles, admins := make(map[int64]core.Role, len(rows)), 0
	for _, r := range rows {
		roles[r.UserID] = r.Role
		if r.Role == core.RoleOrgAdmin {
			admins++
		}
	}
	return roles, admins, nil
}

// SetOrgMemberRole lets an organisation administrator change a member's role; the last
// administrator cannot be demoted. Audited as organization.role_changed.
func SetOrgMemberRole(ctx context.Context, db *gorm.DB, actor *core.Actor, orgID, userID int64, role core.Role) error {
	return store.InTx(ctx, db, func(tx *gorm.DB) error { return SetOrgMemberRoleTx(tx, actor, orgID, userID, role) })
}

// SetOrgMemberRoleTx is SetOrgMemberRole inside the caller's transaction tx: it checks, locks, writes and
// audits as SetOrgMemberRole does, but neither opens nor commits a transaction, so use cases compose.
func SetOrgMemberRoleTx(tx *gorm.DB, actor *core.Actor, orgID int64, userID int64, role core.Role) error {
	if !actor.IsOrgAdmin(orgID) {
		return fmt.Errorf("set member role: %w", core.ErrNotFound)
	}
	if !role.IsOrgRole() {
		v := &core.ValidationError{}
		v.Add("member", "invalid", "Bitte wählen Sie die Rolle aus der Liste aus.")
		return v
	}
	roles, admins, err := lockMembers(tx, orgID)
	if err != nil {
		return err
	}
	before, ok := roles[userID]
	switch {
	case !ok:
		return fmt.Errorf("set member role: user %d: %w", userID, core.ErrNotFound)
	case before == role:
		return nil
	case !KeepsAnAdmin(admins, before, role):
		v := &core.ValidationError{}
		v.Add("member", "last_admin", msgLastAdmin)
		return v
	}
	if err := tx.Exec(`UPDATE organization_members SET role = ? WHERE org_id = ? AND user_id = ?`, role, orgID, userID).Error; err != nil {
		return fmt.Errorf("set member role: %w", err)
	}
	if before == core.RoleOrgAdmin && userID != actor.UserID {
		if err := endSessionsTx(tx, userID); err != nil { // the administrator role taken away
			return err
		}
	}
	_, err = audit.Audit(tx, audit.Event{Chain: audit.ChainPlatform, ActorID: actor.UserID, Action: "organization.role_changed", ObjectType: "organization",
		ObjectID: fmt.Sprint(orgID), Details: map[string]any{"user_id": userID, "before": string(before), "after": string(role)}})
	return err
}

// RemoveOrgMember lets an organisation administrator remove a member (also themselves while
// another administrator remains). Audited as organization.member_removed.
func RemoveOrgMember(ctx context.Context, db *gorm.DB, actor *core.Actor, orgID, userID int64) error {
	return store.InTx(ctx, db, func(tx *gorm.DB) error { return RemoveOrgMemberTx(tx, actor, orgID, userID) })
}

// RemoveOrgMemberTx is RemoveOrgMember inside the caller's transaction tx: it checks, locks, writes and
// audits as RemoveOrgMember does, but neither opens nor commits a transaction, so use cases compose.
func RemoveOrgMemberTx(tx *gorm.DB, actor *core.Actor, orgID int64, userID int64) error {
	if !actor.IsOrgAdmin(orgID) {
		return fmt.Errorf("remove member: %w", core.ErrNotFound)
	}
	roles, admins, err := lockMembers(tx, orgID)
	if err != nil {
		return err
	}
	before, ok := roles[userID]
	if !ok {
		return fmt.Errorf("remove member: user %d: %w", userID, core.ErrNotFound)
	}
	if !KeepsAnAdmin(admins, before, "") {
		v := &core.ValidationError{}
		v.Add("member", "last_admin", msgLastAdmin)
		return v
	}
	if err := tx.Exec(`DELETE FROM organization_members WHERE org_id = ? AND user_id = ?`, orgID, userID).Error; err != nil {
		return fmt.Errorf("remove member: %w", err)
	}
	if userID != actor.UserID { // removed by another administrator: their sessions end
		if err := endSessionsTx(tx, userID); err != nil {
			return err
		}
	}
	_, err = audit.Audit(tx, audit.Event{Chain: audit.ChainPlatform, ActorID: actor.UserID, Action: "organization.member_removed", ObjectType: "organization",
		ObjectID: fmt.Sprint(orgID), Details: map[string]any{"user_id": userID, "role": string(before)}})
	return err
}
