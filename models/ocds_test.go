package models_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"kimibv/models/accounts"
	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/dbtest"
	"kimibv/models/ocdstest"
	"kimibv/models/opendata"
	"kimibv/models/rules"
	"kimibv/models/store"
)

var ocdsOpts = opendata.OCDSOptions{OCIDPrefix: "ocds-t3st01", BaseURL: "https://kimibv.test"}

// ocdsPackageJSON builds and encodes the package of idOrRef ("" for all).
func ocdsPackageJSON(t *testing.T, db *gorm.DB, idOrRef string) ([]byte, []opendata.OCDSProcedure) {
	t.Helper()
	procs, err := opendata.OCDSProcedures(context.Background(), db, idOrRef)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(opendata.BuildOCDSPackage(procs, ocdsOpts, "https://kimibv.test/ocds/releases.json", "Testbetrieb", time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	return b, procs
}

// releasesByID decodes a package's releases keyed by id (and fails on a duplicate id).
func releasesByID(t *testing.T, pkg map[string]any) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, x := range pkg["releases"].([]any) {
		r := x.(map[string]any)
		id := r["id"].(string)
		if _, dup := out[id]; dup {
			t.Fatalf("release id %s twice", id)
		}
		out[id] = r
	}
	return out
}

func TestOCDSDemoPackagesValidateAndCarryTheProcedure(t *testing.T) {
	t.Parallel()
	v := ocdstest.Load(t)
	db := dbtest.NewDemo(t).DB
	all, procs := ocdsPackageJSON(t, db, "")
	pkg := v.Package(t, "all releases", all)
	rels := releasesByID(t, pkg)
	if len(procs) < 2 {
		t.Fatalf("demo has %d public procedures", len(procs))
	}
	var open, cancelled *opendata.OCDSProcedure
	total := 0
	for i := range procs {
		p := &procs[i]
		body, _ := ocdsPackageJSON(t, db, p.Ref)
		one := v.Package(t, p.Ref, body)
		total += len(one["releases"].([]any))
		for _, r := range one["releases"].([]any) {
			if ocid := r.(map[string]any)["ocid"]; ocid != "ocds-t3st01-"+p.Ref {
				t.Errorf("ocid %v for %s", ocid, p.Ref)
			}
		}
		if p.State == rules.CallCancelled {
			cancelled = p
		}
		if len(p.Versions) > 1 && len(p.QA) > 0 {
			open = p
		}
	}
	if total != len(rels) {
		t.Fatalf("per-procedure packages hold %d releases, the whole package %d", total, len(rels))
	}
	if open == nil || cancelled == nil {
		t.Fatal("demo lacks the amended call with answers or the cancelled call")
	}

	ocid := "ocds-t3st01-" + open.Ref
	first := rels[ocid+"-tender-v1"]
	if first == nil || first["tag"].([]any)[0] != "tender" || first["language"] != "de" {
		t.Fatalf("tender release %v", first)
	}
	tender := first["tender"].(map[string]any)
	if tender["status"] != "active" || tender["awardCriteria"] != "ratedCriteria" ||
		!strings.Contains(tender["awardCriteriaDetails"].(string), "Case-Management-Konzept im KIM-Rahmen – Gewichtung 25") {
		t.Fatalf("tender %v", tender)
	}
	// 4 VZÄ × (57.000 + 5.000) € a year; lot Nord 2 VZÄ.
	if amt := tender["value"].(map[string]any)["amount"]; amt != 248000.0 {
		t.Errorf("tender value %v, want 248000 per year", amt)
	}
	lots, items := tender["lots"].([]any), tender["items"].([]any)
	if len(lots) != 3 || len(items) != 3 {
		t.Fatalf("lots %v items %v", lots, items)
	}
	nord := items[0].(map[string]any)
	if nord["quantity"] != 2.0 || nord["unit"].(map[string]any)["name"] != "VZÄ" || nord["relatedLot"] != "L1" ||
		nord["unit"].(map[string]any)["value"].(map[string]any)["amount"] != 62000.0 {
		t.Errorf("item %v", nord)
	}
	amended := rels[fmt.Sprintf("%s-tender-v%d", ocid, open.Versions[1].Version)]
	if amended == nil || amended["tag"].([]any)[0] != "tenderAmendment" {
		t.Fatalf("amendment release missing")
	}
	am := amended["tender"].(map[string]any)["amendments"].([]any)[0].(map[string]any)
	if am["rationale"] != open.Versions[1].Reason || !strings.Contains(am["description"].(string), "Abgabefrist") ||
		am["amendsReleaseID"] != ocid+"-tender-v1" {
		t.Errorf("amendment %v", am)
	}
	if amended["tender"].(map[string]any)["tenderPeriod"].(map[string]any)["endDate"] ==
		tender["tenderPeriod"].(map[string]any)["endDate"] {
		t.Error("the amendment's tender period keeps the old deadline")
	}
	last := rels[fmt.Sprintf("%s-enquiry-%d", ocid, open.QA[len(open.QA)-1].Seq)]
	enq := last["tender"].(map[string]any)["enquiries"].([]any)
	if len(enq) != len(open.QA) || enq[0].(map[string]any)["answer"] != open.QA[0].Answer {
		t.Fatalf("enquiries %v", enq)
	}
	for _, e := range enq {
		if _, ok := e.(map[string]any)["author"]; ok {
			t.Error("an enquiry names its author")
		}
	}

	c := rels["ocds-t3st01-"+cancelled.Ref+"-cancellation"]
	if c == nil || c["tag"].([]any)[0] != "tenderCancellation" || c["tender"].(map[string]any)["status"] != "cancelled" {
		t.Fatalf("cancellation release %v", c)
	}
	if !strings.Contains(string(all), cancelled.CancelReason) {
		t.Error("cancellation reason missing")
	}
}

func TestOCDSLeaksNoPersonalDataNorAskers(t *testing.T) {
	t.Parallel()
	db := dbtest.NewDemo(t).DB
	body, _ := ocdsPackageJSON(t, db, "")
	s := string(body)
	var secrets []string
	db.Raw(`SELECT name FROM users UNION SELECT email FROM users UNION SELECT name FROM organizations
		UNION SELECT email FROM organizations WHERE email <> '' UNION SELECT phone FROM organizations WHERE phone <> ''`).Scan(&secrets)
	var bodies []string // questions as asked: merged/rephrased ones and the unanswered one
	db.Raw(`SELECT q.body FROM questions q LEFT JOIN qa_answers a ON a.id = q.answer_id WHERE a.id IS NULL OR a.question <> q.body`).Scan(&bodies)
	if len(secrets) < 10 || len(bodies) < 2 {
		t.Fatalf("demo too small for this test: %d names, %d question bodies", len(secrets), len(bodies))
	}
	for _, x := range append(secrets, bodies...) {
		if strings.Contains(s, x) {
			t.Errorf("open data contains %q", x)
		}
	}
	var contact string
	db.Raw(`SELECT contact_email FROM tenants WHERE slug = 'musterland'`).Scan(&contact)
	if !strings.Contains(s, `"email":"`+contact+`"`) {
		t.Errorf("the Kreis's functional contact address %s is missing", contact)
	}
}

func TestOCDSStableIDsAndImmutableReleases(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewDemo(t).DB
	before, procs := ocdsPackageJSON(t, db, "")
	again, _ := ocdsPackageJSON(t, db, "")
	if string(before) != string(again) {
		t.Fatal("two exports of unchanged data differ")
	}
	var pb map[string]any
	json.Unmarshal(before, &pb)
	old := releasesByID(t, pb)

	// The lead answers the open question: one new tenderUpdate release, nothing else changes.
	var call, tenant, question, lead int64
	db.Raw(`SELECT q.call_id, c.tenant_id, q.id FROM questions q JOIN calls c ON c.id = q.call_id WHERE q.answer_id IS NULL LIMIT 1`).Row().Scan(&call, &tenant, &question)
	db.Raw(`SELECT id FROM users WHERE email = 'leitung@musterland.example'`).Scan(&lead)
	actor, err := accounts.LoadActor(ctx, db, lead)
	if err != nil {
		t.Fatal(err)
	}
	qa, err := calls.AnswerQuestions(ctx, db, actor, core.CallScope{Tenant: tenant, Call: call}, calls.AnswerInput{QuestionIDs: []int64{question},
		Question: "Können Räume des Kreises mitgenutzt werden?", Answer: "Ja, nach Absprache."}, "https://kimibv.test", time.Now().Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	after, _ := ocdsPackageJSON(t, db, "")
	var pa map[string]any
	json.Unmarshal(after, &pa)
	now := releasesByID(t, pa)
	if len(now) != len(old)+1 {
		t.Fatalf("releases %d → %d, want one more", len(old), len(now))
	}
	var ref string
	for _, p := range procs {
		if p.CallID == call {
			ref = p.Ref
		}
	}
	added := now[fmt.Sprintf("ocds-t3st01-%s-enquiry-%d", ref, qa.Seq)]
	if added == nil || added["tag"].([]any)[0] != "tenderUpdate" {
		t.Fatalf("no tenderUpdate release for the new answer")
	}
	for id, r := range old {
		a, _ := json.Marshal(r)
		b, _ := json.Marshal(now[id])
		if string(a) != string(b) {
			t.Errorf("release %s changed after a later answer", id)
		}
	}
}

func TestOCDSConstantQueryCount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewDemo(t).DB
	measure := func() int64 {
		var n atomic.Int64
		if _, err := opendata.OCDSProcedures(store.WithQueryCounter(ctx, &n), db, ""); err != nil {
			t.Fatal(err)
		}
		return n.Load()
	}
	small := measure()
	// Grow: 25 more published calls, each with 3 versions and 5 answers.
	err := db.Exec(`WITH src AS (SELECT c.* FROM calls c WHERE c.state = 'published' ORDER BY c.id LIMIT 1),
		n AS (SELECT generate_series(1, 25) AS i),
		ins AS (INSERT INTO calls (tenant_id, ref, ref_year, ref_seq, state, current_version, title, deadline, published_at, created_by)
			SELECT s.tenant_id, 'grow-2030-' || lpad(n.i::text, 2, '0'), 2030, n.i, 'published', 3, s.title, s.deadline, s.published_at, s.created_by
			FROM src s, n RETURNING id, created_by),
		v AS (INSERT INTO call_versions (call_id, version, content, content_sha256, reason, deadline, published_by, published_at)
			SELECT ins.id, g, cv.content, cv.content_sha256, CASE WHEN g = 1 THEN '' ELSE 'Grund ' || g END, cv.deadline, ins.created_by, cv.published_at + g * interval '1 hour'
			FROM ins, generate_series(1, 3) g, (SELECT v.* FROM call_versions v JOIN src ON v.call_id = src.id AND v.version = 1) cv RETURNING call_id)
		INSERT INTO qa_answers (call_id, seq, question, answer, answered_by, answered_at)
			SELECT ins.id, g, 'Frage ' || g, 'Antwort ' || g, ins.created_by, now() FROM ins, generate_series(1, 5) g`).Error
	if err != nil {
		t.Fatal(err)
	}
	if big := measure(); big != small || small != 6 {
		t.Fatalf("queries: %d for the demo, %d after growth; want 6 both times (calls, versions, answers, Beteiligung, award stages, contracts)", small, big)
	}
	body, procs := ocdsPackageJSON(t, db, "")
	if len(procs) < 27 || !strings.Contains(string(body), "ocds-t3st01-grow-2030-25-tender-v3") {
		t.Fatal("grown calls missing from the export")
	}
}

func TestOCDSDraftsAndUnknownCallsAreNotFound(t *testing.T) {
	t.Parallel()
	db := dbtest.NewDemo(t).DB
	var draft string
	db.Raw(`SELECT ref FROM calls WHERE state = 'draft' LIMIT 1`).Scan(&draft)
	for _, ref := range []string{draft, "999999", "nirgendwo-2026-01"} {
		if _, err := opendata.OCDSProcedures(context.Background(), db, ref); !errors.Is(err, core.ErrNotFound) {
			t.Errorf("%q: %v, want ErrNotFound", ref, err)
		}
	}
	body, _ := ocdsPackageJSON(t, db, "")
	if draft == "" || strings.Contains(string(body), draft) {
		t.Errorf("draft %q in the open data (or no draft in the demo)", draft)
	}
}

// TestOCDSAwardReleasesPlugIn builds the award releases from hand-made award stages,
// without a decision in the database, and validates them.
func TestOCDSAwardReleasesPlugIn(t *testing.T) {
	t.Parallel()
	v := ocdstest.Load(t)
	db := dbtest.NewDemo(t).DB
	_, procs := ocdsPackageJSON(t, db, "")
	var p opendata.OCDSProcedure
	for _, x := range procs {
		if x.State == rules.CallPublished {
			p = x
		}
	}
	for _, r := range opendata.BuildOCDSReleases(&p, ocdsOpts) {
		if strings.Contains(r.Tag[0], "award") {
			t.Fatalf("award release %s without awards", r.ID)
		}
	}
	at := p.Versions[len(p.Versions)-1].PublishedAt.Add(60 * 24 * time.Hour)
	awo, caritas, diakonie := opendata.OCDSOrg{ID: 11, Name: "AWO Kreisverband"}, opendata.OCDSOrg{ID: 12, Name: "Caritasverband"}, opendata.OCDSOrg{ID: 13, Name: "Diakonie"}
	awards := []opendata.OCDSAwardInput{
		{Org: awo, Lots: []opendata.OCDSAwardLot{{LotKey: "L1", FTE: decimal.NewFromInt(2)}, {LotKey: "L2", FTE: decimal.RequireFromString("0.5")}}},
		{Org: caritas, Lots: []opendata.OCDSAwardLot{{LotKey: "L2", FTE: decimal.RequireFromString("0.5")}, {LotKey: "L3", FTE: decimal.NewFromInt(1)}}},
	}
	tenderers := []opendata.OCDSOrg{awo, caritas, diakonie}
	p.AwardStages = []opendata.OCDSAwardStage{
		{Key: "decision", Date: at, AwardStatus: "pending", TenderStatus: "active", Tenderers: tenderers, Awards: awards},
		{Key: "final", Date: at.Add(15 * 24 * time.Hour), AwardStatus: "active", TenderStatus: "complete", Tenderers: tenderers, Awards: awards},
	}
	b, err := json.Marshal(opendata.BuildOCDSPackage([]opendata.OCDSProcedure{p}, ocdsOpts, "https://kimibv.test/x", "Testbetrieb", time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	rels := releasesByID(t, v.Package(t, "with awards", b))
	ocid := "ocds-t3st01-" + p.Ref
	final := rels[ocid+"-award-final"]
	if rels[ocid+"-award-decision"]["tag"].([]any)[0] != "award" || final["tag"].([]any)[0] != "awardUpdate" {
		t.Fatal("award releases missing or mis-tagged")
	}
	if final["tender"].(map[string]any)["status"] != "complete" || final["tender"].(map[string]any)["numberOfTenderers"] != 3.0 {
		t.Errorf("final tender %v", final["tender"])
	}
	aw := final["awards"].([]any)[0].(map[string]any)
	// AWO: 2.5 VZÄ × 62.000 € a year.
	if aw["status"] != "active" || aw["value"].(map[string]any)["amount"] != 155000.0 || len(aw["items"].([]any)) != 2 {
		t.Errorf("award %v", aw)
	}
	roles := map[string]string{}
	for _, x := range final["parties"].([]any) {
		party := x.(map[string]any)
		roles[party["name"].(string)] = fmt.Sprint(party["roles"])
	}
	if roles["AWO Kreisverband"] != "[tenderer supplier]" || roles["Diakonie"] != "[tenderer]" {
		t.Errorf("party roles %v", roles)
	}
}
