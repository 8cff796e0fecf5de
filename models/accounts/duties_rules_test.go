package accounts_test

import (
	"strings"
	"testing"

	"kimibv/models/accounts"
	"kimibv/models/core"
)

// TestCommitteeRoleConflict: a named evaluator of a running procedure may hold no role
// that handles procedures (lead, opener); Kreis administration and council membership
// are allowed beside the committee, and without a committee seat every combination is.
func TestCommitteeRoleConflict(t *testing.T) {
	t.Parallel()
	lead, opener, eval, council, admin := core.RoleLead, core.RoleOpener, core.RoleEvaluator, core.RoleCouncil, core.RoleTenantAdmin
	tests := []struct {
		name  string
		roles []core.Role
		named bool
		want  core.Role
	}{
		{"evaluator alone", []core.Role{eval}, true, ""},
		{"evaluator and opener on the committee", []core.Role{eval, opener}, true, opener},
		{"evaluator and lead on the committee", []core.Role{eval, lead}, true, lead},
		{"lead and opener on the committee: the lead is named first", []core.Role{opener, eval, lead}, true, lead},
		{"evaluator and Kreis administration on the committee", []core.Role{eval, admin}, true, ""},
		{"evaluator and council member on the committee", []core.Role{council, eval}, true, ""},
		{"opener who left the evaluator role but is still named", []core.Role{opener}, true, opener},
		{"no role left but still named", nil, true, ""},
		{"evaluator and opener without a committee seat", []core.Role{eval, opener}, false, ""},
		{"every role without a committee seat", []core.Role{lead, opener, eval, council, admin}, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := accounts.CommitteeRoleConflict(tt.roles, tt.named); got != tt.want {
				t.Fatalf("CommitteeRoleConflict(%v, %v) = %q, want %q", tt.roles, tt.named, got, tt.want)
			}
		})
	}
}

// TestMsgCommitteeRoleNamesTheRole: the naming refusal says which role excludes the person.
func TestMsgCommitteeRoleNamesTheRole(t *testing.T) {
	t.Parallel()
	for role, want := range map[core.Role]string{core.RoleLead: "Verfahrensleitung", core.RoleOpener: "Öffnungsberechtigte"} {
		if msg := accounts.MsgCommitteeRole(role); !strings.Contains(msg, want) || !strings.Contains(msg, "Bitte wählen Sie eine andere Person.") {
			t.Errorf("%s: %q", role, msg)
		}
	}
}
