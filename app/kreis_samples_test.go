package app

import (
	"bytes"
	"strings"
	"testing"

	"kimibv/models/accounts"
	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/templates"
)

// Render samples of the operator and Kreis administration pages (used by pageSamples).

func sampleTenant() *accounts.Tenant {
	return &accounts.Tenant{ID: 1, Slug: "musterland", Name: "Kreis Musterland", Kind: "kreis", State: "Nordrhein-Westfalen",
		Authority: "Kreis Musterland – Der Landrat", Address: "Kreishaus\nHauptstraße 1\n57001 Musterstadt", ContactEmail: "ki@musterland.example",
		LegalRemedyText: "Gegen diese Entscheidung …", Letterhead: "Kreis Musterland", CreatedAt: sampleNow}
}

func sampleOperatorData() operatorData {
	return operatorData{Tenants: []accounts.TenantSummary{
		{ID: 1, Slug: "musterland", Name: "Kreis Musterland", Kind: "kreis", State: "Nordrhein-Westfalen", Users: 8, CreatedAt: sampleNow},
		{ID: 2, Slug: "beispielhausen", Name: "Stadt Beispielhausen", Kind: "kreisfreie_stadt", State: "Nordrhein-Westfalen", Users: 1, PendingInvitations: 2, CreatedAt: sampleNow},
	}}
}

func sampleTenantHomeData() tenantHomeData {
	return tenantHomeData{Tenant: sampleTenant(), Roles: core.TenantRoles, CanManage: true, CanReadAudit: true}
}

func sampleTenantUsersData() tenantUsersData {
	tid := int64(1)
	return tenantUsersData{Tenant: sampleTenant(), AllRoles: core.TenantRoles, Me: 7,
		Members: []accounts.TenantMember{
			{UserID: 7, Name: "Jana Leitner", Email: "leitung@musterland.example", Roles: []string{"lead", "tenant_admin"}},
			{UserID: 9, Name: "Olaf Öffner", Email: "oeffnung1@musterland.example", Roles: []string{"opener"}},
		},
		Invitations: []accounts.Invitation{{ID: 4, TenantID: &tid, Email: "neu@musterland.example", Roles: []string{"evaluator", "council"},
			ExpiresAt: sampleNow.Add(accounts.InvitationValidity), CreatedAt: sampleNow}},
	}
}

func sampleTenantUserData() tenantUserData {
	return tenantUserData{Tenant: sampleTenant(), AllRoles: core.TenantRoles, Self: true,
		Member: &accounts.TenantMember{UserID: 7, Name: "Jana Leitner", Email: "leitung@musterland.example", Roles: []string{"lead", "tenant_admin"}}}
}

func sampleTenantSettingsData() tenantSettingsData {
	return tenantSettingsData{Tenant: sampleTenant(), MaxLegalRemedy: accounts.MaxLegalRemedyText, MaxLetterhead: accounts.MaxLetterhead, MaxAddressLines: accounts.MaxAddressLines}
}

func sampleAuditData(ok bool) auditData {
	actor := int64(7)
	v := audit.Verification{Chain: "kreis:1", Entries: 12, HeadHash: strings.Repeat("ab", 32), OK: true}
	if !ok {
		v.OK, v.BrokenSeq, v.Problem = false, 3, "Inhalt verändert: Hash stimmt nicht"
	}
	d := auditData{Tenant: sampleTenant(), FirstURL: "/verwaltung/musterland/protokoll?action=tenant.roles_changed",
		NextURL: "/verwaltung/musterland/protokoll?action=tenant.roles_changed&cursor=1.2.kreis%3A1",
		Options: audit.AuditOptions{Actors: []audit.AuditActorOption{{ID: 7, Name: "Jana Leitner"}},
			Actions:     []audit.AuditChoice{{Value: "tenant.roles_changed", Label: "Rollen geändert"}},
			ObjectTypes: []audit.AuditChoice{{Value: "user", Label: "Person"}}},
		Page: &audit.AuditPage{Verification: v, Next: "1.2.kreis:1", Entries: []audit.AuditRow{
			{Chain: "kreis:1", Seq: 3, CreatedAt: sampleNow, ActorID: &actor, ActorName: "Jana Leitner", Action: "tenant.roles_changed",
				ObjectType: "user", ObjectID: "9", Details: `{"after":["opener"],"before":[],"note":"<script>x</script>"}`, Hash: strings.Repeat("cd", 32)},
			{Chain: "kreis:1", Seq: 2, CreatedAt: sampleNow, Action: "unknown.action", Details: `{}`, Hash: strings.Repeat("ef", 32)},
		}},
	}
	for i := range d.Page.Entries {
		d.Page.Entries[i].Shown = d.Page.Entries[i].Show(nil)
	}
	return d
}

// TestAuditPageShowsVerificationAndEscapesDetails renders the audit list with an intact and a
// broken chain and checks what a reader must see.
func TestAuditPageShowsVerificationAndEscapesDetails(t *testing.T) {
	t.Parallel()
	r, err := templates.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	for _, ok := range []bool{true, false} {
		var buf bytes.Buffer
		if err := r.Render(&buf, "kreis_protokoll", sample("Protokoll", sampleAuditData(ok))); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		want := []string{"Rollen geändert", "unknown.action", "System", "10.03.2026 09:30 Uhr", `title="` + strings.Repeat("cd", 32) + `"`,
			"cdcdcdcdcdcd…", "&lt;script&gt;x&lt;/script&gt;", "Protokoll des Kreises, Nr. 3", "Öffnungsberechtigte Person", "Ältere Einträge"}
		if ok {
			want = append(want, "unverändert", "12 Einträge", "abababababab…")
		} else {
			want = append(want, "beschädigt", "Erster fehlerhafter Eintrag: Nr. 3", "Inhalt verändert")
		}
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("ok=%v: page lacks %q", ok, w)
			}
		}
		if strings.Contains(out, "<script>x") {
			t.Error("details are not escaped")
		}
	}
}

// sampleCouncilTrail is a procedure's protocol from the opening on, as a council member reads it.
func sampleCouncilTrail() councilTrailPage {
	actor := int64(4)
	tr := &audit.CallTrail{CallID: 1, Ref: "musterland-2026-01", Title: "KIM-Case-Management", OpenedAt: sampleNow,
		Verification: audit.Verification{Chain: "call:1", Entries: 14, HeadHash: strings.Repeat("ab", 32), OK: true},
		Entries: []audit.AuditRow{
			{Chain: "call:1", Seq: 12, CreatedAt: sampleNow, ActorID: &actor, ActorName: "Olaf Öffner", Action: "opening.confirmed",
				ObjectType: "call", ObjectID: "1", Details: `{"confirmation":1}`, Hash: strings.Repeat("cd", 32)},
			{Chain: "call:1", Seq: 13, CreatedAt: sampleNow, Action: "bids.trail_joined", ObjectType: "call", ObjectID: "1",
				Details: `{"entries":9,"trails":[{"trail":"bids:1:2","entries":9,"head_hash":"` + strings.Repeat("ef", 32) + `"}]}`, Hash: strings.Repeat("ef", 32)},
		}}
	for i := range tr.Entries {
		tr.Entries[i].Shown = tr.Entries[i].Show(nil)
	}
	return councilTrailPage{Tenant: sampleTenant(), T: tr, Base: "/kreistag/musterland/verfahren/1"}
}
