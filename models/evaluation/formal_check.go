package evaluation

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"kimibv/models/accounts"
	"kimibv/models/audit"
	"kimibv/models/bids"
	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/rules"
	"kimibv/models/store"
	"kimibv/models/vault"
)

// FormalRow is a bid in the formal-check overview.
type FormalRow struct {
	BidID      int64
	OrgName    string
	State      rules.BidState
	ReceiptAt  time.Time
	Outcome    string // pending, requested, admitted, excluded (effective: a correction admits)
	Corrected  bool
	Reason     string
	OpenAnswer bool // a document request has answers not yet assessed
}

// Label returns the German outcome.
func (r FormalRow) Label() string { return rules.FormalLabel(r.Outcome) }

// FormalOverview lists the opened bids of a call with their formal outcome and the call's
// document-request deadline, for its lead. It goes through ReadBids (sealed before the
// opening).
func FormalOverview(ctx context.Context, db *gorm.DB, vlt *vault.Vault, actor *core.Actor, scope core.CallScope, now time.Time) ([]FormalRow, *time.Time, error) {
	tenantID, callID := scope.Tenant, scope.Call
	if _, err := leadOpenedBids(ctx, db, vlt, actor, tenantID, callID, now); err != nil {
		return nil, nil, err
	}
	var rows []FormalRow
	if err := db.WithContext(ctx).Raw(`SELECT o.bid_id, o.org_name, o.state, o.receipt_at,
		CASE WHEN k.bid_id IS NOT NULL THEN 'admitted' ELSE coalesce(f.outcome, 'pending') END AS outcome,
		k.bid_id IS NOT NULL AS corrected, coalesce(f.reason, '') AS reason,
		EXISTS (SELECT 1 FROM document_request_files a WHERE a.bid_id = o.bid_id AND a.received_at > coalesce(f.updated_at, o.receipt_at)) AS open_answer
		FROM opening_bids o LEFT JOIN formal_checks f ON f.bid_id = o.bid_id LEFT JOIN formal_corrections k ON k.bid_id = o.bid_id
		WHERE o.call_id = ? ORDER BY o.receipt_at, o.bid_id`, callID).Scan(&rows).Error; err != nil {
		return nil, nil, fmt.Errorf("load formal overview: %w", err)
	}
	d, err := requestDeadline(db.WithContext(ctx), callID)
	return rows, d, err
}

// leadOpenedBids checks the lead's right and reads the call's bids through ReadBids. A
// lead who is a named evaluator of the call is refused (accounts.ErrCommitteeMember) rather than
// shown the evaluator's share of the bids as if it were all of them.
func leadOpenedBids(ctx context.Context, db *gorm.DB, vlt *vault.Vault, actor *core.Actor, tenantID, callID int64, now time.Time) (*bids.OpenedBids, error) {
	if !actor.HasTenantRole(tenantID, core.RoleLead) {
		return nil, fmt.Errorf("formal check of call %d: %w", callID, core.ErrNotFound)
	}
	var rows []struct{ Committee bool }
	if err := db.WithContext(ctx).Raw(`SELECT EXISTS (SELECT 1 FROM call_committee k WHERE k.call_id = c.id AND k.user_id = ? AND k.role = 'evaluator') AS committee
		FROM calls c WHERE c.id = ? AND c.tenant_id = ?`, actor.UserID, callID, tenantID).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("load call: %w", err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("call %d: %w", callID, core.ErrNotFound)
	}
	if rows[0].Committee {
		return nil, accounts.ErrCommitteeMember()
	}
	return bids.ReadBids(ctx, db, vlt, actor, callID, now)
}

// FormalBidView is the formal check of one bid.
type FormalBidView struct {
	Call            calls.CallHeader
	Content         rules.CallContent // the call version the bid refers to
	Bid             bids.OpenedBid
	Outcome         string // stored outcome (pending when unchecked)
	Reason          string
	DecidedAt       *time.Time
	DecidedBy       string
	Correction      *FormalCorrection
	Items           []rules.CheckItem
	Requests        []DocumentRequest
	RequestDeadline *time.Time
}

// Effective returns the outcome that counts (a correction admits).
func (v *FormalBidView) Effective() string {
	if v.Correction != nil {
		return string(rules.FormalAdmitted)
	}
	return v.Outcome
}

// Final reports whether the outcome can no longer change by the check form.
func (v *FormalBidView) Final() bool {
	return v.Outcome == string(rules.FormalExcluded) || v.Bid.State == rules.BidWithdrawn
}

// FormalCorrection is the documented correction of an exclusion.
type FormalCorrection struct {
	Reason      string
	CorrectedBy string
	CorrectedAt time.Time
}

// FormalCheckOf loads the checklist of one opened bid for the lead (through ReadBids).
func FormalCheckOf(ctx context.Context, db *gorm.DB, vlt *vault.Vault, actor *core.Actor, scope core.CallScope, bidID int64, now time.Time) (*FormalBidView, error) {
	tenantID, callID := scope.Tenant, scope.Call
	ob, err := leadOpenedBids(ctx, db, vlt, actor, tenantID, callID, now)
	if err != nil {
		return nil, err
	}
	v := &FormalBidView{}
	found := false
	for _, b := range ob.Bids {
		if b.BidID == bidID {
			v.Bid, found = b, true
		}
	}
	if !found {
		return nil, fmt.Errorf("bid %d of call %d: %w", bidID, callID, core.ErrNotFound)
	}
	tx := db.WithContext(ctx)
	if err := tx.Raw(calls.CallHeaderSelect+`WHERE c.id = ?`, callID).Scan(&v.Call).Error; err != nil {
		return nil, fmt.Errorf("load call: %w", err)
	}
	if v.Content, err = calls.VersionContent(tx, callID, v.Bid.CallVersion); err != nil {
		return nil, err
	}
	st, err := loadFormalState(tx, bidID)
	if err != nil {
		return nil, err
	}
	v.Outcome, v.Reason, v.DecidedAt, v.DecidedBy = st.Outcome, st.Reason, st.DecidedAt, st.DecidedBy
	if st.Corrected {
		v.Correction = &FormalCorrection{Reason: st.CorrReason, CorrectedBy: st.CorrBy, CorrectedAt: *st.CorrAt}
	}
	files, answers, err := bidFacts(tx, bidID)
	if err != nil {
		return nil, err
	}
	v.Items = rules.Checklist(&v.Content, files, answers, st.Items, *v.Call.Deadline)
	if v.Requests, err = bidRequests(tx, bidID, answers); err != nil {
		return nil, err
	}
	v.RequestDeadline, err = requestDeadline(tx, callID)
	return v, err
}

// formalState is the stored formal check of a bid with its correction.
type formalState struct {
	Outcome    string
	Reason     string
	ItemsRaw   string
	Items      map[string]rules.ItemAssessment `gorm:"-"`
	DecidedAt  *time.Time
	DecidedBy  string
	Corrected  bool
	CorrReason string
	CorrBy     string
	CorrAt     *time.Time
}

func loadFormalState(tx *gorm.DB, bidID int64) (*formalState, error) {
	st := &formalState{Outcome: string(rules.FormalPending), ItemsRaw: "{}"}
	if err := tx.Raw(`SELECT f.outcome, f.reason, f.items::text AS items_raw, f.decided_at, coalesce(u.name, '') AS decided_by,
		k.bid_id IS NOT NULL AS corrected, coalesce(k.reason, '') AS corr_reason, coalesce(cu.name, '') AS corr_by, k.corrected_at AS corr_at
		FROM formal_checks f LEFT JOIN users u ON u.id = f.decided_by
		LEFT JOIN formal_corrections k ON k.bid_id = f.bid_id LEFT JOIN users cu ON cu.id = k.corrected_by
		WHERE f.bid_id = ?`, bidID).Scan(st).Error; err != nil {
		return nil, fmt.Errorf("load formal check: %w", err)
	}
	if err := json.Unmarshal([]byte(st.ItemsRaw), &st.Items); err != nil {
		return nil, fmt.Errorf("decode checklist: %w", err)
	}
	return st, nil
}

// bidFacts loads the opened files and the answers to document requests of a bid.
func bidFacts(tx *gorm.DB, bidID int64) ([]rules.ProtocolFile, []rules.RequestAnswer, error) {
	var files []rules.ProtocolFile
	if err := tx.Raw(`SELECT * FROM opening_files WHERE bid_id = ? ORDER BY doc_key`, bidID).Scan(&files).Error; err != nil {
		return nil, nil, fmt.Errorf("load opened files: %w", err)
	}
	var answers []rules.RequestAnswer
	if err := tx.Raw(`SELECT a.id, a.request_id, a.doc_key, a.file_id, a.name, a.size, a.sha256, a.received_at, u.name AS uploaded_by
		FROM document_request_files a JOIN users u ON u.id = a.uploaded_by WHERE a.bid_id = ? ORDER BY a.received_at, a.id`, bidID).Scan(&answers).Error; err != nil {
		return nil, nil, fmt.Errorf("load answers: %w", err)
	}
	return files, answers, nil
}

// formalFacts is what the checklist of an opened bid is built from: the content of the
// call version the bid refers to, the call's deadline, the opened files and the answers
// to document requests.
type formalFacts struct {
	content  rules.CallContent
	deadline time.Time
	files    []rules.ProtocolFile
	answers  []rules.RequestAnswer
}

// loadFormalFacts loads the facts of the bid's checklist.
func loadFormalFacts(tx *gorm.DB, callID, bidID int64) (*formalFacts, error) {
	var bid struct {
		CallVersion int
		Deadline    time.Time
	}
	if err := tx.Raw(`SELECT o.call_version, c.deadline FROM opening_bids o JOIN calls c ON c.id = o.call_id WHERE o.bid_id = ?`, bidID).Scan(&bid).Error; err != nil {
		return nil, fmt.Errorf("load bid: %w", err)
	}
	content, err := calls.VersionContent(tx, callID, bid.CallVersion)
	if err != nil {
		return nil, err
	}
	files, answers, err := bidFacts(tx, bidID)
	if err != nil {
		return nil, err
	}
	return &formalFacts{content: content, deadline: bid.Deadline, files: files, answers: answers}, nil
}

// checklist builds the bid's checklist with the lead's assessments items.
func (f *formalFacts) checklist(items map[string]rules.ItemAssessment) []rules.CheckItem {
	return rules.Checklist(&f.content, f.files, f.answers, items, f.deadline)
}

// FormalInput is the lead's checklist and decision for one bid.
type FormalInput struct {
	Items    map[string]rules.ItemAssessment
	Decision rules.FormalDecision
	Reason   string
}

// lockFormalBid locks the call (opened, of the Kreis) and the bid's formal check row
// (created pending on first use) for the lead and loads the check's stored state; a
// named evaluator of the call is refused (accounts.ErrCommitteeMember).
func lockFormalBid(tx *gorm.DB, actor *core.Actor, tenantID, callID, bidID int64, now time.Time) (*openingCall, *formalState, error) {
	if !actor.HasTenantRole(tenantID, core.RoleLead) {
		return nil, nil, fmt.Errorf("formal check of call %d: %w", callID, core.ErrNotFound)
	}
	var c openingCall
	res := tx.Raw(`SELECT id, tenant_id, ref, title, state, current_version, deadline, opened_at FROM calls
		WHERE id = ? AND tenant_id = ? AND state <> 'draft' FOR UPDATE`, callID, tenantID).Scan(&c)
	if res.Error != nil {
		return nil, nil, fmt.Errorf("lock call %d: %w", callID, res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, nil, fmt.Errorf("call %d: %w", callID, core.ErrNotFound)
	}
	if err := accounts.RefuseCommitteeMember(tx, actor, callID); err != nil {
		return nil, nil, err
	}
	if c.OpenedAt == nil {
		return nil, nil, fmt.Errorf("formal check of call %d: %w", callID, core.ErrSealed)
	}
	if c.State == rules.CallCancelled {
		return nil, nil, core.Conflict("Die Ausschreibung ist aufgehoben; es wurde nichts geändert.")
	}
	var n int64
	if err := tx.Raw(`SELECT count(*) FROM opening_bids WHERE bid_id = ? AND call_id = ? AND state = 'submitted'`, bidID, callID).Scan(&n).Error; err != nil {
		return nil, nil, fmt.Errorf("load bid: %w", err)
	}
	if n == 0 {
		return nil, nil, fmt.Errorf("bid %d of call %d: %w", bidID, callID, core.ErrNotFound)
	}
	if err := tx.Exec(`INSERT INTO formal_checks (bid_id, call_id, outcome, updated_at) VALUES (?, ?, 'pending', ?) ON CONFLICT (bid_id, superseded_by) DO NOTHING`,
		bidID, callID, now).Error; err != nil {
		return nil, nil, fmt.Errorf("start formal check: %w", err)
	}
	if err := tx.Exec(`SELECT 1 FROM formal_checks WHERE bid_id = ? FOR UPDATE`, bidID).Error; err != nil {
		return nil, nil, fmt.Errorf("lock formal check: %w", err)
	}
	st, err := loadFormalState(tx, bidID)
	if err != nil {
		return nil, nil, err
	}
	return &c, st, nil
}

// SaveFormalCheck stores the lead's checklist of a bid and applies the decision: save
// only, admit (every minimum requirement met) or exclude (with reason; final). Audited as
// formal.saved, formal.admitted or formal.excluded.
func SaveFormalCheck(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.CallScope, bidID int64, in FormalInput, now time.Time) error {
	return store.InTx(ctx, db, func(tx *gorm.DB) error { return SaveFormalCheckTx(tx, actor, scope, bidID, in, now) })
}

// SaveFormalCheckTx is SaveFormalCheck inside the caller's transaction tx: it checks, locks, writes and
// audits as SaveFormalCheck does, but neither opens nor commits a transaction, so use cases compose.
func SaveFormalCheckTx(tx *gorm.DB, actor *core.Actor, scope core.CallScope, bidID int64, in FormalInput, now time.Time) error {
	tenantID, callID := scope.Tenant, scope.Call
	_, st, err := lockFormalBid(tx, actor, tenantID, callID, bidID, now)
	if err != nil {
		return err
	}
	if st.Corrected {
		return core.Conflict("Diese Interessenbekundung ist durch einen Korrekturvermerk zugelassen; die formale Prüfung ist abgeschlossen.")
	}
	v := &core.ValidationError{}
	for k, it := range in.Items {
		core.CheckText(v, "remark_"+k, "eine Bemerkung", it.Remark, false, 1000)
	}
	if err := v.OrNil(); err != nil {
		return err
	}
	f, err := loadFormalFacts(tx, callID, bidID)
	if err != nil {
		return err
	}
	items := map[string]rules.ItemAssessment{}
	for _, it := range f.checklist(in.Items) {
		items[it.Key] = rules.ItemAssessment{Met: it.Met, Remark: it.Remark}
	}
	if err := rules.CheckFormalDecision(rules.FormalOutcome(st.Outcome), f.checklist(items), in.Decision, in.Reason); err != nil {
		return err
	}
	raw, err := json.Marshal(items)
	if err != nil {
		return fmt.Errorf("encode checklist: %w", err)
	}
	outcome, action, reason := st.Outcome, "formal.saved", ""
	switch in.Decision {
	case rules.DecideAdmit:
		outcome, action = string(rules.FormalAdmitted), "formal.admitted"
	case rules.DecideExclude:
		outcome, action, reason = string(rules.FormalExcluded), "formal.excluded", in.Reason
	}
	if err := tx.Exec(`UPDATE formal_checks SET items = ?, outcome = ?, reason = ?,
		decided_by = CASE WHEN ? THEN ? ELSE decided_by END, decided_at = CASE WHEN ? THEN ?::timestamptz ELSE decided_at END, updated_at = ?
		WHERE bid_id = ?`, string(raw), outcome, reason, in.Decision != rules.DecideSave, actor.UserID, in.Decision != rules.DecideSave, now, now, bidID).Error; err != nil {
		return fmt.Errorf("save formal check: %w", err)
	}
	details := map[string]any{"items": items}
	if reason != "" {
		details["reason"] = reason
	}
	_, err = audit.Audit(tx, audit.Event{Chain: audit.CallChain(callID), ActorID: actor.UserID, TenantID: tenantID, Action: action, ObjectType: "bid",
		ObjectID: strconv.FormatInt(bidID, 10), Details: details})
	return err
}

// CorrectExclusion records a documented correction of an erroneous exclusion: the
// exclusion stays on record, the correction (with its mandatory reason) re-admits the
// bid — only if every minimum requirement is met. Audited as formal.corrected.
func CorrectExclusion(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.CallScope, bidID int64, reason string, now time.Time) error {
	return store.InTx(ctx, db, func(tx *gorm.DB) error { return CorrectExclusionTx(tx, actor, scope, bidID, reason, now) })
}

// CorrectExclusionTx is CorrectExclusion inside the caller's transaction tx: it checks, locks, writes and
// audits as CorrectExclusion does, but neither opens nor commits a transaction, so use cases compose.
func CorrectExclusionTx(tx *gorm.DB, actor *core.Actor, scope core.CallScope, bidID int64, reason string, now time.Time) error {
	tenantID, callID := scope.Tenant, scope.Call
	_, st, err := lockFormalBid(tx, actor, tenantID, callID, bidID, now)
	if err != nil {
		return err
	}
	if st.Outcome != string(rules.FormalExcluded) || st.Corrected {
		return core.Conflict("Ein Korrekturvermerk ist nur für einen noch nicht berichtigten Ausschluss möglich; es wurde nichts geändert.")
	}
	v := &core.ValidationError{}
	core.CheckText(v, "correction", "den Grund der Korrektur", reason, true, 4000)
	if err := v.OrNil(); err != nil {
		return err
	}
	f, err := loadFormalFacts(tx, callID, bidID)
	if err != nil {
		return err
	}
	// The correction states that every requirement is met (its reason documents why);
	// the documents must still be present and current.
	met := map[string]rules.ItemAssessment{}
	for _, it := range f.checklist(nil) {
		met[it.Key] = rules.ItemAssessment{Met: true}
	}
	if err := rules.CheckFormalDecision(rules.FormalPending, f.checklist(met), rules.DecideAdmit, ""); err != nil {
		return err
	}
	if err := tx.Exec(`INSERT INTO formal_corrections (bid_id, call_id, outcome, reason, corrected_by, corrected_at) VALUES (?, ?, 'admitted', ?, ?, ?)`,
		bidID, callID, reason, actor.UserID, now).Error; err != nil {
		return fmt.Errorf("record correction: %w", err)
	}
	_, err = audit.Audit(tx, audit.Event{Chain: audit.CallChain(callID), ActorID: actor.UserID, TenantID: tenantID, Action: "formal.corrected", ObjectType: "bid",
		ObjectID: strconv.FormatInt(bidID, 10), Details: map[string]any{"reason": reason, "excluded_for": st.Reason}})
	return err
}
