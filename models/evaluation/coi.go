package evaluation

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"kimibv/models/audit"
	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/rules"
	"kimibv/models/store"
)

// Bidder is a bidding organisation as the declaration form lists it, with the
// evaluator's declaration once made.
type Bidder struct {
	OrgID      int64
	OrgName    string
	Tie        string // "" until declared
	Note       string
	DeclaredAt *time.Time
}

// DeclarationView is the evaluator's declaration page of a call.
type DeclarationView struct {
	Call     calls.CallHeader
	Bidders  []Bidder
	Complete bool
}

// evaluatorCall checks that the actor is a named evaluator of an opened call of the Kreis.
func evaluatorCall(tx *gorm.DB, actor *core.Actor, tenantID, callID int64, lock bool) (*calls.CallHeader, error) {
	if !actor.HasTenantRole(tenantID, core.RoleEvaluator) {
		return nil, fmt.Errorf("call %d for evaluator: %w", callID, core.ErrNotFound)
	}
	var h calls.CallHeader
	q := calls.CallHeaderSelect + `WHERE c.id = ? AND c.tenant_id = ? AND c.state <> 'draft'
		AND EXISTS (SELECT 1 FROM call_committee k WHERE k.call_id = c.id AND k.user_id = ? AND k.role = 'evaluator')`
	if lock {
		q += ` FOR UPDATE OF c`
	}
	res := tx.Raw(q, callID, tenantID, actor.UserID).Scan(&h)
	if res.Error != nil {
		return nil, fmt.Errorf("load call %d: %w", callID, res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, fmt.Errorf("call %d: %w", callID, core.ErrNotFound)
	}
	var opened int64
	if err := tx.Raw(`SELECT count(*) FROM calls WHERE id = ? AND opened_at IS NOT NULL`, callID).Scan(&opened).Error; err != nil {
		return nil, fmt.Errorf("load call: %w", err)
	}
	if opened == 0 {
		return nil, fmt.Errorf("call %d: %w", callID, core.ErrSealed)
	}
	return &h, nil
}

// CoiDeclarations loads the evaluator's declaration page: the bidding organisations of an
// opened call (nothing else of the bids) with the declarations made so far.
func CoiDeclarations(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.CallScope) (*DeclarationView, error) {
	tenantID, callID := scope.Tenant, scope.Call
	tx := db.WithContext(ctx)
	h, err := evaluatorCall(tx, actor, tenantID, callID, false)
	if err != nil {
		return nil, err
	}
	v := &DeclarationView{Call: *h}
	if err := tx.Raw(`SELECT o.org_id, o.org_name, coalesce(d.tie, '') AS tie, coalesce(d.note, '') AS note, d.declared_at
		FROM opening_bids o LEFT JOIN coi_declarations d ON d.call_id = o.call_id AND d.org_id = o.org_id AND d.evaluator_id = ?
		WHERE o.call_id = ? AND o.state = 'submitted' ORDER BY o.org_name COLLATE german, o.org_id`, actor.UserID, callID).Scan(&v.Bidders).Error; err != nil {
		return nil, fmt.Errorf("load bidders: %w", err)
	}
	v.Complete = true
	for _, b := range v.Bidders {
		v.Complete = v.Complete && b.Tie != ""
	}
	return v, nil
}

// DeclarationInput is one declaration: the tie kind and, for a tie, a note.
type DeclarationInput struct {
	Tie  string
	Note string
}

// DeclareTies records the evaluator's declarations for every bidding organisation not yet
// declared (all at once; declarations are final). A declared tie excludes the evaluator
// from that bid; when fewer than two evaluators remain for a bid, the leads are warned by
// e-mail. Audited as coi.declared (ties are named in the details for the lead).
func DeclareTies(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.CallScope, in map[int64]DeclarationInput, now time.Time) error {
	return store.InTx(ctx, db, func(tx *gorm.DB) error { return DeclareTiesTx(tx, actor, scope, in, now) })
}

// DeclareTiesTx is DeclareTies inside the caller's transaction tx: it checks, locks, writes and
// audits as DeclareTies does, but neither opens nor commits a transaction, so use cases compose.
func DeclareTiesTx(tx *gorm.DB, actor *core.Actor, scope core.CallScope, in map[int64]DeclarationInput, now time.Time) error {
	tenantID, callID := scope.Tenant, scope.Call
	h, err := evaluatorCall(tx, actor, tenantID, callID, true)
	if err != nil {
		return err
	}
	var open []Bidder
	if err := tx.Raw(`SELECT o.org_id, o.org_name FROM opening_bids o WHERE o.call_id = ? AND o.state = 'submitted'
		AND NOT EXISTS (SELECT 1 FROM coi_declarations d WHERE d.call_id = o.call_id AND d.org_id = o.org_id AND d.evaluator_id = ?)
		ORDER BY o.org_name COLLATE german, o.org_id`, callID, actor.UserID).Scan(&open).Error; err != nil {
		return fmt.Errorf("load bidders: %w", err)
	}
	if len(open) == 0 {
		return core.Conflict("Sie haben Ihre Erklärungen für dieses Verfahren bereits abgegeben. Erklärungen sind endgültig; es wurde nichts geändert.")
	}
	v := &core.ValidationError{}
	ties := map[string]string{}
	for _, b := range open {
		id := strconv.FormatInt(b.OrgID, 10)
		d := in[b.OrgID]
		valid := false
		for _, t := range rules.TieKinds {
			valid = valid || d.Tie == t
		}
		if !valid {
			v.Add("tie_"+id, "required", "Bitte erklären Sie für „"+b.OrgName+"“, ob eine Verbindung besteht.")
			continue
		}
		core.CheckText(v, "note_"+id, "eine Erläuterung der Verbindung", d.Note, d.Tie != rules.TieNone, 1000)
		if d.Tie != rules.TieNone {
			ties[id] = d.Tie
		}
	}
	if err := v.OrNil(); err != nil {
		return err
	}
	for _, b := range open {
		d := in[b.OrgID]
		note := d.Note
		if d.Tie == rules.TieNone {
			note = ""
		}
		if err := tx.Exec(`INSERT INTO coi_declarations (call_id, evaluator_id, org_id, tie, note, declared_at) VALUES (?, ?, ?, ?, ?, ?)`,
			callID, actor.UserID, b.OrgID, d.Tie, note, now).Error; err != nil {
			return fmt.Errorf("record declaration: %w", err)
		}
	}
	if _, err := audit.Audit(tx, audit.Event{Chain: audit.CallChain(callID), ActorID: actor.UserID, TenantID: tenantID, Action: "coi.declared", ObjectType: "call",
		ObjectID: strconv.FormatInt(callID, 10), Details: map[string]any{"organisations": len(open), "ties": ties}}); err != nil {
		return err
	}
	if len(ties) == 0 {
		return nil
	}
	short, err := understaffedBids(tx, callID)
	if err != nil || len(short) == 0 {
		return err
	}
	return notifyLeads(tx, tenantID, "Bewertungsgremium: weniger als zwei Mitglieder – "+h.Ref,
		fmt.Sprintf("Guten Tag,\n\nim Verfahren %s („%s“) hat ein Mitglied des Bewertungsgremiums eine Verbindung zu einem Träger erklärt. "+
			"Für %s bleiben damit weniger als zwei Mitglieder, die bewerten dürfen. "+
			"Bitte benennen Sie auf der Seite „Gremium“ des Verfahrens ein weiteres Mitglied.\n", h.Ref, h.Title,
			core.Quantity(len(short), "Interessenbekundung", "Interessenbekundungen")), "committee_short")
}

// understaffedBids returns the submitted bids of a call for which fewer than two
// evaluators remain without a declared tie.
func understaffedBids(tx *gorm.DB, callID int64) ([]int64, error) {
	var ids []int64
	if err := tx.Raw(`SELECT o.bid_id FROM opening_bids o WHERE o.call_id = ? AND o.state = 'submitted' AND (
		SELECT count(*) FROM call_committee k WHERE k.call_id = o.call_id AND k.role = 'evaluator' AND NOT EXISTS (
			SELECT 1 FROM coi_declarations d WHERE d.call_id = o.call_id AND d.org_id = o.org_id AND d.evaluator_id = k.user_id AND d.tie <> 'none')) < 2
		ORDER BY o.bid_id`, callID).Scan(&ids).Error; err != nil {
		return nil, fmt.Errorf("count evaluators per bid: %w", err)
	}
	return ids, nil
}
