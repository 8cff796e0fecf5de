package demo_test

import (
	"context"
	"testing"

	"gorm.io/gorm"

	"kimibv/models/audit"
)

// checkAwardedCall checks the completed procedure of the demonstration: awarded through
// the use cases, one notice per bidder, an answered objection, both Vergabevermerke and
// the Mitteilungen issued, and an intact audit chain.
func checkAwardedCall(t *testing.T, db *gorm.DB) {
	ctx := context.Background()
	var callID int64
	if err := db.Raw(`SELECT id FROM calls WHERE state = 'awarded'`).Scan(&callID).Error; err != nil || callID == 0 {
		t.Fatalf("no awarded call: %v", err)
	}
	for q, want := range map[string]int64{
		`SELECT count(*) FROM notices WHERE call_id = ?`:                         3,
		`SELECT count(*) FROM notices WHERE call_id = ? AND document_id IS NULL`: 0,
		// every criterion of every notice states a reason of its own, never the mean boilerplate
		`SELECT count(*) FROM notices n, jsonb_array_elements(n.content::jsonb->'Scores') s WHERE n.call_id = ? AND length(s->>'Reason') > 80`: 18,
		`SELECT count(*) FROM notices WHERE call_id = ? AND content::text LIKE '%Mittelwert der Bewertungen%'`:                                 0,
		`SELECT count(*) FROM objections WHERE call_id = ? AND outcome = 'rejected'`:                                                           1,
		`SELECT count(*) FROM issued_documents WHERE call_id = ? AND kind = 'vergabevermerk'`:                                                  2,
		`SELECT count(*) FROM decisions WHERE call_id = ? AND awarded_at IS NOT NULL AND NOT deviates`:                                         1,
		`SELECT count(*) FROM audit_log WHERE chain = concat('call:', ?::bigint) AND action = 'call.awarded'`:                                  1,
		// one Verwendungsnachweis submitted before it was accepted, with nothing to repay (forwarding_proof.go)
		`SELECT count(*) FROM proofs p JOIN forwarding_contracts k ON k.id = p.contract_id WHERE k.call_id = ? AND p.result = 'anerkannt' AND p.submitted_at < p.checked_at AND p.repayment_cents = 0`: 1,
	} {
		var n int64
		if err := db.Raw(q, callID).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		if n != want {
			t.Errorf("%s: %d, want %d", q, n, want)
		}
	}
	v, err := audit.VerifyChain(ctx, db, audit.CallChain(callID))
	if err != nil || !v.OK {
		t.Fatalf("chain: %+v %v", v, err)
	}
}
