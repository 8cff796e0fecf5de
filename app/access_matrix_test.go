package app_test

import (
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// TestAccessMatrix requests every route of the router as every actor in every procedure
// state of the demo call (open, closed unopened, opened with a COI exclusion and one of two
// sheets in, consolidated) and compares the outcome with accessTable. GET routes are
// checked for every actor; POST routes only for the actors who must be refused, and the
// main tables must not change. A route without an entry fails the test.
func TestAccessMatrix(t *testing.T) {
	t.Parallel() // long: overlaps with the other long tests at the end of the package run
	if testing.Short() {
		t.Skip("access matrix: long")
	}
	e := newMatrixEnv(t)
	table := accessTable()
	var missing []string
	for _, r := range e.routes {
		if _, ok := table[r.Method+" "+r.Path]; !ok {
			missing = append(missing, r.Method+" "+r.Path)
		}
	}
	if len(missing) > 0 {
		t.Fatalf("routes without an entry in accessTable (add one):\n  %s", strings.Join(missing, "\n  "))
	}
	sort.Slice(e.routes, func(i, j int) bool {
		return e.routes[i].Path+e.routes[i].Method < e.routes[j].Path+e.routes[j].Method
	})
	e.loginPasswordOnlyClients(t)
	checks, posts, pwOnly := 0, 0, 0
	for i, st := range procStates {
		if i > 0 {
			e.advance(t, st)
		}
		stateBefore := e.snapshot()
		for _, r := range e.routes {
			exp := table[r.Method+" "+r.Path]
			for _, who := range allActors {
				for _, v := range e.variants(r.Path, who) {
					want := exp.expect(who, st, v.cross, r.Path)
					if want == ok && !v.cross && st == "opened" && slices.Contains(passwordOnlyActors, who) {
						pwOnly += e.checkPasswordOnly(t, st, who, r.Path, v.path, exp, r.Method) // R29
					}
					if r.Method == http.MethodPost {
						if exp.public || want == ok {
							continue // permitted POSTs are exercised by the hostile-input corpus
						}
						e.checkPost(t, st, who, r.Path, v.path)
						posts++
						continue
					}
					got, body := e.get(who, v.path)
					checks++
					if got != want {
						t.Errorf("[%s] %s GET %s: got %s, want %s", st, who, v.path, got, want)
					}
					for _, m := range forbiddenMarkers(who, st, v.path) {
						if strings.Contains(body, m) {
							t.Errorf("[%s] %s GET %s: answer contains %q", st, who, v.path, m)
						}
					}
				}
			}
		}
		if after := e.snapshot(); after != stateBefore {
			t.Errorf("[%s] the GETs and refused POSTs of this state changed the database (a GET never writes):\n before %s\n after  %s", st, stateBefore, after)
		}
	}
	t.Logf("access matrix: %d routes × %d actors × %d states: %d GET checks, %d refused POSTs (database unchanged), %d password-only requests refused",
		len(e.routes), len(allActors), len(procStates), checks, posts, pwOnly)
	if pwOnly == 0 {
		t.Error("no password-only session was checked")
	}
}

// expect is the outcome for actor on this route in state; cross marks the variant where
// a Beispielhausen actor uses its own :kreis or the other provider its own :org.
func (a access) expect(actor, state string, cross bool, path string) string {
	if a.fixed != "" {
		return a.fixed
	}
	if a.public {
		if o, found := a.states[state]; found {
			return o
		}
		return ok
	}
	if actor == "anon" {
		return login
	}
	if cross {
		deep := regexp.MustCompile(`:(call|bid|doc|id|file|user|req|q|obj|mail)\b`).MatchString(path)
		switch {
		case strings.HasPrefix(path, "/traeger/:org") && actor == "prov_other" && !deep && slices.Contains(a.allow, "prov_bid"):
			return ok
		case strings.HasPrefix(actor, "bh_") && !deep && slices.Contains(a.bhMay, actor):
			return ok
		}
		return nf
	}
	if o, found := a.per[state+"/"+actor]; found {
		return o
	}
	if o, found := a.per["*/"+actor]; found && a.states[state] == "" {
		return o
	}
	if !slices.Contains(a.allow, actor) {
		return nf
	}
	if o, found := a.states[state]; found {
		return o
	}
	return ok
}

type variant struct {
	path  string
	cross bool
}

// variants are the concrete paths an actor requests for a route: the demo's ids, plus
// its own Kreis or organisation with the demo's other ids (forged ids).
func (e *matrixEnv) variants(route, actor string) []variant {
	out := []variant{{e.fill(route, nil), false}}
	switch {
	case strings.Contains(route, ":kreis") && strings.HasPrefix(actor, "bh_"):
		out = append(out, variant{e.fill(route, map[string]string{"kreis": "beispielhausen"}), true})
	case strings.Contains(route, ":org") && actor == "prov_other":
		out = append(out, variant{e.fill(route, map[string]string{"org": fmt.Sprint(e.ta.count(`SELECT org_id FROM organization_members m JOIN users u ON u.id = m.user_id WHERE u.email = 'diakonie@traeger.example'`))}), true})
	}
	return out
}

// fill replaces the route's parameters with demo ids (over takes precedence).
func (e *matrixEnv) fill(route string, over map[string]string) string {
	return fillRoute(route, e.ids, over)
}

// fillRoute replaces the route's parameters with the values of ids by name (over takes
// precedence); :id and :user under /traeger/ are looked up as notice, msg and member.
func fillRoute(route string, ids, over map[string]string) string {
	parts := strings.Split(route, "/")
	for i, p := range parts {
		name := strings.TrimPrefix(p, ":")
		if p == "*" {
			name = "*"
		} else if name == p {
			continue
		}
		switch {
		case name == "id" && strings.Contains(route, "/mitteilungen/"):
			name = "notice"
		case name == "id" && strings.HasPrefix(route, "/traeger/"):
			name = "msg"
		case name == "user" && strings.HasPrefix(route, "/traeger/"):
			name = "member"
		}
		val, found := over[name]
		if !found {
			val = ids[name]
		}
		parts[i] = val
	}
	return strings.Join(parts, "/")
}

// get requests path as actor and classifies the answer.
func (e *matrixEnv) get(actor, path string) (string, string) {
	res := e.clients[actor].get(path)
	return classify(res), res.Body
}

func classify(res *response) string {
	switch {
	case res.Status >= 200 && res.Status < 300:
		return ok
	case res.Status >= 300 && res.Status < 400:
		if strings.HasPrefix(res.Header.Get("Location"), "/anmelden") {
			return login
		}
		return ok
	}
	return strconv.Itoa(res.Status)
}

// checkPost posts an empty form (with a valid CSRF token) as an actor who must be refused
// and checks that the answer refuses and the main tables did not change.
func (e *matrixEnv) checkPost(t *testing.T, state, actor, route, path string) {
	t.Helper()
	before := e.snapshot()
	c := e.clients[actor]
	req, _ := http.NewRequest(http.MethodPost, c.base+path, forgedForm(c.csrfToken(), e.fileField(route)))
	req.Header.Set("Content-Type", forgedContentType)
	req.Header.Set("X-CSRF-Token", c.csrfToken())
	got := classify(c.do(req))
	if got != login && got != nf && got != forb {
		t.Errorf("[%s] %s POST %s (%s): got %s, want a refusal (login/404/403)", state, actor, path, route, got)
	}
	if after := e.snapshot(); after != before {
		t.Errorf("[%s] %s POST %s changed the database:\n before %s\n after  %s", state, actor, path, before, after)
	}
}

// forgedContentType is the multipart boundary of forgedForm.
const forgedContentType = "multipart/form-data; boundary=matrixboundary"

// forgedForm is a plausible form for any POST route (CSRF token first, as uploads need it,
// then common fields with valid values and a small PDF), so that a refusal is not merely
// a validation error.
func forgedForm(token, fileField string) io.Reader {
	var b strings.Builder
	field := func(name, value string) {
		fmt.Fprintf(&b, "--matrixboundary\r\nContent-Disposition: form-data; name=%q\r\n\r\n%s\r\n", name, value)
	}
	field("_csrf", token)
	for k, v := range map[string]string{"role": "org_admin", "email": "forged@traeger.example", "reason": "Gefälschte Begründung",
		"body": "Gefälschte Frage", "text": "Gefälschte Antwort", "doc_type": "satzung", "issued_on": "01.01.2024", "tie": "none", "confirm": "1"} {
		field(k, v)
	}
	b.WriteString("--matrixboundary\r\nContent-Disposition: form-data; name=\"" + fileField + "\"; filename=\"x.pdf\"\r\nContent-Type: application/pdf\r\n\r\n")
	b.WriteString("%PDF-1.4\n%%EOF\n\r\n--matrixboundary--\r\n")
	return strings.NewReader(b.String())
}

// fileField is the name of the file input of an upload route.
func (e *matrixEnv) fileField(route string) string {
	if strings.Contains(route, "/unterlagen/:key") {
		return "doc_" + e.ids["key"]
	}
	if strings.HasSuffix(route, "/stellungnahmen") {
		return "anhang"
	}
	if strings.HasSuffix(route, "/kreistag/anlagen") {
		return "anlage"
	}
	return "datei"
}

// sessionTables change on every request of a logged-in user (idle timeout, flash
// messages, the last use of a listed login); they are the only tables a GET may write.
var sessionTables = []string{"sessions", "user_sessions", "goose_db_version"}

// snapshot fingerprints every other table: its row count and the newest row version
// (xmin), so an insert, an update and a delete all change it. It is taken around every
// refused POST and around all the requests of a state.
func (e *matrixEnv) snapshot() string {
	var tables []string
	if err := e.ta.store.DB.Raw(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN ? ORDER BY tablename`,
		sessionTables).Scan(&tables).Error; err != nil {
		e.ta.t.Fatal(err)
	}
	parts := make([]string, len(tables))
	for i, tb := range tables {
		parts[i] = fmt.Sprintf(`'%[1]s:' || (SELECT count(*) || '/' || coalesce(max(xmin::text::bigint), 0) FROM %[1]q)`, tb)
	}
	var s string
	if err := e.ta.store.DB.Raw("SELECT concat_ws(',', " + strings.Join(parts, ", ") + ")").Scan(&s).Error; err != nil {
		e.ta.t.Fatal(err)
	}
	return s
}
