package app_test

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"kimibv/models/accounts"
	"kimibv/models/calls"
	"kimibv/models/demo"
	"kimibv/models/rules"
	"kimibv/models/store"
)

// callState is a fingerprint of everything the call forms can write.
func (ta *testApp) callState() string {
	var s string
	if err := ta.store.DB.Raw(`SELECT coalesce(string_agg(id || ':' || state || ':' || md5(draft::text), ',' ORDER BY id), '') FROM calls`).Scan(&s).Error; err != nil {
		ta.t.Fatal(err)
	}
	return fmt.Sprint(s, ta.count(`SELECT count(*) FROM call_versions`), ta.count(`SELECT count(*) FROM call_committee`),
		ta.count(`SELECT count(*) FROM audit_log WHERE chain LIKE 'call:%'`))
}

// demoRef returns the reference of the demo's open call.
func (ta *testApp) demoRef() string {
	var ref string
	ta.store.DB.Raw(`SELECT ref FROM calls WHERE state = 'published' ORDER BY id LIMIT 1`).Scan(&ref)
	if ref == "" {
		ta.t.Fatal("demo has no published call")
	}
	return ref
}

func TestPublicCallPagesICSAndFeed(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	c := ta.client()
	ref := ta.demoRef()
	c.get("/ausschreibungen").wantStatus(t, http.StatusOK).wantContains(t, "/ausschreibungen/"+ref, "Kreis Musterland")
	c.get("/ausschreibungen?kreis=beispielhausen").wantStatus(t, http.StatusOK).wantContains(t, "Stadt Beispielhausen").wantLacks(t, "/ausschreibungen/"+ref)
	page := c.get("/ausschreibungen/"+ref).wantStatus(t, http.StatusOK)
	page.wantContains(t, "Case-Management-Konzept im KIM-Rahmen", "Unabhängigkeit und Rollenklarheit", "sehr gut mit konkreten Maßnahmen",
		"57.000,00 €", "62.000,00 €", "2,00", "(noch ", "Erstveröffentlichung", "Freistellungsbescheid")
	var id int64
	ta.store.DB.Raw(`SELECT id FROM calls WHERE ref = ?`, ref).Scan(&id)
	c.get(fmt.Sprintf("/ausschreibungen/%d", id)).wantStatus(t, http.StatusOK).wantContains(t, ref)
	var draftID int64
	ta.store.DB.Raw(`SELECT id FROM calls WHERE state = 'draft' LIMIT 1`).Scan(&draftID)
	c.get(fmt.Sprintf("/ausschreibungen/%d", draftID)).wantStatus(t, http.StatusNotFound)

	ics := c.get("/ausschreibungen/"+ref+"/termine.ics").wantStatus(t, http.StatusOK)
	if ct := ics.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/calendar") {
		t.Fatalf("content type %s", ct)
	}
	for _, line := range strings.Split(strings.TrimSuffix(ics.Body, "\r\n"), "\r\n") {
		if strings.Contains(line, "\n") || len(line) > 75 {
			t.Fatalf("bad line %q", line)
		}
	}
	if !strings.Contains(ics.Body, "BEGIN:VEVENT\r\n") || strings.Count(ics.Body, "BEGIN:VEVENT") != 4 ||
		!strings.Contains(ics.Body, "\r\nDTSTART:") || !strings.Contains(ics.Body, "00Z\r\n") || !strings.Contains(ics.Body, `\,`) {
		t.Fatalf("ics:\n%s", ics.Body)
	}

	// The demo: the open call published and amended, a further call published and cancelled, one through a Beteiligung.
	feed := c.get("/ausschreibungen.atom?kreis=musterland").wantStatus(t, http.StatusOK)
	var doc struct {
		Entries []struct {
			Title string `xml:"title"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal([]byte(feed.Body), &doc); err != nil || len(doc.Entries) != 6 || !strings.HasPrefix(doc.Entries[len(doc.Entries)-1].Title, "In Beteiligung") {
		t.Fatalf("feed %v %+v\n%s", err, doc, feed.Body)
	}
	c.get("/ausschreibungen.atom?kreis=beispielhausen").wantStatus(t, http.StatusOK)
}

// editorValues is the editor form of the KIM template with the demo committee.
func editorValues(ta *testApp) url.Values {
	v := url.Values{}
	tmpl := calls.KIMTemplate(&accounts.Tenant{Name: "Kreis Musterland", ContactEmail: "ki@musterland.example"}, ta.clock.Now())
	in := rules.DraftInputFrom(tmpl, rules.Committee{})
	v.Set("title", in.Title)
	v.Set("file_ref", "KI 1")
	v.Set("authority", "Kreis Musterland")
	v.Set("legal_basis", in.LegalBasis)
	v.Set("funding_source", in.FundingSource)
	v.Set("description", in.Description)
	v.Set("funding_from", in.FundingFrom)
	v.Set("funding_to", in.FundingTo)
	v.Set("funding_per_fte", "57.000,00")
	v.Set("kreis_top_up", "5.000")
	for i, l := range in.Lots {
		v.Set(fmt.Sprintf("lot_%d_name", i), l.Name)
		v.Set(fmt.Sprintf("lot_%d_region", i), l.Region)
		v.Set(fmt.Sprintf("lot_%d_fte", i), l.FTE)
		v.Set(fmt.Sprintf("lot_%d_min_fte", i), l.MinFTEPerSite)
	}
	for i, e := range in.Eligibility {
		v.Set(fmt.Sprintf("eligibility_%d", i), e)
	}
	for i, d := range in.RequiredDocs {
		v.Set(fmt.Sprintf("doc_%d_name", i), d.Name)
		v.Set(fmt.Sprintf("doc_%d_mandatory", i), "1")
	}
	for i, c := range in.Criteria {
		v.Set(fmt.Sprintf("criterion_%d_name", i), c.Name)
		v.Set(fmt.Sprintf("criterion_%d_weight", i), c.Weight)
		v.Set(fmt.Sprintf("criterion_%d_min_score", i), "1")
	}
	for i, s := range in.Scale {
		v.Set(fmt.Sprintf("scale_%d", i), s)
	}
	for k, s := range map[string]string{"min_total_points": "50", "answer_max_chars": "6000", "questions_until": in.QuestionsUntil,
		"deadline": in.Deadline, "planned_opening": in.PlannedOpening, "planned_decision": in.PlannedDecision, "standstill_days": "14",
		"contact_name": "KI", "contact_email": "ki@musterland.example", "action": "save"} {
		v.Set(k, s)
	}
	for _, m := range []string{"gremium1", "gremium2"} {
		v.Add("evaluators", fmt.Sprint(ta.userID(m+"@musterland.example")))
	}
	for _, m := range []string{"oeffnung1", "oeffnung2"} {
		v.Add("openers", fmt.Sprint(ta.userID(m+"@musterland.example")))
	}
	return v
}

func TestLeadDraftsAndPublishesWithBadInputsRefused(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	lead := ta.client()
	lead.login("leitung@musterland.example", demo.Password)
	base := "/verwaltung/musterland/verfahren"
	lead.get(base).wantStatus(t, http.StatusOK).wantContains(t, "KIM-Vorlage")
	res := lead.post(base, url.Values{"quelle": {"vorlage"}}).wantStatus(t, http.StatusSeeOther)
	edit := res.Header.Get("Location")
	if !strings.HasPrefix(edit, base+"/") {
		t.Fatalf("redirect to %s", edit)
	}
	if loc := lead.get(edit).wantStatus(t, http.StatusSeeOther).Header.Get("Location"); loc != edit+"/entwurf/grunddaten" {
		t.Fatalf("the draft's address leads to %s, want its first step", loc)
	}
	lead.get(edit+"/entwurf/lose").wantStatus(t, http.StatusOK).wantContains(t, "Weitere Zeile (Los)", `name="lot_3_name"`)
	lead.get(edit+"/entwurf/kriterien").wantStatus(t, http.StatusOK).wantContains(t, "Case-Management-Konzept")
	good := editorValues(ta)

	bad := []struct {
		name, field, value, message string
	}{
		{"long title", "title", strings.Repeat("Ä", 10000), "höchstens 300 Zeichen"},
		{"weight not integer", "criterion_1_weight", "12,5", "ganze Zahl"},
		{"FTE with two commas", "lot_0_fte", "1,2,3", "höchstens einem Komma"},
		{"deadline in the past", "deadline", "01.02.2020 12:00", "in der Vergangenheit"},
		{"DST gap", "deadline", "29.03.2099 02:30", "Sommerzeit"},
		{"foreign evaluator", "evaluators", fmt.Sprint(ta.userID("admin@beispielhausen.example")), "Bewertungsgremium"},
	}
	before := ta.callState()
	for _, b := range bad {
		v := url.Values{}
		for k, vals := range good {
			v[k] = vals
		}
		v.Set(b.field, b.value)
		lead.post(edit, v).wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, b.message, `id="fehlerliste"`)
		if after := ta.callState(); after != before {
			t.Fatalf("%s: data changed", b.name)
		}
	}

	// "Weitere Zeile" saves and shows one more empty row; Markdown with <script> is stored and shown escaped.
	v := url.Values{}
	for k, vals := range good {
		v[k] = vals
	}
	v.Set("description", good.Get("description")+"\n\n<script>alert(1)</script>")
	v.Set("action", "add_lot")
	res = lead.post(edit, v).wantStatus(t, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != edit+"/entwurf/lose?weitere=lot#lose" {
		t.Fatalf("add row redirects to %s", loc)
	}
	lead.get(edit+"/entwurf/lose?weitere=lot").wantStatus(t, http.StatusOK).wantContains(t, `name="lot_4_name"`)
	preview := lead.get(edit+"/vorschau").wantStatus(t, http.StatusOK).wantContains(t, "Vorschau", "&lt;script&gt;alert(1)&lt;/script&gt;")
	if strings.Contains(preview.Body, "<script>alert") {
		t.Fatal("script executed in preview")
	}

	// Publish needs the confirmation; then twice from two tabs: the second is a conflict.
	lead.post(edit+"/veroeffentlichen", url.Values{}).wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, "bestätigen")
	lead.post(edit+"/veroeffentlichen", url.Values{"bestaetigt": {"1"}}).wantStatus(t, http.StatusSeeOther)
	state := ta.callState()
	lead.post(edit+"/veroeffentlichen", url.Values{"bestaetigt": {"1"}}).wantStatus(t, http.StatusConflict).wantContains(t, "bereits veröffentlicht")
	lead.post(edit, good).wantStatus(t, http.StatusConflict)
	if ta.callState() != state {
		t.Fatal("second publish or save changed data")
	}
	lead.get(edit).wantStatus(t, http.StatusOK).wantContains(t, "eingefroren")
}

func TestPublishShowsProblemsAtTheirFields(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	lead := ta.client()
	lead.login("leitung@musterland.example", demo.Password)
	base := "/verwaltung/musterland/verfahren"
	edit := lead.post(base, url.Values{"quelle": {"vorlage"}}).wantStatus(t, http.StatusSeeOther).Header.Get("Location")
	lead.get(edit+"/veroeffentlichen").wantStatus(t, http.StatusOK).wantContains(t, "noch nicht vollständig", "#f-evaluators")
	before := ta.callState()
	lead.post(edit+"/veroeffentlichen", url.Values{"bestaetigt": {"1"}}).wantStatus(t, http.StatusUnprocessableEntity).
		wantContains(t, `href="`+edit+`/entwurf/gremium#f-openers"`, "mindestens zwei Öffnungsberechtigte")
	lead.get(edit+"/entwurf/gremium").wantStatus(t, http.StatusOK).wantContains(t, `id="f-openers"`)
	if ta.callState() != before {
		t.Fatal("failed publish changed data")
	}
}

func TestOtherKreisCannotReachCalls(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	var draftID, openID int64
	ta.store.DB.Raw(`SELECT id FROM calls WHERE state = 'draft' LIMIT 1`).Scan(&draftID)
	ta.store.DB.Raw(`SELECT id FROM calls WHERE state = 'published' LIMIT 1`).Scan(&openID)
	other := ta.client()
	other.login("admin@beispielhausen.example", demo.Password) // lead of Beispielhausen
	other.get("/verwaltung/beispielhausen/verfahren").wantStatus(t, http.StatusOK)
	before := ta.callState()
	for _, id := range []int64{draftID, openID} {
		for _, k := range []string{"musterland", "beispielhausen"} {
			p := fmt.Sprintf("/verwaltung/%s/verfahren/%d", k, id)
			other.get(p).wantStatus(t, http.StatusNotFound)
			other.get(p+"/vorschau").wantStatus(t, http.StatusNotFound)
			other.post(p, editorValues(ta)).wantStatus(t, http.StatusNotFound)
			other.post(p+"/veroeffentlichen", url.Values{"bestaetigt": {"1"}}).wantStatus(t, http.StatusNotFound)
		}
	}
	other.post("/verwaltung/beispielhausen/verfahren", url.Values{"quelle": {fmt.Sprint(openID)}}).wantStatus(t, http.StatusNotFound)
	if ta.callState() != before {
		t.Fatal("another Kreis changed calls")
	}
	anon := ta.client()
	if res := anon.get(fmt.Sprintf("/verwaltung/musterland/verfahren/%d", draftID)); res.Status != http.StatusSeeOther {
		t.Fatalf("anonymous editor: %d", res.Status)
	}
}

// TestPublicReadsNeedAConstantNumberOfQueries compares the public list and call page for one call
// with three lots against 30 calls with 10 lots, 10 criteria and 10 versions each.
func TestPublicReadsNeedAConstantNumberOfQueries(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	ctx := context.Background()
	measure := func(idOrRef string) (list, page int64) {
		var n atomic.Int64
		if _, err := calls.PublicCalls(store.WithQueryCounter(ctx, &n), ta.store.DB, calls.PublicCallFilter{}); err != nil {
			t.Fatal(err)
		}
		list = n.Swap(0)
		if _, err := calls.PublicCall(store.WithQueryCounter(ctx, &n), ta.store.DB, idOrRef); err != nil {
			t.Fatal(err)
		}
		return list, n.Load()
	}
	ref := ta.demoRef()
	list1, page1 := measure(ref)

	// Grow: 30 calls, each with 10 lots, 10 criteria and 10 versions.
	var content string
	ta.store.DB.Raw(`SELECT content::text FROM call_versions v JOIN calls c ON c.id = v.call_id WHERE c.ref = ?`, ref).Scan(&content)
	big, err := rules.DecodeCallContent([]byte(content))
	if err != nil {
		t.Fatal(err)
	}
	for len(big.Lots) < 10 {
		l := big.Lots[0]
		l.Key = fmt.Sprintf("L%d", len(big.Lots)+1)
		big.Lots = append(big.Lots, l)
	}
	for len(big.Criteria) < 10 {
		c := big.Criteria[0]
		c.Key = fmt.Sprintf("K%d", len(big.Criteria)+1)
		big.Criteria = append(big.Criteria, c)
	}
	raw, _ := big.Canonical()
	db := ta.store.DB
	var tenantID, userID int64
	db.Raw(`SELECT tenant_id, created_by FROM calls WHERE ref = ?`, ref).Row().Scan(&tenantID, &userID) //nolint:errcheck
	for i := range 30 {
		var id int64
		err := db.Raw(`INSERT INTO calls (tenant_id, ref, ref_year, ref_seq, state, current_version, title, deadline, published_at, created_by)
			VALUES (?, ?, 2099, ?, 'published', 10, 'Viel', now() + interval '30 days', now(), ?) RETURNING id`,
			tenantID, fmt.Sprintf("musterland-2099-%02d", i+1), i+1, userID).Scan(&id).Error
		if err != nil {
			t.Fatal(err)
		}
		for v := 1; v <= 10; v++ {
			if err := db.Exec(`INSERT INTO call_versions (call_id, version, content, content_sha256, reason, deadline, published_by, published_at)
				VALUES (?, ?, ?, repeat('a', 64), CASE WHEN ? = 1 THEN '' ELSE 'Änderung' END, now() + interval '30 days', ?, now())`,
				id, v, raw, v, userID).Error; err != nil {
				t.Fatal(err)
			}
		}
	}
	list30, page30 := measure("musterland-2099-07")
	if list1 != list30 || page1 != page30 {
		t.Fatalf("queries grow: list %d → %d, page %d → %d", list1, list30, page1, page30)
	}
	t.Logf("public list: %d queries, call page: %d queries (1 call with 3 lots and 30 calls with 10 lots/criteria/versions alike)", list1, page1)
	c := ta.client()
	c.get("/ausschreibungen/musterland-2099-07").wantStatus(t, http.StatusOK).wantContains(t, "Fassung")
	c.get("/ausschreibungen?seite=2").wantStatus(t, http.StatusOK).wantContains(t, "Seite 2 von 2")
}
