package models_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"kimibv/models/accounts"
	"kimibv/models/audit"
	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/dbtest"
	"kimibv/models/evaluation"
	"kimibv/models/rules"
)

// TestNamingRefusesOpenersAsEvaluators: a person who also opens in the Kreis is not named
// to a committee — not in the draft, not by SetCommittee, not by AddEvaluator — and a
// copied call leaves them out of its committee. Nothing is written.
func TestNamingRefusesOpenersAsEvaluators(t *testing.T) {
	t.Parallel()
	f := newCallFixture(t)
	ctx := context.Background()
	src := f.draftWithCommittee(t)
	g1 := f.com.Evaluators[0]
	// gremium1 is made opener as well, as a Kreis administration could before the rule.
	if err := f.db.Exec(`INSERT INTO tenant_memberships (tenant_id, user_id, role) VALUES (?, ?, 'opener')`, f.tenantID, g1).Error; err != nil {
		t.Fatal(err)
	}
	lc, err := calls.LeadCallByID(ctx, f.db, f.lead, core.CallScope{Tenant: f.tenantID, Call: src.ID})
	if err != nil {
		t.Fatal(err)
	}
	wantCodes(t, calls.SaveDraft(ctx, f.db, f.lead, core.CallScope{Tenant: f.tenantID, Call: src.ID}, rules.DraftInputFrom(lc.View.Content, f.com), f.now), "evaluators:opener")
	wantCodes(t, calls.SetCommittee(ctx, f.db, f.lead, core.CallScope{Tenant: f.tenantID, Call: src.ID}, f.com, f.now), "evaluators:opener")

	cp, err := calls.CreateDraft(ctx, f.db, f.lead, f.tenantID, src.ID, f.now)
	if err != nil {
		t.Fatal(err)
	}
	if n := f.count(t, `SELECT count(*) FROM call_committee WHERE call_id = ? AND role = 'evaluator'`, cp.ID); n != 2 ||
		f.count(t, `SELECT count(*) FROM call_committee WHERE call_id = ? AND user_id = ? AND role = 'evaluator'`, cp.ID, g1) != 0 {
		t.Fatalf("copied committee: %d evaluators, gremium1 among them?", n)
	}

	clean := rules.Committee{Evaluators: f.com.Evaluators[1:], Openers: f.com.Openers}
	if err := calls.SetCommittee(ctx, f.db, f.lead, core.CallScope{Tenant: f.tenantID, Call: src.ID}, clean, f.now); err != nil {
		t.Fatal(err)
	}
	if _, err := calls.Publish(ctx, f.db, f.lead, core.CallScope{Tenant: f.tenantID, Call: src.ID}, rules.DefaultCallRules(), f.now, dbtest.FakeDocuments{}); err != nil {
		t.Fatal(err)
	}
	wantCodes(t, evaluation.AddEvaluator(ctx, f.db, f.lead, core.CallScope{Tenant: f.tenantID, Call: src.ID}, g1, f.now), "user:opener")
	if n := f.count(t, `SELECT count(*) FROM call_committee WHERE call_id = ? AND user_id = ? AND role = 'evaluator'`, src.ID, g1); n != 0 {
		t.Fatal("opener named evaluator")
	}
}

// TestGrantingRolesRespectsRunningCommittees: the Kreis administration cannot give a
// named evaluator of a running procedure the lead or opener role — by the roles form, by
// inviting them back after they left, nor by an invitation accepted after the naming —
// and nothing changes; Kreis administration and council membership may be added, and
// once the procedures are finished every role may.
func TestGrantingRolesRespectsRunningCommittees(t *testing.T) {
	t.Parallel()
	st := dbtest.NewDemo(t)
	ctx, db, now := context.Background(), st.DB, time.Now()
	muster := taTenantID(t, db, "musterland")
	admin, lead := taActor(t, db, "admin@musterland.example"), taActor(t, db, "leitung@musterland.example")
	g2 := taActor(t, db, "gremium2@musterland.example").UserID
	running := `SELECT count(*) FROM call_committee k JOIN calls c ON c.id = k.call_id
		WHERE k.user_id = ? AND k.role = 'evaluator' AND c.state NOT IN ('awarded', 'cancelled')`
	if dbtest.Count(t, db, running, g2) == 0 {
		t.Fatal("the demo names gremium2 to no running procedure")
	}
	roles := func(userID int64) []string {
		var out []string
		db.Raw(`SELECT role FROM tenant_memberships WHERE tenant_id = ? AND user_id = ? ORDER BY role`, muster, userID).Scan(&out)
		return out
	}
	entries := dbtest.Count(t, db, `SELECT count(*) FROM audit_log WHERE chain = ?`, audit.TenantChain(muster))
	for _, r := range []core.Role{core.RoleLead, core.RoleOpener} {
		err := accounts.SetTenantRoles(ctx, db, admin, muster, g2, []core.Role{core.RoleEvaluator, r})
		wantCodes(t, err, "roles:committee")
		if v, _ := core.AsValidation(err); !strings.Contains(v.Fields[0].Message, r.Label()) || !strings.Contains(v.Fields[0].Message, "Es wurde nichts geändert.") {
			t.Fatalf("message %q", v.Fields[0].Message)
		}
	}
	if got := roles(g2); !slices.Equal(got, []string{"evaluator"}) {
		t.Fatalf("roles after refusals: %v", got)
	}
	if n := dbtest.Count(t, db, `SELECT count(*) FROM audit_log WHERE chain = ?`, audit.TenantChain(muster)); n != entries {
		t.Fatal("refused role changes were audited")
	}
	if err := accounts.SetTenantRoles(ctx, db, admin, muster, g2, []core.Role{core.RoleEvaluator, core.RoleCouncil, core.RoleTenantAdmin}); err != nil {
		t.Fatalf("administration and council beside the committee: %v", err)
	}

	// gremium2 leaves the Kreis but stays named; inviting them back to open is refused.
	if err := accounts.SetTenantRoles(ctx, db, admin, muster, g2, nil); err != nil {
		t.Fatal(err)
	}
	invitations := dbtest.Count(t, db, `SELECT count(*) FROM invitations`)
	_, err := accounts.InviteToTenant(ctx, db, admin, muster, accounts.TenantInvite{Email: "gremium2@musterland.example", Roles: []core.Role{core.RoleOpener}}, "http://kimibv.test", now)
	wantCodes(t, err, "roles:committee")
	if n := dbtest.Count(t, db, `SELECT count(*) FROM invitations`); n != invitations {
		t.Fatal("refused invitation stored")
	}

	// Two invitations to a new person: the evaluator one is accepted, the person named,
	// then the opener one cannot be accepted.
	const addr = "zweirollen@musterland.example"
	var tokens []string
	for _, r := range []core.Role{core.RoleEvaluator, core.RoleOpener} {
		if _, err := accounts.InviteToTenant(ctx, db, admin, muster, accounts.TenantInvite{Email: addr, Roles: []core.Role{r}}, "http://kimibv.test", now); err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, accToken(t, db, addr, "http://kimibv.test/einladung"))
	}
	confirm := accPassword
	uid, err := accounts.AcceptInvitation(ctx, db, tokens[0], nil, &accounts.NewUserInput{Name: "Zora Zweirollen", Password: accPassword, PasswordConfirm: &confirm}, now)
	if err != nil {
		t.Fatal(err)
	}
	var callID int64
	db.Raw(`SELECT id FROM calls WHERE tenant_id = ? AND state IN ('published', 'closed', 'opened') ORDER BY id LIMIT 1`, muster).Scan(&callID)
	if err := evaluation.AddEvaluator(ctx, db, lead, core.CallScope{Tenant: muster, Call: callID}, uid, now); err != nil {
		t.Fatal(err)
	}
	zora, err := accounts.LoadActor(ctx, db, uid)
	if err != nil {
		t.Fatal(err)
	}
	_, err = accounts.AcceptInvitation(ctx, db, tokens[1], zora, nil, now)
	wantCodes(t, err, "roles:committee")
	if got := roles(uid); !slices.Equal(got, []string{"evaluator"}) {
		t.Fatalf("roles after the refused acceptance: %v", got)
	}
	if _, err := accounts.InvitationByToken(ctx, db, tokens[1], now); err != nil {
		t.Fatalf("the refused invitation was used up: %v", err)
	}

	// Finished procedures bind nobody: once the published ones are cancelled and gremium2
	// has left the committees of the drafts, gremium2 may open.
	if err := db.Exec(`UPDATE calls SET state = 'cancelled', cancelled_at = now(), cancel_reason = 'Test'
		WHERE tenant_id = ? AND state NOT IN ('draft', 'awarded', 'cancelled')`, muster).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Exec(`DELETE FROM call_committee k USING calls c WHERE c.id = k.call_id AND c.state = 'draft' AND k.user_id = ?`, g2).Error; err != nil {
		t.Fatal(err)
	}
	if err := accounts.SetTenantRoles(ctx, db, admin, muster, g2, []core.Role{core.RoleEvaluator, core.RoleOpener}); err != nil {
		t.Fatalf("opener after the procedures ended: %v", err)
	}
}
