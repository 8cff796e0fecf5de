package consultation

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"gorm.io/gorm"

	"kimibv/models/core"
	"kimibv/models/rules"
	"kimibv/models/vault"
)

// Header is a consultation with its call's reference, title and state.
type Header struct {
	ID, CallID, TenantID int64
	StartsAt, EndsAt     time.Time
	WeighedAt            *time.Time
	ContentSHA256        string `gorm:"column:content_sha256"`
	Ref, Title           string
	State                rules.CallState
	Kreis                string
}

// Running reports whether statements are accepted at now.
func (h *Header) Running(now time.Time) bool { return !now.Before(h.StartsAt) && !now.After(h.EndsAt) }

// Ended reports whether the period is over at now.
func (h *Header) Ended(now time.Time) bool { return now.After(h.EndsAt) }

// Statement is one statement with its response, as the public sees it.
type Statement struct {
	ID           int64      `json:"id"`
	OrgID        int64      `json:"org_id"`
	OrgName      string     `json:"org"`
	Section      string     `json:"section"`
	SectionLabel string     `json:"section_label"`
	Body         string     `json:"body"`
	ReceivedAt   time.Time  `json:"received_at"`
	RevisedAt    *time.Time `json:"revised_at,omitempty"`
	Outcome      string     `json:"outcome"`
	Response     string     `json:"response"`
	RespondedAt  *time.Time `json:"responded_at,omitempty"`
	// The optional PDF attachment (public like the statement; absent from older Abwägungen).
	FileID     int64  `json:"-"`
	FileName   string `json:"attachment,omitempty"`
	FileSize   int64  `json:"attachment_size,omitempty"`
	FileSHA256 string `json:"attachment_sha256,omitempty" gorm:"column:file_sha256"`
}

// Answered reports whether the lead responded to the statement.
func (s *Statement) Answered() bool { return s.Outcome != "" }

// OutcomeLabel names the response's outcome in German.
func (s *Statement) OutcomeLabel() string { return rules.OutcomeLabel(s.Outcome) }

// View is a consultation with its draft, invitees and statements: the public page and
// the lead's page show it.
type View struct {
	Header
	Content    rules.CallContent
	Sections   []rules.Section
	Invited    []Invitee
	Statements []Statement
	Unanswered int
}

// Invitee is an invited organisation.
type Invitee struct {
	ID   int64
	Name string
}

const headerSQL = `SELECT c.id, c.call_id, c.tenant_id, c.starts_at, c.ends_at, c.weighed_at, c.content_sha256,
	k.ref, k.title, k.state, t.name AS kreis
	FROM consultations c JOIN calls k ON k.id = c.call_id JOIN tenants t ON t.id = c.tenant_id`

// Public loads consultation id for everyone (a consultation is public); unknown is ErrNotFound.
func Public(ctx context.Context, db *gorm.DB, id int64) (*View, error) {
	return load(db.WithContext(ctx), `c.id = ?`, id)
}

// OfCall loads the consultation of the Kreis's call, nil when it has none.
func OfCall(ctx context.Context, db *gorm.DB, scope core.CallScope) (*View, error) {
	v, err := load(db.WithContext(ctx), `c.call_id = ? AND c.tenant_id = ?`, scope.Call, scope.Tenant)
	if errors.Is(err, core.ErrNotFound) {
		return nil, nil
	}
	return v, err
}

// OfPublishedCall returns the id of the consultation of a published call, 0 for none.
func OfPublishedCall(ctx context.Context, db *gorm.DB, callID int64) (int64, error) {
	var id int64
	if err := db.WithContext(ctx).Raw(`SELECT id FROM consultations WHERE call_id = ?`, callID).Scan(&id).Error; err != nil {
		return 0, fmt.Errorf("load consultation of call %d: %w", callID, err)
	}
	return id, nil
}

func load(db *gorm.DB, where string, args ...any) (*View, error) {
	var row struct {
		Header
		Content []byte
	}
	res := db.Raw(`SELECT c.content, h.* FROM (`+headerSQL+` WHERE `+where+`) h JOIN consultations c ON c.id = h.id`, args...).Scan(&row)
	if res.Error != nil {
		return nil, fmt.Errorf("load consultation: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, fmt.Errorf("consultation: %w", core.ErrNotFound)
	}
	content, err := rules.DecodeCallContent(row.Content)
	if err != nil {
		return nil, err
	}
	v := &View{Header: row.Header, Content: content, Sections: rules.ConsultationSections(&content)}
	if err := db.Raw(`SELECT o.id, o.name FROM consultation_invitees i JOIN organizations o ON o.id = i.org_id
		WHERE i.consultation_id = ? ORDER BY o.name COLLATE german, o.id`, v.ID).Scan(&v.Invited).Error; err != nil {
		return nil, fmt.Errorf("load invitees: %w", err)
	}
	if v.Statements, err = statementsOf(db, v.ID); err != nil {
		return nil, err
	}
	for i := range v.Statements {
		v.Statements[i].SectionLabel = rules.SectionLabel(&content, v.Statements[i].Section)
		if !v.Statements[i].Answered() {
			v.Unanswered++
		}
	}
	return v, nil
}

// statementsOf lists a consultation's statements by organisation and section.
func statementsOf(db *gorm.DB, id int64) ([]Statement, error) {
	var out []Statement
	if err := db.Raw(`SELECT s.id, s.org_id, o.name AS org_name, s.section, s.body, s.received_at, s.revised_at,
			coalesce(s.outcome, '') AS outcome, coalesce(s.response, '') AS response, s.responded_at,
			coalesce(f.id, 0) AS file_id, coalesce(f.name, '') AS file_name, coalesce(f.size, 0) AS file_size, coalesce(f.sha256, '') AS file_sha256
		FROM consultation_statements s JOIN organizations o ON o.id = s.org_id LEFT JOIN files f ON f.id = s.file_id
		WHERE s.consultation_id = ? ORDER BY o.name COLLATE german, s.org_id, s.section`, id).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("load statements: %w", err)
	}
	return out, nil
}

// InvitedOrgs returns which of the actor's organisations are invited to consultation id.
func InvitedOrgs(ctx context.Context, db *gorm.DB, actor *core.Actor, id int64) ([]Invitee, error) {
	if actor == nil || len(actor.Orgs) == 0 {
		return nil, nil
	}
	ids := make([]int64, 0, len(actor.Orgs))
	for o := range actor.Orgs {
		ids = append(ids, o)
	}
	var out []Invitee
	if err := db.WithContext(ctx).Raw(`SELECT o.id, o.name FROM consultation_invitees i JOIN organizations o ON o.id = i.org_id
		WHERE i.consultation_id = ? AND i.org_id IN ? ORDER BY o.name COLLATE german, o.id`, id, ids).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("load own invitations: %w", err)
	}
	return out, nil
}

// Running lists the consultations whose call is not yet published, optionally of one
// Kreis (slug "": all), soonest end first. The list does not depend on the clock (the
// public call list's validator changes only when a consultation is added, see 00115).
func Running(ctx context.Context, db *gorm.DB, slug string) ([]Header, error) {
	var out []Header
	if err := db.WithContext(ctx).Raw(headerSQL+` WHERE k.state = 'draft' AND (? = '' OR t.slug = ?) ORDER BY c.ends_at, c.id`,
		slug, slug).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("load consultations: %w", err)
	}
	return out, nil
}

// ChangesSincePublication compares the consultation version with the first published
// version of the call (rules.DiffVersions, the amendments' diff); nil while the call is a
// draft. One query.
func ChangesSincePublication(ctx context.Context, db *gorm.DB, id int64) ([]rules.Change, error) {
	var row struct{ Draft, Published []byte }
	res := db.WithContext(ctx).Raw(`SELECT c.content AS draft, v.content AS published FROM consultations c
		JOIN call_versions v ON v.call_id = c.call_id AND v.version = 1 WHERE c.id = ?`, id).Scan(&row)
	if res.Error != nil {
		return nil, fmt.Errorf("load versions of consultation %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, nil
	}
	a, err := rules.DecodeCallContent(row.Draft)
	if err != nil {
		return nil, err
	}
	b, err := rules.DecodeCallContent(row.Published)
	if err != nil {
		return nil, err
	}
	return rules.DiffVersions(a, b), nil
}

// PDF returns the issued document of kind (DocEntwurf or DocAbwaegung) of consultation
// id; none is ErrNotFound. Both are public.
func PDF(ctx context.Context, db *gorm.DB, id int64, kind vault.DocKind) (*vault.IssuedDocument, error) {
	var d vault.IssuedDocument
	res := db.WithContext(ctx).Raw(`SELECT * FROM issued_documents WHERE kind = ? AND object_type = 'consultation' AND object_id = ?
		ORDER BY id DESC LIMIT 1`, string(kind), fmt.Sprint(id)).Scan(&d)
	if res.Error != nil {
		return nil, fmt.Errorf("load %s of consultation %d: %w", kind, id, res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, fmt.Errorf("%s of consultation %d: %w", kind, id, core.ErrNotFound)
	}
	return &d, nil
}

// OpenAttachment streams the PDF attached to statement st of consultation id; a statement
// of another consultation or one without attachment is ErrNotFound. Statements are public
// (rules.md R31), so are their attachments; db may be a transaction.
func OpenAttachment(ctx context.Context, db *gorm.DB, vlt *vault.Vault, id, st int64) (io.ReadCloser, vault.File, error) {
	var fileID int64
	if err := db.WithContext(ctx).Raw(`SELECT coalesce(file_id, 0) FROM consultation_statements WHERE id = ? AND consultation_id = ?`,
		st, id).Scan(&fileID).Error; err != nil {
		return nil, vault.File{}, fmt.Errorf("load attachment of statement %d: %w", st, err)
	}
	if fileID == 0 {
		return nil, vault.File{}, fmt.Errorf("attachment of statement %d: %w", st, core.ErrNotFound)
	}
	return vault.OpenFile(ctx, db, vlt, fileID)
}
