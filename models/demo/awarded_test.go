package demo_test

import (
	"context"
	"testing"

	"kimibv/app/pdfdoc"
	"kimibv/models/audit"
	"kimibv/models/dbtest"
	"kimibv/models/demo"
)

// TestDemoAwardedCall loads the demonstration with the scoring calls and PDFs (it waits
// for a deadline) and checks the completed procedure: awarded through the use cases,
// one notice per bidder, an answered objection, both Vergabevermerke and the Mitteilungen
// issued, and an intact audit chain.
func TestDemoAwardedCall(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for a deadline")
	}
	st := dbtest.New(t)
	ctx := context.Background()
	if _, err := demo.Load(ctx, st.DB, false, demo.WithVault(dbtest.Vault(t)), demo.WithScoringCalls(),
		demo.WithDocuments(pdfdoc.New("http://localhost:8080/dokumentenpruefung"))); err != nil {
		t.Fatal(err)
	}
	var callID int64
	if err := st.DB.Raw(`SELECT id FROM calls WHERE state = 'awarded'`).Scan(&callID).Error; err != nil || callID == 0 {
		t.Fatalf("no awarded call: %v", err)
	}
	for q, want := range map[string]int64{
		`SELECT count(*) FROM notices WHERE call_id = ?`:                                                      3,
		`SELECT count(*) FROM notices WHERE call_id = ? AND document_id IS NULL`:                              0,
		`SELECT count(*) FROM objections WHERE call_id = ? AND outcome = 'rejected'`:                          1,
		`SELECT count(*) FROM issued_documents WHERE call_id = ? AND kind = 'vergabevermerk'`:                 2,
		`SELECT count(*) FROM decisions WHERE call_id = ? AND awarded_at IS NOT NULL AND NOT deviates`:        1,
		`SELECT count(*) FROM audit_log WHERE chain = concat('call:', ?::bigint) AND action = 'call.awarded'`: 1,
	} {
		var n int64
		if err := st.DB.Raw(q, callID).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		if n != want {
			t.Errorf("%s: %d, want %d", q, n, want)
		}
	}
	v, err := audit.VerifyChain(ctx, st.DB, audit.CallChain(callID))
	if err != nil || !v.OK {
		t.Fatalf("chain: %+v %v", v, err)
	}
}
