package app_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"kimibv/models/dbtest"
	"kimibv/models/demo"
)

// TestCancelAfterNoticesHTTP: the lead's page of a notified procedure offers the
// cancellation; a missing reason answers 422 and changes nothing; the cancellation is
// shown on the award record; a second cancellation and a final award answer 409; another
// Kreis's lead gets 404.
func TestCancelAfterNoticesHTTP(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	p := dbtest.SeedProcedure(t, ta.store.DB, dbtest.ProcedureSpec{Seq: 89, Bids: 3, Criteria: 2, Evaluators: 2, Docs: dbtest.FakeDecisionDocs()})
	final := dbtest.SeedProcedure(t, ta.store.DB, dbtest.ProcedureSpec{Seq: 90, Bids: 2, Criteria: 2, Evaluators: 2, Final: true})
	base := fmt.Sprintf("/verwaltung/musterland/verfahren/%d", p.CallID)
	lead := ta.client()
	lead.login("leitung@musterland.example", demo.Password)
	lead.get(base).wantStatus(t, 200).wantContains(t, base+"/aufhebung", base+"/vergabeakte.zip", base+"/entscheidung")
	lead.get(base+"/aufhebung").wantStatus(t, 200).wantContains(t, "bleibt in der Vergabeakte erhalten")

	lead.post(base+"/aufhebung", url.Values{"reason": {" "}}).wantStatus(t, 422).wantContains(t, "Begründung der Aufhebung")
	if n := ta.count(`SELECT count(*) FROM calls WHERE id = ? AND state = 'notified'`, p.CallID); n != 1 {
		t.Fatal("a refused cancellation changed the call")
	}
	other := ta.client()
	other.login("admin@beispielhausen.example", demo.Password)
	other.post(fmt.Sprintf("/verwaltung/beispielhausen/verfahren/%d/aufhebung", p.CallID), url.Values{"reason": {"x"}}).wantStatus(t, 404)
	other.post(base+"/aufhebung", url.Values{"reason": {"x"}}).wantStatus(t, 404)

	lead.post(base+"/aufhebung", url.Values{"reason": {"Die Landesmittel wurden gestrichen."}}).wantStatus(t, 303)
	if n := ta.count(`SELECT count(*) FROM calls WHERE id = ? AND state = 'cancelled'`, p.CallID); n != 1 {
		t.Fatal("not cancelled")
	}
	if n := ta.count(`SELECT count(*) FROM inbox_messages WHERE call_id = ? AND kind = 'cancellation'`, p.CallID); n != 3 {
		t.Fatalf("%d bidding organisations told, want 3", n)
	}
	ta.client().get("/vergaben/"+p.Ref).wantStatus(t, 200).wantContains(t, "Das Verfahren wurde aufgehoben", "Die Landesmittel wurden gestrichen.", p.OrgNames[0])
	lead.get(base+"/aufhebung").wantStatus(t, 409)
	lead.post(base+"/aufhebung", url.Values{"reason": {"nochmal"}}).wantStatus(t, 409)

	fbase := fmt.Sprintf("/verwaltung/musterland/verfahren/%d", final.CallID)
	if r := lead.get(fbase).wantStatus(t, 200); strings.Contains(r.Body, fbase+"/aufhebung") {
		t.Error("final award offers the cancellation")
	}
	lead.post(fbase+"/aufhebung", url.Values{"reason": {"Zu spät."}}).wantStatus(t, 409).wantContains(t, "endgültig")
	if n := ta.count(`SELECT count(*) FROM calls WHERE id = ? AND state = 'awarded'`, final.CallID); n != 1 {
		t.Fatal("final award changed")
	}
}
