package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"kimibv/app/pdfdoc"
	"kimibv/models/accounts"
	"kimibv/models/audit"
	"kimibv/models/decision"
	"kimibv/models/evaluation"
	"kimibv/models/rules"
	"kimibv/models/store"
)

// awardLead is how long after its Kreis is generated the deadline of a call that will be
// awarded falls: its bids are receipted by the COMMIT trigger before it, the opening after.
const awardLead = 20 * time.Second

// pendingAward is a generated call that awardCalls takes to the final award once its
// deadline has passed.
type pendingAward struct {
	TenantID, Lead, CallID int64
	Deadline               time.Time
}

// awardCalls waits for the last deadline, then takes every pending call through the
// opening, formal check, committee and scores (set-based, like dbtest.SeedProcedure) and
// the real use cases from closing the consolidation to the final award, with the real
// PDF renderers. Every audit entry goes through audit.Audit, so the chains verify.
func awardCalls(ctx context.Context, st *store.Store, pending []pendingAward, baseURL string) error {
	if len(pending) == 0 {
		return nil
	}
	if wait := time.Until(pending[len(pending)-1].Deadline.Add(time.Second)); wait > 0 {
		fmt.Printf("  waiting %s for the deadline of the calls to award\n", wait.Round(time.Second))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
	docs := pdfdoc.New(baseURL + "/dokumentenpruefung")
	for i, p := range pending {
		if err := awardCall(ctx, st, docs, p); err != nil {
			return fmt.Errorf("award call %d: %w", p.CallID, err)
		}
		if (i+1)%10 == 0 || i+1 == len(pending) {
			fmt.Printf("  %d/%d calls awarded\n", i+1, len(pending))
		}
	}
	return nil
}

func awardCall(ctx context.Context, st *store.Store, docs decision.ProcedureDocuments, p pendingAward) error {
	db := st.DB.WithContext(ctx)
	lead, err := accounts.LoadActor(ctx, db, p.Lead)
	if err != nil {
		return err
	}
	audit := func(action string) error {
		_, err := audit.Audit(db, audit.Event{Chain: audit.CallChain(p.CallID), ActorID: p.Lead, TenantID: p.TenantID,
			Action: action, ObjectType: "call", ObjectID: fmt.Sprint(p.CallID)})
		return err
	}
	if err := db.Exec(`UPDATE calls SET state = 'closed', closed_at = now(), updated_at = now() WHERE id = ?`, p.CallID).Error; err != nil {
		return err
	}
	if err := audit("call.closed"); err != nil {
		return err
	}
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`UPDATE calls SET state = 'opened', opened_at = now(), updated_at = now() WHERE id = ?`, []any{p.CallID}},
		{`INSERT INTO opening_bids (bid_id, call_id, org_id, org_name, state, version, call_version, kind, receipt_at, content_sha256, needs_reconfirmation, lots)
			SELECT v.bid_id, v.call_id, v.org_id, o.name, 'submitted', v.version, v.call_version, v.kind, v.receipt_at, v.content_sha256, false, '{"L1": "1.00"}'
			FROM bid_versions v JOIN bids b ON b.id = v.bid_id AND b.current_version = v.version JOIN organizations o ON o.id = v.org_id
			WHERE v.call_id = ?`, []any{p.CallID}},
		{`INSERT INTO formal_checks (bid_id, call_id, outcome, reason, items, decided_by, decided_at, updated_at)
			SELECT bid_id, call_id, 'admitted', '', '{}', ?, now(), now() FROM opening_bids WHERE call_id = ?`, []any{p.Lead, p.CallID}},
		{`INSERT INTO call_committee (call_id, user_id, role)
			SELECT ?, user_id, 'evaluator' FROM tenant_memberships WHERE tenant_id = ? AND role = 'evaluator'`, []any{p.CallID, p.TenantID}},
		{`INSERT INTO coi_declarations (call_id, evaluator_id, org_id, tie, note, declared_at)
			SELECT ?, c.user_id, o.org_id, 'none', '', now() FROM call_committee c CROSS JOIN opening_bids o WHERE c.call_id = ? AND o.call_id = ?`,
			[]any{p.CallID, p.CallID, p.CallID}},
		{`INSERT INTO score_sheets (call_id, bid_id, evaluator_id, call_version, created_at, updated_at)
			SELECT ?, o.bid_id, c.user_id, 1, now(), now() FROM call_committee c CROSS JOIN opening_bids o WHERE c.call_id = ? AND o.call_id = ?`,
			[]any{p.CallID, p.CallID, p.CallID}},
		{`INSERT INTO scores (sheet_id, criterion_key, score, reason)
			SELECT s.id, 'K' || g, 2 + ((s.bid_id + g) % 3), 'Begründung zu K' || g || ': nachvollziehbar dargestellt.'
			FROM score_sheets s CROSS JOIN generate_series(1, 8) g WHERE s.call_id = ?`, []any{p.CallID}},
		{`UPDATE score_sheets SET submitted_at = now() WHERE call_id = ?`, []any{p.CallID}},
		{`INSERT INTO consolidated_scores (call_id, bid_id, criterion_key, score, mean, reason, set_by, set_at)
			SELECT ?, o.bid_id, 'K' || g, 2 + ((o.bid_id + g) % 3), 2 + ((o.bid_id + g) % 3), 'Ziele, Maßnahmen und Zuständigkeiten zu K' || g || ' sind beschrieben.', ?, now()
			FROM opening_bids o CROSS JOIN generate_series(1, 8) g WHERE o.call_id = ?`, []any{p.CallID, p.Lead, p.CallID}},
	} {
		if err := db.Exec(q.sql, q.args...).Error; err != nil {
			return fmt.Errorf("%.60s: %w", q.sql, err)
		}
	}
	if err := audit("call.opened"); err != nil {
		return err
	}
	now := time.Now()
	src := evaluation.EvaluationSource{}
	v, err := evaluation.LoadConsolidation(ctx, db, src, lead, p.CallID)
	if err != nil {
		return err
	}
	var res []rules.TieResolution
	for _, t := range v.PendingTies() {
		res = append(res, rules.TieResolution{Order: t.BidIDs, Reason: "Losentscheid in der Sitzung."})
	}
	result, err := evaluation.CloseConsolidation(ctx, db, src, lead, evaluation.CloseInput{CallID: p.CallID, Resolutions: res}, now, docs)
	if err != nil {
		return fmt.Errorf("close consolidation: %w", err)
	}
	in := decision.ProposalInput{CallID: p.CallID, Justification: "Auswahl nach der Rangfolge der Bewertung.", FTE: map[string]string{}}
	for bid, lots := range rules.ProposalFromResult(result) {
		for lot, fte := range lots {
			in.FTE[rules.FTEField(bid, lot)] = rules.FormatFTE(fte)
		}
	}
	if err := decision.SaveProposal(ctx, db, lead, in, now); err != nil {
		return fmt.Errorf("proposal: %w", err)
	}
	if err := decision.RecordDecision(ctx, db, lead, docs, rules.RecordInput{CallID: p.CallID, Body: "kreistag",
		DecidedOn: rules.NewDate(now).German(), ResolutionNumber: fmt.Sprintf("KT/%d/%d", p.CallID, now.Year()), VoteResult: "einstimmig",
		CouncilURL: fmt.Sprintf("https://ratsinfo.example/vorlage/%d", p.CallID)}, now); err != nil {
		return fmt.Errorf("record decision: %w", err)
	}
	if err := decision.IssueNotices(ctx, db, lead, docs, p.CallID, now); err != nil {
		return fmt.Errorf("notices: %w", err)
	}
	ok, err := decision.FinalizeAward(ctx, db, docs, p.CallID, now.AddDate(0, 0, 40))
	if err != nil {
		return fmt.Errorf("finalize: %w", err)
	}
	if !ok {
		return fmt.Errorf("award not finalised")
	}
	return nil
}

// envOr returns the environment variable name or def when it is empty.
func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
