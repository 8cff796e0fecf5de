package forwarding

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"kimibv/models/core"
	"kimibv/models/rules"
	"kimibv/models/vault"
)

// Contract is one forwarding contract with its posts and draw-downs.
type Contract struct {
	ID, TenantID, CallID, OrgID, BidID int64
	OrgName                            string
	Form                               string
	Terms                              Terms
	DocumentID                         int64
	IssuedAt                           time.Time
	AcceptedName                       *string
	AcceptedAt                         *time.Time
	Posts                              []Post
	Reports                            []rules.PostReport
	Drawdowns                          []Drawdown
	Proofs                             []Proof
}

// Accepted reports whether the provider accepted the contract.
func (k *Contract) Accepted() bool { return k.AcceptedAt != nil }

// Check is the draw-down check of the contract's current state.
func (k *Contract) Check() rules.DrawdownCheck {
	c := rules.DrawdownCheck{Funding: k.Terms.Period, PerYear: k.Terms.TotalPerFTE(), Awarded: k.Terms.Awarded(), Reports: k.Reports, Accepted: k.Accepted()}
	for _, d := range k.Drawdowns {
		if d.State != DrawRefused {
			c.Taken = append(c.Taken, rules.Period{From: d.From, To: d.To})
		}
	}
	return c
}

// Paid is the sum of the recorded payments.
func (k *Contract) Paid() rules.Cents {
	var s rules.Cents
	for _, d := range k.Drawdowns {
		if d.State == DrawPaid {
			s += d.Amount
		}
	}
	return s
}

// contractRow is a forwarding_contracts row with the organisation's name.
type contractRow struct {
	ID, TenantID, CallID, OrgID, BidID int64
	OrgName                            string
	Form                               string
	Terms                              string
	DocumentID                         int64
	IssuedAt                           time.Time
	AcceptedName                       *string
	AcceptedAt                         *time.Time
}

const contractSelect = `SELECT k.id, k.tenant_id, k.call_id, k.org_id, k.bid_id, o.name AS org_name, k.form, k.terms::text AS terms,
	k.document_id, k.issued_at, k.accepted_name, k.accepted_at FROM forwarding_contracts k JOIN organizations o ON o.id = k.org_id `

// loadContracts reads the contracts matching where with their posts, draw-downs and
// proofs: four statements whatever the number of contracts.
func loadContracts(tx *gorm.DB, where string, args ...any) ([]*Contract, error) {
	var rows []contractRow
	if err := tx.Raw(contractSelect+where+` ORDER BY o.name, k.id`, args...).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("load contracts: %w", err)
	}
	out := make([]*Contract, 0, len(rows))
	byID := make(map[int64]*Contract, len(rows))
	for _, r := range rows {
		k := &Contract{ID: r.ID, TenantID: r.TenantID, CallID: r.CallID, OrgID: r.OrgID, BidID: r.BidID, OrgName: r.OrgName, Form: r.Form,
			DocumentID: r.DocumentID, IssuedAt: r.IssuedAt, AcceptedName: r.AcceptedName, AcceptedAt: r.AcceptedAt}
		if err := json.Unmarshal([]byte(r.Terms), &k.Terms); err != nil {
			return nil, fmt.Errorf("decode terms of contract %d: %w", r.ID, err)
		}
		out = append(out, k)
		byID[k.ID] = k
	}
	if len(out) == 0 {
		return out, nil
	}
	for _, load := range []func(*gorm.DB, map[int64]*Contract) error{loadPosts, loadDrawdowns, loadProofs} {
		if err := load(tx, byID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// contractIDs are the keys of byID.
func contractIDs(byID map[int64]*Contract) []int64 {
	ids := make([]int64, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	return ids
}

// lockContract locks organisation scope.Org's contract of call scope.Call (ErrNotFound
// when there is none).
func lockContract(tx *gorm.DB, scope core.OrgCallScope) (*Contract, error) {
	var id int64
	if err := tx.Raw(`SELECT id FROM forwarding_contracts WHERE call_id = ? AND org_id = ? FOR UPDATE`, scope.Call, scope.Org).Scan(&id).Error; err != nil {
		return nil, fmt.Errorf("lock contract: %w", err)
	}
	if id == 0 {
		return nil, fmt.Errorf("contract of org %d in call %d: %w", scope.Org, scope.Call, core.ErrNotFound)
	}
	ks, err := loadContracts(tx, `WHERE k.id = ?`, id)
	if err != nil {
		return nil, err
	}
	return ks[0], nil
}

// OrgContracts lists organisation orgID's contracts (members only).
func OrgContracts(ctx context.Context, db *gorm.DB, actor *core.Actor, orgID int64) ([]*Contract, error) {
	if !actor.InOrg(orgID) {
		return nil, fmt.Errorf("contracts of org %d: %w", orgID, core.ErrNotFound)
	}
	return loadContracts(db.WithContext(ctx), `WHERE k.org_id = ?`, orgID)
}

// OrgContract loads organisation scope.Org's contract of call scope.Call (members only).
func OrgContract(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.OrgCallScope) (*Contract, error) {
	if !actor.InOrg(scope.Org) {
		return nil, fmt.Errorf("contract of org %d: %w", scope.Org, core.ErrNotFound)
	}
	ks, err := loadContracts(db.WithContext(ctx), `WHERE k.org_id = ? AND k.call_id = ?`, scope.Org, scope.Call)
	if err != nil {
		return nil, err
	}
	if len(ks) == 0 {
		return nil, fmt.Errorf("contract of org %d in call %d: %w", scope.Org, scope.Call, core.ErrNotFound)
	}
	return ks[0], nil
}

// ContractDocument returns the contract's PDF for a member of its organisation.
func ContractDocument(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.OrgCallScope) (*vault.IssuedDocument, error) {
	k, err := OrgContract(ctx, db, actor, scope)
	if err != nil {
		return nil, err
	}
	return openDocument(ctx, db, k.DocumentID)
}

// openDocument loads and opens issued document id.
func openDocument(ctx context.Context, db *gorm.DB, id int64) (*vault.IssuedDocument, error) {
	var d []vault.IssuedDocument
	if err := db.WithContext(ctx).Raw(`SELECT * FROM issued_documents WHERE id = ?`, id).Scan(&d).Error; err != nil {
		return nil, fmt.Errorf("load contract document: %w", err)
	}
	if len(d) == 0 {
		return nil, fmt.Errorf("document %d: %w", id, core.ErrNotFound)
	}
	if err := vault.OpenDocument(db.WithContext(ctx), &d[0]); err != nil {
		return nil, err
	}
	return &d[0], nil
}

// Coverage is the posts of one lot of one provider: awarded and currently filled VZÄ.
type Coverage struct {
	OrgName string
	Lot     string
	Awarded decimal.Decimal
	Filled  decimal.Decimal
	Vacant  int
	Flagged int // posts vacant longer than the Kreis's setting
}

// AcceptedByName is the name the accepting person declared ("" before the acceptance).
func (k *Contract) AcceptedByName() string {
	if k.AcceptedName == nil {
		return ""
	}
	return *k.AcceptedName
}
