package app_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"kimibv/models/core"
	"kimibv/models/demo"
)

func TestConsultationHTTP(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	var callID int64
	ta.store.DB.Raw(`SELECT c.id FROM calls c JOIN tenants t ON t.id = c.tenant_id WHERE t.slug = 'musterland' AND c.state = 'draft'
		ORDER BY c.id LIMIT 1`).Scan(&callID)
	if callID == 0 {
		t.Fatal("no demo draft")
	}
	base := fmt.Sprintf("/verwaltung/musterland/verfahren/%d", callID)
	awo, caritas := ta.orgID("Arbeiterwohlfahrt"), ta.orgID("Caritas")
	local := func(t time.Time) string { return t.In(core.Berlin()).Format("2006-01-02T15:04") }
	now := ta.clock.Now()

	// The lead opens the Beteiligung; a too short period changes nothing.
	l := ta.client()
	l.login("leitung@musterland.example", demo.Password)
	l.get(base+"/beteiligung").wantStatus(t, http.StatusOK).wantContains(t, "Beteiligung eröffnen", "Arbeiterwohlfahrt")
	n0 := ta.count(`SELECT count(*) FROM consultations`)
	l.post(base+"/beteiligung", url.Values{"starts_at": {local(now)}, "ends_at": {local(now.Add(2 * time.Hour))}, "orgs": {fmt.Sprint(awo)}}).
		wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, "mindestens einen Tag")
	opening := url.Values{"starts_at": {local(now.Add(-time.Hour))}, "ends_at": {local(now.Add(72 * time.Hour))},
		"orgs": {fmt.Sprint(awo), fmt.Sprint(caritas)}}
	// Opening is irreversible: without its confirmation the page asks and nothing changes.
	l.post(base+"/beteiligung", opening).wantStatus(t, http.StatusOK).
		wantContains(t, "Beteiligung eröffnen", "Beteiligung jetzt eröffnen", "Arbeiterwohlfahrt", "nicht mehr ändern")
	if n := ta.count(`SELECT count(*) FROM consultations`); n != n0 {
		t.Fatalf("opened without confirmation: %d", n)
	}
	l.postConfirmed(base+"/beteiligung", opening).wantStatus(t, http.StatusSeeOther)
	if n := ta.count(`SELECT count(*) FROM consultations`); n != n0+1 {
		t.Fatalf("consultations %d", n)
	}
	id := ta.count(`SELECT id FROM consultations WHERE call_id = ?`, callID)
	page := fmt.Sprintf("/beteiligungen/%d", id)

	// Another Kreis's lead sees nothing of it.
	bh := ta.client()
	bh.login("admin@beispielhausen.example", demo.Password)
	bh.get(base+"/beteiligung").wantStatus(t, http.StatusNotFound)
	bh.post(base+"/beteiligung", url.Values{"starts_at": {local(now)}, "ends_at": {local(now.Add(72 * time.Hour))}}).wantStatus(t, http.StatusNotFound)

	// The public reads the draft, without a form; the PDF is there.
	anon := ta.client()
	anon.get(page).wantStatus(t, http.StatusOK).wantContains(t, "In Beteiligung", "Entwurf zur Beteiligung (PDF)", "Bewertungskriterien")
	if r := anon.get(page+"/entwurf.pdf").wantStatus(t, http.StatusOK); r.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("draft PDF: %s", r.Header.Get("Content-Type"))
	}
	anon.get(page+"/abwaegung.pdf").wantStatus(t, http.StatusNotFound)
	anon.get("/ausschreibungen?kreis=musterland").wantStatus(t, http.StatusOK).wantContains(t, "In Beteiligung", `href="`+page+`"`)
	// The demo's procedure that went through a Beteiligung links it from the call page, with the changes.
	var demoRef string
	ta.store.DB.Raw(`SELECT k.ref FROM consultations c JOIN calls k ON k.id = c.call_id WHERE k.state <> 'draft'`).Scan(&demoRef)
	anon.get("/ausschreibungen/"+demoRef).wantStatus(t, http.StatusOK).wantContains(t, "Beteiligung vor der Veröffentlichung", "abwaegung.pdf")
	anon.get("/ausschreibungen/"+demoRef+"/termine.ics").wantStatus(t, http.StatusOK).wantContains(t, "SUMMARY:Beteiligung zum Entwurf", "DTEND:")
	anon.get("/ausschreibungen.atom?kreis=musterland").wantStatus(t, http.StatusOK).wantContains(t, "In Beteiligung: ", page)
	var demoID int64
	ta.store.DB.Raw(`SELECT c.id FROM consultations c JOIN calls k ON k.id = c.call_id WHERE k.state <> 'draft'`).Scan(&demoID)
	anon.get(fmt.Sprintf("/beteiligungen/%d", demoID)).wantStatus(t, http.StatusOK).
		wantContains(t, "Änderungen gegenüber dem Entwurf", "übernommen", "Caritasverband", "Beteiligung beendet")

	// The invited organisation states and revises; a non-invited one is refused.
	p := ta.client()
	p.login("awo@traeger.example", demo.Password)
	p.get(page).wantStatus(t, http.StatusOK).wantContains(t, "Stellungnahme abgeben", `name="body"`)
	p.get("/arbeitsbereich").wantContains(t, "Zum Entwurf Stellung nehmen", `href="`+page+`"`)
	p.get(page).wantContains(t, `enctype="multipart/form-data"`, `name="anhang"`)
	state(p, page, awo, "zeitplan", " ").wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, "Bitte geben Sie Ihre Stellungnahme an")
	state(p, page, awo, "zeitplan", "Vier Wochen sind zu knapp.").wantStatus(t, http.StatusSeeOther)
	state(p, page, awo, "zeitplan", "Sechs Wochen wären angemessen.").wantStatus(t, http.StatusSeeOther)
	state(p, page, caritas, "zeitplan", "Fremd").wantStatus(t, http.StatusNotFound)
	anon.get(page).wantContains(t, "Arbeiterwohlfahrt", "Sechs Wochen wären angemessen.", "Noch ohne Antwort")
	attachmentsWhileRunning(t, ta, p, anon, page, awo)
	d := ta.client()
	d.login("diakonie@traeger.example", demo.Password)
	before := ta.count(`SELECT count(*) FROM consultation_statements`)
	state(d, page, 0, "zeitplan", "Wir auch.").wantStatus(t, http.StatusForbidden).wantContains(t, "nicht eingeladen")
	if n := ta.count(`SELECT count(*) FROM consultation_statements`); n != before {
		t.Fatalf("statement of a non-invited organisation stored: %d", n)
	}

	// Publishing is refused while it runs; the lead answers, boilerplate refused.
	st := ta.count(`SELECT max(id) FROM consultation_statements WHERE consultation_id = ?`, id)
	respond := fmt.Sprintf("%s/beteiligung/stellungnahmen/%d", base, st)
	l.post(respond, url.Values{"outcome": {"partly"}, "reason": {"s. o."}}).wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, "keine Begründung")
	bh.post(respond, url.Values{"outcome": {"partly"}, "reason": {"Die Frist wird auf fünf Wochen verlängert."}}).wantStatus(t, http.StatusNotFound)
	l.post(respond, url.Values{"outcome": {"partly"}, "reason": {"Die Frist wird auf fünf Wochen verlängert, weil Gremien tagen müssen."}}).
		wantStatus(t, http.StatusSeeOther)
	l.get("/arbeitsbereich").wantContains(t, "Beteiligung läuft", base+"/beteiligung")
	anon.get(page).wantContains(t, "teilweise übernommen", "fünf Wochen verlängert")

	// After the end nothing of a statement changes.
	ta.store.DB.Exec(`UPDATE consultations SET ends_at = now() - interval '1 minute' WHERE id = ?`, id)
	state(p, page, awo, "zeitplan", "Zu spät geändert.").wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, "geendet")
	if n := ta.count(`SELECT count(*) FROM consultation_statements WHERE body = 'Zu spät geändert.'`); n != 0 {
		t.Fatal("statement changed after the end")
	}
	attachmentAfterTheEnd(t, ta, p, page, awo)

	// The Abwägung is public and the lead's page says the call may now be published.
	ta.clock.Advance(2 * time.Hour)
	l.post(base+"/beteiligung/abwaegung", nil).wantStatus(t, http.StatusSeeOther)
	l.get(base+"/beteiligung").wantContains(t, "Abwägung (PDF)")
	abw := anon.get(page+"/abwaegung.pdf").wantStatus(t, http.StatusOK)
	if !strings.Contains(pdfText(t, abw.Body), "Anlage-AWO.pdf") {
		t.Error("the Abwägung does not list the statement's attachment by file name")
	}
	if n := ta.count(`SELECT count(*) FROM inbox_messages WHERE kind = 'consultation_weighed' AND call_id = ? AND org_id IN (?, ?)`, callID, awo, caritas); n != 2 {
		t.Fatalf("Abwägung messages %d", n)
	}
}

// state sends a statement of org (0: the form names none) through the upload form.
func state(c *client, page string, org int64, section, body string, file ...uploadPart) *response {
	parts := []uploadPart{{Name: "section", Value: section}, {Name: "body", Value: body}}
	if org != 0 {
		parts = append([]uploadPart{{Name: "org", Value: fmt.Sprint(org)}}, parts...)
	}
	return c.upload(page+"/stellungnahmen", true, append(parts, file...)...)
}
