package forwarding

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/models/rules"
	"kimibv/models/store"
)

// Draw-down states (drawdowns.state).
const (
	DrawRequested = "requested"
	DrawApproved  = "approved"
	DrawRefused   = "refused"
	DrawPaid      = "paid"
)

// Drawdown is one Mittelabruf.
type Drawdown struct {
	ID          int64
	From, To    rules.Date
	Amount      rules.Cents
	State       string
	RequestedAt time.Time
	DecidedAt   *time.Time
	Reason      string
	PaidAt      *time.Time
}

// StateLabel names the draw-down's state.
func (d Drawdown) StateLabel() string {
	switch d.State {
	case DrawApproved:
		return "Bewilligt, Zahlung ausstehend"
	case DrawRefused:
		return "Abgelehnt"
	case DrawPaid:
		return "Ausgezahlt"
	}
	return "Beantragt"
}

// loadDrawdowns reads the draw-downs of the contracts byID in one statement, each
// contract's in the order of their periods.
func loadDrawdowns(tx *gorm.DB, byID map[int64]*Contract) error {
	var rows []struct {
		ID, ContractID       int64
		PeriodFrom, PeriodTo string
		AmountCents          int64
		State                string
		RequestedAt          time.Time
		DecidedAt            *time.Time
		Reason               string
		PaidAt               *time.Time
	}
	if err := tx.Raw(`SELECT id, contract_id, to_char(period_from, 'YYYY-MM-DD') AS period_from, to_char(period_to, 'YYYY-MM-DD') AS period_to, amount_cents,
		state, requested_at, decided_at, reason, paid_at FROM drawdowns WHERE contract_id IN ? ORDER BY period_from, id`, contractIDs(byID)).Scan(&rows).Error; err != nil {
		return fmt.Errorf("load draw-downs: %w", err)
	}
	for _, k := range byID {
		k.Drawdowns = nil
	}
	for _, r := range rows {
		k := byID[r.ContractID]
		k.Drawdowns = append(k.Drawdowns, Drawdown{ID: r.ID, From: rules.Date(r.PeriodFrom), To: rules.Date(r.PeriodTo), Amount: rules.Cents(r.AmountCents),
			State: r.State, RequestedAt: r.RequestedAt, DecidedAt: r.DecidedAt, Reason: r.Reason, PaidAt: r.PaidAt})
	}
	return nil
}

// DrawdownInput is a Mittelabruf as typed: the period and the amount in euros.
type DrawdownInput struct {
	From, To, Amount string
}

// RequestDrawdown records organisation scope.Org's Mittelabruf (rules.md R37), refused
// with nothing changed before the contract's acceptance, outside the funding period, for
// days already requested, or above what the contract grants or the filled posts justify.
// Members only; audited as forwarding.drawdown_requested.
func RequestDrawdown(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.OrgCallScope, in DrawdownInput, now time.Time) (int64, error) {
	if !actor.InOrg(scope.Org) {
		return 0, fmt.Errorf("contract of org %d: %w", scope.Org, core.ErrNotFound)
	}
	var id int64
	err := store.InTx(ctx, db, func(tx *gorm.DB) error {
		k, err := lockContract(tx, scope)
		if err != nil {
			return err
		}
		if !k.Accepted() {
			return core.Conflict("Mittel können erst abgerufen werden, wenn Ihre Organisation den Vertrag angenommen hat.")
		}
		v := &core.ValidationError{}
		from := dateField(v, "period_from", in.From, "Bitte geben Sie den Beginn des Zeitraums an.")
		to := dateField(v, "period_to", in.To, "Bitte geben Sie das Ende des Zeitraums an.")
		amount, msg := rules.ParseCents(in.Amount)
		if msg != "" {
			v.Add("amount", "invalid", msg)
		}
		if err := v.OrNil(); err != nil {
			return err
		}
		limits, err := k.Check().CheckDrawdown(from, to, amount)
		if err != nil {
			return err
		}
		if err := tx.Raw(`INSERT INTO drawdowns (contract_id, period_from, period_to, amount_cents, requested_by, requested_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, k.ID, string(from), string(to), int64(amount), actor.UserID, now).Scan(&id).Error; err != nil {
			return fmt.Errorf("store draw-down: %w", err)
		}
		_, err = audit.Audit(tx, audit.Event{Chain: audit.CallChain(k.CallID), ActorID: actor.UserID, TenantID: k.TenantID, Action: "forwarding.drawdown_requested",
			ObjectType: "drawdown", ObjectID: strconv.FormatInt(id, 10),
			Details: map[string]any{"org_id": k.OrgID, "period": from.German() + " – " + to.German(), "amount": amount.German(),
				"granted": limits.Granted.German(), "justified": limits.Justified.German()}})
		return err
	})
	return id, err
}

// leadDrawdown locks draw-down id of a contract of call scope.Call for the Kreis's lead.
func leadDrawdown(tx *gorm.DB, actor *core.Actor, scope core.CallScope, id int64) (*Contract, *Drawdown, error) {
	if !actor.HasTenantRole(scope.Tenant, core.RoleLead) {
		return nil, nil, fmt.Errorf("draw-down %d: %w", id, core.ErrNotFound)
	}
	var org int64
	if err := tx.Raw(`SELECT k.org_id FROM drawdowns d JOIN forwarding_contracts k ON k.id = d.contract_id
		WHERE d.id = ? AND k.call_id = ? AND k.tenant_id = ?`, id, scope.Call, scope.Tenant).Scan(&org).Error; err != nil {
		return nil, nil, fmt.Errorf("find draw-down: %w", err)
	}
	if org == 0 {
		return nil, nil, fmt.Errorf("draw-down %d: %w", id, core.ErrNotFound)
	}
	k, err := lockContract(tx, core.OrgCallScope{Org: org, Call: scope.Call})
	if err != nil {
		return nil, nil, err
	}
	for i := range k.Drawdowns {
		if k.Drawdowns[i].ID == id {
			return k, &k.Drawdowns[i], nil
		}
	}
	return nil, nil, fmt.Errorf("draw-down %d: %w", id, core.ErrNotFound)
}

// Decisions on a Mittelabruf.
const (
	DecisionApprove = "approve"
	DecisionRefuse  = "refuse"
)

// DecideDrawdown approves (decision DecisionApprove) or refuses (DecisionRefuse) a
// requested Mittelabruf (rules.md R37); a refusal needs a reason. Leads of the Kreis only;
// audited as forwarding.drawdown_approved or forwarding.drawdown_refused; the provider
// gets a Postfach message.
func DecideDrawdown(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.CallScope, id int64, decision, reason string, now time.Time) error {
	reason = strings.TrimSpace(reason)
	approve := decision == DecisionApprove
	return store.InTx(ctx, db, func(tx *gorm.DB) error {
		k, d, err := leadDrawdown(tx, actor, scope, id)
		if err != nil {
			return err
		}
		v := &core.ValidationError{}
		if !approve && decision != DecisionRefuse {
			v.Add("decision", "required", "Bitte wählen Sie „Bewilligen“ oder „Ablehnen“.")
		}
		if decision == DecisionRefuse && reason == "" || len([]rune(reason)) > 4000 {
			v.Add("reason", "required", "Bitte begründen Sie die Ablehnung (höchstens 4.000 Zeichen).")
		}
		if err := v.OrNil(); err != nil {
			return err
		}
		if d.State != DrawRequested {
			return core.Conflict("Über diesen Mittelabruf ist bereits entschieden.")
		}
		state, action, label := DrawApproved, "forwarding.drawdown_approved", "bewilligt"
		if !approve {
			state, action, label = DrawRefused, "forwarding.drawdown_refused", "abgelehnt"
		}
		if err := tx.Exec(`UPDATE drawdowns SET state = ?, decided_by = ?, decided_at = ?, reason = ? WHERE id = ?`, state, actor.UserID, now, reason, id).Error; err != nil {
			return fmt.Errorf("decide draw-down: %w", err)
		}
		body := fmt.Sprintf("Ihr Mittelabruf über %s für %s bis %s wurde %s.", d.Amount.German(), d.From.German(), d.To.German(), label)
		if reason != "" {
			body += "\n\nBegründung: " + reason
		}
		if err := notifyOrg(tx, k, "Mittelabruf "+label+": "+k.Terms.CallRef, body+"\n", now); err != nil {
			return err
		}
		_, err = audit.Audit(tx, audit.Event{Chain: audit.CallChain(k.CallID), ActorID: actor.UserID, TenantID: k.TenantID, Action: action,
			ObjectType: "drawdown", ObjectID: strconv.FormatInt(id, 10), Details: map[string]any{"org_id": k.OrgID, "amount": d.Amount.German(), "reason": reason}})
		return err
	})
}

// RecordPayment records the payment of an approved Mittelabruf (rules.md R37). Leads
// only; audited as forwarding.drawdown_paid.
func RecordPayment(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.CallScope, id int64, now time.Time) error {
	return store.InTx(ctx, db, func(tx *gorm.DB) error {
		k, d, err := leadDrawdown(tx, actor, scope, id)
		if err != nil {
			return err
		}
		if d.State != DrawApproved {
			return core.Conflict("Nur ein bewilligter, noch nicht ausgezahlter Mittelabruf kann als ausgezahlt vermerkt werden.")
		}
		if err := tx.Exec(`UPDATE drawdowns SET state = 'paid', paid_by = ?, paid_at = ? WHERE id = ?`, actor.UserID, now, id).Error; err != nil {
			return fmt.Errorf("record payment: %w", err)
		}
		if err := notifyOrg(tx, k, "Zahlung veranlasst: "+k.Terms.CallRef,
			fmt.Sprintf("Die Zahlung von %s für %s bis %s ist veranlasst.\n", d.Amount.German(), d.From.German(), d.To.German()), now); err != nil {
			return err
		}
		_, err = audit.Audit(tx, audit.Event{Chain: audit.CallChain(k.CallID), ActorID: actor.UserID, TenantID: k.TenantID, Action: "forwarding.drawdown_paid",
			ObjectType: "drawdown", ObjectID: strconv.FormatInt(id, 10), Details: map[string]any{"org_id": k.OrgID, "amount": d.Amount.German()}})
		return err
	})
}
