package models_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"kimibv/models/accounts"
	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/models/dbtest"
	"kimibv/models/postbox"
)

// taActor loads the demo account with email as an actor.
func taActor(t *testing.T, db *gorm.DB, email string) *core.Actor {
	t.Helper()
	var id int64
	if err := db.Raw(`SELECT id FROM users WHERE email = ?`, email).Scan(&id).Error; err != nil || id == 0 {
		t.Fatalf("user %s: %v", email, err)
	}
	a, err := accounts.LoadActor(context.Background(), db, id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// taTenantID returns the id of the Kreis with slug.
func taTenantID(t *testing.T, db *gorm.DB, slug string) int64 {
	t.Helper()
	tn, err := accounts.TenantBySlug(context.Background(), db, slug)
	if err != nil {
		t.Fatal(err)
	}
	return tn.ID
}

// wantCodes fails unless err is a validation error with exactly the field:code pairs,
// each with a message for the user.
func wantCodes(t *testing.T, err error, codes ...string) {
	t.Helper()
	v, ok := core.AsValidation(err)
	if !ok {
		t.Fatalf("want validation error %v, got %v", codes, err)
	}
	slices.Sort(codes)
	if got := v.Codes(); !slices.Equal(got, codes) {
		t.Fatalf("codes %v, want %v", got, codes)
	}
	for _, f := range v.Fields {
		if f.Message == "" {
			t.Fatalf("no message for %s", f.Field)
		}
	}
}

func TestInviteToTenant(t *testing.T) {
	t.Parallel()
	st := dbtest.NewDemo(t)
	ctx, db, now := context.Background(), st.DB, time.Now()
	muster := taTenantID(t, db, "musterland")
	admin := taActor(t, db, "admin@musterland.example")
	chain := audit.TenantChain(muster)
	auditBefore := dbtest.Count(t, db, `SELECT count(*) FROM audit_log WHERE chain = ?`, chain)
	invBefore := dbtest.Count(t, db, `SELECT count(*) FROM invitations`)
	mailBefore := dbtest.Count(t, db, `SELECT count(*) FROM outbox`)

	bad := []struct {
		name  string
		in    accounts.TenantInvite
		codes []string
	}{
		{"no roles", accounts.TenantInvite{Email: "neu@musterland.example"}, []string{"roles:required"}},
		{"bad address", accounts.TenantInvite{Email: "kein-at-zeichen", Roles: []core.Role{core.RoleLead}}, []string{"email:invalid"}},
		{"org role", accounts.TenantInvite{Email: "neu@musterland.example", Roles: []core.Role{core.RoleOrgAdmin}}, []string{"roles:invalid"}},
		{"already member", accounts.TenantInvite{Email: " Leitung@Musterland.example ", Roles: []core.Role{core.RoleEvaluator}}, []string{"email:member"}},
	}
	for _, tc := range bad {
		_, err := accounts.InviteToTenant(ctx, db, admin, muster, tc.in, "http://kimibv.test", now)
		wantCodes(t, err, tc.codes...)
	}
	for _, email := range []string{"admin@beispielhausen.example", "leitung@musterland.example"} {
		_, err := accounts.InviteToTenant(ctx, db, taActor(t, db, email), muster,
			accounts.TenantInvite{Email: "neu@musterland.example", Roles: []core.Role{core.RoleLead}}, "http://kimibv.test", now)
		if !errors.Is(err, core.ErrNotFound) {
			t.Fatalf("%s invites into Musterland: %v", email, err)
		}
	}
	if n := dbtest.Count(t, db, `SELECT count(*) FROM invitations`); n != invBefore {
		t.Fatalf("refused invitations were stored: %d", n-invBefore)
	}
	if n := dbtest.Count(t, db, `SELECT count(*) FROM audit_log WHERE chain = ?`, chain); n != auditBefore {
		t.Fatal("refused invitations were audited")
	}

	inv, err := accounts.InviteToTenant(ctx, db, admin, muster,
		accounts.TenantInvite{Email: "Neu@Musterland.example", Roles: []core.Role{core.RoleLead, core.RoleEvaluator}}, "http://kimibv.test", now)
	if err != nil {
		t.Fatal(err)
	}
	if inv.Email != "neu@musterland.example" || inv.TenantID == nil || *inv.TenantID != muster || !slices.Equal([]string(inv.Roles), []string{"lead", "evaluator"}) {
		t.Fatalf("invitation %+v", inv)
	}
	var mail postbox.Mail
	if all := dbtest.Mails(t, db, ""); len(all) > 0 {
		mail = all[len(all)-1]
	}
	if n := dbtest.Count(t, db, `SELECT count(*) FROM outbox`); n != mailBefore+1 || mail.ToAddr != "neu@musterland.example" ||
		!strings.Contains(mail.Body, "http://kimibv.test/einladung/") || !strings.Contains(mail.Body, "Verfahrensleitung") {
		t.Fatalf("invitation mail %+v", mail)
	}
	var e audit.AuditEntry
	db.Raw(`SELECT * FROM audit_log WHERE chain = ? ORDER BY seq DESC LIMIT 1`, chain).Scan(&e)
	if e.Action != "tenant.user_invited" || e.ActorID == nil || *e.ActorID != admin.UserID || e.TenantID == nil || *e.TenantID != muster ||
		e.ObjectType != "invitation" || !strings.Contains(e.Details, `"email":"neu@musterland.example"`) || !strings.Contains(e.Details, `"roles":["lead","evaluator"]`) {
		t.Fatalf("audit entry %+v", e)
	}
	pending, err := accounts.PendingTenantInvitations(ctx, db, admin, muster, now)
	if err != nil || len(pending) != 1 || pending[0].ID != inv.ID {
		t.Fatalf("pending %v %v", pending, err)
	}
	// Expired invitations are not pending any more.
	if pending, _ := accounts.PendingTenantInvitations(ctx, db, admin, muster, now.Add(accounts.InvitationValidity+time.Minute)); len(pending) != 0 {
		t.Fatalf("expired invitation still pending: %v", pending)
	}
	// Beispielhausen's administrator learns nothing of Musterland's invitations.
	if _, err := accounts.PendingTenantInvitations(ctx, db, taActor(t, db, "admin@beispielhausen.example"), muster, now); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("foreign pending invitations: %v", err)
	}
}

func TestUpdateTenantSettings(t *testing.T) {
	t.Parallel()
	st := dbtest.NewDemo(t)
	ctx, db := context.Background(), st.DB
	muster := taTenantID(t, db, "musterland")
	admin := taActor(t, db, "admin@musterland.example")
	tn, _ := accounts.TenantBySlug(ctx, db, "musterland")
	valid := accounts.SettingsOf(tn)
	chain := audit.TenantChain(muster)
	auditBefore := dbtest.Count(t, db, `SELECT count(*) FROM audit_log WHERE chain = ?`, chain)

	mutate := func(f func(s *accounts.TenantSettings)) accounts.TenantSettings { s := valid; f(&s); return s }
	bad := []struct {
		name  string
		in    accounts.TenantSettings
		codes []string
	}{
		{"empty remedy", mutate(func(s *accounts.TenantSettings) { s.LegalRemedyText = "  \r\n " }), []string{"legal_remedy_text:required"}},
		{"long remedy", mutate(func(s *accounts.TenantSettings) { s.LegalRemedyText = strings.Repeat("ä", 5001) }), []string{"legal_remedy_text:too_long"}},
		{"long letterhead", mutate(func(s *accounts.TenantSettings) { s.Letterhead = strings.Repeat("x", 501) }), []string{"letterhead:too_long"}},
		{"bidi letterhead", mutate(func(s *accounts.TenantSettings) { s.Letterhead = "Kreis \u202e Musterland" }), []string{"letterhead:invalid"}},
		{"no authority, bad mail", mutate(func(s *accounts.TenantSettings) { s.Authority, s.ContactEmail = "", "ki@" }), []string{"authority:required", "contact_email:invalid"}},
		{"no court", mutate(func(s *accounts.TenantSettings) { s.Court, s.CourtAddress = " ", "" }), []string{"court:required", "court_address:required"}},
		{"no postal address", mutate(func(s *accounts.TenantSettings) { s.Address = "\r\n" }), []string{"address:required"}},
		{"six address lines", mutate(func(s *accounts.TenantSettings) { s.CourtAddress = "a\nb\nc\nd\ne\nf" }), []string{"court_address:too_many_lines"}},
		{"office on two lines, phone in words", mutate(func(s *accounts.TenantSettings) { s.SigningOffice, s.Phone = "Der Landrat\nAmt 50", "zwei-drei" }),
			[]string{"signing_office:invalid", "phone:invalid"}},
	}
	for _, tc := range bad {
		_, err := accounts.UpdateTenantSettings(ctx, db, admin, muster, tc.in)
		wantCodes(t, err, tc.codes...)
	}
	for _, email := range []string{"admin@beispielhausen.example", "leitung@musterland.example"} {
		if _, err := accounts.UpdateTenantSettings(ctx, db, taActor(t, db, email), muster, valid); !errors.Is(err, core.ErrNotFound) {
			t.Fatalf("%s changes Musterland's settings: %v", email, err)
		}
	}
	// Saving unchanged texts writes nothing.
	if changed, err := accounts.UpdateTenantSettings(ctx, db, admin, muster, valid); err != nil || len(changed) != 0 {
		t.Fatalf("unchanged save: %v %v", changed, err)
	}
	if n := dbtest.Count(t, db, `SELECT count(*) FROM audit_log WHERE chain = ?`, chain); n != auditBefore {
		t.Fatal("refused or empty changes were audited")
	}

	next := mutate(func(s *accounts.TenantSettings) {
		s.LegalRemedyText = strings.Repeat("ü", 4990) + "\r\nEnde"
		s.Letterhead = "Kreis Musterland\r\nDer Landrat"
	})
	changed, err := accounts.UpdateTenantSettings(ctx, db, admin, muster, next)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(changed, []string{"legal_remedy_text", "letterhead"}) {
		t.Fatalf("changed %v", changed)
	}
	tn, _ = accounts.TenantBySlug(ctx, db, "musterland")
	if tn.Letterhead != "Kreis Musterland\nDer Landrat" || !strings.HasSuffix(tn.LegalRemedyText, "ü\nEnde") || tn.Authority != valid.Authority {
		t.Fatalf("stored %+v", tn)
	}
	var e audit.AuditEntry
	db.Raw(`SELECT * FROM audit_log WHERE chain = ? ORDER BY seq DESC LIMIT 1`, chain).Scan(&e)
	if e.Action != "tenant.settings_changed" || *e.ActorID != admin.UserID || e.ObjectType != "tenant" ||
		!strings.Contains(e.Details, `"letterhead":"Kreis Musterland\nDer Landrat"`) || strings.Contains(e.Details, "authority") {
		t.Fatalf("audit entry %+v", e)
	}
	if v, err := audit.VerifyChain(ctx, db, chain); err != nil || !v.OK {
		t.Fatalf("chain after settings change: %+v %v", v, err)
	}
}

func TestSetTenantRolesInTheKreisAdministration(t *testing.T) {
	t.Parallel()
	st := dbtest.NewDemo(t)
	ctx, db := context.Background(), st.DB
	muster := taTenantID(t, db, "musterland")
	admin := taActor(t, db, "admin@musterland.example")
	lead := taActor(t, db, "leitung@musterland.example")
	chain := audit.TenantChain(muster)
	auditBefore := dbtest.Count(t, db, `SELECT count(*) FROM audit_log WHERE chain = ?`, chain)

	// Self-demotion is refused, so a Kreis never locks itself out.
	err := accounts.SetTenantRoles(ctx, db, admin, muster, admin.UserID, []core.Role{core.RoleLead})
	wantCodes(t, err, "roles:self_admin")
	// Another Kreis's administrator cannot change roles here, nor can the lead.
	for _, a := range []*core.Actor{taActor(t, db, "admin@beispielhausen.example"), lead} {
		if err := accounts.SetTenantRoles(ctx, db, a, muster, lead.UserID, []core.Role{core.RoleTenantAdmin}); !errors.Is(err, core.ErrNotFound) {
			t.Fatalf("%s changes roles in Musterland: %v", a.Email, err)
		}
	}
	if n := dbtest.Count(t, db, `SELECT count(*) FROM audit_log WHERE chain = ?`, chain); n != auditBefore {
		t.Fatal("refused role changes were audited")
	}

	if err := accounts.SetTenantRoles(ctx, db, admin, muster, lead.UserID, []core.Role{core.RoleLead, core.RoleCouncil}); err != nil {
		t.Fatal(err)
	}
	m, err := accounts.TenantMemberByID(ctx, db, admin, muster, lead.UserID)
	if err != nil || !slices.Equal(m.RoleList(), []core.Role{core.RoleLead, core.RoleCouncil}) {
		t.Fatalf("member %+v %v", m, err)
	}
	var e audit.AuditEntry
	db.Raw(`SELECT * FROM audit_log WHERE chain = ? ORDER BY seq DESC LIMIT 1`, chain).Scan(&e)
	if e.Action != "tenant.roles_changed" || e.Details != `{"after":["council","lead"],"before":["lead"]}` {
		t.Fatalf("audit entry %+v", e)
	}

	// Removing every role removes the person from the Kreis.
	if err := accounts.SetTenantRoles(ctx, db, admin, muster, lead.UserID, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := accounts.TenantMemberByID(ctx, db, admin, muster, lead.UserID); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("removed person still listed: %v", err)
	}
	members, err := accounts.TenantMembers(ctx, db, admin, muster)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range members {
		if m.UserID == lead.UserID {
			t.Fatal("removed person in the member list")
		}
	}
	if len(members) != 9 { // the demo's 8 staff and 2 further council members (models/demo/council.go), less the removed lead
		t.Fatalf("members: %d", len(members))
	}
	if _, err := accounts.TenantMembers(ctx, db, taActor(t, db, "admin@beispielhausen.example"), muster); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("foreign member list: %v", err)
	}
}

func TestTenantOverviewIsForTheOperatorOnly(t *testing.T) {
	t.Parallel()
	st := dbtest.NewDemo(t)
	ctx, db, now := context.Background(), st.DB, time.Now()
	if _, err := accounts.TenantOverview(ctx, db, taActor(t, db, "admin@musterland.example"), now); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("Kreis administrator sees the overview: %v", err)
	}
	op := taActor(t, db, "betrieb@kimibv.example")
	list, err := accounts.TenantOverview(ctx, db, op, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := accounts.InviteToTenant(ctx, db, taActor(t, db, "admin@beispielhausen.example"), list[1].ID,
		accounts.TenantInvite{Email: "neu@beispielhausen.example", Roles: []core.Role{core.RoleCouncil}}, "http://kimibv.test", now); err != nil {
		t.Fatal(err)
	}
	if list, _ = accounts.TenantOverview(ctx, db, op, now); list[1].PendingInvitations != 1 {
		t.Fatalf("pending invitations: %+v", list[1])
	}
	if len(list) != 2 || list[0].Slug != "musterland" || list[0].Users != 10 || list[1].Slug != "beispielhausen" || list[1].Users != 5 {
		t.Fatalf("overview %+v", list)
	}
	// The demo grants roles directly: the operator's invitations of the first administrators
	// are unused, but the invited people belong to the Kreis, so nothing is pending.
	if list[0].PendingInvitations != 0 || list[0].KindLabel() != "Kreis" || list[1].KindLabel() != "Kreisfreie Stadt" {
		t.Fatalf("overview %+v", list)
	}
}
