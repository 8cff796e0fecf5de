package bids

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"kimibv/models/audit"
	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/postbox"
	"kimibv/models/rules"
	"kimibv/models/store"
	"kimibv/models/vault"
)

// Bid is a row of bids: one organisation's bid for one call with its encrypted working copy.
type Bid struct {
	ID                   int64
	CallID               int64
	OrgID                int64
	State                rules.BidState
	CurrentVersion       int
	Draft                []byte
	DraftRev             int
	SubmittedRev         int
	UpdatedBy            *int64
	UpdatedAt            time.Time
	NeedsReconfirmation  bool
	ReconfirmCallVersion *int
	ReconfirmedVersion   *int
	WithdrawnAt          *time.Time
	WithdrawnBy          *int64
	CreatedBy            *int64
	CreatedAt            time.Time
}

// TableName maps Bid to bids.
func (Bid) TableName() string { return "bids" }

func deadlinePassed(action string) error {
	return &core.DeadlineError{Message: "Die Frist für Interessenbekundungen ist abgelaufen. " + action +
		" ist nicht mehr möglich; es wurde nichts geändert."}
}

// sqlDeadline is the SQLSTATE raised by the COMMIT-time deadline triggers (migration 00035).
const sqlDeadline = "KB001"

// CommitRefused maps the deadline triggers' refusal at COMMIT to a DeadlineError.
func CommitRefused(err error, action string) error {
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.Code == sqlDeadline {
		return deadlinePassed(action)
	}
	return err
}

// bidCall is the call as a bid use case needs it: locked FOR SHARE (an amendment waits).
type bidCall struct {
	ID             int64
	TenantID       int64
	Ref            string
	Title          string
	State          rules.CallState
	CurrentVersion int
	Deadline       *time.Time
	OpenedAt       *time.Time
	Clock          time.Time // the database clock when the call was locked
}

// lockBidCall loads a published call FOR SHARE with the database clock; drafts are ErrNotFound.
// It hands the demonstration's shifted clock to the COMMIT triggers (clockOffsetSetting).
func lockBidCall(tx *gorm.DB, callID int64) (*bidCall, error) {
	var c bidCall
	res := tx.Raw(`SELECT id, tenant_id, ref, title, state, current_version, deadline, opened_at, clock_timestamp() + make_interval(secs => ?) AS clock,
		set_config('kimibv.clock_offset', ?, true) AS clock_offset
		FROM calls WHERE id = ? AND state <> 'draft' FOR SHARE`, core.ClockOffsetSeconds(tx.Statement.Context), clockOffsetSetting(tx), callID).Scan(&c)
	if res.Error != nil {
		return nil, fmt.Errorf("lock call %d: %w", callID, res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, fmt.Errorf("call %d: %w", callID, core.ErrNotFound)
	}
	return &c, nil
}

// openAt checks that a bid may still change by an action that arrived at the given
// moment (database clock): at or before the deadline and before the opening. A call
// closed at the deadline (rules.md R14) still takes a submission that arrived in time.
func (c *bidCall) openAt(action string, arrival time.Time) error {
	if c.State == rules.CallOpened || c.OpenedAt != nil {
		return deadlinePassed(action)
	}
	if c.State != rules.CallPublished && c.State != rules.CallClosed {
		return rules.StateConflictFor(c.State, action)
	}
	if c.Deadline == nil || !rules.SubmissionAccepted(arrival, *c.Deadline) {
		return deadlinePassed(action)
	}
	return nil
}

// lockOwnBid re-checks the membership and locks the organisation's bid (else ErrNotFound).
func lockOwnBid(tx *gorm.DB, actor *core.Actor, orgID, bidID int64) (*Bid, error) {
	if err := LockMembership(tx, actor, orgID); err != nil {
		return nil, err
	}
	var b Bid
	res := tx.Raw(`SELECT * FROM bids WHERE id = ? AND org_id = ? FOR UPDATE`, bidID, orgID).Scan(&b)
	if res.Error != nil {
		return nil, fmt.Errorf("lock bid %d: %w", bidID, res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, fmt.Errorf("bid %d: %w", bidID, core.ErrNotFound)
	}
	return &b, nil
}

func sealDraft(tx *gorm.DB, vlt *vault.Vault, callID int64, d *rules.BidDraft) ([]byte, error) {
	plain, err := json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("encode draft: %w", err)
	}
	return vlt.SealBytes(tx, callID, plain)
}

func openDraft(db *gorm.DB, vlt *vault.Vault, b *Bid) (*rules.BidDraft, error) {
	plain, err := vlt.OpenBytes(db, b.CallID, b.Draft)
	if err != nil {
		return nil, fmt.Errorf("bid %d draft: %w", b.ID, err)
	}
	var d rules.BidDraft
	if err := json.Unmarshal(plain, &d); err != nil {
		return nil, fmt.Errorf("bid %d draft: %w", b.ID, err)
	}
	return &d, nil
}

func bidAudit(tx *gorm.DB, actor *core.Actor, b *Bid, action string, details map[string]any) error {
	if details == nil {
		details = map[string]any{}
	}
	details["org_id"] = b.OrgID
	// The entry goes to the bid's sealed trail, which joins the procedure's chain at the
	// opening (SealedBidChain).
	_, err := audit.Audit(tx, audit.Event{Chain: audit.SealedBidChain(b.CallID, b.ID), ActorID: actor.UserID, Action: action,
		ObjectType: "bid", ObjectID: strconv.FormatInt(b.ID, 10), Details: details})
	return err
}

// StartBid opens the organisation's bid for a published call whose deadline has not
// passed, creating an empty draft (contact person: the actor) unless one exists, and
// returns its id. Records bid.started.
func StartBid(ctx context.Context, db *gorm.DB, vlt *vault.Vault, actor *core.Actor, scope core.OrgCallScope, now time.Time) (int64, error) {
	orgID, callID := scope.Org, scope.Call
	if !actor.InOrg(orgID) {
		return 0, fmt.Errorf("bid as org %d: %w", orgID, core.ErrNotFound)
	}
	var id int64
	err := store.InTx(ctx, db, func(tx *gorm.DB) error {
		if err := LockMembership(tx, actor, orgID); err != nil {
			return err
		}
		call, err := lockBidCall(tx, callID)
		if err != nil {
			return err
		}
		if err := tx.Raw(`SELECT id FROM bids WHERE call_id = ? AND org_id = ?`, callID, orgID).Scan(&id).Error; err != nil {
			return fmt.Errorf("find bid: %w", err)
		}
		if id != 0 {
			return nil
		}
		if err := call.openAt("Eine neue Interessenbekundung", call.Clock); err != nil {
			return err
		}
		sealed, err := sealDraft(tx, vlt, callID, &rules.BidDraft{Contact: rules.Contact{Name: actor.Name, Email: actor.Email}})
		if err != nil {
			return err
		}
		b := Bid{CallID: callID, OrgID: orgID, State: rules.BidDraftState, Draft: sealed, DraftRev: 1, UpdatedBy: &actor.UserID,
			UpdatedAt: now, CreatedBy: &actor.UserID, CreatedAt: now}
		if err := tx.Select("CallID", "OrgID", "State", "Draft", "DraftRev", "UpdatedBy", "UpdatedAt", "CreatedBy", "CreatedAt").Create(&b).Error; err != nil {
			return fmt.Errorf("insert bid: %w", err)
		}
		id = b.ID
		return bidAudit(tx, actor, &b, "bid.started", nil)
	})
	return id, err
}

// SaveBidStep validates one step's form against the call's current version and saves it
// into the working copy (other steps stay as they are, so several members can work on
// different steps). Records bid.draft_saved. A withdrawn bid or a passed deadline refuses.
func SaveBidStep(ctx context.Context, db *gorm.DB, vlt *vault.Vault, actor *core.Actor, scope core.BidScope, step rules.BidStep, in rules.StepInput, now time.Time) error {
	return store.InTx(ctx, db, func(tx *gorm.DB) error { return SaveBidStepTx(tx, vlt, actor, scope, step, in, now) })
}

// SaveBidStepTx is SaveBidStep inside the caller's transaction tx: it checks, locks, writes and
// audits as SaveBidStep does, but neither opens nor commits a transaction, so use cases compose.
func SaveBidStepTx(tx *gorm.DB, vlt *vault.Vault, actor *core.Actor, scope core.BidScope, step rules.BidStep, in rules.StepInput, now time.Time) error {
	orgID, bidID := scope.Org, scope.Bid
	if !actor.InOrg(orgID) {
		return fmt.Errorf("bid of org %d: %w", orgID, core.ErrNotFound)
	}
	if !step.Valid() {
		return fmt.Errorf("bid step %q: %w", step, core.ErrNotFound)
	}
	b, call, err := lockEditableBid(tx, actor, orgID, bidID, "Eine Änderung")
	if err != nil {
		return err
	}
	content, err := calls.VersionContent(tx, call.ID, call.CurrentVersion)
	if err != nil {
		return err
	}
	d, err := openDraft(tx, vlt, b)
	if err != nil {
		return err
	}
	if err := rules.ApplyStep(&content, d, step, in); err != nil {
		return err
	}
	if b.Draft, err = sealDraft(tx, vlt, b.CallID, d); err != nil {
		return err
	}
	if err := touchBid(tx, actor, b, now, true); err != nil {
		return err
	}
	return bidAudit(tx, actor, b, "bid.draft_saved", map[string]any{"step": string(step)})
}

// lockEditableBid locks the organisation's bid and its call and checks that the bid may
// still change (not withdrawn, call published, deadline not passed by the database clock).
func lockEditableBid(tx *gorm.DB, actor *core.Actor, orgID, bidID int64, action string) (*Bid, *bidCall, error) {
	return lockBidArrivedAt(tx, actor, orgID, bidID, action, time.Time{})
}

// lockBidArrivedAt is lockEditableBid for an action that arrived at arrival (database
// clock); the zero time stands for the clock when the call was locked.
func lockBidArrivedAt(tx *gorm.DB, actor *core.Actor, orgID, bidID int64, action string, arrival time.Time) (*Bid, *bidCall, error) {
	b, err := lockOwnBid(tx, actor, orgID, bidID)
	if err != nil {
		return nil, nil, err
	}
	if b.State == rules.BidWithdrawn {
		return nil, nil, &core.StateConflict{Message: "Die Interessenbekundung wurde zurückgezogen. " + action + " ist nicht mehr möglich; es wurde nichts geändert."}
	}
	call, err := lockBidCall(tx, b.CallID)
	if err != nil {
		return nil, nil, err
	}
	if arrival.IsZero() {
		arrival = call.Clock
	}
	if err := call.openAt(action, arrival); err != nil {
		return nil, nil, err
	}
	return b, call, nil
}

// touchBid records a change of the working copy (with the new encrypted draft when withDraft).
func touchBid(tx *gorm.DB, actor *core.Actor, b *Bid, now time.Time, withDraft bool) error {
	b.DraftRev++
	b.UpdatedBy, b.UpdatedAt = &actor.UserID, now
	cols := []string{"DraftRev", "UpdatedBy", "UpdatedAt"}
	if withDraft {
		cols = append(cols, "Draft")
	}
	if err := tx.Model(b).Select(cols).Updates(b).Error; err != nil {
		return fmt.Errorf("update bid %d: %w", b.ID, err)
	}
	return nil
}

// WithdrawBid withdraws a submitted bid until the deadline (checked again at COMMIT with
// the database clock). Withdrawal is final; the submitted versions stay in the record.
// Records bid.withdrawn and puts a message into the organisation's Postfach.
func WithdrawBid(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.BidScope, now time.Time) error {
	orgID, bidID := scope.Org, scope.Bid
	if !actor.InOrg(orgID) {
		return fmt.Errorf("bid of org %d: %w", orgID, core.ErrNotFound)
	}
	const action = "Der Rückzug"
	err := store.InTx(ctx, db, func(tx *gorm.DB) error {
		b, call, err := lockEditableBid(tx, actor, orgID, bidID, action)
		if err != nil {
			return err
		}
		if b.State != rules.BidSubmitted {
			return &core.StateConflict{Message: "Die Interessenbekundung ist noch nicht eingereicht; ein Rückzug ist nicht nötig."}
		}
		if err := tx.Exec(`UPDATE bids SET state = 'withdrawn', withdrawn_at = ?, withdrawn_by = ?, needs_reconfirmation = false WHERE id = ?`,
			now, actor.UserID, b.ID).Error; err != nil {
			return fmt.Errorf("withdraw bid %d: %w", b.ID, err)
		}
		if _, err := postbox.InsertInbox(tx, []postbox.InboxRow{{OrgID: b.OrgID, CallID: &b.CallID, Kind: "bid_withdrawn",
			Subject: "Interessenbekundung zurückgezogen: " + calls.ShortTitle(call.Title),
			Body: fmt.Sprintf("%s hat die Interessenbekundung zur Ausschreibung %s am %s zurückgezogen. Die eingereichten Fassungen bleiben im Verfahren dokumentiert, werden aber nicht bewertet.",
				actor.Name, call.Ref, core.FormatDateTime(now))}}); err != nil {
			return fmt.Errorf("inbox: %w", err)
		}
		return bidAudit(tx, actor, b, "bid.withdrawn", map[string]any{"version": b.CurrentVersion})
	})
	return CommitRefused(err, action)
}
