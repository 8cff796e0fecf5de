package core

import "testing"

// TestRoleNeedsSecondFactor: openers, leads and Kreis administrators always; evaluators,
// council members and organisation roles only where extended (R29).
func TestRoleNeedsSecondFactor(t *testing.T) {
	for _, tc := range []struct {
		role           Role
		plain, extends bool
	}{
		{RoleOpener, true, true}, {RoleLead, true, true}, {RoleTenantAdmin, true, true},
		{RoleEvaluator, false, true}, {RoleCouncil, false, true},
		{RoleOrgMember, false, true}, {RoleOrgAdmin, false, true}, {Role("unknown"), false, false},
	} {
		if got := RoleNeedsSecondFactor(tc.role, false); got != tc.plain {
			t.Errorf("%s: %v, want %v", tc.role, got, tc.plain)
		}
		if got := RoleNeedsSecondFactor(tc.role, true); got != tc.extends {
			t.Errorf("%s extended: %v, want %v", tc.role, got, tc.extends)
		}
	}
}

// TestWithholdGuardedKeepsOnlyUnguardedRoles: a password-only session keeps the roles
// that need no second factor and reports the withheld ones.
func TestWithholdGuardedKeepsOnlyUnguardedRoles(t *testing.T) {
	a := &Actor{PlatformAdmin: true, Tenants: map[int64][]Role{1: {RoleLead, RoleEvaluator}, 2: {RoleOpener}}, Orgs: map[int64]Role{7: RoleOrgAdmin},
		Guarded: Guarded{PlatformAdmin: true, Tenants: map[int64][]Role{1: {RoleLead}, 2: {RoleOpener}}, Orgs: map[int64]Role{}}}
	a.WithholdGuarded()
	if a.PlatformAdmin || a.HasTenantRole(1, RoleLead) || a.InTenant(2) || !a.HasTenantRole(1, RoleEvaluator) || !a.IsOrgAdmin(7) {
		t.Fatalf("after withholding: %+v", a)
	}
	if !a.WithheldTenantRole(1, RoleLead) || a.WithheldTenantRole(1, RoleEvaluator) || !a.WithheldPlatform() || a.WithheldOrg(7, false) {
		t.Fatal("withheld roles misreported")
	}
}
