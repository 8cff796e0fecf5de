package evaluation

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"kimibv/models/accounts"
	"kimibv/models/audit"
	"kimibv/models/bids"
	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/postbox"
	"kimibv/models/rules"
	"kimibv/models/store"
	"kimibv/models/vault"
)

// EvaluatorCallRow is a call in an evaluator's list.
type EvaluatorCallRow struct {
	ID         int64
	Ref        string
	Title      string
	State      rules.CallState
	Deadline   *time.Time
	OpenedAt   *time.Time
	Undeclared int // bidding organisations without the evaluator's declaration
	Submitted  int // own submitted sheets
}

// EvaluatorCalls lists the calls of the Kreis on whose committee the actor sits.
func EvaluatorCalls(ctx context.Context, db *gorm.DB, actor *core.Actor, tenantID int64) ([]EvaluatorCallRow, error) {
	if !actor.HasTenantRole(tenantID, core.RoleEvaluator) {
		return nil, fmt.Errorf("evaluation of Kreis %d: %w", tenantID, core.ErrNotFound)
	}
	var out []EvaluatorCallRow
	if err := db.WithContext(ctx).Raw(`SELECT c.id, c.ref, c.title, c.state, c.deadline, c.opened_at,
		(SELECT count(*) FROM opening_bids o WHERE o.call_id = c.id AND o.state = 'submitted' AND NOT EXISTS (
			SELECT 1 FROM coi_declarations d WHERE d.call_id = c.id AND d.org_id = o.org_id AND d.evaluator_id = @u)) AS undeclared,
		(SELECT count(*) FROM score_sheets s WHERE s.call_id = c.id AND s.evaluator_id = @u AND s.submitted_at IS NOT NULL) AS submitted
		FROM calls c JOIN call_committee k ON k.call_id = c.id AND k.user_id = @u AND k.role = 'evaluator'
		WHERE c.tenant_id = @t AND c.state <> 'draft' ORDER BY c.deadline DESC NULLS LAST, c.id DESC`,
		map[string]any{"u": actor.UserID, "t": tenantID}).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("list evaluator calls: %w", err)
	}
	return out, nil
}

// EvaluatorBidRow is a bid the evaluator scores, with the state of the own sheet.
type EvaluatorBidRow struct {
	BidID       int64
	OrgName     string
	Started     bool
	SubmittedAt *time.Time
}

// EvaluatorCallView is the evaluator's page of one call: the bids to score (through
// ReadBids, after the declarations) and the own sheets.
type EvaluatorCallView struct {
	Call     calls.CallHeader
	Bids     []EvaluatorBidRow
	Withheld int // opened bids not listed: not admitted (yet) or tied to the evaluator
}

// EvaluatorCall loads the evaluator's page of a call; before the declarations are
// complete ReadBids refuses (Refusal wrapping ErrForbidden).
func EvaluatorCall(ctx context.Context, db *gorm.DB, vlt *vault.Vault, actor *core.Actor, scope core.CallScope, now time.Time) (*EvaluatorCallView, error) {
	tenantID, callID := scope.Tenant, scope.Call
	tx := db.WithContext(ctx)
	h, err := evaluatorCall(tx, actor, tenantID, callID, false)
	if err != nil {
		return nil, err
	}
	ob, err := bids.ReadBids(ctx, db, vlt, actor, callID, now)
	if err != nil {
		return nil, err
	}
	var sheets []struct {
		BidID       int64
		SubmittedAt *time.Time
	}
	if err := tx.Raw(`SELECT bid_id, submitted_at FROM score_sheets WHERE call_id = ? AND evaluator_id = ?`, callID, actor.UserID).Scan(&sheets).Error; err != nil {
		return nil, fmt.Errorf("load own sheets: %w", err)
	}
	v := &EvaluatorCallView{Call: *h, Withheld: ob.Withheld}
	for _, b := range ob.Bids {
		row := EvaluatorBidRow{BidID: b.BidID, OrgName: b.OrgName}
		for _, s := range sheets {
			if s.BidID == b.BidID {
				row.Started, row.SubmittedAt = true, s.SubmittedAt
			}
		}
		v.Bids = append(v.Bids, row)
	}
	return v, nil
}

// CommitteeDeclaration is one evaluator's declaration for one organisation, for the lead.
type CommitteeDeclaration struct {
	EvaluatorID int64
	OrgID       int64
	Tie         string
	Note        string
	DeclaredAt  time.Time
}

// CommitteeBid is an opened bid with the evaluators who may score it and their sheets.
type CommitteeBid struct {
	BidID      int64
	OrgID      int64
	OrgName    string
	Formal     rules.FormalOutcome
	Eligible   []int64 // evaluators without a declared tie
	Submitted  map[int64]bool
	Understaff bool // fewer than two evaluators remain
}

// CommitteeView is the lead's committee page of a call.
type CommitteeView struct {
	Call         calls.CallHeader
	Evaluators   []rules.SnapshotEvaluator
	Declarations []CommitteeDeclaration
	Bids         []CommitteeBid
	Candidates   []rules.SnapshotEvaluator // Kreis evaluators not yet on the committee
}

// NameOf returns an evaluator's name.
func (v *CommitteeView) NameOf(id int64) string {
	for _, e := range v.Evaluators {
		if e.UserID == id {
			return e.Name
		}
	}
	return ""
}

// Declared returns the evaluator's declaration for an organisation (nil: not yet).
func (v *CommitteeView) Declared(evaluatorID, orgID int64) *CommitteeDeclaration {
	for i, d := range v.Declarations {
		if d.EvaluatorID == evaluatorID && d.OrgID == orgID {
			return &v.Declarations[i]
		}
	}
	return nil
}

// Warnings returns the bids for which fewer than two evaluators remain.
func (v *CommitteeView) Warnings() []CommitteeBid {
	var out []CommitteeBid
	for _, b := range v.Bids {
		if b.Understaff {
			out = append(out, b)
		}
	}
	return out
}

// LeadCommittee loads the lead's committee page: evaluators, every declaration (ties with
// notes), per bid the evaluators who may score it and their submitted sheets, and the
// warning when fewer than two remain. Sealed before the opening (through ReadBids).
func LeadCommittee(ctx context.Context, db *gorm.DB, vlt *vault.Vault, actor *core.Actor, scope core.CallScope, now time.Time) (*CommitteeView, error) {
	tenantID, callID := scope.Tenant, scope.Call
	if _, err := leadOpenedBids(ctx, db, vlt, actor, tenantID, callID, now); err != nil {
		return nil, err
	}
	tx := db.WithContext(ctx)
	v := &CommitteeView{}
	if err := tx.Raw(calls.CallHeaderSelect+`WHERE c.id = ?`, callID).Scan(&v.Call).Error; err != nil {
		return nil, fmt.Errorf("load call: %w", err)
	}
	snap, err := EvaluationSource{}.Snapshot(tx, callID)
	if err != nil {
		return nil, err
	}
	v.Evaluators = snap.Evaluators
	if err := tx.Raw(`SELECT evaluator_id, org_id, tie, note, declared_at FROM coi_declarations WHERE call_id = ? ORDER BY evaluator_id, org_id`, callID).
		Scan(&v.Declarations).Error; err != nil {
		return nil, fmt.Errorf("load declarations: %w", err)
	}
	var orgs []struct{ BidID, OrgID int64 }
	if err := tx.Raw(`SELECT bid_id, org_id FROM opening_bids WHERE call_id = ?`, callID).Scan(&orgs).Error; err != nil {
		return nil, fmt.Errorf("load bidders: %w", err)
	}
	orgOf := map[int64]int64{}
	for _, o := range orgs {
		orgOf[o.BidID] = o.OrgID
	}
	for _, b := range snap.Bids {
		cb := CommitteeBid{BidID: b.BidID, OrgID: orgOf[b.BidID], OrgName: b.OrgName, Formal: b.Formal, Submitted: map[int64]bool{}}
		for _, e := range v.Evaluators {
			if d := v.Declared(e.UserID, cb.OrgID); d == nil || d.Tie == rules.TieNone {
				cb.Eligible = append(cb.Eligible, e.UserID)
			}
		}
		for _, s := range snap.Sheets {
			if s.BidID == b.BidID && s.Submitted {
				cb.Submitted[s.EvaluatorID] = true
			}
		}
		cb.Understaff = len(cb.Eligible) < 2
		v.Bids = append(v.Bids, cb)
	}
	if err := tx.Raw(`SELECT m.user_id, u.name FROM tenant_memberships m JOIN users u ON u.id = m.user_id
		WHERE m.tenant_id = ? AND m.role = 'evaluator' AND NOT EXISTS (
			SELECT 1 FROM call_committee k WHERE k.call_id = ? AND k.user_id = m.user_id AND k.role = 'evaluator')
		  AND NOT EXISTS (SELECT 1 FROM tenant_memberships l WHERE l.tenant_id = m.tenant_id AND l.user_id = m.user_id AND l.role IN ?)
		ORDER BY u.name COLLATE german`, tenantID, callID, accounts.ProcedureRoleNames()).Scan(&v.Candidates).Error; err != nil {
		return nil, fmt.Errorf("load candidates: %w", err)
	}
	return v, nil
}

// AddEvaluator adds a Kreis evaluator to the committee of a call after its deadline (for
// example when ties leave fewer than two evaluators for a bid); the new member declares
// too before seeing anything. Audited as committee.evaluator_added; the new member is
// told by e-mail.
func AddEvaluator(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.CallScope, userID int64, now time.Time) error {
	return store.InTx(ctx, db, func(tx *gorm.DB) error { return AddEvaluatorTx(tx, actor, scope, userID, now) })
}

// AddEvaluatorTx is AddEvaluator inside the caller's transaction tx: it checks, locks, writes and
// audits as AddEvaluator does, but neither opens nor commits a transaction, so use cases compose.
func AddEvaluatorTx(tx *gorm.DB, actor *core.Actor, scope core.CallScope, userID int64, now time.Time) error {
	tenantID, callID := scope.Tenant, scope.Call
	c, err := calls.LockPublishedCall(tx, actor, scope)
	if err != nil {
		return err
	}
	if c.State == rules.CallCancelled {
		return core.Conflict("Die Ausschreibung ist aufgehoben; es wurde nichts geändert.")
	}
	if err := accounts.LockPeople(tx, []int64{userID}); err != nil {
		return err
	}
	var u struct {
		Email, Name string
		Member      bool
	}
	res := tx.Raw(`SELECT u.email, u.name, EXISTS (SELECT 1 FROM call_committee k WHERE k.call_id = ? AND k.user_id = u.id AND k.role = 'evaluator') AS member
		FROM tenant_memberships m JOIN users u ON u.id = m.user_id WHERE m.tenant_id = ? AND m.user_id = ? AND m.role = 'evaluator'`,
		callID, tenantID, userID).Scan(&u)
	if res.Error != nil {
		return fmt.Errorf("load evaluator: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		v := &core.ValidationError{}
		v.Add("user", "invalid", "Bitte wählen Sie eine Person mit der Rolle „Mitglied des Bewertungsgremiums“ in diesem Kreis.")
		return v
	}
	v := &core.ValidationError{}
	if err := accounts.CheckCommitteeDuties(tx, tenantID, []int64{userID}, "user", v); err != nil {
		return err
	}
	if err := v.OrNil(); err != nil {
		return err
	}
	if u.Member {
		return core.Conflict(u.Name + " gehört dem Bewertungsgremium dieses Verfahrens bereits an; es wurde nichts geändert.")
	}
	if err := tx.Exec(`INSERT INTO call_committee (call_id, user_id, role, created_at) VALUES (?, ?, 'evaluator', ?)`, callID, userID, now).Error; err != nil {
		return fmt.Errorf("add evaluator: %w", err)
	}
	if _, err := audit.Audit(tx, audit.Event{Chain: audit.CallChain(callID), ActorID: actor.UserID, TenantID: tenantID, Action: "committee.evaluator_added",
		ObjectType: "call", ObjectID: strconv.FormatInt(callID, 10), Details: map[string]any{"user_id": userID}}); err != nil {
		return err
	}
	tid := tenantID
	return postbox.EnqueueMail(tx, postbox.Mail{TenantID: &tid, ToAddr: u.Email, Subject: "Benennung in das Bewertungsgremium: " + c.Ref, Kind: "committee_added",
		Body: fmt.Sprintf("Guten Tag %s,\n\nSie wurden in das Bewertungsgremium des Verfahrens %s („%s“) benannt. Bevor Sie etwas von den "+
			"Interessenbekundungen sehen, erklären Sie bitte unter „Bewertung“ für jeden Träger, ob Sie mit ihm verbunden sind.\n", u.Name, c.Ref, c.Title)})
}
