package rules

import (
	"encoding/json"
	"time"

	"kimibv/models/core"
)

// CallState is the state of a procedure (rules.md, "The procedure's states"). A new
// state needs a migration that inserts into call_states and a constant here.
type CallState string

// Procedure states known so far.
const (
	CallDraft     CallState = "draft"
	CallPublished CallState = "published"
	CallClosed    CallState = "closed" // deadline passed, bids sealed (rules.md R14)
	CallOpened    CallState = "opened" // opened by two openers (rules.md R15)
	CallCancelled CallState = "cancelled"
)

// Procedure states of the decision (migration 00050).
const (
	CallDecided  CallState = "decided"  // decision recorded (Entschieden)
	CallNotified CallState = "notified" // notices issued, standstill running (Mitgeteilt)
	CallAwarded  CallState = "awarded"  // award final (Vergeben)
)

// Label returns the German name of the state.
func (s CallState) Label() string {
	switch s {
	case CallDraft:
		return "Entwurf"
	case CallPublished:
		return "Veröffentlicht"
	case CallClosed:
		return "Frist abgelaufen"
	case CallOpened:
		return "Interessenbekundungen geöffnet" // not "Geöffnet": it would read as open for bids
	case CallCancelled:
		return "Aufgehoben"
	case CallDecided: // the decision states (rules.md R20, R10)
		return "Entschieden"
	case CallNotified:
		return "Mitgeteilt"
	case CallAwarded:
		return "Vergeben"
	}
	return string(s)
}

// StateAt is the state a call shows at now: a published call whose deadline has passed
// is shown as closed ("Frist abgelaufen") before the close-calls job has moved it there.
// Pages use it instead of closing the call themselves (a GET never writes).
func StateAt(s CallState, deadline *time.Time, now time.Time) CallState {
	if s == CallPublished && deadline != nil && deadline.Before(now) {
		return CallClosed
	}
	return s
}

// PublicCallStates are the states the public list can filter by, in display order.
var PublicCallStates = []CallState{CallPublished, CallCancelled}

// Committee roles of call_committee.
const (
	CommitteeEvaluator = "evaluator"
	CommitteeOpener    = "opener"
)

// Call is a row of calls: the procedure with its draft and denormalised current fields.
type Call struct {
	ID             int64
	TenantID       int64
	Ref            string
	RefYear        int
	RefSeq         int
	State          CallState
	Draft          json.RawMessage `gorm:"type:jsonb"`
	CurrentVersion int
	Title          string
	Deadline       *time.Time
	QuestionsUntil *time.Time
	PublishedAt    *time.Time
	CancelledAt    *time.Time
	CancelReason   string
	CopiedFrom     *int64
	CreatedBy      int64
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// IsDraft reports whether the call is still an editable draft.
func (c *Call) IsDraft() bool { return c.State == CallDraft }

// CallVersion is an immutable published version of a call's content.
type CallVersion struct {
	CallID        int64
	Version       int
	Content       json.RawMessage `gorm:"type:jsonb"`
	ContentSHA256 string          `gorm:"column:content_sha256"`
	Reason        string
	Material      bool
	Deadline      time.Time
	PublishedBy   int64
	PublishedAt   time.Time
}

// TableName maps CallVersion to call_versions.
func (CallVersion) TableName() string { return "call_versions" }

// CommitteeMember is a row of call_committee with the user's name for display.
type CommitteeMember struct {
	CallID int64
	UserID int64
	Role   string
	Name   string `gorm:"->;-:migration"`
}

// Committee lists a call's evaluators and openers (user ids).
type Committee struct {
	Evaluators []int64
	Openers    []int64
}

// Cancellable reports whether a call in state s can still be cancelled (CancelBlocked).
func (s CallState) Cancellable() bool { return CancelBlocked(s) == nil }

// StateConflictFor explains why a call in state s allows no amendment, answer or cancellation.
func StateConflictFor(s CallState, action string) error {
	switch s {
	case CallCancelled:
		return &core.StateConflict{Message: "Die Ausschreibung ist aufgehoben. " + action + " ist nicht mehr möglich; es wurde nichts geändert."}
	case CallDraft:
		return &core.StateConflict{Message: "Die Ausschreibung ist noch nicht veröffentlicht. " + action + " ist erst nach der Veröffentlichung möglich."}
	}
	return &core.StateConflict{Message: "Die Ausschreibung befindet sich im Stand „" + s.Label() + "“. " + action + " ist nicht mehr möglich; es wurde nichts geändert."}
}

// AmendmentBlocked returns nil when a call in state s can be amended or cancelled,
// otherwise the core.StateConflict that explains why not.
func AmendmentBlocked(s CallState, action string) error {
	if s == CallPublished {
		return nil
	}
	return StateConflictFor(s, action)
}

// CancelBlocked returns nil when a call in state s can be cancelled (Aufhebung: every
// state after the publication and before the final award, rules.md R22), otherwise the
// core.StateConflict that explains why not. A draft is not public: it is not cancelled but
// stays with the lead (it can be kept or copied); nothing about it is announced.
func CancelBlocked(s CallState) error {
	switch s {
	case CallPublished, CallClosed, CallOpened, CallDecided, CallNotified:
		return nil
	case CallAwarded:
		return &core.StateConflict{Message: "Die Vergabe ist bereits endgültig (Stand „Vergeben“). Eine Aufhebung ist nicht mehr möglich; es wurde nichts geändert."}
	case CallDraft:
		return &core.StateConflict{Message: "Ein Entwurf ist nicht veröffentlicht und kann nicht aufgehoben werden; es wurde nichts geändert."}
	}
	return StateConflictFor(s, "Eine Aufhebung")
}
