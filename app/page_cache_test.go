package app_test

import (
	"strconv"
	"testing"

	"kimibv/models/audit"
	"kimibv/models/dbtest"
	"kimibv/models/demo"
)

// TestPublicPageCache: an anonymous visitor's award record is rendered once per chain
// head and address and then served from memory — a change that is not on the chain (here
// a direct UPDATE of the title, which the use cases never do) stays invisible to
// anonymous visitors until the next chain entry, while a logged-in user always gets a
// fresh render; the cached answer carries the same validators.
func TestPublicPageCache(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	p := dbtest.SeedProcedure(t, ta.store.DB, dbtest.ProcedureSpec{Seq: 85, Bids: 2, Criteria: 2, Evaluators: 2, Final: true, Docs: dbtest.FakeDecisionDocs()})
	path := "/vergaben/" + p.Ref
	anon := ta.client()
	first := anon.get(path).wantStatus(t, 200)
	var title string
	ta.store.DB.Raw(`SELECT title FROM calls WHERE id = ?`, p.CallID).Scan(&title)
	first.wantContains(t, title, "Einträge wurden am ")

	if err := ta.store.DB.Exec(`UPDATE calls SET title = 'Geänderter Titel ohne Protokolleintrag' WHERE id = ?`, p.CallID).Error; err != nil {
		t.Fatal(err)
	}
	again := ta.client().get(path).wantStatus(t, 200)
	if again.Body != first.Body || again.Header.Get("ETag") != first.Header.Get("ETag") || again.Header.Get("Last-Modified") == "" {
		t.Error("second anonymous visit was not answered with the cached page and its validators")
	}
	// Another address of the same record is rendered afresh.
	ta.client().get("/vergaben/"+strconv.FormatInt(p.CallID, 10)).wantStatus(t, 200).wantContains(t, "Geänderter Titel")

	user := ta.client()
	user.login("kreistag@musterland.example", demo.Password)
	user.get(path).wantStatus(t, 200).wantContains(t, "Geänderter Titel")

	if _, err := audit.Audit(ta.store.DB, audit.Event{Chain: audit.CallChain(p.CallID), Action: "question.answered"}); err != nil {
		t.Fatal(err)
	}
	// Written past the instance: the new head arrives by notification.
	if !eventually(notifyWithin, func() bool { return anon.get(path).Header.Get("ETag") != first.Header.Get("ETag") }) {
		t.Error("ETag unchanged after a new chain entry")
	}
	anon.get(path).wantStatus(t, 200).wantContains(t, "Geänderter Titel")
}
