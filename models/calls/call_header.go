package calls

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"kimibv/models/core"
	"kimibv/models/rules"
)

// CallHeader is the head of a call as the question, follow, amendment and version pages
// need it: identity, state, the denormalised current fields and the Kreis's name.
type CallHeader struct {
	ID             int64
	TenantID       int64
	TenantSlug     string
	TenantName     string
	Ref            string
	State          rules.CallState
	CurrentVersion int
	Title          string
	Deadline       *time.Time
	QuestionsUntil *time.Time
	PublishedAt    *time.Time
	CancelledAt    *time.Time
	CancelReason   string
}

// IsCancelled reports whether the call has been cancelled (Aufhebung).
func (h *CallHeader) IsCancelled() bool { return h.State == rules.CallCancelled }

// QuestionsOpen reports whether providers may still ask questions at now.
func (h *CallHeader) QuestionsOpen(now time.Time) bool {
	return h.State == rules.CallPublished && h.QuestionsUntil != nil && !now.After(*h.QuestionsUntil) &&
		(h.Deadline == nil || now.Before(*h.Deadline))
}

const CallHeaderSelect = `SELECT c.id, c.tenant_id, t.slug AS tenant_slug, t.name AS tenant_name, c.ref, c.state,
	c.current_version, c.title, c.deadline, c.questions_until, c.published_at, c.cancelled_at, c.cancel_reason
	FROM calls c JOIN tenants t ON t.id = c.tenant_id `

// PublishedCallHeader returns the head of a published (or later) call by its number or
// readable reference; drafts and unknown calls are ErrNotFound.
func PublishedCallHeader(ctx context.Context, db *gorm.DB, idOrRef string) (*CallHeader, error) {
	var h CallHeader
	q := db.WithContext(ctx)
	var res *gorm.DB
	if id, err := strconv.ParseInt(idOrRef, 10, 64); err == nil {
		res = q.Raw(CallHeaderSelect+`WHERE c.id = ? AND c.state <> 'draft'`, id).Scan(&h)
	} else {
		res = q.Raw(CallHeaderSelect+`WHERE c.ref = ? AND c.state <> 'draft'`, idOrRef).Scan(&h)
	}
	if res.Error != nil {
		return nil, fmt.Errorf("load call %q: %w", idOrRef, res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, fmt.Errorf("call %q: %w", idOrRef, core.ErrNotFound)
	}
	return &h, nil
}

// LeadCallHeader returns the head of a published call of the Kreis tenantID for its lead.
// Another Kreis's call, a draft or an actor without the lead role get ErrNotFound (rules.md R9).
func LeadCallHeader(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.CallScope) (*CallHeader, error) {
	tenantID, callID := scope.Tenant, scope.Call
	if !actor.HasTenantRole(tenantID, core.RoleLead) {
		return nil, fmt.Errorf("call %d for lead: %w", callID, core.ErrNotFound)
	}
	var h CallHeader
	res := db.WithContext(ctx).Raw(CallHeaderSelect+`WHERE c.id = ? AND c.tenant_id = ? AND c.state <> 'draft'`, callID, tenantID).Scan(&h)
	if res.Error != nil {
		return nil, fmt.Errorf("load call %d: %w", callID, res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, fmt.Errorf("call %d: %w", callID, core.ErrNotFound)
	}
	return &h, nil
}

// LockPublishedCall loads a call of the Kreis FOR UPDATE for the lead's post-publication
// actions; drafts and other Kreise's calls are ErrNotFound.
func LockPublishedCall(tx *gorm.DB, actor *core.Actor, scope core.CallScope) (*rules.Call, error) {
	tenantID, callID := scope.Tenant, scope.Call
	if !actor.HasTenantRole(tenantID, core.RoleLead) {
		return nil, fmt.Errorf("call %d for lead: %w", callID, core.ErrNotFound)
	}
	var c rules.Call
	res := tx.Raw(`SELECT * FROM calls WHERE id = ? AND tenant_id = ? AND state <> 'draft' FOR UPDATE`, callID, tenantID).Scan(&c)
	if res.Error != nil {
		return nil, fmt.Errorf("lock call %d: %w", callID, res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, fmt.Errorf("call %d: %w", callID, core.ErrNotFound)
	}
	return &c, nil
}

// VersionContent returns the content of version n of a call.
func VersionContent(tx *gorm.DB, callID int64, n int) (rules.CallContent, error) {
	var row struct{ Content []byte }
	res := tx.Raw(`SELECT content FROM call_versions WHERE call_id = ? AND version = ?`, callID, n).Scan(&row)
	if res.Error != nil {
		return rules.CallContent{}, fmt.Errorf("load version %d of call %d: %w", n, callID, res.Error)
	}
	if res.RowsAffected == 0 {
		return rules.CallContent{}, fmt.Errorf("version %d of call %d: %w", n, callID, core.ErrNotFound)
	}
	return rules.DecodeCallContent(row.Content)
}

// HeaderOf returns the head of a call row loaded for the public page (no extra query).
func HeaderOf(r CallRow) *CallHeader {
	return &CallHeader{ID: r.ID, TenantID: r.TenantID, TenantSlug: r.TenantSlug, TenantName: r.TenantName, Ref: r.Ref, State: r.State,
		CurrentVersion: r.CurrentVersion, Title: r.Title, Deadline: r.Deadline, QuestionsUntil: r.QuestionsUntil,
		PublishedAt: r.PublishedAt, CancelledAt: r.CancelledAt, CancelReason: r.CancelReason}
}
