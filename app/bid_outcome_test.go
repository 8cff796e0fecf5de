package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"kimibv/models/dbtest"
	"kimibv/models/decision"
	"kimibv/models/demo"
)

// TestProviderBidListShowsTheOutcomeOnlyAfterTheNotices follows AWO's bid list through
// the decision: "Eingereicht" until the notices are out (also after the resolution is
// recorded), then the outcome its notice states.
func TestProviderBidListShowsTheOutcomeOnlyAfterTheNotices(t *testing.T) {
	t.Parallel()
	e := newDecisionEnv(t)
	ctx, db, lead := context.Background(), e.ta.store.DB, e.actors["leitung"]
	awo := e.ta.client()
	awo.login("awo@traeger.example", demo.Password)
	list := fmt.Sprintf("/traeger/%d/bewerbungen", e.awoOrg)
	row := func() string {
		t.Helper()
		body := awo.get(list).wantStatus(t, 200).Body
		i := strings.Index(body, fmt.Sprintf("/bewerbungen/%d\"", e.bidID))
		if i < 0 {
			t.Fatal("the bid is not listed")
		}
		end := strings.Index(body[i:], "</tr>")
		return body[i : i+end]
	}
	noOutcome := func(when string) {
		t.Helper()
		r := row()
		if !strings.Contains(r, "Eingereicht") || strings.Contains(r, "berücksichtigt") || strings.Contains(r, "Berücksichtigt") {
			t.Errorf("%s: the row tells an outcome or no state:\n%s", when, r)
		}
	}
	noOutcome("before the decision")
	e.decideAsTheResult(t)
	noOutcome("after the resolution, before the notices")
	if err := decision.IssueNotices(ctx, db, lead, dbtest.FakeDocuments{}, e.callID, e.now); err != nil {
		t.Fatal(err)
	}
	var kind string
	db.Raw(`SELECT kind FROM notices WHERE bid_id = ?`, e.bidID).Scan(&kind)
	want := map[string]string{"selected": "<strong>Berücksichtigt</strong>", "not_selected": "<strong>Nicht berücksichtigt</strong>",
		"excluded": "<strong>Nicht berücksichtigt (ausgeschlossen)</strong>"}[kind]
	if r := row(); want == "" || !strings.Contains(r, want) || strings.Contains(r, "Eingereicht") || !strings.Contains(r, "Mitteilung lesen") {
		t.Errorf("after the notices (%q): want %q instead of the submission state:\n%s", kind, want, r)
	}
}
