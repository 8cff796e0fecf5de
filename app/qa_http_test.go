package app_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"kimibv/models/audit"
	"kimibv/models/demo"
	"kimibv/models/rules"
)

// openCall returns id and reference of the demo's published call of Kreis Musterland.
func (ta *testApp) openCall() (int64, string) {
	ta.t.Helper()
	var row struct {
		ID  int64
		Ref string
	}
	if err := ta.store.DB.Raw(`SELECT c.id, c.ref FROM calls c JOIN tenants t ON t.id = c.tenant_id
		WHERE t.slug = 'musterland' AND c.state = 'published' ORDER BY c.id LIMIT 1`).Scan(&row).Error; err != nil || row.ID == 0 {
		ta.t.Fatalf("no published demo call: %v", err)
	}
	return row.ID, row.Ref
}

// orgID returns the id of the demo organisation whose name starts with prefix.
func (ta *testApp) orgID(prefix string) int64 {
	ta.t.Helper()
	var id int64
	ta.store.DB.Raw(`SELECT id FROM organizations WHERE name LIKE ?`, prefix+"%").Scan(&id)
	if id == 0 {
		ta.t.Fatalf("no organisation %s", prefix)
	}
	return id
}

func TestQuestionsHTTP(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	id, ref := ta.openCall()
	awo := ta.orgID("Arbeiterwohlfahrt")
	base := fmt.Sprintf("/verwaltung/musterland/verfahren/%d", id)
	questions := func() int64 { return ta.count(`SELECT count(*) FROM questions WHERE call_id = ?`, id) }

	p := ta.client()
	p.login("awo@traeger.example", demo.Password)
	p.get("/ausschreibungen/"+ref+"/fragen").wantStatus(t, http.StatusOK).wantContains(t, "Frage stellen", `name="question"`)
	p.get("/ausschreibungen/"+ref).wantStatus(t, http.StatusOK).wantContains(t, "Fragen und Antworten", "Benachrichtigungen", "Nicht mehr folgen")
	n0 := questions()
	p.post("/ausschreibungen/"+ref+"/fragen", url.Values{"org": {fmt.Sprint(awo)}, "question": {"  "}}).
		wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, "Bitte geben Sie Ihre Frage an")
	p.post("/ausschreibungen/"+ref+"/fragen", url.Values{"org": {fmt.Sprint(ta.orgID("Caritas"))}, "question": {"Fremd?"}}).
		wantStatus(t, http.StatusNotFound)
	p.post("/ausschreibungen/"+ref+"/fragen", url.Values{"org": {fmt.Sprint(awo)}, "question": {"Dürfen wir uns auf einen Teil eines Loses bewerben?"}}).
		wantStatus(t, http.StatusSeeOther)
	if questions() != n0+1 {
		t.Fatalf("questions %d", questions())
	}
	p.get("/ausschreibungen/"+ref+"/fragen").wantContains(t, "Fragen Ihrer Organisation", "noch nicht beantwortet")

	// The lead sees the asker, answers with a rephrased question.
	l := ta.client()
	l.login("leitung@musterland.example", demo.Password)
	l.get(base).wantStatus(t, http.StatusOK).wantContains(t, base+"/fragen", base+"/aenderung")
	l.get(base+"/fragen").wantStatus(t, http.StatusOK).wantContains(t, "Arbeiterwohlfahrt", "Dürfen wir uns")
	var qid int64
	ta.store.DB.Raw(`SELECT max(id) FROM questions WHERE call_id = ?`, id).Scan(&qid)
	answer := fmt.Sprintf("%s/fragen/%d/antwort", base, qid)
	l.post(answer, url.Values{"question": {"Ist eine Teilbewerbung möglich?"}, "answer": {" "}}).
		wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, "Bitte geben Sie die Antwort an")
	answers := ta.count(`SELECT count(*) FROM qa_answers`)
	if n := ta.count(`SELECT count(*) FROM qa_answers`); n != answers {
		t.Fatalf("answers after a refused form: %d", n)
	}
	// Another Kreis's lead: 404 on both Kreise's addresses, nothing changes.
	o := ta.client()
	o.login("admin@beispielhausen.example", demo.Password)
	o.get(fmt.Sprintf("/verwaltung/beispielhausen/verfahren/%d/fragen", id)).wantStatus(t, http.StatusNotFound)
	o.get(base+"/fragen").wantStatus(t, http.StatusNotFound)
	o.post(strings.Replace(answer, "musterland", "beispielhausen", 1), url.Values{"question": {"x"}, "answer": {"y"}}).wantStatus(t, http.StatusNotFound)
	l.get(fmt.Sprintf("%s/fragen/%d", base, qid+1000)).wantStatus(t, http.StatusNotFound)

	l.post(answer, url.Values{"question": {"Ist eine Teilbewerbung möglich?"}, "answer": {"Ja, je Standort mindestens 1,0 VZÄ."}}).wantStatus(t, http.StatusSeeOther)
	l.post(answer, url.Values{"question": {"Nochmal"}, "answer": {"Doppelt"}}).wantStatus(t, http.StatusConflict).wantContains(t, "inzwischen beantwortet")

	// The public sees question and answer but not the asker.
	anon := ta.client()
	for _, path := range []string{"/ausschreibungen/" + ref, "/ausschreibungen/" + ref + "/fragen"} {
		res := anon.get(path).wantStatus(t, http.StatusOK).wantContains(t, "Ist eine Teilbewerbung möglich?", "je Standort mindestens 1,0 VZÄ")
		for _, leak := range []string{"Arbeiterwohlfahrt", "Dürfen wir uns", "Andrea Wohlfahrt"} {
			if strings.Contains(res.Body, leak) {
				t.Fatalf("%s shows %q", path, leak)
			}
		}
	}

	// After the question deadline: German message, nothing stored.
	ta.clock.Advance(22 * 24 * time.Hour)
	before := questions()
	p.post("/ausschreibungen/"+ref+"/fragen", url.Values{"org": {fmt.Sprint(awo)}, "question": {"Zu spät?"}}).
		wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, "Die Frist für Fragen ist am", "abgelaufen")
	if questions() != before {
		t.Fatal("a late question was stored")
	}
}

func TestAmendHTTP(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	id, ref := ta.openCall()
	base := fmt.Sprintf("/verwaltung/musterland/verfahren/%d", id)
	versions := func() int64 { return ta.count(`SELECT count(*) FROM call_versions WHERE call_id = ?`, id) }
	v0 := versions() // the demo has published version 1 and an amendment
	l := ta.client()
	l.login("leitung@musterland.example", demo.Password)
	form := l.get(base+"/aenderung").wantStatus(t, http.StatusOK).wantContains(t, "Begründung der Änderung", `name="deadline"`)
	values := formFields(t, form.Body)
	var deadline time.Time
	ta.store.DB.Raw(`SELECT deadline FROM calls WHERE id = ?`, id).Scan(&deadline)

	submit := func(mod func(v url.Values)) *response {
		v := url.Values{}
		for k, vs := range values {
			v[k] = append([]string(nil), vs...)
		}
		mod(v)
		return l.post(base+"/aenderung", v)
	}
	submit(func(v url.Values) { v.Set("reason", ""); v.Set("contact_phone", "0123") }).
		wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, "Begründung der Änderung")
	submit(func(v url.Values) {
		v.Set("reason", "Kürzer")
		v.Set("deadline", rules.FormatGermanDateTimeInput(deadline.Add(-24*time.Hour)))
	}).wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, "nur verlängert")
	submit(func(v url.Values) { v.Set("reason", "Nichts") }).wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, "unterscheidet sich nicht")
	if versions() != v0 {
		t.Fatal("a refused amendment wrote a version")
	}
	later := deadline.AddDate(0, 0, 14)
	extend := func(v url.Values) {
		v.Set("reason", "Verlängerung wegen der Sommerferien")
		v.Set("deadline", rules.FormatGermanDateTimeInput(later))
		v.Set("planned_opening", rules.FormatGermanDateTimeInput(later.AddDate(0, 0, 1)))
	}
	submit(extend).wantStatus(t, http.StatusOK).wantContains(t, "Änderungsbekanntmachung prüfen", "Abgabefrist: "+rules.FormatDateTimeZone(deadline)+" → "+rules.FormatDateTimeZone(later))
	if versions() != v0 {
		t.Fatal("the confirmation step wrote a version")
	}
	// Another Kreis's lead cannot amend.
	o := ta.client()
	o.login("admin@beispielhausen.example", demo.Password)
	o.post(strings.Replace(base, "musterland", "beispielhausen", 1)+"/aenderung", url.Values{"action": {"publish"}, "reason": {"x"}}).wantStatus(t, http.StatusNotFound)

	res := submit(func(v url.Values) { extend(v); v.Set("action", "publish") }).wantStatus(t, http.StatusSeeOther)
	diff := fmt.Sprintf("/ausschreibungen/%s/fassungen/%d/%d", ref, v0, v0+1)
	if loc := res.Header.Get("Location"); loc != diff {
		t.Fatalf("location %s, want %s", loc, diff)
	}
	if versions() != v0+1 {
		t.Fatal("no new version")
	}
	// The same confirmation again (second tab) is a conflict.
	submit(func(v url.Values) { extend(v); v.Set("action", "publish") }).wantStatus(t, http.StatusConflict)
	anon := ta.client()
	anon.get(diff).wantStatus(t, http.StatusOK).wantContains(t, "Verlängerung wegen der Sommerferien", "Abgabefrist")
	anon.get("/ausschreibungen/"+ref+"/fassungen").wantStatus(t, http.StatusOK).wantContains(t, fmt.Sprintf("gegenüber Fassung %d", v0))
	anon.get("/ausschreibungen/"+ref).wantStatus(t, http.StatusOK).wantContains(t, "Änderungsbekanntmachungen", diff)
	anon.get(fmt.Sprintf("/ausschreibungen/%s/fassungen/%d/%d", ref, v0+1, v0+2)).wantStatus(t, http.StatusNotFound)
	anon.get("/ausschreibungen/"+ref+"/fassungen/x/2").wantStatus(t, http.StatusNotFound)
	if got := anon.get("/ausschreibungen/" + ref + "/fassungen?von=2&zu=1"); got.Status != http.StatusSeeOther || got.Header.Get("Location") != "/ausschreibungen/"+ref+"/fassungen/1/2" {
		t.Fatalf("compare redirect %d %s", got.Status, got.Header.Get("Location"))
	}
}

func TestCancelHTTP(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	id, ref := ta.openCall()
	base := fmt.Sprintf("/verwaltung/musterland/verfahren/%d", id)
	awo := ta.orgID("Arbeiterwohlfahrt")
	caritas := ta.orgID("Caritas")

	p := ta.client()
	p.login("awo@traeger.example", demo.Password)
	p.post("/ausschreibungen/"+ref+"/folgen", url.Values{"follow_org": {fmt.Sprint(awo)}}).wantStatus(t, http.StatusSeeOther)
	p.get("/ausschreibungen/"+ref).wantContains(t, "folgt dieser Ausschreibung", "Nicht mehr folgen")

	l := ta.client()
	l.login("leitung@musterland.example", demo.Password)
	l.post(base+"/aufhebung", url.Values{"reason": {"  "}}).wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, "Begründung der Aufhebung")
	if ta.count(`SELECT count(*) FROM calls WHERE id = ? AND state = 'cancelled'`, id) != 0 {
		t.Fatal("cancelled without a reason")
	}
	o := ta.client()
	o.login("admin@beispielhausen.example", demo.Password)
	o.post(fmt.Sprintf("/verwaltung/beispielhausen/verfahren/%d/aufhebung", id), url.Values{"reason": {"x"}}).wantStatus(t, http.StatusNotFound)

	versionsBefore := ta.count(`SELECT count(*) FROM call_versions WHERE call_id = ?`, id)
	l.post(base+"/aufhebung", url.Values{"reason": {"Die Landesmittel wurden nicht bewilligt."}}).wantStatus(t, http.StatusSeeOther)
	ta.client().get("/ausschreibungen/"+ref).wantStatus(t, http.StatusOK).wantContains(t, "Aufgehoben am", "Die Landesmittel wurden nicht bewilligt.")
	if n := ta.count(`SELECT count(*) FROM audit_log WHERE chain = ? AND action = 'call.cancelled'`, audit.CallChain(id)); n != 1 {
		t.Fatalf("call.cancelled entries %d", n)
	}
	// Amending the cancelled call: German conflict, nothing changes.
	l.get(base+"/aenderung").wantStatus(t, http.StatusConflict).wantContains(t, "aufgehoben")
	l.post(base+"/aenderung", url.Values{"action": {"publish"}, "reason": {"Verlängerung"}}).wantStatus(t, http.StatusConflict).wantContains(t, "aufgehoben")
	if ta.count(`SELECT count(*) FROM call_versions WHERE call_id = ?`, id) != versionsBefore {
		t.Fatal("a cancelled call got a version")
	}

	// The follower's Postfach has the cancellation; another organisation's member gets 404.
	p.get(fmt.Sprintf("/traeger/%d/postfach", awo)).wantStatus(t, http.StatusOK).wantContains(t, "Aufhebung: ", "neu")
	var msgID int64
	ta.store.DB.Raw(`SELECT id FROM inbox_messages WHERE org_id = ? AND kind = 'cancellation'`, awo).Scan(&msgID)
	msgPath := fmt.Sprintf("/traeger/%d/postfach/%d", awo, msgID)
	p.get(msgPath).wantStatus(t, http.StatusOK).wantContains(t, "Die Landesmittel wurden nicht bewilligt.", "ungelesen", "Als gelesen markieren")
	readMarks := func() int64 {
		return ta.count(`SELECT count(*) FROM inbox_messages WHERE id = ? AND read_at IS NOT NULL`, msgID)
	}
	if readMarks() != 0 {
		t.Fatal("reading the message marked it read (a GET never writes)")
	}
	c := ta.client()
	c.login("caritas@traeger.example", demo.Password)
	c.post(msgPath+"/gelesen", url.Values{}).wantStatus(t, http.StatusNotFound)
	c.post(fmt.Sprintf("/traeger/%d/postfach/%d/gelesen", caritas, msgID), url.Values{}).wantStatus(t, http.StatusNotFound)
	c.post(fmt.Sprintf("/traeger/%d/postfach/gelesen", awo), url.Values{}).wantStatus(t, http.StatusNotFound)
	if readMarks() != 0 {
		t.Fatal("another organisation marked the message read")
	}
	p.post(msgPath+"/gelesen", url.Values{}).wantStatus(t, http.StatusSeeOther)
	p.get(msgPath).wantStatus(t, http.StatusOK).wantContains(t, "gelesen am")
	if readMarks() != 1 {
		t.Fatal("marking did not mark the message read")
	}
	p.post(fmt.Sprintf("/traeger/%d/postfach/gelesen", awo), url.Values{}).wantStatus(t, http.StatusSeeOther)
	if n := ta.count(`SELECT count(*) FROM inbox_messages WHERE org_id = ? AND read_at IS NULL`, awo); n != 0 {
		t.Fatalf("%d unread after marking all read", n)
	}
	c.get(fmt.Sprintf("/traeger/%d/postfach/%d", caritas, msgID)).wantStatus(t, http.StatusNotFound)
	c.get(fmt.Sprintf("/traeger/%d/postfach", awo)).wantStatus(t, http.StatusNotFound)
	c.get(fmt.Sprintf("/traeger/%d/postfach/%d", awo, msgID)).wantStatus(t, http.StatusNotFound)
}

// formFields extracts the name/value pairs of the inputs and textareas of the amendment form.
func formFields(t *testing.T, body string) url.Values {
	t.Helper()
	v := url.Values{}
	start := strings.Index(body, `/aenderung" novalidate>`)
	if start < 0 {
		t.Fatal("no amendment form")
	}
	rest := body[start:]
	rest = rest[:strings.Index(rest, "</form>")]
	for _, chunk := range strings.Split(rest, "<")[1:] {
		tag := chunk
		switch {
		case strings.HasPrefix(tag, "input "):
			name, value := attrOf(tag, "name"), attrOf(tag, "value")
			if attrOf(tag, "type") == "checkbox" && !strings.Contains(tag, " checked") {
				continue
			}
			if name != "" && name != "_csrf" {
				v.Add(name, value)
			}
		case strings.HasPrefix(tag, "textarea "):
			name := attrOf(tag, "name")
			text := tag[strings.Index(tag, ">")+1:]
			v.Add(name, html.UnescapeString(text))
		}
	}
	return v
}

func attrOf(tag, name string) string {
	i := strings.Index(tag, " "+name+`="`)
	if i < 0 {
		return ""
	}
	s := tag[i+len(name)+3:]
	return html.UnescapeString(s[:strings.Index(s, `"`)])
}
