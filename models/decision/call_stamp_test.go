package decision_test

import (
	"context"
	"testing"

	"gorm.io/gorm"

	"kimibv/models/dbtest"
	"kimibv/models/decision"
)

// TestPublicCallsStampTriggers: the list's validator changes with every listed column of a
// non-draft call and with a Kreis's name, and with nothing else; two writers committing
// one after the other both count, whatever the order in which they changed their rows.
func TestPublicCallsStampTriggers(t *testing.T) {
	t.Parallel()
	st := dbtest.NewDemo(t)
	db, ctx := st.DB, context.Background()
	var pub, draft int64
	db.Raw(`SELECT id FROM calls WHERE state = 'published' ORDER BY id LIMIT 1`).Scan(&pub)
	db.Raw(`SELECT id FROM calls WHERE state = 'draft' ORDER BY id LIMIT 1`).Scan(&draft)
	if pub == 0 || draft == 0 {
		t.Fatal("demo lacks a published or a draft call")
	}
	tag := func() string {
		s, err := decision.PublicCallsStamp(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		return s.Tag
	}
	for _, tc := range []struct {
		name, sql string
		arg       any
		changes   bool
	}{
		{"title of a published call", `UPDATE calls SET title = title || ' (neu)' WHERE id = ?`, pub, true},
		{"deadline of a published call", `UPDATE calls SET deadline = deadline + interval '1 day' WHERE id = ?`, pub, true},
		{"unlisted column of a published call", `UPDATE calls SET cancel_reason = 'x' WHERE id = ?`, pub, false},
		{"title of a draft", `UPDATE calls SET title = title || ' (Entwurf)' WHERE id = ?`, draft, false},
		{"Kreis renamed", `UPDATE tenants SET name = name || ' (neu)' WHERE id = (SELECT tenant_id FROM calls WHERE id = ?)`, pub, true},
		{"Kreis saved unchanged", `UPDATE tenants SET name = name WHERE id = (SELECT tenant_id FROM calls WHERE id = ?)`, pub, false},
		{"draft published", `UPDATE calls SET state = 'published', current_version = 1, published_at = now() WHERE id = ?`, draft, true},
	} {
		before := tag()
		if err := db.Exec(tc.sql, tc.arg).Error; err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if changed := tag() != before; changed != tc.changes {
			t.Errorf("%s: tag changed %v, want %v", tc.name, changed, tc.changes)
		}
	}

	// Two open transactions change one published call each; the second commits first.
	// Each commit moves the counter, an uncommitted change does not.
	version := func() (v int64) {
		db.Raw(`SELECT version FROM public_stamps WHERE name = 'calls'`).Scan(&v)
		return v
	}
	v0 := version()
	t1, t2 := db.Begin(), db.Begin()
	for tx, id := range map[*gorm.DB]int64{t1: pub, t2: draft} { // draft is published by now
		if err := tx.Exec(`UPDATE calls SET title = title || '!' WHERE id = ?`, id).Error; err != nil {
			t.Fatal(err)
		}
	}
	if v := version(); v != v0 {
		t.Fatalf("uncommitted changes moved the counter: %d → %d", v0, v)
	}
	for _, tx := range []*gorm.DB{t2, t1} {
		if err := tx.Commit().Error; err != nil {
			t.Fatal(err)
		}
	}
	if v := version(); v != v0+2 {
		t.Errorf("two commits moved the counter from %d to %d, want +2", v0, v)
	}
}
