package decision

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm"

	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/models/rules"
	"kimibv/models/store"
)

// Council view (rules.md R25): council members of a Kreis read every procedure's award record
// once the decision is recorded, and — after declaring their own ties to the bidders
// (§ 31 GO NRW) — the non-public annex. Every member sees the same information; the only
// difference between members is the tie gate.

// councilRecordStates are the states in which a procedure has a recorded decision (a
// procedure cancelled after the decision keeps it; loadAwardDecision checks the row).
var councilRecordStates = []rules.CallState{rules.CallDecided, rules.CallNotified, rules.CallAwarded, rules.CallCancelled}

// CouncilRow is a procedure in the council list: its state only until the decision.
type CouncilRow struct {
	ID        int64
	Ref       string
	Title     string
	State     rules.CallState
	Decided   bool
	DecidedAt *time.Time
	Declared  bool
	Tied      bool
}

// StateLabel names the state in German.
func (r CouncilRow) StateLabel() string { return rules.DecisionStateLabel(r.State) }

// requireCouncil admits council members of the Kreis; everybody else gets ErrNotFound.
func requireCouncil(actor *core.Actor, tenantID int64) error {
	if !actor.HasTenantRole(tenantID, core.RoleCouncil) {
		return fmt.Errorf("council view of Kreis %d: %w", tenantID, core.ErrNotFound)
	}
	return nil
}

// CouncilProcedures lists every published (or later) procedure of the Kreis for its council
// members in one query: state, whether the decision is recorded and the member's own
// declaration. Nothing about bids (rules.md R2: not even their number).
func CouncilProcedures(ctx context.Context, db *gorm.DB, actor *core.Actor, tenantID int64) ([]CouncilRow, error) {
	if err := requireCouncil(actor, tenantID); err != nil {
		return nil, err
	}
	var out []CouncilRow
	if err := db.WithContext(ctx).Raw(`SELECT c.id, c.ref, c.title, c.state, d.recorded_at IS NOT NULL AS decided, d.recorded_at AS decided_at,
			EXISTS (SELECT 1 FROM council_declarations x WHERE x.call_id = c.id AND x.user_id = ?) AS declared,
			EXISTS (SELECT 1 FROM council_declarations x WHERE x.call_id = c.id AND x.user_id = ? AND x.tie <> 'none') AS tied
		FROM calls c LEFT JOIN decisions d ON d.call_id = c.id
		WHERE c.tenant_id = ? AND c.state <> 'draft' ORDER BY c.published_at DESC NULLS LAST, c.id DESC`,
		actor.UserID, actor.UserID, tenantID).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("council procedures: %w", err)
	}
	return out, nil
}

// CouncilView is one procedure for a council member.
type CouncilView struct {
	CallID   int64
	Ref      string
	Title    string
	State    rules.CallState
	Record   *AwardRecord    // nil until the decision is recorded
	Bidders  []CouncilBidder // organisations to declare about (after the decision)
	Declared bool
	Tied     bool
	Annex    *CouncilAnnex // only when declared without a tie
}

// StateLabel names the state in German.
func (v *CouncilView) StateLabel() string { return rules.DecisionStateLabel(v.State) }

// CouncilBidder is a bidding organisation with the member's declaration.
type CouncilBidder struct {
	OrgID   int64
	OrgName string
	Tie     string
}

// TieLabel names the declared tie.
func (b CouncilBidder) TieLabel() string { return rules.TieLabel(b.Tie) }

// councilCall reads the call of the council view (ErrNotFound outside the Kreis, drafts).
func councilCall(tx *gorm.DB, actor *core.Actor, tenantID, callID int64) (*CouncilView, bool, error) {
	if err := requireCouncil(actor, tenantID); err != nil {
		return nil, false, err
	}
	var rows []struct {
		Ref, Title, State string
		Decided           bool
	}
	if err := tx.Raw(`SELECT c.ref, c.title, c.state, (d.recorded_at IS NOT NULL AND c.opened_at IS NOT NULL) AS decided
		FROM calls c LEFT JOIN decisions d ON d.call_id = c.id WHERE c.id = ? AND c.tenant_id = ? AND c.state <> 'draft'`,
		callID, tenantID).Scan(&rows).Error; err != nil {
		return nil, false, fmt.Errorf("council call: %w", err)
	}
	if len(rows) == 0 {
		return nil, false, fmt.Errorf("council call %d: %w", callID, core.ErrNotFound)
	}
	return &CouncilView{CallID: callID, Ref: rows[0].Ref, Title: rows[0].Title, State: rules.CallState(rows[0].State)}, rows[0].Decided, nil
}

// LoadCouncilProcedure reads a procedure for a council member with a constant number of
// queries: before the decision only its state; after it the award record, the bidders
// with the member's declaration and, when declared without a tie, the annex.
func LoadCouncilProcedure(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.CallScope) (*CouncilView, error) {
	tenantID, callID := scope.Tenant, scope.Call
	var out *CouncilView
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		v, decided, err := councilCall(tx, actor, tenantID, callID)
		if err != nil || !decided {
			out = v
			return err
		}
		if v.Record, err = loadAwardRecord(ctx, tx, strconv.FormatInt(callID, 10), councilRecordStates, nil); err != nil {
			return err
		}
		if err := tx.Raw(`SELECT ob.org_id, ob.org_name, coalesce(x.tie, '') AS tie FROM opening_bids ob
			LEFT JOIN council_declarations x ON x.call_id = ob.call_id AND x.org_id = ob.org_id AND x.user_id = ?
			WHERE ob.call_id = ? ORDER BY ob.org_name, ob.org_id`, actor.UserID, callID).Scan(&v.Bidders).Error; err != nil {
			return fmt.Errorf("council bidders: %w", err)
		}
		for _, b := range v.Bidders {
			v.Declared = v.Declared || b.Tie != ""
			v.Tied = v.Tied || (b.Tie != "" && b.Tie != rules.TieNone)
		}
		if v.Declared && !v.Tied {
			if v.Annex, err = loadCouncilAnnex(tx, v.Record); err != nil {
				return err
			}
		}
		out = v
		return nil
	}, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	return out, err
}

// CouncilDeclaration is a member's declaration for every bidder: org id → tie kind, and
// a note where there is a tie.
type CouncilDeclaration struct {
	TenantID int64
	CallID   int64
	Ties     map[int64]string
	Note     string
}

// CouncilTieField is the form field of the tie to one organisation.
func CouncilTieField(orgID int64) string { return "tie_" + strconv.FormatInt(orgID, 10) }

// DeclareCouncilTies records a council member's declaration about every bidder once the
// decision is recorded; audited as council.declared on the procedure's chain. A second
// declaration is ErrConflict (declarations are final).
func DeclareCouncilTies(ctx context.Context, db *gorm.DB, actor *core.Actor, in CouncilDeclaration, now time.Time) error {
	return store.InTx(ctx, db, func(tx *gorm.DB) error { return DeclareCouncilTiesTx(tx, actor, in, now) })
}

// DeclareCouncilTiesTx is DeclareCouncilTies inside the caller's transaction tx: it checks, locks, writes and
// audits as DeclareCouncilTies does, but neither opens nor commits a transaction, so use cases compose.
func DeclareCouncilTiesTx(tx *gorm.DB, actor *core.Actor, in CouncilDeclaration, now time.Time) error {
	v, decided, err := councilCall(tx, actor, in.TenantID, in.CallID)
	if err != nil {
		return err
	}
	if !decided {
		return fmt.Errorf("council declaration before the decision: %w", core.ErrNotFound)
	}
	if err := tx.Exec(`SELECT 1 FROM calls WHERE id = ? FOR UPDATE`, in.CallID).Error; err != nil {
		return fmt.Errorf("lock call: %w", err)
	}
	var orgs []int64
	if err := tx.Raw(`SELECT org_id FROM opening_bids WHERE call_id = ? ORDER BY org_id`, in.CallID).Scan(&orgs).Error; err != nil {
		return fmt.Errorf("load bidders: %w", err)
	}
	var n int64
	if err := tx.Raw(`SELECT count(*) FROM council_declarations WHERE call_id = ? AND user_id = ?`, in.CallID, actor.UserID).Scan(&n).Error; err != nil {
		return fmt.Errorf("load declaration: %w", err)
	}
	if n > 0 {
		return fmt.Errorf("%w: Sie haben Ihre Erklärung zu diesem Verfahren bereits abgegeben", core.ErrConflict)
	}
	ve := &core.ValidationError{}
	tied := []string{}
	for _, org := range orgs {
		t := in.Ties[org]
		if !slices.Contains(rules.TieKinds, t) {
			ve.Add(CouncilTieField(org), "required", "Bitte erklären Sie, ob Sie eine Verbindung zu diesem Träger haben.")
		} else if t != rules.TieNone {
			tied = append(tied, strconv.FormatInt(org, 10)+":"+t)
		}
	}
	core.CheckText(ve, "note", "die Erläuterung", in.Note, len(tied) > 0, 2000)
	if err := ve.OrNil(); err != nil {
		return err
	}
	for _, org := range orgs {
		note := ""
		if in.Ties[org] != rules.TieNone {
			note = in.Note
		}
		if err := tx.Exec(`INSERT INTO council_declarations (call_id, user_id, org_id, tie, note, declared_at) VALUES (?, ?, ?, ?, ?, ?)`,
			in.CallID, actor.UserID, org, in.Ties[org], note, now).Error; err != nil {
			return fmt.Errorf("store council declaration: %w", err)
		}
	}
	_, err = audit.Audit(tx, audit.Event{Chain: audit.CallChain(v.CallID), ActorID: actor.UserID, TenantID: in.TenantID, Action: "council.declared",
		ObjectType: "call", ObjectID: strconv.FormatInt(v.CallID, 10), Details: map[string]any{"bidders": len(orgs), "ties": tied}})
	return err
}
