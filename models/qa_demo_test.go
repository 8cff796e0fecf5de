package models_test

import (
	"context"
	"testing"

	"kimibv/models/audit"
	"kimibv/models/calls"
	"kimibv/models/dbtest"
)

// TestDemoHasQuestionsAmendmentAndCancellation checks that the demonstration shows
// published answers, an amendment and a cancellation.
func TestDemoHasQuestionsAmendmentAndCancellation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewDemo(t).DB
	var open int64
	db.Raw(`SELECT id FROM calls WHERE state = 'published' AND title LIKE '%Förderzeitraum%' ORDER BY id LIMIT 1`).Scan(&open)
	qa, err := calls.PublicQAs(ctx, db, open)
	if err != nil || len(qa) != 2 {
		t.Fatalf("answers %v %v", qa, err)
	}
	if n := dbtest.Count(t, db, `SELECT count(*) FROM questions WHERE call_id = ? AND answer_id = ?`, open, qa[0].ID); n != 2 {
		t.Fatalf("first answer merges %d questions, want 2", n)
	}
	if n := dbtest.Count(t, db, `SELECT count(*) FROM questions WHERE call_id = ? AND answer_id IS NULL`, open); n != 1 {
		t.Fatalf("open questions %d, want 1", n)
	}
	if n := dbtest.Count(t, db, `SELECT count(*) FROM follows WHERE call_id = ?`, open); n != 2 {
		t.Fatalf("followers %d, want 2", n)
	}
	vs, _ := calls.CallVersionList(ctx, db, open)
	if len(vs) != 2 || vs[1].Material || vs[1].Reason == "" || !vs[1].Deadline.After(vs[0].Deadline) {
		t.Fatalf("versions %+v", vs)
	}
	if n := dbtest.Count(t, db, `SELECT count(*) FROM calls WHERE state = 'cancelled' AND cancel_reason <> ''`); n != 1 {
		t.Fatalf("cancelled calls %d", n)
	}
	if n := dbtest.Count(t, db, `SELECT count(*) FROM inbox_messages WHERE kind = 'amendment'`); n != 2 {
		t.Fatalf("amendment messages %d, want one per follower", n)
	}
	verifyChain(t, db, audit.CallChain(open))
}
