package demo_test

import (
	"context"
	"testing"

	"gorm.io/gorm"

	"kimibv/models/audit"
)

// checkScoringCall checks the call in scoring of the demonstration through the use cases'
// traces.
func checkScoringCall(t *testing.T, db *gorm.DB) {
	ctx := context.Background()
	var call struct {
		ID    int64
		State string
	}
	if err := db.Raw(`SELECT id, state FROM calls WHERE opened_at IS NOT NULL`).Scan(&call).Error; err != nil || call.State != "opened" {
		t.Fatalf("call in scoring: %+v %v", call, err)
	}
	count := func(q string) int64 {
		var n int64
		if err := db.Raw(q, call.ID).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	for q, want := range map[string]int64{
		`SELECT count(*) FROM opening_bids WHERE call_id = ?`:                                                4,
		`SELECT count(*) FROM opening_bids WHERE call_id = ? AND state = 'withdrawn'`:                        1,
		`SELECT count(*) FROM formal_checks WHERE call_id = ? AND outcome = 'admitted'`:                      2,
		`SELECT count(*) FROM document_requests WHERE call_id = ?`:                                           1,
		`SELECT count(*) FROM coi_declarations WHERE call_id = ? AND tie <> 'none'`:                          1,
		`SELECT count(*) FROM score_sheets WHERE call_id = ? AND submitted_at IS NOT NULL`:                   4,
		`SELECT count(*) FROM score_sheets WHERE call_id = ? AND submitted_at IS NULL`:                       1,
		`SELECT count(*) FROM audit_log WHERE chain = concat('call:', ?::bigint) AND action = 'call.closed'`: 1,
	} {
		if n := count(q); n != want {
			t.Errorf("%s: %d, want %d", q, n, want)
		}
	}
	v, err := audit.VerifyChain(ctx, db, audit.CallChain(call.ID))
	if err != nil || !v.OK {
		t.Fatalf("chain: %+v %v", v, err)
	}
}
