package calls

import (
	"fmt"
	"time"

	"gorm.io/gorm"

	"kimibv/models/accounts"
	"kimibv/models/core"
	"kimibv/models/rules"
)

// LeadCallRow is a call row with its current content and whether its consolidation is closed
// (a call_results row exists), as the consolidation and decision use cases read it.
type LeadCallRow struct {
	ID             int64
	TenantID       int64
	Ref            string
	Title          string
	State          rules.CallState
	CurrentVersion int
	OpenedAt       *time.Time
	Content        []byte
	Closed         bool
	Committee      bool // the actor is a named evaluator of the call
}

// LoadLeadCall reads the call for its lead (FOR UPDATE OF the call when lock). Other Kreise
// and other roles get ErrNotFound (RequireLead with what); a lead who is a named evaluator
// of the call is refused (accounts.ErrCommitteeMember: the consolidation and the decision show
// every score and every bid); then check refuses the call (nil to accept it) before its
// current content is decoded.
func LoadLeadCall(tx *gorm.DB, actor *core.Actor, callID int64, lock bool, what string, check func(*LeadCallRow) error) (*LeadCallRow, rules.CallContent, error) {
	q := `SELECT c.id, c.tenant_id, c.ref, c.title, c.state, c.current_version, c.opened_at, v.content,
		EXISTS (SELECT 1 FROM call_results r WHERE r.call_id = c.id) AS closed,
		EXISTS (SELECT 1 FROM call_committee k WHERE k.call_id = c.id AND k.user_id = ? AND k.role = 'evaluator') AS committee
		FROM calls c JOIN call_versions v ON v.call_id = c.id AND v.version = c.current_version WHERE c.id = ?`
	if lock {
		q += ` FOR UPDATE OF c`
	}
	var c LeadCallRow
	res := tx.Raw(q, actor.UserID, callID).Scan(&c)
	if res.Error != nil {
		return nil, rules.CallContent{}, fmt.Errorf("load call %d: %w", callID, res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, rules.CallContent{}, fmt.Errorf("call %d: %w", callID, core.ErrNotFound)
	}
	if err := RequireLead(actor, c.TenantID, what); err != nil {
		return nil, rules.CallContent{}, err
	}
	if c.Committee {
		return nil, rules.CallContent{}, accounts.ErrCommitteeMember()
	}
	if err := check(&c); err != nil {
		return nil, rules.CallContent{}, err
	}
	content, err := rules.DecodeCallContent(c.Content)
	if err != nil {
		return nil, rules.CallContent{}, err
	}
	return &c, content, nil
}
