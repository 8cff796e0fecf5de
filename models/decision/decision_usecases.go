package decision

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"kimibv/models/audit"
	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/evaluation"
	"kimibv/models/rules"
	"kimibv/models/store"
)

// ErrDecisionRecorded explains a conflict: the decision is recorded (perhaps in another
// tab) and can no longer be changed. It wraps ErrConflict.
var ErrDecisionRecorded = fmt.Errorf("%w: die Entscheidung ist bereits aufgezeichnet und kann nicht mehr geändert werden", core.ErrConflict)

// DecisionView is what the lead's decision page shows: the call, the stored result with
// the bidders' names, the decision (nil before the proposal), notices and objections.
type DecisionView struct {
	CallID     int64
	TenantID   int64
	Ref        string
	Title      string
	State      rules.CallState
	Content    rules.CallContent
	Result     rules.Result
	Bidders    map[int64]DecisionBidder // bid id → organisation
	Decision   *rules.Decision
	Notices    []NoticeSummary
	Objections []Objection
	// AwardDue: the standstill is over without an open objection; the award becomes
	// final with the next run of the finalize-awards job.
	AwardDue bool
}

// DecisionBidder is the organisation behind a bid.
type DecisionBidder struct {
	OrgID   int64
	OrgName string
}

// NoticeSummary is one issued notice as the lead sees it in the list.
type NoticeSummary struct {
	ID       int64
	OrgID    int64
	OrgName  string
	Kind     string
	IssuedAt time.Time
}

// KindLabel names a notice kind in German.
func (n NoticeSummary) KindLabel() string { return NoticeKindLabel(n.Kind) }

// StateLabel names the call's state.
func (v *DecisionView) StateLabel() string { return rules.DecisionStateLabel(v.State) }

// OpenObjections counts unanswered objections.
func (v *DecisionView) OpenObjections() int {
	n := 0
	for _, o := range v.Objections {
		if !o.Answered() {
			n++
		}
	}
	return n
}

// loadDecisionCall reads the call for its lead (FOR UPDATE when lock); other Kreise and
// other roles get ErrNotFound, a call whose consolidation is not closed ErrConflict.
func loadDecisionCall(tx *gorm.DB, actor *core.Actor, callID int64, lock bool) (*calls.LeadCallRow, rules.CallContent, error) {
	return calls.LoadLeadCall(tx, actor, callID, lock, "decision", func(c *calls.LeadCallRow) error {
		if !c.Closed {
			return fmt.Errorf("%w: die Konsolidierung ist noch nicht abgeschlossen", core.ErrConflict)
		}
		return nil
	})
}

// LoadDecision reads a call's decision page for its lead with a constant number of
// queries. It never writes: a due award is reported (AwardDue), the job makes it final.
func LoadDecision(ctx context.Context, db *gorm.DB, actor *core.Actor, callID int64, now time.Time) (*DecisionView, error) {
	tx := db.WithContext(ctx)
	c, content, err := loadDecisionCall(tx, actor, callID, false)
	if err != nil {
		return nil, err
	}
	v := &DecisionView{CallID: c.ID, TenantID: c.TenantID, Ref: c.Ref, Title: c.Title, State: c.State, Content: content}
	if err := v.loadParts(tx); err != nil {
		return nil, err
	}
	if v.AwardDue, err = AwardDue(tx, c.ID, now); err != nil {
		return nil, err
	}
	return v, nil
}

// loadParts reads result, bidders, decision, notices and objections into v.
func (v *DecisionView) loadParts(tx *gorm.DB) error {
	cv := &evaluation.ConsolidationView{CallID: v.CallID}
	if err := evaluation.LoadResult(tx, cv); err != nil {
		return err
	}
	v.Result = cv.Result
	var bidders []struct {
		BidID   int64
		OrgID   int64
		OrgName string
	}
	if err := tx.Raw(`SELECT b.id AS bid_id, o.id AS org_id, o.name AS org_name FROM result_rows r
		JOIN bids b ON b.id = r.bid_id JOIN organizations o ON o.id = b.org_id WHERE r.call_id = ?`, v.CallID).Scan(&bidders).Error; err != nil {
		return fmt.Errorf("load bidders: %w", err)
	}
	v.Bidders = map[int64]DecisionBidder{}
	for _, b := range bidders {
		v.Bidders[b.BidID] = DecisionBidder{OrgID: b.OrgID, OrgName: b.OrgName}
	}
	d, err := loadDecisionRow(tx, v.CallID, v.Bidders)
	if err != nil {
		return err
	}
	v.Decision = d
	if d == nil {
		return nil
	}
	if err := tx.Raw(`SELECT n.id, n.org_id, o.name AS org_name, n.kind, n.issued_at FROM notices n
		JOIN organizations o ON o.id = n.org_id WHERE n.call_id = ? ORDER BY n.id`, v.CallID).Scan(&v.Notices).Error; err != nil {
		return fmt.Errorf("load notices: %w", err)
	}
	objs, err := loadObjections(tx, `o.call_id = ? AND o.superseded_by = 0`, v.CallID)
	v.Objections = objs
	return err
}

// loadDecisionRow reads the decision and its allocations (nil when there is none).
func loadDecisionRow(tx *gorm.DB, callID int64, bidders map[int64]DecisionBidder) (*rules.Decision, error) {
	var rows []rules.Decision
	if err := tx.Raw(`SELECT d.call_id, d.justification, d.deviates, d.deviation_reason, d.standstill_days, d.prepared_at,
		coalesce(d.body, '') AS body, d.body_name, coalesce(to_char(d.decided_on, 'YYYY-MM-DD'), '') AS decided_on, d.resolution_number,
		d.vote_result, d.council_url, d.recorded_at, coalesce(u.name, '') AS recorded_by_name, d.notified_at, d.standstill_ends_at, d.awarded_at
		FROM decisions d
		LEFT JOIN users u ON u.id = d.recorded_by WHERE d.call_id = ?`, callID).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("load decision: %w", err)
	}
	if len(rows) == 0 {
		return nil, nil //nolint:nilnil // "no decision yet" is a normal state of the page, not an error
	}
	d := &rows[0]
	if err := tx.Raw(`SELECT bid_id, lot_key, fte, result_fte FROM decision_allocations WHERE call_id = ? ORDER BY bid_id, lot_key`,
		callID).Scan(&d.Allocations).Error; err != nil {
		return nil, fmt.Errorf("load decision allocations: %w", err)
	}
	for i := range d.Allocations {
		b := bidders[d.Allocations[i].BidID]
		d.Allocations[i].OrgID, d.Allocations[i].OrgName = b.OrgID, b.OrgName
	}
	return d, nil
}

// ProposalInput is the lead's decision proposal: VZÄ per bid and lot as German decimal
// text (FTEField), the justification and, for deviations, their reason.
type ProposalInput struct {
	CallID          int64
	FTE             map[string]string // FTEField → "1,00"
	Justification   string
	DeviationReason string
}

// SaveProposal stores (or replaces) the decision proposal of a call with a closed
// consolidation until the decision is recorded. Audited as decision.proposed.
func SaveProposal(ctx context.Context, db *gorm.DB, actor *core.Actor, in ProposalInput, now time.Time) error {
	return store.InTx(ctx, db, func(tx *gorm.DB) error { return SaveProposalTx(tx, actor, in, now) })
}

// SaveProposalTx is SaveProposal inside the caller's transaction tx: it checks, locks, writes and
// audits as SaveProposal does, but neither opens nor commits a transaction, so use cases compose.
func SaveProposalTx(tx *gorm.DB, actor *core.Actor, in ProposalInput, now time.Time) error {
	c, content, err := loadDecisionCall(tx, actor, in.CallID, true)
	if err != nil {
		return err
	}
	if c.State != rules.CallOpened {
		return decisionStateConflict(c.State)
	}
	cv := &evaluation.ConsolidationView{CallID: c.ID}
	if err := evaluation.LoadResult(tx, cv); err != nil {
		return err
	}
	alloc, perr := parseProposal(cv.Result, content, in.FTE)
	rows, deviates, err := rules.CheckProposal(content, cv.Result, alloc, in.Justification, in.DeviationReason)
	if perr != nil {
		return perr
	}
	if err != nil {
		return err
	}
	days := content.Timeline.StandstillDays
	if days <= 0 {
		days = rules.DefaultStandstillDays
	}
	reason := strings.TrimSpace(in.DeviationReason)
	if !deviates {
		reason = ""
	}
	if err := tx.Exec(`DELETE FROM decisions WHERE call_id = ?`, c.ID).Error; err != nil {
		return fmt.Errorf("replace proposal: %w", err)
	}
	if err := tx.Exec(`INSERT INTO decisions (call_id, justification, deviates, deviation_reason, standstill_days, prepared_by, prepared_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, c.ID, strings.TrimSpace(in.Justification), deviates, reason, days, actor.UserID, now).Error; err != nil {
		return fmt.Errorf("store proposal: %w", err)
	}
	for _, r := range rows {
		if err := tx.Exec(`INSERT INTO decision_allocations (call_id, bid_id, lot_key, fte, result_fte) VALUES (?, ?, ?, ?, ?)`,
			c.ID, r.BidID, r.LotKey, r.FTE, r.ResultFTE).Error; err != nil {
			return fmt.Errorf("store allocation: %w", err)
		}
	}
	_, err = audit.Audit(tx, audit.Event{Chain: audit.CallChain(c.ID), ActorID: actor.UserID, TenantID: c.TenantID, Action: "decision.proposed",
		ObjectType: "call", ObjectID: strconv.FormatInt(c.ID, 10),
		Details: map[string]any{"deviates": deviates, "allocation": allocationDetails(rows)}})
	return err
}

// parseProposal reads the form's VZÄ; unparsable values are field errors.
func parseProposal(r rules.Result, c rules.CallContent, fte map[string]string) (map[int64]map[string]decimal.Decimal, error) {
	v := &core.ValidationError{}
	out := map[int64]map[string]decimal.Decimal{}
	for _, row := range r.Rows {
		out[row.BidID] = map[string]decimal.Decimal{}
		for _, lot := range c.Lots {
			s := strings.TrimSpace(fte[rules.FTEField(row.BidID, lot.Key)])
			if s == "" {
				continue
			}
			d, msg := rules.ParseGermanDecimal(s, 2, false)
			if msg != "" {
				v.Add(rules.FTEField(row.BidID, lot.Key), "number", msg)
				continue
			}
			out[row.BidID][lot.Key] = d
		}
	}
	return out, v.OrNil()
}

// allocationDetails renders allocations for audit details.
func allocationDetails(rows []rules.DecisionAllocation) []map[string]any {
	out := make([]map[string]any, 0, len(rows))
	for _, r := range rows {
		out = append(out, map[string]any{"bid": r.BidID, "lot": r.LotKey, "fte": r.FTE.StringFixed(2), "result_fte": r.ResultFTE.StringFixed(2)})
	}
	return out
}

// decisionStateConflict explains why the decision cannot change in state s.
func decisionStateConflict(s rules.CallState) error {
	switch s {
	case rules.CallCancelled:
		return fmt.Errorf("%w: das Verfahren ist aufgehoben", core.ErrConflict)
	case rules.CallDecided, rules.CallNotified, rules.CallAwarded:
		return ErrDecisionRecorded
	}
	return fmt.Errorf("%w: das Verfahren ist im Stand „%s“", core.ErrConflict, rules.DecisionStateLabel(s))
}

// RecordDecision records the deciding body's resolution on the saved proposal; the call
// moves to 'decided' and the decision can no longer change; the Vergabevermerk of the
// decision is issued. Audited as decision.recorded.
func RecordDecision(ctx context.Context, db *gorm.DB, actor *core.Actor, docs Documents, in rules.RecordInput, now time.Time) error {
	return store.InTx(ctx, db, func(tx *gorm.DB) error { return RecordDecisionTx(tx, actor, docs, in, now) })
}

// RecordDecisionTx is RecordDecision inside the caller's transaction tx: it checks, locks, writes and
// audits as RecordDecision does, but neither opens nor commits a transaction, so use cases compose.
func RecordDecisionTx(tx *gorm.DB, actor *core.Actor, docs Documents, in rules.RecordInput, now time.Time) error {
	c, content, err := loadDecisionCall(tx, actor, in.CallID, true)
	if err != nil {
		return err
	}
	if c.State != rules.CallOpened {
		return decisionStateConflict(c.State)
	}
	date, err := rules.CheckRecord(in, now)
	if err != nil {
		return err
	}
	body := rules.DecisionBody(in.Body)
	upd := tx.Exec(`UPDATE decisions SET body = ?, body_name = ?, decided_on = ?, resolution_number = ?, vote_result = ?,
		council_url = ?, recorded_by = ?, recorded_at = ? WHERE call_id = ? AND recorded_at IS NULL`,
		string(body), strings.TrimSpace(in.BodyName), string(date), strings.TrimSpace(in.ResolutionNumber), strings.TrimSpace(in.VoteResult),
		strings.TrimSpace(in.CouncilURL), actor.UserID, now, c.ID)
	if upd.Error != nil {
		return fmt.Errorf("record decision: %w", upd.Error)
	}
	if upd.RowsAffected == 0 {
		v := &core.ValidationError{}
		v.Add("decision", "no_proposal", "Bitte speichern Sie zuerst den Entscheidungsvorschlag.")
		return v
	}
	if err := tx.Exec(`UPDATE calls SET state = 'decided', updated_at = ? WHERE id = ?`, now, c.ID).Error; err != nil {
		return fmt.Errorf("set call decided: %w", err)
	}
	_, err = audit.Audit(tx, audit.Event{Chain: audit.CallChain(c.ID), ActorID: actor.UserID, TenantID: c.TenantID, Action: "decision.recorded",
		ObjectType: "call", ObjectID: strconv.FormatInt(c.ID, 10),
		Details: map[string]any{"body": string(body), "body_name": strings.TrimSpace(in.BodyName), "decided_on": string(date),
			"resolution_number": strings.TrimSpace(in.ResolutionNumber), "vote_result": strings.TrimSpace(in.VoteResult),
			"council_url": strings.TrimSpace(in.CouncilURL)}})
	if err != nil {
		return err
	}
	v := &DecisionView{CallID: c.ID, TenantID: c.TenantID, Ref: c.Ref, Title: c.Title, State: rules.CallDecided, Content: content}
	return issueVermerk(tx, docs, v, actor.UserID, VermerkStageDecision)
}
