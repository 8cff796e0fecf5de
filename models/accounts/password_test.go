package accounts_test

import (
	"strings"
	"testing"
	"time"

	"kimibv/models/accounts"
	"kimibv/models/core"
	"kimibv/models/postbox"
)

func TestCheckPassword(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, pw, email, user, code string
	}{
		{"ok", "Grüne Wiese am Fluss 7", "jana@kreis.example", "Jana Leitner", ""},
		{"too short", "kurz123!", "jana@kreis.example", "Jana", "too_short"},
		{"exactly minimum", "abcdefghijk1", "jana@kreis.example", "Jana", ""},
		{"counts runes not bytes", "äöüäöüäöüäö", "x@kreis.example", "X", "too_short"},
		{"too long", strings.Repeat("a1", 129), "jana@kreis.example", "Jana", "too_long"},
		{"common", "Passwort1234", "jana@kreis.example", "Jana", "common"},
		{"one repeated character", "aaaaaaaaaaaaaa", "jana@kreis.example", "Jana", "common"},
		{"contains e-mail local part", "mein-jana.leitner-2026", "jana.leitner@kreis.example", "Jana Leitner", "personal"},
		{"contains name", "XXjana leitnerXX", "jl@kreis.example", "Jana Leitner", "personal"},
		{"control character", "gutes\x07Passwort-lang", "jl@kreis.example", "Jana", "control"},
		{"invalid utf-8", "gutes\xffPasswort-lang", "jl@kreis.example", "Jana", "invalid"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := accounts.CheckPassword(tc.pw, tc.email, tc.user)
			if tc.code == "" {
				if len(v.Fields) != 0 {
					t.Fatalf("unexpected %v", v.Codes())
				}
				return
			}
			found := false
			for _, f := range v.Fields {
				if f.Field == "password" && f.Code == tc.code && f.Message != "" {
					found = true
				}
			}
			if !found {
				t.Fatalf("want password:%s, got %v", tc.code, v.Codes())
			}
		})
	}
}

func TestPasswordHashRoundTrip(t *testing.T) {
	t.Parallel()
	h, err := accounts.HashPassword("Grüne Wiese am Fluss 7")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Fatalf("unexpected hash format %s", h)
	}
	if !accounts.PasswordMatches("Grüne Wiese am Fluss 7", h) || accounts.PasswordMatches("grüne Wiese am Fluss 7", h) {
		t.Fatal("hash does not distinguish passwords")
	}
	h2, _ := accounts.HashPassword("Grüne Wiese am Fluss 7")
	if h == h2 {
		t.Fatal("hashes are not salted")
	}
}

func TestLockoutUntil(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 10, 25, 1, 0, 0, 0, time.UTC)
	cases := []struct {
		failures int
		want     time.Duration // 0 = not locked
	}{
		{0, 0}, {4, 0}, {5, time.Minute}, {6, 2 * time.Minute}, {7, 4 * time.Minute},
		{11, time.Hour}, // 64 min capped at one hour
		{50, time.Hour},
	}
	for _, tc := range cases {
		got := accounts.LockoutUntil(tc.failures, now)
		if tc.want == 0 {
			if !got.IsZero() {
				t.Errorf("%d failures: locked until %v", tc.failures, got)
			}
			continue
		}
		if d := got.Sub(now); d != tc.want {
			t.Errorf("%d failures: locked for %v, want %v", tc.failures, d, tc.want)
		}
	}
}

func TestOutboxBackoff(t *testing.T) {
	t.Parallel()
	for attempts, want := range map[int]time.Duration{1: time.Minute, 2: 2 * time.Minute, 4: 8 * time.Minute, 20: 4 * time.Hour} {
		if got := postbox.OutboxBackoff(attempts); got != want {
			t.Errorf("attempt %d: %v want %v", attempts, got, want)
		}
	}
}

func TestRolesAndPermissions(t *testing.T) {
	t.Parallel()
	a := &core.Actor{UserID: 1, Tenants: map[int64][]core.Role{1: {core.RoleLead, core.RoleOpener}, 2: {core.RoleTenantAdmin}},
		Orgs: map[int64]core.Role{7: core.RoleOrgMember, 8: core.RoleOrgAdmin}}
	op := &core.Actor{UserID: 2, PlatformAdmin: true}
	var anon *core.Actor
	cases := []struct {
		name string
		got  bool
		want bool
	}{
		{"lead in Kreis 1", a.HasTenantRole(1, core.RoleLead), true},
		{"no lead in Kreis 2", a.HasTenantRole(2, core.RoleLead), false},
		{"in Kreis 2", a.InTenant(2), true},
		{"not in Kreis 3", a.InTenant(3), false},
		{"manages Kreis 2", a.CanManageTenant(2), true},
		{"does not manage Kreis 1", a.CanManageTenant(1), false},
		{"lead reads Kreis audit", a.CanReadTenantAudit(1), true},
		{"admin reads Kreis audit", a.CanReadTenantAudit(2), true},
		{"member of org 7", a.InOrg(7), true},
		{"not admin of org 7", a.IsOrgAdmin(7), false},
		{"admin of org 8", a.IsOrgAdmin(8), true},
		{"not in org 9", a.InOrg(9), false},
		{"user cannot create Kreise", a.CanCreateTenants(), false},
		{"operator creates Kreise", op.CanCreateTenants(), true},
		{"operator is in no Kreis", op.InTenant(1) || op.CanManageTenant(1) || op.CanReadTenantAudit(1), false},
		{"anonymous has nothing", anon.InTenant(1) || anon.InOrg(7) || anon.CanCreateTenants() || anon.IsOrgAdmin(8), false},
	}
	for _, tc := range cases {
		if tc.got != tc.want {
			t.Errorf("%s: got %v", tc.name, tc.got)
		}
	}
	for _, r := range core.TenantRoles {
		if !r.IsTenantRole() || r.IsOrgRole() || r.Label() == string(r) {
			t.Errorf("tenant role %s misclassified or unlabelled", r)
		}
	}
	for _, r := range core.OrgRoles {
		if r.IsTenantRole() || !r.IsOrgRole() || r.Label() == string(r) {
			t.Errorf("org role %s misclassified or unlabelled", r)
		}
	}
}

func TestCheckTextAndEmail(t *testing.T) {
	t.Parallel()
	cases := []struct {
		value, code string
	}{
		{"Kreis Musterland", ""},
		{"", "required"},
		{"   ", "required"},
		{strings.Repeat("ä", 201), "too_long"},
		{"a\x00b", "invalid"},
		{"a\xffb", "invalid"},
		{"Träger\u202eevil", "invalid"},
	}
	for _, tc := range cases {
		v := &core.ValidationError{}
		core.CheckText(v, "name", "den Namen", tc.value, true, 200)
		got := ""
		if len(v.Fields) > 0 {
			got = v.Fields[0].Code
		}
		if got != tc.code {
			t.Errorf("%q: code %q want %q", tc.value, got, tc.code)
		}
	}
	for email, ok := range map[string]bool{"a@b.de": true, "leitung@musterland.example": true, "x": false, "a@b": false,
		"Name <a@b.de>": false, "a@b.de\r\nBcc: c@d.de": false, "": false} {
		v := &core.ValidationError{}
		core.CheckEmail(v, "email", email)
		if (len(v.Fields) == 0) != ok {
			t.Errorf("%q: valid=%v want %v", email, len(v.Fields) == 0, ok)
		}
	}
}
