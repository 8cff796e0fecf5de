package calls

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/models/postbox"
	"kimibv/models/rules"
	"kimibv/models/store"
)

// Length limits of questions and answers (characters).
const (
	MaxQuestion = 5000
	MaxAnswer   = 20000
)

// PublicQA is a published question with its answer. It deliberately has no field for the
// asking organisation: the public learns the question, never who asked it.
type PublicQA struct {
	ID         int64
	Seq        int
	Question   string
	Answer     string
	AnsweredAt time.Time
}

// AskedQuestion is a question in its original wording with the asking organisation; only
// the asking organisation (its own questions) and the call's lead read it.
type AskedQuestion struct {
	ID          int64
	CallID      int64
	OrgID       int64
	OrgName     string
	AskedByName string
	Body        string
	AskedAt     time.Time
	AnswerID    *int64
	AnswerSeq   *int
	Published   *string // published wording of the answer it belongs to
	Answer      *string
}

// IsAnswered reports whether the question belongs to a published answer.
func (q *AskedQuestion) IsAnswered() bool { return q.AnswerID != nil }

// AskQuestion records a question of organisation orgID (the actor must be a member) on a
// published call until its question deadline (questions_until, inclusive). After it the
// error is ErrDeadlinePassed together with a field error for "question"; nothing is stored.
func AskQuestion(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.OrgCallScope, body string, now time.Time) (int64, error) {
	callID, orgID := scope.Call, scope.Org
	if !actor.InOrg(orgID) {
		return 0, fmt.Errorf("ask as org %d: %w", orgID, core.ErrNotFound)
	}
	body = strings.TrimSpace(strings.ReplaceAll(body, "\r\n", "\n"))
	v := &core.ValidationError{}
	core.CheckText(v, "question", "Ihre Frage", body, true, MaxQuestion)
	if err := v.OrNil(); err != nil {
		return 0, err
	}
	var id int64
	err := store.InTx(ctx, db, func(tx *gorm.DB) error {
		var call rules.Call
		res := tx.Raw(`SELECT * FROM calls WHERE id = ? AND state <> 'draft' FOR SHARE`, callID).Scan(&call)
		if res.Error != nil {
			return fmt.Errorf("load call %d: %w", callID, res.Error)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("call %d: %w", callID, core.ErrNotFound)
		}
		if call.State != rules.CallPublished {
			return rules.StateConflictFor(call.State, "Das Stellen von Fragen")
		}
		h := CallHeader{State: call.State, QuestionsUntil: call.QuestionsUntil, Deadline: call.Deadline}
		if !h.QuestionsOpen(now) {
			v.Add("question", "deadline", questionsClosedMessage(call.QuestionsUntil))
			return errors.Join(core.ErrDeadlinePassed, v)
		}
		if err := tx.Raw(`INSERT INTO questions (call_id, org_id, asked_by, body, asked_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			callID, orgID, actor.UserID, body, now).Scan(&id).Error; err != nil {
			return fmt.Errorf("insert question: %w", err)
		}
		// The asker (organisation) is kept only in the details of this non-public entry.
		_, err := audit.Audit(tx, audit.Event{Chain: audit.CallChain(callID), ActorID: actor.UserID, TenantID: call.TenantID, Action: "question.asked",
			ObjectType: "question", ObjectID: fmt.Sprint(id), Details: map[string]any{"org_id": orgID, "chars": len([]rune(body))}})
		return err
	})
	return id, err
}

// questionsClosedMessage tells the provider that the question period is over.
func questionsClosedMessage(until *time.Time) string {
	if until == nil {
		return "Für diese Ausschreibung können keine Fragen mehr gestellt werden. Ihre Frage wurde nicht gespeichert."
	}
	return fmt.Sprintf("Die Frist für Fragen ist am %s abgelaufen. Ihre Frage wurde nicht gespeichert.", rules.FormatDateTimeZone(*until))
}

// PublicQAs lists a call's published answers in their order (one query, no asker).
func PublicQAs(ctx context.Context, db *gorm.DB, callID int64) ([]PublicQA, error) {
	var out []PublicQA
	if err := db.WithContext(ctx).Raw(`SELECT id, seq, question, answer, answered_at FROM qa_answers WHERE call_id = ? ORDER BY seq`, callID).
		Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("load answers: %w", err)
	}
	return out, nil
}

const askedSelect = `SELECT q.id, q.call_id, q.org_id, o.name AS org_name, u.name AS asked_by_name, q.body, q.asked_at,
	q.answer_id, a.seq AS answer_seq, a.question AS published, a.answer
	FROM questions q JOIN organizations o ON o.id = q.org_id JOIN users u ON u.id = q.asked_by
	LEFT JOIN qa_answers a ON a.id = q.answer_id `

// OwnQuestions lists the questions the actor's organisations asked on a call (one query).
func OwnQuestions(ctx context.Context, db *gorm.DB, actor *core.Actor, callID int64) ([]AskedQuestion, error) {
	if actor == nil || len(actor.Orgs) == 0 {
		return nil, nil
	}
	var out []AskedQuestion
	if err := db.WithContext(ctx).Raw(askedSelect+`WHERE q.call_id = ? AND q.org_id IN ? ORDER BY q.asked_at, q.id`, callID, postbox.ActorOrgIDs(actor)).
		Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("load own questions: %w", err)
	}
	return out, nil
}

// LeadQuestions lists every question of a call with the asking organisation, open ones
// first, for the Kreis's lead.
func LeadQuestions(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.CallScope) ([]AskedQuestion, error) {
	tenantID, callID := scope.Tenant, scope.Call
	if !actor.HasTenantRole(tenantID, core.RoleLead) {
		return nil, fmt.Errorf("questions of call %d: %w", callID, core.ErrNotFound)
	}
	var out []AskedQuestion
	if err := db.WithContext(ctx).Raw(askedSelect+`JOIN calls c ON c.id = q.call_id
		WHERE q.call_id = ? AND c.tenant_id = ? ORDER BY q.answer_id IS NOT NULL, q.asked_at, q.id`, callID, tenantID).
		Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("load questions: %w", err)
	}
	return out, nil
}

// AnswerInput is the lead's answer: the questions it answers (the first is the one being
// answered, further ones are merged duplicates), the published wording and the answer.
type AnswerInput struct {
	QuestionIDs []int64
	Question    string
	Answer      string
}

// AnswerQuestions publishes one answer for the questions in.QuestionIDs of a published
// call. Several questions are merged into one published question and answer; the published
// wording may differ from the originals, which stay unchanged in questions. It records
// question.merged (several) and question.answered, notifies followers and, separately,
// the asking organisations.
func AnswerQuestions(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.CallScope, in AnswerInput, baseURL string, now time.Time) (*PublicQA, error) {
	tenantID, callID := scope.Tenant, scope.Call
	in.Question = strings.TrimSpace(strings.ReplaceAll(in.Question, "\r\n", "\n"))
	in.Answer = strings.TrimSpace(strings.ReplaceAll(in.Answer, "\r\n", "\n"))
	v := &core.ValidationError{}
	core.CheckText(v, "question", "die zu veröffentlichende Frage", in.Question, true, MaxQuestion)
	core.CheckText(v, "answer", "die Antwort", in.Answer, true, MaxAnswer)
	ids := slices.Compact(slices.Sorted(slices.Values(in.QuestionIDs)))
	if len(ids) == 0 {
		return nil, fmt.Errorf("answer without question: %w", core.ErrNotFound)
	}
	if err := v.OrNil(); err != nil {
		return nil, err
	}
	var qa PublicQA
	err := store.InTx(ctx, db, func(tx *gorm.DB) error {
		call, err := LockPublishedCall(tx, actor, scope)
		if err != nil {
			return err
		}
		if call.State != rules.CallPublished {
			return rules.StateConflictFor(call.State, "Das Beantworten von Fragen")
		}
		qs, err := lockOpenQuestions(tx, callID, ids)
		if err != nil {
			return err
		}
		// Scan into its own struct: GORM zeroes a struct before scanning into it, which
		// took question and answer out of the notifications.
		var ins struct {
			ID  int64
			Seq int
		}
		if err := tx.Raw(`INSERT INTO qa_answers (call_id, seq, question, answer, answered_by, answered_at)
			VALUES (?, (SELECT coalesce(max(seq), 0) + 1 FROM qa_answers WHERE call_id = ?), ?, ?, ?, ?) RETURNING id, seq`,
			callID, callID, in.Question, in.Answer, actor.UserID, now).Scan(&ins).Error; err != nil {
			return fmt.Errorf("insert answer: %w", err)
		}
		qa = PublicQA{ID: ins.ID, Seq: ins.Seq, Question: in.Question, Answer: in.Answer, AnsweredAt: now}
		if err := tx.Exec(`UPDATE questions SET answer_id = ?, assigned_at = ? WHERE id IN ?`, qa.ID, now, ids).Error; err != nil {
			return fmt.Errorf("assign questions: %w", err)
		}
		rephrased := len(qs) > 1 || qs[0].Body != in.Question
		if len(ids) > 1 {
			if _, err := audit.Audit(tx, audit.Event{Chain: audit.CallChain(callID), ActorID: actor.UserID, TenantID: tenantID, Action: "question.merged",
				ObjectType: "qa_answer", ObjectID: fmt.Sprint(qa.ID), Details: map[string]any{"question_ids": ids, "seq": qa.Seq}}); err != nil {
				return err
			}
		}
		if _, err := audit.Audit(tx, audit.Event{Chain: audit.CallChain(callID), ActorID: actor.UserID, TenantID: tenantID, Action: "question.answered",
			ObjectType: "qa_answer", ObjectID: fmt.Sprint(qa.ID), Details: map[string]any{"question_ids": ids, "seq": qa.Seq, "rephrased": rephrased}}); err != nil {
			return err
		}
		return notifyAnswer(tx, call, qs, qa, baseURL)
	})
	if err != nil {
		return nil, err
	}
	return &qa, nil
}

// AssignToAnswer merges a later duplicate question into an already published answer.
// It records question.merged and tells the asking organisation.
func AssignToAnswer(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.CallScope, questionID, answerID int64, baseURL string, now time.Time) error {
	return store.InTx(ctx, db, func(tx *gorm.DB) error { return AssignToAnswerTx(tx, actor, scope, questionID, answerID, baseURL, now) })
}

// AssignToAnswerTx is AssignToAnswer inside the caller's transaction tx: it checks, locks, writes and
// audits as AssignToAnswer does, but neither opens nor commits a transaction, so use cases compose.
func AssignToAnswerTx(tx *gorm.DB, actor *core.Actor, scope core.CallScope, questionID int64, answerID int64, baseURL string, now time.Time) error {
	tenantID, callID := scope.Tenant, scope.Call
	call, err := LockPublishedCall(tx, actor, scope)
	if err != nil {
		return err
	}
	if call.State != rules.CallPublished {
		return rules.StateConflictFor(call.State, "Das Zuordnen von Fragen")
	}
	qs, err := lockOpenQuestions(tx, callID, []int64{questionID})
	if err != nil {
		return err
	}
	var qa PublicQA
	res := tx.Raw(`SELECT id, seq, question, answer, answered_at FROM qa_answers WHERE id = ? AND call_id = ?`, answerID, callID).Scan(&qa)
	if res.Error != nil {
		return fmt.Errorf("load answer %d: %w", answerID, res.Error)
	}
	if res.RowsAffected == 0 {
		v := &core.ValidationError{}
		v.Add("answer_id", "unknown", "Bitte wählen Sie eine veröffentlichte Antwort dieser Ausschreibung aus.")
		return v
	}
	if err := tx.Exec(`UPDATE questions SET answer_id = ?, assigned_at = ? WHERE id = ?`, qa.ID, now, questionID).Error; err != nil {
		return fmt.Errorf("assign question: %w", err)
	}
	if _, err := audit.Audit(tx, audit.Event{Chain: audit.CallChain(callID), ActorID: actor.UserID, TenantID: tenantID, Action: "question.merged",
		ObjectType: "qa_answer", ObjectID: fmt.Sprint(qa.ID), Details: map[string]any{"question_ids": []int64{questionID}, "seq": qa.Seq}}); err != nil {
		return err
	}
	_, err = postbox.NotifyOrgIDs(tx, callID, []int64{qs[0].OrgID}, ownAnsweredNotice(call, qa, baseURL))
	return err
}

// lockOpenQuestions locks the questions ids of the call; unknown ids are ErrNotFound, an
// already answered one is a conflict (answered meanwhile, e.g. in another tab).
func lockOpenQuestions(tx *gorm.DB, callID int64, ids []int64) ([]AskedQuestion, error) {
	var qs []AskedQuestion
	if err := tx.Raw(`SELECT id, call_id, org_id, body, asked_at, answer_id FROM questions WHERE call_id = ? AND id IN ? ORDER BY id FOR UPDATE`,
		callID, ids).Scan(&qs).Error; err != nil {
		return nil, fmt.Errorf("lock questions: %w", err)
	}
	if len(qs) != len(ids) {
		return nil, fmt.Errorf("questions %v of call %d: %w", ids, callID, core.ErrNotFound)
	}
	for _, q := range qs {
		if q.AnswerID != nil {
			return nil, &core.StateConflict{Message: "Mindestens eine der Fragen wurde inzwischen beantwortet, zum Beispiel in einem anderen Fenster. Bitte laden Sie die Seite neu; es wurde nichts geändert."}
		}
	}
	return qs, nil
}

// notifyAnswer tells the followers (except the askers) about a new public answer and the
// asking organisations that their question was answered.
func notifyAnswer(tx *gorm.DB, call *rules.Call, qs []AskedQuestion, qa PublicQA, baseURL string) error {
	var askers []int64
	for _, q := range qs {
		if !slices.Contains(askers, q.OrgID) {
			askers = append(askers, q.OrgID)
		}
	}
	link := fmt.Sprintf("%s/ausschreibungen/%s/fragen#antwort-%d", baseURL, call.Ref, qa.Seq)
	body := fmt.Sprintf("Zur Ausschreibung „%s“ (%s) wurde eine Frage öffentlich beantwortet.\n\nFrage %d: %s\n\nAntwort: %s\n\nAlle Fragen und Antworten: %s\n",
		call.Title, call.Ref, qa.Seq, qa.Question, qa.Answer, link)
	if _, err := postbox.NotifyFollowersExcept(tx, call.ID, askers, postbox.Notice{Kind: postbox.InboxAnswerPublished, Subject: "Neue Antwort: " + ShortTitle(call.Title), Body: body}); err != nil {
		return err
	}
	_, err := postbox.NotifyOrgIDs(tx, call.ID, askers, ownAnsweredNotice(call, qa, baseURL))
	return err
}

// ownAnsweredNotice is the message to an organisation whose question was answered.
func ownAnsweredNotice(call *rules.Call, qa PublicQA, baseURL string) postbox.Notice {
	link := fmt.Sprintf("%s/ausschreibungen/%s/fragen#antwort-%d", baseURL, call.Ref, qa.Seq)
	return postbox.Notice{Kind: postbox.InboxOwnAnswered, Subject: "Ihre Frage wurde beantwortet: " + ShortTitle(call.Title),
		Body: fmt.Sprintf("Ihre Frage zur Ausschreibung „%s“ (%s) wurde beantwortet. Die Antwort ist ohne Nennung Ihrer Organisation veröffentlicht.\n\nVeröffentlichte Frage %d: %s\n\nAntwort: %s\n\n%s\n",
			call.Title, call.Ref, qa.Seq, qa.Question, qa.Answer, link)}
}

// ShortTitle shortens a call title for a subject line.
func ShortTitle(s string) string {
	r := []rune(s)
	if len(r) <= 80 {
		return s
	}
	return strings.TrimSpace(string(r[:79])) + "…"
}

// PublicQAsOf is PublicQAs for all calls of the export in one query: it reads only the
// public table qa_answers into PublicQA, which has no field for the asker.
func PublicQAsOf(tx *gorm.DB, args []any) ([]callQA, error) {
	var out []callQA
	if err := tx.Raw(`SELECT a.call_id, a.id, a.seq, a.question, a.answer, a.answered_at
		FROM qa_answers a JOIN calls c ON c.id = a.call_id
		WHERE `+PublicCallSQL+` ORDER BY a.call_id, a.seq`, args...).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("load answers for open data: %w", err)
	}
	return out, nil
}

// callQA is a published answer with its call.
type callQA struct {
	CallID int64
	PublicQA
}

// PublicCallSQL selects the public calls of the export; its two arguments are idOrRef's
// number (0 if none) and idOrRef itself.
const PublicCallSQL = `c.state <> 'draft' AND (? = 0 AND ? = '' OR c.id = ? OR c.ref = ?)`
