package models_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/models/fixture"
	"kimibv/models/rules"
)

// qaFixture is the demo with one published call of Kreis Musterland.
type qaFixture struct {
	db       *gorm.DB
	tenantID int64
	callID   int64
	lead     *core.Actor
	content  rules.CallContent
	now      time.Time
}

// orgOf returns the id of the demo organisation administered by email and its actor.
func (f *qaFixture) orgOf(t *testing.T, email string) (int64, *core.Actor) {
	t.Helper()
	a := taActor(t, f.db, email)
	for id := range a.Orgs {
		return id, a
	}
	t.Fatalf("%s has no organisation", email)
	return 0, nil
}

// qaPublish inserts a published version 1 of content for the Kreis (as the lead would
// publish it) and returns the call's id. seq makes the reference unique.
func qaPublish(t *testing.T, db *gorm.DB, tenantID, leadID int64, c rules.CallContent, seq int, now time.Time) int64 {
	t.Helper()
	c.Timeline.Publication = now.UTC().Truncate(time.Second)
	raw, err := c.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	sum, _ := c.SHA256()
	var id int64
	if err := db.Raw(`INSERT INTO calls (tenant_id, ref, ref_year, ref_seq, state, current_version, title, deadline, questions_until, published_at, created_by)
		VALUES (?, ?, 2026, ?, 'published', 1, ?, ?, ?, ?, ?) RETURNING id`, tenantID, fmt.Sprintf("musterland-2026-%02d", seq), seq,
		c.Title, c.Timeline.Deadline, c.Timeline.QuestionsUntil, c.Timeline.Publication, leadID).Scan(&id).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Exec(`INSERT INTO call_versions (call_id, version, content, content_sha256, deadline, published_by, published_at)
		VALUES (?, 1, ?, ?, ?, ?, ?)`, id, raw, sum, c.Timeline.Deadline, leadID, c.Timeline.Publication).Error; err != nil {
		t.Fatal(err)
	}
	return id
}

// newQAFixture loads the demo and publishes a call with the deadline 30 days ahead and
// the question deadline 23 days ahead.
func newQAFixture(t *testing.T, db *gorm.DB) *qaFixture {
	t.Helper()
	now := time.Now()
	lead := taActor(t, db, "leitung@musterland.example")
	tid := taTenantID(t, db, "musterland")
	l := now.In(core.Berlin())
	c := fixture.CallContent(time.Date(l.Year(), l.Month(), l.Day()+30, 12, 0, 0, 0, core.Berlin()))
	id := qaPublish(t, db, tid, lead.UserID, c, 91, now)
	return &qaFixture{db: db, tenantID: tid, callID: id, lead: lead, content: c, now: now}
}

// auditActions lists the actions of a chain in order.
func auditActions(t *testing.T, db *gorm.DB, chain string) []string {
	t.Helper()
	var out []string
	if err := db.Raw(`SELECT action FROM audit_log WHERE chain = ? ORDER BY seq`, chain).Scan(&out).Error; err != nil {
		t.Fatal(err)
	}
	return out
}

// lastAudit returns the newest entry of chain with action.
func lastAudit(t *testing.T, db *gorm.DB, chain, action string) (audit.AuditEntry, map[string]any) {
	t.Helper()
	var e audit.AuditEntry
	res := db.Raw(`SELECT * FROM audit_log WHERE chain = ? AND action = ? ORDER BY seq DESC LIMIT 1`, chain, action).Scan(&e)
	if res.Error != nil || res.RowsAffected == 0 {
		t.Fatalf("no audit entry %s on %s: %v", action, chain, res.Error)
	}
	d := map[string]any{}
	if err := json.Unmarshal([]byte(e.Details), &d); err != nil {
		t.Fatal(err)
	}
	return e, d
}

// wantConflict fails unless err is a core.StateConflict (ErrConflict with a German message).
func wantConflict(t *testing.T, err error) {
	t.Helper()
	var sc *core.StateConflict
	if !errors.As(err, &sc) || !errors.Is(err, core.ErrConflict) || sc.Message == "" {
		t.Fatalf("want core.StateConflict, got %v", err)
	}
}

// verifyChain fails unless the chain verifies.
// trailOfCall is the condition "a.chain is a sealed trail of the call given as argument".
func trailOfCall() string { return audit.SealedTrailOfCallSQL("a.chain", "(?::bigint)::text") }

// verifyTrails verifies every sealed bid trail of the call.
func verifyTrails(t *testing.T, db *gorm.DB, callID int64) {
	t.Helper()
	heads, err := audit.SealedTrailsOfCall(db, callID, false)
	if err != nil || len(heads) == 0 {
		t.Fatalf("trails of call %d: %v %v", callID, heads, err)
	}
	for _, h := range heads {
		verifyChain(t, db, h.Trail)
	}
}

func verifyChain(t *testing.T, db *gorm.DB, chain string) {
	t.Helper()
	v, err := audit.VerifyChain(context.Background(), db, chain)
	if err != nil || !v.OK {
		t.Fatalf("chain %s: %+v %v", chain, v, err)
	}
}
