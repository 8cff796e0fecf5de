package app_test

import (
	"context"
	"fmt"
	"net/url"
	"testing"
	"time"

	"kimibv/models/accounts"
	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/models/dbtest"
	"kimibv/models/decision"
	"kimibv/models/evaluation"
	"kimibv/models/rules"
)

// remedyReason is a reason of its own for a return to a step.
const remedyReason = "Die Rüge der AWO trifft zu: In diesem Schritt wurde eine überholte Fassung des Konzepts zugrunde gelegt."

// consolidate sets every criterion of the AWO bid to score and closes the consolidation.
func (e *consolidationEnv) consolidate(t *testing.T, score string) {
	t.Helper()
	ctx, db := context.Background(), e.ta.store.DB
	in := evaluation.ConsolidationInput{CallID: e.callID, BidID: e.bidID, Scores: map[string]string{}, Reasons: map[string]string{}}
	for _, cr := range e.cc.Criteria {
		in.Scores[cr.Key], in.Reasons[cr.Key] = score, "Zu "+cr.Name+" sind Ziele, Maßnahmen und Zuständigkeiten nachvollziehbar beschrieben."
	}
	if err := evaluation.SetConsolidatedScores(ctx, db, evaluation.EvaluationSource{}, e.actors["leitung"], in, e.now); err != nil {
		t.Fatal(err)
	}
	if _, err := evaluation.CloseConsolidation(ctx, db, evaluation.EvaluationSource{}, e.actors["leitung"], evaluation.CloseInput{CallID: e.callID}, e.now, dbtest.FakeDocuments{}); err != nil {
		t.Fatal(err)
	}
}

// admit admits the AWO bid in the formal check.
func (e *consolidationEnv) admit(t *testing.T) {
	t.Helper()
	met := map[string]rules.ItemAssessment{}
	for i := range e.cc.Eligibility {
		met[fmt.Sprintf("E%d", i+1)] = rules.ItemAssessment{Met: true}
	}
	for _, d := range e.cc.RequiredDocs {
		met[d.Key] = rules.ItemAssessment{Met: true}
	}
	if err := evaluation.SaveFormalCheck(context.Background(), e.ta.store.DB, e.actors["leitung"], core.CallScope{Tenant: e.tenant, Call: e.callID}, e.bidID,
		evaluation.FormalInput{Items: met, Decision: rules.DecideAdmit}, e.now); err != nil {
		t.Fatal(err)
	}
}

// noticeAndUphold issues the notices a day later, lets the AWO object and upholds it.
func (e *consolidationEnv) noticeAndUphold(t *testing.T) {
	t.Helper()
	ctx, db := context.Background(), e.ta.store.DB
	e.now = e.now.Add(24 * time.Hour)
	if err := decision.IssueNotices(ctx, db, e.actors["leitung"], dbtest.FakeDocuments{}, e.callID, e.now); err != nil {
		t.Fatal(err)
	}
	awo, err := accounts.LoadActor(ctx, db, e.ta.count(`SELECT id FROM users WHERE email = 'awo@traeger.example'`))
	if err != nil {
		t.Fatal(err)
	}
	notice := e.ta.count(`SELECT id FROM notices WHERE call_id = ? AND org_id = ?`, e.callID, e.awoOrg)
	obj, err := decision.LodgeObjection(ctx, db, awo, e.awoOrg, notice, "Die Bewertung beruht auf einer überholten Fassung unseres Konzepts.", e.now)
	if err != nil {
		t.Fatal(err)
	}
	if err := decision.AnswerObjection(ctx, db, e.actors["leitung"], decision.ObjectionAnswer{CallID: e.callID, ObjectionID: obj,
		Answer: "Der Rüge wird abgeholfen.", Outcome: decision.ObjectionUpheld}, e.now); err != nil {
		t.Fatal(err)
	}
}

// returnTo returns the procedure to step through HTTP (with its confirmation) and
// returns the remedy's id.
func (e *consolidationEnv) returnTo(t *testing.T, step rules.RemedyStep) int64 {
	t.Helper()
	e.as(t, "leitung").postConfirmed(e.base+"/entscheidung/rueckverweisung", url.Values{"step": {string(step)}, "reason": {remedyReason + " (" + step.Label() + ")"}}).
		wantStatus(t, 303)
	return e.ta.count(`SELECT max(id) FROM remedies WHERE call_id = ?`, e.callID)
}

// currentStep asserts that the lead's page of the call shows step n (label) as the current one.
func (e *consolidationEnv) currentStep(t *testing.T, s rules.ProcedureStep) {
	t.Helper()
	e.as(t, "leitung").get(e.base).wantStatus(t, 200).
		wantContains(t, fmt.Sprintf(`aria-current="step"><span class="stepper__number" aria-hidden="true">%d</span> %s`, int(s)+1, s.Label()))
}

func TestRemedyIsRefusedToOthersAndForBadInputHTTP(t *testing.T) {
	t.Parallel()
	e := newDecisionEnv(t)
	e.decideAsTheResult(t)
	ta, lead, page := e.ta, e.as(t, "leitung"), e.base+"/entscheidung/rueckverweisung"
	ok := url.Values{"step": {"scoring"}, "reason": {remedyReason}}
	remedies := func() int64 { return ta.count(`SELECT count(*) FROM remedies`) }
	// Decided, notices not sent: refused.
	lead.post(page, ok).wantStatus(t, 409).wantContains(t, "Zurückverweisen können Sie erst")
	lead.get(page).wantStatus(t, 200).wantContains(t, "Derzeit nicht möglich").wantLacks(t, `name="reason"`)
	lead.get(e.base+"/entscheidung").wantStatus(t, 200).wantLacks(t, `href="`+page+`"`)
	e.noticeAndUphold(t)
	lead.get(e.base+"/entscheidung").wantStatus(t, 200).wantContains(t, `href="`+page+`"`)
	lead.get(page).wantStatus(t, 200).wantContains(t, "Zurück an den Schritt", "Begründung der Rückverweisung")
	// Other roles and another Kreis: 404.
	for _, who := range []string{"gremium1", "oeffnung1", "awo", "beispielhausen"} {
		e.as(t, who).get(page).wantStatus(t, 404)
		e.as(t, who).post(page, ok).wantStatus(t, 404)
	}
	e.as(t, "beispielhausen").post(fmt.Sprintf("/verwaltung/beispielhausen/verfahren/%d/entscheidung/rueckverweisung", e.callID), ok).wantStatus(t, 404)
	// Bad input: 422 in German, nothing changes.
	lead.post(page, url.Values{"step": {"opening"}, "reason": {remedyReason}}).wantStatus(t, 422).wantContains(t, "Bitte wählen Sie den Schritt")
	lead.post(page, url.Values{"step": {"scoring"}, "reason": {"s. o."}}).wantStatus(t, 422).wantContains(t, "in ganzen Sätzen")
	lead.post(page, url.Values{"step": {"scoring"}}).wantStatus(t, 422).wantContains(t, "Bitte geben Sie die Begründung der Rückverweisung an.")
	lead.post(page, url.Values{"step": {"scoring"}, "reason": {"Fehler\x00 in der Bewertung des Konzepts"}}).wantStatus(t, 400).wantContains(t, "ungültige Zeichen")
	// Without confirmation: the confirmation page; a forged confirmation: 422.
	lead.post(page, ok).wantStatus(t, 200).wantContains(t, "Verfahren zurückverweisen", "Endgültig zurückverweisen", "Bewertung")
	forged := url.Values{"step": {"scoring"}, "reason": {remedyReason}, "bestaetigung": {"erfunden"}}
	lead.post(page, forged).wantStatus(t, 422)
	if remedies() != 0 || ta.count(`SELECT count(*) FROM score_sheets_all WHERE superseded_by <> 0`) != 0 {
		t.Fatal("a refused return changed something")
	}
	// Confirmed: one remedy; a double submit is refused and changes nothing more.
	lead.postConfirmed(page, ok).wantStatus(t, 303)
	lead.postConfirmed(page, ok).wantStatus(t, 409)
	if remedies() != 1 || ta.count(`SELECT count(*) FROM audit_log WHERE chain = ? AND action = 'remedy.returned'`, audit.CallChain(e.callID)) != 1 {
		t.Fatal("not exactly one remedy and one audit entry")
	}
	if n := ta.count(`SELECT count(*) FROM inbox_messages WHERE call_id = ? AND kind = 'remedy' AND org_id = ?`, e.callID, e.awoOrg); n != 1 {
		t.Fatalf("%d remedy messages to the AWO", n)
	}
	// The AWO still reads its superseded notice and PDF, marked as superseded, without the objection form.
	notice := ta.count(`SELECT id FROM notices_all WHERE call_id = ? AND org_id = ?`, e.callID, e.awoOrg)
	nPath := fmt.Sprintf("/traeger/%d/mitteilungen/%d", e.awoOrg, notice)
	e.as(t, "awo").get(fmt.Sprintf("/traeger/%d/mitteilungen", e.awoOrg)).wantStatus(t, 200).wantContains(t, nPath, "ersetzt")
	e.as(t, "awo").get(nPath).wantStatus(t, 200).wantContains(t, "Diese Mitteilung ist ersetzt", "Der Rüge wird abgeholfen.").wantLacks(t, "Rüge erheben")
	e.as(t, "awo").get(nPath+"/mitteilung.pdf").wantStatus(t, 200)
	e.as(t, "caritas").get(nPath).wantStatus(t, 404)
	e.as(t, "awo").post(nPath+"/ruege", url.Values{"reason": {"Eine weitere Rüge gegen die ersetzte Entscheidung."}}).wantStatus(t, 404)
	// The lead's page shows the procedure back at the scoring.
	e.currentStep(t, rules.StepScoring)
}

// TestRemedyReturnsToEachStepAndTheRedoneResultCounts walks one procedure through four
// remedies — to the decision, the consolidation, the scoring and the formal check — and
// redoes the steps each time: the redone step's rows count, the old ones are kept, marked
// superseded, and the award record shows every result in order.
func TestRemedyReturnsToEachStepAndTheRedoneResultCounts(t *testing.T) {
	t.Parallel()
	e := newDecisionEnv(t)
	ta := e.ta
	e.decideAsTheResult(t)
	e.noticeAndUphold(t)
	standstill := func(superseded int64) string {
		var s string
		ta.store.DB.Raw(`SELECT standstill_ends_at::text FROM decisions_all WHERE call_id = ? AND superseded_by = ?`, e.callID, superseded).Scan(&s)
		return s
	}
	kept := func(table string, remedy int64) int64 {
		return ta.count(`SELECT count(*) FROM `+table+`_all WHERE call_id = ? AND superseded_by = ?`, e.callID, remedy)
	}
	current := func(table string) int64 {
		return ta.count(`SELECT count(*) FROM `+table+` WHERE call_id = ?`, e.callID)
	}

	// 1. Back to the decision: decision, notices and objections superseded; result kept.
	firstEnd := standstill(0)
	r1 := e.returnTo(t, rules.RemedyDecision)
	e.currentStep(t, rules.StepDecision)
	if kept("decisions", r1) != 1 || kept("notices", r1) != 1 || kept("objections", r1) != 1 || current("decisions") != 0 || current("notices") != 0 {
		t.Fatal("decision round not superseded")
	}
	if kept("call_results", r1) != 0 || current("call_results") != 1 {
		t.Fatal("the result before the decision was superseded")
	}
	e.decideAsTheResult(t)
	e.noticeAndUphold(t)
	if current("notices") != 1 || kept("notices", r1) != 1 || standstill(0) <= firstEnd || standstill(r1) != firstEnd {
		t.Fatalf("new notices and standstill: current end %s, superseded %s (was %s)", standstill(0), standstill(r1), firstEnd)
	}

	// 2. Back to the consolidation: the redone consolidation (4 points) counts.
	r2 := e.returnTo(t, rules.RemedyConsolidation)
	e.currentStep(t, rules.StepConsolidation)
	if kept("call_results", r2) != 1 || kept("result_rows", r2) != 1 || kept("consolidated_scores", r2) == 0 || current("consolidated_scores") != 0 {
		t.Fatal("consolidation not superseded")
	}
	e.consolidate(t, "4")
	if n := ta.count(`SELECT count(*) FROM consolidated_scores WHERE call_id = ? AND score <> 4`, e.callID); n != 0 || current("consolidated_scores") == 0 {
		t.Fatal("the redone consolidation does not count")
	}
	if n := ta.count(`SELECT count(*) FROM consolidated_scores_all WHERE call_id = ? AND superseded_by = ? AND score <> 3`, e.callID, r2); n != 0 {
		t.Fatal("the superseded consolidation changed")
	}
	e.decideAsTheResult(t)
	e.noticeAndUphold(t)

	// 3. Back to the scoring: every sheet superseded; the committee rescores.
	r3 := e.returnTo(t, rules.RemedyScoring)
	e.currentStep(t, rules.StepScoring)
	if kept("score_sheets", r3) != 3 || current("score_sheets") != 0 {
		t.Fatal("sheets not superseded")
	}
	e.sheet(t, "gremium1", 3)
	e.sheet(t, "gremium2", 3)
	e.sheet(t, "gremium3", 3)
	var g1 []int
	ta.store.DB.Raw(`SELECT sc.score FROM scores sc JOIN score_sheets s ON s.id = sc.sheet_id JOIN users u ON u.id = s.evaluator_id
		WHERE s.call_id = ? AND u.email = 'gremium1@musterland.example'`, e.callID).Scan(&g1)
	if len(g1) == 0 || g1[0] != 3 {
		t.Fatalf("gremium1's redone sheet does not count: %v", g1)
	}
	e.consolidate(t, "3")
	e.decideAsTheResult(t)
	e.noticeAndUphold(t)

	// 4. Back to the formal check: the check is redone, then everything after it.
	r4 := e.returnTo(t, rules.RemedyFormalCheck)
	e.currentStep(t, rules.StepFormalCheck)
	if kept("formal_checks", r4) != 1 || current("formal_checks") != 0 || kept("score_sheets", r4) != 3 {
		t.Fatal("formal check not superseded")
	}
	e.admit(t)
	e.currentStep(t, rules.StepScoring)
	for _, g := range []string{"gremium1", "gremium2", "gremium3"} {
		e.sheet(t, g, 3)
	}
	e.consolidate(t, "3")
	e.decideAsTheResult(t)
	e.now = e.now.Add(24 * time.Hour)
	if err := decision.IssueNotices(context.Background(), ta.store.DB, e.actors["leitung"], dbtest.FakeDocuments{}, e.callID, e.now); err != nil {
		t.Fatal(err)
	}
	if ta.count(`SELECT count(*) FROM formal_checks_all WHERE bid_id = ?`, e.bidID) != 2 || ta.count(`SELECT count(*) FROM notices_all WHERE call_id = ?`, e.callID) != 5 {
		t.Fatal("kept rows missing")
	}
	// Superseded rows never change and are never deleted.
	for _, q := range []string{`UPDATE decisions_all SET resolution_number = 'X' WHERE superseded_by = ` + fmt.Sprint(r1),
		`DELETE FROM notices_all WHERE superseded_by = ` + fmt.Sprint(r1), `UPDATE score_sheets_all SET superseded_by = 0 WHERE superseded_by = ` + fmt.Sprint(r3)} {
		if err := ta.store.DB.Exec(q).Error; err == nil {
			t.Fatalf("%s was allowed", q)
		}
	}

	// The award record: four superseded results, each with its remedy's reason, then the one that counts.
	rec := ta.client().get(fmt.Sprintf("/vergaben/%d", e.callID)).wantStatus(t, 200).
		wantContains(t, "Ergebnis 1 – ersetzt", "Ergebnis 4 – ersetzt", "Ergebnis 5 – geltend", remedyReason+" (Entscheidung)", remedyReason+" (Formale Prüfung)",
			"an den Schritt „Konsolidierung“ zurückverwiesen", "Nach abgeholfener Rüge an einen Verfahrensschritt zurückverwiesen")
	if i1, i5 := indexOf(rec.Body, "Ergebnis 1 – ersetzt"), indexOf(rec.Body, "Ergebnis 5 – geltend"); i1 > i5 {
		t.Fatal("the superseded result is not shown before the one that counts")
	}
}

// indexOf is strings.Index, named for the assertions above.
func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}
