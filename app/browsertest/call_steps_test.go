package browsertest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"kimibv/models/demo"
)

// inputDateTime formats a day offset from now at hour:00 German local time as a
// datetime-local input holds it ("2027-01-02T12:00").
func inputDateTime(now time.Time, days, hour int) string {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	l := now.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day()+days, hour, 0, 0, 0, loc).Format("2006-01-02T15:04")
}

// pressEnterIn focuses the field id and presses Enter, as somebody finishing a line does; it
// fails unless that submits the form and the answer has status want.
func (j *journey) pressEnterIn(id string, want int64) {
	j.t.Helper()
	if !evalOn[bool](j, fmt.Sprintf(`(() => { const e = document.getElementById(%q); if (!e) return false; e.focus(); return true; })()`, id)) {
		j.t.Fatalf("%s: %s has no field %s", j.who, j.path(), id)
	}
	ctx, cancel := context.WithTimeout(j.tab, 30*time.Second)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.KeyEvent(kb.Enter))
	if err != nil {
		j.t.Fatalf("%s: Enter in %s on %s: %v", j.who, id, j.path(), err)
	}
	if resp.Status != want {
		j.t.Fatalf("%s: Enter in %s: status %d, want %d; now at %s:\n%s", j.who, id, resp.Status, want, j.path(), j.text())
	}
	j.audit()
}

// pictures saves the current page at 1280 and 390 px width as name-1280.png and name-390.png.
func (j *journey) pictures(name string) {
	j.t.Helper()
	for _, w := range []int64{1280, 390} {
		if _, err := run(j.tab, chromedp.EmulateViewport(w, 900)); err != nil {
			j.t.Fatalf("viewport %d: %v", w, err)
		}
		screenshot(j.t, j.tab, "", fmt.Sprintf("%s-%d.png", name, w))
		if w == 390 {
			if over := evalOn[int](j, `document.documentElement.scrollWidth - document.documentElement.clientWidth`); over > 0 {
				wide := evalOn[[]string](j, `[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && !e.closest('.kern-table-responsive')).slice(0, 6).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))`)
				j.t.Errorf("%s: %s is %d px wider than a 390 px screen: %v", j.who, j.path(), over, wide)
			}
		}
	}
	if _, err := run(j.tab, chromedp.EmulateViewport(1280, 900)); err != nil {
		j.t.Fatal(err)
	}
}

// TestLeadDraftsACallStepByStep: the lead drafts a call from the KIM template through all
// seven steps of the editor. Enter in „Titel“ saves the step and goes on (it never adds a
// lot); each step is checked with axe-core and photographed at 1280 and 390 px; the date
// fields are the browser's date inputs; the template's funding start, already past, is
// pointed out on its step and in the preview, which shows the call as it will be published.
func TestLeadDraftsACallStepByStep(t *testing.T) {
	t.Parallel()
	tl, base, browser, pages, _ := startJourneys(t, "call steps")
	now := time.Now()
	title := "KIM im Kreis Musterland – Schritt für Schritt " + now.Format("150405")
	lead := newJourney(t, browser, "Leitung", base, tl.axeJS, pages)
	loginThroughForm(t, lead.tab, base, "leitung@musterland.example", demo.Password, time.Now)
	lead.open("/verwaltung/musterland/verfahren")
	lead.fill(map[string]string{"f-quelle": "vorlage"})
	lead.submit(`main form[action$="/verfahren"] button[type=submit]`, 200)
	editPath, _, _ := strings.Cut(lead.path(), "/entwurf/")
	lead.wantText("Schritt 1 von 7", "Grunddaten")
	if cur := evalOn[string](lead, `(document.querySelector('nav [aria-current="step"]') || {}).textContent || ''`); cur != "1. Grunddaten" {
		t.Errorf("the step navigation marks %q as current, want 1. Grunddaten", cur)
	}
	lead.pictures("entwurf-1-grunddaten")

	// Enter in the title saves the step and leads to „Lose und Förderung“.
	lead.fill(map[string]string{"f-title": title})
	lead.pressEnterIn("f-title", 200)
	if !strings.HasSuffix(lead.path(), "/entwurf/lose") {
		t.Fatalf("Enter in Titel led to %s, want the next step", lead.path())
	}
	lead.wantText("Grunddaten gespeichert", "Schritt 2 von 7", "Der Förderzeitraum beginnt am 01.09.2026")
	if n := evalOn[int](lead, `document.querySelectorAll('input[name$="_name"][name^="lot_"]').length`); n != 4 {
		t.Errorf("after Enter the lots step shows %d lot rows, want the 3 of the template and 1 empty (no row added)", n)
	}
	if typ := evalOn[string](lead, `document.getElementById('f-funding_from').type`); typ != "date" {
		t.Errorf("Förderzeitraum von is an input of type %q, want date", typ)
	}
	lead.pictures("entwurf-2-lose")
	from := inputDateTime(now, 60, 0)[:10]
	lead.fill(map[string]string{"f-funding_from": from})
	lead.submit(`main button[name=action][value=next]`, 200)
	lead.wantText("Schritt 3 von 7")
	lead.pictures("entwurf-3-kriterien")
	lead.submit(`main button[name=action][value=next]`, 200)
	lead.wantText("Schritt 4 von 7")
	lead.pictures("entwurf-4-unterlagen")
	lead.submit(`main button[name=action][value=next]`, 200)
	lead.wantText("Schritt 5 von 7", "Europe/Berlin")
	lead.fill(map[string]string{
		"f-questions_until":  inputDateTime(now, 23, 12),
		"f-deadline":         inputDateTime(now, 30, 12),
		"f-planned_opening":  inputDateTime(now, 31, 10),
		"f-planned_decision": inputDateTime(now, 72, 10),
	})
	lead.pictures("entwurf-5-zeitplan")
	lead.submit(`main button[name=action][value=next]`, 200)
	lead.wantText("Schritt 6 von 7")
	ticked := evalOn[int](lead, `(() => { const want = ['Greta Gremm', 'Bernd Bewerter', 'Olaf Öffner', 'Özlem Schlüter']; let n = 0;
		for (const e of document.querySelectorAll('input[name=evaluators], input[name=openers]')) {
			if (want.includes(document.querySelector('label[for="' + e.id + '"]').textContent.trim())) { e.checked = true; n++; } }
		return n; })()`)
	if ticked != 4 {
		t.Fatalf("ticked %d committee members, want 4", ticked)
	}
	lead.pictures("entwurf-6-gremium")
	lead.submit(`main button[name=action][value=next]`, 200)
	if !strings.HasSuffix(lead.path(), editPath+"/entwurf/vorschau") {
		t.Fatalf("the last step led to %s, want the preview", lead.path())
	}
	lead.wantText("Schritt 7 von 7", "So wird die Ausschreibung veröffentlicht", title, "Case-Management-Konzept im KIM-Rahmen",
		"Der Entwurf ist vollständig", "Weiter zur Veröffentlichung")
	lead.pictures("entwurf-7-vorschau")
	if got := evalOn[string](lead, `document.querySelector('main a[href$="/veroeffentlichen"]').pathname`); got != editPath+"/veroeffentlichen" {
		t.Errorf("the preview links to %q to publish", got)
	}
}
