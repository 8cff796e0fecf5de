package models_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"kimibv/app/pdfdoc"
	"kimibv/models/dbtest"
	"kimibv/models/decision"
	"kimibv/models/rules"
)

// seedEvaluationRecords writes what the opening, formal check and committee would have
// stored for the fixture's bids, so that the Vergabevermerk has every section.
func seedEvaluationRecords(t *testing.T, f *decisionFixture) {
	t.Helper()
	ev := taActor(t, f.db, "gremium1@musterland.example")
	stmts := []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO opening_bids (bid_id, call_id, org_id, org_name, state, version, call_version, kind, receipt_at, content_sha256, needs_reconfirmation, lots)
			SELECT b.id, b.call_id, b.org_id, o.name, 'submitted', 1, 1, 'full', now() - interval '3 days', repeat('ab', 32), false, '{}'
			FROM bids b JOIN organizations o ON o.id = b.org_id WHERE b.call_id = ?`, []any{f.callID}},
		{`INSERT INTO openings (call_id, user_id, confirmed_at) SELECT ?, id, now() FROM users WHERE email IN ('oeffnung1@musterland.example', 'oeffnung2@musterland.example')`, []any{f.callID}},
		{`INSERT INTO formal_checks (bid_id, call_id, outcome, reason, decided_by, decided_at, updated_at)
			SELECT bid_id, call_id, CASE WHEN org_name LIKE 'Träger X%' THEN 'excluded' ELSE 'admitted' END,
			CASE WHEN org_name LIKE 'Träger X%' THEN 'Die Satzung fehlt.' ELSE '' END, ?, now(), now() FROM opening_bids WHERE call_id = ?`, []any{f.lead.UserID, f.callID}},
		{`INSERT INTO document_request_deadlines (call_id, deadline, set_by, set_at) VALUES (?, now() + interval '7 days', ?, now())`, []any{f.callID, f.lead.UserID}},
		{`INSERT INTO document_requests (call_id, bid_id, doc_keys, message, requested_by, requested_at) VALUES (?, ?, '{U2}', 'Bitte reichen Sie die Satzung nach.', ?, now())`,
			[]any{f.callID, f.bids["X"], f.lead.UserID}},
		{`INSERT INTO call_committee (call_id, user_id, role) VALUES (?, ?, 'evaluator')`, []any{f.callID, ev.UserID}},
		{`INSERT INTO coi_declarations (call_id, evaluator_id, org_id, tie, note, declared_at) VALUES (?, ?, ?, 'membership', 'Mitglied im Vorstand des Fördervereins', now())`,
			[]any{f.callID, ev.UserID, f.orgs["C"]}},
		{`INSERT INTO score_sheets (call_id, bid_id, evaluator_id, call_version, created_at, updated_at, submitted_at) VALUES (?, ?, ?, 1, now(), now(), NULL)`,
			[]any{f.callID, f.bids["A"], ev.UserID}},
		{`INSERT INTO scores (sheet_id, criterion_key, score, reason) SELECT id, 'K1', 2, 'Schlüssiges Konzept mit Fallbeispielen' FROM score_sheets WHERE bid_id = ?`, []any{f.bids["A"]}},
		{`UPDATE score_sheets SET submitted_at = now() WHERE bid_id = ?`, []any{f.bids["A"]}},
	}
	for _, s := range stmts {
		if err := f.db.Exec(s.sql, s.args...).Error; err != nil {
			t.Fatalf("%s: %v", s.sql, err)
		}
	}
}

// TestVergabevermerkPDFContainsEveryItem runs the procedure to the final award with the
// real renderers and checks that pdftotext of the final Vergabevermerk contains every
// item the decision record lists (rules.md R20, R8) and that each organisation's Mitteilung is an issued PDF.
func TestVergabevermerkPDFContainsEveryItem(t *testing.T) {
	t.Parallel()
	pdftotext, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext (poppler-utils) is not installed")
	}
	f := newDecisionFixture(t)
	seedEvaluationRecords(t, f)
	ctx := context.Background()
	docs := pdfdoc.New("http://localhost/dokumentenpruefung")
	f.db.Exec(`UPDATE tenants SET legal_remedy_text = 'Gegen diese Entscheidung kann Klage beim Verwaltungsgericht erhoben werden.' WHERE id = ?`, f.tenantID)
	in := f.proposal(map[string]string{rules.FTEField(f.bids["B"], "L2"): "0,50"})
	in.DeviationReason = "Träger B kann im Süden nur eine halbe Stelle besetzen."
	if err := decision.SaveProposal(ctx, f.db, f.lead, in, f.now); err != nil {
		t.Fatal(err)
	}
	if err := decision.RecordDecision(ctx, f.db, f.lead, docs, f.recordInput(), f.now); err != nil {
		t.Fatal(err)
	}
	if err := decision.IssueNotices(ctx, f.db, f.lead, docs, f.callID, f.now); err != nil {
		t.Fatal(err)
	}
	list, _ := decision.OrgNotices(ctx, f.db, f.members["C"], f.orgs["C"])
	id, err := decision.LodgeObjection(ctx, f.db, f.members["C"], f.orgs["C"], list[0].ID, "Die Wertung im Kriterium 1 ist nicht nachvollziehbar.", f.now)
	if err != nil {
		t.Fatal(err)
	}
	if err := decision.AnswerObjection(ctx, f.db, f.lead, decision.ObjectionAnswer{CallID: f.callID, ObjectionID: id,
		Answer: "Die Wertung wurde geprüft; sie entspricht der Skala.", Outcome: decision.ObjectionRejected}, f.now); err != nil {
		t.Fatal(err)
	}
	if ok, err := decision.FinalizeAward(ctx, f.db, docs, f.callID, f.now.AddDate(0, 0, 20)); !ok || err != nil {
		t.Fatalf("finalise: %v %v", ok, err)
	}
	if n := dbtest.Count(t, f.db, `SELECT count(*) FROM issued_documents WHERE kind = 'mitteilung' AND call_id = `+itoa(f.callID)); n != 4 {
		t.Fatalf("%d Mitteilungen issued, want 4", n)
	}
	if n := dbtest.Count(t, f.db, `SELECT count(*) FROM notices WHERE document_id IS NULL AND call_id = `+itoa(f.callID)); n != 0 {
		t.Fatalf("%d notices without PDF", n)
	}
	var doc struct{ Content []byte }
	f.db.Raw(`SELECT content FROM issued_documents WHERE kind = 'vergabevermerk' AND call_id = ? ORDER BY id DESC LIMIT 1`, f.callID).Scan(&doc)
	if n := dbtest.Count(t, f.db, `SELECT count(*) FROM issued_documents WHERE kind = 'vergabevermerk' AND call_id = `+itoa(f.callID)); n != 2 {
		t.Fatalf("%d Vergabevermerke, want 2 (decision, final award)", n)
	}
	path := filepath.Join(t.TempDir(), "vermerk.pdf")
	if err := os.WriteFile(path, doc.Content, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(pdftotext, "-enc", "UTF-8", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v %s", err, out)
	}
	text := regexp.MustCompile(`\s+`).ReplaceAllString(string(out), " ")
	for item, want := range map[string]string{
		"authority":                 "Kreis Musterland – Der Landrat",
		"subject":                   "Interessenbekundungsverfahren KIM-Case-Management",
		"legal basis":               "Nr. 12 VV zu § 44 LHO",
		"why an IBV":                "Warum ein Interessenbekundungsverfahren",
		"applicants":                "Träger C e. V.",
		"receipt times":             "Alle Bewerbungen mit Eingangszeit",
		"openers":                   "Olaf Öffner",
		"formal check":              "Die Satzung fehlt.",
		"document requests":         "Bitte reichen Sie die Satzung nach.",
		"committee":                 "Greta Gremm",
		"conflict declarations":     "Mitglied im Vorstand",
		"evaluator scores, reasons": "Schlüssiges Konzept mit Fallbeispielen",
		"consolidated scores":       "Konsolidierte Bewertung",
		"ranking":                   "Rangfolge",
		"allocation":                "Verteilung der Stellen",
		"reasons for selection":     "Auswahl nach der Rangfolge der Bewertung.",
		"reasons for rejection":     "nicht ausgewählt",
		"deviation flagged":         "ABWEICHUNG VOM ERGEBNIS DER BEWERTUNG",
		"deviation reason":          "nur eine halbe Stelle",
		"deciding body":             "Kreistag",
		"resolution number":         "KT/0815/2026",
		"decision date":             rules.NewDate(f.now).German(),
		"notices sent":              "Versandte Mitteilungen",
		"standstill":                "Stillhaltefrist: 14 Tage, endet am",
		"objection and outcome":     "zurückgewiesen",
		"final award":               "Die Vergabe ist seit",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("Vergabevermerk lacks %s (%q)", item, want)
		}
	}
	if t.Failed() {
		t.Logf("text:\n%s", text)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
