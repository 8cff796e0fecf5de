package calls

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"kimibv/models/accounts"
	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/models/rules"
	"kimibv/models/store"
	"kimibv/models/vault"
)

// Documents renders the documents of this stage as PDF: the Bekanntmachung of every
// published version. app/pdfdoc implements it; decision.ProcedureDocuments bundles the
// documents of every stage into the one interface the application holds.
type Documents interface {
	Bekanntmachung(meta vault.DocMeta, d *BekanntmachungData) ([]byte, error)
}

// BekanntmachungData is everything a Bekanntmachung shows; its canonical JSON is the
// document's Prüfwert.
type BekanntmachungData struct {
	Kreis       string            `json:"kreis"`
	Authority   string            `json:"authority"` // the issuing authority (the call's, else the Kreis's)
	Letterhead  string            `json:"letterhead"`
	Ref         string            `json:"ref"`
	Version     int               `json:"version"`
	Reason      string            `json:"reason"` // reason of the amendment (version > 1)
	Material    bool              `json:"material"`
	PublishedAt time.Time         `json:"published_at"`
	Content     rules.CallContent `json:"content"`
}

// AmendmentNo is the number of the amendment that made this version ("Änderung Nr. N"), 0 for the first version.
func (d *BekanntmachungData) AmendmentNo() int { return d.Version - 1 }

// CallVersionObjectID is the object id of a call version in issued_documents and the audit log.
func CallVersionObjectID(callID int64, version int) string {
	return strconv.FormatInt(callID, 10) + ":" + strconv.Itoa(version)
}

// issueBekanntmachung issues, inside the transaction of Publish or Amend, the
// Bekanntmachung of the version just published (kind bekanntmachung, object
// call_version): a failing renderer rolls the publication back.
func issueBekanntmachung(tx *gorm.DB, docs Documents, call *rules.Call, v *rules.CallVersion, c *rules.CallContent) error {
	var t accounts.Tenant
	if err := tx.Where("id = ?", call.TenantID).First(&t).Error; err != nil {
		return store.NotFound(err, fmt.Sprintf("tenant %d", call.TenantID))
	}
	data := &BekanntmachungData{Kreis: t.Name, Authority: c.Authority, Letterhead: t.Letterhead, Ref: call.Ref,
		Version: v.Version, Reason: v.Reason, Material: v.Material, PublishedAt: v.PublishedAt.UTC(), Content: *c}
	if data.Authority == "" {
		data.Authority = t.Authority
	}
	title := "Bekanntmachung: " + c.Title
	if v.Version > 1 {
		title = fmt.Sprintf("Bekanntmachung, Fassung %d (Änderung Nr. %d): %s", v.Version, data.AmendmentNo(), c.Title)
	}
	_, err := vault.IssueDocument(tx, vault.IssueInput{TenantID: call.TenantID, CallID: call.ID, ActorID: v.PublishedBy,
		Kind: vault.DocBekanntmachung, Title: title, Chain: audit.CallChain(call.ID), ObjectType: "call_version",
		ObjectID: CallVersionObjectID(call.ID, v.Version), CanonicalData: data,
		Render: func(m vault.DocMeta) ([]byte, error) { return docs.Bekanntmachung(m, data) }})
	return err
}

// BekanntmachungPDF returns the issued Bekanntmachung of a published (not draft) call by
// id or reference: of version (0: the current version). Missing: ErrNotFound.
func BekanntmachungPDF(ctx context.Context, db *gorm.DB, idOrRef string, version int) (*vault.IssuedDocument, error) {
	id, _ := strconv.ParseInt(idOrRef, 10, 64)
	var d vault.IssuedDocument
	res := db.WithContext(ctx).Raw(`SELECT d.* FROM calls c JOIN issued_documents d ON d.call_id = c.id AND d.kind = 'bekanntmachung'
			AND d.object_type = 'call_version'
			AND d.object_id = c.id::text || ':' || (CASE WHEN ? > 0 THEN ? ELSE c.current_version END)::text
		WHERE (c.id = ? OR c.ref = ?) AND c.state <> 'draft'
		ORDER BY d.id DESC LIMIT 1`, version, version, id, idOrRef).Scan(&d)
	if res.Error != nil {
		return nil, fmt.Errorf("load Bekanntmachung of %q: %w", idOrRef, res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, fmt.Errorf("Bekanntmachung of %q version %d: %w", idOrRef, version, core.ErrNotFound)
	}
	if err := vault.OpenDocument(db.WithContext(ctx), &d); err != nil {
		return nil, err
	}
	return &d, nil
}
