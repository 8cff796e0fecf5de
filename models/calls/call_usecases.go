package calls

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"kimibv/models/accounts"
	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/models/rules"
	"kimibv/models/store"
)

// ErrCallNotDraft explains a conflict: the call was published (or cancelled) meanwhile,
// e.g. in another browser tab. It wraps ErrConflict.
var ErrCallNotDraft = fmt.Errorf("%w: das Verfahren ist kein Entwurf mehr; veröffentlichte Fassungen können nur durch eine Änderungsbekanntmachung geändert werden", core.ErrConflict)

// RequireLead refuses actors without the lead role in the Kreis (as ErrNotFound: rules.md R9).
func RequireLead(actor *core.Actor, tenantID int64, what string) error {
	if !actor.HasTenantRole(tenantID, core.RoleLead) {
		return fmt.Errorf("%s: %w", what, core.ErrNotFound)
	}
	return nil
}

// lockCall loads the Kreis's call FOR UPDATE; another Kreis's call is ErrNotFound.
func lockCall(tx *gorm.DB, tenantID, callID int64) (*rules.Call, error) {
	var c rules.Call
	res := tx.Raw(`SELECT * FROM calls WHERE id = ? AND tenant_id = ? FOR UPDATE`, callID, tenantID).Scan(&c)
	if res.Error != nil {
		return nil, fmt.Errorf("lock call %d: %w", callID, res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, fmt.Errorf("call %d: %w", callID, core.ErrNotFound)
	}
	return &c, nil
}

// CreateDraft starts a call in the Kreis from the KIM template (fromCallID 0) or as a copy
// of an earlier call of the same Kreis (its current content; the timeline is cleared and
// the committee copied where the members still hold their roles and the separation of
// duties allows it: an evaluator who now leads or opens is not copied).
func CreateDraft(ctx context.Context, db *gorm.DB, actor *core.Actor, tenantID, fromCallID int64, now time.Time) (*rules.Call, error) {
	if err := RequireLead(actor, tenantID, "create draft"); err != nil {
		return nil, err
	}
	var call rules.Call
	err := store.InTx(ctx, db, func(tx *gorm.DB) error {
		var t accounts.Tenant
		if err := tx.Take(&t, tenantID).Error; err != nil {
			return store.NotFound(err, "tenant")
		}
		content := KIMTemplate(&t, now)
		if fromCallID != 0 {
			src, err := callContent(tx, tenantID, fromCallID)
			if err != nil {
				return err
			}
			content = src
			content.Timeline = rules.Timeline{StandstillDays: src.Timeline.StandstillDays}
			call.CopiedFrom = &fromCallID
		}
		year := now.In(core.Berlin()).Year()
		if err := tx.Exec(`SELECT pg_advisory_xact_lock(4711, ?::int)`, tenantID).Error; err != nil {
			return fmt.Errorf("lock call refs: %w", err)
		}
		var seq int
		if err := tx.Raw(`SELECT coalesce(max(ref_seq), 0) + 1 FROM calls WHERE tenant_id = ? AND ref_year = ?`, tenantID, year).Scan(&seq).Error; err != nil {
			return fmt.Errorf("next call ref: %w", err)
		}
		raw, err := content.Canonical()
		if err != nil {
			return err
		}
		call = rules.Call{TenantID: tenantID, Ref: fmt.Sprintf("%s-%d-%02d", t.Slug, year, seq), RefYear: year, RefSeq: seq, State: rules.CallDraft,
			Draft: raw, Title: content.Title, CopiedFrom: call.CopiedFrom, CreatedBy: actor.UserID, CreatedAt: now, UpdatedAt: now}
		setTimes(&call, &content)
		if err := tx.Omit("PublishedAt", "CancelledAt").Create(&call).Error; err != nil {
			return fmt.Errorf("insert call: %w", err)
		}
		if fromCallID != 0 {
			if err := tx.Exec(`INSERT INTO call_committee (call_id, user_id, role)
				SELECT ?, cc.user_id, cc.role FROM call_committee cc
				JOIN tenant_memberships m ON m.user_id = cc.user_id AND m.tenant_id = ? AND m.role = cc.role
				WHERE cc.call_id = ? AND NOT (cc.role = 'evaluator' AND EXISTS (SELECT 1 FROM tenant_memberships x
					WHERE x.tenant_id = m.tenant_id AND x.user_id = cc.user_id AND x.role IN ?))`,
				call.ID, tenantID, fromCallID, accounts.ProcedureRoleNames()).Error; err != nil {
				return fmt.Errorf("copy committee: %w", err)
			}
		}
		details := map[string]any{"ref": call.Ref, "source": "kim_template"}
		if fromCallID != 0 {
			details = map[string]any{"ref": call.Ref, "source": "copy", "copied_from": fromCallID}
		}
		_, err = audit.Audit(tx, audit.Event{Chain: audit.CallChain(call.ID), ActorID: actor.UserID, TenantID: tenantID, Action: "call.draft_created",
			ObjectType: "call", ObjectID: fmt.Sprint(call.ID), Details: details})
		return err
	})
	if err != nil {
		return nil, err
	}
	return &call, nil
}

// callContent returns a call's current content: the draft or the latest version.
func callContent(tx *gorm.DB, tenantID, callID int64) (rules.CallContent, error) {
	var row struct{ Content []byte }
	res := tx.Raw(`SELECT CASE WHEN c.current_version = 0 THEN c.draft ELSE v.content END AS content
		FROM calls c LEFT JOIN call_versions v ON v.call_id = c.id AND v.version = c.current_version
		WHERE c.id = ? AND c.tenant_id = ?`, callID, tenantID).Scan(&row)
	if res.Error != nil {
		return rules.CallContent{}, fmt.Errorf("load call content: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return rules.CallContent{}, fmt.Errorf("call %d: %w", callID, core.ErrNotFound)
	}
	return rules.DecodeCallContent(row.Content)
}

// setTimes copies the denormalised fields of content onto the call row.
func setTimes(call *rules.Call, c *rules.CallContent) {
	call.Title = c.Title
	call.Deadline, call.QuestionsUntil = nil, nil
	if !c.Timeline.Deadline.IsZero() {
		d := c.Timeline.Deadline
		call.Deadline = &d
	}
	if !c.Timeline.QuestionsUntil.IsZero() {
		q := c.Timeline.QuestionsUntil
		call.QuestionsUntil = &q
	}
}

// checkCommittee verifies that every evaluator and opener holds that role in the Kreis
// and that no evaluator holds a role the separation of duties forbids beside the
// committee (CommitteeRoleConflict).
func checkCommittee(tx *gorm.DB, tenantID int64, com rules.Committee, v *core.ValidationError) error {
	if err := accounts.LockPeople(tx, append(slices.Clone(com.Evaluators), com.Openers...)); err != nil {
		return err
	}
	var rows []struct {
		UserID int64
		Role   string
	}
	if err := tx.Raw(`SELECT user_id, role FROM tenant_memberships WHERE tenant_id = ? AND role IN ('evaluator', 'opener')`, tenantID).Scan(&rows).Error; err != nil {
		return fmt.Errorf("load committee roles: %w", err)
	}
	has := func(id int64, role string) bool {
		return slices.ContainsFunc(rows, func(r struct {
			UserID int64
			Role   string
		}) bool {
			return r.UserID == id && r.Role == role
		})
	}
	for _, id := range com.Evaluators {
		if !has(id, rules.CommitteeEvaluator) {
			v.Add("evaluators", "invalid", "Bitte wählen Sie nur Personen mit der Rolle Bewertungsgremium aus diesem Kreis aus.")
			break
		}
	}
	for _, id := range com.Openers {
		if !has(id, rules.CommitteeOpener) {
			v.Add("openers", "invalid", "Bitte wählen Sie nur öffnungsberechtigte Personen aus diesem Kreis aus.")
			break
		}
	}
	return accounts.CheckCommitteeDuties(tx, tenantID, com.Evaluators, "evaluators", v)
}

// replaceCommittee stores com as the call's committee.
func replaceCommittee(tx *gorm.DB, callID int64, com rules.Committee) error {
	if err := tx.Exec(`DELETE FROM call_committee WHERE call_id = ?`, callID).Error; err != nil {
		return fmt.Errorf("clear committee: %w", err)
	}
	for role, ids := range map[string][]int64{rules.CommitteeEvaluator: com.Evaluators, rules.CommitteeOpener: com.Openers} {
		for _, id := range uniqueIDs(ids) {
			if err := tx.Exec(`INSERT INTO call_committee (call_id, user_id, role) VALUES (?, ?, ?)`, callID, id, role).Error; err != nil {
				return fmt.Errorf("add committee member: %w", err)
			}
		}
	}
	return nil
}

func uniqueIDs(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}

// SaveDraft stores the editor's input as the call's draft together with the committee.
// Only the Kreis's lead may do so and only while the call is a draft: a published call
// is frozen for everybody (ErrCallNotDraft).
func SaveDraft(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.CallScope, in rules.CallDraftInput, now time.Time) error {
	return store.InTx(ctx, db, func(tx *gorm.DB) error { return SaveDraftTx(tx, actor, scope, in, now) })
}

// SaveDraftTx is SaveDraft inside the caller's transaction tx: it checks, locks, writes and
// audits as SaveDraft does, but neither opens nor commits a transaction, so use cases compose.
func SaveDraftTx(tx *gorm.DB, actor *core.Actor, scope core.CallScope, in rules.CallDraftInput, now time.Time) error {
	return saveDraftTx(tx, actor, scope, in, now, "")
}

// saveDraftTx stores in as the draft. With a step ("grunddaten" …, see rules.CallSteps) only
// the errors of that step's fields count and the audit entry names the step: the other
// fields come unchanged from the stored draft (SaveDraftStepTx) and were valid when saved;
// a deadline that has since passed is reported by the preview, not by saving the title.
func saveDraftTx(tx *gorm.DB, actor *core.Actor, scope core.CallScope, in rules.CallDraftInput, now time.Time, step string) error {
	tenantID, callID := scope.Tenant, scope.Call
	if err := RequireLead(actor, tenantID, "save draft"); err != nil {
		return err
	}
	content, v := in.Content(now)
	in.Committee = rules.Committee{Evaluators: uniqueIDs(in.Committee.Evaluators), Openers: uniqueIDs(in.Committee.Openers)}
	call, err := lockCall(tx, tenantID, callID)
	if err != nil {
		return err
	}
	if err := checkCommittee(tx, tenantID, in.Committee, v); err != nil {
		return err
	}
	if step != "" {
		v = onlyStep(v, step)
	}
	if err := v.OrNil(); err != nil {
		return err
	}
	if !call.IsDraft() {
		return ErrCallNotDraft
	}
	raw, err := content.Canonical()
	if err != nil {
		return err
	}
	setTimes(call, &content)
	if err := tx.Exec(`UPDATE calls SET draft = ?, title = ?, deadline = ?, questions_until = ?, updated_at = ? WHERE id = ?`,
		raw, call.Title, call.Deadline, call.QuestionsUntil, now, call.ID).Error; err != nil {
		return fmt.Errorf("save draft: %w", err)
	}
	if err := replaceCommittee(tx, call.ID, in.Committee); err != nil {
		return err
	}
	sum, _ := content.SHA256()
	details := map[string]any{"content_sha256": sum, "evaluators": in.Committee.Evaluators, "openers": in.Committee.Openers}
	if step != "" {
		details["step"] = step
	}
	_, err = audit.Audit(tx, audit.Event{Chain: audit.CallChain(call.ID), ActorID: actor.UserID, TenantID: tenantID, Action: "call.draft_saved",
		ObjectType: "call", ObjectID: fmt.Sprint(call.ID), Details: details})
	return err
}

// SetCommittee replaces the evaluators and openers of a draft or published call. The
// committee is not public content, so it is no amendment; it is recorded in the audit trail.
func SetCommittee(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.CallScope, com rules.Committee, now time.Time) error {
	return store.InTx(ctx, db, func(tx *gorm.DB) error { return SetCommitteeTx(tx, actor, scope, com) })
}

// SetCommitteeTx is SetCommittee inside the caller's transaction tx: it checks, locks, writes and
// audits as SetCommittee does, but neither opens nor commits a transaction, so use cases compose.
func SetCommitteeTx(tx *gorm.DB, actor *core.Actor, scope core.CallScope, com rules.Committee) error {
	tenantID, callID := scope.Tenant, scope.Call
	if err := RequireLead(actor, tenantID, "set committee"); err != nil {
		return err
	}
	com = rules.Committee{Evaluators: uniqueIDs(com.Evaluators), Openers: uniqueIDs(com.Openers)}
	call, err := lockCall(tx, tenantID, callID)
	if err != nil {
		return err
	}
	v := &core.ValidationError{}
	if err := checkCommittee(tx, tenantID, com, v); err != nil {
		return err
	}
	if call.State != rules.CallDraft {
		if len(com.Evaluators) < 2 {
			v.Add("evaluators", "too_few", "Bitte benennen Sie mindestens zwei Mitglieder des Bewertungsgremiums.")
		}
		if len(com.Openers) < 2 {
			v.Add("openers", "too_few", "Bitte benennen Sie mindestens zwei Öffnungsberechtigte.")
		}
	}
	if err := v.OrNil(); err != nil {
		return err
	}
	if call.State != rules.CallDraft && call.State != rules.CallPublished {
		return fmt.Errorf("set committee in state %s: %w", call.State, core.ErrConflict)
	}
	if err := replaceCommittee(tx, call.ID, com); err != nil {
		return err
	}
	_, err = audit.Audit(tx, audit.Event{Chain: audit.CallChain(call.ID), ActorID: actor.UserID, TenantID: tenantID, Action: "call.committee_set",
		ObjectType: "call", ObjectID: fmt.Sprint(call.ID), Details: map[string]any{"evaluators": com.Evaluators, "openers": com.Openers}})
	return err
}

// loadCommittee returns a call's committee ids.
func loadCommittee(tx *gorm.DB, callID int64) (rules.Committee, error) {
	var rows []rules.CommitteeMember
	if err := tx.Raw(`SELECT call_id, user_id, role FROM call_committee WHERE call_id = ? ORDER BY user_id`, callID).Scan(&rows).Error; err != nil {
		return rules.Committee{}, fmt.Errorf("load committee: %w", err)
	}
	var com rules.Committee
	for _, r := range rows {
		if r.Role == rules.CommitteeEvaluator {
			com.Evaluators = append(com.Evaluators, r.UserID)
		} else {
			com.Openers = append(com.Openers, r.UserID)
		}
	}
	return com, nil
}

// Publish freezes the draft as version 1 (rules.md R1) after ValidateForPublication, sets the
// call's state and denormalised fields and records call.published. A second publish (two
// tabs) finds the call no longer a draft and returns ErrCallNotDraft without changes.
// The Bekanntmachung (docs) is issued in the same transaction.
func Publish(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.CallScope, callRules rules.CallRules, now time.Time,
	docs Documents) (*rules.CallVersion, error) {
	tenantID, callID := scope.Tenant, scope.Call
	if err := RequireLead(actor, tenantID, "publish call"); err != nil {
		return nil, err
	}
	var ver rules.CallVersion
	err := store.InTx(ctx, db, func(tx *gorm.DB) error {
		call, content, com, err := lockDraft(tx, tenantID, callID)
		if err != nil {
			return err
		}
		v := rules.ValidateForPublication(&content, com, now, callRules)
		if err := accounts.LockPeople(tx, com.Evaluators); err != nil {
			return err
		}
		if err := accounts.CheckCommitteeDuties(tx, tenantID, com.Evaluators, "evaluators", v); err != nil {
			return err
		}
		if err := checkConsultation(tx, call.ID, now, v); err != nil {
			return err
		}
		if err := v.OrNil(); err != nil {
			return err
		}
		now = now.UTC().Truncate(time.Second)
		content.Timeline.Publication = now
		raw, err := content.Canonical()
		if err != nil {
			return err
		}
		sum, _ := content.SHA256()
		ver = rules.CallVersion{CallID: call.ID, Version: 1, Content: raw, ContentSHA256: sum, Deadline: content.Timeline.Deadline,
			PublishedBy: actor.UserID, PublishedAt: now}
		if err := tx.Create(&ver).Error; err != nil {
			return fmt.Errorf("insert version 1: %w", err)
		}
		setTimes(call, &content)
		res := tx.Exec(`UPDATE calls SET state = 'published', current_version = 1, published_at = ?, title = ?, deadline = ?,
			questions_until = ?, updated_at = ? WHERE id = ? AND state = 'draft'`, now, call.Title, call.Deadline, call.QuestionsUntil, now, call.ID)
		if res.Error != nil {
			return fmt.Errorf("publish call: %w", res.Error)
		}
		if res.RowsAffected != 1 {
			return ErrCallNotDraft
		}
		call.State, call.CurrentVersion, call.PublishedAt = rules.CallPublished, 1, &now
		if _, err := audit.Audit(tx, audit.Event{Chain: audit.CallChain(call.ID), ActorID: actor.UserID, TenantID: tenantID, Action: "call.published",
			ObjectType: "call", ObjectID: fmt.Sprint(call.ID), Details: map[string]any{"version": 1, "content_sha256": sum,
				"ref": call.Ref, "deadline": content.Timeline.Deadline.UTC().Format(time.RFC3339)}}); err != nil {
			return err
		}
		return issueBekanntmachung(tx, docs, call, &ver, &content)
	})
	if err != nil {
		return nil, err
	}
	return &ver, nil
}

// IsCallNotDraft reports whether err says the call is no longer a draft.
func IsCallNotDraft(err error) bool { return errors.Is(err, ErrCallNotDraft) }
