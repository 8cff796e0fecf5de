package app_test

import (
	"context"
	"fmt"
	"net/url"
	"testing"
	"time"

	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/models/demo"
	"kimibv/models/rules"
)

// evalEnv is the demo app with the open demo call (AWO's bid submitted, committee
// gremium1–3 and oeffnung1–2) and a logged-in client per person.
type evalEnv struct {
	ta      *testApp
	callID  int64
	bidID   int64
	awoOrg  int64
	clients map[string]*client
	base    string
}

func newEvalEnv(t *testing.T) *evalEnv {
	ta := newTestApp(t, true)
	e := &evalEnv{ta: ta, clients: map[string]*client{}}
	e.callID = ta.count(`SELECT c.id FROM calls c WHERE c.state = 'published' AND EXISTS (SELECT 1 FROM bids b WHERE b.call_id = c.id AND b.state = 'submitted')`)
	e.bidID = ta.count(`SELECT id FROM bids WHERE call_id = ? AND state = 'submitted'`, e.callID)
	e.awoOrg = ta.count(`SELECT org_id FROM bids WHERE id = ?`, e.bidID)
	e.base = fmt.Sprintf("/verwaltung/musterland/verfahren/%d", e.callID)
	return e
}

// as returns the client of the demo account with this local part, logging in once.
func (e *evalEnv) as(t *testing.T, who string) *client {
	if c, ok := e.clients[who]; ok {
		return c
	}
	email := who + "@musterland.example"
	switch who {
	case "awo", "caritas":
		email = who + "@traeger.example"
	case "beispielhausen":
		email = "admin@beispielhausen.example"
	}
	c := e.ta.client()
	c.login(email, demo.Password)
	e.clients[who] = c
	return c
}

// passDeadline moves the demo call's deadline into the past (database clock).
func (e *evalEnv) passDeadline(t *testing.T) {
	if err := e.ta.store.DB.Exec(`UPDATE calls SET deadline = clock_timestamp() - interval '1 minute' WHERE id = ?`, e.callID).Error; err != nil {
		t.Fatal(err)
	}
	// The application clock was frozen when the test app started; a slow set-up (race
	// detector, loaded machine) may leave it before the new deadline. Bring it to now.
	if lag := time.Since(e.ta.clock.Now()); lag > 0 {
		e.ta.clock.Advance(lag + time.Second)
	}
}

func (e *evalEnv) content(t *testing.T) rules.CallContent {
	var raw []byte
	if err := e.ta.store.DB.Raw(`SELECT v.content FROM call_versions v JOIN calls c ON c.id = v.call_id AND c.current_version = v.version WHERE c.id = ?`, e.callID).
		Row().Scan(&raw); err != nil {
		t.Fatal(err)
	}
	c, err := rules.DecodeCallContent(raw)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestOpeningHTTP(t *testing.T) {
	t.Parallel()
	e := newEvalEnv(t)
	ta := e.ta
	op1, op2 := e.as(t, "oeffnung1"), e.as(t, "oeffnung2")
	op1.get("/verwaltung/musterland/oeffnungen").wantStatus(t, 200).wantContains(t, e.base+"/oeffnung")
	op1.get(e.base+"/oeffnung").wantStatus(t, 200).wantContains(t, "Die Frist läuft noch")
	op1.post(e.base+"/oeffnung", nil).wantStatus(t, 409).wantContains(t, "Die Frist läuft noch")
	if ta.count(`SELECT count(*) FROM openings`) != 0 {
		t.Fatal("opening confirmed before the deadline")
	}
	e.passDeadline(t)
	// The lead's call page shows the deadline as passed without closing the call (a GET
	// never writes); the close-calls job closes it once.
	closed := func() int64 {
		return ta.count(`SELECT count(*) FROM audit_log WHERE action = 'call.closed' AND chain = ?`, audit.CallChain(e.callID))
	}
	e.as(t, "leitung").get(e.base).wantStatus(t, 200).wantContains(t, "Frist abgelaufen", e.base+"/oeffnung")
	op1.get("/verwaltung/musterland/oeffnungen").wantStatus(t, 200).wantContains(t, "Frist abgelaufen")
	if n := closed(); n != 0 {
		t.Fatalf("%d call.closed entries after reading the pages, want 0", n)
	}
	ta.raceJob(t, context.Background(), "close-calls")
	if n := closed(); n != 1 {
		t.Fatalf("%d call.closed entries after the close-calls job, want 1", n)
	}
	// Other Kreis and roles without the opener role: 404.
	e.as(t, "beispielhausen").post(e.base+"/oeffnung", nil).wantStatus(t, 404)
	e.as(t, "beispielhausen").post(fmt.Sprintf("/verwaltung/beispielhausen/verfahren/%d/oeffnung", e.callID), nil).wantStatus(t, 404)
	e.as(t, "leitung").post(e.base+"/oeffnung", nil).wantStatus(t, 404)
	e.as(t, "gremium1").get(e.base+"/oeffnung").wantStatus(t, 404)

	op1.postConfirmed(e.base+"/oeffnung", nil).wantStatus(t, 303)
	op1.post(e.base+"/oeffnung", nil).wantStatus(t, 409).wantContains(t, "Sie haben die Öffnung bereits bestätigt")
	if ta.count(`SELECT count(*) FROM openings`) != 1 || ta.count(`SELECT count(*) FROM calls WHERE id = ? AND opened_at IS NULL`, e.callID) != 1 {
		t.Fatal("one confirmation must not open")
	}
	op2.postConfirmed(e.base+"/oeffnung", nil).wantStatus(t, 303)
	hash := ""
	if err := ta.store.DB.Raw(`SELECT content_sha256 FROM opening_bids WHERE bid_id = ?`, e.bidID).Scan(&hash).Error; err != nil || hash == "" {
		t.Fatalf("frozen bid: %v", err)
	}
	op2.get(e.base+"/oeffnung").wantStatus(t, 200).wantContains(t, "Öffnungsprotokoll", "Arbeiterwohlfahrt Kreisverband Musterland e. V.", hash, "Olaf Öffner", "Özlem Schlüter")
	op1.post(e.base+"/oeffnung", nil).wantStatus(t, 409).wantContains(t, "bereits von zwei Personen geöffnet")
	if ta.count(`SELECT count(*) FROM openings`) != 2 {
		t.Fatal("third confirmation recorded")
	}
}

func TestFormalCheckCommitteeAndSheetsHTTP(t *testing.T) {
	t.Parallel()
	e := newEvalEnv(t)
	ta := e.ta
	lead := e.as(t, "leitung")
	// Sealed before the opening.
	lead.get(e.base+"/pruefung").wantStatus(t, 403)
	e.passDeadline(t)
	e.as(t, "oeffnung1").postConfirmed(e.base+"/oeffnung", nil).wantStatus(t, 303)
	e.as(t, "oeffnung2").postConfirmed(e.base+"/oeffnung", nil).wantStatus(t, 303)
	check := fmt.Sprintf("%s/pruefung/%d", e.base, e.bidID)
	lead.get(e.base+"/pruefung").wantStatus(t, 200).wantContains(t, "Arbeiterwohlfahrt")
	lead.get(check).wantStatus(t, 200).wantContains(t, "Prüfliste", "Mindestanforderung")
	e.as(t, "beispielhausen").get(fmt.Sprintf("/verwaltung/beispielhausen/verfahren/%d/pruefung/%d", e.callID, e.bidID)).wantStatus(t, 404)
	lead.get(fmt.Sprintf("%s/pruefung/%d", e.base, 999999)).wantStatus(t, 404)

	// Bad inputs: German message, nothing written.
	lead.post(check, url.Values{"decision": {"admit"}}).wantStatus(t, 422).wantContains(t, "OVG NRW 4 B 690/16")
	lead.post(check, url.Values{"decision": {"exclude"}}).wantStatus(t, 422).wantContains(t, "Grund für den Ausschluss")
	lead.post(check+"/nachforderung", url.Values{"docs": {"U2"}, "message": {"Bitte nachreichen."}, "deadline": {"morgen"}}).wantStatus(t, 422).wantContains(t, "TT.MM.JJJJ")
	if ta.count(`SELECT count(*) FROM formal_checks WHERE outcome <> 'pending'`)+ta.count(`SELECT count(*) FROM document_requests`) != 0 {
		t.Fatal("refused input was stored")
	}
	// Document request and the provider's answer.
	deadline := ta.clock.Now().Add(7 * 24 * time.Hour).In(core.Berlin()).Format("02.01.2006 15:04")
	lead.post(check+"/nachforderung", url.Values{"docs": {"U2"}, "message": {"Bitte reichen Sie den aktuellen Bescheid nach."}, "deadline": {deadline}}).wantStatus(t, 303)
	awo := e.as(t, "awo")
	reqID := ta.count(`SELECT id FROM document_requests WHERE bid_id = ?`, e.bidID)
	page := fmt.Sprintf("/traeger/%d/bewerbungen/%d/nachforderung", e.awoOrg, e.bidID)
	awo.get(page).wantStatus(t, 200).wantContains(t, "Bitte reichen Sie den aktuellen Bescheid nach.")
	upload := fmt.Sprintf("%s/%d", page, reqID)
	awo.upload(upload, true, uploadPart{Name: "doc", Value: "U1"}, uploadPart{Name: "datei", FileName: "x.pdf", File: testPDF(2000)}).
		wantStatus(t, 422).wantContains(t, "nicht nachgefordert")
	awo.upload(upload, true, uploadPart{Name: "doc", Value: "U2"}, uploadPart{Name: "datei", FileName: "bescheid.pdf", File: testPDF(2000)}).wantStatus(t, 303)
	e.as(t, "caritas").get(page).wantStatus(t, 404)
	ta.clock.Advance(8 * 24 * time.Hour)
	awo.upload(upload, true, uploadPart{Name: "doc", Value: "U2"}, uploadPart{Name: "datei", FileName: "spaet.pdf", File: testPDF(2000)}).
		wantStatus(t, 409).wantContains(t, "Frist für Nachforderungen")
	ta.clock.Advance(-8 * 24 * time.Hour)
	if n := ta.count(`SELECT count(*) FROM document_request_files`); n != 1 {
		t.Fatalf("%d answers", n)
	}
	// Admit with every requirement met.
	form := url.Values{"decision": {"admit"}}
	c := e.content(t)
	for i := range c.Eligibility {
		form.Set(fmt.Sprintf("met_E%d", i+1), "1")
	}
	for _, d := range c.RequiredDocs {
		form.Set("met_"+d.Key, "1")
	}
	lead.post(check, form).wantStatus(t, 303)

	// COI gate over HTTP.
	g1, g2 := e.as(t, "gremium1"), e.as(t, "gremium2")
	eval := fmt.Sprintf("/verwaltung/musterland/bewertung/%d", e.callID)
	sheet := fmt.Sprintf("%s/%d", eval, e.bidID)
	g1.get(eval).wantStatus(t, 303)
	g1.get(sheet).wantStatus(t, 403).wantContains(t, "Bitte erklären Sie zuerst")
	tie := fmt.Sprintf("tie_%d", e.awoOrg)
	g1.post(eval+"/erklaerung", url.Values{tie: {"board"}}).wantStatus(t, 422).wantContains(t, "Erläuterung der Verbindung")
	if ta.count(`SELECT count(*) FROM coi_declarations`) != 0 {
		t.Fatal("declaration stored despite the error")
	}
	g1.post(eval+"/erklaerung", url.Values{tie: {"board"}, fmt.Sprintf("note_%d", e.awoOrg): {"Vorstand seit 2019"}}).wantStatus(t, 303)
	g1.get(sheet).wantStatus(t, 404)
	g1.post(sheet, url.Values{"action": {"submit"}}).wantStatus(t, 404)
	lead.get(e.base+"/gremium").wantStatus(t, 200).wantContains(t, "Vorstand seit 2019", "von der Bewertung ausgeschlossen")

	g2.post(eval+"/erklaerung", url.Values{tie: {"none"}}).wantStatus(t, 303)
	g2.get(sheet).wantStatus(t, 200).wantContains(t, c.Criteria[0].Name, "Antwort des Trägers")
	scores := url.Values{"action": {"submit"}}
	for _, cr := range c.Criteria {
		scores.Set("score_"+cr.Key, "3")
		scores.Set("reason_"+cr.Key, "Nachvollziehbar dargestellt.")
	}
	bad := url.Values{}
	for k, v := range scores {
		bad[k] = v
	}
	bad.Set("score_K1", "9")
	g2.post(sheet, bad).wantStatus(t, 422).wantContains(t, "ganze Zahl von 0 bis 4")
	bad.Set("score_K1", "3")
	bad.Set("reason_K2", "")
	g2.post(sheet, bad).wantStatus(t, 422).wantContains(t, "Begründung")
	// A score or reason for a key that is no published criterion refuses the sheet, draft or submitted.
	unknown := url.Values{}
	for k, v := range scores {
		unknown[k] = v
	}
	unknown.Set("score_K99", "4")
	audit := ta.count(`SELECT count(*) FROM audit_log`)
	g2.post(sheet, unknown).wantStatus(t, 422).wantContains(t, "eine Bewertung zu „K99“", "kein veröffentlichtes Kriterium", "es wurde nichts gespeichert")
	unknown.Del("score_K99")
	unknown.Set("reason_K99", "Zusätzliche Begründung")
	unknown.Del("action")
	g2.post(sheet, unknown).wantStatus(t, 422).wantContains(t, "eine Begründung zu „K99“")
	if ta.count(`SELECT count(*) FROM scores`)+ta.count(`SELECT count(*) FROM score_sheets`) != 0 || ta.count(`SELECT count(*) FROM audit_log`) != audit {
		t.Fatal("refused sheet stored scores")
	}
	g2.post(fmt.Sprintf("%s/%d", eval, 999999), scores).wantStatus(t, 404)
	g2.postConfirmed(sheet, scores).wantStatus(t, 303)
	g2.post(sheet, scores).wantStatus(t, 409).wantContains(t, "bereits abgegeben")
	e.as(t, "beispielhausen").get("/verwaltung/musterland/bewertung").wantStatus(t, 404)
	if n := ta.count(`SELECT count(*) FROM score_sheets WHERE submitted_at IS NOT NULL`); n != 1 {
		t.Fatalf("%d submitted sheets", n)
	}
}

// TestCloseCallsJobRacingSchedulers runs the close-calls job on two schedulers at once.
func TestCloseCallsJobRacingSchedulers(t *testing.T) {
	t.Parallel()
	e := newEvalEnv(t)
	e.passDeadline(t)
	e.ta.raceJob(t, context.Background(), "close-calls")
	if n := e.ta.count(`SELECT count(*) FROM audit_log WHERE action = 'call.closed' AND chain = ?`, audit.CallChain(e.callID)); n != 1 {
		t.Fatalf("%d call.closed entries", n)
	}
}
