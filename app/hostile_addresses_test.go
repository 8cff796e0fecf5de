package app_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"kimibv/models/demo"
	"kimibv/models/rules"
)

// hostileAddressValue is a value put into a path parameter or query parameter, as it
// appears in the address (already escaped); refused marks the values that
// rejectInvalidInput answers with 400 before any handler.
type hostileAddressValue struct {
	name, raw string
	refused   bool
}

var hostileAddressValues = []hostileAddressValue{
	{"NUL", "%00", true},
	{"broken UTF-8", "%FF%FE", true},
	{"embedded NUL", "a%00b", true},
	{"5000 bytes", strings.Repeat("9", 5000), true},
	{"path traversal", "..%2F..%2F..%2Fetc%2Fpasswd", false},
	{"literal path traversal", "../../../etc/passwd", false},
	{"script", "%3Cscript%3Ealert(1)%3C%2Fscript%3E", false},
}

// hostileQueryKeys are the query parameters handlers read (grep c.QueryParam) and a few
// common ones they do not.
var hostileQueryKeys = []string{"kreis", "seite", "page", "q", "status", "next", "cursor", "weitere", "fassung", "von", "zu",
	"actor", "action", "object_type", "object_id", "from", "to", "_csrf"}

// leaks are what an answer must never show: traces of a panic, a database error, a file.
var leaks = []string{"goroutine ", "runtime error", "panic:", ".go:", "SQLSTATE", "invalid byte sequence", "root:x:0:0", "<script>alert(1)"}

// addressIDs are the demo values of the path parameters, for the parameters not under test.
func addressIDs(ta *testApp) map[string]string {
	callID, _ := ta.openCall()
	awo := ta.orgID("Arbeiterwohlfahrt")
	n := func(q string, args ...any) string { return fmt.Sprint(ta.count(q, args...)) }
	return map[string]string{
		"kreis": "musterland", "call": fmt.Sprint(callID), "id": fmt.Sprint(callID), "org": fmt.Sprint(awo),
		"bid":          n(`SELECT COALESCE(max(id), 0) FROM bids WHERE org_id = ? AND call_id = ?`, awo, callID),
		"user":         n(`SELECT id FROM users WHERE email = 'gremium2@musterland.example'`),
		"q":            n(`SELECT COALESCE(max(id), 0) FROM questions WHERE call_id = ?`, callID),
		"consultation": n(`SELECT COALESCE(max(id), 0) FROM consultations`), "st": n(`SELECT COALESCE(max(id), 0) FROM consultation_statements`),
		"file": n(`SELECT COALESCE(max(file_id), 0) FROM bid_version_files`),
		"msg":  n(`SELECT COALESCE(max(id), 0) FROM inbox_messages WHERE org_id = ?`, awo),
		"key":  "U1", "step": string(rules.StepAnswers), "schritt": rules.CallStepBasics, "a": "1", "b": "2", "v": "1", "doc": "1", "req": "1", "obj": "1",
		"notice": "1", "mail": "1", "answer": "1", "member": n(`SELECT id FROM users WHERE email = 'awo@traeger.example'`),
		"token": "ungueltiges-token-0000000000000000", "*": "css/app.css",
	}
}

// withParam returns the route filled with ids, with the raw value at path segment i.
func withParam(route string, ids map[string]string, i int, raw string) string {
	parts := strings.Split(route, "/")
	filled := strings.Split(fillRoute(route, ids, nil), "/")
	if parts[i] == "*" { // always last; its demo value spans two segments
		return strings.Join(filled[:i], "/") + "/" + raw
	}
	filled[i] = raw
	return strings.Join(filled, "/")
}

// hostileRequest is one GET of the sweep.
type hostileRequest struct {
	actor, what, path string
	refused           bool
}

// sweepActors are the three clients of the sweep.
var sweepActors = []string{"anon", "lead", "provider"}

// reaching lists the actors whose requests to route get past the role checks into the
// handler: the provider under /traeger/, the lead on the other protected pages (a
// council or operator page answers him 404 after the Kreis lookup), all on public pages.
func reaching(route string) []string {
	switch {
	case strings.HasPrefix(route, "/traeger/"):
		return []string{"provider"}
	case strings.HasPrefix(route, "/verwaltung/"), strings.HasPrefix(route, "/kreistag/"), strings.HasPrefix(route, "/konto"),
		strings.HasPrefix(route, "/betrieb"):
		return []string{"lead"}
	}
	return sweepActors
}

// hostileSweep lists the GETs of TestHostileAddressesNeverFail. Values that the handlers
// see (path traversal, script) go to every path parameter and into the query as every
// actor who reaches the route's handler; the literal traversal, which leaves the route,
// only into its first parameter. The refused values are answered before the session is
// even loaded, whoever asks: each (route, parameter) and each route's query gets one of
// them, the value and the actor taking turns, so that every route and every value is
// met by all three actors across the sweep.
func hostileSweep(routes []routeKey, ids map[string]string) []hostileRequest {
	var reqs []hostileRequest
	turn := 0
	refused := func(what string, at func(raw string) string) {
		v := hostileAddressValues[turn%4]
		reqs = append(reqs, hostileRequest{sweepActors[turn%3], what + " = " + v.name, at(v.raw), true})
		turn++
	}
	for _, r := range routes {
		if r.Method != http.MethodGet {
			continue
		}
		first := true
		for i, p := range strings.Split(r.Path, "/") {
			if !strings.HasPrefix(p, ":") && p != "*" {
				continue
			}
			at := func(raw string) string { return withParam(r.Path, ids, i, raw) }
			refused(p, at)
			for _, v := range hostileAddressValues[4:] {
				if v.name == "literal path traversal" && !first && p != "*" {
					continue
				}
				for _, actor := range reaching(r.Path) {
					reqs = append(reqs, hostileRequest{actor, p + " = " + v.name, at(v.raw), false})
				}
			}
			first = false
		}
		query := func(raw string) string {
			q := make([]string, len(hostileQueryKeys))
			for i, k := range hostileQueryKeys {
				q[i] = k + "=" + raw
			}
			return fillRoute(r.Path, ids, nil) + "?" + strings.Join(q, "&")
		}
		refused("query", query)
		for _, v := range hostileAddressValues[4:] {
			if !strings.Contains(v.raw, "%") {
				continue // a literal path is no query value
			}
			for _, actor := range reaching(r.Path) {
				reqs = append(reqs, hostileRequest{actor, "query = " + v.name, query(v.raw), false})
			}
		}
	}
	return reqs
}

// TestHostileAddressesNeverFail puts NUL bytes, broken UTF-8, a 5000-byte value, path
// traversal and a script tag into every path parameter of every GET route, and into the
// query parameters handlers read, as an anonymous visitor, the Kreis lead and a provider
// (hostileSweep): no answer is 5xx or shows a trace, and the invalid characters and the
// over-long value are refused with the German 400 page.
func TestHostileAddressesNeverFail(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	clients := map[string]*client{"anon": ta.client(), "lead": ta.client(), "provider": ta.client()}
	clients["lead"].login("leitung@musterland.example", demo.Password)
	clients["provider"].login("awo@traeger.example", demo.Password)
	reqs := hostileSweep(ta.routes(), addressIDs(ta))
	start := time.Now()
	work := make(chan hostileRequest)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for rq := range work {
				checkHostileAnswer(t, rq, clients[rq.actor].get(rq.path))
			}
		}()
	}
	for _, rq := range reqs {
		work <- rq
	}
	close(work)
	wg.Wait()
	t.Logf("%d hostile GETs in %s", len(reqs), time.Since(start).Round(time.Millisecond))
}

// checkHostileAnswer fails on a 5xx or a leak, and on anything but the German 400 page
// for a value rejectInvalidInput must refuse.
func checkHostileAnswer(t *testing.T, rq hostileRequest, res *response) {
	t.Helper()
	if res.Status >= 500 {
		t.Errorf("%s GET %.200s (%s): status %d", rq.actor, rq.path, rq.what, res.Status)
	}
	for _, l := range leaks {
		if strings.Contains(res.Body, l) {
			t.Errorf("%s GET %.200s (%s): answer shows %q", rq.actor, rq.path, rq.what, l)
		}
	}
	if rq.refused && (res.Status != http.StatusBadRequest ||
		!strings.Contains(res.Body, "Die Anfrage enthält ungültige Zeichen") && !strings.Contains(res.Body, "Die Adresse ist zu lang")) {
		t.Errorf("%s GET %.200s (%s): status %d, want the German 400 page", rq.actor, rq.path, rq.what, res.Status)
	}
}

// TestInvalidCharactersRefusedWhereTheyFailedBefore: the addresses and the login field
// that answered 500 (PostgreSQL: invalid byte sequence) answer the German 400 page.
func TestInvalidCharactersRefusedWhereTheyFailedBefore(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	anon := ta.client()
	for _, bad := range []string{"%00", "%FF%FE", "a%00b"} {
		for _, p := range []string{"/ausschreibungen?kreis=" + bad, "/vergaben?kreis=" + bad, "/ausschreibungen/" + bad,
			"/ausschreibungen/" + bad + "/fragen", "/ausschreibungen/" + bad + "/fassungen", "/ausschreibungen/" + bad + "/termine.ics",
			"/vergaben/" + bad, "/ocds/" + bad + "/releases.json", "/ausschreibungen/" + bad + "/"} {
			anon.get(p).wantStatus(t, http.StatusBadRequest).wantContains(t, "Die Anfrage enthält ungültige Zeichen", "Ungültige Anfrage")
		}
		email, _ := url.QueryUnescape(bad)
		anon.post("/anmelden", url.Values{"email": {email + "@traeger.example"}, "password": {"x"}}).
			wantStatus(t, http.StatusBadRequest).wantContains(t, "Die Anfrage enthält ungültige Zeichen")
	}
	anon.get("/vergaben?kreis="+strings.Repeat("x", 2001)).wantStatus(t, http.StatusBadRequest).wantContains(t, "Die Adresse ist zu lang")
	anon.get("/ausschreibungen?kreis="+strings.Repeat("x", 2000)).wantStatus(t, http.StatusOK)
	req, _ := http.NewRequest(http.MethodGet, anon.base+"/ausschreibungen", nil)
	req.Header.Set("If-None-Match", "W/\"\xff\xfe\"")
	anon.do(req).wantStatus(t, http.StatusBadRequest).wantContains(t, "Die Anfrage enthält ungültige Zeichen")
	req, _ = http.NewRequest(http.MethodGet, anon.base+"/ausschreibungen", nil)
	req.Header.Set("Cookie", "fremd=\xff\xfe; kimibv_csrf=x")
	anon.do(req).wantStatus(t, http.StatusOK) // a stray cookie of another site is no reason to refuse
}

// TestInvalidCharactersInFormsChangeNothing posts a NUL byte or broken UTF-8 in one field
// (or field name) of a handful of forms — url-encoded, multipart and a streamed upload —
// as the actor who may send them: each answers the German 400 page and nothing in the
// database changes.
func TestInvalidCharactersInFormsChangeNothing(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	callID, ref := ta.openCall()
	awo := fmt.Sprint(ta.orgID("Arbeiterwohlfahrt"))
	q := ta.count(`SELECT max(id) FROM questions WHERE call_id = ? AND answer_id IS NULL`, callID)
	anon, lead, prov := ta.client(), ta.client(), ta.client()
	lead.login("leitung@musterland.example", demo.Password)
	prov.login("awo@traeger.example", demo.Password)
	tables := []string{"audit_log", "users", "organizations", "questions", "qa_answers", "org_documents", "files", "outbox", "inbox_messages"}
	snapshot := func() string {
		parts := make([]string, len(tables))
		for i, tb := range tables {
			parts[i] = fmt.Sprintf("%s=%d", tb, ta.count(`SELECT count(*) FROM `+tb))
		}
		return strings.Join(parts, " ")
	}
	before := snapshot()
	refused := func(what string, res *response) {
		t.Helper()
		if res.Status != http.StatusBadRequest || !strings.Contains(res.Body, "Die Anfrage enthält ungültige Zeichen") {
			t.Errorf("%s: status %d, want the German 400 page", what, res.Status)
		}
	}
	for _, bad := range []string{"a\x00b", "\xff\xfe"} {
		for _, f := range []struct {
			c    *client
			path string
			form url.Values
		}{
			{anon, "/anmelden", url.Values{"email": {"x" + bad + "@traeger.example"}, "password": {"Demo-Passwort-2026"}}},
			{anon, "/anmelden", url.Values{"email" + bad: {"awo@traeger.example"}, "password": {"Demo-Passwort-2026"}}},
			{anon, "/passwort-vergessen", url.Values{"email": {"awo" + bad + "@traeger.example"}}},
			{anon, "/registrieren", url.Values{"org_name": {"Verein " + bad}, "name": {"Nina Neu"}, "email": {"neu@traeger.example"},
				"password": {"ein-langes-Passwort-2026"}, "password_confirm": {"ein-langes-Passwort-2026"}, "privacy": {"1"}}},
			{prov, "/ausschreibungen/" + ref + "/fragen", url.Values{"org": {awo}, "question": {"Gilt das auch für " + bad + "?"}}},
			{lead, fmt.Sprintf("/verwaltung/musterland/verfahren/%d/fragen/%d/antwort", callID, q),
				url.Values{"question": {"Frage?"}, "answer": {"Antwort " + bad}}},
		} {
			refused(fmt.Sprintf("POST %s %q", f.path, f.form), f.c.post(f.path, f.form))
			if f.form.Get("email"+bad) == "" { // in a multipart header Go's reader refuses the whole form (403: no token)
				refused(fmt.Sprintf("multipart POST %s %q", f.path, f.form), f.c.submit(htmlForm{Action: f.path, Multipart: true}, f.form, ""))
			}
		}
		upload := htmlForm{Action: "/traeger/" + awo + "/dokumente", Multipart: true, Files: []string{"datei"}}
		refused("streamed upload", prov.submit(upload, url.Values{"doc_type": {"satzung"}, "issued_on": {"01.01.2024"}, "note": {bad}}, "satzung.pdf"))
	}
	if after := snapshot(); after != before {
		t.Errorf("refused forms changed the database:\n before %s\n after  %s", before, after)
	}
}
