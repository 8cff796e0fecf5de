package app_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"kimibv/models/demo"
	"kimibv/models/rules"
)

// hostilePayloads is the corpus typed into every field of every form.
var hostilePayloads = []string{
	"<script>alert(1)</script>",
	`"><img src=x onerror=alert(1)>`,
	"'; DROP TABLE users; --",
	strings.Repeat("Ü", 100000),
	"ung\xff\xfeltig",
	"Null\x00Byte",
	"Rechts\u202Enach links",
	"1e309",
	"99999999999999999999",
	"-5",
	"-0,05",
}

// rawActive is what must never appear unescaped in any page.
var rawActive = []string{"<script>alert(1)</script>", "<img src=x onerror=alert(1)>"}

// destructive forms run last: they may end the procedure or the session.
func destructive(action string) bool {
	for _, s := range []string{"/aufhebung", "/zurueckziehen", "/loeschen", "/entfernen", "/abmelden", "/einreichen", "/oeffnung", "/abschliessen", "/beschluss", "/mitteilungen", "/sperren"} {
		if strings.HasSuffix(action, s) {
			return true
		}
	}
	return false
}

// corpusForm is a form as one actor sees it.
type corpusForm struct {
	actor string
	form  htmlForm
}

// TestHostileInputCorpus types the corpus into every field of every POST form each actor
// can reach (one field at a time, the others as the page prefilled them) and forges every
// hidden field, in the open and the opened state of the demo call: no answer is 5xx;
// afterwards no page shows the payloads unescaped and no text column holds what a
// validator refuses (bidi overrides, 100 000 characters).
func TestHostileInputCorpus(t *testing.T) {
	t.Parallel() // long: overlaps with the other long tests at the end of the package run
	if testing.Short() {
		t.Skip("hostile corpus: long")
	}
	runCorpus(t, []string{"open", "closed", "opened"}, map[string]bool{"open": true, "opened": true}, func(string) bool { return true })
}

// TestHostileInputCorpusDecision sends the corpus to the forms of the decision stage
// (proposal, resolution, notices, objections, their answers, council declarations) once
// the consolidation is closed and once the notices are out.
func TestHostileInputCorpusDecision(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("hostile corpus: long")
	}
	runCorpus(t, procStates[:6], map[string]bool{"consolidated": true, "notified": true}, func(action string) bool {
		for _, s := range []string{"/entscheidung", "/mitteilungen", "/kreistag/", "/postausgang"} {
			if strings.Contains(action, s) {
				return true
			}
		}
		return false
	})
}

// runCorpus advances the demo call through states and, in the states marked, sends the
// corpus to every reachable form whose action passes only; destructive forms go last.
func runCorpus(t *testing.T, states []string, corpusIn map[string]bool, only func(string) bool) {
	e := newMatrixEnv(t)
	draftID := e.ta.count(`SELECT id FROM calls WHERE state = 'draft' ORDER BY id LIMIT 1`)
	diakonie := e.ta.count(`SELECT org_id FROM organization_members m JOIN users u ON u.id = m.user_id WHERE u.email = 'diakonie@traeger.example'`)
	forged := []string{"999999", fmt.Sprint(draftID), fmt.Sprint(diakonie), "-1", "0", "99999999999999999999", "1e309", "abc"}
	requests, late := 0, []corpusForm{}
	run := func(cf corpusForm) {
		c := e.clients[cf.actor]
		try := func(field, value string) {
			vals := url.Values{}
			for k, v := range cf.form.Fields {
				vals[k] = append([]string{}, v...)
			}
			fileName := "satzung.pdf"
			if field == "" {
				fileName = value // the payload as the uploaded file's name
			} else {
				vals.Set(field, value)
			}
			res := c.submit(cf.form, vals, fileName)
			requests++
			if res.Status >= 500 {
				t.Errorf("%s POST %s with %s=%.40q: status %d", cf.actor, cf.form.Action, field, value, res.Status)
			}
			for _, raw := range rawActive {
				if strings.Contains(res.Body, raw) {
					t.Errorf("%s POST %s with %s: answer echoes %q unescaped", cf.actor, cf.form.Action, field, raw)
				}
			}
		}
		for _, f := range cf.form.Editable {
			for _, p := range hostilePayloads {
				try(f, p)
			}
		}
		for _, f := range cf.form.Hidden {
			for _, v := range forged {
				try(f, v)
			}
		}
		if len(cf.form.Files) > 0 {
			for _, p := range hostilePayloads {
				try("", p)
			}
		}
	}
	forms, seen := 0, map[string]bool{}
	for i, st := range states {
		if i > 0 {
			e.advance(t, st)
		}
		if !corpusIn[st] {
			continue
		}
		for _, cf := range e.reachableForms(t, st, draftID, seen) {
			if !only(cf.form.Action) {
				continue
			}
			forms++
			t.Logf("form %s %s (%d fields, %d hidden)", cf.actor, cf.form.Action, len(cf.form.Editable), len(cf.form.Hidden))
			if destructive(cf.form.Action) {
				late = append(late, cf)
				continue
			}
			run(cf)
		}
	}
	for _, cf := range late {
		run(cf)
	}
	t.Logf("hostile corpus: %d forms, %d requests", forms, requests)
	if forms == 0 {
		t.Fatal("no form for the corpus")
	}
	e.crawlForRawPayloads(t, draftID)
	e.checkStoredText(t)
}

// reachableForms fetches every page the actors may see in state and returns the POST
// forms not seen before: one per actor and action, and one per action for the forms
// that are the same for everybody (account, login, registration: their password
// hashing makes each attempt slow).
func (e *matrixEnv) reachableForms(t *testing.T, state string, draftID int64, seen map[string]bool) []corpusForm {
	table := accessTable()
	found := 0
	var out []corpusForm
	for _, actor := range []string{"anon", "prov_bid", "lead", "opener", "eval", "council", "tadmin", "operator"} {
		for _, r := range e.routes {
			if r.Method != "GET" || table["GET "+r.Path].expect(actor, state, false, r.Path) != ok {
				continue
			}
			paths := []string{e.fill(r.Path, nil)}
			if strings.Contains(r.Path, ":call") {
				paths = append(paths, e.fill(r.Path, map[string]string{"call": fmt.Sprint(draftID)}))
			}
			if strings.Contains(r.Path, ":step") {
				for _, step := range rules.BidSteps {
					paths = append(paths, e.fill(r.Path, map[string]string{"step": string(step)}))
				}
			}
			for _, p := range paths {
				res := e.clients[actor].get(p)
				if res.Status != 200 || !strings.Contains(res.Header.Get("Content-Type"), "text/html") {
					continue
				}
				for _, f := range postForms(res.Body) {
					found++
					key := actor + " " + f.Action
					if !strings.ContainsAny(f.Action, "0123456789") && !strings.HasPrefix(f.Action, "/verwaltung/") {
						key = f.Action
					}
					if !seen[key] && f.Action != "/abmelden" {
						seen[key] = true
						out = append(out, corpusForm{actor, f})
					}
				}
			}
		}
	}
	if found < 10 {
		t.Fatalf("only %d forms found", found)
	}
	return out
}

// crawlForRawPayloads requests every GET route as every actor (main and draft call) and
// fails on an unescaped payload.
func (e *matrixEnv) crawlForRawPayloads(t *testing.T, draftID int64) {
	e.ids["q"] = fmt.Sprint(e.ta.count(`SELECT max(id) FROM questions`))
	pages := 0
	for _, actor := range allActors {
		for _, r := range e.routes {
			if r.Method != "GET" {
				continue
			}
			for _, p := range []string{e.fill(r.Path, nil), e.fill(r.Path, map[string]string{"call": fmt.Sprint(draftID), "id": fmt.Sprint(draftID)})} {
				res := e.clients[actor].get(p)
				pages++
				if res.Status >= 500 {
					t.Errorf("%s GET %s after the corpus: status %d", actor, p, res.Status)
				}
				if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
					// A CSV or calendar file carries the text as it is; it must never be
					// taken for a page.
					if res.Header.Get("X-Content-Type-Options") != "nosniff" {
						t.Errorf("%s GET %s: %s without X-Content-Type-Options: nosniff", actor, p, ct)
					}
					continue
				}
				for _, raw := range rawActive {
					if strings.Contains(res.Body, raw) {
						t.Errorf("%s GET %s shows %q unescaped", actor, p, raw)
					}
				}
			}
		}
	}
	t.Logf("crawled %d pages after the corpus", pages)
}

// checkStoredText looks through every text-like column for what validators refuse.
func (e *matrixEnv) checkStoredText(t *testing.T) {
	var cols []struct{ Table, Column string }
	if err := e.ta.store.DB.Raw(`SELECT table_name AS "table", column_name AS "column" FROM information_schema.columns
		WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'jsonb') AND table_name NOT IN ('sessions', 'goose_db_version')`).
		Scan(&cols).Error; err != nil {
		t.Fatal(err)
	}
	for _, c := range cols {
		q := fmt.Sprintf(`SELECT count(*) FROM %q WHERE strpos(%q::text, U&'\202E') > 0 OR strpos(%q::text, '\u202e') > 0 OR length(%q::text) >= 100000`,
			c.Table, c.Column, c.Column, c.Column)
		if n := e.ta.count(q); n > 0 {
			t.Errorf("%s.%s: %d rows with a bidi override or 100 000 characters", c.Table, c.Column, n)
		}
	}
}

// TestHostilePayloadInBekanntmachungPDF: the lead puts script and event-handler payloads
// into the draft call's title (through the step forms of the editor as the pages fill
// it) and publishes it; the issued Bekanntmachung shows them as literal text, and the
// public call page escapes them.
func TestHostilePayloadInBekanntmachungPDF(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	draftID := ta.count(`SELECT id FROM calls WHERE state = 'draft' ORDER BY id LIMIT 1`)
	lead := ta.client()
	lead.login("leitung@musterland.example", demo.Password)
	edit := fmt.Sprintf("/verwaltung/musterland/verfahren/%d", draftID)
	// stepForm returns the values of a step's form as the page fills it.
	stepForm := func(step string) url.Values {
		action := edit + "/entwurf/" + step
		for _, f := range postForms(lead.get(action).wantStatus(t, http.StatusOK).Body) {
			if f.Action == action {
				vals := url.Values{}
				for k, v := range f.Fields {
					vals[k] = v
				}
				return vals
			}
		}
		t.Fatalf("editor form of step %s not found", step)
		return nil
	}
	save := func(step string, vals url.Values) {
		vals.Set("action", "save")
		if res := lead.post(edit+"/entwurf/"+step, vals); res.Status != http.StatusSeeOther {
			t.Fatalf("save %s: %d %s", step, res.Status, regexp.MustCompile(`(?s)<ul class="kern-list">.*?</ul>`).FindString(res.Body))
		}
	}
	title := "Aufruf <script>alert(1)</script> und \"><img src=x onerror=alert(1)>"
	vals := stepForm("grunddaten")
	vals.Set("title", title)
	save("grunddaten", vals)
	vals = stepForm("zeitplan")
	for field, days := range map[string]int{"questions_until": 30, "deadline": 40, "planned_opening": 41, "planned_decision": 70} {
		vals.Set(field, time.Now().AddDate(0, 0, days).Format("2006-01-02")+"T12:00")
	}
	save("zeitplan", vals)
	if res := lead.post(edit+"/veroeffentlichen", url.Values{"bestaetigt": {"1"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("publish: %d %s", res.Status, regexp.MustCompile(`(?s)<ul class="kern-list">.*?</ul>`).FindString(res.Body))
	}
	page := ta.client().get(fmt.Sprintf("/ausschreibungen/%d", draftID)).wantStatus(t, http.StatusOK)
	for _, raw := range rawActive {
		if strings.Contains(page.Body, raw) {
			t.Fatalf("public call page shows %q unescaped", raw)
		}
	}
	page.wantContains(t, "&lt;script&gt;alert(1)&lt;/script&gt;")
	res := ta.client().get(fmt.Sprintf("/ausschreibungen/%d/bekanntmachung.pdf", draftID)).wantStatus(t, http.StatusOK)
	text := strings.Join(strings.Fields(checkPDF(t, []byte(res.Body))), " ")
	for _, want := range []string{"<script>alert(1)</script>", `"><img src=x onerror=alert(1)>`} {
		if !strings.Contains(text, want) {
			t.Errorf("Bekanntmachung lacks the literal %q:\n%.600s", want, text)
		}
	}
}
