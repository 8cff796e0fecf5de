package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kimibv/models/demo"
)

func TestAuditListFiltersAndVerification(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	c := ta.client()
	c.login("admin@musterland.example", demo.Password)
	c.get("/verwaltung/musterland/protokoll").wantStatus(t, http.StatusOK).
		wantContains(t, "Protokollkette des Kreises geprüft: unverändert", "Rollen geändert", "Kreis angelegt", "Petra Verwalter", "Betriebsteam Rechenzentrum")

	q := func(v url.Values) string { return "/verwaltung/musterland/protokoll?" + v.Encode() }
	res := c.get(q(url.Values{"action": {"tenant.created"}})).wantStatus(t, http.StatusOK).wantContains(t, "Kreis angelegt", `value="tenant.created" selected`)
	if ta.count(`SELECT count(*) FROM audit_log a JOIN tenants t ON t.id = a.tenant_id WHERE t.slug = 'musterland' AND a.action = 'tenant.roles_changed'`) == 0 {
		t.Fatal("demo has no role changes")
	}
	if strings.Contains(res.Body, "Rollen geändert</td>") {
		t.Fatal("action filter not applied")
	}

	bad := []struct {
		v    url.Values
		want string
	}{
		{url.Values{"from": {"31.02.2026"}}, "Bitte geben Sie das Datum „von“ im Format TT.MM.JJJJ an"},
		{url.Values{"from": {"02.03.2026"}, "to": {"01.03.2026"}}, "Das Datum „bis“ darf nicht vor dem Datum „von“ liegen."},
		{url.Values{"action": {"bid.opened"}}, "Bitte wählen Sie eine Aktion aus der Liste aus."},
		{url.Values{"actor": {"x"}}, "Bitte wählen Sie eine Person aus der Liste aus."},
		{url.Values{"object_id": {"3"}}, "Bitte wählen Sie zur Kennung auch die Objektart aus."},
		{url.Values{"cursor": {"kaputt"}}, "Die Seitenangabe ist ungültig."},
	}
	for _, tc := range bad {
		c.get(q(tc.v)).wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, tc.want, `id="fehlerliste"`)
	}
	// Values are kept.
	c.get(q(url.Values{"from": {"02.03.2026"}, "to": {"01.03.2026"}})).wantContains(t, `value="02.03.2026"`)

	// Tampering with the Kreis's chain (trigger disabled by the superuser) shows the first broken entry in red.
	db := ta.store.DB
	for _, s := range []string{`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete`,
		`UPDATE audit_log SET details = '{"after":["tenant_admin"]}' WHERE chain = (SELECT 'kreis:' || id FROM tenants WHERE slug = 'musterland') AND seq = 2`,
		`ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update_delete`} {
		if err := db.Exec(s).Error; err != nil {
			t.Fatal(err)
		}
	}
	c.get("/verwaltung/musterland/protokoll").wantStatus(t, http.StatusOK).
		wantContains(t, "Protokollkette des Kreises beschädigt", "Erster fehlerhafter Eintrag: Nr. 2", "Inhalt verändert", "kern-alert--danger")
}
