package app_test

import (
	"strings"
	"testing"

	"kimibv/models/dbtest"
)

// TestCorruptStoredRecordIsAGermanErrorPage: an award record whose stored score row does
// not decode is answered with the German 500 page, not shown without the scores.
func TestCorruptStoredRecordIsAGermanErrorPage(t *testing.T) {
	ta := newTestApp(t, true)
	p := dbtest.SeedProcedure(t, ta.store.DB, dbtest.ProcedureSpec{Seq: 87, Bids: 2, Criteria: 2, Evaluators: 2, Final: true, Docs: dbtest.FakeDecisionDocs()})
	if err := ta.store.DB.Exec(`ALTER TABLE result_rows_all DISABLE TRIGGER result_rows_final_update`).Error; err != nil {
		t.Fatal(err)
	}
	if err := ta.store.DB.Exec(`UPDATE result_rows SET points = '{"K1": "viel"}' WHERE call_id = ?`, p.CallID).Error; err != nil {
		t.Fatal(err)
	}
	r := ta.client().get("/vergaben/"+p.Ref).wantStatus(t, 500).wantContains(t, "Interner Fehler")
	if strings.Contains(r.Body, p.OrgNames[0]) {
		t.Error("the record is shown in spite of the error")
	}
}
