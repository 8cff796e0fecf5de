package council_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"

	"kimibv/models/accounts"
	"kimibv/models/core"
	"kimibv/models/council"
	"kimibv/models/dbtest"
	"kimibv/models/rules"
	"kimibv/models/vault"
)

// fakeDocs renders the Sachstandsbericht as dbtest.FakePDF (app/pdfdoc's tests check layouts).
type fakeDocs struct{}

func (fakeDocs) Sachstandsbericht(meta vault.DocMeta, _ *council.ReportDoc) ([]byte, error) {
	return dbtest.FakePDF(meta), nil
}

// fixture is the demonstration with the actors the tests use.
type fixture struct {
	db                           *gorm.DB
	tenant, other                int64
	published, awarded           int64
	lead, admin, member, member2 *core.Actor
	opener, otherLead            *core.Actor
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	ctx, db := context.Background(), dbtest.NewDemo(t).DB
	f := fixture{db: db}
	db.Raw(`SELECT id FROM tenants WHERE slug = 'musterland'`).Scan(&f.tenant)
	db.Raw(`SELECT id FROM tenants WHERE slug = 'beispielhausen'`).Scan(&f.other)
	db.Raw(`SELECT id FROM calls WHERE tenant_id = ? AND state = 'published' ORDER BY id LIMIT 1`, f.tenant).Scan(&f.published)
	f.awarded = dbtest.SeedProcedure(t, db, dbtest.ProcedureSpec{Seq: 71, Bids: 2, Criteria: 2, Evaluators: 2, Final: true}).CallID
	for email, a := range map[string]**core.Actor{"leitung@musterland.example": &f.lead, "admin@musterland.example": &f.admin,
		"kreistag@musterland.example": &f.member, "kreistag2@musterland.example": &f.member2, "oeffnung1@musterland.example": &f.opener,
		"admin@beispielhausen.example": &f.otherLead} {
		var id int64
		db.Raw(`SELECT id FROM users WHERE email = ?`, email).Scan(&id)
		act, err := accounts.LoadActor(ctx, db, id)
		if err != nil {
			t.Fatalf("actor %s: %v", email, err)
		}
		*a = act
	}
	if f.published == 0 || f.awarded == 0 {
		t.Fatal("the demonstration lacks a published or an awarded procedure")
	}
	return f
}

// wantCode expects exactly one field error, "field:code".
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	ve, ok := core.AsValidation(err)
	if !ok {
		t.Fatalf("want a validation error %q, got %v", code, err)
	}
	if codes := ve.Codes(); len(codes) != 1 || codes[0] != code {
		t.Fatalf("codes %v, want [%s]", codes, code)
	}
}

// TestReportReachesEveryMemberAtOnceOnlyAtAStageReached: before the opening the lead may
// report the publication but not the opening; the report goes to every member (receipt,
// mail) with the Prüfwert of its PDF as the content hash; nobody but a lead publishes.
func TestReportReachesEveryMemberAtOnceOnlyAtAStageReached(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx, now := context.Background(), time.Now()
	in := council.ReportInput{TenantID: f.tenant, CallID: f.published, Stage: rules.StageOpening, Title: "Öffnung", Body: "Text"}
	_, err := council.PublishReport(ctx, f.db, f.lead, fakeDocs{}, in, now)
	wantCode(t, err, "stage:not_reached")
	for _, bad := range []council.ReportInput{
		{TenantID: f.tenant, CallID: f.published, Stage: "bids", Title: "x", Body: "y"},
		{TenantID: f.tenant, CallID: f.published, Stage: rules.StageCallPublished, Title: " ", Body: "y"},
		{TenantID: f.tenant, CallID: f.published, Stage: rules.StageCallPublished, Title: "x", Body: "a\x00b"},
	} {
		if _, err := council.PublishReport(ctx, f.db, f.lead, fakeDocs{}, bad, now); err == nil {
			t.Errorf("report %+v accepted", bad)
		}
	}
	in.Stage = rules.StageCallPublished
	for _, a := range []*core.Actor{f.member, f.admin, f.opener, f.otherLead} {
		if _, err := council.PublishReport(ctx, f.db, a, fakeDocs{}, in, now); !errors.Is(err, core.ErrNotFound) {
			t.Errorf("user %d published a report: %v", a.UserID, err)
		}
	}
	other := in
	other.TenantID = f.other
	if _, err := council.PublishReport(ctx, f.db, f.otherLead, fakeDocs{}, other, now); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("another Kreis's lead reported on Musterland's procedure: %v", err)
	}
	if n := dbtest.Count(t, f.db, `SELECT count(*) FROM council_reports WHERE call_id = ?`, f.published); n != 0 {
		t.Fatalf("%d reports stored by refused attempts", n)
	}
	id, err := council.PublishReport(ctx, f.db, f.lead, fakeDocs{}, in, now)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		ContentSHA256 string `gorm:"column:content_sha256"`
		Dist          string
		Receipts      int
		Same          int
	}
	f.db.Raw(`SELECT i.content_sha256, d.content_sha256 AS dist,
			(SELECT count(*) FROM council_receipts r WHERE r.distribution_id = d.id) AS receipts,
			(SELECT count(*) FROM council_receipts r WHERE r.distribution_id = d.id AND r.received_at = d.distributed_at) AS same
		FROM council_reports c JOIN issued_documents i ON i.id = c.document_id JOIN council_distributions d ON d.report_id = c.id WHERE c.id = ?`, id).Scan(&doc)
	if doc.ContentSHA256 == "" || doc.ContentSHA256 != doc.Dist || doc.Receipts != 3 || doc.Same != 3 {
		t.Errorf("distribution %+v", doc)
	}
	for _, addr := range []string{"kreistag@musterland.example", "kreistag2@musterland.example", "kreistag3@musterland.example"} {
		if ms := dbtest.MailsTo(t, f.db, addr, `kind = 'council_information'`); len(ms) == 0 {
			t.Errorf("no mail to %s", addr)
		}
	}
	if ms := dbtest.MailsTo(t, f.db, "leitung@musterland.example", `kind = 'council_information'`); len(ms) != 0 {
		t.Error("the lead got the council's mail")
	}
}

// TestAnswerGoesToEveryMemberNamingTheFactionOnce: a member asks, the lead answers once
// (a second answer is a conflict), every member receives question and answer with the
// asking faction; a member marks only the own copy read.
func TestAnswerGoesToEveryMemberNamingTheFactionOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx, now := context.Background(), time.Now()
	scope := core.CallScope{Tenant: f.tenant, Call: f.published}
	if _, err := council.AskQuestion(ctx, f.db, f.lead, scope, "Frage?", now); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("the lead asked as a council member: %v", err)
	}
	_, err := council.AskQuestion(ctx, f.db, f.member, scope, "   ", now)
	wantCode(t, err, "question:required")
	q, err := council.AskQuestion(ctx, f.db, f.member, scope, "Wie viele Träger wurden angeschrieben?", now)
	if err != nil {
		t.Fatal(err)
	}
	if err := council.AnswerQuestion(ctx, f.db, f.member, scope, q, "Antwort", now); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("a member answered: %v", err)
	}
	if err := council.AnswerQuestion(ctx, f.db, f.lead, core.CallScope{Tenant: f.tenant, Call: f.awarded}, q, "Antwort", now); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("answered under another procedure: %v", err)
	}
	if err := council.AnswerQuestion(ctx, f.db, f.lead, scope, q, "Alle Wohlfahrtsverbände des Kreises.", now); err != nil {
		t.Fatal(err)
	}
	if err := council.AnswerQuestion(ctx, f.db, f.lead, scope, q, "Nochmals", now); !errors.Is(err, core.ErrConflict) {
		t.Errorf("second answer: %v", err)
	}
	in, err := council.LoadInfo(ctx, f.db, f.member2, scope)
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Answers) != 1 || in.Answers[0].Faction() != "Fraktion Bürgerliste Musterland" || len(in.Answers[0].Dist.Receipts) != 3 {
		t.Fatalf("answers %+v", in.Answers)
	}
	d := in.Answers[0].Dist
	want, _ := vault.CanonicalJSON(council.AnswerContent{Ref: in.Ref, Question: "Wie viele Träger wurden angeschrieben?", Faction: "Fraktion Bürgerliste Musterland",
		AskedAt: in.Answers[0].AskedAt.UTC(), Answer: "Alle Wohlfahrtsverbände des Kreises.", AnsweredAt: in.Answers[0].AnsweredAt.UTC()})
	if vault.SHA256Hex(want) != d.ContentSHA256 {
		t.Error("the distribution's hash is not that of question, faction and answer")
	}
	other := core.CallScope{Tenant: f.tenant, Call: f.awarded}
	if err := council.MarkRead(ctx, f.db, f.member2, other, d.ID, now); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("marked read under another procedure: %v", err)
	}
	if err := council.MarkRead(ctx, f.db, f.lead, scope, d.ID, now); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("the lead marked a member's copy: %v", err)
	}
	if err := council.MarkRead(ctx, f.db, f.member2, scope, d.ID, now); err != nil {
		t.Fatal(err)
	}
	if n := dbtest.Count(t, f.db, `SELECT count(*) FROM council_receipts WHERE distribution_id = ? AND read_at IS NOT NULL`, d.ID); n != 1 {
		t.Errorf("%d read, want 1", n)
	}
}

// TestOnlyTheKreisAdministratorKeepsTheFactions: names are unique per Kreis, kinds are
// Fraktion or Gruppe, only council members of the Kreis join a faction of the Kreis.
func TestOnlyTheKreisAdministratorKeepsTheFactions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx, now := context.Background(), time.Now()
	if _, err := council.CreateFaction(ctx, f.db, f.lead, f.tenant, "Gruppe Neu", "gruppe", now); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("the lead created a faction: %v", err)
	}
	_, err := council.CreateFaction(ctx, f.db, f.admin, f.tenant, "fraktion soziales musterland", "fraktion", now)
	wantCode(t, err, "name:taken")
	_, err = council.CreateFaction(ctx, f.db, f.admin, f.tenant, "Gruppe Neu", "partei", now)
	wantCode(t, err, "kind:invalid")
	g, err := council.CreateFaction(ctx, f.db, f.admin, f.tenant, "Gruppe Neu", "gruppe", now)
	if err != nil {
		t.Fatal(err)
	}
	if err := council.AssignFaction(ctx, f.db, f.admin, f.tenant, f.lead.UserID, g); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("the lead joined a faction: %v", err)
	}
	if err := council.AssignFaction(ctx, f.db, f.otherLead, f.other, f.member.UserID, g); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("another Kreis assigned Musterland's faction: %v", err)
	}
	if err := council.AssignFaction(ctx, f.db, f.admin, f.tenant, f.member.UserID, g); err != nil {
		t.Fatal(err)
	}
	if err := council.AssignFaction(ctx, f.db, f.admin, f.tenant, f.member2.UserID, 0); err != nil {
		t.Fatal(err)
	}
	fs, ms, err := council.Factions(ctx, f.db, f.admin, f.tenant)
	if err != nil || len(fs) != 3 {
		t.Fatalf("factions %v: %v", fs, err)
	}
	got := map[string]string{}
	for _, m := range ms {
		got[m.Email] = m.FactionName
	}
	if got["kreistag@musterland.example"] != "Gruppe Neu" || got["kreistag2@musterland.example"] != "" {
		t.Errorf("members %v", got)
	}
	if n := dbtest.Count(t, f.db, `SELECT count(*) FROM audit_log WHERE action IN ('council.faction_created', 'council.faction_assigned') AND tenant_id = ?`, f.tenant); n < 6 {
		t.Errorf("%d faction entries in the protocol", n)
	}
}
