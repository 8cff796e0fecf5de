package audit

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"kimibv/models/core"
)

// CallTrail is a procedure's protocol as the Kreistag reads it: the entries of its chain
// from the opening on, named in German, with the check of the whole chain.
type CallTrail struct {
	CallID       int64
	Ref, Title   string
	OpenedAt     time.Time
	Entries      []AuditRow
	Verification Verification
}

// ShortHead returns the shortened head hash of the verified chain.
func (t CallTrail) ShortHead() string { return ShortHash(t.Verification.HeadHash) }

// LoadCouncilTrail returns the protocol of a procedure of the Kreis for a member of its
// Kreistag (rules.md R2 and R9):
//   - a reader without the council role in the Kreis, a procedure of another Kreis and a
//     procedure not yet opened are ErrNotFound — before the opening nothing about bids,
//     not even that a trail exists, reaches the council;
//   - only the procedure's own chain (CallChain) is read, and of it only the entries from
//     the opening on; the sealed bid trails (SealedBidChain), whose entries all lie before
//     the opening, are not — their heads appear in the opening's bids.trail_joined entry;
//   - a member who is also a named evaluator of the procedure gets the entries without
//     their details, as in the Kreis's protocol (ListAudit).
func LoadCouncilTrail(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.CallScope) (*CallTrail, error) {
	if actor == nil || !actor.HasTenantRole(scope.Tenant, core.RoleCouncil) {
		return nil, fmt.Errorf("council trail: %w", core.ErrNotFound)
	}
	var head []struct {
		Ref, Title string
		OpenedAt   time.Time
		Evaluator  bool
	}
	if err := db.WithContext(ctx).Raw(`SELECT c.ref, c.title, c.opened_at, EXISTS (SELECT 1 FROM call_committee k
			WHERE k.call_id = c.id AND k.user_id = ? AND k.role = 'evaluator') AS evaluator
		FROM calls c WHERE c.id = ? AND c.tenant_id = ? AND c.opened_at IS NOT NULL`, actor.UserID, scope.Call, scope.Tenant).Scan(&head).Error; err != nil {
		return nil, fmt.Errorf("council trail %d: %w", scope.Call, err)
	}
	if len(head) == 0 {
		return nil, fmt.Errorf("council trail %d: %w", scope.Call, core.ErrNotFound)
	}
	h := head[0]
	t := &CallTrail{CallID: scope.Call, Ref: h.Ref, Title: h.Title, OpenedAt: h.OpenedAt}
	chain := CallChain(scope.Call)
	// From the opening on: the first confirmation of the opening starts it (the call's
	// opened_at is the second one), so the entries are taken from the entry that
	// confirmed the opening first.
	if err := db.WithContext(ctx).Raw(`SELECT a.chain, a.seq, a.created_at, a.actor_id, COALESCE(u.name, '') AS actor_name, a.action,
			a.object_type, a.object_id, CASE WHEN ?::boolean THEN '' ELSE a.details END AS details, a.hash, ?::boolean AS details_hidden
		FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
		WHERE a.chain = ? AND a.seq >= COALESCE((SELECT min(seq) FROM audit_log WHERE chain = ? AND action IN ('opening.confirmed', 'call.opened')),
			(SELECT max(seq) + 1 FROM audit_log WHERE chain = ?))
		ORDER BY a.seq`, h.Evaluator, h.Evaluator, chain, chain, chain).Scan(&t.Entries).Error; err != nil {
		return nil, fmt.Errorf("council trail %d: %w", scope.Call, err)
	}
	names, err := LoadNames(ctx, db, t.Entries, actor, scope.Tenant)
	if err != nil {
		return nil, err
	}
	for i := range t.Entries {
		t.Entries[i].Shown = t.Entries[i].Show(names)
	}
	if t.Verification, err = VerifyChain(ctx, db, chain); err != nil {
		return nil, err
	}
	return t, nil
}
