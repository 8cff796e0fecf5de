package demo_test

import (
	"context"
	"testing"
	"time"

	"kimibv/app/pdfdoc"
	"kimibv/models/dbtest"
	"kimibv/models/demo"
)

// TestDemoProceduresPastTheirDeadline loads the demonstration with the procedures past
// their deadline and their PDFs, once, and checks the procedures, the public timeline of
// the awarded one against its documents and the labels of the whole trail, each in a
// subtest.
func TestDemoProceduresPastTheirDeadline(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for a deadline")
	}
	st := dbtest.New(t)
	loaded := time.Now()
	if _, err := demo.Load(context.Background(), st.DB, false, demo.WithVault(dbtest.Vault(t)), demo.WithScoringCalls(),
		demo.WithDocuments(pdfdoc.New("http://localhost:8080/dokumentenpruefung"))); err != nil {
		t.Fatal(err)
	}
	t.Run("call in scoring", func(t *testing.T) { checkScoringCall(t, st.DB) })
	t.Run("consolidated call", func(t *testing.T) { checkConsolidatedCall(t, st.DB) })
	t.Run("awarded call", func(t *testing.T) { checkAwardedCall(t, st.DB) })
	t.Run("year summary of the forwarding", func(t *testing.T) { checkForwardingSummary(t, st.DB) })
	t.Run("council information", func(t *testing.T) { checkCouncilInformation(t, st.DB) })
	t.Run("awarded call's timeline matches its documents", func(t *testing.T) { checkAwardedTimeline(t, st.DB, loaded) })
	t.Run("every action and detail key labelled, every chain intact", func(t *testing.T) { checkTrailLabels(t, st.DB) })
	t.Run("Beispielhausen has a procedure", func(t *testing.T) {
		var n int64
		if err := st.DB.Raw(`SELECT count(*) FROM calls c JOIN tenants t ON t.id = c.tenant_id WHERE t.slug = 'beispielhausen' AND c.state = 'published'`).Scan(&n).Error; err != nil || n != 1 {
			t.Fatalf("%d published calls of Beispielhausen (%v)", n, err)
		}
	})
}
