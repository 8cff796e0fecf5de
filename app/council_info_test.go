package app_test

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"kimibv/app/pdfdoc"
	"kimibv/models/core"
	"kimibv/models/council"
	"kimibv/models/dbtest"
	"kimibv/models/demo"
	"kimibv/models/rules"
)

// publishMatrixReport gives the access matrix's and the seal crawl's procedure a status
// report with an attachment at its publication, so that the council's report PDF and
// attachment have ids to request.
func (e *matrixEnv) publishMatrixReport(t *testing.T) {
	t.Helper()
	if err := council.AddReportFile(context.Background(), e.ta.store.DB, dbtest.Vault(t), e.actors["leitung"], core.CallScope{Tenant: e.tenant, Call: e.callID},
		council.ReportFileInput{Name: "Zeitplan.pdf", File: bytes.NewReader(testPDF(2000))}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := council.PublishReport(context.Background(), e.ta.store.DB, e.actors["leitung"], pdfdoc.New("http://localhost/dokumentenpruefung"),
		council.ReportInput{TenantID: e.tenant, CallID: e.callID, Stage: rules.StageCallPublished, Title: "Die Ausschreibung ist veröffentlicht",
			Body: "Die Frist läuft."}, time.Now()); err != nil {
		t.Fatal(err)
	}
}

// TestCouncilIsInformedEquallyOverHTTP: the Kreis administrator keeps two factions, the
// lead distributes a report after the confirmation (a stage not reached is refused with a
// German message), a member opens it by POST, a member of the other faction asks, the
// lead answers once for everyone, naming the faction; other roles, the other Kreis and
// the public get nothing.
func TestCouncilIsInformedEquallyOverHTTP(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	db := ta.store.DB
	callID := ta.count(`SELECT id FROM calls WHERE state = 'published' ORDER BY id LIMIT 1`)
	lead, karl, rita, admin := ta.client(), ta.client(), ta.client(), ta.client()
	lead.login("leitung@musterland.example", demo.Password)
	karl.login("kreistag@musterland.example", demo.Password)
	rita.login("kreistag2@musterland.example", demo.Password)
	admin.login("admin@musterland.example", demo.Password)

	// The Kreis administrator: a new group, a refused duplicate, a member moved into it.
	admin.get("/verwaltung/musterland/kreistag").wantStatus(t, 200).wantContains(t, "Fraktion Soziales Musterland", "Rita Rathaus", "Ferdinand Frei")
	admin.post("/verwaltung/musterland/kreistag/fraktionen", url.Values{"name": {"Fraktion Soziales Musterland"}, "kind": {"fraktion"}}).
		wantStatus(t, 422).wantContains(t, "Eine Fraktion oder Gruppe dieses Namens gibt es bereits.")
	admin.post("/verwaltung/musterland/kreistag/fraktionen", url.Values{"name": {"Gruppe Freie Wähler"}, "kind": {"gruppe"}}).wantStatus(t, 303)
	gid := ta.count(`SELECT id FROM council_factions WHERE name = 'Gruppe Freie Wähler'`)
	frei := ta.count(`SELECT id FROM users WHERE email = 'kreistag3@musterland.example'`)
	admin.post(fmt.Sprintf("/verwaltung/musterland/kreistag/mitglieder/%d", frei), url.Values{"faction_id": {fmt.Sprint(gid)}}).wantStatus(t, 303)
	leadID := ta.count(`SELECT id FROM users WHERE email = 'leitung@musterland.example'`)
	admin.post(fmt.Sprintf("/verwaltung/musterland/kreistag/mitglieder/%d", leadID), url.Values{"faction_id": {fmt.Sprint(gid)}}).wantStatus(t, 404)
	admin.post(fmt.Sprintf("/verwaltung/musterland/kreistag/mitglieder/%d", frei), url.Values{"faction_id": {"abc"}}).wantStatus(t, 404)

	// The lead: the opening is not reached; the publication is, after the confirmation.
	base := fmt.Sprintf("/verwaltung/musterland/verfahren/%d/kreistag", callID)
	page := lead.get(base).wantStatus(t, 200).wantContains(t, "Ausschreibung veröffentlicht", "3 Mitglieder im Kreistag")
	if strings.Contains(page.Body, `value="opening"`) {
		t.Error("the lead is offered the opening as a stage before the opening")
	}
	lead.post(base+"/berichte", url.Values{"stage": {"opening"}, "title": {"Öffnung"}, "body": {"Text"}}).
		wantStatus(t, 422).wantContains(t, "Über diesen Stand können Sie erst berichten")
	attachment := testPDF(30_000)
	uploadReportFile(t, ta, lead, base, attachment)
	report := url.Values{"stage": {"call_published"}, "title": {"Ausschreibung veröffentlicht"}, "body": {"Die Frist endet bald.\nBitte beachten Sie die Termine."}}
	lead.post(base+"/berichte", report).wantStatus(t, 200).wantContains(t, "Bericht jetzt an alle Mitglieder verteilen", "Terminplan Kreistag.pdf")
	if n := ta.count(`SELECT count(*) FROM council_reports`); n != 0 {
		t.Fatalf("%d reports before the confirmation", n)
	}
	lead.postConfirmed(base+"/berichte", report).wantStatus(t, 303)
	reportID := ta.count(`SELECT max(id) FROM council_reports WHERE call_id = ?`, callID)
	dist := ta.count(`SELECT id FROM council_distributions WHERE report_id = ?`, reportID)
	if n := ta.count(`SELECT count(*) FROM council_receipts WHERE distribution_id = ?`, dist); n != 3 {
		t.Fatalf("%d receipts, want 3", n)
	}
	for _, addr := range []string{"kreistag@musterland.example", "kreistag2@musterland.example", "kreistag3@musterland.example"} {
		if len(dbtest.MailsTo(t, db, addr, `kind = 'council_information'`)) != 1 {
			t.Errorf("%s got no mail", addr)
		}
	}

	// Karl opens the report by POST; the page itself never marks it read.
	cbase := fmt.Sprintf("/kreistag/musterland/verfahren/%d/sachstand", callID)
	before := karl.get(cbase).wantStatus(t, 200).wantContains(t, "Ausschreibung veröffentlicht", "Bericht öffnen", "gelesen von 0")
	if strings.Contains(before.Body, "Die Frist endet bald.") {
		t.Error("the report's text before it was opened")
	}
	karl.post(fmt.Sprintf("%s/%d/gelesen", cbase, dist+1000), nil).wantStatus(t, 404)
	karl.post(fmt.Sprintf("%s/%d/gelesen", cbase, dist), nil).wantStatus(t, 303)
	karl.get(cbase).wantStatus(t, 200).wantContains(t, "Die Frist endet bald.", "gelesen von 1")
	pdf := karl.get(fmt.Sprintf("%s/berichte/%d/bericht.pdf", cbase, reportID)).wantStatus(t, 200)
	if !strings.HasPrefix(pdf.Body, "%PDF-") || pdf.Header.Get("Cache-Control") != "private, no-store" {
		t.Errorf("report PDF: %q, %d bytes", pdf.Header.Get("Cache-Control"), len(pdf.Body))
	}
	lead.get(fmt.Sprintf("%s/berichte/%d/bericht.pdf", base, reportID)).wantStatus(t, 200)
	reportFileDownloads(t, ta, karl, lead, cbase, base, reportID, attachment, pdf.Body)

	// Rita asks for her faction; the lead answers once; everyone receives it.
	rita.post(cbase+"/anfragen", url.Values{"question": {""}}).wantStatus(t, 422).wantContains(t, "Bitte geben Sie Ihre Frage an.")
	rita.post(cbase+"/anfragen", url.Values{"question": {"Wie viele Träger haben Interesse gezeigt?"}}).wantStatus(t, 303)
	q := ta.count(`SELECT max(id) FROM council_questions`)
	karl.get(cbase).wantStatus(t, 200)
	if strings.Contains(karl.get(cbase).Body, "Wie viele Träger") {
		t.Error("another member sees an unanswered question")
	}
	lead.get(base).wantStatus(t, 200).wantContains(t, "Anfrage (Fraktion Soziales Musterland)", "Wie viele Träger haben Interesse gezeigt?")
	field := fmt.Sprintf("answer_%d", q)
	lead.post(fmt.Sprintf("%s/anfragen/%d/antwort", base, q), url.Values{field: {" "}}).wantStatus(t, 422).wantContains(t, "Bitte geben Sie die Antwort an.")
	lead.postConfirmed(fmt.Sprintf("%s/anfragen/%d/antwort", base, q), url.Values{field: {"Das wird erst nach der Öffnung bekannt."}}).wantStatus(t, 303)
	lead.post(fmt.Sprintf("%s/anfragen/%d/antwort", base, q), url.Values{field: {"Nochmals"}}).wantStatus(t, 409)
	karl.get(cbase).wantStatus(t, 200).wantContains(t, "Anfrage (Fraktion Soziales Musterland)", "Antwort öffnen")
	adist := ta.count(`SELECT id FROM council_distributions WHERE question_id = ?`, q)
	karl.post(fmt.Sprintf("%s/%d/gelesen", cbase, adist), nil).wantStatus(t, 303)
	karl.get(cbase).wantStatus(t, 200).wantContains(t, "Das wird erst nach der Öffnung bekannt.")

	// Nobody else: other Kreis roles, the other Kreis, providers, the public.
	for _, who := range []string{"oeffnung1@musterland.example", "gremium1@musterland.example", "admin@musterland.example", "admin@beispielhausen.example", "awo@traeger.example"} {
		c := ta.client()
		c.login(who, demo.Password)
		c.get(cbase).wantStatus(t, 404)
		c.get(fmt.Sprintf("%s/berichte/%d/bericht.pdf", cbase, reportID)).wantStatus(t, 404)
		if who != "leitung@musterland.example" {
			c.get(base).wantStatus(t, 404)
		}
		c.post(cbase+"/anfragen", url.Values{"question": {"Frage"}}).wantStatus(t, 404)
	}
	karl.get(base).wantStatus(t, 404)
	karl.get("/verwaltung/musterland/kreistag").wantStatus(t, 404)
	anon := ta.client()
	if r := anon.get(cbase); r.Status != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/anmelden") {
		t.Errorf("anonymous: %d %s", r.Status, r.Header.Get("Location"))
	}
	if strings.Contains(anon.get("/ausschreibungen/"+ta.demoRef()).Body, "Die Frist endet bald.") {
		t.Error("the public call page shows the council's report")
	}
	if n := ta.count(`SELECT count(*) FROM council_questions`); n != 1 {
		t.Errorf("%d questions stored, want 1", n)
	}
}

// TestLeadTakesTheResolutionFromTheKreisOParlSystem: the Kreis administrator sets the
// OParl system; after the decision the lead fetches the paper from it; an address off
// the system and a broken object are refused with a German message and change nothing;
// the council sees the resolution.
func TestLeadTakesTheResolutionFromTheKreisOParlSystem(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	srv, other := dbtest.OParlServer(t), dbtest.OParlServer(t)
	p := dbtest.SeedProcedure(t, ta.store.DB, dbtest.ProcedureSpec{Seq: 72, Bids: 2, Criteria: 2, Evaluators: 2, Docs: dbtest.FakeDecisionDocs()})
	admin, lead, karl := ta.client(), ta.client(), ta.client()
	admin.login("admin@musterland.example", demo.Password)
	lead.login("leitung@musterland.example", demo.Password)
	karl.login("kreistag@musterland.example", demo.Password)
	admin.post("/verwaltung/musterland/kreistag/oparl", url.Values{"oparl_system_url": {"ratsinfo"}}).wantStatus(t, 422).
		wantContains(t, "Bitte geben Sie die vollständige Adresse des OParl-Systems an")
	base := fmt.Sprintf("/verwaltung/musterland/verfahren/%d/kreistag", p.CallID)
	lead.post(base+"/beschluss", url.Values{"oparl_url": {srv.URL + "/paper/749"}}).wantStatus(t, 422).wantContains(t, "noch kein Ratsinformationssystem")
	admin.post("/verwaltung/musterland/kreistag/oparl", url.Values{"oparl_system_url": {srv.URL + "/oparl/v1/system"}}).wantStatus(t, 303)

	for u, msg := range map[string]string{other.URL + "/paper/749": "gehört nicht zum Ratsinformationssystem",
		srv.URL + "/broken/paper": "keine gültige Drucksache", srv.URL + "/missing": "Status 404"} {
		lead.post(base+"/beschluss", url.Values{"oparl_url": {u}}).wantStatus(t, 422).wantContains(t, msg, "bleiben unverändert")
	}
	if n := ta.count(`SELECT count(*) FROM council_resolutions`); n != 0 {
		t.Fatalf("%d resolutions after refused fetches", n)
	}
	manual := ta.count(`SELECT count(*) FROM decisions WHERE call_id = ? AND council_url <> ''`, p.CallID)
	lead.post(base+"/beschluss", url.Values{"oparl_url": {srv.URL + "/agendaitem/15569"}}).wantStatus(t, 303)
	lead.get(base).wantStatus(t, 200).wantContains(t, "KT/0042/2026", "12. Sitzung des Kreistags", "Beschlossen", srv.URL+"/vo0050.asp?__kvonr=42")
	karl.get(fmt.Sprintf("/kreistag/musterland/verfahren/%d/sachstand", p.CallID)).wantStatus(t, 200).
		wantContains(t, "Beschluss im Ratsinformationssystem", "Der Kreistag beschließt die Auswahl der Träger")
	if ta.count(`SELECT count(*) FROM decisions WHERE call_id = ? AND council_url <> ''`, p.CallID) != manual {
		t.Error("the fetch changed the lead's own entries of the decision")
	}
	// Before the decision there is nothing to take over.
	open := ta.count(`SELECT id FROM calls WHERE state = 'published' ORDER BY id LIMIT 1`)
	lead.post(fmt.Sprintf("/verwaltung/musterland/verfahren/%d/kreistag/beschluss", open), url.Values{"oparl_url": {srv.URL + "/paper/749"}}).wantStatus(t, 409)
}
