package browsertest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kimibv/models/audit"
	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/evaluation"
	"kimibv/models/rules"
)

// closeConsolidation runs the demo call from the deadline to the closed consolidation through
// the use cases (the steps TestOpeningScoringAndConsolidationLeadToTheResult takes in the browser, with the same
// declarations and scores, each consolidated score at the mean).
func (f *flow) closeConsolidation() {
	t := f.t
	t.Helper()
	ctx, db := context.Background(), f.store.DB
	f.passDeadline()
	now := f.clock.Now()
	docs := issuers()
	must := func(what string, err error) {
		if err != nil {
			t.Fatalf("seed %s: %v", what, err)
		}
	}
	_, err := calls.CloseDueCalls(ctx, db, now)
	must("closing", err)
	for _, op := range []string{"oeffnung1", "oeffnung2"} {
		_, err := evaluation.ConfirmOpening(ctx, db, f.vault, f.actor(op+"@musterland.example"), core.CallScope{Tenant: f.tenant, Call: f.callID}, now, docs)
		must("opening", err)
	}
	lead := f.actor("leitung@musterland.example")
	met := map[string]rules.ItemAssessment{}
	for i := range f.content.Eligibility {
		met[fmt.Sprintf("E%d", i+1)] = rules.ItemAssessment{Met: true}
	}
	for _, d := range f.content.RequiredDocs {
		met[d.Key] = rules.ItemAssessment{Met: true}
	}
	for _, bid := range f.bids {
		must("formal check", evaluation.SaveFormalCheck(ctx, db, lead, core.CallScope{Tenant: f.tenant, Call: f.callID}, bid, evaluation.FormalInput{Items: met, Decision: rules.DecideAdmit}, now))
	}
	for _, ev := range evaluators {
		a := f.actor(ev + "@musterland.example")
		in := map[int64]evaluation.DeclarationInput{}
		for who, org := range f.orgs {
			in[org] = evaluation.DeclarationInput{Tie: rules.TieNone}
			if _, scores := sheetScores[ev][who]; !scores {
				in[org] = evaluation.DeclarationInput{Tie: rules.TieMembership, Note: "Ehrenamtliches Mitglied im Caritasrat seit 2021."}
			}
		}
		must("declaration", evaluation.DeclareTies(ctx, db, a, core.CallScope{Tenant: f.tenant, Call: f.callID}, in, now))
	}
	f.scoreAndConsolidate(now, "")
}

// scoreAndConsolidate submits every sheet of sheetScores (but the one of skip, "evaluator/bidder",
// submitted elsewhere), consolidates each bid at its mean and closes the consolidation, through
// the use cases.
func (f *flow) scoreAndConsolidate(now time.Time, skip string) {
	t := f.t
	t.Helper()
	ctx, db, lead := context.Background(), f.store.DB, f.actor("leitung@musterland.example")
	must := func(what string, err error) {
		if err != nil {
			t.Fatalf("seed %s: %v", what, err)
		}
	}
	for _, ev := range evaluators {
		a := f.actor(ev + "@musterland.example")
		for who, score := range sheetScores[ev] {
			if ev+"/"+who == skip {
				continue
			}
			sheet := evaluation.SheetInput{Scores: map[string]string{}, Reasons: map[string]string{}, Submit: true}
			for _, cr := range f.content.Criteria {
				sheet.Scores[cr.Key] = fmt.Sprint(score)
				sheet.Reasons[cr.Key] = fmt.Sprintf("%s: Die Darstellung von %s zu %s entspricht Stufe %d.", ev, who, cr.Key, score)
			}
			must("sheet", evaluation.SaveSheet(ctx, db, a, core.CallScope{Tenant: f.tenant, Call: f.callID}, f.bids[who], sheet, now))
		}
	}
	for who, mean := range map[string]string{"awo": "3,67", "caritas": "3", "diakonie": "2,67"} {
		in := evaluation.ConsolidationInput{CallID: f.callID, BidID: f.bids[who], Scores: map[string]string{}, Reasons: map[string]string{}}
		for _, cr := range f.content.Criteria {
			in.Scores[cr.Key], in.Reasons[cr.Key] = mean, "Zu "+cr.Name+" sind Ziele, Maßnahmen und Zuständigkeiten nachvollziehbar beschrieben."
		}
		must("consolidation", evaluation.SetConsolidatedScores(ctx, db, evaluation.EvaluationSource{}, lead, in, now))
	}
	_, err := evaluation.CloseConsolidation(ctx, db, evaluation.EvaluationSource{}, lead, evaluation.CloseInput{CallID: f.callID}, now, issuers())
	must("close consolidation", err)
}

// TestDecisionNoticesAndObjectionLeadToTheAwardRecord continues from the closed consolidation in the browser: the
// lead prepares and records the decision and sends the notices; the Diakonie reads its notice
// in the Postfach and lodges an objection during the standstill; the lead answers it; after
// the standstill (injected clock) opening the decision page makes the award final; a council
// member declares no tie and reads the annex; an anonymous visitor reads the award record and
// checks the downloaded Mitteilung and Vergabevermerk on the document check page. Every page
// reached is audited by axe-core.
func TestDecisionNoticesAndObjectionLeadToTheAwardRecord(t *testing.T) {
	t.Parallel()
	f := newFlow(t)
	began := time.Now()
	defer f.report(began)
	f.closeConsolidation()
	state := func() string { return f.text(`SELECT state FROM calls WHERE id = ?`, f.callID) }
	decide := f.proc + "/entscheidung"

	// Decision: the proposal from the result, then the record; the Vergabevermerk is issued.
	lead := f.as("leitung", "leitung@musterland.example")
	lead.openOK(f.proc)
	if len(lead.links(decide)) == 0 {
		t.Error("the lead's call page does not link the decision once the consolidation is closed")
	}
	lead.openOK(decide)
	lead.openOK(decide + "/vorschlag")
	lead.fill(decide+"/vorschlag", map[string]string{"justification": "Auswahl nach der Rangfolge der Bewertung; die Stellen folgen dem Ergebnis."})
	lead.submitOK(decide+"/vorschlag", "")
	if f.count(`SELECT count(*) FROM decisions WHERE call_id = ? AND deviation_reason = ''`, f.callID) != 1 {
		t.Fatal("the proposal from the result was not stored (or stored as a deviation)")
	}
	record := map[string]string{"body": "kreistag", "decided_on": rules.NewDate(f.clock.Now()).German(), "resolution_number": "KT/4711/2026",
		"vote_result": "einstimmig", "council_url": "https://ratsinfo.musterland.example/vo0050.asp?__kvonr=4711"}
	lead.fill(decide+"/beschluss", record)
	lead.submitConfirmed(decide+"/beschluss", "")
	if s := state(); s != "decided" {
		t.Fatalf("state %s after recording the decision", s)
	}
	lead.wantText("KT/4711/2026", "Vergabevermerk (PDF)")
	vermerk := lead.download(decide + "/vergabevermerk.pdf")
	if !strings.HasPrefix(string(vermerk), "%PDF-") {
		t.Fatal("the Vergabevermerk is not a PDF")
	}
	lead.submitConfirmed(decide+"/mitteilungen", "")
	if s, n := state(), f.count(`SELECT count(*) FROM notices WHERE call_id = ?`, f.callID); s != "notified" || n != 3 {
		t.Fatalf("after sending: state %s, %d notices (want notified, 3)", s, n)
	}

	// The Diakonie reads its notice in the Postfach and lodges an objection.
	dia := f.as("diakonie", providerEmails["diakonie"])
	org := fmt.Sprintf("/traeger/%d", f.orgs["diakonie"])
	dia.openOK(org + "/postfach")
	msg := fmt.Sprintf("%s/postfach/%d", org, f.count(`SELECT coalesce(max(id), 0) FROM inbox_messages WHERE org_id = ? AND call_id = ? AND document_id IS NOT NULL`,
		f.orgs["diakonie"], f.callID))
	found := false
	for _, l := range dia.links(org + "/postfach/") {
		found = found || l == msg
	}
	if !found {
		t.Fatalf("the Postfach does not list the notice's message %s", msg)
	}
	dia.openOK(msg)
	dia.wantText(f.content.Title, "Dokument als PDF herunterladen")
	attached := dia.download(msg + "/dokument.pdf")
	dia.openOK(org + "/mitteilungen")
	notice := f.count(`SELECT id FROM notices WHERE call_id = ? AND org_id = ?`, f.callID, f.orgs["diakonie"])
	nPath := fmt.Sprintf("%s/mitteilungen/%d", org, notice)
	if len(dia.links(nPath)) == 0 {
		t.Fatalf("the notices list does not link %s", nPath)
	}
	dia.openOK(nPath)
	// Points with two decimals as in the PDF (the Caritas's 75 points read "75,00" there).
	dia.wantText("Rüge erheben", "Stillhaltefrist bis", "Rang 3", "75,00")
	mitteilung := dia.download(nPath + "/mitteilung.pdf")
	if !strings.HasPrefix(string(mitteilung), "%PDF-") || string(mitteilung) != string(attached) {
		t.Error("the Mitteilung is no PDF or differs from the Postfach attachment")
	}
	dia.fill(nPath+"/ruege", map[string]string{"reason": "  "})
	if s := dia.submit(nPath+"/ruege", ""); s != 422 {
		t.Fatalf("empty objection: status %d, want 422", s)
	}
	dia.wantText("Bitte geben Sie die Begründung Ihrer Rüge an.")
	dia.fill(nPath+"/ruege", map[string]string{"reason": "Rügetext der Diakonie: Unser Konzept zur Vernetzung ist zu niedrig bewertet."})
	dia.submitOK(nPath+"/ruege", "")
	obj := f.count(`SELECT id FROM objections WHERE call_id = ? AND answered_at IS NULL`, f.callID)
	if obj == 0 {
		t.Fatal("the objection was not stored")
	}

	// The lead answers it.
	lead.openOK(decide)
	oPath := fmt.Sprintf("%s/ruegen/%d", decide, obj)
	if len(lead.links(oPath)) == 0 {
		t.Fatalf("the decision page does not link the open objection %s", oPath)
	}
	lead.openOK(oPath)
	lead.wantText("Rügetext der Diakonie")
	lead.fill(oPath, map[string]string{"outcome": "rejected", "answer": "Antwort der Leitung: Die Bewertung entspricht der veröffentlichten Skala."})
	lead.submitOK(oPath, "")
	dia.openOK(nPath)
	dia.wantText("Antwort der Leitung: Die Bewertung entspricht der veröffentlichten Skala.")

	// Time passes beyond the standstill; the decision page says the award is due, and
	// the finalize-awards job (not the page) makes it final.
	days := f.content.Timeline.StandstillDays
	if days == 0 {
		days = 14
	}
	f.clock.Advance(time.Duration(days+1) * 24 * time.Hour)
	if s := state(); s != "notified" {
		t.Fatalf("state %s before anyone looked after the standstill", s)
	}
	lead = f.as("leitung (nach der Stillhaltefrist)", "leitung@musterland.example")
	lead.openOK(decide)
	lead.wantText("Die Vergabe wird in Kürze endgültig")
	if s := state(); s != "notified" {
		t.Fatalf("state %s after opening the decision page, want notified (a GET never writes)", s)
	}
	f.runJob("finalize-awards")
	lead.openOK(decide)
	lead.wantText("Vergeben seit")
	if s := state(); s != "awarded" {
		t.Fatalf("state %s after the standstill, want awarded", s)
	}
	if n := f.count(`SELECT count(*) FROM inbox_messages WHERE call_id = ? AND kind = 'award_final'`, f.callID); n != 3 {
		t.Errorf("%d final-award messages, want one to each of the three bidders", n)
	}
	dia.openOK(nPath)
	if p := dia.path(); p != nPath { // the session ended meanwhile (sessions need not follow the injected clock)
		dia = f.as("diakonie (nach der Stillhaltefrist)", providerEmails["diakonie"])
		dia.openOK(nPath)
	}
	dia.wantText("Vergeben")

	// A council member declares no tie and reads the annex.
	kt := f.as("kreistag", "kreistag@musterland.example")
	kt.openOK("/kreistag/musterland")
	council := fmt.Sprintf("/kreistag/musterland/verfahren/%d", f.callID)
	if len(kt.links(council)) == 0 {
		t.Fatalf("the council overview does not link %s", council)
	}
	kt.openOK(council)
	kt.wantText("Nichtöffentlicher Anhang", "KT/4711/2026")
	decl := map[string]string{}
	for _, o := range f.orgs {
		decl[fmt.Sprintf("tie_%d", o)] = rules.TieNone
	}
	kt.fill(council+"/erklaerung", decl)
	kt.submitOK(council+"/erklaerung", "")
	kt.wantText("gremium2: Die Darstellung von awo zu "+f.content.Criteria[0].Key, "Ehrenamtliches Mitglied im Caritasrat seit 2021.",
		"von der Bewertung dieses Trägers ausgeschlossen")
	kt.openOK(council + "/anhang")
	// The annex's audit trail names every step in German, not by its action code.
	kt.wantText("Ausschreibung veröffentlicht", "Interessenbekundung eingereicht", "Bewertungsbogen abgegeben")
	for _, code := range []string{"call.published", "bid.submitted", "bid.file_added", "question.asked"} {
		if strings.Contains(kt.main(), code) {
			t.Errorf("the council annex shows the action code %s instead of its German label", code)
		}
	}
	// The procedure's protocol from the opening on, linked from the council's page.
	kt.openOK(council)
	if len(kt.links(council+"/protokoll")) == 0 {
		t.Errorf("the council's procedure page does not link %s/protokoll", council)
	}
	kt.openOK(council + "/protokoll")
	kt.wantText("Protokollkette des Verfahrens geprüft: unverändert", "Interessenbekundungen geöffnet", "Vergabe endgültig")
	if strings.Contains(kt.main(), "Interessenbekundung eingereicht") {
		t.Error("the council's protocol shows a bid's sealed trail from before the opening")
	}
	if n := f.count(`SELECT count(*) FROM audit_log WHERE chain = ? AND action LIKE 'council.%'`, audit.CallChain(f.callID)); n == 0 {
		t.Error("the council member's declaration is not in the procedure's audit chain")
	}

	// An anonymous visitor reads the award record and checks the documents.
	anon := f.as("Gast", "")
	anon.openOK("/vergaben")
	var award string
	for _, l := range anon.links("/vergaben/") {
		if strings.Contains(l, f.text(`SELECT ref FROM calls WHERE id = ?`, f.callID)) || strings.HasSuffix(l, fmt.Sprint(f.callID)) {
			award = l
		}
	}
	if award == "" {
		t.Fatalf("/vergaben does not list the awarded procedure: %v", anon.links("/vergaben/"))
	}
	anon.openOK(award)
	anon.wantText(f.names["awo"], f.names["caritas"], f.names["diakonie"], "KT/4711/2026", "Rüge", "Auswahl nach der Rangfolge der Bewertung", "75,00")
	page := anon.main()
	for _, secret := range []string{"Rügetext der Diakonie", "gremium2: Die Darstellung", "Caritasrat", "Browsertest: Zum Kriterium"} {
		if strings.Contains(page, secret) {
			t.Errorf("the public award record shows %q", secret)
		}
	}
	checkDocument(anon, "mitteilung.pdf", mitteilung, "Mitteilung", "Byte für Byte")
	checkDocument(anon, "", vermerk, "Vergabevermerk", "Byte für Byte")
	forged := append([]byte(nil), mitteilung...)
	forged[len(forged)/2] ^= 1
	checkDocument(anon, "veraendert.pdf", forged, "kein von kimibv ausgestelltes Dokument bekannt")
}

// checkDocument checks a PDF on the document check page: uploaded as a file when name is
// set, else by pasting its SHA-256; the answer must contain every want.
func checkDocument(p *person, name string, pdf []byte, want ...string) {
	t := p.f.t
	t.Helper()
	p.openOK("/dokumentenpruefung")
	sum := sha256.Sum256(pdf)
	if name != "" {
		file := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(file, pdf, 0o600); err != nil {
			t.Fatal(err)
		}
		p.choose("f-datei", file)
	} else {
		p.fill("/dokumentenpruefung", map[string]string{"pruefwert": hex.EncodeToString(sum[:])})
	}
	if s := p.submit("/dokumentenpruefung", ""); s != 200 {
		t.Fatalf("document check of %s: status %d\n%s", name, s, p.main())
	}
	if len(want) > 1 { // an issued document: when, what and for which procedure
		want = append(want, "von kimibv ausgestellt:", "Verfahren "+p.f.text(`SELECT ref FROM calls WHERE id = ?`, p.f.callID))
	}
	p.wantText(want...)
}
