package consultation

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"kimibv/models/accounts"
	"kimibv/models/audit"
	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/postbox"
	"kimibv/models/rules"
	"kimibv/models/store"
	"kimibv/models/vault"
)

// Document kinds of the Beteiligung (issued_documents.kind).
const (
	DocEntwurf   = vault.DocBeteiligungsentwurf
	DocAbwaegung = vault.DocAbwaegung
)

// Inbox kinds of the Beteiligung (Postfach messages).
const (
	InboxOpened   = postbox.InboxConsultationOpened
	InboxClosing  = postbox.InboxConsultationClosing
	InboxAbwagung = postbox.InboxConsultationWeighed
)

// Documents renders the documents of the Beteiligung; app/pdfdoc implements it.
type Documents interface {
	calls.Documents // the consultation draft is laid out as the Bekanntmachung, version 0
	Abwaegung(meta vault.DocMeta, d *AbwaegungData) ([]byte, error)
}

// OpenInput is the lead's input for opening a consultation: the period as typed (German
// "15.06.2026 12:00" or the datetime-local form, Europe/Berlin) and the invitees.
type OpenInput struct {
	StartsAt, EndsAt string
	Orgs             []int64 // the invited organisations
}

// parseTime parses a date-and-time field of the form into v's errors.
func parseTime(v *core.ValidationError, field, s string) time.Time {
	if s == "" {
		return time.Time{} // CheckConsultationPeriod names the missing field
	}
	t, _, msg := rules.ParseDateTimeInput(s)
	if msg != "" {
		v.Add(field, "invalid", msg)
	}
	return t
}

// checkOpen validates the period and the invitees of in against the draft's content:
// the parsed period and the invitees, or a *ValidationError.
func checkOpen(tx *gorm.DB, tenantID int64, in OpenInput, content *rules.CallContent, now time.Time) (time.Time, time.Time, []int64, error) {
	v := &core.ValidationError{}
	start, end := parseTime(v, "starts_at", in.StartsAt), parseTime(v, "ends_at", in.EndsAt)
	if len(v.Fields) == 0 {
		rules.CheckConsultationPeriod(v, start, end, now, content.Timeline.Deadline)
	}
	orgs, err := validInvitees(tx, tenantID, in.Orgs, v)
	if err != nil {
		return start, end, nil, err
	}
	return start, end, orgs, v.OrNil()
}

// CheckOpen reports whether Open would accept in (nil) or its *ValidationError, without
// changing anything: the confirmation page asks only for an opening that can succeed.
// The draft call must be the Kreis's (else ErrNotFound).
func CheckOpen(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.CallScope, in OpenInput, now time.Time) error {
	if err := calls.RequireLead(actor, scope.Tenant, "check consultation"); err != nil {
		return err
	}
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		_, content, err := calls.LockDraftTx(tx, scope.Tenant, scope.Call)
		if err != nil {
			return err
		}
		_, _, _, err = checkOpen(tx, scope.Tenant, in, &content, now)
		return err
	})
}

// Open freezes the Kreis's draft call as the consultation version, issues its PDF,
// records the period and the invitees and tells them by Postfach and e-mail (one
// transaction, audited as consultation.opened). A call that is no longer a draft or
// already had a consultation is a conflict; an invitee that is not a candidate
// (Candidates) is a validation error on "orgs".
func Open(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.CallScope, in OpenInput, docs Documents, baseURL string, now time.Time) (int64, error) {
	if err := calls.RequireLead(actor, scope.Tenant, "open consultation"); err != nil {
		return 0, err
	}
	var id int64
	err := store.InTx(ctx, db, func(tx *gorm.DB) error {
		call, content, err := calls.LockDraftTx(tx, scope.Tenant, scope.Call)
		if err != nil {
			return err
		}
		start, end, orgs, err := checkOpen(tx, scope.Tenant, in, &content, now)
		if err != nil {
			return err
		}
		var exists bool
		if err := tx.Raw(`SELECT EXISTS (SELECT 1 FROM consultations WHERE call_id = ?)`, call.ID).Scan(&exists).Error; err != nil {
			return fmt.Errorf("check consultation: %w", err)
		}
		if exists {
			return core.Conflict("Zu diesem Entwurf gab es bereits eine Beteiligung. Es wurde nichts geändert.")
		}
		raw, err := content.Canonical()
		if err != nil {
			return err
		}
		sum, _ := content.SHA256()
		if err := tx.Raw(`INSERT INTO consultations (call_id, tenant_id, content, content_sha256, starts_at, ends_at, opened_by, opened_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, clock_timestamp() + make_interval(secs => ?)) RETURNING id`, call.ID, scope.Tenant, raw, sum,
			start.UTC(), end.UTC(), actor.UserID, core.ClockOffsetSeconds(ctx)).Scan(&id).Error; err != nil {
			return fmt.Errorf("insert consultation: %w", err)
		}
		for _, o := range orgs {
			if err := tx.Exec(`INSERT INTO consultation_invitees (consultation_id, org_id) VALUES (?, ?)`, id, o).Error; err != nil {
				return fmt.Errorf("invite organisation %d: %w", o, err)
			}
		}
		if _, err := audit.Audit(tx, audit.Event{Chain: audit.CallChain(call.ID), ActorID: actor.UserID, TenantID: scope.Tenant,
			Action: "consultation.opened", ObjectType: "consultation", ObjectID: strconv.FormatInt(id, 10), Details: map[string]any{
				"content_sha256": sum, "starts_at": start.UTC().Format(time.RFC3339), "ends_at": end.UTC().Format(time.RFC3339),
				"orgs": orgs}}); err != nil {
			return err
		}
		if err := issueDraft(tx, docs, call, id, &content, actor.UserID, now); err != nil {
			return err
		}
		link := fmt.Sprintf("%s/beteiligungen/%d", baseURL, id)
		_, err = postbox.NotifyOrgIDs(tx, call.ID, orgs, postbox.Notice{Kind: InboxOpened, Subject: "Einladung zur Beteiligung: " + calls.ShortTitle(content.Title),
			Body: fmt.Sprintf("Der %s lädt Ihre Organisation ein, zum Entwurf der Ausschreibung „%s“ Stellung zu nehmen.\n\n"+
				"Beteiligungszeitraum: %s bis %s\n\nDen Entwurf und das Formular für Ihre Stellungnahme finden Sie hier:\n%s\n\n"+
				"Stellungnahmen werden mit dem Namen Ihrer Organisation veröffentlicht. Der Kreis beantwortet jede Stellungnahme mit Begründung.\n",
				content.Authority, content.Title, rules.FormatDateTimeZone(start), rules.FormatDateTimeZone(end), link)})
		return err
	})
	return id, err
}

// issueDraft issues the PDF of the consultation version: the Bekanntmachung's layout as
// version 0 ("Entwurf zur Beteiligung"), object consultation:<id>.
func issueDraft(tx *gorm.DB, docs Documents, call *rules.Call, id int64, c *rules.CallContent, actorID int64, now time.Time) error {
	var t accounts.Tenant
	if err := tx.Where("id = ?", call.TenantID).First(&t).Error; err != nil {
		return store.NotFound(err, fmt.Sprintf("tenant %d", call.TenantID))
	}
	data := &calls.BekanntmachungData{Kreis: t.Name, Authority: c.Authority, Letterhead: t.Letterhead, Ref: call.Ref,
		PublishedAt: now.UTC().Truncate(time.Second), Content: *c}
	if data.Authority == "" {
		data.Authority = t.Authority
	}
	_, err := vault.IssueDocument(tx, vault.IssueInput{TenantID: call.TenantID, CallID: call.ID, ActorID: actorID, Kind: DocEntwurf,
		Title: "Entwurf zur Beteiligung: " + c.Title, Chain: audit.CallChain(call.ID), ObjectType: "consultation",
		ObjectID: strconv.FormatInt(id, 10), CanonicalData: data,
		Render: func(m vault.DocMeta) ([]byte, error) { return docs.Bekanntmachung(m, data) }})
	return err
}

// Candidate is an organisation the lead may invite.
type Candidate struct {
	ID          int64
	Name        string
	Association string // the welfare association, "" for none
	Follows     bool   // follows a procedure of the Kreis
}

// candidatesSQL selects the organisations a Kreis may invite: those that belong to a
// welfare association and those that follow one of the Kreis's procedures; locked ones
// are left out.
const candidatesSQL = `SELECT o.id, o.name, o.association,
		EXISTS (SELECT 1 FROM follows f JOIN calls c ON c.id = f.call_id WHERE f.org_id = o.id AND c.tenant_id = @tenant) AS follows
	FROM organizations o WHERE o.locked_at IS NULL AND (o.association <> '' OR EXISTS (
		SELECT 1 FROM follows f JOIN calls c ON c.id = f.call_id WHERE f.org_id = o.id AND c.tenant_id = @tenant))`

// Candidates lists the organisations the lead of the Kreis may invite, by name.
func Candidates(ctx context.Context, db *gorm.DB, tenantID int64) ([]Candidate, error) {
	var out []Candidate
	if err := db.WithContext(ctx).Raw(candidatesSQL+` ORDER BY o.name COLLATE german, o.id`, map[string]any{"tenant": tenantID}).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("load candidates: %w", err)
	}
	return out, nil
}

// validInvitees returns the distinct ids of orgs after checking that each is a candidate.
func validInvitees(tx *gorm.DB, tenantID int64, orgs []int64, v *core.ValidationError) ([]int64, error) {
	if len(orgs) == 0 {
		v.Add("orgs", "required", "Bitte laden Sie mindestens eine Organisation zur Beteiligung ein.")
		return nil, nil
	}
	var ok []int64
	if err := tx.Raw(`SELECT id FROM (`+candidatesSQL+`) c WHERE id IN @orgs ORDER BY id`, map[string]any{"tenant": tenantID, "orgs": orgs}).
		Scan(&ok).Error; err != nil {
		return nil, fmt.Errorf("check invitees: %w", err)
	}
	if len(ok) != len(uniq(orgs)) {
		v.Add("orgs", "invalid", "Bitte wählen Sie nur Organisationen aus der Liste aus.")
	}
	return ok, nil
}

func uniq(ids []int64) map[int64]bool {
	m := map[int64]bool{}
	for _, id := range ids {
		m[id] = true
	}
	return m
}
