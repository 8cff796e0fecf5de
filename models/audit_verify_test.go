package models_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"

	"kimibv/models/audit"
	"kimibv/models/dbtest"
)

// verifyBothWays verifies chain through the pool (binary COPY, parallel hashing) and inside
// a transaction (row by row) and fails the test unless both give the same outcome.
func verifyBothWays(t *testing.T, db *gorm.DB, chain string) audit.Verification {
	t.Helper()
	ctx := context.Background()
	byCopy, err := audit.VerifyChain(ctx, db, chain)
	if err != nil {
		t.Fatalf("verify %s: %v", chain, err)
	}
	var byRows audit.Verification
	err = db.Transaction(func(tx *gorm.DB) error {
		byRows, err = audit.VerifyChain(ctx, tx, chain)
		return err
	})
	if err != nil {
		t.Fatalf("verify %s in a transaction: %v", chain, err)
	}
	if byCopy != byRows {
		t.Fatalf("verify %s: COPY path %+v, row path %+v", chain, byCopy, byRows)
	}
	return byCopy
}

func TestVerifyChainNamesTheFirstBrokenEntry(t *testing.T) {
	t.Parallel()
	db := dbtest.DB(t)
	const other = "'1111111111111111111111111111111111111111111111111111111111111111'"
	cases := []struct {
		name    string
		tamper  []string // %[1]s is the chain
		entries int64
		ok      bool
		broken  int64
		problem string
	}{
		{name: "intact", entries: 6, ok: true},
		{name: "tampered details", tamper: []string{`UPDATE audit_log SET details = '{"i":99}' WHERE chain = '%[1]s' AND seq = 3`},
			entries: 6, broken: 3, problem: "Inhalt verändert: Hash stimmt nicht"},
		{name: "tampered hash", tamper: []string{`UPDATE audit_log SET hash = ` + other + ` WHERE chain = '%[1]s' AND seq = 4`},
			entries: 6, broken: 4, problem: "Inhalt verändert: Hash stimmt nicht"},
		{name: "broken link", tamper: []string{`UPDATE audit_log SET prev_hash = ` + other + ` WHERE chain = '%[1]s' AND seq = 4`},
			entries: 6, broken: 4, problem: "Verkettung gebrochen: vorheriger Hash stimmt nicht"},
		{name: "missing entry", tamper: []string{`DELETE FROM audit_log WHERE chain = '%[1]s' AND seq = 3`},
			entries: 5, broken: 3, problem: "Eintrag 3 fehlt (gefunden: 4)"},
		{name: "missing first entry", tamper: []string{`DELETE FROM audit_log WHERE chain = '%[1]s' AND seq = 1`},
			entries: 5, broken: 1, problem: "Eintrag 1 fehlt (gefunden: 2)"},
		{name: "missing last entry", tamper: []string{`DELETE FROM audit_log WHERE chain = '%[1]s' AND seq = 6`},
			entries: 5, broken: 6, problem: "Kettenkopf stimmt nicht mit dem letzten Eintrag überein (Einträge entfernt?)"},
		{name: "head mismatch", tamper: []string{`UPDATE audit_chains SET head_hash = ` + other + ` WHERE chain = '%[1]s'`},
			entries: 6, broken: 6, problem: "Kettenkopf stimmt nicht mit dem letzten Eintrag überein (Einträge entfernt?)"},
		{name: "first of two broken", tamper: []string{
			`UPDATE audit_log SET details = '{"i":98}' WHERE chain = '%[1]s' AND seq = 5`,
			`UPDATE audit_log SET prev_hash = ` + other + ` WHERE chain = '%[1]s' AND seq = 2`,
			`DELETE FROM audit_log WHERE chain = '%[1]s' AND seq = 6`,
		}, entries: 5, broken: 2, problem: "Verkettung gebrochen: vorheriger Hash stimmt nicht"},
	}
	mustExec(t, db, `ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete`)
	for i, c := range cases {
		chain := fmt.Sprintf("kreis:%d", i+1)
		appendN(t, db, chain, 6)
		want, _, err := audit.ChainHead(context.Background(), db, chain)
		if err != nil {
			t.Fatal(err)
		}
		for _, stmt := range c.tamper {
			mustExec(t, db, fmt.Sprintf(stmt, chain))
		}
		v := verifyBothWays(t, db, chain)
		if v.Chain != chain || v.Entries != c.entries || v.OK != c.ok || v.BrokenSeq != c.broken || v.Problem != c.problem {
			t.Errorf("%s: got %+v, want %d entries, ok %v, broken %d %q", c.name, v, c.entries, c.ok, c.broken, c.problem)
		}
		if c.ok && v.HeadHash != want {
			t.Errorf("%s: head %s, want %s", c.name, v.HeadHash, want)
		}
	}
}

func TestVerifyChainOfAnEmptyChainIsOK(t *testing.T) {
	t.Parallel()
	db := dbtest.DB(t)
	mustExec(t, db, `INSERT INTO audit_chains (chain) VALUES ('call:77')`)
	for _, chain := range []string{"call:77", "call:never-written", "it's quoted"} {
		v := verifyBothWays(t, db, chain)
		if !v.OK || v.Entries != 0 || v.HeadHash != audit.GenesisHash || v.Chain != chain {
			t.Errorf("%s: %+v", chain, v)
		}
	}
	mustExec(t, db, `UPDATE audit_chains SET head_seq = 3 WHERE chain = 'call:77'`)
	if v := verifyBothWays(t, db, "call:77"); v.OK || v.BrokenSeq != 3 || !strings.HasPrefix(v.Problem, "Kettenkopf") {
		t.Errorf("head ahead of an empty chain: %+v", v)
	}
}

func TestVerifyChainRecomputesEntriesWithSpecialCharacters(t *testing.T) {
	t.Parallel()
	db := dbtest.DB(t)
	const chain = "call:5"
	actor := int64(9)
	texts := []string{`{"a":"tab` + "\t" + `"}`, "{\"nl\":\"zeile1\nzeile2\r\"}", `{"path":"C:\\temp\\x","q":"\""}`,
		`{"name":"Träger für Integration – Ärzte 𝄞 日本 <&>"}`, "{\"sep\":\"\u2028\u2029\"}", "\\N", "\\.", "", "{}",
		"\x01\x1f\x7f", strings.Repeat("ä\t\\", 3000)}
	mustExec(t, db, `INSERT INTO audit_chains (chain) VALUES ('call:5')`)
	prev := audit.GenesisHash
	at := time.Date(1999, 12, 31, 23, 59, 59, 999999000, time.UTC)
	for i, details := range texts {
		e := audit.AuditEntry{Chain: chain, Seq: int64(i + 1), CreatedAt: at.Add(time.Duration(i) * 36 * time.Hour),
			Action: "test.special", ObjectType: "thing\t", ObjectID: "ä\n" + fmt.Sprint(i), Details: details, PrevHash: prev}
		if i%2 == 0 {
			e.ActorID, e.TenantID = &actor, &actor
		}
		e.Hash = audit.EntryHash(e)
		if err := db.Create(&e).Error; err != nil {
			t.Fatal(err)
		}
		prev = e.Hash
	}
	mustExec(t, db, fmt.Sprintf(`UPDATE audit_chains SET head_seq = %d, head_hash = '%s' WHERE chain = 'call:5'`, len(texts), prev))
	if v := verifyBothWays(t, db, chain); !v.OK || v.Entries != int64(len(texts)) || v.HeadHash != prev {
		t.Fatalf("special characters: %+v", v)
	}
	mustExec(t, db, `ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete`)
	mustExec(t, db, `UPDATE audit_log SET details = replace(details, E'\t', ' ') WHERE chain = 'call:5' AND seq = 1`)
	if v := verifyBothWays(t, db, chain); v.OK || v.BrokenSeq != 1 {
		t.Fatalf("a tab replaced by a blank is not found: %+v", v)
	}
}

func TestVerifyAllChainsMatchesVerifyingEachChain(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.DB(t)
	appendN(t, db, "call:1", 3)
	appendN(t, db, "call:10", 2)
	appendN(t, db, "kreis:1", 4)
	appendN(t, db, "platform", 1)
	mustExec(t, db, `INSERT INTO audit_chains (chain) VALUES ('call:2'), ('zzz:empty')`)
	mustExec(t, db, `ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete`)
	mustExec(t, db, `DELETE FROM audit_log WHERE chain = 'kreis:1' AND seq = 2`)
	chains, err := audit.Chains(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	var got []audit.Verification
	n, err := audit.VerifyAllChains(ctx, db, func(v audit.Verification) error { got = append(got, v); return nil })
	if err != nil || n != len(chains) || len(got) != len(chains) {
		t.Fatalf("verified %d (%v), want %d: %+v", n, err, len(chains), got)
	}
	for i, chain := range chains {
		if want := verifyBothWays(t, db, chain); got[i] != want {
			t.Errorf("chain %d: %+v, alone %+v", i, got[i], want)
		}
	}
	for _, v := range got {
		if (v.Chain == "kreis:1") == (v.OK || v.BrokenSeq != 2) {
			t.Errorf("only the gap in kreis:1 is a problem: %+v", v)
		}
	}
}

// TestVerifyChainOfALongChainNamesTheFirstBrokenEntryAcrossHalves covers the long-chain
// path (two halves read in parallel, joined): damage on both sides of the middle.
func TestVerifyChainOfALongChainNamesTheFirstBrokenEntryAcrossHalves(t *testing.T) {
	if testing.Short() {
		t.Skip("long chain skipped in -short mode")
	}
	t.Parallel()
	ctx := context.Background()
	st := dbtest.New(t)
	const chain, n = "call:long", 100_002 // at least splitMinEntries: read in two halves
	at := time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)
	prev := audit.GenesisHash
	rows := make([][]any, 0, n)
	for i := 1; i <= n; i++ {
		e := audit.AuditEntry{Chain: chain, Seq: int64(i), CreatedAt: at.Add(time.Duration(i) * time.Millisecond),
			Action: "test.long", ObjectType: "bid", ObjectID: fmt.Sprint(i), Details: fmt.Sprintf(`{"i":%d}`, i), PrevHash: prev}
		e.Hash = audit.EntryHash(e)
		rows = append(rows, []any{e.Chain, e.Seq, e.CreatedAt, e.Action, e.ObjectType, e.ObjectID, e.Details, e.PrevHash, e.Hash})
		prev = e.Hash
	}
	mustExec(t, st.DB, fmt.Sprintf(`INSERT INTO audit_chains (chain, head_seq, head_hash) VALUES ('%s', %d, '%s')`, chain, n, prev))
	if _, err := st.Pool.CopyFrom(ctx, pgx.Identifier{"audit_log"},
		[]string{"chain", "seq", "created_at", "action", "object_type", "object_id", "details", "prev_hash", "hash"}, pgx.CopyFromRows(rows)); err != nil {
		t.Fatal(err)
	}
	if v, err := audit.VerifyChain(ctx, st.DB, chain); err != nil || !v.OK || v.Entries != n || v.HeadHash != prev {
		t.Fatalf("intact long chain: %+v", v)
	}
	mustExec(t, st.DB, `ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete`)
	steps := []struct {
		stmt   string
		broken int64
	}{
		{`UPDATE audit_log SET details = '{}' WHERE chain = 'call:long' AND seq = 90000`, 90000},   // second half
		{`DELETE FROM audit_log WHERE chain = 'call:long' AND seq = 50002`, 50002},                 // first of the second half
		{`UPDATE audit_log SET prev_hash = hash WHERE chain = 'call:long' AND seq = 50001`, 50001}, // last of the first half
		{`UPDATE audit_log SET details = '{"i":0}' WHERE chain = 'call:long' AND seq = 7`, 7},      // first half
	}
	for i, s := range steps {
		mustExec(t, st.DB, s.stmt)
		v, err := audit.VerifyChain(ctx, st.DB, chain)
		if i == len(steps)-1 { // the row-by-row walk is slow under -race: compare once
			v = verifyBothWays(t, st.DB, chain)
		}
		if err != nil || v.OK || v.BrokenSeq != s.broken {
			t.Fatalf("after %s: %+v %v, want broken %d", s.stmt, v, err, s.broken)
		}
	}
}
