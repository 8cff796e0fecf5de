package council

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"gorm.io/gorm"

	"kimibv/models/core"
	"kimibv/models/rules"
	"kimibv/models/vault"
)

// Info is a procedure's council information: the reports and the answered questions, each
// with its distribution record, and the questions still open (the lead sees every open
// question, a member only the own ones).
type Info struct {
	CallID     int64
	Ref        string
	Title      string
	State      rules.CallState
	Opened     bool
	Lead       bool // the reader leads the Kreis's procedures (answers, publishes)
	Reports    []Report
	Answers    []Answer
	Open       []Answer    // questions without an answer yet
	Resolution *Resolution // fetched from the Kreis's OParl system (nil: none)
	Members    int         // council members of the Kreis now
	Factions   int         // factions with at least one member now
}

// Report is a published Sachstandsbericht with its distribution.
type Report struct {
	ID          int64
	Stage       string
	Title       string
	Body        string
	DocumentID  int64
	PublishedAt time.Time
	Dist        Distribution `gorm:"-"`
	Files       []ReportFile `gorm:"-"` // the uploaded PDF attachments
}

// StageLabel names the report's stage in German.
func (r Report) StageLabel() string { return rules.CouncilStageLabel(r.Stage) }

// Answer is a council question with its answer (empty while open) and distribution.
type Answer struct {
	ID          int64
	Question    string
	FactionName string
	AskedAt     time.Time
	Answer      string
	AnsweredAt  *time.Time
	Dist        Distribution `gorm:"-"`
}

// Faction names the asking faction, or says the member belongs to none.
func (a Answer) Faction() string { return FactionOrNone(a.FactionName) }

// Distribution is the distribution record of a report or an answer: one content hash and
// one time for every member, with each member's faction then and whether they opened it.
type Distribution struct {
	ID            int64
	ContentSHA256 string
	At            time.Time
	Receipts      []Receipt
	MyReadAt      *time.Time // the reader's own opening (council members)
	Mine          bool       // the reader received it
}

// ReadCount counts the members who opened it.
func (d Distribution) ReadCount() int {
	n := 0
	for _, r := range d.Receipts {
		if r.ReadAt != nil {
			n++
		}
	}
	return n
}

// FactionCount counts the factions that received it (each member's faction at the time).
func (d Distribution) FactionCount() int {
	seen := map[string]bool{}
	for _, r := range d.Receipts {
		if r.FactionName != "" {
			seen[r.FactionName] = true
		}
	}
	return len(seen)
}

// Receipt is one member's copy.
type Receipt struct {
	DistributionID int64
	UserID         int64
	Name           string
	FactionName    string
	ReceivedAt     time.Time
	ReadAt         *time.Time
}

// Faction names the member's faction at the time of the distribution.
func (r Receipt) Faction() string { return FactionOrNone(r.FactionName) }

// LoadInfo reads a procedure's council information for a council member or a lead of the
// Kreis in one read-only transaction; everybody else, drafts and other Kreise get
// ErrNotFound. It never writes.
func LoadInfo(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.CallScope) (*Info, error) {
	lead := actor.HasTenantRole(scope.Tenant, core.RoleLead)
	if !lead && !actor.HasTenantRole(scope.Tenant, core.RoleCouncil) {
		return nil, fmt.Errorf("council information of Kreis %d: %w", scope.Tenant, core.ErrNotFound)
	}
	var out *Info
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		c, err := loadCall(tx, scope.Tenant, scope.Call)
		if err != nil {
			return err
		}
		in := &Info{CallID: c.ID, Ref: c.Ref, Title: c.Title, State: c.State, Opened: c.Opened, Lead: lead}
		if err := tx.Raw(`SELECT r.id, r.stage, r.title, r.body, r.document_id, r.published_at FROM council_reports r
			JOIN council_distributions d ON d.report_id = r.id WHERE r.call_id = ? ORDER BY r.published_at, r.id`, c.ID).Scan(&in.Reports).Error; err != nil {
			return fmt.Errorf("load reports: %w", err)
		}
		files, err := reportFiles(tx, c.ID, false)
		if err != nil {
			return err
		}
		for _, f := range files {
			for i := range in.Reports {
				if in.Reports[i].ID == f.ReportID {
					in.Reports[i].Files = append(in.Reports[i].Files, f)
				}
			}
		}
		var qs []Answer
		if err := tx.Raw(`SELECT q.id, q.question, q.faction_name, q.asked_at, coalesce(q.answer, '') AS answer, q.answered_at FROM council_questions q
			WHERE q.call_id = ? AND (q.answer IS NOT NULL OR ? OR q.asked_by = ?) ORDER BY coalesce(q.answered_at, q.asked_at), q.id`,
			c.ID, lead, actor.UserID).Scan(&qs).Error; err != nil {
			return fmt.Errorf("load council questions: %w", err)
		}
		for _, q := range qs {
			if q.AnsweredAt == nil {
				in.Open = append(in.Open, q)
			} else {
				in.Answers = append(in.Answers, q)
			}
		}
		if err := loadDistributions(tx, in, actor.UserID); err != nil {
			return err
		}
		if in.Resolution, err = loadResolution(tx, c.ID); err != nil {
			return err
		}
		if err := tx.Raw(`SELECT count(*) AS members, count(DISTINCT mf.faction_id) AS factions FROM tenant_memberships m
			LEFT JOIN council_member_factions mf ON mf.tenant_id = m.tenant_id AND mf.user_id = m.user_id
			WHERE m.tenant_id = ? AND m.role = 'council'`, c.TenantID).Row().Scan(&in.Members, &in.Factions); err != nil {
			return fmt.Errorf("count council: %w", err)
		}
		out = in
		return nil
	}, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	return out, err
}

// loadDistributions fills the distribution records of the reports and answers with one query.
func loadDistributions(tx *gorm.DB, in *Info, userID int64) error {
	var ds []struct {
		ID            int64
		ReportID      *int64
		QuestionID    *int64
		ContentSHA256 string `gorm:"column:content_sha256"`
		DistributedAt time.Time
	}
	if err := tx.Raw(`SELECT id, report_id, question_id, content_sha256, distributed_at FROM council_distributions WHERE call_id = ?`, in.CallID).Scan(&ds).Error; err != nil {
		return fmt.Errorf("load distributions: %w", err)
	}
	var rs []Receipt
	if err := tx.Raw(`SELECT r.distribution_id, r.user_id, u.name, r.faction_name, r.received_at, r.read_at FROM council_receipts r
		JOIN council_distributions d ON d.id = r.distribution_id JOIN users u ON u.id = r.user_id
		WHERE d.call_id = ? ORDER BY r.faction_name, u.name, u.id`, in.CallID).Scan(&rs).Error; err != nil {
		return fmt.Errorf("load receipts: %w", err)
	}
	byID := map[int64]*Distribution{}
	for _, d := range ds {
		dist := &Distribution{ID: d.ID, ContentSHA256: d.ContentSHA256, At: d.DistributedAt}
		byID[d.ID] = dist
		for i := range in.Reports {
			if d.ReportID != nil && in.Reports[i].ID == *d.ReportID {
				in.Reports[i].Dist = *dist
				byID[d.ID] = &in.Reports[i].Dist
			}
		}
		for i := range in.Answers {
			if d.QuestionID != nil && in.Answers[i].ID == *d.QuestionID {
				in.Answers[i].Dist = *dist
				byID[d.ID] = &in.Answers[i].Dist
			}
		}
	}
	for _, r := range rs {
		d := byID[r.DistributionID]
		d.Receipts = append(d.Receipts, r)
		if r.UserID == userID {
			d.Mine, d.MyReadAt = true, r.ReadAt
		}
	}
	return nil
}

// ReportPDF returns the issued Sachstandsbericht of report id for a council member or a
// lead of the Kreis; everything else is ErrNotFound.
func ReportPDF(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.CallScope, reportID int64) (*vault.IssuedDocument, error) {
	if !actor.HasTenantRole(scope.Tenant, core.RoleLead) && !actor.HasTenantRole(scope.Tenant, core.RoleCouncil) {
		return nil, fmt.Errorf("council report of Kreis %d: %w", scope.Tenant, core.ErrNotFound)
	}
	var d []vault.IssuedDocument
	if err := db.WithContext(ctx).Raw(`SELECT i.* FROM issued_documents i JOIN council_reports r ON r.document_id = i.id
		WHERE r.id = ? AND r.call_id = ? AND r.tenant_id = ? AND i.kind = 'sachstandsbericht'`, reportID, scope.Call, scope.Tenant).Scan(&d).Error; err != nil {
		return nil, fmt.Errorf("load report %d: %w", reportID, err)
	}
	if len(d) == 0 {
		return nil, fmt.Errorf("report %d: %w", reportID, core.ErrNotFound)
	}
	if err := vault.OpenDocument(db.WithContext(ctx), &d[0]); err != nil {
		return nil, err
	}
	return &d[0], nil
}
