package forwarding

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/postbox"
	"kimibv/models/rules"
)

// Provider is a selected provider of an awarded call as the lead sees it: its posts and,
// once issued, its contract.
type Provider struct {
	OrgID    int64
	OrgName  string
	FTE      decimal.Decimal
	Contract *Contract
}

// LeadView is the forwarding page of an awarded call for its lead.
type LeadView struct {
	CallID        int64
	Ref, Title    string
	State         rules.CallState
	Form          string
	VacancyMonths int
	Providers     []Provider
	Coverage      []Coverage
}

// FormLabel names the Kreis's form of the forwarding.
func (v *LeadView) FormLabel() string { return FormLabel(v.Form) }

// Awarded reports whether the call's award is final.
func (v *LeadView) Awarded() bool { return v.State == rules.CallAwarded }

// LoadLeadView reads the forwarding of call scope.Call for the Kreis's lead: every
// selected provider with its contract, posts and draw-downs, and the coverage per lot.
func LoadLeadView(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.CallScope, now time.Time) (*LeadView, error) {
	tx := db.WithContext(ctx)
	c, _, err := calls.LoadLeadCall(tx, actor, scope.Call, false, "forwarding", func(c *calls.LeadCallRow) error {
		if c.TenantID != scope.Tenant {
			return fmt.Errorf("call %d: %w", c.ID, core.ErrNotFound)
		}
		if c.State != rules.CallAwarded {
			return core.Conflict("Die Weiterleitung der Mittel beginnt mit der endgültigen Vergabe.")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	v := &LeadView{CallID: c.ID, Ref: c.Ref, Title: c.Title, State: c.State}
	if err := tx.Raw(`SELECT forwarding_form AS form, vacancy_flag_months FROM tenants WHERE id = ?`, c.TenantID).Row().Scan(&v.Form, &v.VacancyMonths); err != nil {
		return nil, fmt.Errorf("load forwarding settings: %w", err)
	}
	var provs []struct {
		OrgID   int64
		OrgName string
		FTE     decimal.Decimal
	}
	if err := tx.Raw(`SELECT b.org_id, o.name AS org_name, sum(a.fte) AS fte FROM decision_allocations a JOIN bids b ON b.id = a.bid_id
		JOIN organizations o ON o.id = b.org_id WHERE a.call_id = ? AND a.fte > 0 GROUP BY b.org_id, o.name ORDER BY o.name`, c.ID).Scan(&provs).Error; err != nil {
		return nil, fmt.Errorf("load selected providers: %w", err)
	}
	for _, p := range provs {
		v.Providers = append(v.Providers, Provider{OrgID: p.OrgID, OrgName: p.OrgName, FTE: p.FTE})
	}
	ks, err := loadContracts(tx, `WHERE k.call_id = ?`, c.ID)
	if err != nil {
		return nil, err
	}
	today := rules.NewDate(now)
	for i := range v.Providers {
		for _, k := range ks {
			if k.OrgID == v.Providers[i].OrgID {
				flagVacancies(k, today, v.VacancyMonths)
				v.Providers[i].Contract = k
				v.Coverage = append(v.Coverage, coverage(k)...)
			}
		}
	}
	return v, nil
}

// flagVacancies marks the posts vacant longer than months (rules.md R36).
func flagVacancies(k *Contract, today rules.Date, months int) {
	for i, p := range k.Posts {
		k.Posts[i].Flagged = p.State == PostVacant && rules.VacantTooLong(p.VacantSince, today, months)
	}
}

// coverage sums the contract's posts per lot.
func coverage(k *Contract) []Coverage {
	var out []Coverage
	for _, l := range k.Terms.Lots {
		cv := Coverage{OrgName: k.OrgName, Lot: l.Name, Awarded: l.FTE}
		for _, p := range k.Posts {
			if p.LotKey != l.Key {
				continue
			}
			switch {
			case p.State == PostFilled:
				cv.Filled = cv.Filled.Add(p.FTE)
			case p.Flagged:
				cv.Vacant++
				cv.Flagged++
			default:
				cv.Vacant++
			}
		}
		out = append(out, cv)
	}
	return out
}

// Vacancy is a post vacant longer than the Kreis's setting, for the lead's work area.
type Vacancy struct {
	TenantID    int64
	CallID      int64
	CallRef     string
	OrgName     string
	Lot         string
	No          int
	VacantSince rules.Date
}

// FlaggedVacancies lists the posts of the contracts of tenantIDs whose latest report is
// vacant for longer than the Kreis's setting at now (rules.md R36), for the leads' work
// area: one statement whatever the number of contracts.
func FlaggedVacancies(tx *gorm.DB, tenantIDs []int64, now time.Time) ([]Vacancy, error) {
	if len(tenantIDs) == 0 {
		return nil, nil
	}
	var rows []struct {
		TenantID, CallID int64
		CallRef, OrgName string
		Lot              string
		PostNo           int
		State            string
		VacantSince      *string
		Months           int
	}
	if err := tx.Raw(`SELECT * FROM (SELECT DISTINCT ON (r.contract_id, r.lot_key, r.post_no) k.tenant_id, k.call_id, c.ref AS call_ref, o.name AS org_name,
		coalesce((SELECT l->>'Name' FROM jsonb_array_elements(k.terms->'Lots') l WHERE l->>'Key' = r.lot_key), r.lot_key) AS lot,
		r.post_no, r.state, to_char(r.vacant_since, 'YYYY-MM-DD') AS vacant_since, t.vacancy_flag_months AS months
		FROM post_reports r JOIN forwarding_contracts k ON k.id = r.contract_id JOIN calls c ON c.id = k.call_id
		JOIN organizations o ON o.id = k.org_id JOIN tenants t ON t.id = k.tenant_id
		WHERE k.tenant_id IN ? ORDER BY r.contract_id, r.lot_key, r.post_no, r.id DESC) x WHERE state = 'vacant' ORDER BY vacant_since, call_id`, tenantIDs).
		Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("load vacant posts: %w", err)
	}
	var out []Vacancy
	for _, r := range rows {
		since := rules.Date(deref(r.VacantSince))
		if rules.VacantTooLong(since, rules.NewDate(now), r.Months) {
			out = append(out, Vacancy{TenantID: r.TenantID, CallID: r.CallID, CallRef: r.CallRef, OrgName: r.OrgName, Lot: r.Lot, No: r.PostNo, VacantSince: since})
		}
	}
	return out, nil
}

// notifyOrg writes a Postfach message to the contract's organisation and mails its members.
func notifyOrg(tx *gorm.DB, k *Contract, subject, body string, now time.Time) error {
	if _, err := postbox.InsertInbox(tx, []postbox.InboxRow{{OrgID: k.OrgID, CallID: &k.CallID, Kind: postbox.InboxForwarding, Subject: subject, Body: body,
		CreatedAt: &now}}); err != nil {
		return fmt.Errorf("store message: %w", err)
	}
	if err := postbox.QueueMailsTo(tx, &k.TenantID, "forwarding", subject, body,
		`SELECT u.email FROM users u JOIN organization_members m ON m.user_id = u.id WHERE m.org_id = ? ORDER BY u.email`, k.OrgID); err != nil {
		return fmt.Errorf("mail organisation: %w", err)
	}
	return nil
}

// mailLeads queues a mail to the leads of the contract's Kreis.
func mailLeads(tx *gorm.DB, k *Contract, subject, body string) error {
	if err := postbox.QueueMailsTo(tx, &k.TenantID, "forwarding", subject, body,
		`SELECT u.email FROM users u JOIN tenant_memberships m ON m.user_id = u.id WHERE m.tenant_id = ? AND m.role = 'lead' ORDER BY u.email`, k.TenantID); err != nil {
		return fmt.Errorf("mail leads: %w", err)
	}
	return nil
}
