package models_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"kimibv/models/accounts"
	"kimibv/models/core"
	"kimibv/models/dbtest"
)

func TestKeepsAnAdmin(t *testing.T) {
	t.Parallel()
	admin, member := core.RoleOrgAdmin, core.RoleOrgMember
	cases := []struct {
		admins   int
		from, to core.Role
		want     bool
	}{
		{1, admin, member, false},
		{1, admin, "", false},
		{2, admin, member, true},
		{2, admin, "", true},
		{1, admin, admin, true},
		{1, member, "", true},
		{1, member, admin, true},
		{0, member, "", true},
	}
	for _, tc := range cases {
		if got := accounts.KeepsAnAdmin(tc.admins, tc.from, tc.to); got != tc.want {
			t.Errorf("KeepsAnAdmin(%d, %q, %q) = %v, want %v", tc.admins, tc.from, tc.to, got, tc.want)
		}
	}
}

func TestOrgChanges(t *testing.T) {
	t.Parallel()
	o := accounts.Organization{Name: "Verein e. V.", LegalForm: accounts.LegalForms[0], Street: "Weg 1", PostalCode: "57001", City: "Musterstadt", Email: "a@v.example"}
	same := accounts.OrgInput{Name: o.Name, LegalForm: o.LegalForm, Street: o.Street, PostalCode: o.PostalCode, City: o.City, Email: o.Email}
	if c := accounts.OrgChanges(o, same); len(c) != 0 {
		t.Fatalf("no change reported as %v", c)
	}
	in := same
	in.City, in.Phone = "Nordheim", "0123 45"
	c := accounts.OrgChanges(o, in)
	if len(c) != 2 {
		t.Fatalf("changes %v", c)
	}
	city, _ := c["city"].(map[string]any)
	if city["before"] != "Musterstadt" || city["after"] != "Nordheim" {
		t.Fatalf("city change %v", c["city"])
	}
	if _, ok := c["phone"]; !ok {
		t.Fatal("phone change missing")
	}
}

func TestUpdateOrganization(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t).DB
	ctx := context.Background()
	o, admin := accRegister(t, db, "Verein Eins e. V.", "eins@verein.example")
	other, _ := accRegister(t, db, "Verein Zwei e. V.", "zwei@verein.example")
	audits := func() int64 {
		return dbtest.Count(t, db, `SELECT count(*) FROM audit_log WHERE action = 'organization.updated'`)
	}

	in := accOrgInput("Verein Eins e. V.")
	in.City, in.Phone = "Nordheim", "02345 678"
	if _, err := accounts.UpdateOrganization(ctx, db, admin, other.ID, in); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("admin of another organisation: %v", err)
	}
	got, err := accounts.UpdateOrganization(ctx, db, admin, o.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if got.City != "Nordheim" {
		t.Fatalf("city %q", got.City)
	}
	if n := dbtest.Count(t, db, `SELECT count(*) FROM audit_log WHERE action = 'organization.updated' AND chain = 'platform' AND object_id = ? AND actor_id = ?
		AND details LIKE '%"city":{"after":"Nordheim","before":"Musterstadt"}%' AND details NOT LIKE '%org_name%'`, fmt.Sprint(o.ID), admin.UserID); n != 1 {
		t.Fatalf("update audit entries: %d", n)
	}
	// Saving unchanged values writes nothing.
	if _, err := accounts.UpdateOrganization(ctx, db, admin, o.ID, in); err != nil || audits() != 1 {
		t.Fatalf("unchanged save: %v, %d audit entries", err, audits())
	}
	in.Name = "verein zwei e. v."
	_, err = accounts.UpdateOrganization(ctx, db, admin, o.ID, in)
	wantCodes(t, err, "org_name:taken")
	in.Name, in.PostalCode = "Verein Eins e. V.", "ABCDE"
	_, err = accounts.UpdateOrganization(ctx, db, admin, o.ID, in)
	wantCodes(t, err, "postal_code:invalid")
	if audits() != 1 || dbtest.Count(t, db, `SELECT count(*) FROM organizations WHERE postal_code = 'ABCDE' OR name = 'verein zwei e. v.'`) != 0 {
		t.Fatal("refused update wrote something")
	}
}

func TestInviteToOrgAndAcceptAsNewUser(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t).DB
	ctx, now := context.Background(), time.Now()
	o, admin := accRegister(t, db, "Verein Eins e. V.", "eins@verein.example")

	_, err := accounts.InviteToOrg(ctx, db, admin, o.ID, "neu@verein.example", core.RoleTenantAdmin, "https://kimibv.test", now)
	wantCodes(t, err, "role:invalid")
	_, err = accounts.InviteToOrg(ctx, db, admin, o.ID, "EINS@verein.example", core.RoleOrgMember, "https://kimibv.test", now)
	wantCodes(t, err, "email:member")
	_, err = accounts.InviteToOrg(ctx, db, admin, o.ID, "keine adresse", core.RoleOrgMember, "https://kimibv.test", now)
	wantCodes(t, err, "email:invalid")
	if n := dbtest.Count(t, db, `SELECT count(*) FROM invitations`) + dbtest.Count(t, db, `SELECT count(*) FROM outbox WHERE kind <> 'email_confirmation'`); n != 0 { // the registration's confirmation mail is queued
		t.Fatalf("refused invitations wrote %d rows", n)
	}

	inv, err := accounts.InviteToOrg(ctx, db, admin, o.ID, "Neu@Verein.example", core.RoleOrgMember, "https://kimibv.test", now)
	if err != nil {
		t.Fatal(err)
	}
	if n := dbtest.Count(t, db, `SELECT count(*) FROM audit_log WHERE action = 'organization.member_invited' AND chain = 'platform' AND object_id = ?
		AND details LIKE '%"email":"neu@verein.example"%' AND details LIKE '%"role":"org_member"%'`, fmt.Sprint(o.ID)); n != 1 {
		t.Fatalf("invitation audit entries: %d", n)
	}
	tok := accToken(t, db, "neu@verein.example", "https://kimibv.test/einladung")
	view, err := accounts.InvitationByToken(ctx, db, tok, now)
	if err != nil || view.ID != inv.ID || view.TargetName != o.Name || view.UserExists || view.Home() != fmt.Sprintf("/traeger/%d", o.ID) {
		t.Fatalf("view %+v, %v", view, err)
	}

	// A mismatching confirmation creates nothing and keeps the invitation open.
	bad := "anders"
	_, err = accounts.AcceptInvitation(ctx, db, tok, nil, &accounts.NewUserInput{Name: "Nora Neu", Password: accPassword, PasswordConfirm: &bad}, now)
	wantCodes(t, err, "password_confirm:mismatch")
	if n := dbtest.Count(t, db, `SELECT count(*) FROM users WHERE email = 'neu@verein.example'`); n != 0 {
		t.Fatal("user created despite the error")
	}
	confirm := accPassword
	uid, err := accounts.AcceptInvitation(ctx, db, tok, nil, &accounts.NewUserInput{Name: "Nora Neu", Password: accPassword, PasswordConfirm: &confirm}, now)
	if err != nil {
		t.Fatal(err)
	}
	if n := dbtest.Count(t, db, `SELECT count(*) FROM organization_members m JOIN users u ON u.id = m.user_id WHERE m.org_id = ? AND u.id = ? AND u.email = 'neu@verein.example' AND m.role = 'org_member'`,
		o.ID, uid); n != 1 {
		t.Fatal("membership not granted")
	}
	if n := dbtest.Count(t, db, `SELECT count(*) FROM audit_log WHERE action = 'invitation.accepted' AND actor_id = ? AND object_id = ?`, uid, fmt.Sprint(inv.ID)); n != 1 {
		t.Fatalf("acceptance audit entries: %d", n)
	}
	// Reuse is impossible.
	if _, err := accounts.AcceptInvitation(ctx, db, tok, nil, &accounts.NewUserInput{Name: "Noch wer", Password: accPassword, PasswordConfirm: &confirm}, now); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("reuse: %v", err)
	}
	if _, err := accounts.InvitationByToken(ctx, db, tok, now); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("used invitation still shown: %v", err)
	}
}

func TestAcceptOrgInvitationAsExistingUser(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t).DB
	ctx, now := context.Background(), time.Now()
	o, admin := accRegister(t, db, "Verein Eins e. V.", "eins@verein.example")
	other, _ := accRegister(t, db, "Verein Zwei e. V.", "zwei@verein.example")
	existing := accUser(t, db, "bekannt@verein.example", "Bernd Bekannt")
	stranger := accUser(t, db, "fremd@verein.example", "Frieda Fremd")

	if _, err := accounts.InviteToOrg(ctx, db, admin, o.ID, existing.Email, core.RoleOrgAdmin, "https://kimibv.test", now); err != nil {
		t.Fatal(err)
	}
	tok := accToken(t, db, existing.Email, "https://kimibv.test/einladung")
	if view, err := accounts.InvitationByToken(ctx, db, tok, now); err != nil || !view.UserExists {
		t.Fatalf("view: %+v %v", view, err)
	}
	// The wrong account cannot accept, nothing is written.
	_, err := accounts.AcceptInvitation(ctx, db, tok, stranger, nil, now)
	wantCodes(t, err, "email:mismatch")
	if n := dbtest.Count(t, db, `SELECT count(*) FROM organization_members WHERE user_id = ?`, stranger.UserID); n != 0 {
		t.Fatal("stranger became a member")
	}
	// Anonymous without account data is refused.
	if _, err := accounts.AcceptInvitation(ctx, db, tok, nil, nil, now); !errors.Is(err, core.ErrForbidden) {
		t.Fatalf("anonymous: %v", err)
	}
	uid, err := accounts.AcceptInvitation(ctx, db, tok, existing, nil, now)
	if err != nil || uid != existing.UserID {
		t.Fatalf("accept: %d %v", uid, err)
	}
	a, _ := accounts.LoadActor(ctx, db, existing.UserID)
	if !a.IsOrgAdmin(o.ID) || a.InOrg(other.ID) {
		t.Fatalf("memberships %v", a.Orgs)
	}
	// The same person can belong to a second organisation.
	_, admin2 := accRegister(t, db, "Verein Drei e. V.", "drei@verein.example")
	third := admin2.Orgs
	var thirdID int64
	for id := range third {
		thirdID = id
	}
	if _, err := accounts.InviteToOrg(ctx, db, admin2, thirdID, existing.Email, core.RoleOrgMember, "https://kimibv.test", now); err != nil {
		t.Fatal(err)
	}
	tok3 := accToken(t, db, existing.Email, "https://kimibv.test/einladung")
	if _, err := accounts.AcceptInvitation(ctx, db, tok3, a, nil, now); err != nil {
		t.Fatal(err)
	}
	a, _ = accounts.LoadActor(ctx, db, existing.UserID)
	if !a.IsOrgAdmin(o.ID) || a.Orgs[thirdID] != core.RoleOrgMember {
		t.Fatalf("memberships %v", a.Orgs)
	}
}

func TestOrgInvitationExpires(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t).DB
	ctx, now := context.Background(), time.Now()
	o, admin := accRegister(t, db, "Verein Eins e. V.", "eins@verein.example")
	if _, err := accounts.InviteToOrg(ctx, db, admin, o.ID, "spaet@verein.example", core.RoleOrgMember, "https://kimibv.test", now); err != nil {
		t.Fatal(err)
	}
	tok := accToken(t, db, "spaet@verein.example", "https://kimibv.test/einladung")
	later := now.Add(accounts.InvitationValidity + time.Minute)
	if _, err := accounts.InvitationByToken(ctx, db, tok, later); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("expired view: %v", err)
	}
	confirm := accPassword
	if _, err := accounts.AcceptInvitation(ctx, db, tok, nil, &accounts.NewUserInput{Name: "Sven Spät", Password: accPassword, PasswordConfirm: &confirm}, later); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("expired accept: %v", err)
	}
	if n := dbtest.Count(t, db, `SELECT count(*) FROM users WHERE email = 'spaet@verein.example'`); n != 0 {
		t.Fatal("account created from an expired invitation")
	}
	if open, err := accounts.OrgOpenInvitations(ctx, db, o.ID, later); err != nil || len(open) != 0 {
		t.Fatalf("open invitations after expiry: %v %v", open, err)
	}
}

func TestOrgRolesAndRemovalKeepAnAdmin(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t).DB
	ctx, now := context.Background(), time.Now()
	o, admin := accRegister(t, db, "Verein Eins e. V.", "eins@verein.example")
	other, otherAdmin := accRegister(t, db, "Verein Zwei e. V.", "zwei@verein.example")
	colleague := accUser(t, db, "kollege@verein.example", "Konrad Kollege")
	if _, err := accounts.InviteToOrg(ctx, db, admin, o.ID, colleague.Email, core.RoleOrgMember, "https://kimibv.test", now); err != nil {
		t.Fatal(err)
	}
	if _, err := accounts.AcceptInvitation(ctx, db, accToken(t, db, colleague.Email, "https://kimibv.test/einladung"), colleague, nil, now); err != nil {
		t.Fatal(err)
	}
	colleague, _ = accounts.LoadActor(ctx, db, colleague.UserID)
	changes := func() int64 {
		return dbtest.Count(t, db, `SELECT count(*) FROM audit_log WHERE action IN ('organization.role_changed', 'organization.member_removed')`)
	}

	// The only administrator can neither step down nor be removed.
	wantCodes(t, accounts.SetOrgMemberRole(ctx, db, admin, o.ID, admin.UserID, core.RoleOrgMember), "member:last_admin")
	wantCodes(t, accounts.RemoveOrgMember(ctx, db, admin, o.ID, admin.UserID), "member:last_admin")
	// Members and other organisations' administrators cannot manage; unknown people are not found.
	if err := accounts.SetOrgMemberRole(ctx, db, colleague, o.ID, colleague.UserID, core.RoleOrgAdmin); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("member promotes self: %v", err)
	}
	if err := accounts.RemoveOrgMember(ctx, db, otherAdmin, o.ID, colleague.UserID); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("other organisation's admin: %v", err)
	}
	if err := accounts.RemoveOrgMember(ctx, db, admin, o.ID, otherAdmin.UserID); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("member of another organisation: %v", err)
	}
	wantCodes(t, accounts.SetOrgMemberRole(ctx, db, admin, o.ID, colleague.UserID, "platform_admin"), "member:invalid")
	if changes() != 0 {
		t.Fatal("refused changes were audited")
	}

	if err := accounts.SetOrgMemberRole(ctx, db, admin, o.ID, colleague.UserID, core.RoleOrgAdmin); err != nil {
		t.Fatal(err)
	}
	if n := dbtest.Count(t, db, `SELECT count(*) FROM audit_log WHERE action = 'organization.role_changed' AND chain = 'platform' AND object_id = ?
		AND details LIKE '%"after":"org_admin"%' AND details LIKE '%"before":"org_member"%'`, fmt.Sprint(o.ID)); n != 1 {
		t.Fatalf("role change audit entries: %d", n)
	}
	// With a second administrator the first may step down, then the second is the last one.
	if err := accounts.SetOrgMemberRole(ctx, db, admin, o.ID, admin.UserID, core.RoleOrgMember); err != nil {
		t.Fatal(err)
	}
	colleague, _ = accounts.LoadActor(ctx, db, colleague.UserID)
	wantCodes(t, accounts.RemoveOrgMember(ctx, db, colleague, o.ID, colleague.UserID), "member:last_admin")
	if err := accounts.RemoveOrgMember(ctx, db, colleague, o.ID, admin.UserID); err != nil {
		t.Fatal(err)
	}
	if n := dbtest.Count(t, db, `SELECT count(*) FROM audit_log WHERE action = 'organization.member_removed' AND object_id = ? AND details LIKE ?`,
		fmt.Sprint(o.ID), fmt.Sprintf(`%%"user_id":%d%%`, admin.UserID)); n != 1 {
		t.Fatalf("removal audit entries: %d", n)
	}
	if n := dbtest.Count(t, db, `SELECT count(*) FROM organization_members WHERE org_id = ?`, o.ID); n != 1 {
		t.Fatalf("members left: %d", n)
	}
	// The other organisation is untouched.
	if n := dbtest.Count(t, db, `SELECT count(*) FROM organization_members WHERE org_id = ? AND role = 'org_admin'`, other.ID); n != 1 {
		t.Fatalf("other organisation admins: %d", n)
	}
}

func TestAccountMembershipsListRolesPerArea(t *testing.T) {
	t.Parallel()
	st := dbtest.NewDemo(t)
	ctx := context.Background()
	var uid int64
	if err := st.DB.Raw(`SELECT id FROM users WHERE email = 'admin@beispielhausen.example'`).Scan(&uid).Error; err != nil || uid == 0 {
		t.Fatalf("demo user: %v", err)
	}
	a, err := accounts.LoadActor(ctx, st.DB, uid)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := accounts.AccountMemberships(ctx, st.DB, a)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 || ms[0].Href != "/verwaltung/beispielhausen" || len(ms[0].Roles) != 2 || ms[0].Roles[0] != core.RoleLead || ms[0].Roles[1] != core.RoleTenantAdmin {
		t.Fatalf("memberships %+v", ms)
	}
}
