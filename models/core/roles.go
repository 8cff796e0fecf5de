package core

import "slices"

// Role is a right a user holds in a Kreis or an organisation.
type Role string

// Kreis roles (tenant_memberships) and organisation roles (organization_members), rules.md R26.
const (
	RoleLead        Role = "lead"
	RoleOpener      Role = "opener"
	RoleEvaluator   Role = "evaluator"
	RoleCouncil     Role = "council"
	RoleTenantAdmin Role = "tenant_admin"
	RoleOrgMember   Role = "org_member"
	RoleOrgAdmin    Role = "org_admin"
)

// TenantRoles lists the Kreis roles in display order.
var TenantRoles = []Role{RoleLead, RoleOpener, RoleEvaluator, RoleCouncil, RoleTenantAdmin}

// OrgRoles lists the organisation roles in display order.
var OrgRoles = []Role{RoleOrgMember, RoleOrgAdmin}

// Label returns the German name of the role.
func (r Role) Label() string {
	switch r {
	case RoleLead:
		return "Verfahrensleitung"
	case RoleOpener:
		return "Öffnungsberechtigte Person"
	case RoleEvaluator:
		return "Mitglied des Bewertungsgremiums"
	case RoleCouncil:
		return "Kreistagsmitglied"
	case RoleTenantAdmin:
		return "Kreisadministration"
	case RoleOrgMember:
		return "Mitarbeitende Person des Trägers"
	case RoleOrgAdmin:
		return "Administration des Trägers"
	}
	return string(r)
}

// IsTenantRole reports whether r is a Kreis role.
func (r Role) IsTenantRole() bool { return slices.Contains(TenantRoles, r) }

// IsOrgRole reports whether r is an organisation role.
func (r Role) IsOrgRole() bool { return slices.Contains(OrgRoles, r) }

// Actor is the authenticated user on whose behalf a use case runs, with all memberships.
type Actor struct {
	UserID        int64
	Name          string
	Email         string
	PlatformAdmin bool
	SessionEpoch  int64 // the user's session epoch (users.session_epoch) when loaded
	Tenants       map[int64][]Role
	Orgs          map[int64]Role
	// Second factor (R29, second_factor.go): the rights that need it, whether the user has
	// enrolled one, and whether this session lacks it (its guarded rights are withheld).
	Guarded              Guarded
	SecondFactorEnrolled bool
	PasswordOnly         bool
}

// HasTenantRole reports whether the actor holds role in the Kreis tenantID.
func (a *Actor) HasTenantRole(tenantID int64, role Role) bool {
	return a != nil && slices.Contains(a.Tenants[tenantID], role)
}

// InTenant reports whether the actor holds any role in the Kreis tenantID.
func (a *Actor) InTenant(tenantID int64) bool {
	return a != nil && len(a.Tenants[tenantID]) > 0
}

// InOrg reports whether the actor is a member (any role) of the organisation orgID.
func (a *Actor) InOrg(orgID int64) bool {
	if a == nil {
		return false
	}
	_, ok := a.Orgs[orgID]
	return ok
}

// IsOrgAdmin reports whether the actor administers the organisation orgID.
func (a *Actor) IsOrgAdmin(orgID int64) bool { return a != nil && a.Orgs[orgID] == RoleOrgAdmin }

// CanManageTenant reports whether the actor may manage users, roles and texts of the Kreis.
func (a *Actor) CanManageTenant(tenantID int64) bool {
	return a.HasTenantRole(tenantID, RoleTenantAdmin)
}

// CanReadTenantAudit reports whether the actor may read the Kreis's audit list.
func (a *Actor) CanReadTenantAudit(tenantID int64) bool {
	return a.HasTenantRole(tenantID, RoleTenantAdmin) || a.HasTenantRole(tenantID, RoleLead)
}

// CanCreateTenants reports whether the actor is the operator, who creates Kreise.
func (a *Actor) CanCreateTenants() bool { return a != nil && a.PlatformAdmin }
