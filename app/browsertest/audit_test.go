package browsertest

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// maxPagesPerRole caps the crawl of one role.
const maxPagesPerRole = 40

// skippedSuffixes are downloads and machine-readable views, not pages to audit.
var skippedSuffixes = []string{".pdf", ".ics", ".atom", ".json", ".xlsx", ".zip", ".csv"}

// numericSegment matches a path segment that is a number (an id).
var numericSegment = regexp.MustCompile(`/[0-9]+(/|$)`)

// pageKey normalises a path for deduplication: numeric ids count once (/ausschreibungen/12 and /13).
func pageKey(p string) string {
	for numericSegment.MatchString(p) {
		p = numericSegment.ReplaceAllString(p, "/{id}$1")
	}
	return p
}

// crawlable reports whether a link target is a same-origin page the crawler should open.
func crawlable(u *url.URL, origin *url.URL) bool {
	if u.Scheme != origin.Scheme || u.Host != origin.Host {
		return false
	}
	p := u.Path
	if p == "/abmelden" || strings.HasPrefix(p, "/static/") {
		return false
	}
	for _, s := range skippedSuffixes {
		if strings.HasSuffix(p, s) {
			return false
		}
	}
	return true
}

// violation is one axe-core rule that failed, with the nodes it failed on.
type violation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	HelpURL string   `json:"helpUrl"`
	Targets []string `json:"targets"`
}

// serious reports whether the violation fails the test (impact serious or critical).
func (v violation) serious() bool { return v.Impact == "serious" || v.Impact == "critical" }

// pageFacts are the structural checks read from the page.
type pageFacts struct {
	H1     int      `json:"h1"`
	Main   int      `json:"main"`
	Links  []string `json:"links"`
	Path   string   `json:"path"`
	Search string   `json:"search"`
}

// crawlResult counts what one crawl audited.
type crawlResult struct {
	pages      int
	downloads  int
	violations int // serious or critical, counted per rule and page
	minor      int // moderate or minor, reported only
	visited    []string
	notFound   []string // links that answered 4xx, with the page that linked them
}

// auditor crawls and audits pages in one tab.
type auditor struct {
	t      *testing.T
	tab    context.Context
	origin *url.URL
	axeJS  string
	net    *netWatch
}

// newAuditor makes an auditor for tab and starts watching its network answers.
func newAuditor(t *testing.T, tab context.Context, origin *url.URL, axeJS string) *auditor {
	t.Helper()
	return &auditor{t: t, tab: tab, origin: origin, axeJS: axeJS, net: watchNetwork(t, tab)}
}

// netWatch collects every answer of 500 or more (and every missing static asset) a tab receives,
// including the requests of stylesheets, fonts and images, not only the documents.
type netWatch struct {
	mu     sync.Mutex
	failed []string
}

// watchNetwork starts a network listener on tab.
func watchNetwork(t *testing.T, tab context.Context) *netWatch {
	t.Helper()
	w := &netWatch{}
	err := chromedp.Listen(tab, func(ev any) {
		e, ok := ev.(*network.EventResponseReceived)
		if !ok || e.Response == nil {
			return
		}
		s := e.Response.Status
		if s >= 500 || (s == 404 && strings.Contains(e.Response.URL, "/static/")) {
			w.mu.Lock()
			w.failed = append(w.failed, fmt.Sprintf("%s %s answered %d", e.Type, e.Response.URL, s))
			w.mu.Unlock()
		}
	})
	if err != nil {
		t.Fatalf("listen to the network: %v", err)
	}
	return w
}

// take returns the failures collected since the last call.
func (w *netWatch) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	f := w.failed
	w.failed = nil
	return f
}

// maxProbesPerRole caps the links fetched only to discover further pages (see crawl).
const maxProbesPerRole = 60

// link is a crawl target and the page that linked it.
type link struct{ to, from string }

// crawl opens start and then, breadth first, every same-origin link it finds (GET only),
// up to maxPagesPerRole distinct pages, and audits each page. A link whose normalised path
// was audited already (another id) is not audited again, but when nothing else is left it is
// fetched without rendering to discover pages that only it links (say, the formal check of
// a closed call when the first call seen is still open); such a probe also must not answer 5xx.
func (a *auditor) crawl(who string, start ...string) crawlResult {
	a.t.Helper()
	var res crawlResult
	seen := map[string]bool{}    // normalised paths queued or audited
	fetched := map[string]bool{} // concrete addresses opened or probed
	var queue, probes []link
	add := func(links []string, from string) {
		for _, l := range links {
			u, err := url.Parse(l)
			if err != nil || !crawlable(u, a.origin) {
				continue
			}
			u.Fragment = ""
			switch k := pageKey(u.Path); {
			case !seen[k]:
				seen[k] = true
				fetched[u.String()] = true
				queue = append(queue, link{to: u.String(), from: from})
			case !fetched[u.String()]:
				fetched[u.String()] = true
				probes = append(probes, link{to: u.String(), from: from})
			}
		}
	}
	for _, s := range start {
		u, err := a.origin.Parse(s)
		if err != nil {
			a.t.Fatalf("%s: start %q: %v", who, s, err)
		}
		add([]string{u.String()}, "(Start)")
	}
	probed := 0
	for res.pages < maxPagesPerRole {
		if len(queue) == 0 {
			if len(probes) == 0 || probed >= maxProbesPerRole {
				break
			}
			next := probes[0]
			probes = probes[1:]
			probed++
			add(a.probe(who, next), strings.TrimPrefix(next.to, a.origin.String()))
			continue
		}
		next := queue[0]
		queue = queue[1:]
		facts, ok := a.audit(who, next.to, next.from, &res)
		if !ok {
			continue
		}
		seen[pageKey(facts.Path)] = true // the page a redirect led to
		add(facts.Links, facts.Path+facts.Search)
	}
	return res
}

// probe fetches a link from within the page (with the session) and returns the links of
// the HTML it answers; it fails the test if the answer is 5xx.
func (a *auditor) probe(who string, l link) []string {
	t := a.t
	t.Helper()
	type answer struct {
		Status int      `json:"status"`
		Links  []string `json:"links"`
	}
	ans, err := eval[answer](a.tab, fmt.Sprintf(`fetch(%q, {credentials: 'same-origin'}).then(async r => {
		if (!(r.headers.get('content-type') || '').startsWith('text/html')) return {status: r.status, links: []};
		const d = new DOMParser().parseFromString(await r.text(), 'text/html');
		return {status: r.status, links: Array.from(d.querySelectorAll('a[href]'), e => new URL(e.getAttribute('href'), r.url).href)};
	})`, l.to))
	rel := strings.TrimPrefix(l.to, a.origin.String())
	if err != nil {
		t.Errorf("%s: fetch %s (linked from %s): %v", who, rel, l.from, err)
		return nil
	}
	if ans.Status >= 500 {
		t.Errorf("%s: %s (linked from %s) answered %d", who, rel, l.from, ans.Status)
	}
	a.net.take() // this answer was checked above
	return ans.Links
}

// audit opens one page and checks it: no 5xx, one <h1>, a <main>, the skip link as the first
// focusable element, and no serious or critical axe-core violation. It returns the page's links.
func (a *auditor) audit(who, target, from string, res *crawlResult) (pageFacts, bool) {
	t := a.t
	t.Helper()
	rel := strings.TrimPrefix(target, a.origin.String())
	resp, err := run(a.tab, chromedp.NavigateResponse(target))
	if err != nil && strings.Contains(err.Error(), "ERR_ABORTED") {
		a.checkDownload(who, rel, from, res) // a file download ends the navigation
		return pageFacts{}, false
	}
	defer func() {
		for _, f := range a.net.take() {
			t.Errorf("%s: %s: %s", who, rel, f)
		}
	}()
	if err != nil {
		t.Errorf("%s: open %s (linked from %s): %v", who, rel, from, err)
		return pageFacts{}, false
	}
	if resp.Status >= 500 {
		t.Errorf("%s: %s (linked from %s) answered %d", who, rel, from, resp.Status)
	}
	if !strings.HasPrefix(resp.MimeType, "text/html") {
		res.downloads++
		return pageFacts{}, false
	}
	res.pages++
	facts, err := eval[pageFacts](a.tab, `({
		h1: document.querySelectorAll('h1').length,
		main: document.querySelectorAll('main').length,
		links: Array.from(document.querySelectorAll('a[href]'), l => l.href),
		path: location.pathname, search: location.search,
	})`)
	if err != nil {
		t.Errorf("%s: read %s: %v", who, rel, err)
		return pageFacts{}, false
	}
	here := facts.Path + facts.Search
	if here != rel {
		here = rel + " → " + here
	}
	res.visited = append(res.visited, fmt.Sprintf("%s (%d)", here, resp.Status))
	if resp.Status >= 400 && resp.Status < 500 {
		res.notFound = append(res.notFound, fmt.Sprintf("%s answered %d (linked from %s)", here, resp.Status, from))
	}
	if facts.H1 != 1 {
		t.Errorf("%s: %s has %d <h1> elements, want 1", who, here, facts.H1)
	}
	if facts.Main != 1 {
		t.Errorf("%s: %s has %d <main> elements, want 1", who, here, facts.Main)
	}
	a.checkSkipLink(who, here)
	vs, err := axeViolations(a.tab, a.axeJS)
	if err != nil {
		t.Errorf("%s: %s: %v", who, here, err)
	}
	for _, v := range vs {
		msg := fmt.Sprintf("%s: %s: axe %s (%s): %s (%s)\n    %s", who, here, v.ID, v.Impact, v.Help, v.HelpURL, strings.Join(v.Targets, "\n    "))
		if v.serious() {
			res.violations++
			t.Error(msg)
		} else {
			res.minor++
			t.Log(msg)
		}
	}
	return facts, true
}

// checkDownload fetches a link that the browser took as a download and checks its status.
func (a *auditor) checkDownload(who, rel, from string, res *crawlResult) {
	t := a.t
	t.Helper()
	type answer struct {
		Status      int    `json:"status"`
		Disposition string `json:"disposition"`
	}
	ans, err := eval[answer](a.tab, fmt.Sprintf(`fetch(%q, {credentials: 'same-origin'}).then(r =>
		({status: r.status, disposition: r.headers.get('content-disposition') || ''}))`, rel))
	switch {
	case err != nil:
		t.Errorf("%s: download %s (linked from %s): %v", who, rel, from, err)
	case ans.Status >= 500:
		t.Errorf("%s: download %s (linked from %s) answered %d", who, rel, from, ans.Status)
	case !strings.HasPrefix(ans.Disposition, "attachment"):
		t.Errorf("%s: %s (linked from %s) aborted the navigation but is no attachment (status %d)", who, rel, from, ans.Status)
	default:
		res.downloads++
	}
	a.net.take() // the fetch's own answers were checked above
}

// checkSkipLink presses Tab once on the fresh page and expects the skip link, which leads
// to <main>, to have the focus.
func (a *auditor) checkSkipLink(who, here string) {
	t := a.t
	t.Helper()
	if _, err := run(a.tab, chromedp.KeyEvent(kb.Tab)); err != nil {
		t.Errorf("%s: %s: press Tab: %v", who, here, err)
		return
	}
	focused, err := eval[string](a.tab, `(() => { const e = document.activeElement;
		if (!e || e.tagName !== 'A') return e ? e.tagName.toLowerCase() + ' ' + (e.id || e.className) : 'nothing';
		const h = e.getAttribute('href') || '';
		const target = h.startsWith('#') ? document.getElementById(h.slice(1)) : null;
		return (target && target.tagName === 'MAIN' ? 'skip link to main: ' : 'link ') + h + ' ' + e.textContent.trim() })()`)
	if err != nil {
		t.Errorf("%s: %s: read focus: %v", who, here, err)
		return
	}
	if !strings.HasPrefix(focused, "skip link to main: ") {
		t.Errorf("%s: %s: the first Tab focuses %q, want the skip link to <main>", who, here, focused)
	}
}

// axeRun runs axe-core on the document and returns the violations in a compact form.
const axeRun = `axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ({
	id: v.id, impact: v.impact || '', help: v.help, helpUrl: v.helpUrl,
	targets: v.nodes.map(n => n.target.join(' ') + (n.failureSummary ? ' — ' + n.failureSummary.replace(/\s+/g, ' ') : '')),
})))`

// pageShape returns what axe-core's rules can see of the document, as one string: the
// viewport, every element with its attributes and form state, and every text, with digits
// as 0 outside of id references (times and amounts change from page to page, a duplicate id
// must not hide) and the CSRF token and script nonces left out. Two pages with the same
// shape get the same axe-core findings.
const pageShape = `(() => {
	const refs = new Set(['id', 'for', 'headers', 'list', 'form', 'aria-labelledby', 'aria-describedby', 'aria-controls', 'aria-owns', 'aria-activedescendant', 'aria-errormessage']);
	const out = [innerWidth + 'x' + innerHeight];
	const walk = n => {
		if (n.nodeType === 3) {
			const s = n.data.replace(/\s+/g, ' ').trim();
			if (s) out.push('"' + s.replace(/[0-9]/g, '0'));
			return;
		}
		if (n.nodeType !== 1) return;
		const attrs = Array.from(n.attributes, a => {
			if (a.name === 'nonce' || (a.name === 'value' && n.type === 'hidden')) return a.name;
			return a.name + '=' + (refs.has(a.name) ? a.value : a.value.replace(/[0-9]/g, '0'));
		}).sort();
		if ('value' in n && n.type !== 'hidden') attrs.push(':value=' + String(n.value).replace(/[0-9]/g, '0'));
		if (n.checked) attrs.push(':checked');
		out.push('<' + n.tagName + ' ' + attrs.join(' '));
		for (const c of n.childNodes) walk(c);
		out.push('>');
	};
	walk(document.documentElement);
	return out.join('\n');
})()`

// axeViolations returns every violation axe-core reports on the document in tab. A page
// whose shape (pageShape) the test process's browser has audited before gets that audit's
// findings again: journeys and crawls pass the same pages many times (the same form after
// a refused entry, a list after each step), and axe-core is about half of the browser's work.
func axeViolations(tab context.Context, axeJS string) ([]violation, error) {
	shape, err := eval[string](tab, pageShape)
	if err != nil {
		return nil, fmt.Errorf("read the page's shape: %w", err)
	}
	key := sha256.Sum256([]byte(shape))
	if vs, ok := chromium.audited.Load(key); ok {
		chromium.reused.Add(1)
		return vs.([]violation), nil
	}
	vs, err := runAxe(tab, axeJS)
	if err != nil {
		return nil, err
	}
	chromium.audits.Add(1)
	chromium.audited.Store(key, vs)
	return vs, nil
}

// runAxe injects axe-core into the page (DevTools evaluation is not subject to the page's
// Content-Security-Policy) and returns every violation axe.run reports.
func runAxe(tab context.Context, axeJS string) ([]violation, error) {
	if _, err := run(tab, injectScript(axeJS, "kimibv-test://axe.min.js")); err != nil {
		return nil, fmt.Errorf("inject axe-core: %w", err)
	}
	vs, err := eval[[]violation](tab, axeRun)
	if err != nil {
		return nil, fmt.Errorf("axe.run: %w", err)
	}
	return vs, nil
}

// injectScript runs src in the page as a classic script named url. Unlike an evaluated
// expression, a compiled script is found again in V8's compilation cache on the next page
// of the same tab (same renderer process), with the functions compiled so far: axe-core's
// 650 kB are parsed and compiled once per tab, not once per page.
func injectScript(src, url string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		c, err := cdp.Call(ctx, t, runtime.CompileScript, runtime.CompileScriptParams{Expression: src, SourceURL: url, PersistScript: true})
		if err != nil {
			return chromedp.Void{}, err
		}
		if c.ExceptionDetails != nil {
			return chromedp.Void{}, &chromedp.ExceptionError{ExceptionDetails: c.ExceptionDetails}
		}
		r, err := cdp.Call(ctx, t, runtime.RunScript, runtime.RunScriptParams{ScriptID: c.ScriptID})
		if err != nil {
			return chromedp.Void{}, err
		}
		if r.ExceptionDetails != nil {
			return chromedp.Void{}, &chromedp.ExceptionError{ExceptionDetails: r.ExceptionDetails}
		}
		return chromedp.Void{}, nil
	}
}
