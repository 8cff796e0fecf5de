package models_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"kimibv/models/dbtest"
	"kimibv/models/decision"
	"kimibv/models/ocdstest"
)

// TestOCDSAwardStagesFromTheDecision: after the notices the package carries the pending
// award, after the final award the active one with tender status complete; both validate
// against the OCDS 1.1 schema and contain no scores, reasons or persons.
func TestOCDSAwardStagesFromTheDecision(t *testing.T) {
	t.Parallel()
	v := ocdstest.Load(t)
	f := newDecisionFixture(t)
	ctx := context.Background()
	f.record(t)
	var ref string
	f.db.Raw(`SELECT ref FROM calls WHERE id = ?`, f.callID).Scan(&ref)
	ocid := "ocds-t3st01-" + ref
	body, _ := ocdsPackageJSON(t, f.db, ref)
	if strings.Contains(string(body), "-award-") {
		t.Fatal("award release before the notices")
	}
	if err := decision.IssueNotices(ctx, f.db, f.lead, dbtest.FakeDocuments{}, f.callID, f.now); err != nil {
		t.Fatal(err)
	}
	body, _ = ocdsPackageJSON(t, f.db, ref)
	rels := releasesByID(t, v.Package(t, "pending award", body))
	pending := rels[ocid+"-award-decision"]
	if pending == nil || rels[ocid+"-award-final"] != nil {
		t.Fatalf("releases %v", keys(rels))
	}
	if aw := pending["awards"].([]any); len(aw) != 2 || aw[0].(map[string]any)["status"] != "pending" {
		t.Fatalf("pending awards %v", aw)
	}
	if _, err := decision.FinalizeAward(ctx, f.db, dbtest.FakeDocuments{}, f.callID, f.now.AddDate(0, 0, 20)); err != nil {
		t.Fatal(err)
	}
	body, _ = ocdsPackageJSON(t, f.db, ref)
	rels = releasesByID(t, v.Package(t, "final award", body))
	final := rels[ocid+"-award-final"]
	if final == nil || final["tender"].(map[string]any)["status"] != "complete" || final["tender"].(map[string]any)["numberOfTenderers"] != 4.0 {
		t.Fatalf("final release %v", final)
	}
	roles := map[string]string{}
	for _, x := range final["parties"].([]any) {
		p := x.(map[string]any)
		roles[p["name"].(string)] = fmt.Sprint(p["roles"])
	}
	if roles["Träger A e. V."] != "[tenderer supplier]" || roles["Träger C e. V."] != "[tenderer]" || roles["Träger X e. V."] != "[tenderer]" {
		t.Fatalf("roles %v", roles)
	}
	for _, secret := range []string{"Begründung", "Person A", "Satzung fehlt"} {
		if strings.Contains(string(body), secret) {
			t.Fatalf("open data contains %q", secret)
		}
	}
}

func keys(m map[string]map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
