package models_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"kimibv/models/audit"
	"kimibv/models/bids"
	"kimibv/models/core"
	"kimibv/models/dbtest"
	"kimibv/models/evaluation"
	"kimibv/models/fixture"
	"kimibv/models/rules"
)

func TestFormalCheckExclusionFinalAndCorrection(t *testing.T) {
	t.Parallel()
	f := newEvalFixture(t)
	if err := evaluation.SaveFormalCheck(f.ctx, f.db, f.lead, core.CallScope{Tenant: f.tenantID, Call: f.callID}, f.bids["awo"], evaluation.FormalInput{Decision: rules.DecideAdmit}, f.now); !errors.Is(err, core.ErrSealed) {
		t.Fatalf("before the opening: %v", err)
	}
	f.open(t)
	// Admitting without the minimum requirements met is refused; nothing stored.
	err := evaluation.SaveFormalCheck(f.ctx, f.db, f.lead, core.CallScope{Tenant: f.tenantID, Call: f.callID}, f.bids["awo"], evaluation.FormalInput{Decision: rules.DecideAdmit}, f.now)
	fixture.WantField(t, err, "met_E1", "not_met")
	if n := dbtest.Count(t, f.db, `SELECT count(*) FROM formal_checks WHERE outcome <> 'pending'`); n != 0 {
		t.Fatalf("%d decided checks after refusal", n)
	}
	// Excluding needs a reason; with one it is final.
	fixture.WantField(t, evaluation.SaveFormalCheck(f.ctx, f.db, f.lead, core.CallScope{Tenant: f.tenantID, Call: f.callID}, f.bids["caritas"], evaluation.FormalInput{Decision: rules.DecideExclude}, f.now), "reason", "required")
	if err := evaluation.SaveFormalCheck(f.ctx, f.db, f.lead, core.CallScope{Tenant: f.tenantID, Call: f.callID}, f.bids["caritas"],
		evaluation.FormalInput{Items: f.allMet(), Decision: rules.DecideExclude, Reason: "Die Satzung ist nicht unterschrieben."}, f.now); err != nil {
		t.Fatal(err)
	}
	for _, d := range []rules.FormalDecision{rules.DecideAdmit, rules.DecideSave} {
		err := evaluation.SaveFormalCheck(f.ctx, f.db, f.lead, core.CallScope{Tenant: f.tenantID, Call: f.callID}, f.bids["caritas"], evaluation.FormalInput{Items: f.allMet(), Decision: d}, f.now)
		wantRefusal(t, err, core.ErrConflict, "re-admit excluded")
	}
	if err := f.db.Exec(`UPDATE formal_checks SET outcome = 'admitted' WHERE bid_id = ?`, f.bids["caritas"]).Error; err == nil {
		t.Fatal("database allowed editing an exclusion")
	}
	// Correction: mandatory reason, separate record, audited; the exclusion stays.
	fixture.WantField(t, evaluation.CorrectExclusion(f.ctx, f.db, f.lead, core.CallScope{Tenant: f.tenantID, Call: f.callID}, f.bids["caritas"], "", f.now), "correction", "required")
	if err := evaluation.CorrectExclusion(f.ctx, f.db, f.lead, core.CallScope{Tenant: f.tenantID, Call: f.callID}, f.bids["caritas"], "Die Unterschrift befand sich auf Seite 3.", f.now); err != nil {
		t.Fatal(err)
	}
	wantRefusal(t, evaluation.CorrectExclusion(f.ctx, f.db, f.lead, core.CallScope{Tenant: f.tenantID, Call: f.callID}, f.bids["caritas"], "nochmal", f.now), core.ErrConflict, "second correction")
	var outcome string
	mustScan(t, f.db, &outcome, `SELECT outcome FROM formal_checks WHERE bid_id = ?`, f.bids["caritas"])
	snap, err := evaluation.EvaluationSource{}.Snapshot(f.db, f.callID)
	if err != nil {
		t.Fatal(err)
	}
	if outcome != "excluded" || len(snap.Bids) != 3 || snap.Bids[1].Formal != rules.FormalAdmitted {
		t.Fatalf("outcome %s, snapshot %+v", outcome, snap.Bids)
	}
	if _, d := lastAudit(t, f.db, audit.CallChain(f.callID), "formal.corrected"); d["reason"] == nil {
		t.Fatal("correction not audited with its reason")
	}
	// Another Kreis, the withdrawn bid, a bid of another call: 404.
	other := taActor(t, f.db, "admin@beispielhausen.example")
	for name, err := range map[string]error{
		"other Kreis":   evaluation.SaveFormalCheck(f.ctx, f.db, other, core.CallScope{Tenant: f.tenantID, Call: f.callID}, f.bids["awo"], evaluation.FormalInput{Decision: rules.DecideSave}, f.now),
		"withdrawn bid": evaluation.SaveFormalCheck(f.ctx, f.db, f.lead, core.CallScope{Tenant: f.tenantID, Call: f.callID}, f.bids["bruecke"], evaluation.FormalInput{Decision: rules.DecideSave}, f.now),
		"foreign bid":   evaluation.SaveFormalCheck(f.ctx, f.db, f.lead, core.CallScope{Tenant: f.tenantID, Call: f.callID}, 999999, evaluation.FormalInput{Decision: rules.DecideSave}, f.now),
	} {
		if !errors.Is(err, core.ErrNotFound) {
			t.Errorf("%s: %v", name, err)
		}
	}
	verifyChain(t, f.db, audit.CallChain(f.callID))
}

func TestDocumentRequestsOneDeadline(t *testing.T) {
	t.Parallel()
	f := newEvalFixture(t)
	f.open(t)
	deadline := f.now.Add(7 * 24 * time.Hour).In(core.Berlin()).Format("02.01.2006 15:04")
	fixture.WantField(t, evaluation.RequestDocuments(f.ctx, f.db, f.lead, core.CallScope{Tenant: f.tenantID, Call: f.callID}, f.bids["awo"], evaluation.DocRequestInput{DocKeys: []string{"U9"}, Message: "x", Deadline: deadline}, f.now), "docs", "unknown")
	fixture.WantField(t, evaluation.RequestDocuments(f.ctx, f.db, f.lead, core.CallScope{Tenant: f.tenantID, Call: f.callID}, f.bids["awo"], evaluation.DocRequestInput{DocKeys: []string{"U2"}, Message: "x", Deadline: "morgen"}, f.now), "deadline", "invalid")
	if n := dbtest.Count(t, f.db, `SELECT count(*) FROM document_requests`) + dbtest.Count(t, f.db, `SELECT count(*) FROM document_request_deadlines`); n != 0 {
		t.Fatal("refused request stored")
	}
	inbox := dbtest.Count(t, f.db, `SELECT count(*) FROM inbox_messages WHERE kind = 'document_request'`)
	if err := evaluation.RequestDocuments(f.ctx, f.db, f.lead, core.CallScope{Tenant: f.tenantID, Call: f.callID}, f.bids["awo"], evaluation.DocRequestInput{DocKeys: []string{"U2"},
		Message: "Bitte reichen Sie die unterschriebene Satzung nach.", Deadline: deadline}, f.now); err != nil {
		t.Fatal(err)
	}
	// A second request of the call uses the same deadline whatever is entered.
	if err := evaluation.RequestDocuments(f.ctx, f.db, f.lead, core.CallScope{Tenant: f.tenantID, Call: f.callID}, f.bids["caritas"], evaluation.DocRequestInput{DocKeys: []string{"U1"},
		Message: "Bitte das Konzept nachreichen.", Deadline: "01.01.2099 12:00"}, f.now); err != nil {
		t.Fatal(err)
	}
	if n := dbtest.Count(t, f.db, `SELECT count(DISTINCT d.deadline) FROM document_requests r JOIN document_request_deadlines d ON d.call_id = r.call_id`); n != 1 {
		t.Fatalf("%d deadlines", n)
	}
	if n := dbtest.Count(t, f.db, `SELECT count(*) FROM inbox_messages WHERE kind = 'document_request'`) - inbox; n != 2 {
		t.Fatalf("%d Postfach messages", n)
	}
	pv, err := evaluation.ProviderRequests(f.ctx, f.db, f.provider["awo"], core.BidScope{Org: f.orgs["awo"], Bid: f.bids["awo"]})
	if err != nil || len(pv.Requests) != 1 {
		t.Fatalf("provider view: %v", err)
	}
	if _, err := evaluation.ProviderRequests(f.ctx, f.db, f.provider["caritas"], core.BidScope{Org: f.orgs["caritas"], Bid: f.bids["awo"]}); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("other organisation: %v", err)
	}
	up := func(key string, now time.Time) error {
		_, err := evaluation.AnswerDocumentRequest(f.ctx, f.db, f.vault, f.provider["awo"], core.BidScope{Org: f.orgs["awo"], Bid: f.bids["awo"]},
			evaluation.RequestUpload{RequestID: pv.Requests[0].ID, DocKey: key, FileName: "satzung.pdf", File: bytes.NewReader(fixture.MinimalPDF(1500))}, now)
		return err
	}
	fixture.WantField(t, up("U1", f.now), "datei", "not_requested")
	if err := up("U2", f.now); err != nil {
		t.Fatal(err)
	}
	late := f.now.Add(8 * 24 * time.Hour)
	if err := up("U2", late); !errors.Is(err, core.ErrDeadlinePassed) {
		t.Fatalf("late upload: %v", err)
	}
	if n := dbtest.Count(t, f.db, `SELECT count(*) FROM document_request_files`); n != 1 {
		t.Fatalf("%d answers stored", n)
	}
	v, err := evaluation.FormalCheckOf(f.ctx, f.db, f.vault, f.lead, core.CallScope{Tenant: f.tenantID, Call: f.callID}, f.bids["awo"], f.now)
	if err != nil || len(v.Requests) != 1 || len(v.Requests[0].Answers) != 1 || v.Items[3].Answer == nil {
		t.Fatalf("lead view: %v %+v", err, v)
	}
	// After the request deadline no further requests (equal treatment).
	err = evaluation.RequestDocuments(f.ctx, f.db, f.lead, core.CallScope{Tenant: f.tenantID, Call: f.callID}, f.bids["diakonie"], evaluation.DocRequestInput{DocKeys: []string{"U1"}, Message: "x"}, late)
	wantRefusal(t, err, core.ErrConflict, "request after the deadline")
}

// TestCOIGateAndIndependentVisibility checks rules.md R5 and R6 for every role: who reads
// which bids after the opening and whose scores.
func TestCOIGateAndIndependentVisibility(t *testing.T) {
	t.Parallel()
	f := newEvalFixture(t)
	f.open(t)
	f.admit(t, "awo", "caritas")
	read := func(a *core.Actor) ([]int64, error) {
		ob, err := bids.ReadBids(f.ctx, f.db, f.vault, a, f.callID, f.now)
		if err != nil {
			return nil, err
		}
		var ids []int64
		for _, b := range ob.Bids {
			ids = append(ids, b.BidID)
		}
		return ids, nil
	}
	// Before declaring: nothing, with a German refusal.
	_, err := read(f.ev1)
	wantRefusal(t, err, core.ErrForbidden, "undeclared evaluator")
	_, err = evaluation.EvaluatorSheet(f.ctx, f.db, f.vault, f.ev1, core.CallScope{Tenant: f.tenantID, Call: f.callID}, f.bids["awo"], f.now)
	wantRefusal(t, err, core.ErrForbidden, "undeclared sheet")
	// A tie needs a note; declarations are all at once and final.
	err = evaluation.DeclareTies(f.ctx, f.db, f.ev1, core.CallScope{Tenant: f.tenantID, Call: f.callID}, map[int64]evaluation.DeclarationInput{f.orgs["awo"]: {Tie: rules.TieBoard}}, f.now)
	if v, ok := core.AsValidation(err); !ok || len(v.Fields) != 3 {
		t.Fatalf("incomplete declaration: %v", err)
	}
	f.declare(t, f.ev1, map[string]string{"awo": rules.TieBoard})
	wantRefusal(t, evaluation.DeclareTies(f.ctx, f.db, f.ev1, core.CallScope{Tenant: f.tenantID, Call: f.callID}, nil, f.now), core.ErrConflict, "declare twice")
	f.declare(t, f.ev2, nil)
	ids, err := read(f.ev1)
	if err != nil || len(ids) != 1 || ids[0] != f.bids["caritas"] {
		t.Fatalf("tied evaluator reads %v %v", ids, err)
	}
	ids, err = read(f.ev2)
	if err != nil || len(ids) != 2 {
		t.Fatalf("evaluator reads %v %v (admitted only)", ids, err)
	}
	// Every other role.
	for _, c := range []struct {
		name string
		a    *core.Actor
		want error
	}{
		{"evaluator not on the committee", withRole(taActor(t, f.db, "kreistag@musterland.example"), f.tenantID, core.RoleEvaluator), core.ErrForbidden},
		{"council", taActor(t, f.db, "kreistag@musterland.example"), core.ErrForbidden},
		{"tenant admin", taActor(t, f.db, "admin@musterland.example"), core.ErrForbidden},
		{"operator", taActor(t, f.db, "betrieb@kimibv.example"), core.ErrForbidden},
		{"other Kreis", taActor(t, f.db, "admin@beispielhausen.example"), core.ErrNotFound},
		{"provider", f.provider["awo"], core.ErrNotFound},
	} {
		if _, err := read(c.a); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	// The tied bid cannot be scored or viewed; nor a bid of another call.
	sheet := evaluation.SheetInput{Scores: map[string]string{"K1": "2", "K2": "1"}, Reasons: map[string]string{"K1": "gut dargestellt", "K2": "knapp"}, Submit: true}
	for name, err := range map[string]error{
		"tied bid":       evaluation.SaveSheet(f.ctx, f.db, f.ev1, core.CallScope{Tenant: f.tenantID, Call: f.callID}, f.bids["awo"], sheet, f.now),
		"not admitted":   evaluation.SaveSheet(f.ctx, f.db, f.ev2, core.CallScope{Tenant: f.tenantID, Call: f.callID}, f.bids["diakonie"], sheet, f.now),
		"bid of no call": evaluation.SaveSheet(f.ctx, f.db, f.ev2, core.CallScope{Tenant: f.tenantID, Call: f.callID}, 999999, sheet, f.now),
		"other Kreis":    evaluation.SaveSheet(f.ctx, f.db, taActor(t, f.db, "admin@beispielhausen.example"), core.CallScope{Tenant: f.tenantID, Call: f.callID}, f.bids["awo"], sheet, f.now),
		"undeclared ev3": evaluation.SaveSheet(f.ctx, f.db, f.ev3, core.CallScope{Tenant: f.tenantID, Call: f.callID}, f.bids["awo"], sheet, f.now),
	} {
		if !errors.Is(err, core.ErrNotFound) && !errors.Is(err, core.ErrForbidden) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := evaluation.EvaluatorSheet(f.ctx, f.db, f.vault, f.ev1, core.CallScope{Tenant: f.tenantID, Call: f.callID}, f.bids["awo"], f.now); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("tied sheet view: %v", err)
	}
	// Bad sheets: nothing stored.
	bad := evaluation.SheetInput{Scores: map[string]string{"K1": "9", "K2": "1"}, Reasons: map[string]string{"K1": "x"}, Submit: true}
	err = evaluation.SaveSheet(f.ctx, f.db, f.ev2, core.CallScope{Tenant: f.tenantID, Call: f.callID}, f.bids["awo"], bad, f.now)
	fixture.WantField(t, err, "score_K1", "scale")
	fixture.WantField(t, err, "reason_K2", "required")
	if n := dbtest.Count(t, f.db, `SELECT count(*) FROM scores`); n != 0 {
		t.Fatalf("%d scores after refusal", n)
	}
	// Independence: ev2 submits; ev3 (after declaring) does not see ev2's scores before submitting.
	if err := evaluation.SaveSheet(f.ctx, f.db, f.ev2, core.CallScope{Tenant: f.tenantID, Call: f.callID}, f.bids["awo"], sheet, f.now); err != nil {
		t.Fatal(err)
	}
	f.declare(t, f.ev3, nil)
	draft := evaluation.SheetInput{Scores: map[string]string{"K1": "1"}, Reasons: map[string]string{"K1": "Entwurf"}}
	if err := evaluation.SaveSheet(f.ctx, f.db, f.ev3, core.CallScope{Tenant: f.tenantID, Call: f.callID}, f.bids["awo"], draft, f.now); err != nil {
		t.Fatal(err)
	}
	v, err := evaluation.EvaluatorSheet(f.ctx, f.db, f.vault, f.ev3, core.CallScope{Tenant: f.tenantID, Call: f.callID}, f.bids["awo"], f.now)
	if err != nil || len(v.Others) != 0 || v.ScoreOf("K1") != "1" || v.Bid.Content.Answers["K1"] == "" {
		t.Fatalf("draft view: %v %+v", err, v)
	}
	if err := evaluation.SaveSheet(f.ctx, f.db, f.ev3, core.CallScope{Tenant: f.tenantID, Call: f.callID}, f.bids["awo"], sheet, f.now); err != nil {
		t.Fatal(err)
	}
	v, err = evaluation.EvaluatorSheet(f.ctx, f.db, f.vault, f.ev3, core.CallScope{Tenant: f.tenantID, Call: f.callID}, f.bids["awo"], f.now)
	if err != nil || len(v.Others) != 1 || v.Others[0].EvaluatorID != f.ev2.UserID {
		t.Fatalf("after submitting: %v %+v", err, v)
	}
	// A submitted sheet cannot change: use case and database.
	changed := evaluation.SheetInput{Scores: map[string]string{"K1": "0", "K2": "0"}, Reasons: map[string]string{"K1": "a", "K2": "b"}, Submit: true}
	wantRefusal(t, evaluation.SaveSheet(f.ctx, f.db, f.ev2, core.CallScope{Tenant: f.tenantID, Call: f.callID}, f.bids["awo"], changed, f.now), core.ErrConflict, "change submitted")
	for _, q := range []string{`UPDATE scores SET score = 0`, `DELETE FROM scores`, `UPDATE score_sheets SET submitted_at = NULL`} {
		if err := f.db.Exec(q).Error; err == nil {
			t.Errorf("%s succeeded", q)
		}
	}
	// The consolidation's source: AWO has ev2 and ev3 submitted (ev1 tied); Caritas three pending.
	snap, err := evaluation.EvaluationSource{}.Snapshot(f.db, f.callID)
	if err != nil {
		t.Fatal(err)
	}
	var awo, car, submitted int
	for _, s := range snap.Sheets {
		switch s.BidID {
		case f.bids["awo"]:
			awo++
		case f.bids["caritas"]:
			car++
		}
		if s.Submitted {
			submitted++
			if s.Scores["K1"].Reason == "" {
				t.Fatal("submitted sheet without reasons")
			}
		}
	}
	if awo != 2 || car != 3 || submitted != 2 || len(snap.Evaluators) != 3 {
		t.Fatalf("snapshot: awo %d caritas %d submitted %d", awo, car, submitted)
	}
	cv, err := evaluation.LeadCommittee(f.ctx, f.db, f.vault, f.lead, core.CallScope{Tenant: f.tenantID, Call: f.callID}, f.now)
	if err != nil || cv.Declared(f.ev1.UserID, f.orgs["awo"]).Tie != rules.TieBoard {
		t.Fatalf("committee view: %v", err)
	}
	verifyChain(t, f.db, audit.CallChain(f.callID))
}

func TestTiesLeaveTooFewEvaluators(t *testing.T) {
	t.Parallel()
	f := newEvalFixture(t)
	f.open(t)
	f.admit(t, "awo")
	f.declare(t, f.ev1, map[string]string{"awo": rules.TieFamily})
	f.declare(t, f.ev2, map[string]string{"awo": rules.TieEmployment})
	if n := dbtest.Count(t, f.db, `SELECT count(*) FROM outbox WHERE kind = 'committee_short'`); n == 0 {
		t.Fatal("lead not warned")
	}
	cv, err := evaluation.LeadCommittee(f.ctx, f.db, f.vault, f.lead, core.CallScope{Tenant: f.tenantID, Call: f.callID}, f.now)
	if err != nil || len(cv.Warnings()) != 1 || len(cv.Candidates) != 0 {
		t.Fatalf("committee view: %v %+v", err, cv)
	}
	// The lead adds an evaluator of the Kreis, who then has to declare as well.
	newEv := taActor(t, f.db, "kreistag@musterland.example")
	if err := f.db.Exec(`INSERT INTO tenant_memberships (tenant_id, user_id, role) VALUES (?, ?, 'evaluator')`, f.tenantID, newEv.UserID).Error; err != nil {
		t.Fatal(err)
	}
	newEv = taActor(t, f.db, "kreistag@musterland.example")
	fixture.WantField(t, evaluation.AddEvaluator(f.ctx, f.db, f.lead, core.CallScope{Tenant: f.tenantID, Call: f.callID}, f.provider["awo"].UserID, f.now), "user", "invalid")
	if err := evaluation.AddEvaluator(f.ctx, f.db, f.lead, core.CallScope{Tenant: f.tenantID, Call: f.callID}, newEv.UserID, f.now); err != nil {
		t.Fatal(err)
	}
	wantRefusal(t, evaluation.AddEvaluator(f.ctx, f.db, f.lead, core.CallScope{Tenant: f.tenantID, Call: f.callID}, newEv.UserID, f.now), core.ErrConflict, "added twice")
	if _, err := bids.ReadBids(f.ctx, f.db, f.vault, newEv, f.callID, f.now); !errors.Is(err, core.ErrForbidden) {
		t.Fatalf("new evaluator before declaring: %v", err)
	}
	f.declare(t, newEv, nil)
	cv, err = evaluation.LeadCommittee(f.ctx, f.db, f.vault, f.lead, core.CallScope{Tenant: f.tenantID, Call: f.callID}, f.now)
	if err != nil || len(cv.Warnings()) != 0 {
		t.Fatalf("still warned: %v", err)
	}
}

// withRole returns a copy of a with an extra Kreis role.
func withRole(a *core.Actor, tenantID int64, r core.Role) *core.Actor {
	a.Tenants[tenantID] = append(a.Tenants[tenantID], r)
	return a
}
