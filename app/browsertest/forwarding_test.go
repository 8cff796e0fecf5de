package browsertest

import (
	"fmt"
	"maps"
	"os"
	"strings"
	"testing"
	"time"

	"kimibv/models/audit"
	"kimibv/models/dbtest"
)

// seedFinalAward seeds a procedure whose award is final (dbtest.SeedProcedure) in which
// every bidder requested the whole lot Nord (2 VZÄ): the first-ranked provider gets both
// posts, the others nothing. The flow's procedure becomes the seeded one; it returns the
// selected provider's organisation.
func (f *flow) seedFinalAward(seq int) int64 {
	f.t.Helper()
	p := dbtest.SeedProcedure(f.t, f.store.DB, dbtest.ProcedureSpec{Seq: seq, Bids: 3, Criteria: 2, Evaluators: 2, Final: true, Requested: "2.00"})
	f.callID, f.tenant = p.CallID, p.TenantID
	f.proc = fmt.Sprintf("/verwaltung/musterland/verfahren/%d", p.CallID)
	if n := f.count(`SELECT count(*) FROM decision_allocations WHERE call_id = ? AND fte > 0`, p.CallID); n != 1 {
		f.t.Fatalf("%d selected providers in the seeded procedure, want 1", n)
	}
	return f.count(`SELECT b.org_id FROM decision_allocations a JOIN bids b ON b.id = a.bid_id WHERE a.call_id = ? AND a.fte > 0`, p.CallID)
}

// addAccount creates an account with the demo password (and the demo accounts' cheap hash
// of it) in organisation org with role.
func (f *flow) addAccount(email, name string, org int64, role string) {
	f.t.Helper()
	var id int64
	if err := f.store.DB.Raw(`INSERT INTO users (email, name, password_hash) SELECT ?, ?, password_hash FROM users WHERE email = ? RETURNING id`,
		email, name, providerEmails["awo"]).Scan(&id).Error; err != nil || id == 0 {
		f.t.Fatalf("account %s: %v", email, err)
	}
	if err := f.store.DB.Exec(`INSERT INTO organization_members (org_id, user_id, role) VALUES (?, ?, ?)`, org, id, role).Error; err != nil {
		f.t.Fatal(err)
	}
}

// TestForwardingFromContractToProofInTheBrowser: after the final award the lead issues the
// Weiterleitungsvertrag (confirmation page); the provider's administrator finds it through
// the organisation's page, opens its PDF and accepts it with her name; a member reports one
// post filled and one vacant, asks for more than the filled post justifies (the German
// message at the amount, the error summary focused, nothing stored) and then for the right
// amount; the lead approves it and records the payment; the administrator submits the
// Verwendungsnachweis with a PDF and the lead, having downloaded it, checks it with the
// repayment. Every page passes axe-core and fits a 390 px screen; the database and the
// procedure's trail show each step exactly once.
func TestForwardingFromContractToProofInTheBrowser(t *testing.T) {
	t.Parallel()
	f := startFlow(t)
	began := time.Now()
	defer f.report(began)
	org := f.seedFinalAward(63)
	orgName := f.text(`SELECT name FROM organizations WHERE id = ?`, org)
	const adminEmail, memberEmail = "wl-admin@traeger.example", "wl-mitglied@traeger.example"
	f.addAccount(adminEmail, "Anna Admin", org, "org_admin")
	f.addAccount(memberEmail, "Mia Mitglied", org, "org_member")
	leadBase := f.proc + "/weiterleitung"
	orgHome := fmt.Sprintf("/traeger/%d", org)
	orgBase := fmt.Sprintf("%s/weiterleitung/%d", orgHome, f.callID)
	const ofCall = ` contract_id IN (SELECT id FROM forwarding_contracts WHERE call_id = ?)`

	// The trail of the procedure: after each step exactly the forwarding acts so far.
	want := map[string]int64{}
	trail := func(step string, acts ...string) {
		t.Helper()
		for _, a := range acts {
			want["forwarding."+a]++
		}
		var rows []struct {
			Action string
			N      int64
		}
		if err := f.store.DB.Raw(`SELECT action, count(*) AS n FROM audit_log WHERE chain = ? AND action LIKE 'forwarding.%' GROUP BY action`,
			audit.CallChain(f.callID)).Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		got := map[string]int64{}
		for _, r := range rows {
			got[r.Action] = r.N
		}
		if !maps.Equal(got, want) {
			t.Errorf("after %s the trail holds %v, want %v", step, got, want)
		}
	}

	// The lead issues the contract from the decision page's link, after the confirmation.
	lead := f.as("leitung", "leitung@musterland.example")
	lead.openOK(f.proc + "/entscheidung")
	lead.follow(leadBase)
	lead.wantText(orgName, "Noch nicht ausgestellt")
	lead.pictures("weiterleitung-leitung-vorher")
	issue := fmt.Sprintf("%s/traeger/%d", leadBase, org)
	lead.submitConfirmed(issue, "")
	lead.wantText("Annahme ausstehend")
	if n := f.count(`SELECT count(*) FROM forwarding_contracts WHERE call_id = ? AND org_id = ? AND accepted_at IS NULL`, f.callID, org); n != 1 {
		t.Fatalf("%d open contracts after the issue, want 1", n)
	}
	if n := f.count(`SELECT count(*) FROM inbox_messages WHERE org_id = ? AND kind = 'forwarding' AND document_id IS NOT NULL`, org); n != 1 {
		t.Errorf("%d Postfach messages with the contract, want 1", n)
	}
	trail("the issue", "issued")

	// The administrator reaches the contract from the organisation's page, opens the PDF
	// and accepts it.
	admin := f.as("traeger-admin", adminEmail)
	admin.openOK(orgHome)
	admin.follow(orgHome + "/weiterleitung")
	admin.pictures("weiterleitung-liste")
	admin.follow(orgBase)
	admin.wantText("Weiterleitungsvertrag", "Annahme ausstehend", "Nord, Stelle 1", "Nord, Stelle 2", "Mittel können Sie nach der Annahme des Vertrags abrufen.")
	admin.pictures("weiterleitung-traeger-vorher")
	if len(admin.links(orgBase+"/vertrag.pdf")) != 1 {
		t.Fatalf("the contract page does not link its PDF\n%s", admin.main())
	}
	pdf := admin.download(orgBase + "/vertrag.pdf")
	if !strings.HasPrefix(string(pdf), "%PDF-") {
		t.Fatal("the contract is not a PDF")
	}
	admin.fill(orgBase+"/annahme", map[string]string{"name": "Anna Admin"})
	admin.submitConfirmed(orgBase+"/annahme", "")
	admin.wantText("Angenommen am", "Anna Admin", "Mittel abrufen")
	if n := f.count(`SELECT count(*) FROM forwarding_contracts WHERE call_id = ? AND accepted_at IS NOT NULL AND accepted_name = 'Anna Admin'`, f.callID); n != 1 {
		t.Fatalf("%d contracts accepted by Anna Admin, want 1", n)
	}
	trail("the acceptance", "accepted")

	// A member reports the posts: one filled, one vacant.
	member := f.as("traeger-mitglied", memberEmail)
	member.openOK(orgBase)
	member.wantText("Nur die Administration Ihrer Organisation kann Verwendungsnachweise einreichen.")
	member.fill(orgBase+"/stellen", map[string]string{"post": "L1/1", "state": "filled", "fte": "1,00", "start": "2027-01-15", "qualified": "1"})
	member.submitOK(orgBase+"/stellen", "")
	member.fill(orgBase+"/stellen", map[string]string{"post": "L1/2", "state": "vacant", "vacant_since": "2027-01-01", "planned": "2027-04-01"})
	member.submitOK(orgBase+"/stellen", "")
	member.wantText("Besetzt (Qualifikation bestätigt)", "15.01.2027", "Unbesetzt", "01.04.2027")
	if n := f.count(`SELECT count(*) FROM post_reports WHERE`+ofCall, f.callID); n != 2 {
		t.Fatalf("%d post reports, want 2", n)
	}
	trail("the post reports", "post_reported", "post_reported")

	// February 2027: the filled post justifies 1 VZÄ × 62.000 € × 28/365 = 4.756,16 €; more is refused.
	draws := func() int64 { return f.count(`SELECT count(*) FROM drawdowns WHERE`+ofCall, f.callID) }
	february := map[string]string{"period_from": "2027-02-01", "period_to": "2027-02-28", "amount": "5.000,00"}
	member.fill(orgBase+"/abrufe", february)
	if s := member.submit(orgBase+"/abrufe", ""); s != 422 {
		t.Fatalf("a draw-down above the filled post: status %d, want 422", s)
	}
	st, err := errorSummary(member.tab, "f-amount")
	if err != nil {
		t.Fatal(err)
	}
	const tooHigh = "Der Betrag übersteigt, was die besetzten Stellen in diesem Zeitraum rechtfertigen (höchstens 4.756,16 €)."
	if st.Focused != "fehlerliste" || st.Link != "#f-amount" || !st.Invalid || !strings.Contains(st.FieldError, tooHigh) || !strings.Contains(st.Summary, tooHigh) {
		t.Errorf("refused draw-down: focus on %q, first summary link %q, amount invalid %v, message at the field %q, summary %q",
			st.Focused, st.Link, st.Invalid, st.FieldError, st.Summary)
	}
	if v, _ := eval[string](member.tab, `document.getElementById('f-amount').value`); v != "5.000,00" {
		t.Errorf("the refused amount is not shown again: %q", v)
	}
	member.pictures("weiterleitung-traeger-fehler")
	if n := draws(); n != 0 {
		t.Fatalf("the refused draw-down stored %d draw-downs", n)
	}
	trail("the refused draw-down")
	february["amount"] = "4.756,16"
	member.fill(orgBase+"/abrufe", february)
	member.submitOK(orgBase+"/abrufe", "")
	member.wantText("01.02.2027 – 28.02.2027", "4.756,16 €", "Beantragt")
	draw := f.count(`SELECT id FROM drawdowns WHERE state = 'requested' AND amount_cents = 475616 AND`+ofCall, f.callID)
	if draws() != 1 || draw == 0 {
		t.Fatalf("%d draw-downs, want the one of 4.756,16 €", draws())
	}
	trail("the draw-down", "drawdown_requested")

	// The lead approves it and records the payment.
	lead.openOK(leadBase)
	lead.wantText("4.756,16 €", "Bewilligen", "Besetzt", "Unbesetzt")
	drawAct := fmt.Sprintf("%s/abrufe/%d", leadBase, draw)
	lead.submitOK(drawAct, "[value=approve]")
	if s := f.text(`SELECT state FROM drawdowns WHERE id = ?`, draw); s != "approved" {
		t.Fatalf("draw-down %s after the approval", s)
	}
	trail("the approval", "drawdown_approved")
	lead.submitOK(drawAct+"/zahlung", "")
	if n := f.count(`SELECT count(*) FROM drawdowns WHERE id = ? AND state = 'paid' AND paid_at IS NOT NULL`, draw); n != 1 {
		t.Fatal("the payment was not recorded")
	}
	trail("the payment", "drawdown_paid")

	// The administrator submits the first year's Verwendungsnachweis with a PDF.
	admin.openOK(orgBase)
	admin.wantText("Ausgezahlt insgesamt: 4.756,16 €", "Verwendungsnachweis einreichen")
	admin.fill(orgBase+"/nachweise", map[string]string{"year": "1", "report": "Case Management für 42 Familien aufgebaut; die zweite Stelle ist ausgeschrieben.",
		"personnel_L1/1": "4.000,00", "personnel_L1/2": "0", "other": "256,16", "received": "4.756,16"})
	receipts := writeTinyPDF(t, t.TempDir(), "Belege.pdf", "Belege zum Verwendungsnachweis")
	admin.choose("f-datei", receipts)
	admin.submitOK(orgBase+"/nachweise", "")
	admin.wantText("Eingegangen am", "verwendet 4.256,16 €", "Prüfung ausstehend")
	admin.pictures("weiterleitung-traeger")
	proof := f.count(`SELECT id FROM proofs WHERE year_no = 1 AND file_id IS NOT NULL AND result IS NULL AND`+ofCall, f.callID)
	if n := f.count(`SELECT count(*) FROM proofs WHERE`+ofCall, f.callID); n != 1 || proof == 0 {
		t.Fatalf("%d proofs, want the first year's with its PDF", n)
	}
	trail("the proof", "proof_submitted")

	// The lead reads the receipts and checks the proof: 4.756,16 € paid, 4.256,16 € used.
	lead.openOK(leadBase)
	lead.wantText("Case Management für 42 Familien", "Rückforderung, falls anerkannt: 500,00 €")
	lead.pictures("weiterleitung-leitung")
	belege := fmt.Sprintf("%s/nachweise/%d/belege.pdf", leadBase, proof)
	if len(lead.links(belege)) != 1 {
		t.Fatalf("the lead's page does not link the receipts %s", belege)
	}
	if got, err := os.ReadFile(receipts); err != nil || string(lead.download(belege)) != string(got) {
		t.Errorf("the lead's receipts differ from the uploaded PDF (%v)", err)
	}
	check := fmt.Sprintf("%s/nachweise/%d", leadBase, proof)
	lead.fill(check, map[string]string{"result": "rueckforderung", "reason": "Minderausgaben, weil die zweite Stelle unbesetzt war."})
	lead.submitOK(check, "")
	if n := f.count(`SELECT count(*) FROM proofs WHERE id = ? AND result = 'rueckforderung' AND repayment_cents = 50000`, proof); n != 1 {
		t.Fatal("the check with a repayment of 500,00 € was not recorded")
	}
	trail("the check", "proof_checked")
	admin.openOK(orgBase)
	admin.wantText("Anerkannt mit Rückforderung: zurückzuzahlen 500,00 €", "Minderausgaben, weil die zweite Stelle unbesetzt war.")
	if n := f.count(`SELECT count(*) FROM inbox_messages WHERE org_id = ? AND kind = 'forwarding'`, org); n != 4 {
		t.Errorf("%d forwarding messages in the Postfach, want 4: the contract, the approval, the payment and the check", n)
	}
}
