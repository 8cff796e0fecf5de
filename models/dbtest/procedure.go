package dbtest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"kimibv/models/accounts"
	"kimibv/models/audit"
	"kimibv/models/bids"
	"kimibv/models/calls"
	"kimibv/models/consultation"
	"kimibv/models/core"
	"kimibv/models/decision"
	"kimibv/models/evaluation"
	"kimibv/models/rules"
	"kimibv/models/vault"
)

// ProcedureSpec describes a decided procedure to seed in the demo's Kreis Musterland.
type ProcedureSpec struct {
	Seq        int // reference musterland-2026-<Seq>; distinct per test database
	Bids       int
	Criteria   int
	Evaluators int
	Objection  bool               // the second bidder lodges an objection that the lead rejects
	Final      bool               // the award becomes final (standstill over)
	Requested  string             // each bid's request in lot L1 (2 VZÄ), e.g. "2.00"; "" is "1.00"
	Docs       decision.Documents // nil: FakeDocuments
}

// Procedure is what SeedProcedure created.
type Procedure struct {
	CallID   int64
	Ref      string
	TenantID int64
	OrgIDs   []int64
	OrgNames []string
	// Secrets are texts that exist in the procedure but must never appear on a public
	// page: names and e-mail addresses of people, evaluators' names and reasons.
	Secrets []string
	Lead    *core.Actor
}

// FakePDF is a renderer stand-in producing a tiny, deterministic PDF-looking file.
func FakePDF(meta vault.DocMeta) []byte {
	return []byte("%PDF-1.4\n% kimibv test " + string(meta.Kind) + " " + meta.ContentSHA256 + "\n%%EOF\n")
}

// FakeDocuments renders every procedure document as FakePDF, for database tests that
// check that a document is issued, not how it looks (app/pdfdoc's tests check layouts).
type FakeDocuments struct{}

// Bekanntmachung renders FakePDF.
func (FakeDocuments) Bekanntmachung(meta vault.DocMeta, _ *calls.BekanntmachungData) ([]byte, error) {
	return FakePDF(meta), nil
}

// Eingangsbestaetigung renders FakePDF.
func (FakeDocuments) Eingangsbestaetigung(meta vault.DocMeta, _ *bids.ReceiptDocData) ([]byte, error) {
	return FakePDF(meta), nil
}

// Oeffnungsprotokoll renders FakePDF.
func (FakeDocuments) Oeffnungsprotokoll(meta vault.DocMeta, _ *evaluation.OpeningDocData) ([]byte, error) {
	return FakePDF(meta), nil
}

// Bewertungsmatrix renders FakePDF.
func (FakeDocuments) Bewertungsmatrix(meta vault.DocMeta, _ *evaluation.MatrixDocData) ([]byte, error) {
	return FakePDF(meta), nil
}

// Vergabevermerk renders FakePDF.
func (FakeDocuments) Vergabevermerk(meta vault.DocMeta, _ *decision.VermerkData) ([]byte, error) {
	return FakePDF(meta), nil
}

// Mitteilung renders FakePDF.
func (FakeDocuments) Mitteilung(meta vault.DocMeta, _ *decision.NoticeContent) ([]byte, error) {
	return FakePDF(meta), nil
}

// FakeDecisionDocs issues Vergabevermerk and Mitteilungen with FakePDF.
// Abwaegung returns a minimal PDF.
func (FakeDocuments) Abwaegung(meta vault.DocMeta, _ *consultation.AbwaegungData) ([]byte, error) {
	return FakePDF(meta), nil
}

func FakeDecisionDocs() decision.Documents { return FakeDocuments{} }

// SeedProcedure builds a procedure up to the recorded decision (and, as asked, notices,
// an objection and the final award): the call, the opening, formal checks, committee,
// declarations and sheets are inserted set-based; consolidation close, proposal,
// decision, notices, objection and award run through the use cases. db must hold the demo.
func SeedProcedure(tb testing.TB, db *gorm.DB, s ProcedureSpec) Procedure {
	tb.Helper()
	if s.Docs == nil {
		s.Docs = FakeDocuments{}
	}
	if s.Requested == "" {
		s.Requested = "1.00"
	}
	ctx := context.Background()
	now := time.Now()
	fail := func(what string, err error) {
		if err != nil {
			tb.Fatalf("seed procedure: %s: %v", what, err)
		}
	}
	var ids struct{ TenantID, LeadID int64 }
	fail("demo", db.Raw(`SELECT t.id AS tenant_id, u.id AS lead_id FROM tenants t, users u
		WHERE t.slug = 'musterland' AND u.email = 'leitung@musterland.example'`).Scan(&ids).Error)
	lead, err := accounts.LoadActor(ctx, db, ids.LeadID)
	fail("lead", err)
	p := Procedure{Ref: fmt.Sprintf("musterland-2026-%02d", s.Seq), TenantID: ids.TenantID, Lead: lead,
		Secrets: []string{lead.Name, lead.Email}}

	c := procedureContent(s.Criteria, now)
	raw, err := c.Canonical()
	fail("content", err)
	sum, _ := c.SHA256()
	fail("call", db.Raw(`INSERT INTO calls (tenant_id, ref, ref_year, ref_seq, state, current_version, title, deadline, questions_until, published_at, created_by)
		VALUES (?, ?, 2026, ?, 'published', 1, ?, ?, ?, ?, ?) RETURNING id`, ids.TenantID, p.Ref, s.Seq, c.Title, c.Timeline.Deadline,
		c.Timeline.QuestionsUntil, c.Timeline.Publication, lead.UserID).Scan(&p.CallID).Error)
	fail("version", db.Exec(`INSERT INTO call_versions (call_id, version, content, content_sha256, deadline, published_by, published_at)
		VALUES (?, 1, ?, ?, ?, ?, ?)`, p.CallID, raw, sum, c.Timeline.Deadline, lead.UserID, c.Timeline.Publication).Error)
	record := func(action string) {
		_, err := audit.Audit(db, audit.Event{Chain: audit.CallChain(p.CallID), ActorID: lead.UserID, TenantID: ids.TenantID,
			Action: action, ObjectType: "call", ObjectID: fmt.Sprint(p.CallID)})
		fail(action, err)
	}
	record("call.published")
	fail("answer", db.Exec(`INSERT INTO qa_answers (call_id, seq, question, answer, answered_at, answered_by)
		VALUES (?, 1, ?, 'Ja, je Los können Teilstellen beantragt werden.', now(), ?)`, p.CallID, "Sind Teilanträge je Los möglich?", lead.UserID).Error)
	record("question.answered")
	fail("open", db.Exec(`UPDATE calls SET state = 'opened', opened_at = now() WHERE id = ?`, p.CallID).Error)
	record("call.closed")
	record("call.opened")

	tag := fmt.Sprintf("p%d", p.CallID)
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO users (email, name, password_hash) SELECT ? || '-' || g || '@gremium.example', 'Gremium Geheim ' || ? || '-' || g, 'x' FROM generate_series(1, ?) g`, []any{tag, tag, s.Evaluators}},
		{`INSERT INTO call_committee (call_id, user_id, role) SELECT ?, id, 'evaluator' FROM users WHERE email LIKE ? || '-%@gremium.example'`, []any{p.CallID, tag}},
		{`INSERT INTO organizations (name, legal_form, street, postal_code, city, email)
			SELECT 'Träger ' || ? || '-' || lpad(g::text, 2, '0') || ' e. V.', 'e. V.', 'Weg 1', '12345', 'Musterstadt', 'info@example.org' FROM generate_series(1, ?) g`, []any{tag, s.Bids}},
		{`INSERT INTO bids (call_id, org_id, state, current_version, draft, updated_at, submitted_rev)
			SELECT ?, id, 'submitted', 1, '\x00'::bytea, now(), 1 FROM organizations WHERE name LIKE 'Träger ' || ? || '-%'`, []any{p.CallID, tag}},
		{`INSERT INTO opening_bids (bid_id, call_id, org_id, org_name, state, version, call_version, kind, receipt_at, content_sha256, needs_reconfirmation, lots)
			SELECT b.id, b.call_id, b.org_id, o.name, 'submitted', 1, 1, 'submission', now() - make_interval(secs => b.id), repeat('a', 64), false, jsonb_build_object('L1', ?::text)
			FROM bids b JOIN organizations o ON o.id = b.org_id WHERE b.call_id = ?`, []any{s.Requested, p.CallID}},
		{`INSERT INTO formal_checks (bid_id, call_id, outcome, reason, items, decided_by, decided_at, updated_at)
			SELECT bid_id, call_id, CASE WHEN row_number() OVER (ORDER BY bid_id) = 3 THEN 'excluded' ELSE 'admitted' END,
				CASE WHEN row_number() OVER (ORDER BY bid_id) = 3 THEN 'Die Satzung fehlt.' ELSE '' END, '{"U1": {"met": true, "remark": ""}}', ?, now(), now()
			FROM opening_bids WHERE call_id = ?`, []any{lead.UserID, p.CallID}},
		{`INSERT INTO coi_declarations (call_id, evaluator_id, org_id, tie, note, declared_at)
			SELECT ?, c.user_id, o.org_id, 'none', '', now() FROM call_committee c CROSS JOIN opening_bids o WHERE c.call_id = ? AND o.call_id = ?`, []any{p.CallID, p.CallID, p.CallID}},
		{`INSERT INTO score_sheets (call_id, bid_id, evaluator_id, call_version, created_at, updated_at)
			SELECT ?, o.bid_id, c.user_id, 1, now(), now() FROM call_committee c CROSS JOIN opening_bids o
			JOIN formal_checks f ON f.bid_id = o.bid_id AND f.outcome = 'admitted' WHERE c.call_id = ? AND o.call_id = ?`, []any{p.CallID, p.CallID, p.CallID}},
		{`INSERT INTO scores (sheet_id, criterion_key, score, reason)
			SELECT s.id, 'K' || g, 1 + (s.bid_id % 2), 'Geheime Begründung K' || g FROM score_sheets s CROSS JOIN generate_series(1, ?) g WHERE s.call_id = ?`, []any{s.Criteria, p.CallID}},
		{`UPDATE score_sheets SET submitted_at = now() WHERE call_id = ?`, []any{p.CallID}},
		{`INSERT INTO consolidated_scores (call_id, bid_id, criterion_key, score, mean, reason, set_by, set_at)
			SELECT ?, o.bid_id, 'K' || g, 1 + (o.bid_id % 2), 1 + (o.bid_id % 2), 'Ziele, Maßnahmen und Zuständigkeiten zu K' || g || ' sind beschrieben.', ?, now() FROM opening_bids o
			JOIN formal_checks f ON f.bid_id = o.bid_id AND f.outcome = 'admitted' CROSS JOIN generate_series(1, ?) g WHERE o.call_id = ?`, []any{p.CallID, lead.UserID, s.Criteria, p.CallID}},
	} {
		fail(q.sql, db.Exec(q.sql, q.args...).Error)
	}
	p.Secrets = append(p.Secrets, "Gremium Geheim", "Geheime Begründung", "@gremium.example")
	var orgs []struct {
		ID    int64
		Name  string
		BidID int64
	}
	fail("orgs", db.Raw(`SELECT org_id AS id, org_name AS name, bid_id FROM opening_bids WHERE call_id = ? ORDER BY bid_id`, p.CallID).Scan(&orgs).Error)
	for _, o := range orgs {
		p.OrgIDs, p.OrgNames = append(p.OrgIDs, o.ID), append(p.OrgNames, o.Name)
		_, err := audit.Audit(db, audit.Event{Chain: audit.SealedBidChain(p.CallID, o.BidID), ActorID: lead.UserID, Action: "bid.submitted",
			ObjectType: "bid", ObjectID: fmt.Sprint(o.BidID), Details: map[string]any{"org_id": o.ID, "version": 1}})
		fail("bid trail", err)
	}

	src := evaluation.EvaluationSource{}
	v, err := evaluation.LoadConsolidation(ctx, db, src, lead, p.CallID)
	fail("load consolidation", err)
	var res []rules.TieResolution
	for _, t := range v.PendingTies() {
		res = append(res, rules.TieResolution{Order: t.BidIDs, Reason: "Losentscheid in der Sitzung."})
	}
	result, err := evaluation.CloseConsolidation(ctx, db, src, lead, evaluation.CloseInput{CallID: p.CallID, Resolutions: res}, now, FakeDocuments{})
	fail("close consolidation", err)
	in := decision.ProposalInput{CallID: p.CallID, Justification: "Auswahl nach der Rangfolge der Bewertung.", FTE: map[string]string{}}
	for bid, lots := range rules.ProposalFromResult(result) {
		for lot, fte := range lots {
			in.FTE[rules.FTEField(bid, lot)] = rules.FormatFTE(fte)
		}
	}
	fail("proposal", decision.SaveProposal(ctx, db, lead, in, now))
	fail("record", decision.RecordDecision(ctx, db, lead, s.Docs, rules.RecordInput{CallID: p.CallID, Body: "kreistag",
		DecidedOn: rules.NewDate(now).German(), ResolutionNumber: "KT/0815/2026", VoteResult: "einstimmig",
		CouncilURL: "https://ratsinfo.musterland.example/vo0050.asp?__kvonr=815"}, now))
	fail("notices", decision.IssueNotices(ctx, db, lead, s.Docs, p.CallID, now))
	if s.Objection && len(orgs) > 1 {
		email := tag + "-traeger@example.org"
		var uid, noticeID int64
		fail("member", db.Raw(`INSERT INTO users (email, name, password_hash) VALUES (?, 'Petra Person', 'x') RETURNING id`, email).Scan(&uid).Error)
		fail("membership", db.Exec(`INSERT INTO organization_members (org_id, user_id, role) VALUES (?, ?, 'org_admin')`, orgs[1].ID, uid).Error)
		member, err := accounts.LoadActor(ctx, db, uid)
		fail("member actor", err)
		fail("notice", db.Raw(`SELECT id FROM notices WHERE call_id = ? AND org_id = ?`, p.CallID, orgs[1].ID).Scan(&noticeID).Error)
		oid, err := decision.LodgeObjection(ctx, db, member, orgs[1].ID, noticeID, "Geheimer Rügetext: Die Bewertung von K1 ist falsch.", now)
		fail("objection", err)
		fail("answer objection", decision.AnswerObjection(ctx, db, lead, decision.ObjectionAnswer{CallID: p.CallID, ObjectionID: oid,
			Answer: "Geheime Antwort: Die Bewertung bleibt.", Outcome: decision.ObjectionRejected}, now))
		p.Secrets = append(p.Secrets, "Petra Person", email, "Geheimer Rügetext", "Geheime Antwort")
	}
	if s.Final {
		ok, err := decision.FinalizeAward(ctx, db, s.Docs, p.CallID, now.AddDate(0, 0, 40))
		fail("finalize", err)
		if !ok {
			tb.Fatalf("seed procedure: award not finalised")
		}
	}
	return p
}

// procedureContent is a call with n criteria (weights summing to 100), two lots and a
// deadline two days ago.
func procedureContent(n int, now time.Time) rules.CallContent {
	deadline := now.AddDate(0, 0, -2).UTC().Truncate(time.Minute)
	c := rules.CallContent{
		Title: "Seed-Verfahren KIM-Case-Management", FileRef: "KI-SEED", Authority: "Kreis Musterland – Der Landrat",
		LegalBasis: "Nr. 12 VV zu § 44 LHO", FundingSource: "Landesmittel KIM, Baustein 2", Description: "## Gegenstand\n\nCase Management.",
		FundingPeriod: rules.Period{From: "2026-09-01", To: "2028-12-31"}, FundingPerFTE: decimal.NewFromInt(57000), KreisTopUp: decimal.NewFromInt(5000),
		Lots:         []rules.Lot{{Key: "L1", Name: "Nord", Region: "Nordheim", FTE: decimal.NewFromInt(2), MinFTEPerSite: decimal.NewFromInt(1)}},
		Eligibility:  []string{"Anerkannter Träger der freien Wohlfahrtspflege"},
		RequiredDocs: []rules.RequiredDoc{{Key: "U1", Name: "Konzept", Mandatory: true}},
		Scale:        []rules.ScaleLevel{{Value: 0, Label: "nicht dargestellt"}, {Value: 1, Label: "unzureichend"}, {Value: 2, Label: "gut"}},
		TieBreak:     []string{"K1"}, AnswerMaxChars: 6000,
		Timeline: rules.Timeline{QuestionsUntil: deadline.AddDate(0, 0, -7), Deadline: deadline, PlannedOpening: deadline.AddDate(0, 0, 1),
			PlannedDecision: deadline.AddDate(0, 0, 30), StandstillDays: 14, Publication: deadline.AddDate(0, 0, -30)},
		Contact: rules.Contact{Name: "Kommunales Integrationszentrum", Email: "ki@musterland.example"},
	}
	left := 100
	for i := 1; i <= n; i++ {
		w := 100 / n
		if i == n {
			w = left
		}
		left -= w
		c.Criteria = append(c.Criteria, rules.Criterion{Key: fmt.Sprintf("K%d", i), Name: fmt.Sprintf("Kriterium %d", i), Weight: w})
	}
	return c
}

// FailingDocuments fails every rendering with Err, for tests that a failing renderer rolls
// the issuing use case back.
type FailingDocuments struct{ Err error }

// Bekanntmachung fails.
func (f FailingDocuments) Bekanntmachung(vault.DocMeta, *calls.BekanntmachungData) ([]byte, error) {
	return nil, f.Err
}

// Eingangsbestaetigung fails.
func (f FailingDocuments) Eingangsbestaetigung(vault.DocMeta, *bids.ReceiptDocData) ([]byte, error) {
	return nil, f.Err
}

// Oeffnungsprotokoll fails.
func (f FailingDocuments) Oeffnungsprotokoll(vault.DocMeta, *evaluation.OpeningDocData) ([]byte, error) {
	return nil, f.Err
}

// Bewertungsmatrix fails.
func (f FailingDocuments) Bewertungsmatrix(vault.DocMeta, *evaluation.MatrixDocData) ([]byte, error) {
	return nil, f.Err
}

// Vergabevermerk fails.
func (f FailingDocuments) Vergabevermerk(vault.DocMeta, *decision.VermerkData) ([]byte, error) {
	return nil, f.Err
}

// Abwaegung fails.
func (f FailingDocuments) Abwaegung(vault.DocMeta, *consultation.AbwaegungData) ([]byte, error) {
	return nil, f.Err
}

// Mitteilung fails.
func (f FailingDocuments) Mitteilung(vault.DocMeta, *decision.NoticeContent) ([]byte, error) {
	return nil, f.Err
}
