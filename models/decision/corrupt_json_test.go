package decision_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"kimibv/models/accounts"
	"kimibv/models/core"
	"kimibv/models/dbtest"
	"kimibv/models/decision"
	"kimibv/models/rules"
)

// TestCorruptStoredJSONIsAnError: a stored formal checklist or score row whose JSON does
// not fit its type makes the council annex and the award record fail with an error that
// names what could not be decoded, instead of showing them without the data.
func TestCorruptStoredJSONIsAnError(t *testing.T) {
	db := dbtest.NewDemo(t).DB
	ctx := context.Background()
	p := dbtest.SeedProcedure(t, db, dbtest.ProcedureSpec{Seq: 86, Bids: 2, Criteria: 2, Evaluators: 2, Final: true, Docs: dbtest.FakeDecisionDocs()})
	exec := func(sql string, args ...any) {
		t.Helper()
		if err := db.Exec(sql, args...).Error; err != nil {
			t.Fatal(err)
		}
	}
	var uid int64
	if err := db.Raw(`INSERT INTO users (email, name, password_hash) VALUES ('rat-json@example.org', 'Rat Json', 'x') RETURNING id`).Scan(&uid).Error; err != nil {
		t.Fatal(err)
	}
	exec(`INSERT INTO tenant_memberships (tenant_id, user_id, role) VALUES (?, ?, 'council')`, p.TenantID, uid)
	member, err := accounts.LoadActor(ctx, db, uid)
	if err != nil {
		t.Fatal(err)
	}
	ties := map[int64]string{}
	for _, o := range p.OrgIDs {
		ties[o] = rules.TieNone
	}
	if err := decision.DeclareCouncilTies(ctx, db, member, decision.CouncilDeclaration{TenantID: p.TenantID, CallID: p.CallID, Ties: ties}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if v, err := decision.LoadCouncilProcedure(ctx, db, member, core.CallScope{Tenant: p.TenantID, Call: p.CallID}); err != nil || v.Annex == nil {
		t.Fatalf("intact annex: %v", err)
	}

	exec(`ALTER TABLE formal_checks_all DISABLE TRIGGER formal_checks_final_update`)
	exec(`UPDATE formal_checks SET items = '["kaputt"]' WHERE call_id = ?`, p.CallID)
	if _, err := decision.LoadCouncilProcedure(ctx, db, member, core.CallScope{Tenant: p.TenantID, Call: p.CallID}); err == nil || !strings.Contains(err.Error(), "formal checklist") {
		t.Errorf("annex with a corrupt checklist: %v, want a decode error", err)
	}
	if _, err := decision.LoadAwardRecord(ctx, db, p.Ref); err != nil {
		t.Fatalf("award record (does not show the checklist): %v", err)
	}

	exec(`ALTER TABLE result_rows_all DISABLE TRIGGER result_rows_final_update`)
	for _, c := range []struct{ column, value, want string }{
		{"points", `{"K1": "viel"}`, "points of bid"},
		{"reasons", `{"grund": 1}`, "exclusion reasons of bid"},
	} {
		exec(`UPDATE result_rows SET `+c.column+` = ?::jsonb WHERE call_id = ? AND position = 1`, c.value, p.CallID)
		if _, err := decision.LoadAwardRecord(ctx, db, p.Ref); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("award record with corrupt %s: %v, want %q", c.column, err, c.want)
		}
		exec(`UPDATE result_rows SET `+c.column+` = ?::jsonb WHERE call_id = ? AND position = 1`, map[string]string{"points": "{}", "reasons": "[]"}[c.column], p.CallID)
	}
	if _, err := decision.LoadAwardRecord(ctx, db, p.Ref); err != nil {
		t.Fatalf("award record after repair: %v", err)
	}
}
