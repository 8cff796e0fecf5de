package models_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"kimibv/models/accounts"
	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/dbtest"
	"kimibv/models/store"
	"kimibv/models/workarea"
)

// TestWorkAreaHasASectionPerRoleInAFixedNumberOfStatements gives the demo's lead every
// Kreis role: the work area then has one section per role, and the number of statements
// stays the same when the Kreis gets more procedures (no query per procedure).
func TestWorkAreaHasASectionPerRoleInAFixedNumberOfStatements(t *testing.T) {
	t.Parallel()
	ctx, db := context.Background(), dbtest.NewDemo(t).DB
	now := time.Now()
	tenant := dbtest.Count(t, db, `SELECT id FROM tenants WHERE slug = 'musterland'`)
	lead := dbtest.Count(t, db, `SELECT id FROM users WHERE email = 'leitung@musterland.example'`)
	admin, err := accounts.LoadActor(ctx, db, dbtest.Count(t, db, `SELECT id FROM users WHERE email = 'admin@musterland.example'`))
	if err != nil {
		t.Fatal(err)
	}
	if err := accounts.SetTenantRoles(ctx, db, admin, tenant, lead, []core.Role{core.RoleLead, core.RoleCouncil, core.RoleTenantAdmin}); err != nil {
		t.Fatal(err)
	}
	actor, err := accounts.LoadActor(ctx, db, lead)
	if err != nil {
		t.Fatal(err)
	}
	load := func() (*workarea.Area, int64) {
		t.Helper()
		var n atomic.Int64
		area, err := workarea.Load(store.WithQueryCounter(ctx, &n), db, actor, now)
		if err != nil {
			t.Fatal(err)
		}
		return area, n.Load()
	}
	area, before := load()
	var roles []string
	for _, s := range area.Sections {
		roles = append(roles, s.Role)
	}
	if got := strings.Join(roles, " "); got != "lead council tenant_admin" {
		t.Fatalf("sections %q, want one per role: lead council tenant_admin", got)
	}
	if len(area.Sections[0].Procedures) == 0 || area.Sections[0].Procedures[0].Stage.Next == "" {
		t.Fatalf("the lead's section lacks its procedures with their next step: %+v", area.Sections[0])
	}
	for range 3 {
		if _, err := calls.CreateDraft(ctx, db, actor, tenant, 0, now); err != nil {
			t.Fatal(err)
		}
	}
	area, after := load()
	if after != before || before > 5 {
		t.Fatalf("%d statements before and %d after three more procedures, want the same and at most 5", before, after)
	}
	if n := len(area.Sections[0].Procedures); n < 4 {
		t.Fatalf("%d procedures in the lead's section after three new drafts", n)
	}
}
