package browsertest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kimibv/models/accounts"
	"kimibv/models/demo"
)

// roles are the demo accounts that log in, one per role.
var roles = []struct{ role, email string }{
	{"Betrieb", "betrieb@kimibv.example"},
	{"Kreisadministration", "admin@musterland.example"},
	{"Leitung", "leitung@musterland.example"},
	{"Öffnung", "oeffnung1@musterland.example"},
	{"Gremium", "gremium1@musterland.example"},
	{"Kreistag", "kreistag@musterland.example"},
	{"Träger", "awo@traeger.example"},
}

// TestAccessibility lets a newcomer crawl the public pages and then every demo role log in
// through the login form and crawl what it can reach; axe-core audits every page. Each
// crawl is a parallel subtest with an application and a browser context of its own.
func TestAccessibility(t *testing.T) {
	t.Parallel()
	tl := needTools(t)
	browser := startBrowser(t, tl)
	began := time.Now()
	t.Cleanup(func() { t.Logf("browser crawl took %s", time.Since(began).Round(time.Millisecond)) })

	t.Run("Gast", func(t *testing.T) {
		t.Parallel()
		base := startApp(t)
		origin, _ := url.Parse(base)
		tab := newTab(t, browser)
		a := newAuditor(t, tab, origin, tl.axeJS)
		report(t, "Gast", a.crawl("Gast", "/"), 4)
		screenshot(t, tab, base+"/", "start.png")
	})
	for _, r := range roles {
		t.Run(r.role, func(t *testing.T) {
			t.Parallel()
			base := startApp(t)
			origin, _ := url.Parse(base)
			tab := newTab(t, browser) // a new browser context: cookies of this role only
			a := newAuditor(t, tab, origin, tl.axeJS)
			where := loginThroughForm(t, tab, base, r.email, demo.Password, time.Now)
			report(t, r.role+" ("+r.email+")", a.crawl(r.role, where, "/"), 3)
		})
	}
}

// report prints one summary line for a crawl, then the pages it reached and the links that
// answered 4xx; it fails when the crawl reached fewer than minPages pages.
func report(t *testing.T, who string, res crawlResult, minPages int) {
	t.Helper()
	t.Logf("%s: %d pages audited, %d downloads checked, %d serious/critical axe violations, %d moderate/minor",
		who, res.pages, res.downloads, res.violations, res.minor)
	t.Logf("    pages: %s", strings.Join(res.visited, " "))
	for _, nf := range res.notFound {
		t.Logf("    note: %s", nf)
	}
	if res.pages < minPages {
		t.Errorf("%s reached only %d pages: %v", who, res.pages, res.visited)
	}
}

// loginThroughForm types e-mail and password into the login form (and the demo key's code
// at the application's time now, when asked), presses the button and returns the path the
// login led to; it fails unless the login succeeded.
func loginThroughForm(t *testing.T, tab context.Context, base, email, password string, now func() time.Time) string {
	t.Helper()
	if _, err := run(tab, chromedp.Steps(
		chromedp.Navigate(base+"/anmelden"),
		chromedp.SendKeys(chromedp.ID("f-email"), email),
		chromedp.SendKeys(chromedp.ID("f-password"), password),
	)); err != nil {
		t.Fatalf("login %s: fill the form: %v", email, err)
	}
	resp, err := submitForm(tab)
	if err != nil {
		t.Fatalf("login %s: submit: %v", email, err)
	}
	path, err := eval[string](tab, `location.pathname`)
	if err != nil {
		t.Fatalf("login %s: %v", email, err)
	}
	if path == "/anmelden/zweiter-faktor" {
		path, resp = enterDemoCode(t, tab, email, now)
	}
	if path == "/anmelden" || resp != 200 {
		t.Fatalf("login %s through the form failed: now at %s with status %d", email, path, resp)
	}
	flash, err := eval[string](tab, `(document.querySelector('[role=status]') || {}).textContent || ''`)
	if err != nil || flash == "" {
		t.Errorf("login %s: no confirmation message after the login (%v)", email, err)
	}
	return path
}

// enterDemoCode types the code of the demo staff's TOTP key into the code page (rules.md
// R29). A code counts only once, so a second login of the same account within the same
// 30 seconds takes the code of the next time step (accepted up to one step ahead). The
// steps follow now, the clock the application checks codes against (flow tests move it).
func enterDemoCode(t *testing.T, tab context.Context, email string, now func() time.Time) (string, int64) {
	t.Helper()
	for _, step := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
		code, err := accounts.TOTPCode(demo.SecondFactorKey, now().Add(step))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := run(tab, chromedp.SendKeys(chromedp.ID("f-code"), code)); err != nil {
			t.Fatalf("login %s: fill the code: %v", email, err)
		}
		resp, err := submitForm(tab)
		if err != nil {
			t.Fatalf("login %s: submit the code: %v", email, err)
		}
		path, err := eval[string](tab, `location.pathname`)
		if err != nil {
			t.Fatalf("login %s: %v", email, err)
		}
		if path != "/anmelden/zweiter-faktor" {
			return path, resp
		}
	}
	t.Fatalf("login %s: no code of the demo key was accepted", email)
	return "", 0
}

// submitForm clicks the submit button of the form in <main>, waits for the answer and returns its status.
func submitForm(tab context.Context) (int64, error) {
	ctx, cancel := context.WithTimeout(tab, 30*time.Second)
	defer cancel()
	r, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`main form button[type=submit]`)))
	if err != nil {
		return 0, err
	}
	return r.Status, nil
}

// TestLoginErrorSummaryFocus submits the empty login form and expects the error summary,
// which must have the focus so that a screen reader announces it first.
func TestLoginErrorSummaryFocus(t *testing.T) {
	t.Parallel()
	tl := needTools(t)
	base := startApp(t)
	tab := newTab(t, startBrowser(t, tl))
	if _, err := run(tab, chromedp.Navigate(base+"/anmelden")); err != nil {
		t.Fatal(err)
	}
	status, err := submitForm(tab)
	if err != nil {
		t.Fatal(err)
	}
	if status != 422 {
		t.Errorf("empty login form: status %d, want 422", status)
	}
	st, err := errorSummary(tab, "f-email")
	if err != nil {
		t.Fatal(err)
	}
	if st.Summary == "" {
		t.Fatal("the empty login form shows no error summary (#fehlerliste)")
	}
	if st.Focused != "fehlerliste" {
		t.Errorf("focus is on %q after the failed login, want the error summary #fehlerliste", st.Focused)
	}
	if st.Link != "#f-email" {
		t.Errorf("the error summary's first link goes to %q, want #f-email", st.Link)
	}
	if !st.Invalid {
		t.Errorf("the e-mail field is not marked aria-invalid after the failed login")
	}
	t.Logf("error summary: %s", st.Summary)
	vs, err := axeViolations(tab, tl.axeJS) // the error summary and field errors are audited too
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		if v.serious() {
			t.Errorf("login form with errors: axe %s (%s): %s\n    %s", v.ID, v.Impact, v.Help, strings.Join(v.Targets, "\n    "))
		}
	}
	screenshot(t, tab, "", "anmelden-fehler.png")
}

// errorState is what a page with refused input shows of its errors.
type errorState struct {
	Focused    string `json:"focused"`    // the id of the element with the focus
	Summary    string `json:"summary"`    // the text of the error summary #fehlerliste
	Link       string `json:"link"`       // the first link of the summary, e.g. "#f-email"
	Invalid    bool   `json:"invalid"`    // the field is marked aria-invalid
	FieldError string `json:"fieldError"` // the text of the field's message (id-error)
}

// errorSummary reads the error summary and the state of the field with id field, after
// waiting briefly for the summary to take the focus (autofocus is applied after the load).
func errorSummary(tab context.Context, field string) (errorState, error) {
	var st errorState
	var err error
	for range 20 {
		st, err = eval[errorState](tab, fmt.Sprintf(`((id) => { const s = document.getElementById('fehlerliste');
			const l = s && s.querySelector('a[href^="#f-"]'); const f = document.getElementById(id); const e = document.getElementById(id + '-error');
			return {focused: (document.activeElement || {}).id || '', summary: s ? s.textContent.replace(/\s+/g, ' ').trim() : '',
				link: l ? l.getAttribute('href') : '', invalid: !!f && f.getAttribute('aria-invalid') === 'true',
				fieldError: e ? e.textContent.replace(/\s+/g, ' ').trim() : ''} })(%q)`, field))
		if err != nil || st.Focused == "fehlerliste" {
			return st, err
		}
		time.Sleep(50 * time.Millisecond)
	}
	return st, nil
}

// screenshot saves a full-page PNG of the page in tab (after opening target, unless it is
// empty) as name in KIMIBV_SCREENSHOT_DIR, or in a temporary directory.
func screenshot(t *testing.T, tab context.Context, target, name string) {
	t.Helper()
	if target != "" {
		if _, err := run(tab, chromedp.Navigate(target)); err != nil {
			t.Errorf("screenshot %s: %v", target, err)
			return
		}
	}
	png, err := run(tab, chromedp.FullScreenshot(100))
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	dir := os.Getenv("KIMIBV_SCREENSHOT_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	file := filepath.Join(dir, name)
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Error(err)
		return
	}
	t.Logf("screenshot: %s (%d bytes)", file, len(png))
}

// TestAxeFindsViolations checks the audit itself: on a page with a strict Content-Security-Policy
// and known faults, the injected axe-core must report them as serious or critical.
func TestAxeFindsViolations(t *testing.T) {
	t.Parallel()
	tl := needTools(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'self'")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!DOCTYPE html><html lang="de"><head><title>Fehlerhaft</title></head><body><main><h1>Fehlerhaft</h1>`+
			`<img src="/bild.png"><form><input type="text" name="x"></form></main></body></html>`)
	}))
	t.Cleanup(srv.Close)
	tab := newTab(t, startBrowser(t, tl))
	if _, err := run(tab, chromedp.Navigate(srv.URL)); err != nil {
		t.Fatal(err)
	}
	vs, err := axeViolations(tab, tl.axeJS)
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, v := range vs {
		if v.serious() {
			found[v.ID] = true
		}
	}
	for _, id := range []string{"image-alt", "label"} {
		if !found[id] {
			t.Errorf("axe-core did not report %s as serious or critical on a faulty page; got %+v", id, vs)
		}
	}
}

// TestPageShapeTellsApartWhatAxeCanSee shows which differences between two pages make
// axe-core run again (an earlier audit answers only for the same shape): times and
// amounts do not, the CSRF token does not; a word, an id, an attribute or a checked box do.
func TestPageShapeTellsApartWhatAxeCanSee(t *testing.T) {
	t.Parallel()
	tl := needTools(t)
	pages := map[string]string{
		"base":     `<p id="p1">Frist 12.03.2026, 14:00 Uhr: 1.250,00 €</p><input type="hidden" name="_csrf" value="abc"><input type="checkbox" id="c1">`,
		"digits":   `<p id="p1">Frist 30.11.2027, 09:15 Uhr: 9.999,99 €</p><input type="hidden" name="_csrf" value="xyz"><input type="checkbox" id="c1">`,
		"word":     `<p id="p1">Ende 12.03.2026, 14:00 Uhr: 1.250,00 €</p><input type="hidden" name="_csrf" value="abc"><input type="checkbox" id="c1">`,
		"id":       `<p id="p2">Frist 12.03.2026, 14:00 Uhr: 1.250,00 €</p><input type="hidden" name="_csrf" value="abc"><input type="checkbox" id="c1">`,
		"class":    `<p id="p1" class="hinweis">Frist 12.03.2026, 14:00 Uhr: 1.250,00 €</p><input type="hidden" name="_csrf" value="abc"><input type="checkbox" id="c1">`,
		"checkbox": `<p id="p1">Frist 12.03.2026, 14:00 Uhr: 1.250,00 €</p><input type="hidden" name="_csrf" value="abc"><input type="checkbox" id="c1" checked>`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!DOCTYPE html><html lang="de"><head><title>Form</title></head><body><main><h1>Form</h1>`+pages[strings.TrimPrefix(r.URL.Path, "/")]+`</main></body></html>`)
	}))
	t.Cleanup(srv.Close)
	tab := newTab(t, startBrowser(t, tl))
	shape := func(name string) string {
		t.Helper()
		if _, err := run(tab, chromedp.Navigate(srv.URL+"/"+name)); err != nil {
			t.Fatal(err)
		}
		s, err := eval[string](tab, pageShape)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	base := shape("base")
	if shape("digits") != base {
		t.Error("other times, amounts and CSRF token give another shape; they should not")
	}
	for _, name := range []string{"word", "id", "class", "checkbox"} {
		if shape(name) == base {
			t.Errorf("a page differing in its %s has the same shape; axe-core would not see it", name)
		}
	}
}
