package models_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/models/dbtest"
	"kimibv/models/store"
)

func TestEntryHashCoversEveryField(t *testing.T) {
	t.Parallel()
	actor, tenant := int64(7), int64(3)
	base := audit.AuditEntry{Chain: "kreis:3", Seq: 4, CreatedAt: time.Date(2026, 3, 29, 1, 30, 0, 123456000, time.UTC),
		ActorID: &actor, TenantID: &tenant, Action: "call.published", ObjectType: "call", ObjectID: "9",
		Details: `{"a":1}`, PrevHash: audit.GenesisHash}
	h := audit.EntryHash(base)
	if len(h) != 64 {
		t.Fatalf("hash length %d", len(h))
	}
	other := int64(8)
	mutations := map[string]func(e *audit.AuditEntry){
		"chain":   func(e *audit.AuditEntry) { e.Chain = "kreis:4" },
		"seq":     func(e *audit.AuditEntry) { e.Seq = 5 },
		"time":    func(e *audit.AuditEntry) { e.CreatedAt = e.CreatedAt.Add(time.Microsecond) },
		"actor":   func(e *audit.AuditEntry) { e.ActorID = &other },
		"noactor": func(e *audit.AuditEntry) { e.ActorID = nil },
		"tenant":  func(e *audit.AuditEntry) { e.TenantID = nil },
		"action":  func(e *audit.AuditEntry) { e.Action = "call.cancelled" },
		"objtype": func(e *audit.AuditEntry) { e.ObjectType = "bid" },
		"objid":   func(e *audit.AuditEntry) { e.ObjectID = "10" },
		"details": func(e *audit.AuditEntry) { e.Details = `{"a":2}` },
		"prev":    func(e *audit.AuditEntry) { e.PrevHash = strings.Repeat("1", 64) },
	}
	for name, mutate := range mutations {
		e := base
		mutate(&e)
		if audit.EntryHash(e) == h {
			t.Errorf("changing %s does not change the hash", name)
		}
	}
	// The same instant in another zone is the same entry.
	e := base
	e.CreatedAt = base.CreatedAt.In(time.FixedZone("CEST", 7200))
	if audit.EntryHash(e) != h {
		t.Error("hash depends on the time zone of the value")
	}
}

func TestCanonicalDetailsSortsKeys(t *testing.T) {
	t.Parallel()
	got, err := audit.CanonicalDetails(map[string]any{"z": 1, "a": "ä", "m": []int{2, 1}})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"a":"ä","m":[2,1],"z":1}`; got != want {
		t.Fatalf("got %s want %s", got, want)
	}
	if got, _ := audit.CanonicalDetails(nil); got != "{}" {
		t.Fatalf("empty details: %s", got)
	}
}

func appendN(t *testing.T, db *gorm.DB, chain string, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		err := store.InTx(context.Background(), db, func(tx *gorm.DB) error {
			_, err := audit.Audit(tx, audit.Event{Chain: chain, Action: "test.event", ObjectType: "thing", ObjectID: "1", Details: map[string]any{"i": i}})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestAuditChainVerifiesAndDetectsTampering(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.DB(t)
	appendN(t, db, "kreis:1", 5)
	appendN(t, db, "kreis:2", 2)
	v, err := audit.VerifyChain(ctx, db, "kreis:1")
	if err != nil || !v.OK || v.Entries != 5 {
		t.Fatalf("fresh chain: %+v %v", v, err)
	}
	head, n, _ := audit.ChainHead(ctx, db, "kreis:1")
	if head != v.HeadHash || n != 5 {
		t.Fatalf("head %s/%d vs verified %s", head, n, v.HeadHash)
	}

	// The trigger refuses UPDATE, DELETE and TRUNCATE.
	for _, stmt := range []string{
		`UPDATE audit_log SET details = '{"i":99}' WHERE chain = 'kreis:1' AND seq = 3`,
		`DELETE FROM audit_log WHERE chain = 'kreis:1' AND seq = 5`,
		`TRUNCATE audit_log`,
	} {
		if err := db.Exec(stmt).Error; err == nil || !strings.Contains(err.Error(), "unveränderlich") {
			t.Errorf("%s: want refusal, got %v", stmt, err)
		}
	}

	// A superuser who disables the trigger can change a row, but verify finds it.
	mustExec(t, db, `ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete`)
	mustExec(t, db, `UPDATE audit_log SET details = '{"i":99}' WHERE chain = 'kreis:1' AND seq = 3`)
	v, err = audit.VerifyChain(ctx, db, "kreis:1")
	if err != nil || v.OK || v.BrokenSeq != 3 || !strings.Contains(v.Problem, "Hash") {
		t.Fatalf("tampered content: %+v %v", v, err)
	}
	if v2, _ := audit.VerifyChain(ctx, db, "kreis:2"); !v2.OK {
		t.Fatalf("other chain affected: %+v", v2)
	}
	mustExec(t, db, `UPDATE audit_log SET details = '{"i":2}' WHERE chain = 'kreis:1' AND seq = 3`)
	if v, _ = audit.VerifyChain(ctx, db, "kreis:1"); !v.OK {
		t.Fatalf("restored chain: %+v", v)
	}
	// Removing the last entry is caught by the head.
	mustExec(t, db, `DELETE FROM audit_log WHERE chain = 'kreis:1' AND seq = 5`)
	if v, _ = audit.VerifyChain(ctx, db, "kreis:1"); v.OK || v.BrokenSeq != 5 {
		t.Fatalf("truncated chain: %+v", v)
	}
	// Removing a middle entry breaks the sequence.
	mustExec(t, db, `DELETE FROM audit_log WHERE chain = 'kreis:2' AND seq = 1`)
	if v, _ = audit.VerifyChain(ctx, db, "kreis:2"); v.OK || v.BrokenSeq != 1 {
		t.Fatalf("gap: %+v", v)
	}
}

func TestAuditChainSerialisesConcurrentWriters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.DB(t)
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			appendN(t, db, "call:1", 10)
		}()
	}
	wg.Wait()
	v, err := audit.VerifyChain(ctx, db, "call:1")
	if err != nil || !v.OK || v.Entries != 80 {
		t.Fatalf("concurrent chain: %+v %v", v, err)
	}
}

func TestAuditRolledBackWithItsTransaction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.DB(t)
	_ = store.InTx(ctx, db, func(tx *gorm.DB) error {
		if _, err := audit.Audit(tx, audit.Event{Chain: "kreis:9", Action: "test.event"}); err != nil {
			t.Fatal(err)
		}
		return core.ErrConflict
	})
	if _, n, _ := audit.ChainHead(ctx, db, "kreis:9"); n != 0 {
		t.Fatalf("entry of a rolled-back transaction survived: %d", n)
	}
}

func mustExec(t *testing.T, db *gorm.DB, sql string) {
	t.Helper()
	if err := db.Exec(sql).Error; err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}
