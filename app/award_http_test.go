package app_test

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"kimibv/models/audit"
	"kimibv/models/dbtest"
	"kimibv/models/decision"
	"kimibv/models/demo"
	"kimibv/models/rules"
)

// TestAwardRecordHTTP: /vergaben lists the final award; the record shows every public
// part and none of the people, reasons, objection texts or evaluators; the chain head is
// the ETag and a matching request gets 304 until a new audit entry is written (and its
// notification has arrived).
func TestAwardRecordHTTP(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	p := dbtest.SeedProcedure(t, ta.store.DB, dbtest.ProcedureSpec{Seq: 84, Bids: 3, Criteria: 2, Evaluators: 2, Objection: true, Final: true, Docs: dbtest.FakeDecisionDocs()})
	c := ta.client()
	c.get("/vergaben").wantStatus(t, 200).wantContains(t, "/vergaben/"+p.Ref, "Vergeben")
	c.get("/vergaben?kreis=gibtsnicht").wantStatus(t, 200).wantContains(t, "noch keine Vergaben")
	r := c.get("/vergaben/"+p.Ref).wantStatus(t, 200)
	r.wantContains(t, p.OrgNames[0], p.OrgNames[1], p.OrgNames[2], "Die Satzung fehlt.", "ausgeschlossen", "Kriterium 1", "Kriterium 2",
		"KT/0815/2026", "Kreistag", "https://ratsinfo.musterland.example/vo0050.asp?__kvonr=815", "Auswahl nach der Rangfolge der Bewertung.",
		"Rüge erhoben", "zurückgewiesen", "Sind Teilanträge je Los möglich?", "Vergabe endgültig", "Dokument ausgestellt: Vergabevermerk",
		"Protokollkette dieses Verfahrens ist unversehrt", "/ausschreibungen/"+p.Ref+"/fassungen")
	for _, s := range append(p.Secrets, "Jana Leitner", "leitung@musterland.example", "Begründung K1", "Losentscheid") {
		if strings.Contains(r.Body, s) {
			t.Errorf("public award record contains %q", s)
		}
	}
	etag := r.Header.Get("ETag")
	var head string
	ta.store.DB.Raw(`SELECT head_hash FROM audit_chains WHERE chain = ?`, audit.CallChain(p.CallID)).Scan(&head)
	if etag != `W/"vergabe-`+head+`"` || r.Header.Get("Last-Modified") == "" {
		t.Fatalf("ETag %q, head %s, Last-Modified %q", etag, head, r.Header.Get("Last-Modified"))
	}
	if !strings.Contains(r.Body, head) {
		t.Error("head hash not shown")
	}
	cond := func() int {
		req, _ := http.NewRequest(http.MethodGet, ta.server.URL+"/vergaben/"+strconv.FormatInt(p.CallID, 10), nil)
		req.Header.Set("If-None-Match", etag)
		return c.do(req).Status
	}
	if s := cond(); s != http.StatusNotModified {
		t.Errorf("If-None-Match: %d, want 304", s)
	}
	if _, err := audit.Audit(ta.store.DB, audit.Event{Chain: audit.CallChain(p.CallID), Action: "test.event"}); err != nil {
		t.Fatal(err)
	}
	// The entry was written past this instance: its notification invalidates the kept validator.
	if !eventually(notifyWithin, func() bool { return cond() == http.StatusOK }) {
		t.Errorf("after a new entry: %d, want 200", cond())
	}
	c.get("/vergaben/musterland-2026-01").wantStatus(t, 404)
	c.get("/vergaben/999999").wantStatus(t, 404)
}

// TestCouncilHTTP: the council member declares no tie and reads the annex; a tie hides
// it (annex address 404); another Kreis's council and the lead get 404.
func TestCouncilHTTP(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	p := dbtest.SeedProcedure(t, ta.store.DB, dbtest.ProcedureSpec{Seq: 85, Bids: 3, Criteria: 2, Evaluators: 2})
	base := fmt.Sprintf("/kreistag/musterland/verfahren/%d", p.CallID)
	c := ta.client()
	c.login("kreistag@musterland.example", demo.Password)
	c.get("/verwaltung/musterland").wantStatus(t, 200).wantContains(t, `href="/kreistag/musterland"`)
	c.get("/kreistag/musterland").wantStatus(t, 200).wantContains(t, base, "noch nicht abgegeben", "Kreistag: Verfahren des Kreises Musterland")
	c.get(base).wantStatus(t, 200).wantContains(t, "Noch nicht bestandskräftig", "Erklärung abgeben", p.OrgNames[0])
	c.get(base+"/anhang").wantStatus(t, 404)
	form := url.Values{}
	for _, o := range p.OrgIDs[:2] {
		form.Set(decision.CouncilTieField(o), rules.TieNone)
	}
	c.post(base+"/erklaerung", form).wantStatus(t, 422).wantContains(t, "Bitte erklären Sie")
	if n := ta.count(`SELECT count(*) FROM council_declarations WHERE call_id = ?`, p.CallID); n != 0 {
		t.Fatalf("%d declarations after a refused form", n)
	}
	form.Set(decision.CouncilTieField(p.OrgIDs[2]), rules.TieNone)
	c.post(base+"/erklaerung", form).wantStatus(t, 303)
	c.get(base+"/anhang").wantStatus(t, 200).wantContains(t, "Bewertungen der Mitglieder mit Begründung", "Gremium Geheim", "Geheime Begründung K1", "Protokoll des Verfahrens")
	c.post(base+"/erklaerung", form).wantStatus(t, 409)

	// A second member of the Kreis declares a tie: no annex, recorded.
	db := ta.store.DB
	mk := func(email string, tenant int64) *client {
		var uid int64
		db.Raw(`INSERT INTO users (email, name, password_hash) SELECT ?, 'Rat Test', password_hash FROM users WHERE email = 'kreistag@musterland.example' RETURNING id`, email).Scan(&uid)
		db.Exec(`INSERT INTO tenant_memberships (tenant_id, user_id, role) VALUES (?, ?, 'council')`, tenant, uid)
		cl := ta.client()
		cl.login(email, demo.Password)
		return cl
	}
	b := mk("rat-zwei@example.org", p.TenantID)
	form.Set(decision.CouncilTieField(p.OrgIDs[1]), rules.TieFamily)
	form.Set("note", "Meine Schwester leitet die Einrichtung.")
	b.post(base+"/erklaerung", form).wantStatus(t, 303)
	r := b.get(base).wantStatus(t, 200).wantContains(t, "Anhang nicht zugänglich")
	if strings.Contains(r.Body, "Geheime Begründung") {
		t.Error("tied member sees evaluators' reasons")
	}
	b.get(base+"/anhang").wantStatus(t, 404)
	if n := ta.count(`SELECT count(*) FROM audit_log WHERE chain = ? AND action = 'council.declared'`, audit.CallChain(p.CallID)); n != 2 {
		t.Errorf("council.declared entries: %d", n)
	}

	var other int64
	db.Raw(`INSERT INTO tenants (slug, name, kind) VALUES ('anderland', 'Kreis Anderland', 'kreis') RETURNING id`).Scan(&other)
	o := mk("rat-anderland@example.org", other)
	o.get("/kreistag/anderland").wantStatus(t, 200)
	o.get(strings.Replace(base, "musterland", "anderland", 1)).wantStatus(t, 404)
	o.get(base).wantStatus(t, 404)
	lead := ta.client()
	lead.login("leitung@musterland.example", demo.Password)
	lead.get(base).wantStatus(t, 404)
	lead.get("/kreistag/musterland").wantStatus(t, 404)
}

// TestVergabeakteZIP: the lead's ZIP holds every issued PDF with the stored hash, the
// decision JSON, the chain as JSON lines and a report that says OK; others get 404.
func TestVergabeakteZIP(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	p := dbtest.SeedProcedure(t, ta.store.DB, dbtest.ProcedureSpec{Seq: 86, Bids: 3, Criteria: 2, Evaluators: 2, Objection: true, Final: true, Docs: dbtest.FakeDecisionDocs()})
	path := fmt.Sprintf("/verwaltung/musterland/verfahren/%d/vergabeakte.zip", p.CallID)
	council := ta.client()
	council.login("kreistag@musterland.example", demo.Password)
	council.get(path).wantStatus(t, 404)
	c := ta.client()
	c.login("leitung@musterland.example", demo.Password)
	r := c.get(path).wantStatus(t, 200)
	if ct := r.Header.Get("Content-Type"); ct != "application/zip" {
		t.Fatalf("Content-Type %q", ct)
	}
	zr, err := zip.NewReader(bytes.NewReader([]byte(r.Body)), int64(len(r.Body)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	var docs []struct {
		ID         int64
		Kind       string
		FileSHA256 string `gorm:"column:file_sha256"`
	}
	ta.store.DB.Raw(`SELECT id, kind, file_sha256 FROM issued_documents WHERE call_id = ?`, p.CallID).Scan(&docs)
	if len(docs) < 4 { // Vergabevermerk twice (decision, final) and one Mitteilung per bidder
		t.Fatalf("only %d issued documents", len(docs))
	}
	for _, d := range docs {
		b, ok := files[fmt.Sprintf("dokumente/%06d-%s.pdf", d.ID, d.Kind)]
		sum := sha256.Sum256(b)
		if !ok || hex.EncodeToString(sum[:]) != d.FileSHA256 {
			t.Errorf("document %d (%s): present %v, hash mismatch", d.ID, d.Kind, ok)
		}
	}
	var decision map[string]any
	if err := json.Unmarshal(files["entscheidung.json"], &decision); err != nil || decision["entscheidung"] == nil {
		t.Errorf("entscheidung.json: %v %v", err, decision["entscheidung"])
	}
	// After the opening the archive holds the procedure's chain and every bid's trail joined to it.
	chains := map[string]string{"protokoll/protokollkette": audit.CallChain(p.CallID)}
	trails, err := audit.SealedTrailsOfCall(ta.store.DB, p.CallID, false)
	if err != nil || len(trails) == 0 {
		t.Fatalf("sealed trails: %v %v", trails, err)
	}
	for _, tr := range trails {
		chains["protokoll/eingangskette-"+tr.Trail[strings.LastIndex(tr.Trail, ":")+1:]] = tr.Trail
	}
	for base, chain := range chains {
		var entries int64
		ta.store.DB.Raw(`SELECT count(*) FROM audit_log WHERE chain = ?`, chain).Scan(&entries)
		text, present := files[base+".jsonl"]
		lines := 0
		if trimmed := strings.TrimSpace(string(text)); trimmed != "" {
			lines = len(strings.Split(trimmed, "\n"))
		}
		if !present || int64(lines) != entries {
			t.Errorf("%s: %d chain lines, %d entries", base, lines, entries)
		}
		if rep := string(files[base+"-pruefbericht.txt"]); !strings.Contains(rep, "Ergebnis: OK") {
			t.Errorf("%s report: %s", base, rep)
		}
	}
	if !strings.Contains(string(files["pruefsummen.txt"]), "entscheidung.json") {
		t.Error("checksums lack entscheidung.json")
	}
}
