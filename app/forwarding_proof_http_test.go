package app_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"kimibv/models/core"
	"kimibv/models/dbtest"
	"kimibv/models/demo"
	"kimibv/models/forwarding"
	"kimibv/models/ocdstest"
)

// proofParts is a Verwendungsnachweis form for the first Förderjahr; file nil sends none.
func proofParts(personnel, other, received string, file []byte) []uploadPart {
	parts := []uploadPart{{Name: "year", Value: "1"}, {Name: "report", Value: "Case Management für 42 Familien aufgebaut."},
		{Name: "personnel_L1/1", Value: personnel}, {Name: "other", Value: other}, {Name: "received", Value: received}}
	if file != nil {
		parts = append(parts, uploadPart{Name: "datei", FileName: "Belege.pdf", File: file})
	}
	return parts
}

// TestVerwendungsnachweisFromSubmissionToCheck: the provider's administrator cannot submit
// a proof before accepting the contract; a member, another provider and the public cannot
// submit; invalid numbers and NUL bytes are refused with German messages and change
// nothing; the proof with its PDF is received at the database's time, a second one for the
// year is refused; the lead cannot accept plainly what used less than was paid, records the
// acceptance with repayment (500,00 €) and the provider gets it in its Postfach; the award
// record and the OCDS release say the year's proof was accepted, without amounts; the
// reminder job sends each reminder once.
func TestVerwendungsnachweisFromSubmissionToCheck(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	p := dbtest.SeedProcedure(t, ta.store.DB, dbtest.ProcedureSpec{Seq: 62, Bids: 3, Criteria: 2, Evaluators: 2, Final: true})
	mine, other := p.OrgIDs[0], p.OrgIDs[1]
	admin := forwardingUser(t, ta, "vn-admin@traeger.example", mine, "org_admin")
	member := forwardingUser(t, ta, "vn-member@traeger.example", mine, "org_member")
	stranger := forwardingUser(t, ta, "vn-other@traeger.example", other, "org_admin")
	lead := ta.client()
	lead.login("leitung@musterland.example", demo.Password)

	leadBase := fmt.Sprintf("/verwaltung/musterland/verfahren/%d/weiterleitung", p.CallID)
	orgBase := fmt.Sprintf("/traeger/%d/weiterleitung/%d", mine, p.CallID)
	lead.postConfirmed(leadBase+fmt.Sprintf("/traeger/%d", mine), nil).wantStatus(t, 303)
	lead.postConfirmed(leadBase+fmt.Sprintf("/traeger/%d", other), nil).wantStatus(t, 303)
	member.post(orgBase+"/stellen", url.Values{"post": {"L1/1"}, "state": {"filled"}, "fte": {"1,00"}, "start": {"2027-01-15"}, "qualified": {"1"}}).wantStatus(t, 303)

	const ofCall = ` contract_id IN (SELECT id FROM forwarding_contracts WHERE call_id = ?)`
	proofs := func() int64 { return ta.count(`SELECT count(*) FROM proofs WHERE`+ofCall, p.CallID) }
	files := func() int64 { return ta.count(`SELECT count(*) FROM files`) }
	filesBefore := files()
	good := proofParts("4.000,00", "256,16", "4.756,16", testPDF(2000))

	// Before the acceptance: refused, nothing stored; the page says when it becomes possible.
	admin.upload(orgBase+"/nachweise", true, good...).wantStatus(t, 409).wantContains(t, "angenommen")
	admin.get(orgBase).wantStatus(t, 200).wantContains(t, "Verwendungsnachweise", "nach der Annahme des Vertrags einreichen")
	admin.postConfirmed(orgBase+"/annahme", url.Values{"name": {"Anna Admin"}}).wantStatus(t, 303)
	admin.post(orgBase+"/abrufe", url.Values{"period_from": {"2027-02-01"}, "period_to": {"2027-02-28"}, "amount": {"4.756,16"}}).wantStatus(t, 303)
	draw := ta.count(`SELECT id FROM drawdowns WHERE`+ofCall, p.CallID)
	lead.post(fmt.Sprintf("%s/abrufe/%d", leadBase, draw), url.Values{"decision": {"approve"}}).wantStatus(t, 303)
	lead.post(fmt.Sprintf("%s/abrufe/%d/zahlung", leadBase, draw), nil).wantStatus(t, 303)

	// Refused: a member, another provider, the public, invalid numbers, NUL bytes.
	admin.get(orgBase).wantStatus(t, 200).wantContains(t, "Verwendungsnachweis einreichen", "Personalkosten Nord, Stelle 1 in Euro", "Noch nicht eingereicht")
	member.upload(orgBase+"/nachweise", true, good...).wantStatus(t, 403)
	stranger.upload(orgBase+"/nachweise", true, good...).wantStatus(t, 404)
	stranger.upload(fmt.Sprintf("/traeger/%d/weiterleitung/%d/nachweise", other, p.CallID), true, good...).wantStatus(t, 409)
	ta.client().upload(orgBase+"/nachweise", false, good...).wantStatus(t, 403)
	admin.upload(orgBase+"/nachweise", true, proofParts("4.000,005", "-1", "viel", nil)...).wantStatus(t, 422).
		wantContains(t, "Personalkosten Nord, Stelle 1:", "Sonstige Kosten:", "Erhaltene Mittel:")
	bad := proofParts("4.000,00", "0", "4.756,16", nil)
	bad[1].Value = "Bericht\x00"
	admin.upload(orgBase+"/nachweise", true, bad...).wantStatus(t, 400)
	admin.upload(orgBase+"/nachweise", true, proofParts("4.000,00", "0", "4.756,16", []byte("kein PDF"))...).wantStatus(t, 422).wantContains(t, "PDF")
	noYear := proofParts("4.000,00", "0", "4.756,16", nil)
	noYear[0].Value = "9"
	admin.upload(orgBase+"/nachweise", true, noYear...).wantStatus(t, 422).wantContains(t, "Förderjahr des Vertrags")
	if proofs() != 0 || files() != filesBefore {
		t.Fatalf("refused proofs stored %d proofs and %d files", proofs(), files()-filesBefore)
	}

	// Submitted: receipt time from the database clock; a second one for the year is refused.
	admin.upload(orgBase+"/nachweise", true, good...).wantStatus(t, 303)
	admin.upload(orgBase+"/nachweise", true, good...).wantStatus(t, 409).wantContains(t, "bereits ein Verwendungsnachweis")
	var got struct {
		Fresh  bool
		FileID *int64
	}
	ta.store.DB.Raw(`SELECT submitted_at > now() - interval '1 minute' AND submitted_at <= now() AS fresh, file_id FROM proofs WHERE`+ofCall, p.CallID).Scan(&got)
	if proofs() != 1 || !got.Fresh || got.FileID == nil {
		t.Fatalf("after the submission: %d proofs, %+v", proofs(), got)
	}
	admin.get(orgBase).wantStatus(t, 200).wantContains(t, "Eingegangen am", "verwendet 4.256,16 €", "Prüfung ausstehend")
	id := ta.count(`SELECT id FROM proofs WHERE`+ofCall, p.CallID)

	// The lead's check: 4.756,16 paid, 4.256,16 used → 500,00 to repay.
	lead.get(leadBase).wantStatus(t, 200).wantContains(t, "Case Management für 42 Familien", "Rückforderung, falls anerkannt: 500,00 €", "Prüfung festhalten")
	stranger.post(fmt.Sprintf("%s/nachweise/%d", leadBase, id), url.Values{"result": {"anerkannt"}, "reason": {"x"}}).wantStatus(t, 404)
	if pdf := lead.get(fmt.Sprintf("%s/nachweise/%d/belege.pdf", leadBase, id)).wantStatus(t, 200); pdf.Body != string(testPDF(2000)) {
		t.Error("the lead got another file than the provider uploaded")
	}
	for _, c := range []*client{admin, stranger} {
		c.get(fmt.Sprintf("%s/nachweise/%d/belege.pdf", leadBase, id)).wantStatus(t, 404)
	}
	lead.post(fmt.Sprintf("%s/nachweise/%d", leadBase, id), url.Values{"result": {"anerkannt"}, "reason": {"Belege vollständig."}}).wantStatus(t, 422).
		wantContains(t, "500,00 € weniger verwendet als ausgezahlt")
	lead.post(fmt.Sprintf("%s/nachweise/%d", leadBase, id), url.Values{"result": {"rueckforderung"}, "reason": {""}}).wantStatus(t, 422).
		wantContains(t, "Bitte begründen Sie")
	lead.post(fmt.Sprintf("/verwaltung/musterland/verfahren/999999/weiterleitung/nachweise/%d", id), url.Values{"result": {"rueckforderung"}, "reason": {"x"}}).wantStatus(t, 404)
	if n := ta.count(`SELECT count(*) FROM proofs WHERE result IS NOT NULL AND`+ofCall, p.CallID); n != 0 {
		t.Fatal("a refused check was stored")
	}
	lead.post(fmt.Sprintf("%s/nachweise/%d", leadBase, id), url.Values{"result": {"rueckforderung"}, "reason": {"Minderausgaben im Februar."}}).wantStatus(t, 303)
	lead.post(fmt.Sprintf("%s/nachweise/%d", leadBase, id), url.Values{"result": {"anerkannt"}, "reason": {"x"}}).wantStatus(t, 409)
	if n := ta.count(`SELECT repayment_cents FROM proofs WHERE result = 'rueckforderung' AND`+ofCall, p.CallID); n != 500_00 {
		t.Fatalf("repayment %d cents, want 50000", n)
	}
	admin.get(orgBase).wantStatus(t, 200).wantContains(t, "Anerkannt mit Rückforderung: zurückzuzahlen 500,00 €", "Minderausgaben im Februar.")
	if n := ta.count(`SELECT count(*) FROM inbox_messages WHERE org_id = ? AND kind = 'forwarding'`, mine); n < 4 {
		t.Errorf("%d forwarding messages in the Postfach, want the contract, approval, payment and the check", n)
	}

	// Open: accepted, no amounts, no people; the OCDS milestone is met.
	rec := ta.client().get("/vergaben/"+p.Ref).wantStatus(t, 200).wantContains(t, "Verwendungsnachweise je Träger und Förderjahr", ", anerkannt", "nicht eingegangen")
	ocds := ta.client().get(fmt.Sprintf("/ocds/%d/releases.json", p.CallID)).wantStatus(t, 200)
	ocdstest.Load(t).Package(t, "contracts", []byte(ocds.Body))
	ocds.wantContains(t, `"status": "met"`, `"dateMet"`, fmt.Sprintf("-proof-%d-accepted", id))
	for _, s := range []string{"500,00", "4.256,16", "Minderausgaben", "Case Management für 42", "vn-admin@"} {
		if strings.Contains(rec.Body, s) || strings.Contains(ocds.Body, s) {
			t.Errorf("award record or OCDS shows %q", s)
		}
	}
	for _, action := range []string{"forwarding.proof_submitted", "forwarding.proof_checked"} {
		if ta.count(`SELECT count(*) FROM audit_log WHERE action = ? AND object_id IN (SELECT id::text FROM proofs WHERE`+ofCall+`)`, action, p.CallID) != 1 {
			t.Errorf("want one %s in the trail", action)
		}
	}

	// Reminders: year 2 (01.09.2027–31.08.2028) is due at the start of 01.03.2029; the
	// provider's accepted contract gets the reminder four weeks before once, and the one a
	// week after once; the other provider has not accepted and gets none.
	remind := func(at time.Time) int {
		if _, err := forwarding.SendProofReminders(context.Background(), ta.store.DB, at); err != nil {
			t.Fatal(err)
		}
		return int(ta.count(`SELECT count(*) FROM proof_reminders WHERE`+ofCall, p.CallID))
	}
	before := time.Date(2029, 2, 1, 0, 0, 0, 0, core.Berlin())
	after := time.Date(2029, 3, 8, 0, 0, 0, 0, core.Berlin())
	msgs := func(org int64) int64 {
		return ta.count(`SELECT count(*) FROM inbox_messages WHERE org_id = ? AND kind = 'forwarding'`, org)
	}
	mails := func() int64 { return ta.count(`SELECT count(*) FROM outbox WHERE kind = 'forwarding'`) }
	mineBefore, otherBefore, mailsBefore := msgs(mine), msgs(other), mails()
	if n := remind(before.Add(-time.Hour)); n != 0 {
		t.Fatalf("%d reminders before the reminder's day", n)
	}
	if a, b := remind(before), remind(before.Add(time.Hour)); a != 1 || b != 1 {
		t.Fatalf("reminders before the deadline: %d then %d, want 1 and still 1", a, b)
	}
	if a, b := remind(after), remind(after); a != 2 || b != 2 {
		t.Fatalf("reminders after the deadline: %d then %d, want 2 and still 2", a, b)
	}
	if n := msgs(mine) - mineBefore; n != 2 {
		t.Errorf("%d reminder messages in the Postfach, want 2", n)
	}
	if mails() <= mailsBefore {
		t.Error("no reminder mail queued")
	}
	if n := msgs(other) - otherBefore; n != 0 {
		t.Errorf("the provider that has not accepted got %d reminders", n)
	}
	admin.get(fmt.Sprintf("/traeger/%d/postfach", mine)).wantStatus(t, 200).wantContains(t, "Verwendungsnachweis überfällig", "Erinnerung Verwendungsnachweis")
}
