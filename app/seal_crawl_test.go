package app_test

import (
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"kimibv/models/dbtest"
)

// sealReaders are the actors who must not learn anything about a bid before the opening:
// every Kreis role, the other Kreis, the council member, the operator, another bidder and
// the anonymous visitor.
var sealReaders = []string{"anon", "prov_bid", "lead", "opener", "opener2", "eval_tied", "eval", "council", "tadmin", "bh_lead", "operator"}

// sealHeaders are the response headers a reader could compare between two visits.
var sealHeaders = []string{"ETag", "Last-Modified", "Content-Length", "Content-Type", "Content-Disposition", "Location"}

// sealVolatile are the parts of a page that differ between two visits by design (the
// form token of the session, and on /konto when the reader's own session was last used,
// which moves on with the crawl itself on a slow machine); they are blanked before pages
// are compared.
var sealVolatile = regexp.MustCompile(`name="_csrf" value="[^"]*"|nonce="[^"]*"|Vorgangsnummer für Rückfragen: <code>[^<]*</code>|data-label="Zuletzt genutzt">[^<]*<`)

// sealView is what one reader got for one address.
type sealView struct {
	status int
	header string
	body   string
}

// TestSealHoldsOnEveryChannelUntilTheOpening crawls every GET route of the router as
// every reader for the open demo call, lets a provider prepare and submit a bid with
// marker strings in every field and as every file name, and crawls again: before the
// opening no page, file, header or protocol filter may differ or name the marker; after
// the opening the lead sees the bid and the protocol shows its trail.
func TestSealHoldsOnEveryChannelUntilTheOpening(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("seal crawl: long")
	}
	e := newMatrixEnv(t)
	bidder := e.clients["prov_other"]
	orgID := e.ta.count(`SELECT m.org_id FROM organization_members m JOIN users u ON u.id = m.user_id WHERE u.email = 'diakonie@traeger.example'`)
	userID := e.ta.count(`SELECT id FROM users WHERE email = 'diakonie@traeger.example'`)
	extra := []string{ // the protocol's filters for what the bid would add
		"/verwaltung/musterland/protokoll?action=bid.submitted",
		"/verwaltung/musterland/protokoll?action=document.issued",
		"/verwaltung/musterland/protokoll?object_type=bid",
		fmt.Sprintf("/verwaltung/musterland/protokoll?actor=%d", userID),
		fmt.Sprintf("/verwaltung/musterland/protokoll?object_type=bid&object_id=%d", e.bidID+1),
		// The exports of the protocol with the same filters, and the council's trail.
		"/verwaltung/musterland/protokoll.csv?action=bid.submitted",
		fmt.Sprintf("/verwaltung/musterland/protokoll.csv?actor=%d", userID),
		"/verwaltung/musterland/protokoll.pdf?object_type=bid",
		fmt.Sprintf("/kreistag/musterland/verfahren/%d/protokoll", e.callID),
	}
	// Warm-up: the login's flash message is shown once; it does not belong to the
	// comparison. (Reading a Postfach message or a receipt changes nothing.)
	for _, actor := range sealReaders {
		e.clients[actor].get("/")
	}
	before := e.sealCrawl(t, extra)
	// Mail and Postfach: nobody but the bidder is told about the bid.
	othersTold := func() int {
		n := len(dbtest.Inbox(t, e.ta.store.DB, "org_id <> ?", orgID))
		for _, m := range dbtest.Mails(t, e.ta.store.DB, "") { // the recipient is sealed at rest
			if m.ToAddr != "diakonie@traeger.example" {
				n++
			}
		}
		return n
	}
	toldBefore := othersTold()

	marker := "SIEGELPROBE"
	base := e.bidWithMarkers(t, bidder, orgID, marker)
	after := e.sealCrawl(t, extra)

	if n := othersTold(); n != toldBefore {
		t.Errorf("%d mails or Postfach messages to others than the bidder after the bid (%d before)", n, toldBefore)
	}
	if len(after) != len(before) {
		t.Errorf("the crawl reached %d addresses before the bid and %d after it", len(before), len(after))
	}
	diffs := 0
	for _, key := range sortedKeys(after) {
		b, a := before[key], after[key]
		if strings.Contains(a.body, marker) || strings.Contains(a.header, marker) {
			t.Errorf("%s shows the bid's marker before the opening", key)
		}
		if a != b && diffs < 40 {
			diffs++
			t.Errorf("%s changed with a bid before the opening: status %d→%d, headers %q→%q, body %s",
				key, b.status, a.status, b.header, a.header, firstDifference(b.body, a.body))
		}
	}
	for _, reader := range []string{"lead", "opener", "eval", "council", "tadmin", "prov_bid", "operator"} {
		if v, ok := after[reader+" /arbeitsbereich"]; !ok || v.status != 200 { // the work area is crawled and compared like every page
			t.Errorf("the crawl did not read %s's work area", reader)
		}
	}
	t.Logf("seal crawl: %d addresses per crawl, %d readers", len(after), len(sealReaders))

	// After the opening the bid and its trail are there for the lead.
	e.advance(t, "closed")
	e.clients["opener"].postConfirmed(e.base+"/oeffnung", nil).wantStatus(t, 303)
	e.clients["opener2"].postConfirmed(e.base+"/oeffnung", nil).wantStatus(t, 303)
	lead := e.clients["lead"]
	lead.get(fmt.Sprintf("/verwaltung/musterland/protokoll?actor=%d", userID)).wantStatus(t, 200).
		wantContains(t, "Interessenbekundung eingereicht", "Versiegelte Eingangskette")
	lead.get(e.base+"/oeffnung").wantStatus(t, 200).wantContains(t, "Diakon")
	if csv := lead.get(fmt.Sprintf("/verwaltung/musterland/protokoll.csv?actor=%d", userID)).wantStatus(t, 200).Body; !strings.Contains(csv, "Interessenbekundung eingereicht") {
		t.Error("the protocol's export lacks the opened bid's trail")
	}
	e.clients["council"].get(fmt.Sprintf("/kreistag/musterland/verfahren/%d/protokoll", e.callID)).wantStatus(t, 200).
		wantContains(t, "Versiegelte Eingangskette bei der Öffnung angeschlossen")
	if !strings.Contains(lead.get(e.base+"/vergabeakte.zip").Body, "protokoll/eingangskette-") {
		t.Error("the Vergabeakte after the opening lacks the joined bid trail")
	}
	_ = base
}

// sealCrawl requests every GET route (filled with the demo's ids) and the extra
// addresses as every seal reader and returns the normalised answers by reader and path.
func (e *matrixEnv) sealCrawl(t *testing.T, extra []string) map[string]sealView {
	t.Helper()
	paths := append([]string{}, extra...)
	for _, r := range e.routes {
		if r.Method == "GET" && !strings.HasPrefix(r.Path, "/static") && r.Path != "/abmelden" {
			paths = append(paths, e.fill(r.Path, nil))
		}
	}
	out := map[string]sealView{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, actor := range sealReaders { // one reader per goroutine: their sessions are independent
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, p := range paths {
				res := e.clients[actor].get(p)
				var h strings.Builder
				for _, name := range sealHeaders {
					fmt.Fprintf(&h, "%s=%s;", name, res.Header.Get(name))
				}
				v := sealView{res.Status, h.String(), sealVolatile.ReplaceAllString(res.Body, "")}
				mu.Lock()
				out[actor+" "+p] = v
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return out
}

// bidWithMarkers starts, fills and submits a bid of organisation orgID on the demo call
// through HTTP, with marker in every text field and every uploaded file's name, and
// returns the bid's address.
func (e *matrixEnv) bidWithMarkers(t *testing.T, c *client, orgID int64, marker string) string {
	t.Helper()
	res := c.post(fmt.Sprintf("/traeger/%d/bewerbungen", orgID), url.Values{"call_id": {fmt.Sprint(e.callID)}}).wantStatus(t, 303)
	base := res.Header.Get("Location")
	c.post(base+"/lose", url.Values{"fte_L1": {"1,5"}, "go": {"next"}}).wantStatus(t, 303)
	answers := url.Values{"go": {"next"}}
	for _, cr := range e.cc.Criteria {
		answers.Set("answer_"+cr.Key, marker+"-Antwort-"+cr.Key)
	}
	c.post(base+"/antworten", answers).wantStatus(t, 303)
	for _, d := range e.cc.RequiredDocs {
		c.upload(base+"/unterlagen/"+d.Key, true, uploadPart{Name: "doc_" + d.Key, FileName: marker + "-" + d.Key + ".pdf", File: testPDF(3000)}).wantStatus(t, 303)
	}
	page := c.get(base+"/erklaerungen").wantStatus(t, 200)
	decl := url.Values{"ties": {"none"}, "go": {"next"}}
	for _, part := range strings.Split(page.Body, `name="decl_`)[1:] {
		decl.Set("decl_"+part[:strings.Index(part, `"`)], "1")
	}
	c.post(base+"/erklaerungen", decl).wantStatus(t, 303)
	c.post(base+"/kontakt", url.Values{"contact_name": {marker + " Kontakt"}, "contact_email": {"diakonie@traeger.example"}, "go": {"check"}}).wantStatus(t, 303)
	id := base[strings.LastIndex(base, "/")+1:]
	rev := fmt.Sprint(e.ta.count(`SELECT draft_rev FROM bids WHERE id = ?`, id))
	c.post(base+"/einreichen", url.Values{"rev": {rev}}).wantStatus(t, 303)
	if e.ta.count(`SELECT count(*) FROM bids WHERE id = ? AND state = 'submitted'`, id) != 1 {
		t.Fatal("the marker bid was not submitted")
	}
	return base
}

func sortedKeys(m map[string]sealView) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// firstDifference shows where two bodies part.
func firstDifference(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(i-80, 0)
	return fmt.Sprintf("at %d: %q → %q", i, a[from:min(i+120, len(a))], b[from:min(i+120, len(b))])
}
