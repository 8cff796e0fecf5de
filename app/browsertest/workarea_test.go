package browsertest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// submitConfirmed submits an irreversible act (e.g. "Bogen endgültig abgeben"), checks
// that the answer is the confirmation page saying what becomes final, and confirms it.
func (p *person) submitConfirmed(action, extra string) {
	t := p.f.t
	t.Helper()
	if s := p.submit(action, extra); s != 200 {
		t.Fatalf("%s: POST %s answered %d, want the confirmation page\n%s", p.who, action, s, p.main())
	}
	p.wantText("Das kann nicht rückgängig gemacht werden", "Mit der Bestätigung wird endgültig:")
	if n, err := eval[int](p.tab, `document.querySelectorAll('main form input[type=hidden][name=bestaetigung]').length`); err != nil || n != 1 {
		t.Fatalf("%s: POST %s: the confirmation page carries %d confirmations (%v)", p.who, action, n, err)
	}
	p.pictures("bestaetigung-" + p.who)
	p.submitOK(action, "")
}

// follow clicks the link of <main> whose address is href (as written), waits for the page,
// audits it and fails unless it answers 200.
func (p *person) follow(href string) {
	t := p.f.t
	t.Helper()
	if len(p.links(href)) == 0 {
		t.Fatalf("%s: %s has no link to %s\n%s", p.who, p.path(), href, p.main())
	}
	ctx, cancel := context.WithTimeout(p.tab, 60*time.Second)
	defer cancel()
	r, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`main a[href=%q]`, href))))
	if err != nil {
		t.Fatalf("%s: follow %s: %v", p.who, href, err)
	}
	p.audit("link " + href)
	if r.Status != 200 || p.path() != href {
		t.Fatalf("%s: the link %s led to %s with %d", p.who, href, p.path(), r.Status)
	}
}

// fromWorkArea logs who in, checks that the login landed on the work area, pictures it at
// 1280 and 390 pixels and follows the link to the task at href.
func (f *flow) fromWorkArea(who, email, href string, want ...string) *person {
	f.t.Helper()
	p := f.as(who, email)
	if got := p.path(); got != "/arbeitsbereich" {
		f.t.Fatalf("%s: the login led to %s, want the work area", who, got)
	}
	p.wantText(want...)
	p.pictures("arbeitsbereich-" + who)
	p.follow(href)
	return p
}

// pictures fails when the current page is wider than a 390 pixel screen and saves
// full-page screenshots of it at 1280 and 390 pixels width in KIMIBV_SCREENSHOT_DIR
// (none without it).
func (p *person) pictures(name string) {
	t := p.f.t
	t.Helper()
	dir := os.Getenv("KIMIBV_SCREENSHOT_DIR")
	// Back to the tab's own size afterwards: the audit of the next page sees it as before.
	size, err := eval[[]int64](p.tab, `[window.innerWidth, window.innerHeight]`)
	if err != nil || len(size) != 2 {
		t.Fatalf("%s: window size: %v", p.who, err)
	}
	defer func() { _, _ = run(p.tab, chromedp.EmulateViewport(size[0], size[1])) }()
	widths := []int64{390}
	if dir != "" {
		widths = []int64{1280, 390}
	}
	for _, w := range widths {
		if _, err := run(p.tab, chromedp.EmulateViewport(w, 900)); err != nil {
			t.Errorf("%s: viewport %d: %v", p.who, w, err)
			continue
		}
		if w == 390 {
			if over, _ := eval[int](p.tab, `document.documentElement.scrollWidth - document.documentElement.clientWidth`); over > 0 {
				wide, _ := eval[[]string](p.tab, `[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).slice(0, 6).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))`)
				t.Errorf("%s: %s is %d px wider than a 390 px screen: %v", p.who, p.path(), over, wide)
			}
		}
		if dir == "" {
			continue
		}
		png, err := run(p.tab, chromedp.FullScreenshot(100))
		if err != nil {
			t.Errorf("%s: screenshot %s: %v", p.who, name, err)
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%d.png", name, w)), png, 0o644); err != nil {
			t.Error(err)
		}
	}
}

// TestEveryRoleReachesItsNextTaskThroughTheWorkArea lets every role log in after the demo
// call's deadline and reach its next task only by the work area's link: the openers the
// opening (each confirming on the confirmation page), then the lead the formal check, the
// evaluator the declaration, the provider its Postfach, the Kreis administration its users,
// the council its area and the operator the Kreise. axe-core audits every page.
func TestEveryRoleReachesItsNextTaskThroughTheWorkArea(t *testing.T) {
	t.Parallel()
	f := newFlow(t)
	began := time.Now()
	defer f.report(began)
	f.passDeadline()

	op1 := f.fromWorkArea("oeffnung1", "oeffnung1@musterland.example", f.proc+"/oeffnung", "Öffnung bestätigen (0 von 2 Bestätigungen)")
	op1.submitConfirmed("/oeffnung", "")
	op2 := f.fromWorkArea("oeffnung2", "oeffnung2@musterland.example", f.proc+"/oeffnung", "Öffnung bestätigen (1 von 2 Bestätigungen)")
	op2.submitConfirmed("/oeffnung", "")
	if f.count(`SELECT count(*) FROM calls WHERE id = ? AND state = 'opened'`, f.callID) != 1 {
		t.Fatal("the openers did not open the call through the work area")
	}

	lead := f.fromWorkArea("leitung", "leitung@musterland.example", f.proc+"/pruefung", "Formale Prüfung abschließen (3 offen).", "Zuständig")
	lead.wantText("Formale Prüfung")
	lead.openOK(f.proc)
	lead.wantText("Schritt 5 von 11: Formale Prüfung")
	lead.pictures("verfahren-leitung")

	ev := f.fromWorkArea("gremium1", "gremium1@musterland.example", fmt.Sprintf("/verwaltung/musterland/bewertung/%d/erklaerung", f.callID),
		"Erklärung zu Interessenkonflikten abgeben")
	ev.wantText(f.names["awo"])

	f.fromWorkArea("awo", providerEmails["awo"], fmt.Sprintf("/traeger/%d/postfach", f.orgs["awo"]), "ungelesene Nachrichten im Postfach")
	f.fromWorkArea("admin", "admin@musterland.example", "/verwaltung/musterland/nutzer", "Nutzerinnen und Nutzer verwalten")
	f.fromWorkArea("kreistag", "kreistag@musterland.example", "/kreistag/musterland", "Kreistagsmitglied – Kreis Musterland")
	op := f.fromWorkArea("betrieb", "betrieb@kimibv.example", "/betrieb", "Kreise und kreisfreie Städte verwalten")
	if !strings.Contains(op.main(), "Musterland") {
		t.Error("the operator's area does not list the Kreise")
	}
}
