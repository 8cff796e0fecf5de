package core

import "slices"

// RoleNeedsSecondFactor reports whether holding role requires a session confirmed with the
// second factor (rules.md R29): always for openers, leads and Kreis administrators; for
// evaluators and council members when their Kreis extends the duty to all its staff, and
// for an organisation's roles when the organisation requires it (extended).
func RoleNeedsSecondFactor(r Role, extended bool) bool {
	switch r {
	case RoleOpener, RoleLead, RoleTenantAdmin:
		return true
	case RoleEvaluator, RoleCouncil, RoleOrgMember, RoleOrgAdmin:
		return extended
	}
	return false
}

// Guarded are the rights of an actor that only a session confirmed with the second
// factor may use (R29): the operator's, and the roles RoleNeedsSecondFactor names.
type Guarded struct {
	Tenants       map[int64][]Role
	Orgs          map[int64]Role
	PlatformAdmin bool
}

// Any reports whether g holds any right.
func (g Guarded) Any() bool { return g.PlatformAdmin || len(g.Tenants) > 0 || len(g.Orgs) > 0 }

// NeedsSecondFactor reports whether the actor holds a right that requires the second
// factor, or has enrolled one (an enrolled user confirms it at every login).
func (a *Actor) NeedsSecondFactor() bool {
	return a != nil && (a.SecondFactorEnrolled || a.Guarded.Any())
}

// WithholdGuarded takes the guarded rights away for a session without the second factor
// ("password only"): every role check then refuses them, and WithheldTenantRole,
// WithheldOrg and WithheldPlatform tell the middleware to ask for the factor instead.
func (a *Actor) WithholdGuarded() {
	a.PasswordOnly = true
	if a.Guarded.PlatformAdmin {
		a.PlatformAdmin = false
	}
	for t, roles := range a.Guarded.Tenants {
		a.Tenants[t] = slices.DeleteFunc(slices.Clone(a.Tenants[t]), func(r Role) bool { return slices.Contains(roles, r) })
		if len(a.Tenants[t]) == 0 {
			delete(a.Tenants, t)
		}
	}
	for o := range a.Guarded.Orgs {
		delete(a.Orgs, o)
	}
}

// WithheldTenantRole reports whether the actor holds role in tenantID but may not use it
// before confirming the second factor.
func (a *Actor) WithheldTenantRole(tenantID int64, role Role) bool {
	return a != nil && a.PasswordOnly && slices.Contains(a.Guarded.Tenants[tenantID], role)
}

// WithheldOrg reports whether the actor is a member of orgID (as admin when adminOnly)
// but may not act for it before confirming the second factor.
func (a *Actor) WithheldOrg(orgID int64, adminOnly bool) bool {
	if a == nil || !a.PasswordOnly {
		return false
	}
	r, ok := a.Guarded.Orgs[orgID]
	return ok && (!adminOnly || r == RoleOrgAdmin)
}

// WithheldPlatform reports whether the actor is the operator but may not act as such
// before confirming the second factor.
func (a *Actor) WithheldPlatform() bool {
	return a != nil && a.PasswordOnly && a.Guarded.PlatformAdmin
}
