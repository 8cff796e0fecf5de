package consultation

import (
	"context"
	"fmt"
	"strconv"
	"strings"
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

// ResponseInput is the lead's response to one statement.
type ResponseInput struct {
	Outcome string // rules.OutcomeAdopted, OutcomePartly or OutcomeRejected
	Reason  string
}

// lockConsultation loads the Kreis's consultation of the call FOR UPDATE.
func lockConsultation(tx *gorm.DB, scope core.CallScope) (*Header, error) {
	var h Header
	res := tx.Raw(`SELECT c.id, c.call_id, c.tenant_id, c.starts_at, c.ends_at, c.weighed_at, c.content_sha256, k.ref, k.title, k.state
		FROM consultations c JOIN calls k ON k.id = c.call_id WHERE c.call_id = ? AND c.tenant_id = ? FOR UPDATE OF c`, scope.Call, scope.Tenant).Scan(&h)
	if res.Error != nil {
		return nil, fmt.Errorf("lock consultation of call %d: %w", scope.Call, res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, fmt.Errorf("consultation of call %d: %w", scope.Call, core.ErrNotFound)
	}
	return &h, nil
}

// Respond records the lead's reasoned response to a statement of the Kreis's consultation
// (rules.CheckResponse), also while the period runs; an answered statement may be
// answered anew until the Abwägung is issued. A statement of another consultation is
// ErrNotFound.
func Respond(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.CallScope, statementID int64, in ResponseInput) error {
	if err := calls.RequireLead(actor, scope.Tenant, "respond to statement"); err != nil {
		return err
	}
	in.Reason = strings.TrimSpace(strings.ReplaceAll(in.Reason, "\r\n", "\n"))
	v := &core.ValidationError{}
	rules.CheckResponse(v, in.Outcome, in.Reason)
	if err := v.OrNil(); err != nil {
		return err
	}
	return store.InTx(ctx, db, func(tx *gorm.DB) error {
		h, err := lockConsultation(tx, scope)
		if err != nil {
			return err
		}
		if h.WeighedAt != nil {
			return core.Conflict("Die Abwägung ist bereits abgeschlossen; die Antworten können nicht mehr geändert werden. Es wurde nichts geändert.")
		}
		res := tx.Exec(`UPDATE consultation_statements SET outcome = ?, response = ?, responded_by = ?,
			responded_at = clock_timestamp() + make_interval(secs => ?) WHERE id = ? AND consultation_id = ?`,
			in.Outcome, in.Reason, actor.UserID, core.ClockOffsetSeconds(ctx), statementID, h.ID)
		if res.Error != nil {
			return fmt.Errorf("store response: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("statement %d: %w", statementID, core.ErrNotFound)
		}
		_, err = audit.Audit(tx, audit.Event{Chain: audit.CallChain(h.CallID), ActorID: actor.UserID, TenantID: scope.Tenant,
			Action: "consultation.statement_answered", ObjectType: "consultation_statement", ObjectID: strconv.FormatInt(statementID, 10),
			Details: map[string]any{"outcome": in.Outcome, "content_sha256": vault.SHA256Hex([]byte(in.Reason))}})
		return err
	})
}

// AbwaegungData is everything the Abwägung shows; its canonical JSON is the Prüfwert.
type AbwaegungData struct {
	Kreis      string      `json:"kreis"`
	Authority  string      `json:"authority"`
	Letterhead string      `json:"letterhead"`
	Ref        string      `json:"ref"`
	Title      string      `json:"title"`
	StartsAt   time.Time   `json:"starts_at"`
	EndsAt     time.Time   `json:"ends_at"`
	DraftSHA   string      `json:"draft_sha256"` // the consultation version
	Invited    []string    `json:"invited"`
	Statements []Statement `json:"statements"`
}

// Weigh issues the Abwägung (table of statements and responses) of the Kreis's
// consultation as a PDF after the period ended and every statement has its response,
// marks the consultation weighed and tells the invitees. A second call is a conflict.
func Weigh(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.CallScope, docs Documents, baseURL string, now time.Time) error {
	if err := calls.RequireLead(actor, scope.Tenant, "weigh consultation"); err != nil {
		return err
	}
	return store.InTx(ctx, db, func(tx *gorm.DB) error {
		h, err := lockConsultation(tx, scope)
		if err != nil {
			return err
		}
		view, err := load(tx, `c.id = ?`, h.ID)
		if err != nil {
			return err
		}
		st := view.Statements
		v := &core.ValidationError{}
		rules.CheckConsultationDone(v, rules.ConsultationState{Exists: true, Ends: h.EndsAt, Unanswered: view.Unanswered, Weighed: true}, now)
		switch {
		case h.WeighedAt != nil:
			return core.Conflict("Die Abwägung wurde bereits abgeschlossen. Es wurde nichts geändert.")
		case len(v.Fields) > 0:
			return core.Conflict(v.Fields[0].Message)
		}
		var t accounts.Tenant
		if err := tx.Where("id = ?", scope.Tenant).First(&t).Error; err != nil {
			return store.NotFound(err, "tenant")
		}
		invited := make([]string, 0, len(view.Invited))
		for _, i := range view.Invited {
			invited = append(invited, i.Name)
		}
		data := &AbwaegungData{Kreis: t.Name, Authority: t.Authority, Letterhead: t.Letterhead, Ref: h.Ref, Title: h.Title,
			StartsAt: h.StartsAt.UTC(), EndsAt: h.EndsAt.UTC(), DraftSHA: h.ContentSHA256, Invited: invited, Statements: st}
		doc, err := vault.IssueDocument(tx, vault.IssueInput{TenantID: scope.Tenant, CallID: h.CallID, ActorID: actor.UserID, Kind: DocAbwaegung,
			Title: "Abwägung der Stellungnahmen: " + h.Title, Chain: audit.CallChain(h.CallID), ObjectType: "consultation",
			ObjectID: strconv.FormatInt(h.ID, 10), CanonicalData: data,
			Render: func(m vault.DocMeta) ([]byte, error) { return docs.Abwaegung(m, data) }})
		if err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE consultations SET weighed_at = ? WHERE id = ?`, doc.CreatedAt, h.ID).Error; err != nil {
			return fmt.Errorf("mark weighed: %w", err)
		}
		if _, err := audit.Audit(tx, audit.Event{Chain: audit.CallChain(h.CallID), ActorID: actor.UserID, TenantID: scope.Tenant,
			Action: "consultation.weighed", ObjectType: "consultation", ObjectID: strconv.FormatInt(h.ID, 10),
			Details: map[string]any{"statements": len(st), "document": doc.ID}}); err != nil {
			return err
		}
		var orgs []int64
		if err := tx.Raw(`SELECT org_id FROM consultation_invitees WHERE consultation_id = ?`, h.ID).Scan(&orgs).Error; err != nil {
			return fmt.Errorf("load invitees: %w", err)
		}
		_, err = postbox.NotifyOrgIDs(tx, h.CallID, orgs, postbox.Notice{Kind: InboxAbwagung, Subject: "Abwägung veröffentlicht: " + calls.ShortTitle(h.Title),
			Body: fmt.Sprintf("Der Kreis hat alle Stellungnahmen zum Entwurf der Ausschreibung „%s“ (%s) beantwortet und die Abwägung veröffentlicht.\n\n"+
				"Abwägung und Antworten: %s/beteiligungen/%d\n", h.Title, h.Ref, baseURL, h.ID)})
		return err
	})
}
