package demo_test

import (
	"context"
	"testing"

	"kimibv/app/pdfdoc"
	"kimibv/models/dbtest"
	"kimibv/models/demo"
)

// TestDemoProceduresPastTheirDeadline loads the demonstration with the procedures past
// their deadline and their PDFs, once: loading waits 75 to 135 seconds for a real deadline
// (the database clock receipts the bids), so the three procedures are checked on the same
// load, each in a subtest.
func TestDemoProceduresPastTheirDeadline(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for a deadline")
	}
	st := dbtest.New(t)
	if _, err := demo.Load(context.Background(), st.DB, false, demo.WithVault(dbtest.Vault(t)), demo.WithScoringCalls(),
		demo.WithDocuments(pdfdoc.New("http://localhost:8080/dokumentenpruefung"))); err != nil {
		t.Fatal(err)
	}
	t.Run("call in scoring", func(t *testing.T) { checkScoringCall(t, st.DB) })
	t.Run("consolidated call", func(t *testing.T) { checkConsolidatedCall(t, st.DB) })
	t.Run("awarded call", func(t *testing.T) { checkAwardedCall(t, st.DB) })
}
