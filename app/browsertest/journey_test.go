package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"kimibv/models/store"
)

// startJourneys starts the app (and the shared browser, on first use) for a journey test
// and returns them with the list that the journeys (newJourney) add their audited pages to;
// the list is logged when the test ends.
func startJourneys(t *testing.T, name string) (tools, string, context.Context, *[]string, *store.Store) {
	tl := needTools(t)
	began := time.Now()
	base, st := startAppOn(t)
	browser := startBrowser(t, tl)
	pages := &[]string{}
	t.Cleanup(func() {
		t.Logf("%s journey: %d pages audited in %s", name, len(*pages), time.Since(began).Round(time.Millisecond))
		for _, p := range *pages {
			t.Log("    " + p)
		}
	})
	return tl, base, browser, pages, st
}

// journey drives one user's tab through a flow of forms and audits every page it reaches:
// no 5xx (documents and assets), one <h1>, one <main>, no serious or critical axe violation.
type journey struct {
	t     *testing.T
	who   string
	tab   context.Context
	base  string
	axeJS string
	net   *netWatch
	log   *[]string // one line per audited page, shared by the journeys of a test
	trail *trail    // the tab's last network events, shown when a click gets no answer
}

// trail keeps the last network events of a tab.
type trail struct {
	mu     sync.Mutex
	events []string
}

// add records one event, keeping the last 12.
func (tr *trail) add(s string) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.events = append(tr.events, time.Now().Format("15:04:05.000")+" "+s)
	if len(tr.events) > 12 {
		tr.events = tr.events[len(tr.events)-12:]
	}
}

// String lists the events, one a line.
func (tr *trail) String() string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return strings.Join(tr.events, "\n")
}

// newJourney opens a fresh tab (own cookies) for who.
func newJourney(t *testing.T, browser context.Context, who, base, axeJS string, log *[]string) *journey {
	t.Helper()
	tab := newTab(t, browser)
	tr := &trail{}
	err := chromedp.Listen(tab, func(ev any) {
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			if e.Type == network.ResourceTypeDocument {
				tr.add("request " + e.Request.Method + " " + e.Request.URL)
			}
		case *network.EventResponseReceived:
			if e.Type == network.ResourceTypeDocument {
				tr.add(fmt.Sprintf("response %d %s", e.Response.Status, e.Response.URL))
			}
		case *network.EventLoadingFailed:
			tr.add("failed " + e.ErrorText)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return &journey{t: t, who: who, tab: tab, base: base, axeJS: axeJS, net: watchNetwork(t, tab), log: log, trail: tr}
}

// open navigates to path, fails unless the answer is 200, and audits the page.
func (j *journey) open(path string) {
	j.t.Helper()
	resp, err := run(j.tab, chromedp.NavigateResponse(j.base+path))
	if err != nil {
		j.t.Fatalf("%s: open %s: %v", j.who, path, err)
	}
	if resp.Status != 200 {
		j.t.Fatalf("%s: %s answered %d:\n%s", j.who, path, resp.Status, j.text())
	}
	j.audit()
}

// submit clicks the element sel (a submit button), waits for the answer after redirects,
// fails unless its status is want, and audits the page.
func (j *journey) submit(sel string, want int64) {
	j.t.Helper()
	// The click goes to the element's coordinates. KERN sets scroll-behavior: smooth and
	// swaps in its web font after the load; a click computed while the page still scrolls to
	// a fragment (the redirect after an upload) or reflows would hit a neighbour (the file
	// input or another form's button). Wait for the fonts, scroll instantly, let two frames pass.
	sq, _ := json.Marshal(sel)
	found, err := eval[bool](j.tab, fmt.Sprintf(`(async () => { await document.fonts.ready;
		document.documentElement.style.scrollBehavior = 'auto';
		const e = document.querySelector(%s); if (!e) return false;
		e.scrollIntoView({block: 'center', behavior: 'instant'});
		await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
		return true; })()`, sq))
	if err != nil || !found {
		j.t.Fatalf("%s: %s has no %s (%v)", j.who, j.path(), sel, err)
	}
	ctx, cancel := context.WithTimeout(j.tab, 30*time.Second)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		screenshot(j.t, j.tab, "", "klick-fehler-"+strings.ReplaceAll(j.t.Name(), "/", "_")+".png") // tests run in parallel
		alive := httpStatus(j.t, j.base+"/", "")
		j.t.Fatalf("%s: click %s on %s: %v (the server answers / with %d now)\nlast document requests of the tab:\n%s", j.who, sel, j.path(), err, alive, j.trail)
	}
	if resp.Status != want {
		j.t.Fatalf("%s: click %s: status %d, want %d; now at %s:\n%s", j.who, sel, resp.Status, want, j.path(), j.text())
	}
	j.audit()
}

// fill sets form controls by id: the value of inputs, selects and textareas, the checked
// state of checkboxes and radio buttons (checked unless the value is empty).
func (j *journey) fill(values map[string]string) {
	j.t.Helper()
	raw, _ := json.Marshal(values)
	missing, err := eval[[]string](j.tab, fmt.Sprintf(`((vals) => { const miss = [];
		for (const [id, v] of Object.entries(vals)) { const e = document.getElementById(id);
			if (!e) { miss.push(id); continue; }
			if (e.type === 'checkbox' || e.type === 'radio') e.checked = v !== ''; else e.value = v;
			if (e.tagName === 'SELECT' && e.value !== v) miss.push(id + '=' + v); }
		return miss; })(%s)`, raw))
	if err != nil {
		j.t.Fatalf("%s: fill the form on %s: %v", j.who, j.path(), err)
	}
	if len(missing) > 0 {
		j.t.Fatalf("%s: %s has no field (or option) %v", j.who, j.path(), missing)
	}
}

// upload puts file into the file input sel.
func (j *journey) upload(sel, file string) {
	j.t.Helper()
	if _, err := run(j.tab, chromedp.SetUploadFiles(chromedp.CSS(sel), []string{file})); err != nil {
		j.t.Fatalf("%s: choose %s for %s: %v", j.who, file, sel, err)
	}
}

// js evaluates expr on the current page and decodes the value into T; it fails the test on error.
func evalOn[T any](j *journey, expr string) T {
	j.t.Helper()
	v, err := eval[T](j.tab, expr)
	if err != nil {
		j.t.Fatalf("%s: on %s: %s: %v", j.who, j.path(), expr, err)
	}
	return v
}

// path is the current path and query.
func (j *journey) path() string {
	p, err := eval[string](j.tab, `location.pathname + location.search`)
	if err != nil {
		return "(unknown: " + err.Error() + ")"
	}
	return p
}

// text is the visible text of <main>, whitespace collapsed.
func (j *journey) text() string {
	s, err := eval[string](j.tab, `((document.querySelector('main') || document.body || {}).innerText || '').replace(/\s+/g, ' ').trim()`)
	if err != nil {
		return "(unreadable: " + err.Error() + ")"
	}
	return s
}

// wantText fails unless the text of <main> contains every one of wants.
func (j *journey) wantText(wants ...string) {
	j.t.Helper()
	txt := j.text()
	for _, w := range wants {
		if !strings.Contains(txt, w) {
			j.t.Errorf("%s: %s does not show %q; it reads:\n%s", j.who, j.path(), w, txt)
		}
	}
}

// audit checks the page in the tab (see journey) and records a line for the report.
func (j *journey) audit() {
	t := j.t
	t.Helper()
	here := j.path()
	for _, f := range j.net.take() {
		t.Errorf("%s: %s: %s", j.who, here, f)
	}
	facts, err := eval[pageFacts](j.tab, `({h1: document.querySelectorAll('h1').length, main: document.querySelectorAll('main').length, links: [], path: location.pathname, search: location.search})`)
	if err != nil {
		t.Fatalf("%s: read %s: %v", j.who, here, err)
	}
	if facts.H1 != 1 {
		t.Errorf("%s: %s has %d <h1> elements, want 1", j.who, here, facts.H1)
	}
	if facts.Main != 1 {
		t.Errorf("%s: %s has %d <main> elements, want 1", j.who, here, facts.Main)
	}
	vs, err := axeViolations(j.tab, j.axeJS)
	if err != nil {
		t.Fatalf("%s: %s: %v", j.who, here, err)
	}
	serious, minor := 0, 0
	for _, v := range vs {
		msg := fmt.Sprintf("%s: %s: axe %s (%s): %s (%s)\n    %s", j.who, here, v.ID, v.Impact, v.Help, v.HelpURL, strings.Join(v.Targets, "\n    "))
		if v.serious() {
			serious++
			t.Error(msg)
		} else {
			minor++
			t.Log(msg)
		}
	}
	*j.log = append(*j.log, fmt.Sprintf("%-10s %-70s axe serious/critical %d, moderate/minor %d", j.who, here, serious, minor))
}

// cookies returns the tab's cookies for the application as a Cookie header value.
func (j *journey) cookies() string {
	j.t.Helper()
	res, err := run(j.tab, func(ctx context.Context, tgt *chromedp.Target) (network.GetCookiesResult, error) {
		return cdp.Call(ctx, tgt, network.GetCookies, network.GetCookiesParams{URLs: []string{j.base + "/"}})
	})
	if err != nil {
		j.t.Fatalf("%s: read the cookies: %v", j.who, err)
	}
	var parts []string
	for _, c := range res.Cookies {
		parts = append(parts, c.Name+"="+c.Value)
	}
	return strings.Join(parts, "; ")
}

// getPDFOverHTTP fetches url over HTTP (outside the browser, with cookie unless empty), checks
// status 200, the PDF content type and the %PDF- magic, and returns the body.
func getPDFOverHTTP(t *testing.T, url, cookie string) []byte {
	t.Helper()
	resp, err := http.DefaultClient.Do(getRequest(t, url, cookie))
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: status %d: %.300s", url, resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/pdf") {
		t.Errorf("GET %s: Content-Type %q, want application/pdf", url, ct)
	}
	if !strings.HasPrefix(string(body), "%PDF-") {
		t.Fatalf("GET %s: not a PDF: %.40q", url, body)
	}
	return body
}

// httpStatus answers the status of a GET of url over HTTP (with cookie unless empty),
// without following redirects.
func httpStatus(t *testing.T, url, cookie string) int {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(getRequest(t, url, cookie))
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// getRequest builds a GET of url that carries cookie unless it is empty.
func getRequest(t *testing.T, url, cookie string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	return req
}

// writeTinyPDF writes a small valid one-page PDF with text into dir and returns its path.
func writeTinyPDF(t *testing.T, dir, name, text string) string {
	t.Helper()
	stream := fmt.Sprintf("BT /F1 12 Tf 72 720 Td (%s) Tj ET", text)
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(stream), stream),
	}
	var b strings.Builder
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// formDateTime formats a day offset from now at hour:00 German local time as the forms want it.
func formDateTime(now time.Time, days, hour int) string {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	l := now.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day()+days, hour, 0, 0, 0, loc).Format("02.01.2006 15:04")
}
