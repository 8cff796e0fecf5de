package demo_test

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"kimibv/models/accounts"
	"kimibv/models/audit"
	"kimibv/models/forwarding"
	"kimibv/models/rules"
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

// checkForwardingSummary checks that the demonstration's forwarding shows in the Kreis's
// year summary (rules.md R39): the first year has the contract with its grant and the
// recorded payment, and the year in which the first Förderjahr ends has its accepted proof.
func checkForwardingSummary(t *testing.T, db *gorm.DB) {
	ctx := context.Background()
	var ids struct{ TenantID, LeadID int64 }
	if err := db.Raw(`SELECT t.id AS tenant_id, u.id AS lead_id FROM tenants t, users u WHERE t.slug = 'musterland' AND u.email = 'leitung@musterland.example'`).
		Scan(&ids).Error; err != nil {
		t.Fatal(err)
	}
	lead, err := accounts.LoadActor(ctx, db, ids.LeadID)
	if err != nil {
		t.Fatal(err)
	}
	years, err := forwarding.SummaryYears(ctx, db, lead, ids.TenantID)
	if err != nil || len(years) == 0 {
		t.Fatalf("years of the summary: %v %v", years, err)
	}
	first, err := forwarding.YearSummary(ctx, db, lead, ids.TenantID, years[0], time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Funds) == 0 || first.FundsTotal.Grant <= 0 || first.FundsTotal.Paid <= 0 {
		t.Errorf("summary of %d: %d contracts, grant %s, paid %s; want the contract with its payment", years[0], len(first.Funds),
			first.FundsTotal.Grant.German(), first.FundsTotal.Paid.German())
	}
	accepted := 0
	for _, y := range years {
		v, err := forwarding.YearSummary(ctx, db, lead, ids.TenantID, y, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range v.Proofs {
			if p.No == 1 && p.Result == rules.ProofAccepted && p.Used > 0 {
				accepted++
			}
		}
	}
	if accepted != 1 {
		t.Errorf("%d accepted proofs of the first Förderjahr across the years %v, want 1", accepted, years)
	}
}
