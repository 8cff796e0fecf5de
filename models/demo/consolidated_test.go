package demo_test

import (
	"context"
	"testing"

	"gorm.io/gorm"

	"kimibv/models/audit"
)

// checkConsolidatedCall checks that the consolidated call of the demonstration has all
// sheets in, a closed consolidation with a stored result, and an intact audit chain.
func checkConsolidatedCall(t *testing.T, db *gorm.DB) {
	ctx := context.Background()
	var callID int64
	if err := db.Raw(`SELECT call_id FROM call_results`).Scan(&callID).Error; err != nil || callID == 0 {
		t.Fatalf("no closed consolidation: %v", err)
	}
	count := func(q string) int64 {
		var n int64
		if err := db.Raw(q, callID).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	for q, want := range map[string]int64{
		`SELECT count(*) FROM score_sheets WHERE call_id = ? AND submitted_at IS NULL`:                                    0,
		`SELECT count(*) FROM score_sheets WHERE call_id = ? AND submitted_at IS NOT NULL`:                                8, // 3 bids × 3 members, one tie
		`SELECT count(*) FROM result_rows WHERE call_id = ?`:                                                              3,
		`SELECT count(*) FROM consolidated_scores WHERE call_id = ? AND reason = ''`:                                      0, // a reason per criterion
		`SELECT count(*) FROM consolidated_scores WHERE call_id = ? AND reason LIKE 'Zum Kriterium%'`:                     0, // each provider's own findings
		`SELECT count(*) FROM audit_log WHERE chain = concat('call:', ?::bigint) AND action = 'consolidation.closed'`:     1,
		`SELECT count(*) FROM audit_log WHERE chain = concat('call:', ?::bigint) AND action = 'consolidation.scores_set'`: 3,
	} {
		if n := count(q); n != want {
			t.Errorf("%s: %d, want %d", q, n, want)
		}
	}
	v, err := audit.VerifyChain(ctx, db, audit.CallChain(callID))
	if err != nil || !v.OK {
		t.Fatalf("chain: %+v %v", v, err)
	}
}
