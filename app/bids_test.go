package app_test

import (
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"

	"kimibv/models/dbtest"
	"kimibv/models/demo"
)

// bidEnv is the demo app with the Diakonie administrator logged in and the open demo call.
type bidEnv struct {
	ta      *testApp
	c       *client
	orgID   int64
	callID  int64
	callRef string
}

func newBidEnv(t *testing.T) *bidEnv {
	ta := newTestApp(t, true)
	c := ta.client()
	c.login("diakonie@traeger.example", demo.Password)
	e := &bidEnv{ta: ta, c: c}
	e.orgID = ta.count(`SELECT m.org_id FROM organization_members m JOIN users u ON u.id = m.user_id WHERE u.email = 'diakonie@traeger.example'`)
	e.callID = ta.count(`SELECT c.id FROM calls c WHERE c.state = 'published' AND EXISTS (SELECT 1 FROM bids b WHERE b.call_id = c.id)`)
	if err := ta.store.DB.Raw(`SELECT ref FROM calls WHERE id = ?`, e.callID).Scan(&e.callRef).Error; err != nil {
		t.Fatal(err)
	}
	return e
}

// start expresses interest from the public call page and returns the bid's address.
func (e *bidEnv) start(t *testing.T) string {
	t.Helper()
	e.c.get("/ausschreibungen/"+e.callRef).wantStatus(t, 200).wantContains(t, "Interesse bekunden", fmt.Sprintf(`action="/traeger/%d/bewerbungen"`, e.orgID))
	res := e.c.post(fmt.Sprintf("/traeger/%d/bewerbungen", e.orgID), url.Values{"call_id": {fmt.Sprint(e.callID)}}).wantStatus(t, 303)
	return res.Header.Get("Location")
}

func (e *bidEnv) rev(t *testing.T, base string) string {
	t.Helper()
	id := base[strings.LastIndex(base, "/")+1:]
	return fmt.Sprint(e.ta.count(`SELECT draft_rev FROM bids WHERE id = ?`, id))
}

// fill completes every step of the bid at base.
func (e *bidEnv) fill(t *testing.T, base string) {
	t.Helper()
	e.c.post(base+"/lose", url.Values{"fte_L1": {"1,5"}, "go": {"next"}}).wantStatus(t, 303)
	answers := url.Values{"go": {"next"}}
	for i := 1; i <= 6; i++ {
		answers.Set(fmt.Sprintf("answer_K%d", i), "Antwort mit konkreten Maßnahmen.")
	}
	e.c.post(base+"/antworten", answers).wantStatus(t, 303)
	for i := 1; i <= 8; i++ {
		e.c.upload(fmt.Sprintf("%s/unterlagen/U%d", base, i), true, uploadPart{Name: fmt.Sprintf("doc_U%d", i), FileName: "u.pdf", File: testPDF(3000)}).wantStatus(t, 303)
	}
	page := e.c.get(base+"/erklaerungen").wantStatus(t, 200)
	decl := url.Values{"ties": {"none"}, "go": {"next"}}
	for _, part := range strings.Split(page.Body, `name="decl_`)[1:] {
		decl.Set("decl_"+part[:strings.Index(part, `"`)], "1")
	}
	e.c.post(base+"/erklaerungen", decl).wantStatus(t, 303)
	e.c.post(base+"/kontakt", url.Values{"contact_name": {"Dorothea Diakon"}, "contact_email": {"diakonie@traeger.example"}, "go": {"check"}}).wantStatus(t, 303)
}

func TestBidFlowOverHTTP(t *testing.T) {
	t.Parallel()
	e := newBidEnv(t)
	base := e.start(t)
	// The check page lists what is missing, with links, and offers no submit button.
	e.c.get(base+"/pruefen").wantStatus(t, 200).wantContains(t, "Es fehlen noch Angaben", base+"/antworten#f-answer_K1")
	rev := e.rev(t, base)
	e.c.post(base+"/einreichen", url.Values{"rev": {rev}}).wantStatus(t, 422).wantContains(t, "fehlt")
	if n := e.ta.count(`SELECT count(*) FROM bid_versions v JOIN bids b ON b.id = v.bid_id WHERE b.org_id = ?`, e.orgID); n != 0 {
		t.Fatal("incomplete bid submitted")
	}
	e.fill(t, base)
	e.c.get(base+"/pruefen").wantStatus(t, 200).wantContains(t, "Interessenbekundung verbindlich einreichen", "Dorothea Diakon")
	rev = e.rev(t, base)
	// Two tabs submit the same revision at once: one version, one clear conflict.
	var wg sync.WaitGroup
	res := make([]*response, 2)
	for i := range res {
		wg.Add(1)
		go func() { defer wg.Done(); res[i] = e.c.post(base+"/einreichen", url.Values{"rev": {rev}}) }()
	}
	wg.Wait()
	if res[0].Status+res[1].Status != 303+409 {
		t.Fatalf("double submit: %d and %d", res[0].Status, res[1].Status)
	}
	conflict := res[0]
	if conflict.Status != 409 {
		conflict = res[1]
	}
	conflict.wantContains(t, "bereits als Fassung 1 eingereicht")
	if n := e.ta.count(`SELECT count(*) FROM bid_versions v JOIN bids b ON b.id = v.bid_id WHERE b.org_id = ?`, e.orgID); n != 1 {
		t.Fatalf("%d versions after double submit", n)
	}
	sha := ""
	_ = e.ta.store.DB.Raw(`SELECT v.content_sha256 FROM bid_versions v JOIN bids b ON b.id = v.bid_id WHERE b.org_id = ?`, e.orgID).Scan(&sha).Error
	e.c.get(base+"/fassungen/1").wantStatus(t, 200).wantContains(t, "Eingangsbestätigung", sha, "Uhr (M", "1,50 VZÄ")
	e.c.get(fmt.Sprintf("/traeger/%d/postfach", e.orgID)).wantStatus(t, 200).wantContains(t, "Eingangsbestätigung")
	// The receipt mail is sealed and belongs to no Kreis (so no Kreis's Postausgang lists it).
	if n := len(dbtest.MailsTo(t, e.ta.store.DB, "diakonie@traeger.example", `kind = 'bid_receipt' AND tenant_id IS NULL`)); n != 1 {
		t.Fatalf("%d receipt mails", n)
	}
	// The lead sees only the status: no count, no names.
	lead := e.ta.client()
	lead.login("leitung@musterland.example", demo.Password)
	page := lead.get(fmt.Sprintf("/verwaltung/musterland/verfahren/%d", e.callID)).wantStatus(t, 200).wantContains(t, "Frist läuft")
	for _, leak := range []string{"Diakonisches Werk", "Arbeiterwohlfahrt", "Interessenbekundungen</dt><dd>1", "Interessenbekundungen</dt><dd>2"} {
		if strings.Contains(page.Body, leak) {
			t.Fatalf("lead page leaks %q", leak)
		}
	}
	// Withdraw, then submitting again is refused in German and changes nothing.
	e.c.post(base+"/zurueckziehen", url.Values{}).wantStatus(t, 200).wantContains(t, "Eine erneute Einreichung ist danach nicht möglich", "Endgültig zurückziehen")
	e.c.postConfirmed(base+"/zurueckziehen", url.Values{}).wantStatus(t, 303)
	e.c.post(base+"/einreichen", url.Values{"rev": {e.rev(t, base)}}).wantStatus(t, 409).wantContains(t, "zurückgezogen")
	if n := e.ta.count(`SELECT count(*) FROM bid_versions v JOIN bids b ON b.id = v.bid_id WHERE b.org_id = ?`, e.orgID); n != 1 {
		t.Fatalf("%d versions after withdrawal", n)
	}
}

func TestBidBadInputOverHTTP(t *testing.T) {
	t.Parallel()
	e := newBidEnv(t)
	base := e.start(t)
	rev := e.rev(t, base)
	for _, tt := range []struct {
		step string
		form url.Values
		want string
	}{
		{"lose", url.Values{"fte_L1": {"2,05"}}, "höchstens 2,00 VZÄ"},
		{"lose", url.Values{"fte_L1": {"1,33"}}, "Schritten von 0,05"},
		{"lose", url.Values{"fte_L1": {"0,5"}}, "mindestens 1,00 VZÄ"},
		{"lose", url.Values{"fte_L9": {"1"}}, "gehört nicht zu dieser Ausschreibung"},
		{"antworten", url.Values{"answer_K1": {strings.Repeat("x", 100000)}}, "höchstens 6000 Zeichen"},
		{"kontakt", url.Values{"contact_email": {"keine-adresse"}}, "E-Mail"},
	} {
		e.c.post(base+"/"+tt.step, tt.form).wantStatus(t, 422).wantContains(t, tt.want)
	}
	e.c.upload(base+"/unterlagen/U1", true, uploadPart{Name: "doc_U1", FileName: "konzept.pdf", File: []byte("<html><script>alert(1)</script>")}).
		wantStatus(t, 422).wantContains(t, "keine PDF-Datei")
	if got := e.rev(t, base); got != rev {
		t.Fatalf("bad input changed the draft (rev %s -> %s)", rev, got)
	}
	if n := e.ta.count(`SELECT count(*) FROM bid_draft_files d JOIN bids b ON b.id = d.bid_id WHERE b.org_id = ?`, e.orgID); n != 0 {
		t.Fatal("refused upload stored")
	}
	// Another organisation's bid: 404 under its own address and under the other's.
	awoBid := e.ta.count(`SELECT b.id FROM bids b JOIN organization_members m ON m.org_id = b.org_id JOIN users u ON u.id = m.user_id WHERE u.email = 'awo@traeger.example'`)
	e.c.get(fmt.Sprintf("/traeger/%d/bewerbungen/%d", e.orgID, awoBid)).wantStatus(t, 404)
	e.c.post(fmt.Sprintf("/traeger/%d/bewerbungen/%d/lose", e.orgID, awoBid), url.Values{"fte_L1": {"1"}}).wantStatus(t, 404)
	e.c.post(fmt.Sprintf("/traeger/%d/bewerbungen/%d/einreichen", e.orgID, awoBid), url.Values{"rev": {"1"}}).wantStatus(t, 404)
	awoOrg := e.ta.count(`SELECT org_id FROM bids WHERE id = ?`, awoBid)
	e.c.get(fmt.Sprintf("/traeger/%d/bewerbungen/%d", awoOrg, awoBid)).wantStatus(t, 404)
	// A user removed from the organisation mid-draft.
	e.ta.store.DB.Exec(`DELETE FROM organization_members WHERE user_id = (SELECT id FROM users WHERE email = 'diakonie@traeger.example')`)
	e.c.post(base+"/lose", url.Values{"fte_L1": {"1"}}).wantStatus(t, 404)
	if got := e.rev(t, base); got != rev {
		t.Fatal("removed user changed the draft")
	}
}

func TestBidAfterDeadlineOverHTTP(t *testing.T) {
	t.Parallel()
	e := newBidEnv(t)
	base := e.start(t)
	e.fill(t, base)
	e.c.post(base+"/einreichen", url.Values{"rev": {e.rev(t, base)}}).wantStatus(t, 303)
	e.ta.store.DB.Exec(`UPDATE calls SET deadline = now() - interval '1 minute' WHERE id = ?`, e.callID)
	rev := e.rev(t, base)
	page := e.c.get(base).wantStatus(t, 200).wantContains(t, "Die Frist ist abgelaufen")
	for _, gone := range []string{"/zurueckziehen", "/pruefen\"", "Angaben bearbeiten"} {
		if strings.Contains(page.Body, gone) {
			t.Fatalf("after the deadline the page still offers %q", gone)
		}
	}
	// Forged POSTs get a German message and change nothing.
	e.c.post(base+"/lose", url.Values{"fte_L1": {"1"}}).wantStatus(t, 409).wantContains(t, "Frist für Interessenbekundungen ist abgelaufen")
	e.c.post(base+"/einreichen", url.Values{"rev": {rev}}).wantStatus(t, 409).wantContains(t, "Frist für Interessenbekundungen ist abgelaufen")
	e.c.post(base+"/zurueckziehen", url.Values{"confirm": {"1"}}).wantStatus(t, 409).wantContains(t, "abgelaufen")
	e.c.upload(base+"/unterlagen/U1", true, uploadPart{Name: "doc_U1", FileName: "u.pdf", File: testPDF(3000)}).wantStatus(t, 409)
	if n := e.ta.count(`SELECT count(*) FROM bids WHERE org_id = ? AND state = 'submitted' AND current_version = 1`, e.orgID); n != 1 {
		t.Fatal("bid changed after the deadline")
	}
	if got := e.rev(t, base); got != rev {
		t.Fatal("draft changed after the deadline")
	}
	// The lead still learns nothing but the status.
	lead := e.ta.client()
	lead.login("leitung@musterland.example", demo.Password)
	lead.get(fmt.Sprintf("/verwaltung/musterland/verfahren/%d", e.callID)).wantStatus(t, 200).wantContains(t, "Frist abgelaufen – ungeöffnet")
}

func TestDemoBids(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	c := ta.client()
	c.login("awo@traeger.example", demo.Password)
	org := ta.count(`SELECT m.org_id FROM organization_members m JOIN users u ON u.id = m.user_id WHERE u.email = 'awo@traeger.example'`)
	bid := ta.count(`SELECT id FROM bids WHERE org_id = ? AND state = 'submitted'`, org)
	if bid == 0 {
		t.Fatal("demo: AWO has no submitted bid")
	}
	c.get(fmt.Sprintf("/traeger/%d/bewerbungen", org)).wantStatus(t, 200).wantContains(t, "Eingereicht")
	c.get(fmt.Sprintf("/traeger/%d/bewerbungen/%d/fassungen/1", org, bid)).wantStatus(t, 200).wantContains(t, "2,00 VZÄ")
	if n := ta.count(`SELECT count(*) FROM bids b JOIN organizations o ON o.id = b.org_id WHERE o.name LIKE 'Caritas%' AND b.state = 'draft'`); n != 1 {
		t.Fatal("demo: Caritas has no draft")
	}
}
