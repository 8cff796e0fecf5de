package app_test

import (
	"encoding/csv"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"kimibv/models/audit"
)

// rawTrailPatterns are what a trail people read must never show: JSON, internal action
// names, chain keys, object references, English truth values, decimal points.
var rawTrailPatterns = []*regexp.Regexp{
	regexp.MustCompile(`[{}]|":`),
	regexp.MustCompile(`\b(auth|user|tenant|call|bids?|question|opening|formal|coi|committee|sheet|consolidation|decision|notices|objection|outbox|council|document|organization|wallet|invitation)\.[a-z_]+\b`),
	regexp.MustCompile(`\b(kreis|call|bids|bid_version|call_version|platform):\d*`),
	regexp.MustCompile(`\b(true|false|null)\b`),
	regexp.MustCompile(`(^|[^0-9.])[0-9]+\.[0-9]{2}([^0-9.]|$)`),
	regexp.MustCompile(`\b(org_id|user_id|call_id|bid_id|content_sha256|head_hash|allocation|items|met)\b`),
}

var (
	htmlTags  = regexp.MustCompile(`(?s)<[^>]*>`)
	olderLink = regexp.MustCompile(`href="([^"]*)">Ältere Einträge`)
	mainPart  = regexp.MustCompile(`(?s)<main.*</main>`)
)

// visibleText is the text of a page's main part as a reader sees it.
func visibleText(body string) string {
	if m := mainPart.FindString(body); m != "" {
		body = m
	}
	return html.UnescapeString(htmlTags.ReplaceAllString(body, " "))
}

// wantNoRawTrail fails for every raw key, JSON or internal reference in text.
func wantNoRawTrail(t *testing.T, what, text string) {
	t.Helper()
	for _, p := range rawTrailPatterns {
		if m := p.FindAllString(text, 5); len(m) > 0 {
			i := strings.Index(text, m[0])
			t.Errorf("%s shows %q (%s): …%s…", what, m, p, text[max(0, i-80):min(len(text), i+80)])
		}
	}
}

// openedEvalEnv is the demo with its open call past the deadline and opened by both
// openers through the pages, so that its sealed trails have joined the protocol.
func openedEvalEnv(t *testing.T) *evalEnv {
	e := newEvalEnv(t)
	e.passDeadline(t)
	e.as(t, "leitung").get(e.base).wantStatus(t, 200)
	e.as(t, "oeffnung1").postConfirmed(e.base+"/oeffnung", url.Values{}).wantStatus(t, 303)
	e.as(t, "oeffnung2").postConfirmed(e.base+"/oeffnung", url.Values{}).wantStatus(t, 303)
	return e
}

func TestProtocolShowsNoRawKeysJSONOrInternalReferences(t *testing.T) {
	t.Parallel()
	e := openedEvalEnv(t)
	admin := e.as(t, "leitung") // the lead may know the bidders from the opening on
	var all strings.Builder
	next, pages := "/verwaltung/musterland/protokoll", 0
	for next != "" && pages < 50 {
		res := admin.get(next).wantStatus(t, 200)
		all.WriteString(visibleText(res.Body))
		next = ""
		if m := olderLink.FindStringSubmatch(res.Body); m != nil {
			next = html.UnescapeString(m[1])
		}
		pages++
	}
	text := all.String()
	wantNoRawTrail(t, "protocol", text)
	var ref string
	e.ta.store.DB.Raw(`SELECT ref FROM calls WHERE id = ?`, e.callID).Scan(&ref)
	for _, want := range []string{"Protokoll des Kreises", "Protokoll: Verfahren " + ref,
		"Eingangskette: Interessenbekundung von Arbeiterwohlfahrt Kreisverband Musterland e. V.", "Interessenbekundung eingereicht",
		"Fassung 1 der Interessenbekundung von Arbeiterwohlfahrt Kreisverband Musterland e. V.", "Öffnung bestätigt", "Olaf Öffner",
		"Eingangsketten", "Prüfwert des Inhalts", "Rollen", "Verfahrensleitung", "Olaf Öffner, Özlem Schlüter"} {
		if !strings.Contains(text, want) {
			t.Errorf("protocol lacks %q", want)
		}
	}
	if pages < 2 {
		t.Fatalf("only %d page(s) read; the test must page through the protocol", pages)
	}
	// The Kreis's administrator learns the bidders only with the public decision
	// (forbiddenMarkers of the access matrix): the protocol names no provider to them.
	res := e.as(t, "admin").get("/verwaltung/musterland/protokoll?action=bid.submitted").wantStatus(t, 200)
	if strings.Contains(res.Body, "Arbeiterwohlfahrt") || !strings.Contains(res.Body, "Eingangskette: eine Interessenbekundung") {
		t.Error("the administrator's protocol names the bidder before the decision")
	}
}

// kreisVisibleEntries counts the entries of Musterland's protocol (ListAudit's selection).
func kreisVisibleEntries(e *evalEnv, action string) int64 {
	return e.ta.count(`SELECT count(*) FROM audit_log a WHERE (a.tenant_id = (SELECT id FROM tenants WHERE slug = 'musterland')
		OR (a.chain LIKE 'bids:%' AND EXISTS (SELECT 1 FROM calls c WHERE c.id::text = split_part(a.chain, ':', 2) AND c.opened_at IS NOT NULL
			AND c.tenant_id = (SELECT id FROM tenants WHERE slug = 'musterland')))) AND (? = '' OR a.action = ?)`, action, action)
}

func TestProtocolExportCSV(t *testing.T) {
	t.Parallel()
	e := newEvalEnv(t)
	path := "/verwaltung/musterland/protokoll.csv"
	// Sealed: before the opening the export holds no bid event.
	res := e.as(t, "admin").get(path).wantStatus(t, 200)
	if strings.Contains(res.Body, "Interessenbekundung eingereicht") || strings.Contains(res.Body, "Eingangskette") {
		t.Fatal("the export shows a sealed bid before the opening")
	}
	e.passDeadline(t)
	e.as(t, "leitung").get(e.base).wantStatus(t, 200)
	e.as(t, "oeffnung1").postConfirmed(e.base+"/oeffnung", url.Values{}).wantStatus(t, 303)
	e.as(t, "oeffnung2").postConfirmed(e.base+"/oeffnung", url.Values{}).wantStatus(t, 303)

	for _, who := range []string{"gremium1", "oeffnung1", "kreistag", "awo", "beispielhausen"} {
		e.as(t, who).get(path).wantStatus(t, 404)
	}
	res = e.as(t, "leitung").get(path).wantStatus(t, 200)
	if ct := res.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" || !strings.Contains(res.Header.Get("Content-Disposition"), `attachment; filename="protokoll-musterland.csv"`) {
		t.Fatalf("headers %q %q", ct, res.Header.Get("Content-Disposition"))
	}
	if !strings.HasPrefix(res.Body, "\ufeffProtokoll;Kreis Musterland\r\n") {
		t.Fatalf("no BOM or title: %q", res.Body[:min(60, len(res.Body))])
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(res.Body, "\ufeff")))
	r.Comma, r.FieldsPerRecord = ';', -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// The blank line between the chain check and the entries is skipped by the reader.
	head, n, _ := strings.Cut(recs[3][1], " – alle ")
	hash, entries := "", e.ta.count(`SELECT head_seq FROM audit_chains WHERE chain = 'kreis:' || (SELECT id FROM tenants WHERE slug = 'musterland')`)
	e.ta.store.DB.Raw(`SELECT head_hash FROM audit_chains WHERE chain = 'kreis:' || (SELECT id FROM tenants WHERE slug = 'musterland')`).Scan(&hash)
	if recs[3][0] != "Prüfung der Protokollkette" || head != "unverändert" || n != fmt.Sprintf("%d Einträge nachgerechnet", entries) ||
		recs[4][1] != strconv.FormatInt(entries, 10) || recs[5][1] != hash {
		t.Fatalf("chain check %q, want %d entries and head %s", recs[3:6], entries, hash)
	}
	if got := strings.Join(recs[6], ";"); got != "Zeit;Person;Aktion;Objekt;Einzelheiten;Protokollkette;Nr.;Hash (SHA-256)" {
		t.Fatalf("header %q", got)
	}
	rows := recs[7:]
	if want := kreisVisibleEntries(e, ""); int64(len(rows)) != want {
		t.Fatalf("%d rows, want %d", len(rows), want)
	}
	var body strings.Builder
	for _, row := range rows {
		body.WriteString(strings.Join(row[:6], " ") + "\n")
	}
	wantNoRawTrail(t, "CSV export", body.String())
	if !strings.Contains(body.String(), "Interessenbekundung eingereicht") {
		t.Error("the opened bids' trails are missing")
	}
	// The filter of the page applies; a bad filter is refused with the page's message.
	res = e.as(t, "admin").get(path+"?action=bid.submitted").wantStatus(t, 200)
	if lines := strings.Count(res.Body, "\r\n") - 8; int64(lines) != kreisVisibleEntries(e, "bid.submitted") || !strings.Contains(res.Body, "Auswahl;Aktion: Interessenbekundung eingereicht") {
		t.Fatalf("filtered export has %d rows:\n%s", lines, res.Body)
	}
	e.as(t, "admin").get(path+"?from=31.02.2026").wantStatus(t, 422).wantContains(t, "Bitte geben Sie das Datum „von“ im Format TT.MM.JJJJ an")
}

func TestProtocolExportPDF(t *testing.T) {
	t.Parallel()
	e := openedEvalEnv(t)
	path := "/verwaltung/musterland/protokoll.pdf"
	for _, who := range []string{"gremium1", "kreistag", "awo", "beispielhausen"} {
		e.as(t, who).get(path).wantStatus(t, 404)
	}
	res := e.as(t, "leitung").get(path+"?action=bid.submitted").wantStatus(t, 200)
	if res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(res.Body, "%PDF-") {
		t.Fatalf("not a PDF: %q", res.Header.Get("Content-Type"))
	}
	var hash string
	e.ta.store.DB.Raw(`SELECT head_hash FROM audit_chains WHERE chain = 'kreis:' || (SELECT id FROM tenants WHERE slug = 'musterland')`).Scan(&hash)
	entries := e.ta.count(`SELECT head_seq FROM audit_chains WHERE chain = 'kreis:' || (SELECT id FROM tenants WHERE slug = 'musterland')`)
	txt := pdfText(t, res.Body)
	wantText(t, "protocol PDF", txt, "Protokoll", "Prüfung der Protokollkette", fmt.Sprintf("unverändert – alle %d Einträge nachgerechnet", entries),
		hash[:32], "Aktion: Interessenbekundung eingereicht", "Arbeiterwohlfahrt", "kein ausgestelltes Dokument")
	wantNoRawTrail(t, "PDF export", strings.ReplaceAll(txt, hash, ""))
}

func TestCouncilReadsTheTrailFromTheOpeningOn(t *testing.T) {
	t.Parallel()
	e := newEvalEnv(t)
	trail := fmt.Sprintf("/kreistag/musterland/verfahren/%d/protokoll", e.callID)
	council := e.as(t, "kreistag")
	// Before the opening the trail does not exist for the council, nor is it linked.
	council.get(trail).wantStatus(t, 404)
	if strings.Contains(council.get(fmt.Sprintf("/kreistag/musterland/verfahren/%d", e.callID)).Body, trail) {
		t.Fatal("the trail is linked before the opening")
	}
	e.passDeadline(t)
	e.as(t, "leitung").get(e.base).wantStatus(t, 200)
	council.get(trail).wantStatus(t, 404)
	e.as(t, "oeffnung1").postConfirmed(e.base+"/oeffnung", url.Values{}).wantStatus(t, 303)
	e.as(t, "oeffnung2").postConfirmed(e.base+"/oeffnung", url.Values{}).wantStatus(t, 303)

	res := council.get(trail).wantStatus(t, 200)
	text := visibleText(res.Body)
	wantNoRawTrail(t, "council trail", text)
	// The council learns the bidders with the public decision, not at the opening.
	for _, want := range []string{"Protokollkette des Verfahrens geprüft: unverändert", "Öffnung bestätigt", "Interessenbekundungen geöffnet",
		"Versiegelte Eingangskette bei der Öffnung angeschlossen", "Eingangskette: eine Interessenbekundung"} {
		if !strings.Contains(text, want) {
			t.Errorf("council trail lacks %q", want)
		}
	}
	// Nothing from before the opening: neither the bid's own trail nor the procedure's
	// steps before it (drafting, committee, questions).
	for _, hidden := range []string{"Arbeiterwohlfahrt", "Interessenbekundung eingereicht", "Interessenbekundung begonnen", "Unterlage zur Interessenbekundung",
		"Ausschreibung veröffentlicht", "Frage gestellt", "Öffnungsberechtigte und Bewertungsgremium benannt"} {
		if strings.Contains(text, hidden) {
			t.Errorf("council trail shows %q from before the opening", hidden)
		}
	}
	if !strings.Contains(council.get(fmt.Sprintf("/kreistag/musterland/verfahren/%d", e.callID)).Body, `href="`+trail+`"`) {
		t.Error("the procedure page does not link the trail")
	}
	// Other readers: 404.
	for _, who := range []string{"gremium1", "leitung", "admin", "awo", "beispielhausen"} {
		e.as(t, who).get(trail).wantStatus(t, 404)
	}
	e.as(t, "kreistag").get(fmt.Sprintf("/kreistag/beispielhausen/verfahren/%d/protokoll", e.callID)).wantStatus(t, 404)
	if n := e.ta.count(`SELECT count(*) FROM audit_log WHERE chain = ?`, audit.CallChain(e.callID)); n < 5 {
		t.Fatalf("call chain has %d entries", n)
	}
}
