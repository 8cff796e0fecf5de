package consultation

import (
	"context"
	"errors"
	"fmt"
	"io"
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

// OrgScope names an organisation acting in a consultation: the organisation chosen in the
// form (the actor must be a member) and the consultation's id.
type OrgScope struct {
	Org          int64
	Consultation int64
}

// StatementInput is an organisation's statement on one section of the draft, with an
// optional PDF attachment (Attachment nil: a revision keeps the stored one unless
// RemoveAttachment is set).
type StatementInput struct {
	Section          string
	Body             string
	Attachment       *AttachmentInput
	RemoveAttachment bool
}

// AttachmentInput is an uploaded PDF: the client's file name, the content as a stream
// (read once, checked like every upload by vault.StoreFile: PDF by content, size limit,
// sanitised name), the largest accepted size and the vault that encrypts it.
type AttachmentInput struct {
	Vault    *vault.Vault
	Name     string
	File     io.Reader
	MaxBytes int64
}

// Submit stores the statement of organisation scope.Org on a section, or replaces the
// one it made on that section before (a revision). Receipt and revision times are the
// database clock. Refused with a German message and nothing stored: a non-invited
// organisation, before the start or after the end (rules.StatementRefusal). An actor
// outside the organisation and an unknown consultation are ErrNotFound.
func Submit(ctx context.Context, db *gorm.DB, actor *core.Actor, scope OrgScope, in StatementInput) (int64, error) {
	if !actor.InOrg(scope.Org) {
		return 0, fmt.Errorf("state as org %d: %w", scope.Org, core.ErrNotFound)
	}
	in.Body = strings.TrimSpace(strings.ReplaceAll(in.Body, "\r\n", "\n"))
	var id int64
	err := store.InTx(ctx, db, func(tx *gorm.DB) error {
		var c struct {
			ID, CallID, TenantID int64
			Content              []byte
			StartsAt, EndsAt     time.Time
			Invited              bool
			Now                  time.Time
		}
		res := tx.Raw(`SELECT c.id, c.call_id, c.tenant_id, c.content, c.starts_at, c.ends_at,
				EXISTS (SELECT 1 FROM consultation_invitees i WHERE i.consultation_id = c.id AND i.org_id = ?) AS invited,
				clock_timestamp() + make_interval(secs => ?) AS now
			FROM consultations c WHERE c.id = ? FOR SHARE`, scope.Org, core.ClockOffsetSeconds(ctx), scope.Consultation).Scan(&c)
		if res.Error != nil {
			return fmt.Errorf("load consultation %d: %w", scope.Consultation, res.Error)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("consultation %d: %w", scope.Consultation, core.ErrNotFound)
		}
		if msg := rules.StatementRefusal(c.Invited, c.StartsAt, c.EndsAt, c.Now); msg != "" {
			v := &core.ValidationError{}
			v.Add("body", "refused", msg)
			if !c.Invited {
				return errors.Join(core.Forbidden(msg), v)
			}
			return errors.Join(&core.DeadlineError{Message: msg}, v)
		}
		content, err := rules.DecodeCallContent(c.Content)
		if err != nil {
			return err
		}
		v := &core.ValidationError{}
		rules.CheckStatement(v, &content, in.Section, in.Body)
		if err := v.OrNil(); err != nil {
			return err
		}
		var old struct{ FileID *int64 }
		if err := tx.Raw(`SELECT file_id FROM consultation_statements WHERE consultation_id = ? AND org_id = ? AND section = ? FOR UPDATE`,
			c.ID, scope.Org, in.Section).Scan(&old).Error; err != nil {
			return fmt.Errorf("load statement: %w", err)
		}
		details := map[string]any{"org_id": scope.Org, "section": in.Section, "chars": len([]rune(in.Body)),
			"content_sha256": vault.SHA256Hex([]byte(in.Body))}
		fileID := old.FileID
		if in.Attachment != nil {
			f, err := vault.StoreFile(ctx, tx, in.Attachment.Vault, vault.FileInput{OrgID: scope.Org, Kind: "consultation", Name: in.Attachment.Name,
				Reader: in.Attachment.File, MaxBytes: in.Attachment.MaxBytes, CreatedBy: actor.UserID, Field: "anhang"})
			if err != nil {
				return err
			}
			fileID = &f.ID
			details["attachment"], details["file_sha256"] = f.Name, f.SHA256
		} else if in.RemoveAttachment && old.FileID != nil {
			fileID = nil
			details["attachment_removed"] = true
		}
		var row struct {
			ID        int64
			Revisions int
		}
		if err := tx.Raw(`INSERT INTO consultation_statements (consultation_id, org_id, section, body, file_id, submitted_by, received_at)
			VALUES (@c, @org, @section, @body, @file, @user, @now)
			ON CONFLICT (consultation_id, org_id, section) DO UPDATE SET body = EXCLUDED.body, file_id = EXCLUDED.file_id,
				submitted_by = EXCLUDED.submitted_by, revised_at = EXCLUDED.received_at, revisions = consultation_statements.revisions + 1,
				outcome = NULL, response = NULL, responded_by = NULL, responded_at = NULL
			RETURNING id, revisions`, map[string]any{"c": c.ID, "org": scope.Org, "section": in.Section, "body": in.Body, "file": fileID,
			"user": actor.UserID, "now": c.Now}).Scan(&row).Error; err != nil {
			return fmt.Errorf("store statement: %w", err)
		}
		if old.FileID != nil && (fileID == nil || *fileID != *old.FileID) {
			if err := vault.DeleteFile(tx, *old.FileID); err != nil { // replaced or removed: the statement no longer shows it
				return err
			}
		}
		id = row.ID
		action := "consultation.statement_submitted"
		if row.Revisions > 0 {
			action = "consultation.statement_revised"
		}
		_, err = audit.Audit(tx, audit.Event{Chain: audit.CallChain(c.CallID), ActorID: actor.UserID, TenantID: c.TenantID, Action: action,
			ObjectType: "consultation_statement", ObjectID: strconv.FormatInt(id, 10), Details: details})
		return err
	})
	return id, err
}
