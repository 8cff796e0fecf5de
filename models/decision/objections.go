package decision

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/models/postbox"
	"kimibv/models/rules"
	"kimibv/models/store"
)

// Objection outcomes.
const (
	ObjectionRejected = "rejected" // zurückgewiesen: the award proceeds
	ObjectionUpheld   = "upheld"   // abgeholfen: the award waits for the lead (new decision or cancellation)
)

// Objection is a Rüge lodged by an organisation during the standstill.
type Objection struct {
	ID         int64
	CallID     int64
	NoticeID   int64
	OrgID      int64
	OrgName    string
	Reason     string
	LodgedAt   time.Time
	Answer     string
	Outcome    *string
	AnsweredAt *time.Time
}

// Answered reports whether the lead has answered.
func (o Objection) Answered() bool { return o.AnsweredAt != nil }

// OutcomeLabel names the outcome in German.
func (o Objection) OutcomeLabel() string {
	switch {
	case o.Outcome == nil:
		return "offen"
	case *o.Outcome == ObjectionUpheld:
		return "abgeholfen"
	default:
		return "zurückgewiesen"
	}
}

// loadObjections reads objections matching where (on alias o) with the organisation.
func loadObjections(tx *gorm.DB, where string, args ...any) ([]Objection, error) {
	var out []Objection
	if err := tx.Raw(`SELECT o.id, o.call_id, o.notice_id, o.org_id, g.name AS org_name, o.reason, o.lodged_at, o.answer, o.outcome, o.answered_at
		FROM objections_all o JOIN organizations g ON g.id = o.org_id WHERE `+where+` ORDER BY o.id`, args...).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("load objections: %w", err)
	}
	return out, nil
}

// OrgNotice is an organisation's own notice with its objections.
type OrgNotice struct {
	ID               int64
	CallID           int64
	CallRef          string
	CallTitle        string
	State            rules.CallState
	IssuedAt         time.Time
	StandstillEndsAt time.Time
	Content          NoticeContent `gorm:"-"`
	Objections       []Objection   `gorm:"-"`
	CanObject        bool          `gorm:"-"`
	AwardDue         bool          `gorm:"-"` // standstill over, no open objection: final with the next job run
	Superseded       bool          // a remedy superseded the decision of this notice (rules.md R34)
}

// StateLabel names the procedure's state.
func (n *OrgNotice) StateLabel() string { return rules.DecisionStateLabel(n.State) }

// OrgNotices lists the notices of organisation orgID (the actor must be a member).
func OrgNotices(ctx context.Context, db *gorm.DB, actor *core.Actor, orgID int64) ([]OrgNotice, error) {
	if !actor.InOrg(orgID) {
		return nil, fmt.Errorf("notices of org %d: %w", orgID, core.ErrNotFound)
	}
	var out []OrgNotice
	if err := db.WithContext(ctx).Raw(`SELECT n.id, n.call_id, c.ref AS call_ref, c.title AS call_title, c.state, n.issued_at, d.standstill_ends_at,
		n.superseded_by <> 0 AS superseded
		FROM notices_all n JOIN calls c ON c.id = n.call_id JOIN decisions_all d ON d.call_id = n.call_id AND d.superseded_by = n.superseded_by
		WHERE n.org_id = ? ORDER BY n.issued_at DESC, n.id DESC`, orgID).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("load notices: %w", err)
	}
	return out, nil
}

// LoadOrgNotice reads notice id of organisation orgID with the organisation's own
// objections; another organisation's notice is ErrNotFound. It never writes (see AwardDue).
func LoadOrgNotice(ctx context.Context, db *gorm.DB, actor *core.Actor, orgID, id int64, now time.Time) (*OrgNotice, error) {
	if !actor.InOrg(orgID) {
		return nil, fmt.Errorf("notice of org %d: %w", orgID, core.ErrNotFound)
	}
	var callID int64
	if err := db.WithContext(ctx).Raw(`SELECT call_id FROM notices_all WHERE id = ? AND org_id = ?`, id, orgID).Scan(&callID).Error; err != nil {
		return nil, fmt.Errorf("find notice %d: %w", id, err)
	}
	if callID == 0 {
		return nil, fmt.Errorf("notice %d: %w", id, core.ErrNotFound)
	}
	tx := db.WithContext(ctx)
	var rows []struct {
		OrgNotice
		Raw string
	}
	if err := tx.Raw(`SELECT n.id, n.call_id, c.ref AS call_ref, c.title AS call_title, c.state, n.issued_at, d.standstill_ends_at, n.content::text AS raw,
		n.superseded_by <> 0 AS superseded
		FROM notices_all n JOIN calls c ON c.id = n.call_id JOIN decisions_all d ON d.call_id = n.call_id AND d.superseded_by = n.superseded_by
		WHERE n.id = ? AND n.org_id = ?`, id, orgID).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("load notice %d: %w", id, err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("notice %d: %w", id, core.ErrNotFound)
	}
	n := rows[0].OrgNotice
	if err := json.Unmarshal([]byte(rows[0].Raw), &n.Content); err != nil {
		return nil, fmt.Errorf("decode notice %d: %w", id, err)
	}
	objs, err := loadObjections(tx, `o.notice_id = ? AND o.org_id = ?`, id, orgID)
	if err != nil {
		return nil, err
	}
	n.Objections = objs
	n.CanObject = !n.Superseded && n.State == rules.CallNotified && !now.After(n.StandstillEndsAt)
	if n.AwardDue, err = AwardDue(tx, n.CallID, now); err != nil {
		return nil, err
	}
	return &n, nil
}

// LodgeObjection lodges organisation orgID's objection (Rüge) against the decision of
// its notice noticeID during the standstill period. The Kreis's leads get an e-mail.
// Audited as objection.lodged.
func LodgeObjection(ctx context.Context, db *gorm.DB, actor *core.Actor, orgID, noticeID int64, reason string, now time.Time) (int64, error) {
	if !actor.InOrg(orgID) {
		return 0, fmt.Errorf("objection as org %d: %w", orgID, core.ErrNotFound)
	}
	var id int64
	err := store.InTx(ctx, db, func(tx *gorm.DB) error {
		var row struct {
			CallID, TenantID int64
			Ref, Title       string
			State            rules.CallState
			StandstillEndsAt *time.Time
		}
		res := tx.Raw(`SELECT n.call_id, c.tenant_id, c.ref, c.title, c.state, d.standstill_ends_at
			FROM notices n JOIN calls c ON c.id = n.call_id JOIN decisions d ON d.call_id = n.call_id
			WHERE n.id = ? AND n.org_id = ? FOR SHARE OF c`, noticeID, orgID).Scan(&row)
		if res.Error != nil {
			return fmt.Errorf("load notice %d: %w", noticeID, res.Error)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("notice %d: %w", noticeID, core.ErrNotFound)
		}
		if row.State != rules.CallNotified || row.StandstillEndsAt == nil || now.After(*row.StandstillEndsAt) {
			return fmt.Errorf("%w: die Stillhaltefrist ist abgelaufen; eine Rüge ist im Portal nicht mehr möglich", core.ErrDeadlinePassed)
		}
		v := &core.ValidationError{}
		core.CheckText(v, "reason", "die Begründung Ihrer Rüge", reason, true, 20000)
		if err := v.OrNil(); err != nil {
			return err
		}
		if err := tx.Raw(`INSERT INTO objections (call_id, notice_id, org_id, reason, lodged_by, lodged_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			row.CallID, noticeID, orgID, strings.TrimSpace(reason), actor.UserID, now).Scan(&id).Error; err != nil {
			return fmt.Errorf("store objection: %w", err)
		}
		if err := postbox.QueueMailsTo(tx, &row.TenantID, "objection", "Rüge im Verfahren "+row.Ref,
			fmt.Sprintf("Im Verfahren „%s“ (%s) wurde eine Rüge erhoben. Bitte beantworten Sie sie im Portal; bis dahin wird die Vergabe nicht endgültig.\n", row.Title, row.Ref),
			`SELECT u.email FROM users u JOIN tenant_memberships m ON m.user_id = u.id WHERE m.tenant_id = ? AND m.role = 'lead' ORDER BY u.email`,
			row.TenantID); err != nil {
			return fmt.Errorf("notify leads: %w", err)
		}
		_, err := audit.Audit(tx, audit.Event{Chain: audit.CallChain(row.CallID), ActorID: actor.UserID, TenantID: row.TenantID, Action: "objection.lodged",
			ObjectType: "call", ObjectID: strconv.FormatInt(row.CallID, 10), Details: map[string]any{"objection": id, "org_id": orgID}})
		return err
	})
	return id, err
}

// ObjectionAnswer is the lead's answer to an objection.
type ObjectionAnswer struct {
	CallID      int64
	ObjectionID int64
	Answer      string
	Outcome     string
}

// AnswerObjection records the lead's answer and outcome; the organisation gets it in its
// Postfach and by e-mail. Audited as objection.answered.
func AnswerObjection(ctx context.Context, db *gorm.DB, actor *core.Actor, in ObjectionAnswer, now time.Time) error {
	return store.InTx(ctx, db, func(tx *gorm.DB) error { return AnswerObjectionTx(tx, actor, in, now) })
}

// AnswerObjectionTx is AnswerObjection inside the caller's transaction tx: it checks, locks, writes and
// audits as AnswerObjection does, but neither opens nor commits a transaction, so use cases compose.
func AnswerObjectionTx(tx *gorm.DB, actor *core.Actor, in ObjectionAnswer, now time.Time) error {
	c, _, err := loadDecisionCall(tx, actor, in.CallID, true)
	if err != nil {
		return err
	}
	var o []Objection
	if err := tx.Raw(`SELECT id, org_id, answered_at FROM objections WHERE id = ? AND call_id = ? FOR UPDATE`, in.ObjectionID, c.ID).Scan(&o).Error; err != nil {
		return fmt.Errorf("lock objection: %w", err)
	}
	if len(o) == 0 {
		return fmt.Errorf("objection %d: %w", in.ObjectionID, core.ErrNotFound)
	}
	if o[0].Answered() {
		return fmt.Errorf("%w: die Rüge ist bereits beantwortet", core.ErrConflict)
	}
	v := &core.ValidationError{}
	core.CheckText(v, "answer", "die Antwort", in.Answer, true, 20000)
	if in.Outcome != ObjectionRejected && in.Outcome != ObjectionUpheld {
		v.Add("outcome", "required", "Bitte wählen Sie das Ergebnis: zurückgewiesen oder abgeholfen.")
	}
	if err := v.OrNil(); err != nil {
		return err
	}
	if err := tx.Exec(`UPDATE objections SET answer = ?, outcome = ?, answered_by = ?, answered_at = ? WHERE id = ?`,
		strings.TrimSpace(in.Answer), in.Outcome, actor.UserID, now, in.ObjectionID).Error; err != nil {
		return fmt.Errorf("answer objection: %w", err)
	}
	oc := Objection{Outcome: &in.Outcome}
	subject := "Antwort auf Ihre Rüge im Verfahren " + c.Ref
	body := fmt.Sprintf("Ihre Rüge im Verfahren „%s“ (%s) wurde %s.\n\nAntwort der Verfahrensleitung:\n%s\n", c.Title, c.Ref, oc.OutcomeLabel(), strings.TrimSpace(in.Answer))
	if _, err := postbox.NotifyOrgIDs(tx, c.ID, []int64{o[0].OrgID}, postbox.Notice{Kind: postbox.InboxObjectionReply, Subject: subject, Body: body}); err != nil {
		return err
	}
	_, err = audit.Audit(tx, audit.Event{Chain: audit.CallChain(c.ID), ActorID: actor.UserID, TenantID: c.TenantID, Action: "objection.answered",
		ObjectType: "call", ObjectID: strconv.FormatInt(c.ID, 10),
		Details: map[string]any{"objection": in.ObjectionID, "org_id": o[0].OrgID, "outcome": in.Outcome}})
	return err
}
