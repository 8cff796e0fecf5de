package models_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/models/dbtest"
	"kimibv/models/store"
)

func TestActionLabelFallsBackToTheName(t *testing.T) {
	t.Parallel()
	for action, want := range map[string]string{
		"tenant.user_invited":     "Person eingeladen",
		"auth.login_failed":       "Fehlgeschlagene Anmeldung",
		"tenant.settings_changed": "Einstellungen des Kreises geändert",
		"bid.unknown_thing":       "bid.unknown_thing",
	} {
		if got := audit.ActionLabel(action); got != want {
			t.Errorf("ActionLabel(%q) = %q, want %q", action, got, want)
		}
	}
}

func TestAuditRowShowsGermanLabelsAndValues(t *testing.T) {
	t.Parallel()
	r := audit.AuditRow{Chain: "kreis:1", Details: `{"z":1,"changed":{"letterhead":"A\nB","address":"` + strings.Repeat("x", 400) + `"},` +
		`"roles":["lead","council"],"org_id":null,"before":[],"allocation":{"L1":"2.00"},"excluded":false,"total":"73.75",` +
		`"items":{"E1":{"met":true}},"decided_on":"2026-11-15","standstill_ends_at":"2026-11-30T23:00:00Z","object":"bid_version:8:1","bid":8,"ties":{"5":"membership"},"previous_state":"published"}`}
	got := r.Show(nil)
	if got.ChainName != "Protokoll des Kreises" || got.Actor != "System" {
		t.Fatalf("chain %q, actor %q", got.ChainName, got.Actor)
	}
	lines := map[string]string{}
	for _, l := range got.Lines {
		lines[l.Key] = l.Value
	}
	want := map[string]string{
		"Vorher": "–", "Geändert – Anschrift": strings.Repeat("x", 300) + " …", "Rollen": "Verfahrensleitung, Kreistagsmitglied", "Träger": "–",
		"Zuteilung (VZÄ) – Los 1": "2,00", "Ausgeschlossen": "nein", "Gesamtpunkte": "73,75", "Prüfpunkte – Voraussetzung 1 – Erfüllt": "ja",
		"Datum der Entscheidung": "15.11.2026", "Ende der Stillhaltefrist": "01.12.2026 00:00 Uhr",
		"Bezieht sich auf": "Fassung 1 einer Interessenbekundung", "Interessenbekundung": "eine Interessenbekundung", "Angabe": "1",
		"Verbindungen – ein Träger": "Mitgliedschaft mit Funktion", "Stand vorher": "veröffentlicht",
	}
	for k, v := range want {
		if lines[k] != v {
			t.Errorf("%s = %q, want %q (all: %q)", k, lines[k], v, lines)
		}
	}
	for _, l := range got.Lines {
		for _, raw := range []string{"{", "bid_version", "L1", "true", "false", "73.75", "kreis:"} {
			if strings.Contains(l.Key+l.Value, raw) {
				t.Errorf("raw %q in %q: %q", raw, l.Key, l.Value)
			}
		}
	}
	if l := (audit.AuditRow{Details: `{"ties":["7:board"]}`}).Show(nil).Lines; len(l) != 1 || l[0].Value != "ein Träger (Vorstand oder Aufsichtsgremium)" {
		t.Fatalf("council ties %v", l)
	}
	if l := (audit.AuditRow{Details: "kein json"}).Show(nil).Lines; len(l) != 1 || strings.Contains(l[0].Value, "kein json") {
		t.Fatalf("raw details %v", l)
	}
}

// auditRowAt inserts an audit row directly (bypassing the chain, for list tests only).
func auditRowAt(t *testing.T, db *gorm.DB, chain string, seq int64, at time.Time, actorID *int64, tenantID int64, action, objType, objID string) {
	t.Helper()
	if err := db.Exec(`INSERT INTO audit_chains (chain) VALUES (?) ON CONFLICT DO NOTHING`, chain).Error; err != nil {
		t.Fatal(err)
	}
	err := db.Exec(`INSERT INTO audit_log (chain, seq, created_at, actor_id, tenant_id, action, object_type, object_id, details, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, '{}', ?, ?)`, chain, seq, at, actorID, tenantID, action, objType, objID,
		audit.GenesisHash, fmt.Sprintf("%064d", seq)).Error
	if err != nil {
		t.Fatal(err)
	}
}

func berlinTime(y int, m time.Month, d, hh, mm, ss, ns int) time.Time {
	return time.Date(y, m, d, hh, mm, ss, ns, core.Berlin())
}

func TestListAuditFilters(t *testing.T) {
	t.Parallel()
	st := dbtest.NewDemo(t)
	ctx, db := context.Background(), st.DB
	muster, beispiel := taTenantID(t, db, "musterland"), taTenantID(t, db, "beispielhausen")
	admin, lead := taActor(t, db, "admin@musterland.example"), taActor(t, db, "leitung@musterland.example")
	other := taActor(t, db, "admin@beispielhausen.example")
	a, l, o := &admin.UserID, &lead.UserID, &other.UserID
	auditRowAt(t, db, "test:list", 1, berlinTime(2026, 2, 28, 23, 59, 59, 0), l, muster, "test.published", "test_call", "1")
	auditRowAt(t, db, "test:list", 2, berlinTime(2026, 3, 1, 0, 0, 0, 0), a, muster, "tenant.settings_changed", "tenant", "1")
	auditRowAt(t, db, "test:list", 3, berlinTime(2026, 3, 31, 23, 59, 59, 999999000), a, muster, "tenant.roles_changed", "user", "5")
	auditRowAt(t, db, "test:list", 4, berlinTime(2026, 4, 1, 0, 0, 0, 0), l, muster, "test.published", "test_call", "2")
	auditRowAt(t, db, "test:other", 1, berlinTime(2026, 3, 15, 12, 0, 0, 0), o, beispiel, "test.secret", "test_call", "9")

	list := func(q audit.AuditQuery) []string {
		t.Helper()
		p, err := audit.ListAudit(ctx, db, admin, muster, q)
		if err != nil {
			t.Fatalf("%+v: %v", q, err)
		}
		var out []string
		for _, e := range p.Entries {
			out = append(out, fmt.Sprintf("%s/%d", e.Chain, e.Seq))
		}
		return out
	}
	cases := []struct {
		name string
		q    audit.AuditQuery
		want []string
	}{
		{"March inclusive, Berlin time", audit.AuditQuery{From: "01.03.2026", To: "31.03.2026"}, []string{"test:list/3", "test:list/2"}},
		{"short date form", audit.AuditQuery{From: "1.3.2026", To: "31.3.2026"}, []string{"test:list/3", "test:list/2"}},
		{"one day", audit.AuditQuery{From: "28.02.2026", To: "28.02.2026"}, []string{"test:list/1"}},
		{"action", audit.AuditQuery{Action: "test.published"}, []string{"test:list/4", "test:list/1"}},
		{"actor and period", audit.AuditQuery{Actor: fmt.Sprint(lead.UserID), To: "31.03.2026"}, []string{"test:list/1"}},
		{"object", audit.AuditQuery{ObjectType: "test_call", ObjectID: " 2 "}, []string{"test:list/4"}},
		{"object type", audit.AuditQuery{ObjectType: "test_call"}, []string{"test:list/4", "test:list/1"}},
	}
	for _, tc := range cases {
		if got := list(tc.q); !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
	// Without filters, every Musterland entry and nothing of Beispielhausen.
	all := list(audit.AuditQuery{Limit: 1000})
	if n := dbtest.Count(t, db, `SELECT count(*) FROM audit_log WHERE tenant_id = ?`, muster); int64(len(all)) != n || slices.Contains(all, "test:other/1") {
		t.Fatalf("unfiltered list: %d entries of %d", len(all), n)
	}

	bad := []struct {
		q     audit.AuditQuery
		codes []string
	}{
		{audit.AuditQuery{Action: "test.secret"}, []string{"action:invalid"}},
		{audit.AuditQuery{From: "31.02.2026"}, []string{"from:invalid"}},
		{audit.AuditQuery{From: "2026-03-01", To: "morgen"}, []string{"from:invalid", "to:invalid"}},
		{audit.AuditQuery{From: "02.03.2026", To: "01.03.2026"}, []string{"to:before_from"}},
		{audit.AuditQuery{ObjectID: "5"}, []string{"object_id:type_required"}},
		{audit.AuditQuery{ObjectType: "bid"}, []string{"object_type:invalid"}},
		{audit.AuditQuery{Actor: "abc"}, []string{"actor:invalid"}},
		{audit.AuditQuery{Actor: fmt.Sprint(other.UserID)}, []string{"actor:invalid"}},
		{audit.AuditQuery{Cursor: "kaputt"}, []string{"cursor:invalid"}},
	}
	for _, tc := range bad {
		_, err := audit.ListAudit(ctx, db, admin, muster, tc.q)
		wantCodes(t, err, tc.codes...)
	}

	opts, err := audit.AuditFilterOptions(ctx, db, lead, muster)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(opts.Actions, audit.AuditChoice{Value: "tenant.roles_changed", Label: "Rollen geändert"}) ||
		!slices.Contains(opts.Actions, audit.AuditChoice{Value: "test.published", Label: "test.published"}) ||
		slices.ContainsFunc(opts.Actions, func(c audit.AuditChoice) bool { return c.Value == "test.secret" }) ||
		!slices.Contains(opts.ObjectTypes, audit.AuditChoice{Value: "user", Label: "Person"}) ||
		!slices.ContainsFunc(opts.Actors, func(x audit.AuditActorOption) bool { return x.ID == lead.UserID && x.Name == lead.Name }) ||
		slices.ContainsFunc(opts.Actors, func(x audit.AuditActorOption) bool { return x.ID == other.UserID }) {
		t.Fatalf("options %+v", opts)
	}
	// Lead and administrator read the list; an evaluator and another Kreis's administrator cannot.
	if _, err := audit.ListAudit(ctx, db, lead, muster, audit.AuditQuery{}); err != nil {
		t.Fatal(err)
	}
	for _, who := range []*core.Actor{taActor(t, db, "gremium1@musterland.example"), other} {
		if _, err := audit.ListAudit(ctx, db, who, muster, audit.AuditQuery{}); !errors.Is(err, core.ErrNotFound) {
			t.Fatalf("%s reads Musterland's audit list: %v", who.Email, err)
		}
	}
}

func TestListAuditKeysetPaginationAndVerification(t *testing.T) {
	t.Parallel()
	st := dbtest.NewDemo(t)
	ctx, db := context.Background(), st.DB
	muster := taTenantID(t, db, "musterland")
	admin := taActor(t, db, "admin@musterland.example")
	// Ties on the time are broken by chain and sequence number.
	same := berlinTime(2026, 5, 5, 10, 0, 0, 0)
	for i := int64(1); i <= 10; i++ {
		auditRowAt(t, db, "test:a", i, same, nil, muster, "test.event", "thing", fmt.Sprint(i))
	}
	for i := int64(1); i <= 5; i++ {
		auditRowAt(t, db, "test:b", i, same, nil, muster, "test.event", "thing", fmt.Sprint(i))
	}
	for i := int64(6); i <= 8; i++ {
		auditRowAt(t, db, "test:b", i, same.Add(time.Duration(i)*time.Hour), nil, muster, "test.event", "thing", fmt.Sprint(i))
	}
	total := dbtest.Count(t, db, `SELECT count(*) FROM audit_log WHERE tenant_id = ?`, muster)

	type key struct {
		at    time.Time
		chain string
		seq   int64
	}
	var seen []key
	var queries []int64
	cursor := ""
	for page := 0; ; page++ {
		var n atomic.Int64
		p, err := audit.ListAudit(store.WithQueryCounter(ctx, &n), db, admin, muster, audit.AuditQuery{Limit: 4, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		queries = append(queries, n.Load())
		if p.First != (page == 0) || len(p.Entries) > 4 || (p.Next != "" && len(p.Entries) != 4) {
			t.Fatalf("page %d: first %v, %d entries, next %q", page, p.First, len(p.Entries), p.Next)
		}
		if !p.Verification.OK || p.Verification.Chain != audit.TenantChain(muster) || p.Verification.Entries == 0 {
			t.Fatalf("verification %+v", p.Verification)
		}
		for _, e := range p.Entries {
			seen = append(seen, key{e.CreatedAt, e.Chain, e.Seq})
		}
		if p.Next == "" {
			break
		}
		cursor = p.Next
	}
	if int64(len(seen)) != total {
		t.Fatalf("paged through %d entries, want %d", len(seen), total)
	}
	for i := 1; i < len(seen); i++ {
		a, b := seen[i-1], seen[i]
		if c := cmp.Or(a.at.Compare(b.at), cmp.Compare(a.chain, b.chain), cmp.Compare(a.seq, b.seq)); c <= 0 {
			t.Fatalf("entries %d and %d not strictly newest first: %+v %+v", i-1, i, a, b)
		}
	}
	// Constant query count: a late page costs what the first costs.
	for i, q := range queries {
		if q != queries[0] {
			t.Fatalf("page %d took %d queries, page 0 took %d", i, q, queries[0])
		}
	}
	if len(queries) < 5 {
		t.Fatalf("only %d pages", len(queries))
	}
}

func TestListAuditReportsTheFirstBrokenEntry(t *testing.T) {
	t.Parallel()
	st := dbtest.NewDemo(t)
	ctx, db := context.Background(), st.DB
	muster := taTenantID(t, db, "musterland")
	chain := audit.TenantChain(muster)
	// The test database connection is a superuser's: disable the trigger and tamper.
	mustExec(t, db, `ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete`)
	mustExec(t, db, `UPDATE audit_log SET details = '{"after":["tenant_admin","lead"]}' WHERE chain = '`+chain+`' AND seq = 3`)
	mustExec(t, db, `ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update_delete`)
	p, err := audit.ListAudit(ctx, db, taActor(t, db, "admin@musterland.example"), muster, audit.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Verification.OK || p.Verification.BrokenSeq != 3 || !strings.Contains(p.Verification.Problem, "Hash") {
		t.Fatalf("verification %+v", p.Verification)
	}
}
