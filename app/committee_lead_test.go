package app_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"kimibv/models/demo"
)

// TestAddLeadAsEvaluatorHTTP: the lead who also holds the evaluator role cannot add
// themselves to the committee of an opened call (422 with the German message at the
// field, nothing stored), while a plain evaluator can be added.
func TestAddLeadAsEvaluatorHTTP(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	db := ta.store.DB
	var ids struct{ TenantID, LeadID, CallID int64 }
	db.Raw(`SELECT t.id AS tenant_id, u.id AS lead_id, (SELECT c.id FROM calls c WHERE c.tenant_id = t.id AND c.state = 'published' ORDER BY c.id LIMIT 1) AS call_id
		FROM tenants t, users u WHERE t.slug = 'musterland' AND u.email = 'leitung@musterland.example'`).Scan(&ids)
	if ids.CallID == 0 {
		t.Fatal("demo lacks a published call")
	}
	// The call's committee work starts after the opening (set directly; no bids needed here).
	if err := db.Exec(`UPDATE calls SET state = 'opened', closed_at = now(), opened_at = now() WHERE id = ?`, ids.CallID).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Exec(`INSERT INTO tenant_memberships (tenant_id, user_id, role) VALUES (?, ?, 'evaluator')`, ids.TenantID, ids.LeadID).Error; err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/verwaltung/musterland/verfahren/%d/gremium", ids.CallID)
	c := ta.client()
	c.login("leitung@musterland.example", demo.Password)
	before := ta.count(`SELECT count(*) FROM call_committee WHERE call_id = ?`, ids.CallID)
	c.post(path, url.Values{"user": {fmt.Sprint(ids.LeadID)}}).wantStatus(t, http.StatusUnprocessableEntity).
		wantContains(t, "Verfahrensleitung in diesem Kreis können nicht dem Bewertungsgremium angehören", `href="#f-user"`)
	if n := ta.count(`SELECT count(*) FROM call_committee WHERE call_id = ?`, ids.CallID); n != before {
		t.Fatalf("committee changed: %d → %d", before, n)
	}
	var other int64
	db.Raw(`SELECT m.user_id FROM tenant_memberships m WHERE m.tenant_id = ? AND m.role = 'evaluator' AND m.user_id <> ?
		AND NOT EXISTS (SELECT 1 FROM call_committee k WHERE k.call_id = ? AND k.user_id = m.user_id) LIMIT 1`, ids.TenantID, ids.LeadID, ids.CallID).Scan(&other)
	if other != 0 {
		c.post(path, url.Values{"user": {fmt.Sprint(other)}}).wantStatus(t, http.StatusSeeOther)
	}
}
