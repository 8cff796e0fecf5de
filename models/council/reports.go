package council

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/models/rules"
	"kimibv/models/store"
	"kimibv/models/vault"
)

// Documents renders the Sachstandsbericht; app/pdfdoc implements it.
type Documents interface {
	Sachstandsbericht(meta vault.DocMeta, d *ReportDoc) ([]byte, error)
}

// ReportDoc is exactly what a Sachstandsbericht shows; its canonical JSON is the Prüfwert
// and the content hash of the distribution.
type ReportDoc struct {
	Kreis       string    `json:"kreis"`
	Authority   string    `json:"authority"`
	Letterhead  string    `json:"letterhead"`
	Ref         string    `json:"ref"`
	CallTitle   string    `json:"call_title"`
	Stage       string    `json:"stage"`
	StageLabel  string    `json:"stage_label"`
	Title       string    `json:"title"`
	Body        string    `json:"body"`
	PublishedAt time.Time `json:"published_at"`
	PublishedBy string    `json:"published_by"`
	Members     int       `json:"members"`
	// Attachments are the uploaded PDFs by name, size and SHA-256: the Prüfwert and the
	// distribution's content hash cover them (absent from reports without any).
	Attachments []ReportFile `json:"attachments,omitempty"`
}

// ReportInput is the lead's status report on a procedure.
type ReportInput struct {
	TenantID int64
	CallID   int64
	Stage    string
	Title    string
	Body     string
}

// callRow is the procedure a report or question is about.
type callRow struct {
	ID        int64
	TenantID  int64
	Ref       string
	Title     string
	State     rules.CallState
	Opened    bool
	Kreis     string
	Authority string
	Header    string
}

// loadCall reads a procedure of the Kreis (not a draft) for the council information; any
// other procedure is ErrNotFound.
func loadCall(tx *gorm.DB, tenantID, callID int64) (*callRow, error) {
	var rows []callRow
	if err := tx.Raw(`SELECT c.id, c.tenant_id, c.ref, c.title, c.state, c.opened_at IS NOT NULL AS opened, t.name AS kreis,
			coalesce(nullif(t.authority, ''), t.name) AS authority, t.letterhead AS header
		FROM calls c JOIN tenants t ON t.id = c.tenant_id WHERE c.id = ? AND c.tenant_id = ? AND c.state <> 'draft'`, callID, tenantID).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("council call: %w", err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("council call %d: %w", callID, core.ErrNotFound)
	}
	return &rows[0], nil
}

// requireLead admits the Kreis's leads; everybody else gets ErrNotFound.
func requireLead(actor *core.Actor, tenantID int64) error {
	if !actor.HasTenantRole(tenantID, core.RoleLead) {
		return fmt.Errorf("council reports of Kreis %d: %w", tenantID, core.ErrNotFound)
	}
	return nil
}

// PublishReport issues a Sachstandsbericht on a procedure and distributes it to every
// council member of the Kreis at once (rules.md R32): the stage must be one the procedure
// reached, the text is the lead's own; audited as council.report_published on the
// procedure's chain, the PDF as document.issued. It returns the report's id.
func PublishReport(ctx context.Context, db *gorm.DB, actor *core.Actor, docs Documents, in ReportInput, now time.Time) (int64, error) {
	if err := requireLead(actor, in.TenantID); err != nil {
		return 0, err
	}
	var id int64
	err := store.InTx(ctx, db, func(tx *gorm.DB) error {
		var err error
		id, err = PublishReportTx(tx, actor, docs, in, now)
		return err
	})
	return id, err
}

// PublishReportTx is PublishReport inside the caller's transaction tx.
func PublishReportTx(tx *gorm.DB, actor *core.Actor, docs Documents, in ReportInput, now time.Time) (int64, error) {
	if err := requireLead(actor, in.TenantID); err != nil {
		return 0, err
	}
	c, err := loadCall(tx, in.TenantID, in.CallID)
	if err != nil {
		return 0, err
	}
	if err := tx.Exec(`SELECT 1 FROM calls WHERE id = ? FOR UPDATE`, c.ID).Error; err != nil {
		return 0, fmt.Errorf("lock call: %w", err)
	}
	// Read again under the lock: the opening may have happened meanwhile.
	if c, err = loadCall(tx, in.TenantID, in.CallID); err != nil {
		return 0, err
	}
	in.Title, in.Body = strings.TrimSpace(in.Title), strings.TrimSpace(in.Body)
	ve := &core.ValidationError{}
	if !slices.Contains(rules.CouncilStages, in.Stage) {
		ve.Add("stage", "invalid", "Bitte wählen Sie den Stand, über den Sie berichten.")
	} else if !rules.CouncilStageReached(in.Stage, c.State, c.Opened) {
		ve.Add("stage", "not_reached", "Über diesen Stand können Sie erst berichten, wenn das Verfahren ihn erreicht hat.")
	}
	core.CheckText(ve, "title", "einen Betreff", in.Title, true, 200)
	core.CheckText(ve, "body", "den Text des Berichts", in.Body, true, 20000)
	if err := ve.OrNil(); err != nil {
		return 0, err
	}
	ms, err := members(tx, in.TenantID)
	if err != nil {
		return 0, err
	}
	var by string
	if err := tx.Raw(`SELECT name FROM users WHERE id = ?`, actor.UserID).Scan(&by).Error; err != nil {
		return 0, fmt.Errorf("load lead: %w", err)
	}
	files, err := reportFiles(tx, c.ID, true)
	if err != nil {
		return 0, err
	}
	data := &ReportDoc{Attachments: files, Kreis: c.Kreis, Authority: c.Authority, Letterhead: c.Header, Ref: c.Ref, CallTitle: c.Title, Stage: in.Stage,
		StageLabel: rules.CouncilStageLabel(in.Stage), Title: in.Title, Body: in.Body, PublishedAt: now.UTC().Truncate(time.Second), PublishedBy: by, Members: len(ms)}
	doc, err := vault.IssueDocument(tx, vault.IssueInput{TenantID: in.TenantID, CallID: c.ID, ActorID: actor.UserID, Kind: vault.DocSachstandsbericht,
		Title: "Sachstandsbericht " + c.Ref + ": " + rules.CouncilStageLabel(in.Stage), Chain: audit.CallChain(c.ID), ObjectType: "call",
		ObjectID: strconv.FormatInt(c.ID, 10), CanonicalData: data,
		Render: func(m vault.DocMeta) ([]byte, error) { return docs.Sachstandsbericht(m, data) }})
	if err != nil {
		return 0, err
	}
	var id int64
	if err := tx.Raw(`INSERT INTO council_reports (tenant_id, call_id, stage, title, body, document_id, published_by, published_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, in.TenantID, c.ID, in.Stage, in.Title, in.Body, doc.ID, actor.UserID, now).Scan(&id).Error; err != nil {
		return 0, fmt.Errorf("store report: %w", err)
	}
	if len(files) > 0 {
		if err := tx.Exec(`UPDATE council_report_files SET report_id = ? WHERE call_id = ? AND report_id IS NULL AND file_id IN ?`,
			id, c.ID, fileIDs(files)).Error; err != nil {
			return 0, fmt.Errorf("attach report files: %w", err)
		}
	}
	dist, err := distribute(tx, c, item{reportID: id, contentSHA: doc.ContentSHA256, subject: "Sachstandsbericht zum Verfahren " + c.Ref,
		body: "zum Verfahren „" + c.Title + "“ (" + c.Ref + ") liegt ein neuer Sachstandsbericht vor: " + in.Title + "."}, ms, now)
	if err != nil {
		return 0, err
	}
	_, err = audit.Audit(tx, audit.Event{Chain: audit.CallChain(c.ID), ActorID: actor.UserID, TenantID: in.TenantID, Action: "council.report_published",
		ObjectType: "call", ObjectID: strconv.FormatInt(c.ID, 10), Details: map[string]any{"stage": in.Stage, "document": doc.ID,
			"distribution": dist, "members": len(ms), "content_sha256": doc.ContentSHA256, "files": len(files)}})
	return id, err
}

// fileIDs returns the files' ids.
func fileIDs(fs []ReportFile) []int64 {
	out := make([]int64, len(fs))
	for i, f := range fs {
		out[i] = f.FileID
	}
	return out
}
