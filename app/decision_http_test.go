package app_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"kimibv/models/audit"
	"kimibv/models/dbtest"
	"kimibv/models/decision"
	"kimibv/models/demo"
	"kimibv/models/evaluation"
	"kimibv/models/rules"
)

// newDecisionEnv is the consolidation environment with every sheet in, the AWO bid
// consolidated at the evaluators' mean and the consolidation closed.
func newDecisionEnv(t *testing.T) *consolidationEnv {
	e := newConsolidationEnv(t)
	e.sheet(t, "gremium3", 3)
	ctx, db := context.Background(), e.ta.store.DB
	in := evaluation.ConsolidationInput{CallID: e.callID, BidID: e.bidID, Scores: map[string]string{}, Reasons: map[string]string{}}
	for _, cr := range e.cc.Criteria {
		in.Scores[cr.Key], in.Reasons[cr.Key] = "3", "Zu "+cr.Name+" sind Ziele, Maßnahmen und Zuständigkeiten nachvollziehbar beschrieben."
	}
	if err := evaluation.SetConsolidatedScores(ctx, db, evaluation.EvaluationSource{}, e.actors["leitung"], in, e.now); err != nil {
		t.Fatal(err)
	}
	if _, err := evaluation.CloseConsolidation(ctx, db, evaluation.EvaluationSource{}, e.actors["leitung"], evaluation.CloseInput{CallID: e.callID}, e.now, dbtest.FakeDocuments{}); err != nil {
		t.Fatal(err)
	}
	return e
}

// allocatedLot returns a lot key the result gave the AWO bid.
func allocatedLot(t *testing.T, e *consolidationEnv) string {
	var key string
	e.ta.store.DB.Raw(`SELECT k FROM result_rows, jsonb_object_keys(allocation) k WHERE bid_id = ? ORDER BY k LIMIT 1`, e.bidID).Scan(&key)
	if key == "" {
		t.Fatal("the result allocated nothing to the AWO bid")
	}
	return key
}

func TestDecisionNoticesObjectionsHTTP(t *testing.T) {
	t.Parallel()
	e := newDecisionEnv(t)
	ta, lead := e.ta, e.as(t, "leitung")
	page := e.base + "/entscheidung"
	decisions := func() int64 { return ta.count(`SELECT count(*) FROM decisions WHERE call_id = ?`, e.callID) }
	state := func() string {
		var s string
		ta.store.DB.Raw(`SELECT state FROM calls WHERE id = ?`, e.callID).Scan(&s)
		return s
	}
	lot := allocatedLot(t, e)
	field := rules.FTEField(e.bidID, lot)

	lead.get(page).wantStatus(t, 200).wantContains(t, "Vorschlag aus dem Ergebnis vorbereiten", "Arbeiterwohlfahrt")
	lead.get(page+"/vorschlag").wantStatus(t, 200).wantContains(t, `name="`+field+`"`)
	// Other Kreis, other roles: 404.
	e.as(t, "beispielhausen").get(fmt.Sprintf("/verwaltung/beispielhausen/verfahren/%d/entscheidung", e.callID)).wantStatus(t, 404)
	e.as(t, "beispielhausen").get(page).wantStatus(t, 404)
	e.as(t, "gremium1").get(page).wantStatus(t, 404)
	e.as(t, "beispielhausen").post(fmt.Sprintf("/verwaltung/beispielhausen/verfahren/%d/entscheidung/vorschlag", e.callID),
		url.Values{"justification": {"x"}}).wantStatus(t, 404)

	// Bad proposals: 422 in German, nothing stored.
	lead.post(page+"/vorschlag", url.Values{field: {"2,00"}}).wantStatus(t, 422).wantContains(t, "Bitte geben Sie die Begründung der Auswahl an.")
	lead.post(page+"/vorschlag", url.Values{field: {"0"}, "justification": {"Auswahl"}}).wantStatus(t, 422).
		wantContains(t, "Die Auswahl weicht vom Ergebnis der Bewertung ab. Bitte begründen Sie die Abweichung.", `href="#f-deviation_reason"`)
	lead.post(page+"/vorschlag", url.Values{field: {"zwei"}, "justification": {"Auswahl"}}).wantStatus(t, 422).wantContains(t, `href="#f-`+field+`"`)
	if decisions() != 0 {
		t.Fatal("a refused proposal was stored")
	}
	// The result's allocation without deviation.
	var alloc []struct{ Key, Value string }
	ta.store.DB.Raw(`SELECT key, value FROM result_rows, jsonb_each_text(allocation) WHERE bid_id = ?`, e.bidID).Scan(&alloc)
	ok := url.Values{"justification": {"Einzige zugelassene Interessenbekundung."}}
	for _, a := range alloc {
		ok.Set(rules.FTEField(e.bidID, a.Key), strings.Replace(a.Value, ".", ",", 1))
	}
	lead.post(page+"/vorschlag", ok).wantStatus(t, 303)
	if decisions() != 1 {
		t.Fatal("proposal not stored")
	}

	// Record: bad inputs 422, nothing changes; then recorded, Vergabevermerk issued.
	today := rules.NewDate(ta.clock.Now()).German()
	rec := url.Values{"body": {"kreistag"}, "decided_on": {today}, "resolution_number": {"KT/0815/2026"}, "vote_result": {"einstimmig"}, "council_url": {"ftp://rats.example/1"}}
	lead.post(page+"/beschluss", rec).wantStatus(t, 422).wantContains(t, "mit http:// oder https://")
	// An address without its scheme reaches the server (a text field; a browser would have
	// refused a url field's value with its own English message) and comes back with the
	// German message at the field, the value kept.
	rec.Set("council_url", "ratsinfo.musterland.example/vo0050.asp")
	lead.post(page+"/beschluss", rec).wantStatus(t, 422).wantContains(t,
		"Bitte geben Sie eine vollständige Adresse mit http:// oder https:// an (Ratsinformationssystem oder OParl).",
		`name="council_url" type="text" value="ratsinfo.musterland.example/vo0050.asp" inputmode="url"`).wantLacks(t, `type="url"`)
	bad := url.Values{"body": {"landrat"}, "decided_on": {"31.02.2026"}}
	lead.post(page+"/beschluss", bad).wantStatus(t, 422).wantContains(t, "Bitte wählen Sie das entscheidende Gremium.", "Den 31.02.2026 gibt es nicht.", "Beschluss- oder Vorlagennummer")
	if state() != "opened" || ta.count(`SELECT count(*) FROM decisions WHERE call_id = ? AND recorded_at IS NOT NULL`, e.callID) != 0 {
		t.Fatal("refused record changed something")
	}
	rec.Set("council_url", "https://ratsinfo.musterland.example/vo0050.asp?__kvonr=815")
	lead.postConfirmed(page+"/beschluss", rec).wantStatus(t, 303)
	if state() != "decided" {
		t.Fatalf("state %s after record", state())
	}
	lead.post(page+"/beschluss", rec).wantStatus(t, 409)
	lead.post(page+"/vorschlag", url.Values{field: {"1"}, "justification": {"neu"}}).wantStatus(t, 409)
	pdf := lead.get(page+"/vergabevermerk.pdf").wantStatus(t, 200)
	if !strings.HasPrefix(pdf.Body, "%PDF-") {
		t.Fatal("Vergabevermerk is not a PDF")
	}
	e.as(t, "gremium1").get(page+"/vergabevermerk.pdf").wantStatus(t, 404)

	// Notices: the AWO reads its own, Caritas neither through its own nor through AWO's address.
	lead.postConfirmed(page+"/mitteilungen", nil).wantStatus(t, 303)
	lead.post(page+"/mitteilungen", nil).wantStatus(t, 409)
	awo := e.as(t, "awo")
	notice := ta.count(`SELECT id FROM notices WHERE call_id = ? AND org_id = ?`, e.callID, e.awoOrg)
	caritasOrg := ta.count(`SELECT m.org_id FROM organization_members m JOIN users u ON u.id = m.user_id WHERE u.email = 'caritas@traeger.example'`)
	nPath := fmt.Sprintf("/traeger/%d/mitteilungen/%d", e.awoOrg, notice)
	awo.get(fmt.Sprintf("/traeger/%d/mitteilungen", e.awoOrg)).wantStatus(t, 200).wantContains(t, nPath)
	awo.get(nPath).wantStatus(t, 200).wantContains(t, "Auswahl", "Rüge erheben", "Stillhaltefrist bis")
	awo.get(nPath+"/mitteilung.pdf").wantStatus(t, 200)
	caritas := e.as(t, "caritas")
	caritas.get(nPath).wantStatus(t, 404)
	caritas.get(fmt.Sprintf("/traeger/%d/mitteilungen/%d", caritasOrg, notice)).wantStatus(t, 404)
	caritas.get(fmt.Sprintf("/traeger/%d/mitteilungen/%d/mitteilung.pdf", caritasOrg, notice)).wantStatus(t, 404)
	caritas.post(fmt.Sprintf("/traeger/%d/mitteilungen/%d/ruege", caritasOrg, notice), url.Values{"reason": {"fremd"}}).wantStatus(t, 404)

	// Objection: empty reason 422, then lodged; the lead answers; only the AWO sees it.
	objections := func() int64 { return ta.count(`SELECT count(*) FROM objections WHERE call_id = ?`, e.callID) }
	awo.post(nPath+"/ruege", url.Values{"reason": {"  "}}).wantStatus(t, 422).wantContains(t, "Bitte geben Sie die Begründung Ihrer Rüge an.")
	if objections() != 0 {
		t.Fatal("empty objection stored")
	}
	awo.post(nPath+"/ruege", url.Values{"reason": {"Die Punktzahl im Kriterium 2 ist zu niedrig."}}).wantStatus(t, 303)
	obj := ta.count(`SELECT id FROM objections WHERE call_id = ?`, e.callID)
	oPath := fmt.Sprintf("%s/ruegen/%d", page, obj)
	lead.get(page).wantStatus(t, 200).wantContains(t, "Beantworten")
	lead.post(oPath, url.Values{"answer": {"Geprüft."}}).wantStatus(t, 422).wantContains(t, "Bitte wählen Sie das Ergebnis")
	e.as(t, "beispielhausen").post(fmt.Sprintf("/verwaltung/beispielhausen/verfahren/%d/entscheidung/ruegen/%d", e.callID, obj),
		url.Values{"answer": {"x"}, "outcome": {"rejected"}}).wantStatus(t, 404)
	lead.post(fmt.Sprintf("%s/ruegen/%d", page, obj+999), url.Values{"answer": {"x"}, "outcome": {"rejected"}}).wantStatus(t, 404)
	if ta.count(`SELECT count(*) FROM objections WHERE answered_at IS NOT NULL AND call_id = ?`, e.callID) != 0 {
		t.Fatal("refused answer stored")
	}
	// While the objection is open, the end of the standstill does not make the award final.
	ta.clock.Advance(16 * 24 * time.Hour)
	lead.get(page).wantStatus(t, 200)
	if state() != "notified" {
		t.Fatalf("state %s with an open objection", state())
	}
	lead.post(oPath, url.Values{"answer": {"Die Wertung entspricht der Skala."}, "outcome": {"rejected"}}).wantStatus(t, 303)
	lead.post(oPath, url.Values{"answer": {"nochmal"}, "outcome": {"rejected"}}).wantStatus(t, 409)
	// Reading the pages after the standstill writes nothing: they say the award is due.
	awo.get(nPath).wantStatus(t, 200).wantContains(t, "Die Wertung entspricht der Skala.", "Stillhaltefrist ist abgelaufen", "innerhalb einer Minute endgültig")
	lead.get(page).wantStatus(t, 200).wantContains(t, "Die Vergabe wird in Kürze endgültig")
	if state() != "notified" {
		t.Fatalf("state %s after reading the pages, want notified (a GET never writes)", state())
	}
	// The finalize-awards job makes it final once, everyone is notified.
	ta.raceJob(t, context.Background(), "finalize-awards")
	awo.get(nPath).wantStatus(t, 200).wantContains(t, "Vergeben", "Stillhaltefrist ist abgelaufen")
	lead.get(page).wantStatus(t, 200).wantContains(t, "Vergeben seit")
	if state() != "awarded" || ta.count(`SELECT count(*) FROM audit_log WHERE chain = ? AND action = 'call.awarded'`, audit.CallChain(e.callID)) != 1 {
		t.Fatalf("state %s or call.awarded not written once", state())
	}
	// After the standstill no objection can be lodged.
	awo.post(nPath+"/ruege", url.Values{"reason": {"zu spät"}}).wantStatus(t, 409)
	if objections() != 1 {
		t.Fatal("late objection stored")
	}
	// Every mail of the demo and the procedure, as the SMTP server receives it, has its content.
	mails := deliverOutbox(t, ta.store.DB)
	for _, m := range mails {
		checkFilled(t, m)
	}
	for _, want := range [][2]string{{"oeffnung1@", "Frist abgelaufen"}, {"leitung@", "Geöffnet"}, {"awo@", "Mitteilung zum"},
		{"leitung@", "Rüge im Verfahren"}, {"awo@", "Antwort auf Ihre Rüge"}, {"awo@", "Vergabe endgültig"}} {
		mailTo(t, mails, want[0], want[1])
	}
	t.Logf("%d mails received", len(mails))
}

func TestPostausgangHTTP(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	db := ta.store.DB
	tenant := ta.count(`SELECT id FROM tenants WHERE slug = 'musterland'`)
	other := ta.count(`SELECT id FROM tenants WHERE slug = 'beispielhausen'`)
	db.Exec(`INSERT INTO outbox (tenant_id, to_addr, subject, body, attempts, sending_at, uncertain_at, last_error) VALUES (?, 'awo@traeger.example', 'Mitteilung zum Verfahren', 'x', 1, now(), now(), 'Zustellung ungewiss')`, tenant)
	db.Exec(`INSERT INTO outbox (tenant_id, to_addr, subject, body, attempts, failed_at, last_error) VALUES (?, 'x@beispielhausen.example', 'Fremd', 'x', 8, now(), '550')`, other)
	mine := ta.count(`SELECT id FROM outbox WHERE tenant_id = ? AND uncertain_at IS NOT NULL`, tenant)
	foreign := ta.count(`SELECT id FROM outbox WHERE tenant_id = ?`, other)

	admin := ta.client()
	admin.login("admin@musterland.example", demo.Password)
	admin.get("/verwaltung/musterland/postausgang").wantStatus(t, 200).wantContains(t, "Zustellung ungewiss – bitte prüfen", "awo@traeger.example").
		wantStatus(t, 200)
	if strings.Contains(admin.get("/verwaltung/musterland/postausgang").Body, "Fremd") {
		t.Fatal("another Kreis's mail is listed")
	}
	admin.post(fmt.Sprintf("/verwaltung/musterland/postausgang/%d/erneut", foreign), nil).wantStatus(t, 404)
	lead := ta.client()
	lead.login("leitung@musterland.example", demo.Password)
	lead.get("/verwaltung/musterland/postausgang").wantStatus(t, 404)
	lead.post(fmt.Sprintf("/verwaltung/musterland/postausgang/%d/erneut", mine), nil).wantStatus(t, 404)
	if ta.count(`SELECT count(*) FROM outbox WHERE uncertain_at IS NULL AND id = ?`, mine) != 0 {
		t.Fatal("refused retry changed the mail")
	}
	admin.post(fmt.Sprintf("/verwaltung/musterland/postausgang/%d/erneut", mine), nil).wantStatus(t, 303)
	if ta.count(`SELECT count(*) FROM outbox WHERE id = ? AND uncertain_at IS NULL AND sending_at IS NULL AND attempts = 0`, mine) != 1 {
		t.Fatal("retry did not queue the mail again")
	}
	admin.post(fmt.Sprintf("/verwaltung/musterland/postausgang/%d/erneut", mine), nil).wantStatus(t, 409)
	if ta.count(`SELECT count(*) FROM audit_log WHERE action = 'outbox.retried'`) != 1 {
		t.Fatal("retry not audited once")
	}
}

// TestFinalizeAwardsJobRacingSchedulers: four instances run the finalize-awards job at
// once after the standstill; one finalisation, one set of notifications.
// decideAsTheResult proposes the allocation of the closed consolidation's result and
// records it as the administration's decision, through the use cases.
func (e *consolidationEnv) decideAsTheResult(t *testing.T) {
	t.Helper()
	ctx, db, lead := context.Background(), e.ta.store.DB, e.actors["leitung"]
	alloc := map[string]string{}
	var rows []struct{ Key, Value string }
	db.Raw(`SELECT key, value FROM result_rows, jsonb_each_text(allocation) WHERE bid_id = ?`, e.bidID).Scan(&rows)
	for _, r := range rows {
		alloc[rules.FTEField(e.bidID, r.Key)] = strings.Replace(r.Value, ".", ",", 1)
	}
	if err := decision.SaveProposal(ctx, db, lead, decision.ProposalInput{CallID: e.callID, FTE: alloc, Justification: "Rangfolge"}, e.now); err != nil {
		t.Fatal(err)
	}
	if err := decision.RecordDecision(ctx, db, lead, dbtest.FakeDocuments{}, rules.RecordInput{CallID: e.callID, Body: "verwaltung",
		DecidedOn: rules.NewDate(e.now).German(), ResolutionNumber: "V-12/2026"}, e.now); err != nil {
		t.Fatal(err)
	}
}

func TestFinalizeAwardsJobRacingSchedulers(t *testing.T) {
	t.Parallel()
	e := newDecisionEnv(t)
	ctx, db, lead := context.Background(), e.ta.store.DB, e.actors["leitung"]
	e.decideAsTheResult(t)
	if err := decision.IssueNotices(ctx, db, lead, dbtest.FakeDocuments{}, e.callID, e.now); err != nil {
		t.Fatal(err)
	}
	race := func() { e.ta.raceJob(t, ctx, "finalize-awards") }
	race() // during the standstill: nothing
	if n := e.ta.count(`SELECT count(*) FROM audit_log WHERE action = 'call.awarded' AND chain = ?`, audit.CallChain(e.callID)); n != 0 {
		t.Fatal("finalised during the standstill")
	}
	e.ta.clock.Advance(15 * 24 * time.Hour)
	race()
	race()
	if n := e.ta.count(`SELECT count(*) FROM audit_log WHERE action = 'call.awarded' AND chain = ?`, audit.CallChain(e.callID)); n != 1 {
		t.Fatalf("%d call.awarded entries", n)
	}
	if n := e.ta.count(`SELECT count(*) FROM inbox_messages WHERE call_id = ? AND kind = 'award_final'`, e.callID); n != 1 {
		t.Fatalf("%d final notices to the one bidding organisation", n)
	}
	if n := e.ta.count(`SELECT count(*) FROM issued_documents WHERE call_id = ? AND kind = 'vergabevermerk' AND title LIKE 'Vergabevermerk (Endgültige Vergabe)%'`, e.callID); n != 1 {
		t.Fatalf("%d final Vergabevermerke from the racing jobs (want one)", n)
	}
}
