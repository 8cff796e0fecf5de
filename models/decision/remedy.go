package decision

import (
	"context"
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

// remedyTables lists, per step a remedy returns to, the tables whose rows of the current
// round it marks as superseded: the step's own rows and those of every later step
// (rules.md R34). Children come with their parents (the foreign keys are checked at commit).
var remedyTables = []struct {
	step   rules.RemedyStep
	tables []string
}{
	{rules.RemedyFormalCheck, []string{"formal_checks_all", "formal_corrections_all"}},
	{rules.RemedyScoring, []string{"score_sheets_all"}},
	{rules.RemedyConsolidation, []string{"consolidated_scores_all", "call_results_all", "result_rows_all"}},
	{rules.RemedyDecision, []string{"decisions_all", "decision_allocations_all", "notices_all", "objections_all"}},
}

// RemedyInput is the lead's return of a procedure to a step after an upheld objection.
type RemedyInput struct {
	CallID int64
	Step   string // a rules.RemedyStep
	Reason string
}

// ReturnToStep returns the procedure to the step where the error lies (Rückverweisung,
// rules.md R34); see ReturnToStepTx. It returns the remedy's id.
func ReturnToStep(ctx context.Context, db *gorm.DB, actor *core.Actor, in RemedyInput, now time.Time) (int64, error) {
	var id int64
	err := store.InTx(ctx, db, func(tx *gorm.DB) error {
		var err error
		id, err = ReturnToStepTx(tx, actor, in, now)
		return err
	})
	return id, err
}

// ReturnToStepTx is ReturnToStep inside the caller's transaction tx. The lead of the call's
// Kreis names the step and a reason of their own (rules.CheckRemedyReason); the facts
// must allow it (rules.RemedyBlocked: notices sent, an objection upheld, none open). The
// step's rows and those of every later step are marked superseded by the new remedy
// (never deleted), the call goes back to 'opened' so that the normal use cases redo the
// steps, the organisations that had a notice get a Postfach message and e-mail, and
// remedy.returned is audited with the step, reason and previous state.
func ReturnToStepTx(tx *gorm.DB, actor *core.Actor, in RemedyInput, now time.Time) (int64, error) {
	c, _, err := loadDecisionCall(tx, actor, in.CallID, true)
	if err != nil {
		return 0, err
	}
	reason := strings.TrimSpace(strings.ReplaceAll(in.Reason, "\r\n", "\n"))
	step, ok := rules.ParseRemedyStep(in.Step)
	v := &core.ValidationError{}
	if !ok {
		v.Add("step", "invalid", "Bitte wählen Sie den Schritt, an den das Verfahren zurückgeht: formale Prüfung, Bewertung, Konsolidierung oder Entscheidung.")
	}
	rules.CheckRemedyReason(v, "reason", reason)
	var f struct {
		Upheld, Open int
		Objection    int64
	}
	if err := tx.Raw(`SELECT count(*) FILTER (WHERE outcome = 'upheld') AS upheld, count(*) FILTER (WHERE answered_at IS NULL) AS open,
		coalesce(max(id) FILTER (WHERE outcome = 'upheld'), 0) AS objection FROM objections WHERE call_id = ?`, c.ID).Scan(&f).Error; err != nil {
		return 0, fmt.Errorf("load objections: %w", err)
	}
	facts := rules.RemedyFacts{State: c.State, UpheldObjections: f.Upheld, OpenObjections: f.Open}
	if err := rules.RemedyBlocked(facts, rules.RemedyDecision); err != nil {
		return 0, err
	}
	if err := v.OrNil(); err != nil {
		return 0, err
	}
	now = now.UTC().Truncate(time.Second)
	var id int64
	if err := tx.Raw(`INSERT INTO remedies (call_id, objection_id, step, previous_state, reason, returned_by, returned_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, c.ID, f.Objection, string(step), string(c.State), reason, actor.UserID, now).Scan(&id).Error; err != nil {
		return 0, fmt.Errorf("store remedy: %w", err)
	}
	var orgs []int64
	if err := tx.Raw(`SELECT org_id FROM notices WHERE call_id = ? ORDER BY org_id`, c.ID).Scan(&orgs).Error; err != nil {
		return 0, fmt.Errorf("load notified organisations: %w", err)
	}
	for _, g := range remedyTables {
		if !step.Supersedes(g.step) {
			continue
		}
		for _, table := range g.tables {
			if err := tx.Exec(`UPDATE `+table+` SET superseded_by = ? WHERE call_id = ? AND superseded_by = 0`, id, c.ID).Error; err != nil {
				return 0, fmt.Errorf("supersede %s: %w", table, err)
			}
		}
	}
	if err := tx.Exec(`UPDATE calls SET state = 'opened', updated_at = ? WHERE id = ?`, now, c.ID).Error; err != nil {
		return 0, fmt.Errorf("reopen call: %w", err)
	}
	if _, err := audit.Audit(tx, audit.Event{Chain: audit.CallChain(c.ID), ActorID: actor.UserID, TenantID: c.TenantID, Action: "remedy.returned",
		ObjectType: "call", ObjectID: strconv.FormatInt(c.ID, 10), Details: map[string]any{"remedy": id, "objection": f.Objection,
			"to_step": string(step), "reason": reason, "previous_state": string(c.State)}}); err != nil {
		return 0, err
	}
	body := fmt.Sprintf("Im Verfahren „%s“ (%s) wurde einer Rüge abgeholfen. Das Verfahren geht zurück an den Schritt „%s“.\n\nBegründung: %s\n\n"+
		"Die bisherige Entscheidung und die versandten Mitteilungen sind damit ersetzt; sie bleiben in der Vergabeakte dokumentiert. "+
		"Sie erhalten eine neue Mitteilung, sobald der Schritt und die folgenden Schritte erneut durchgeführt sind; die Stillhaltefrist beginnt dann neu.\n",
		c.Title, c.Ref, step.Label(), reason)
	_, err = postbox.NotifyOrgIDs(tx, c.ID, orgs, postbox.Notice{Kind: postbox.InboxRemedy, Subject: "Rückverweisung im Verfahren " + c.Ref, Body: body})
	return id, err
}

// Remedy is a return to a step as the award record shows it.
type Remedy struct {
	ID            int64
	Step          rules.RemedyStep
	Reason        string
	ReturnedAt    time.Time
	PreviousState rules.CallState
}

// StepLabel names the step returned to.
func (r Remedy) StepLabel() string { return r.Step.Label() }

// LoadRemedies reads the remedies of call callID in order.
func LoadRemedies(tx *gorm.DB, callID int64) ([]Remedy, error) {
	var out []Remedy
	if err := tx.Raw(`SELECT id, step, reason, returned_at, previous_state FROM remedies WHERE call_id = ? ORDER BY id`, callID).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("load remedies: %w", err)
	}
	return out, nil
}
