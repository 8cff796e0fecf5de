package council

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/models/store"
	"kimibv/models/vault"
)

// AnswerContent is exactly what every member receives with an answer (rules.md R33): the
// question, the asking faction (never the person) and the answer; its canonical JSON is
// the distribution's content hash.
type AnswerContent struct {
	Ref        string    `json:"ref"`
	Question   string    `json:"question"`
	Faction    string    `json:"faction"`
	AskedAt    time.Time `json:"asked_at"`
	Answer     string    `json:"answer"`
	AnsweredAt time.Time `json:"answered_at"`
}

// AskQuestion records a council member's question (Anfrage) about a procedure with the
// member's faction at the time; audited as council.question_asked on the procedure's
// chain. The lead sees it among the open questions; the council sees it with its answer.
func AskQuestion(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.CallScope, question string, now time.Time) (int64, error) {
	if err := requireCouncil(actor, scope.Tenant); err != nil {
		return 0, err
	}
	question = strings.TrimSpace(question)
	ve := &core.ValidationError{}
	core.CheckText(ve, "question", "Ihre Frage", question, true, 4000)
	if err := ve.OrNil(); err != nil {
		return 0, err
	}
	var id int64
	err := store.InTx(ctx, db, func(tx *gorm.DB) error {
		c, err := loadCall(tx, scope.Tenant, scope.Call)
		if err != nil {
			return err
		}
		if err := tx.Raw(`INSERT INTO council_questions (tenant_id, call_id, asked_by, faction_name, question, asked_at)
			SELECT ?, ?, ?, coalesce((SELECT f.name FROM council_member_factions mf JOIN council_factions f ON f.id = mf.faction_id
				WHERE mf.tenant_id = ? AND mf.user_id = ?), ''), ?, ? RETURNING id`,
			c.TenantID, c.ID, actor.UserID, c.TenantID, actor.UserID, question, now).Scan(&id).Error; err != nil {
			return fmt.Errorf("store council question: %w", err)
		}
		_, err = audit.Audit(tx, audit.Event{Chain: audit.CallChain(c.ID), ActorID: actor.UserID, TenantID: c.TenantID, Action: "council.question_asked",
			ObjectType: "council_question", ObjectID: strconv.FormatInt(id, 10), Details: map[string]any{"call_id": c.ID}})
		return err
	})
	return id, err
}

// AnswerQuestion records the lead's answer and distributes question and answer to every
// council member at the same time (rules.md R33); audited as council.question_answered.
// An answered question is ErrConflict (answers are final); another Kreis's is ErrNotFound.
func AnswerQuestion(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.CallScope, questionID int64, answer string, now time.Time) error {
	if err := requireLead(actor, scope.Tenant); err != nil {
		return err
	}
	answer = strings.TrimSpace(answer)
	ve := &core.ValidationError{}
	core.CheckText(ve, "answer", "die Antwort", answer, true, 20000)
	if err := ve.OrNil(); err != nil {
		return err
	}
	return store.InTx(ctx, db, func(tx *gorm.DB) error {
		c, err := loadCall(tx, scope.Tenant, scope.Call)
		if err != nil {
			return err
		}
		var rows []struct {
			Question    string
			FactionName string
			AskedAt     time.Time
			Answered    bool
		}
		if err := tx.Raw(`SELECT question, faction_name, asked_at, answer IS NOT NULL AS answered FROM council_questions
			WHERE id = ? AND call_id = ? AND tenant_id = ? FOR UPDATE`, questionID, c.ID, c.TenantID).Scan(&rows).Error; err != nil {
			return fmt.Errorf("load council question: %w", err)
		}
		if len(rows) == 0 {
			return fmt.Errorf("council question %d: %w", questionID, core.ErrNotFound)
		}
		if rows[0].Answered {
			return fmt.Errorf("%w: Diese Anfrage ist bereits beantwortet", core.ErrConflict)
		}
		q := rows[0]
		content := AnswerContent{Ref: c.Ref, Question: q.Question, Faction: FactionOrNone(q.FactionName), AskedAt: q.AskedAt.UTC(),
			Answer: answer, AnsweredAt: now.UTC().Truncate(time.Microsecond)} // as the database keeps it
		canonical, err := vault.CanonicalJSON(content)
		if err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE council_questions SET answer = ?, answered_by = ?, answered_at = ? WHERE id = ?`,
			answer, actor.UserID, now, questionID).Error; err != nil {
			return fmt.Errorf("store answer: %w", err)
		}
		ms, err := members(tx, c.TenantID)
		if err != nil {
			return err
		}
		sha := vault.SHA256Hex(canonical)
		dist, err := distribute(tx, c, item{questionID: questionID, contentSHA: sha, subject: "Antwort auf eine Anfrage zum Verfahren " + c.Ref,
			body: "die Anfrage (" + FactionOrNone(q.FactionName) + ") zum Verfahren „" + c.Title + "“ (" + c.Ref + ") ist beantwortet."}, ms, now)
		if err != nil {
			return err
		}
		_, err = audit.Audit(tx, audit.Event{Chain: audit.CallChain(c.ID), ActorID: actor.UserID, TenantID: c.TenantID, Action: "council.question_answered",
			ObjectType: "council_question", ObjectID: strconv.FormatInt(questionID, 10),
			Details: map[string]any{"distribution": dist, "members": len(ms), "content_sha256": sha}})
		return err
	})
}

// FactionOrNone names the asking faction, or says the member belongs to none.
func FactionOrNone(name string) string {
	if name == "" {
		return "fraktionsloses Mitglied"
	}
	return name
}
