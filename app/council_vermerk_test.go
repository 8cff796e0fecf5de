package app_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"kimibv/models/dbtest"
	"kimibv/models/decision"
	"kimibv/models/demo"
	"kimibv/models/rules"
)

// TestCouncilMemberGetsTheVergabevermerkOnceTheAnnexIsOpen: the council procedure page
// links the Vergabevermerk only after the member declared no tie; before, and for a member
// with a tie, the PDF's address is 404 like the annex.
func TestCouncilMemberGetsTheVergabevermerkOnceTheAnnexIsOpen(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	p := dbtest.SeedProcedure(t, ta.store.DB, dbtest.ProcedureSpec{Seq: 87, Bids: 2, Criteria: 2, Evaluators: 2, Docs: dbtest.FakeDecisionDocs()})
	base := fmt.Sprintf("/kreistag/musterland/verfahren/%d", p.CallID)
	pdfURL := base + "/vergabevermerk.pdf"
	c := ta.client()
	c.login("kreistag@musterland.example", demo.Password)
	if r := c.get(base).wantStatus(t, 200); strings.Contains(r.Body, "vergabevermerk.pdf") {
		t.Error("link to the Vergabevermerk before the declaration")
	}
	c.get(pdfURL).wantStatus(t, 404)

	form := url.Values{}
	for _, o := range p.OrgIDs {
		form.Set(decision.CouncilTieField(o), rules.TieNone)
	}
	c.post(base+"/erklaerung", form).wantStatus(t, 303)
	c.get(base).wantStatus(t, 200).wantContains(t, `href="`+pdfURL+`"`, "Vergabevermerk herunterladen (PDF)")
	r := c.get(pdfURL).wantStatus(t, 200)
	if ct := r.Header.Get("Content-Type"); ct != "application/pdf" || !strings.HasPrefix(r.Body, "%PDF-") {
		t.Fatalf("Vergabevermerk answer: %q, %d bytes", ct, len(r.Body))
	}

	// A member with a tie gets neither link nor PDF.
	db := ta.store.DB
	var uid int64
	db.Raw(`INSERT INTO users (email, name, password_hash) SELECT 'rat-gebunden@example.org', 'Rat Gebunden', password_hash FROM users
		WHERE email = 'kreistag@musterland.example' RETURNING id`).Scan(&uid)
	db.Exec(`INSERT INTO tenant_memberships (tenant_id, user_id, role) VALUES (?, ?, 'council')`, p.TenantID, uid)
	tied := ta.client()
	tied.login("rat-gebunden@example.org", demo.Password)
	form.Set(decision.CouncilTieField(p.OrgIDs[0]), rules.TieBoard)
	form.Set("note", "Vorstand seit 2021.")
	tied.post(base+"/erklaerung", form).wantStatus(t, 303)
	if r := tied.get(base).wantStatus(t, 200); strings.Contains(r.Body, "vergabevermerk.pdf") {
		t.Error("tied member sees the link to the Vergabevermerk")
	}
	tied.get(pdfURL).wantStatus(t, 404)
	// The lead is no council member.
	lead := ta.client()
	lead.login("leitung@musterland.example", demo.Password)
	lead.get(pdfURL).wantStatus(t, 404)
}
