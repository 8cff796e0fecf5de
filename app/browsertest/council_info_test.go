package browsertest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"kimibv/app/pdfdoc"
	"kimibv/models/core"
	"kimibv/models/council"
	"kimibv/models/rules"
)

// TestCouncilMemberOpensReportsAndAsksInTheBrowser: on the open demo call (with sealed
// bids) a council member opens a status report with its button, asks a question for the
// faction and, once the lead answered, opens the answer; every page passes axe-core and is
// photographed at 1280 and 390 px; nothing on it speaks of the bids.
func TestCouncilMemberOpensReportsAndAsksInTheBrowser(t *testing.T) {
	t.Parallel()
	f := newFlow(t)
	lead := f.actor("leitung@musterland.example")
	scope := core.CallScope{Tenant: f.tenant, Call: f.callID}
	docs := pdfdoc.New("http://kimibv.test/dokumentenpruefung")
	if _, err := council.PublishReport(context.Background(), f.store.DB, lead, docs, council.ReportInput{TenantID: f.tenant, CallID: f.callID,
		Stage: rules.StageCallPublished, Title: "Die Ausschreibung ist veröffentlicht",
		Body: "Die Ausschreibung ist seit der Veröffentlichung für alle Träger abrufbar.\nÜber die Öffnung berichten wir nach Ablauf der Frist."}, f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	page := fmt.Sprintf("/kreistag/musterland/verfahren/%d/sachstand", f.callID)
	karl := f.as("council", "kreistag@musterland.example")
	karl.openOK(page)
	if strings.Contains(karl.main(), "Über die Öffnung berichten wir") {
		t.Error("the report's text shows before the member opened it")
	}
	councilPictures(karl, "kreistag-sachstand-ungelesen")
	karl.submitOK("/gelesen", "")
	karl.wantText("Über die Öffnung berichten wir nach Ablauf der Frist.", "gelesen von 1")
	karl.fill("/anfragen", map[string]string{"question": "Wann rechnet die Verwaltung mit der Entscheidung im Kreistag?"})
	karl.submitOK("/anfragen", "")
	karl.wantText("Ihre noch nicht beantworteten Anfragen:", "Wann rechnet die Verwaltung")

	lp := f.as("lead", "leitung@musterland.example")
	lp.openOK(fmt.Sprintf("/verwaltung/musterland/verfahren/%d/kreistag", f.callID))
	lp.wantText("Anfrage (Fraktion Bürgerliste Musterland)", "Sachstandsbericht verteilen")
	councilPictures(lp, "kreistag-leitung")
	admin := f.as("tadmin", "admin@musterland.example")
	admin.openOK("/verwaltung/musterland/kreistag")
	councilPictures(admin, "kreistag-fraktionen")

	q := f.count(`SELECT max(id) FROM council_questions WHERE call_id = ?`, f.callID)
	if err := council.AnswerQuestion(context.Background(), f.store.DB, lead, scope, q, "Nach der Bewertung, voraussichtlich in der Sitzung im Juni.", f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	karl.openOK(page)
	karl.wantText("Anfrage (Fraktion Bürgerliste Musterland)", "Antwort öffnen")
	karl.submitOK("/gelesen", "")
	karl.wantText("Nach der Bewertung, voraussichtlich in der Sitzung im Juni.")
	for _, sealed := range []string{"Interessenbekundungen eingegangen", f.names["awo"], f.names["caritas"]} {
		if strings.Contains(karl.main(), sealed) {
			t.Errorf("the council's page names %q before the opening", sealed)
		}
	}
	councilPictures(karl, "kreistag-sachstand")
}

// councilPictures saves the current page at 1280 and 390 px width and fails when it is
// wider than a 390 px screen.
func councilPictures(p *person, name string) {
	t := p.f.t
	t.Helper()
	for _, w := range []int64{1280, 390} {
		if _, err := run(p.tab, chromedp.EmulateViewport(w, 900)); err != nil {
			t.Fatalf("viewport %d: %v", w, err)
		}
		screenshot(t, p.tab, "", fmt.Sprintf("%s-%d.png", name, w))
		if over, _ := eval[int](p.tab, `document.documentElement.scrollWidth - document.documentElement.clientWidth`); w == 390 && over > 0 {
			t.Errorf("%s is %d px wider than a 390 px screen", p.path(), over)
		}
	}
	if _, err := run(p.tab, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatal(err)
	}
}
