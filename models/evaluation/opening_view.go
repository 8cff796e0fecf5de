package evaluation

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"kimibv/models/accounts"
	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/rules"
)

// OpeningView is the opening page and the Öffnungsprotokoll of a call: the call and its
// version, the deadline, the named openers, the confirmations and — once opened — every
// bid as it was opened, withdrawn bids and the number of late submit attempts.
type OpeningView struct {
	Call         calls.CallHeader
	Status       rules.SealStatus
	Named        []rules.CommitteeMember // named openers
	Confirmed    []OpeningConfirmation
	OpenedAt     *time.Time
	Bids         []ProtocolBid // submitted and withdrawn, by receipt time
	LateAttempts int
	CanConfirm   bool // the actor may confirm now
	Refusal      string
}

// OpeningConfirmation is one opener's confirmation.
type OpeningConfirmation struct {
	UserID      int64
	Name        string
	ConfirmedAt time.Time
}

// ProtocolBid is one opened bid as the Öffnungsprotokoll lists it.
type ProtocolBid struct {
	BidID               int64
	OrgID               int64
	OrgName             string
	State               rules.BidState
	Version             int
	CallVersion         int
	Kind                string
	ReceiptAt           time.Time
	ContentSHA256       string `gorm:"column:content_sha256"`
	NeedsReconfirmation bool
	Files               []rules.ProtocolFile `gorm:"-"`
}

// Withdrawn reports whether the provider withdrew the bid before the deadline.
func (b ProtocolBid) Withdrawn() bool { return b.State == rules.BidWithdrawn }

// ReceiptText states the receipt time to the millisecond.
func (b ProtocolBid) ReceiptText() string { return rules.FormatDateTimeSeconds(b.ReceiptAt) }

// Opening loads the opening page of a call for the Kreis's openers and leads (others:
// ErrNotFound; a named evaluator of the call accounts.ErrCommitteeMember, since the protocol lists
// every bid). It never writes: a call past its deadline shows as closed (rules.StateAt). Bids appear only
// after the opening.
func Opening(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.CallScope, now time.Time) (*OpeningView, error) {
	tenantID, callID := scope.Tenant, scope.Call
	if !actor.HasTenantRole(tenantID, core.RoleOpener) && !actor.HasTenantRole(tenantID, core.RoleLead) {
		return nil, fmt.Errorf("opening of call %d: %w", callID, core.ErrNotFound)
	}
	db = db.WithContext(ctx)
	v := &OpeningView{}
	res := db.Raw(calls.CallHeaderSelect+`WHERE c.id = ? AND c.tenant_id = ? AND c.state <> 'draft'`, callID, tenantID).Scan(&v.Call)
	if res.Error != nil {
		return nil, fmt.Errorf("load call %d: %w", callID, res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, fmt.Errorf("call %d: %w", callID, core.ErrNotFound)
	}
	v.Call.State = rules.StateAt(v.Call.State, v.Call.Deadline, now)
	if err := accounts.RefuseCommitteeMember(db, actor, callID); err != nil {
		return nil, err
	}
	var opened struct{ OpenedAt *time.Time }
	if err := db.Raw(`SELECT opened_at FROM calls WHERE id = ?`, callID).Scan(&opened).Error; err != nil {
		return nil, fmt.Errorf("load opening time: %w", err)
	}
	v.OpenedAt = opened.OpenedAt
	v.Status = rules.CallSealStatus(v.Call.Deadline, v.OpenedAt, now)
	if err := db.Raw(`SELECT k.call_id, k.user_id, k.role, u.name FROM call_committee k JOIN users u ON u.id = k.user_id
		WHERE k.call_id = ? AND k.role = 'opener' ORDER BY u.name COLLATE german`, callID).Scan(&v.Named).Error; err != nil {
		return nil, fmt.Errorf("load openers: %w", err)
	}
	if err := db.Raw(`SELECT o.user_id, u.name, o.confirmed_at FROM openings o JOIN users u ON u.id = o.user_id
		WHERE o.call_id = ? ORDER BY o.confirmed_at`, callID).Scan(&v.Confirmed).Error; err != nil {
		return nil, fmt.Errorf("load confirmations: %w", err)
	}
	named, ids := false, make([]int64, 0, len(v.Confirmed))
	for _, m := range v.Named {
		named = named || m.UserID == actor.UserID
	}
	for _, c := range v.Confirmed {
		ids = append(ids, c.UserID)
	}
	if actor.HasTenantRole(tenantID, core.RoleOpener) {
		if err := OpeningRule(v.Call.State, v.Call.Deadline, v.OpenedAt, named, ids, actor.UserID, now); err != nil {
			v.Refusal = err.Error()
		} else {
			v.CanConfirm = true
		}
	}
	if v.OpenedAt == nil {
		return v, nil
	}
	if err := loadProtocol(db, callID, v); err != nil {
		return nil, err
	}
	return v, nil
}

// loadProtocol reads the frozen opening of a call (three queries).
func loadProtocol(db *gorm.DB, callID int64, v *OpeningView) error {
	if err := db.Raw(`SELECT bid_id, org_id, org_name, state, version, call_version, kind, receipt_at, content_sha256, needs_reconfirmation
		FROM opening_bids WHERE call_id = ? ORDER BY receipt_at, bid_id`, callID).Scan(&v.Bids).Error; err != nil {
		return fmt.Errorf("load opened bids: %w", err)
	}
	var files []rules.ProtocolFile
	if err := db.Raw(`SELECT f.* FROM opening_files f JOIN opening_bids o ON o.bid_id = f.bid_id WHERE o.call_id = ? ORDER BY f.bid_id, f.doc_key`,
		callID).Scan(&files).Error; err != nil {
		return fmt.Errorf("load opened files: %w", err)
	}
	for i := range v.Bids {
		for _, f := range files {
			if f.BidID == v.Bids[i].BidID {
				v.Bids[i].Files = append(v.Bids[i].Files, f)
			}
		}
	}
	if err := db.Raw(`SELECT coalesce((SELECT attempts FROM call_late_attempts WHERE call_id = ?), 0)`, callID).Scan(&v.LateAttempts).Error; err != nil {
		return fmt.Errorf("load late attempts: %w", err)
	}
	return nil
}

// OpenerCallRow is a call for which the actor is a named opener.
type OpenerCallRow struct {
	ID        int64
	Ref       string
	Title     string
	State     rules.CallState
	Deadline  *time.Time
	OpenedAt  *time.Time
	Confirmed bool // the actor has confirmed
}

// OpenerCalls lists the published calls of the Kreis for which the actor is a named opener.
// A call whose deadline has passed shows "Frist abgelaufen" (rules.StateAt) rather than a
// stale "Veröffentlicht", without closing it here.
func OpenerCalls(ctx context.Context, db *gorm.DB, actor *core.Actor, tenantID int64, now time.Time) ([]OpenerCallRow, error) {
	if !actor.HasTenantRole(tenantID, core.RoleOpener) {
		return nil, fmt.Errorf("openings of Kreis %d: %w", tenantID, core.ErrNotFound)
	}
	var out []OpenerCallRow
	if err := db.WithContext(ctx).Raw(`SELECT c.id, c.ref, c.title, c.state, c.deadline, c.opened_at,
		EXISTS (SELECT 1 FROM openings o WHERE o.call_id = c.id AND o.user_id = @u) AS confirmed
		FROM calls c JOIN call_committee k ON k.call_id = c.id AND k.user_id = @u AND k.role = 'opener'
		WHERE c.tenant_id = @t AND c.state <> 'draft' ORDER BY c.deadline DESC NULLS LAST, c.id DESC`,
		map[string]any{"u": actor.UserID, "t": tenantID}).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("list opener calls: %w", err)
	}
	for i := range out {
		out[i].State = rules.StateAt(out[i].State, out[i].Deadline, now)
	}
	return out, nil
}
