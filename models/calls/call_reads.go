package calls

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"kimibv/models/accounts"
	"kimibv/models/core"
	"kimibv/models/rules"
)

// CallRow is a call with its Kreis's name and address part, for lists.
type CallRow struct {
	rules.Call
	TenantSlug string
	TenantName string
}

// VersionInfo describes one published version (without its content).
type VersionInfo struct {
	Version       int
	Reason        string
	Material      bool
	ContentSHA256 string
	Deadline      time.Time
	PublishedAt   time.Time
}

// CallView is everything a call's public page shows: the call, the current content,
// the version history with each version's content (for diffs). Preview marks a draft
// rendered for its lead.
type CallView struct {
	Call     CallRow
	Content  rules.CallContent
	Versions []VersionView
	Preview  bool
}

// VersionView is a published version with its decoded content.
type VersionView struct {
	VersionInfo
	Content rules.CallContent
}

// PublicCall loads a published (or later) call by number or readable reference for the
// public page in two queries whatever the number of lots, criteria and versions. Drafts
// and unknown calls are ErrNotFound.
func PublicCall(ctx context.Context, db *gorm.DB, idOrRef string) (*CallView, error) {
	db = db.WithContext(ctx)
	id, _ := strconv.ParseInt(idOrRef, 10, 64)
	var row CallRow
	res := db.Raw(`SELECT c.*, t.slug AS tenant_slug, t.name AS tenant_name FROM calls c JOIN tenants t ON t.id = c.tenant_id
		WHERE (c.id = ? OR c.ref = ?) AND c.state <> 'draft'`, id, idOrRef).Scan(&row)
	if res.Error != nil {
		return nil, fmt.Errorf("load public call: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, fmt.Errorf("public call %q: %w", idOrRef, core.ErrNotFound)
	}
	var rows []struct {
		VersionInfo
		Content []byte
	}
	if err := db.Raw(`SELECT version, reason, material, content_sha256, deadline, published_at, content
		FROM call_versions WHERE call_id = ? ORDER BY version`, row.ID).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("load call versions: %w", err)
	}
	view := &CallView{Call: row}
	for _, r := range rows {
		c, err := rules.DecodeCallContent(r.Content)
		if err != nil {
			return nil, err
		}
		view.Versions = append(view.Versions, VersionView{VersionInfo: r.VersionInfo, Content: c})
		if r.Version == row.CurrentVersion {
			view.Content = c
		}
	}
	return view, nil
}

// PublicCallFilter selects calls for the public list; Page starts at 1.
type PublicCallFilter struct {
	Kreis   string          // tenant slug, "" for all
	State   rules.CallState // "" for all public states
	Page    int
	PerPage int
}

// PublicCallList is one page of the public list plus the Kreise for the filter.
type PublicCallList struct {
	Calls []CallRow
	ListPage
	Filter PublicCallFilter
}

// ListPage is what both public lists (calls, award records) show beside their rows: the
// number of rows in all pages, the page shown, the number of pages and every Kreis for the
// filter.
type ListPage struct {
	Total  int64
	Page   int
	Pages  int
	Kreise []accounts.Tenant
}

// PageWindow applies the paging rules of the public lists: pages count from 1, 20 rows per
// page unless 1–100 are asked for.
func PageWindow(page, perPage int) (int, int) {
	if perPage <= 0 || perPage > 100 {
		perPage = 20
	}
	return max(page, 1), perPage
}

// NewListPage completes page of a public list of total rows with the page count and the
// Kreise for the filter (in German order).
func NewListPage(db *gorm.DB, page, perPage int, total int64) (ListPage, error) {
	out := ListPage{Total: total, Page: page, Pages: int((total + int64(perPage) - 1) / int64(perPage))}
	if err := db.Raw(`SELECT id, slug, name FROM tenants ORDER BY name COLLATE german`).Scan(&out.Kreise).Error; err != nil {
		return ListPage{}, fmt.Errorf("list tenants: %w", err)
	}
	return out, nil
}

// PublicCalls lists published calls of all Kreise, newest first, in two queries.
func PublicCalls(ctx context.Context, db *gorm.DB, f PublicCallFilter) (*PublicCallList, error) {
	db = db.WithContext(ctx)
	f.Page, f.PerPage = PageWindow(f.Page, f.PerPage)
	var rows []struct {
		CallRow
		FullCount int64
	}
	err := db.Raw(`SELECT c.id, c.tenant_id, c.ref, c.state, c.current_version, c.title, c.deadline, c.questions_until,
			c.published_at, c.cancelled_at, c.cancel_reason, t.slug AS tenant_slug, t.name AS tenant_name, count(*) OVER () AS full_count
		FROM calls c JOIN tenants t ON t.id = c.tenant_id
		WHERE c.state <> 'draft' AND (? = '' OR t.slug = ?) AND (? = '' OR c.state = ?)
		ORDER BY c.published_at DESC, c.id DESC LIMIT ? OFFSET ?`,
		f.Kreis, f.Kreis, string(f.State), string(f.State), f.PerPage, (f.Page-1)*f.PerPage).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("list public calls: %w", err)
	}
	out := &PublicCallList{Filter: f}
	var total int64
	for _, r := range rows {
		out.Calls = append(out.Calls, r.CallRow)
		total = r.FullCount
	}
	if out.ListPage, err = NewListPage(db, f.Page, f.PerPage, total); err != nil {
		return nil, err
	}
	return out, nil
}

// TenantCalls lists all calls of the Kreis (every state) for its lead, newest first.
func TenantCalls(ctx context.Context, db *gorm.DB, actor *core.Actor, tenantID int64) ([]rules.Call, error) {
	if err := RequireLead(actor, tenantID, "list calls"); err != nil {
		return nil, err
	}
	var out []rules.Call
	if err := db.WithContext(ctx).Raw(`SELECT id, tenant_id, ref, state, current_version, title, deadline, published_at, cancelled_at, created_at, updated_at
		FROM calls WHERE tenant_id = ? ORDER BY created_at DESC, id DESC`, tenantID).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("list calls: %w", err)
	}
	return out, nil
}

// LeadCall is what the lead's pages of one call need.
type LeadCall struct {
	View       CallView
	Committee  rules.Committee
	Candidates []CommitteeCandidate
}

// CommitteeCandidate is a user of the Kreis who may serve as evaluator or opener.
type CommitteeCandidate struct {
	UserID int64
	Name   string
	Role   string
}

// LeadCallByID loads a call of the Kreis for its lead: current content (the draft while
// a draft), committee and the Kreis's candidates. Another Kreis's call is ErrNotFound.
func LeadCallByID(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.CallScope) (*LeadCall, error) {
	tenantID, callID := scope.Tenant, scope.Call
	if err := RequireLead(actor, tenantID, "load call"); err != nil {
		return nil, err
	}
	db = db.WithContext(ctx)
	var row CallRow
	res := db.Raw(`SELECT c.*, t.slug AS tenant_slug, t.name AS tenant_name FROM calls c JOIN tenants t ON t.id = c.tenant_id
		WHERE c.id = ? AND c.tenant_id = ?`, callID, tenantID).Scan(&row)
	if res.Error != nil {
		return nil, fmt.Errorf("load call: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, fmt.Errorf("call %d: %w", callID, core.ErrNotFound)
	}
	content, err := callContent(db, tenantID, callID)
	if err != nil {
		return nil, err
	}
	com, err := loadCommittee(db, callID)
	if err != nil {
		return nil, err
	}
	lc := &LeadCall{View: CallView{Call: row, Content: content, Preview: row.State == rules.CallDraft}, Committee: com}
	if err := db.Raw(`SELECT m.user_id, u.name, m.role FROM tenant_memberships m JOIN users u ON u.id = m.user_id
		WHERE m.tenant_id = ? AND m.role IN ('evaluator', 'opener') ORDER BY u.name COLLATE german`, tenantID).Scan(&lc.Candidates).Error; err != nil {
		return nil, fmt.Errorf("load committee candidates: %w", err)
	}
	return lc, nil
}

// FeedEntry is an entry of the Atom feed: a new call (version 1), an amendment or a cancellation.
type FeedEntry struct {
	CallID     int64
	Ref        string
	Title      string
	TenantSlug string
	TenantName string
	Version    int
	Reason     string
	Kind       string // "published", "amended", "cancelled"
	At         time.Time
}

// CallFeed returns the newest feed entries overall or of one Kreis (slug), in one query.
func CallFeed(ctx context.Context, db *gorm.DB, kreis string, limit int) ([]FeedEntry, error) {
	var out []FeedEntry
	err := db.WithContext(ctx).Raw(`SELECT * FROM (
			SELECT c.id AS call_id, c.ref, c.title, t.slug AS tenant_slug, t.name AS tenant_name, v.version, v.reason,
				CASE WHEN v.version = 1 THEN 'published' ELSE 'amended' END AS kind, v.published_at AS at
			FROM call_versions v JOIN calls c ON c.id = v.call_id JOIN tenants t ON t.id = c.tenant_id
			WHERE ? = '' OR t.slug = ?
			UNION ALL
			SELECT c.id, c.ref, c.title, t.slug, t.name, c.current_version, c.cancel_reason, 'cancelled', c.cancelled_at
			FROM calls c JOIN tenants t ON t.id = c.tenant_id
			WHERE c.cancelled_at IS NOT NULL AND c.current_version > 0 AND (? = '' OR t.slug = ?)
			UNION ALL -- the Beteiligung on a draft (rules.md R31); version is the consultation's id
			SELECT c.id, c.ref, c.title, t.slug, t.name, s.id::int,
				'vom ' || to_char(s.starts_at AT TIME ZONE 'Europe/Berlin', 'DD.MM.YYYY HH24:MI') || ' bis '
					|| to_char(s.ends_at AT TIME ZONE 'Europe/Berlin', 'DD.MM.YYYY HH24:MI') || ' Uhr (deutsche Ortszeit)',
				'consultation', s.opened_at
			FROM consultations s JOIN calls c ON c.id = s.call_id JOIN tenants t ON t.id = c.tenant_id
			WHERE ? = '' OR t.slug = ?
		) e ORDER BY at DESC, call_id DESC, version DESC LIMIT ?`, kreis, kreis, kreis, kreis, kreis, kreis, limit).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("call feed: %w", err)
	}
	return out, nil
}
