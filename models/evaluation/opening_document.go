package evaluation

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"kimibv/models/accounts"
	"kimibv/models/audit"
	"kimibv/models/bids"
	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/rules"
	"kimibv/models/vault"
)

// Documents renders the documents of the evaluation stage as PDF: the
// Öffnungsprotokoll and the Bewertungsmatrix. app/pdfdoc implements it.
type Documents interface {
	Oeffnungsprotokoll(meta vault.DocMeta, d *OpeningDocData) ([]byte, error)
	Bewertungsmatrix(meta vault.DocMeta, d *MatrixDocData) ([]byte, error)
}

// OpeningDocData is everything the Öffnungsprotokoll PDF shows; its canonical JSON is the
// document's Prüfwert. It contains no bid content, only what was received and its hashes.
type OpeningDocData struct {
	bids.DocIssuer
	CallRef      string             `json:"call_ref"`
	CallTitle    string             `json:"call_title"`
	CallVersion  int                `json:"call_version"`
	Deadline     time.Time          `json:"deadline"`
	OpenedAt     time.Time          `json:"opened_at"`
	Openers      []OpeningDocOpener `json:"openers"`
	Bids         []OpeningDocBid    `json:"bids"`
	LateAttempts int                `json:"late_attempts"`
}

// OpeningDocOpener is one confirmation.
type OpeningDocOpener struct {
	Name        string    `json:"name"`
	ConfirmedAt time.Time `json:"confirmed_at"`
}

// OpeningDocBid is one bid as opened (withdrawn bids included, marked).
type OpeningDocBid struct {
	OrgName             string                `json:"org_name"`
	Withdrawn           bool                  `json:"withdrawn"`
	Version             int                   `json:"version"`
	CallVersion         int                   `json:"call_version"`
	Kind                string                `json:"kind"`
	ReceiptAt           time.Time             `json:"receipt_at"`
	ContentSHA256       string                `json:"content_sha256"`
	NeedsReconfirmation bool                  `json:"needs_reconfirmation"`
	Files               []bids.ReceiptDocFile `json:"files"`
}

// issueOeffnungsprotokoll issues, inside the transaction of the second opening
// confirmation, the Öffnungsprotokoll (kind oeffnungsprotokoll, object call) from the
// frozen opening_bids and opening_files: a failing renderer rolls the opening back.
func issueOeffnungsprotokoll(tx *gorm.DB, docs Documents, actorID, tenantID, callID int64) error {
	v := &OpeningView{}
	if err := tx.Raw(calls.CallHeaderSelect+`WHERE c.id = ? AND c.tenant_id = ?`, callID, tenantID).Scan(&v.Call).Error; err != nil {
		return fmt.Errorf("load call %d: %w", callID, err)
	}
	var c struct {
		OpenedAt *time.Time
		Content  []byte
	}
	if err := tx.Raw(`SELECT c.opened_at, v.content FROM calls c JOIN call_versions v ON v.call_id = c.id AND v.version = c.current_version
		WHERE c.id = ?`, callID).Scan(&c).Error; err != nil {
		return fmt.Errorf("load call %d: %w", callID, err)
	}
	if c.OpenedAt == nil || v.Call.Deadline == nil {
		return fmt.Errorf("Öffnungsprotokoll of call %d: not opened", callID)
	}
	content, err := rules.DecodeCallContent(c.Content)
	if err != nil {
		return err
	}
	if err := tx.Raw(`SELECT o.user_id, u.name, o.confirmed_at FROM openings o JOIN users u ON u.id = o.user_id
		WHERE o.call_id = ? ORDER BY o.confirmed_at, o.user_id`, callID).Scan(&v.Confirmed).Error; err != nil {
		return fmt.Errorf("load confirmations: %w", err)
	}
	if err := loadProtocol(tx, callID, v); err != nil {
		return err
	}
	iss, err := bids.DocIssuerOf(tx, tenantID, content.Authority)
	if err != nil {
		return err
	}
	d := &OpeningDocData{DocIssuer: iss, CallRef: v.Call.Ref, CallTitle: v.Call.Title, CallVersion: v.Call.CurrentVersion,
		Deadline: v.Call.Deadline.UTC(), OpenedAt: c.OpenedAt.UTC(), Openers: []OpeningDocOpener{}, Bids: []OpeningDocBid{},
		LateAttempts: v.LateAttempts}
	for _, o := range v.Confirmed {
		d.Openers = append(d.Openers, OpeningDocOpener{Name: o.Name, ConfirmedAt: o.ConfirmedAt.UTC()})
	}
	for _, b := range v.Bids {
		ob := OpeningDocBid{OrgName: b.OrgName, Withdrawn: b.Withdrawn(), Version: b.Version, CallVersion: b.CallVersion,
			Kind: versionKindLabel(b.Kind), ReceiptAt: b.ReceiptAt.UTC(), ContentSHA256: b.ContentSHA256,
			NeedsReconfirmation: b.NeedsReconfirmation, Files: []bids.ReceiptDocFile{}}
		for _, f := range b.Files {
			ob.Files = append(ob.Files, bids.ReceiptDocFile{DocKey: f.DocKey, Name: f.Name, Size: f.Size, SHA256: f.SHA256})
		}
		d.Bids = append(d.Bids, ob)
	}
	_, err = vault.IssueDocument(tx, vault.IssueInput{TenantID: tenantID, CallID: callID, ActorID: actorID, Kind: vault.DocOeffnungsprotokoll,
		Title: "Öffnungsprotokoll: " + v.Call.Title, Chain: audit.CallChain(callID), ObjectType: "call",
		ObjectID: strconv.FormatInt(callID, 10), CanonicalData: d, Render: func(m vault.DocMeta) ([]byte, error) { return docs.Oeffnungsprotokoll(m, d) }})
	return err
}

func versionKindLabel(kind string) string { return bids.VersionRow{Kind: kind}.KindLabel() }

// OeffnungsprotokollPDF returns the issued Öffnungsprotokoll of an opened call of the
// Kreis for its leads and openers; everyone else, and a call not yet opened, ErrNotFound;
// a named evaluator of the call accounts.ErrCommitteeMember.
func OeffnungsprotokollPDF(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.CallScope) (*vault.IssuedDocument, error) {
	tenantID, callID := scope.Tenant, scope.Call
	if !actor.HasTenantRole(tenantID, core.RoleLead) && !actor.HasTenantRole(tenantID, core.RoleOpener) {
		return nil, fmt.Errorf("Öffnungsprotokoll of call %d: %w", callID, core.ErrNotFound)
	}
	if err := accounts.RefuseCommitteeMember(db.WithContext(ctx), actor, callID); err != nil {
		return nil, err
	}
	return callDocument(ctx, db, tenantID, callID, vault.DocOeffnungsprotokoll)
}

// callDocument loads the newest issued document of kind for a call of the Kreis.
func callDocument(ctx context.Context, db *gorm.DB, tenantID, callID int64, kind vault.DocKind) (*vault.IssuedDocument, error) {
	var d vault.IssuedDocument
	res := db.WithContext(ctx).Raw(`SELECT d.* FROM issued_documents d JOIN calls c ON c.id = d.call_id
		WHERE d.call_id = ? AND c.tenant_id = ? AND d.tenant_id = c.tenant_id AND d.kind = ? AND d.recipient_org_id IS NULL
		ORDER BY d.id DESC LIMIT 1`, callID, tenantID, string(kind)).Scan(&d)
	if res.Error != nil {
		return nil, fmt.Errorf("load %s of call %d: %w", kind, callID, res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, fmt.Errorf("%s of call %d: %w", kind, callID, core.ErrNotFound)
	}
	if err := vault.OpenDocument(db.WithContext(ctx), &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// CallDocStatus tells the lead's call page which procedure pages and documents exist.
type CallDocStatus struct {
	Opened       bool // the bids are opened (formal check, consolidation)
	Consolidated bool // the consolidation is closed (result)
	Protocol     bool // the Öffnungsprotokoll PDF is issued
	Matrix       bool // the Bewertungsmatrix PDF is issued
	Decided      bool // the decision is recorded (Vergabeakte export)
}

// CallDocuments returns the CallDocStatus of a call of the Kreis (one query; no rights
// check: the caller has already loaded the call for its lead).
func CallDocuments(ctx context.Context, db *gorm.DB, scope core.CallScope) (CallDocStatus, error) {
	tenantID, callID := scope.Tenant, scope.Call
	var s CallDocStatus
	err := db.WithContext(ctx).Raw(`SELECT c.opened_at IS NOT NULL AS opened,
			EXISTS (SELECT 1 FROM call_results r WHERE r.call_id = c.id) AS consolidated,
			EXISTS (SELECT 1 FROM issued_documents d WHERE d.call_id = c.id AND d.kind = 'oeffnungsprotokoll') AS protocol,
			EXISTS (SELECT 1 FROM issued_documents d WHERE d.call_id = c.id AND d.kind = 'bewertungsmatrix') AS matrix,
			EXISTS (SELECT 1 FROM decisions d WHERE d.call_id = c.id AND d.recorded_at IS NOT NULL) AS decided
		FROM calls c WHERE c.id = ? AND c.tenant_id = ?`, callID, tenantID).Scan(&s).Error
	if err != nil {
		return s, fmt.Errorf("call documents: %w", err)
	}
	return s, nil
}
