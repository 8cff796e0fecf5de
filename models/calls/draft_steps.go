package calls

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"kimibv/models/core"
	"kimibv/models/rules"
	"kimibv/models/store"
)

// SaveDraftStep stores one step of the draft editor (rules.CallSteps): the fields of step are
// taken from in, every other field from the stored draft and committee, so saving a step never
// clears another. Format errors of the step's fields refuse the save and change nothing; the
// rules, the committee check and the audit entry (call.draft_saved with the step) are those of
// SaveDraft. An unknown step or the preview is ErrNotFound.
func SaveDraftStep(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.CallScope, step string, in rules.CallDraftInput, now time.Time) error {
	return store.InTx(ctx, db, func(tx *gorm.DB) error { return SaveDraftStepTx(tx, actor, scope, step, in, now) })
}

// SaveDraftStepTx is SaveDraftStep inside the caller's transaction tx.
func SaveDraftStepTx(tx *gorm.DB, actor *core.Actor, scope core.CallScope, step string, in rules.CallDraftInput, now time.Time) error {
	if err := RequireLead(actor, scope.Tenant, "save draft step"); err != nil {
		return err
	}
	if i := rules.CallStepIndex(step); i < 0 || step == rules.CallStepPreview {
		return fmt.Errorf("draft step %q: %w", step, core.ErrNotFound)
	}
	_, content, com, err := lockDraft(tx, scope.Tenant, scope.Call)
	if err != nil {
		return err
	}
	merged := rules.DraftInputFrom(content, com).WithStep(step, in)
	return saveDraftTx(tx, actor, scope, merged, now, step)
}

// lockDraft locks a draft call of the Kreis and reads its content and committee; a
// published call is ErrCallNotDraft.
func lockDraft(tx *gorm.DB, tenantID, callID int64) (*rules.Call, rules.CallContent, rules.Committee, error) {
	call, err := lockCall(tx, tenantID, callID)
	if err != nil {
		return nil, rules.CallContent{}, rules.Committee{}, err
	}
	if !call.IsDraft() {
		return nil, rules.CallContent{}, rules.Committee{}, ErrCallNotDraft
	}
	content, err := rules.DecodeCallContent(call.Draft)
	if err != nil {
		return nil, rules.CallContent{}, rules.Committee{}, err
	}
	com, err := loadCommittee(tx, call.ID)
	if err != nil {
		return nil, rules.CallContent{}, rules.Committee{}, err
	}
	return call, content, com, nil
}

// onlyStep keeps the errors of v whose field belongs to step.
func onlyStep(v *core.ValidationError, step string) *core.ValidationError {
	out := &core.ValidationError{}
	for _, f := range v.Fields {
		if rules.CallStepOf(f.Field) == step {
			out.Fields = append(out.Fields, f)
		}
	}
	return out
}
