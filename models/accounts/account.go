package accounts

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"kimibv/models/core"
)

// Membership is one Kreis or organisation of the account overview with the user's roles there.
type Membership struct {
	Kind  string // "kreis" or "organisation"
	Name  string
	Href  string
	Roles []core.Role
}

// AccountMemberships lists the actor's Kreise and organisations with the roles held in each
// (Kreise first, then organisations, each by name).
func AccountMemberships(ctx context.Context, db *gorm.DB, a *core.Actor) ([]Membership, error) {
	if a == nil {
		return nil, fmt.Errorf("account memberships: %w", core.ErrForbidden)
	}
	var rows []struct {
		Kind, Key, Name string
		ID              int64
	}
	err := db.WithContext(ctx).Raw(`SELECT * FROM (
		SELECT 'kreis' AS kind, t.slug AS key, t.name, t.id FROM tenants t WHERE t.id IN (SELECT tenant_id FROM tenant_memberships WHERE user_id = ?)
		UNION ALL
		SELECT 'organisation', o.id::text, o.name, o.id FROM organizations o WHERE o.id IN (SELECT org_id FROM organization_members WHERE user_id = ?)
		) m ORDER BY kind, name COLLATE german, id`, a.UserID, a.UserID).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("account memberships: %w", err)
	}
	out := make([]Membership, 0, len(rows))
	for _, r := range rows {
		m := Membership{Kind: r.Kind, Name: r.Name}
		if r.Kind == "kreis" {
			m.Href = "/verwaltung/" + r.Key
			for _, role := range core.TenantRoles {
				if a.HasTenantRole(r.ID, role) {
					m.Roles = append(m.Roles, role)
				}
			}
		} else {
			m.Href = "/traeger/" + r.Key
			if role, ok := a.Orgs[r.ID]; ok {
				m.Roles = []core.Role{role}
			}
		}
		out = append(out, m)
	}
	return out, nil
}
