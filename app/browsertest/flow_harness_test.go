package browsertest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kimibv/app"
	"kimibv/app/pdfdoc"
	"kimibv/models/accounts"
	"kimibv/models/bids"
	"kimibv/models/core"
	"kimibv/models/dbtest"
	"kimibv/models/decision"
	"kimibv/models/demo"
	"kimibv/models/rules"
	"kimibv/models/store"
	"kimibv/models/vault"
)

// flowClock is the application's adjustable clock in the flow tests.
type flowClock struct {
	mu  sync.Mutex
	now time.Time
}

// Now returns the clock's time.
func (c *flowClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

// Advance moves the clock forward.
func (c *flowClock) Advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// flow is the real application on the demonstration with an injected clock, one browser,
// and the open demo call with three submitted bids (AWO, Caritas, Diakonie).
type flow struct {
	t       *testing.T
	tl      tools
	base    string
	origin  *url.URL
	app     *app.App
	store   *store.Store
	vault   *vault.Vault
	clock   *flowClock
	browser context.Context

	tenant  int64
	callID  int64
	content rules.CallContent
	bids    map[string]int64 // "awo", "caritas", "diakonie" → bid id
	orgs    map[string]int64 // same keys → organisation id
	names   map[string]string
	proc    string // /verwaltung/musterland/verfahren/<call>

	mu    sync.Mutex
	pages []string // every page audited, "who: path (status)"
	minor int      // moderate or minor axe findings, reported only
}

// providerEmails are the demo providers' accounts by short name.
var providerEmails = map[string]string{"awo": "awo@traeger.example", "caritas": "caritas@traeger.example", "diakonie": "diakonie@traeger.example"}

// startFlow starts the application on a fresh demonstration database and the shared
// browser (on first use), with nothing submitted on the demo call.
func startFlow(t *testing.T) *flow {
	t.Helper()
	tl := needTools(t)
	st := dbtest.NewDemo(t)
	f := &flow{t: t, tl: tl, store: st, vault: dbtest.Vault(t), clock: &flowClock{now: time.Now()},
		bids: map[string]int64{}, orgs: map[string]int64{}, names: map[string]string{}}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, e, err := app.New(app.Config{BaseURL: "http://kimibv.test", Env: "production", MaxBodyBytes: 110 << 20,
		SessionLifetime: 12 * time.Hour, SessionIdle: 2 * time.Hour, ContactEmail: "kontakt@kimibv.test", Operator: "Testbetrieb", Vault: f.vault},
		st, log, app.WithClock(f.clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	f.app = a
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	f.base = srv.URL
	f.origin, _ = url.Parse(srv.URL)
	f.browser = startBrowser(t, tl)
	return f
}

// newFlow is startFlow with the Caritas's drafted bid and a new Diakonie bid submitted on
// the open demo call (the AWO's is submitted by the demo).
func newFlow(t *testing.T) *flow {
	t.Helper()
	f := startFlow(t)
	st := f.store
	var err error
	f.callID = f.count(`SELECT c.id FROM calls c WHERE c.state = 'published' AND EXISTS (SELECT 1 FROM bids b WHERE b.call_id = c.id AND b.state = 'submitted')`)
	f.tenant = f.count(`SELECT tenant_id FROM calls WHERE id = ?`, f.callID)
	f.proc = fmt.Sprintf("/verwaltung/musterland/verfahren/%d", f.callID)
	var raw []byte
	if err := st.DB.Raw(`SELECT v.content FROM call_versions v JOIN calls c ON c.id = v.call_id AND c.current_version = v.version WHERE c.id = ?`, f.callID).
		Row().Scan(&raw); err != nil {
		t.Fatal(err)
	}
	if f.content, err = rules.DecodeCallContent(raw); err != nil {
		t.Fatal(err)
	}
	for who, email := range providerEmails {
		f.orgs[who] = f.count(`SELECT m.org_id FROM organization_members m JOIN users u ON u.id = m.user_id WHERE u.email = ?`, email)
		f.names[who] = f.text(`SELECT name FROM organizations WHERE id = ?`, f.orgs[who])
	}
	f.bids["awo"] = f.count(`SELECT id FROM bids WHERE call_id = ? AND org_id = ? AND state = 'submitted'`, f.callID, f.orgs["awo"])
	f.submitBid("caritas", rules.StepInput{"fte_L3": "1"})
	f.submitBid("diakonie", rules.StepInput{"fte_L1": "1"})
	if n := f.count(`SELECT count(*) FROM bids WHERE call_id = ? AND state = 'submitted'`, f.callID); n != 3 {
		t.Fatalf("%d submitted bids on the demo call, want 3", n)
	}
	return f
}

// actor loads the demo account with this e-mail address.
func (f *flow) actor(email string) *core.Actor {
	f.t.Helper()
	a, err := accounts.LoadActor(context.Background(), f.store.DB, f.count(`SELECT id FROM users WHERE email = ?`, email))
	if err != nil {
		f.t.Fatalf("actor %s: %v", email, err)
	}
	return a
}

// submitBid completes (or starts) and submits the bid of a demo provider through the use cases.
func (f *flow) submitBid(who string, lots rules.StepInput) {
	t := f.t
	t.Helper()
	ctx, db, now := context.Background(), f.store.DB, time.Now()
	a, org := f.actor(providerEmails[who]), f.orgs[who]
	id := f.count(`SELECT coalesce(max(id), 0) FROM bids WHERE call_id = ? AND org_id = ?`, f.callID, org)
	if id == 0 {
		var err error
		if id, err = bids.StartBid(ctx, db, f.vault, a, core.OrgCallScope{Org: org, Call: f.callID}, now); err != nil {
			t.Fatalf("start bid %s: %v", who, err)
		}
	}
	answers := rules.StepInput{}
	for _, cr := range f.content.Criteria {
		answers["answer_"+cr.Key] = "Browsertest: Zum Kriterium „" + cr.Name + "“ beschreiben wir Ziele, Maßnahmen und Zeitplan."
	}
	decl := rules.StepInput{"ties": "none"}
	for _, x := range rules.Declarations(&f.content) {
		decl["decl_"+x.Key] = "1"
	}
	for _, st := range []struct {
		s  rules.BidStep
		in rules.StepInput
	}{{rules.StepLots, lots}, {rules.StepAnswers, answers}, {rules.StepDeclarations, decl}} {
		if err := bids.SaveBidStep(ctx, db, f.vault, a, core.BidScope{Org: org, Bid: id}, st.s, st.in, now); err != nil {
			t.Fatalf("bid %s step %s: %v", who, st.s, err)
		}
	}
	for _, rd := range f.content.RequiredDocs {
		pdf := []byte("%PDF-1.4\n% Browsertest: " + rd.Name + "\ntrailer <<>>\n%%EOF\n")
		if err := bids.AddBidFile(ctx, db, f.vault, a, core.BidScope{Org: org, Bid: id}, bids.BidFileInput{DocKey: rd.Key, FileName: rd.Name + ".pdf",
			File: bytes.NewReader(pdf)}, now); err != nil {
			t.Fatalf("bid %s file %s: %v", who, rd.Key, err)
		}
	}
	rev := f.count(`SELECT draft_rev FROM bids WHERE id = ?`, id)
	if _, err := bids.SubmitBid(ctx, db, f.vault, a, core.BidScope{Org: org, Bid: id}, int(rev), bids.ReceivedAt(time.Now())); err != nil {
		t.Fatalf("submit bid %s: %v", who, err)
	}
	f.bids[who] = id
}

// passDeadline moves the call's deadline into the past (database clock) and the
// application clock to now.
func (f *flow) passDeadline() {
	f.t.Helper()
	if err := f.store.DB.Exec(`UPDATE calls SET deadline = clock_timestamp() - interval '1 minute' WHERE id = ?`, f.callID).Error; err != nil {
		f.t.Fatal(err)
	}
	if lag := time.Since(f.clock.Now()); lag > 0 {
		f.clock.Advance(lag + time.Second)
	}
}

// runJob runs the application's scheduled job name once, as the scheduler would.
func (f *flow) runJob(name string) {
	f.t.Helper()
	for _, j := range f.app.Jobs(nil) {
		if j.Name == name {
			if err := j.Run(context.Background()); err != nil {
				f.t.Fatalf("job %s: %v", name, err)
			}
			return
		}
	}
	f.t.Fatalf("no job %s", name)
}

// count runs a SQL query returning one integer.
func (f *flow) count(query string, args ...any) int64 {
	f.t.Helper()
	return dbtest.Count(f.t, f.store.DB, query, args...)
}

// text runs a SQL query returning one text.
func (f *flow) text(query string, args ...any) string {
	f.t.Helper()
	var s string
	if err := f.store.DB.Raw(query, args...).Scan(&s).Error; err != nil {
		f.t.Fatal(err)
	}
	return s
}

// person is one browser context (own cookies) of one user, or of an anonymous visitor.
type person struct {
	f   *flow
	who string
	tab context.Context
	net *netWatch
}

// as opens a new browser context and logs in through the form (email "" stays anonymous).
func (f *flow) as(who, email string) *person {
	f.t.Helper()
	tab := newTab(f.t, f.browser)
	p := &person{f: f, who: who, tab: tab, net: watchNetwork(f.t, tab)}
	if email != "" {
		loginThroughForm(f.t, tab, f.base, email, demo.Password, f.clock.Now)
		p.audit("after login")
	}
	return p
}

// open navigates to path, audits the page and returns the status.
func (p *person) open(path string) int64 {
	t := p.f.t
	t.Helper()
	resp, err := run(p.tab, chromedp.NavigateResponse(p.f.base+path))
	if err != nil {
		t.Fatalf("%s: open %s: %v", p.who, path, err)
	}
	p.audit(fmt.Sprintf("GET %s", path))
	return resp.Status
}

// openOK opens path and fails unless it answers 200.
func (p *person) openOK(path string) {
	p.f.t.Helper()
	if s := p.open(path); s != 200 {
		p.f.t.Fatalf("%s: %s answered %d, want 200\n%s", p.who, path, s, p.main())
	}
}

// fill sets the fields of the form in <main> whose action ends with action: text, textarea
// and select get the value; a checkbox is checked unless the value is empty; of radio
// buttons the one with the value is checked. It fails on a field the form lacks.
func (p *person) fill(action string, fields map[string]string) {
	t := p.f.t
	t.Helper()
	js, _ := json.Marshal(fields)
	sel, _ := json.Marshal(fmt.Sprintf(`main form[action$=%q]`, action))
	res, err := eval[string](p.tab, fmt.Sprintf(`((sel, fields) => {
		const f = document.querySelector(sel); if (!f) return 'no form ' + sel;
		for (const [n, v] of Object.entries(fields)) {
			const els = f.querySelectorAll('[name="' + n + '"]'); if (!els.length) return 'no field ' + n;
			for (const e of els) {
				if (e.type === 'checkbox') e.checked = v !== '';
				else if (e.type === 'radio') e.checked = e.value === v;
				else e.value = v;
			}
		}
		return 'ok' })(%s, %s)`, sel, js))
	if err != nil || res != "ok" {
		t.Fatalf("%s: fill %s: %v %s", p.who, action, err, res)
	}
}

// submit clicks the submit button (button matching extra, e.g. `[value=submit]`) of the
// form whose action ends with action, waits for the answer, audits the resulting page and
// returns the status (after a redirect, the status of the page it led to).
func (p *person) submit(action, extra string) int64 {
	t := p.f.t
	t.Helper()
	ctx, cancel := context.WithTimeout(p.tab, 60*time.Second)
	defer cancel()
	r, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`main form[action$=%q] button[type=submit]%s`, action, extra))))
	if err != nil {
		t.Fatalf("%s: submit %s: %v", p.who, action, err)
	}
	p.audit(fmt.Sprintf("POST %s (%d)", action, r.Status))
	return r.Status
}

// submitOK submits and fails unless the answer (after the redirect) is 200 with a flash message.
func (p *person) submitOK(action, extra string) {
	t := p.f.t
	t.Helper()
	if s := p.submit(action, extra); s != 200 {
		t.Fatalf("%s: POST %s ended with %d, want 200 after the redirect\n%s", p.who, action, s, p.main())
	}
	flash, _ := eval[string](p.tab, `(document.querySelector('[role=status]') || {}).textContent || ''`)
	if strings.TrimSpace(flash) == "" {
		t.Errorf("%s: POST %s: no confirmation message", p.who, action)
	}
}

// choose puts file into the file field with id, as picking it in the file dialog does.
func (p *person) choose(id, file string) {
	p.f.t.Helper()
	if _, err := run(p.tab, chromedp.SetUploadFiles(chromedp.ID(id), []string{file})); err != nil {
		p.f.t.Fatalf("%s: choose %s in %s: %v", p.who, file, id, err)
	}
}

// main returns the visible text of <main>.
func (p *person) main() string {
	p.f.t.Helper()
	s, err := eval[string](p.tab, `(document.querySelector('main') || document.body).innerText`)
	if err != nil {
		p.f.t.Fatalf("%s: read page: %v", p.who, err)
	}
	return s
}

// path returns the current path with query.
func (p *person) path() string {
	s, _ := eval[string](p.tab, `location.pathname + location.search`)
	return s
}

// wantText fails unless the page's <main> contains every s.
func (p *person) wantText(ss ...string) {
	t := p.f.t
	t.Helper()
	m := p.main()
	for _, s := range ss {
		if !strings.Contains(m, s) {
			t.Errorf("%s: %s lacks %q", p.who, p.path(), s)
		}
	}
}

// links returns the href attributes (as written) of the links in <main> that contain part.
func (p *person) links(part string) []string {
	p.f.t.Helper()
	js, _ := json.Marshal(part)
	ls, err := eval[[]string](p.tab, fmt.Sprintf(`Array.from(document.querySelectorAll('main a[href]'), a => a.getAttribute('href')).filter(h => h.includes(%s))`, js))
	if err != nil {
		p.f.t.Fatalf("%s: read links: %v", p.who, err)
	}
	return ls
}

// download fetches path with the browser's session (same-origin fetch with the cookies)
// and returns the body; it fails unless the answer is 200.
func (p *person) download(path string) []byte {
	t := p.f.t
	t.Helper()
	type answer struct {
		Status int    `json:"status"`
		Body   string `json:"body"`
	}
	a, err := eval[answer](p.tab, fmt.Sprintf(`fetch(%q, {credentials: 'same-origin'}).then(async r => {
		const b = new Uint8Array(await r.arrayBuffer()); let s = '';
		for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode.apply(null, b.subarray(i, i + 8192));
		return {status: r.status, body: btoa(s)} })`, path))
	if err != nil || a.Status != 200 {
		t.Fatalf("%s: download %s: status %d, %v", p.who, path, a.Status, err)
	}
	b, err := base64.StdEncoding.DecodeString(a.Body)
	if err != nil {
		t.Fatal(err)
	}
	p.net.take()
	return b
}

// audit checks the page now shown: no 5xx answers, one <h1>, a <main>, and no serious or
// critical axe-core violation.
func (p *person) audit(label string) {
	t := p.f.t
	t.Helper()
	for _, fl := range p.net.take() {
		t.Errorf("%s: %s: %s", p.who, label, fl)
	}
	facts, err := eval[pageFacts](p.tab, `({h1: document.querySelectorAll('h1').length, main: document.querySelectorAll('main').length,
		links: [], path: location.pathname, search: location.search})`)
	if err != nil {
		t.Fatalf("%s: %s: read page: %v", p.who, label, err)
	}
	here := facts.Path + facts.Search
	if facts.H1 != 1 || facts.Main != 1 {
		t.Errorf("%s: %s (%s): %d <h1> and %d <main>, want one each", p.who, label, here, facts.H1, facts.Main)
	}
	vs, err := axeViolations(p.tab, p.f.tl.axeJS)
	if err != nil {
		t.Fatalf("%s: %s: %v", p.who, label, err)
	}
	minor := 0
	for _, v := range vs {
		if v.serious() {
			t.Errorf("%s: %s (%s): axe %s (%s): %s\n    %s", p.who, label, here, v.ID, v.Impact, v.Help, strings.Join(v.Targets, "\n    "))
		} else {
			minor++
		}
	}
	if os.Getenv("KIMIBV_FLOW_DUMP") != "" { // for debugging: the text of every page
		t.Logf("---- %s: %s (%s)\n%s", p.who, label, here, p.main())
	}
	p.f.mu.Lock()
	p.f.pages = append(p.f.pages, fmt.Sprintf("%s: %s → %s", p.who, label, here))
	p.f.minor += minor
	p.f.mu.Unlock()
}

// report logs the pages audited.
func (f *flow) report(began time.Time) {
	f.t.Logf("%d pages audited with axe-core (%d moderate/minor findings, serious/critical fail the test) in %s",
		len(f.pages), f.minor, time.Since(began).Round(time.Millisecond))
	for _, p := range f.pages {
		f.t.Logf("    %s", p)
	}
}

// issuers are the document renderers the application uses, for seeding through the use cases.
func issuers() decision.ProcedureDocuments {
	return pdfdoc.New("http://kimibv.test/dokumentenpruefung")
}
