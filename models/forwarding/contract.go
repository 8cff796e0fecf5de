package forwarding

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
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

// Forms of the forwarding (tenants.forwarding_form).
const (
	FormContract = "vertrag"
	FormNotice   = "bescheid"
)

// FormLabel names the form in German.
func FormLabel(form string) string {
	if form == FormNotice {
		return "Zuwendungsbescheid"
	}
	return "Weiterleitungsvertrag"
}

// LegalBasis is the legal basis every forwarding names.
const LegalBasis = "Nr. 12 VV zu § 44 LHO (Weiterleitung von Zuwendungen an Dritte)"

// Documents renders the forwarding's PDF (app/pdfdoc implements it).
type Documents interface {
	Weiterleitung(meta vault.DocMeta, t *Terms) ([]byte, error)
}

// Terms are the frozen terms of one forwarding contract (rules.md R35): what its PDF
// shows, stored as the canonical JSON of the Prüfwert.
type Terms struct {
	Form             string
	CallRef          string
	CallTitle        string
	Authority        string
	OrgName          string
	LegalBasis       string
	CallLegalBasis   string
	FundingSource    string
	Lots             []TermsLot
	FundingPerFTE    decimal.Decimal // state funds per VZÄ and year
	KreisTopUp       decimal.Decimal // the Kreis's own top-up per VZÄ and year
	Period           rules.Period
	Years            []TermsYear
	DecidedOn        rules.Date
	ResolutionNumber string
	Letter           accounts.LetterParties
}

// TermsLot is the posts of one lot in the contract.
type TermsLot struct {
	Key     string
	Name    string
	FTE     decimal.Decimal
	PerYear decimal.Decimal
}

// TermsYear is one Förderjahr with its grant and the deadline of its Verwendungsnachweis.
type TermsYear struct {
	No       int
	Period   rules.Period
	Grant    rules.Cents
	ProofDue time.Time
}

// FormLabel names the contract's form.
func (t *Terms) FormLabel() string { return FormLabel(t.Form) }

// TotalPerFTE is the funding per VZÄ and year including the top-up.
func (t *Terms) TotalPerFTE() decimal.Decimal { return t.FundingPerFTE.Add(t.KreisTopUp) }

// TotalFTE is the contract's posts over all lots.
func (t *Terms) TotalFTE() decimal.Decimal {
	s := decimal.Zero
	for _, l := range t.Lots {
		s = s.Add(l.FTE)
	}
	return s
}

// Awarded maps lot key → VZÄ.
func (t *Terms) Awarded() map[string]decimal.Decimal {
	m := map[string]decimal.Decimal{}
	for _, l := range t.Lots {
		m[l.Key] = l.FTE
	}
	return m
}

// buildTerms assembles the terms of orgName's posts (lot key → VZÄ). Pure.
func buildTerms(form string, c rules.CallContent, ref, authority, orgName string, fte map[string]decimal.Decimal) Terms {
	t := Terms{Form: form, CallRef: ref, CallTitle: c.Title, Authority: authority, OrgName: orgName, LegalBasis: LegalBasis,
		CallLegalBasis: c.LegalBasis, FundingSource: c.FundingSource, FundingPerFTE: c.FundingPerFTE, KreisTopUp: c.KreisTopUp, Period: c.FundingPeriod}
	for _, l := range c.Lots {
		if f, ok := fte[l.Key]; ok && f.IsPositive() {
			t.Lots = append(t.Lots, TermsLot{Key: l.Key, Name: l.Name, FTE: f, PerYear: f.Mul(c.FundingTotalPerFTE())})
		}
	}
	for _, y := range rules.FundingYears(c.FundingPeriod) {
		t.Years = append(t.Years, TermsYear{No: y.No, Period: y.Period, ProofDue: rules.ProofDue(y.Period.To),
			Grant: rules.ProRata(t.TotalPerFTE(), y.Period.From, y.Period.To, rules.ConstantFTE(t.TotalFTE()))})
	}
	return t
}

// IssueContract issues the forwarding of call scope.Call's final award to organisation
// orgID (rules.md R35): only the Kreis's lead, only once the award is final, once per
// selected provider. The PDF goes into the provider's Postfach, its members get an
// e-mail; audited as forwarding.issued on the call's chain.
func IssueContract(ctx context.Context, db *gorm.DB, actor *core.Actor, docs Documents, scope core.CallScope, orgID int64, now time.Time) (int64, error) {
	var id int64
	err := store.InTx(ctx, db, func(tx *gorm.DB) error {
		c, content, err := calls.LoadLeadCall(tx, actor, scope.Call, true, "issue forwarding", func(c *calls.LeadCallRow) error {
			if c.TenantID != scope.Tenant {
				return fmt.Errorf("call %d: %w", c.ID, core.ErrNotFound)
			}
			if c.State != rules.CallAwarded {
				return core.Conflict("Der Weiterleitungsvertrag kann erst nach der endgültigen Vergabe ausgestellt werden.")
			}
			return nil
		})
		if err != nil {
			return err
		}
		var allocs []struct {
			BidID   int64
			OrgName string
			LotKey  string
			FTE     decimal.Decimal
		}
		if err := tx.Raw(`SELECT a.bid_id, o.name AS org_name, a.lot_key, a.fte FROM decision_allocations a JOIN bids b ON b.id = a.bid_id
			JOIN organizations o ON o.id = b.org_id WHERE a.call_id = ? AND b.org_id = ? AND a.fte > 0 ORDER BY a.lot_key`, c.ID, orgID).Scan(&allocs).Error; err != nil {
			return fmt.Errorf("load allocations: %w", err)
		}
		if len(allocs) == 0 {
			return fmt.Errorf("no posts of org %d in call %d: %w", orgID, c.ID, core.ErrNotFound)
		}
		var done int64
		if err := tx.Raw(`SELECT count(*) FROM forwarding_contracts WHERE call_id = ? AND org_id = ?`, c.ID, orgID).Scan(&done).Error; err != nil {
			return fmt.Errorf("check contract: %w", err)
		}
		if done > 0 {
			return core.Conflict("Für diesen Träger ist der Vertrag bereits ausgestellt.")
		}
		var tenant struct{ Name, Authority, ForwardingForm string }
		if err := tx.Raw(`SELECT name, authority, forwarding_form FROM tenants WHERE id = ?`, c.TenantID).Scan(&tenant).Error; err != nil {
			return fmt.Errorf("load tenant: %w", err)
		}
		var dec struct {
			DecidedOn        string
			ResolutionNumber string
		}
		if err := tx.Raw(`SELECT coalesce(to_char(decided_on, 'YYYY-MM-DD'), '') AS decided_on, resolution_number FROM decisions WHERE call_id = ?`, c.ID).Scan(&dec).Error; err != nil {
			return fmt.Errorf("load decision: %w", err)
		}
		fte := map[string]decimal.Decimal{}
		for _, a := range allocs {
			fte[a.LotKey] = a.FTE
		}
		authority := firstNonEmpty(content.Authority, tenant.Authority, tenant.Name)
		t := buildTerms(tenant.ForwardingForm, content, c.Ref, authority, allocs[0].OrgName, fte)
		t.DecidedOn, t.ResolutionNumber = rules.Date(dec.DecidedOn), dec.ResolutionNumber
		if t.Letter, err = accounts.LetterPartiesOf(tx, c.TenantID, orgID, authority); err != nil {
			return err
		}
		doc, err := vault.IssueDocument(tx, vault.IssueInput{TenantID: c.TenantID, CallID: c.ID, ActorID: actor.UserID, Kind: vault.DocWeiterleitung,
			Title: t.FormLabel() + " zum Verfahren " + c.Ref, Chain: audit.CallChain(c.ID), ObjectType: "call", ObjectID: strconv.FormatInt(c.ID, 10),
			RecipientOrgID: orgID, CanonicalData: &t, Render: func(m vault.DocMeta) ([]byte, error) { return docs.Weiterleitung(m, &t) }})
		if err != nil {
			return err
		}
		raw, err := json.Marshal(t)
		if err != nil {
			return fmt.Errorf("encode terms: %w", err)
		}
		if err := tx.Raw(`INSERT INTO forwarding_contracts (tenant_id, call_id, org_id, bid_id, form, terms, document_id, issued_by, issued_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, c.TenantID, c.ID, orgID, allocs[0].BidID, t.Form, string(raw), doc.ID, actor.UserID, now).Scan(&id).Error; err != nil {
			return fmt.Errorf("store contract: %w", err)
		}
		subject := t.FormLabel() + " zum Verfahren " + c.Ref
		body := fmt.Sprintf("Guten Tag,\n\nder %s über die Weiterleitung der Landesmittel für %s VZÄ im Verfahren „%s“ (%s) liegt in Ihrem Postfach. "+
			"Bitte nehmen Sie ihn im Portal an (Administration Ihrer Organisation); vorher können keine Mittel abgerufen werden.\n",
			t.FormLabel(), rules.FormatFTE(t.TotalFTE()), c.Title, c.Ref)
		if _, err := postbox.InsertInbox(tx, []postbox.InboxRow{{OrgID: orgID, CallID: &c.ID, Kind: postbox.InboxForwarding, Subject: subject, Body: body,
			DocumentID: &doc.ID, CreatedAt: &now}}); err != nil {
			return fmt.Errorf("store contract message: %w", err)
		}
		if err := postbox.QueueMailsTo(tx, &c.TenantID, "forwarding", subject, body,
			`SELECT u.email FROM users u JOIN organization_members m ON m.user_id = u.id WHERE m.org_id = ? ORDER BY u.email`, orgID); err != nil {
			return fmt.Errorf("mail contract: %w", err)
		}
		_, err = audit.Audit(tx, audit.Event{Chain: audit.CallChain(c.ID), ActorID: actor.UserID, TenantID: c.TenantID, Action: "forwarding.issued",
			ObjectType: "forwarding_contract", ObjectID: strconv.FormatInt(id, 10),
			Details: map[string]any{"org_id": orgID, "form": t.FormLabel(), "fte": rules.FormatFTE(t.TotalFTE()), "document": doc.ID}})
		return err
	})
	return id, err
}

// AcceptContract records the acceptance of organisation scope.Org's contract for call
// scope.Call by one of its administrators (rules.md R35), with the declaring person's
// name as typed and the time. Another organisation's contract is ErrNotFound; a second
// acceptance a conflict. Audited as forwarding.accepted.
func AcceptContract(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.OrgCallScope, name string, now time.Time) error {
	if !actor.InOrg(scope.Org) {
		return fmt.Errorf("contract of org %d: %w", scope.Org, core.ErrNotFound)
	}
	if !actor.IsOrgAdmin(scope.Org) {
		return core.Forbidden("Nur die Administration Ihrer Organisation kann den Vertrag annehmen.")
	}
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 200 {
		v := &core.ValidationError{}
		v.Add("name", "required", "Bitte geben Sie Ihren Namen ein (höchstens 200 Zeichen); er wird mit der Erklärung gespeichert.")
		return v
	}
	return store.InTx(ctx, db, func(tx *gorm.DB) error {
		k, err := lockContract(tx, scope)
		if err != nil {
			return err
		}
		if k.AcceptedAt != nil {
			return core.Conflict("Der Vertrag ist bereits angenommen.")
		}
		if err := tx.Exec(`UPDATE forwarding_contracts SET accepted_by = ?, accepted_name = ?, accepted_at = ? WHERE id = ?`,
			actor.UserID, name, now, k.ID).Error; err != nil {
			return fmt.Errorf("accept contract: %w", err)
		}
		_, err = audit.Audit(tx, audit.Event{Chain: audit.CallChain(k.CallID), ActorID: actor.UserID, TenantID: k.TenantID, Action: "forwarding.accepted",
			ObjectType: "forwarding_contract", ObjectID: strconv.FormatInt(k.ID, 10), Details: map[string]any{"org_id": k.OrgID, "declared_by": name}})
		return err
	})
}

// firstNonEmpty returns the first non-blank string.
func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if strings.TrimSpace(x) != "" {
			return x
		}
	}
	return ""
}

// DueDay is the last day for the year's Verwendungsnachweis ("31.07.2028").
func (y TermsYear) DueDay() string { return core.FormatDate(y.ProofDue.AddDate(0, 0, -1)) }
