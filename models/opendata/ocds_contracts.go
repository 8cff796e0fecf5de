package opendata

import (
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"kimibv/models/calls"
	"kimibv/models/forwarding"
	"kimibv/models/rules"
)

// The contracts part of the open data (rules.md R35–R38): each issue and acceptance of a
// forwarding contract, each recorded payment and each accepted Verwendungsnachweis adds a
// release to the awarded procedure (contractReleases): the final award's snapshot with one
// contract per Weiterleitungsvertrag, its implementation's transactions (recorded
// payments, Kreis → provider) and milestones (the Verwendungsnachweis of each Förderjahr,
// "met" with dateMet once accepted).

// OCDSContractInput is one issued forwarding contract with its recorded payments.
type OCDSContractInput struct {
	ID         int64
	Org        OCDSOrg
	Terms      forwarding.Terms
	IssuedAt   time.Time
	AcceptedAt *time.Time
	Payments   []OCDSPayment
	Proofs     []OCDSProof
}

// OCDSProof is the acceptance of the Verwendungsnachweis of a Förderjahr (rules.md R38):
// only that and when, no amounts.
type OCDSProof struct {
	ID         int64     `json:"id"`
	YearNo     int       `json:"year_no"`
	AcceptedAt time.Time `json:"accepted_at"`
}

// OCDSPayment is one recorded payment of a draw-down.
type OCDSPayment struct {
	ID     int64       `json:"id"`
	PaidAt time.Time   `json:"paid_at"`
	Cents  rules.Cents `json:"cents"`
}

// OCDSContractJSON is a contract of a release.
type OCDSContractJSON struct {
	ID             string              `json:"id"`
	AwardID        string              `json:"awardID"`
	Title          string              `json:"title"`
	Status         string              `json:"status"`
	Period         *OCDSPeriod         `json:"period,omitempty"`
	Value          *OCDSValue          `json:"value,omitempty"`
	DateSigned     string              `json:"dateSigned,omitempty"`
	Implementation *OCDSImplementation `json:"implementation,omitempty"`
}

// OCDSImplementation is a contract's implementation: payments and milestones.
type OCDSImplementation struct {
	Transactions []OCDSTransaction `json:"transactions,omitempty"`
	Milestones   []OCDSMilestone   `json:"milestones,omitempty"`
}

// OCDSTransaction is one payment from the Kreis to the provider.
type OCDSTransaction struct {
	ID    string      `json:"id"`
	Date  string      `json:"date"`
	Value *OCDSValue  `json:"value"`
	Payer *OCDSOrgRef `json:"payer"`
	Payee *OCDSOrgRef `json:"payee"`
}

// contractsOf reads the forwarding contracts of the public awarded calls selected by args
// (calls.PublicCallSQL) with one query.
func contractsOf(tx *gorm.DB, args []any) (map[int64][]OCDSContractInput, error) {
	var rows []struct {
		CallID, ID, OrgID int64
		OrgName, Terms    string
		IssuedAt          time.Time
		AcceptedAt        *time.Time
		Payments          string
		Proofs            string
	}
	if err := tx.Raw(`SELECT k.call_id, k.id, k.org_id, o.name AS org_name, k.terms::text AS terms, k.issued_at, k.accepted_at,
			(SELECT coalesce(json_agg(json_build_object('id', d.id, 'paid_at', d.paid_at, 'cents', d.amount_cents) ORDER BY d.paid_at, d.id), '[]')
			 FROM drawdowns d WHERE d.contract_id = k.id AND d.state = 'paid')::text AS payments,
			(SELECT coalesce(json_agg(json_build_object('id', p.id, 'year_no', p.year_no, 'accepted_at', p.checked_at) ORDER BY p.checked_at, p.id), '[]')
			 FROM proofs p WHERE p.contract_id = k.id AND p.result IN ('anerkannt', 'rueckforderung'))::text AS proofs
		FROM forwarding_contracts k JOIN calls c ON c.id = k.call_id JOIN organizations o ON o.id = k.org_id
		WHERE c.state = 'awarded' AND `+calls.PublicCallSQL+` ORDER BY k.call_id, o.name, k.id`, args...).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("load contracts for open data: %w", err)
	}
	out := map[int64][]OCDSContractInput{}
	for _, r := range rows {
		in := OCDSContractInput{ID: r.ID, Org: OCDSOrg{ID: r.OrgID, Name: r.OrgName}, IssuedAt: r.IssuedAt, AcceptedAt: r.AcceptedAt}
		if err := json.Unmarshal([]byte(r.Terms), &in.Terms); err != nil {
			return nil, fmt.Errorf("decode contract terms: %w", err)
		}
		if err := json.Unmarshal([]byte(r.Payments), &in.Payments); err != nil {
			return nil, fmt.Errorf("decode payments: %w", err)
		}
		if err := json.Unmarshal([]byte(r.Proofs), &in.Proofs); err != nil {
			return nil, fmt.Errorf("decode proofs: %w", err)
		}
		out[r.CallID] = append(out[r.CallID], in)
	}
	return out, nil
}

// contractEvent is one public event of the forwarding: a contract issued or accepted, or
// a payment recorded.
type contractEvent struct {
	at  time.Time
	key string // stable part of the release id
	tag string
}

// contractReleases builds one release per event of the forwarding in date order, each
// the final award's snapshot with the contracts as they stood at that event, so that a
// published release never changes (rules.md R24): "<ocid>-contract-<id>-issued" (tag
// contract), "-accepted" (contractUpdate), "<ocid>-payment-<id>" (implementation),
// "<ocid>-proof-<id>-accepted" (implementationUpdate).
func (p *OCDSProcedure) contractReleases(o OCDSOptions, awards []*OCDSRelease) []*OCDSRelease {
	if len(p.Contracts) == 0 || len(awards) == 0 {
		return nil
	}
	var events []contractEvent
	for _, k := range p.Contracts {
		events = append(events, contractEvent{k.IssuedAt, fmt.Sprintf("contract-%d-issued", k.ID), "contract"})
		if k.AcceptedAt != nil {
			events = append(events, contractEvent{*k.AcceptedAt, fmt.Sprintf("contract-%d-accepted", k.ID), "contractUpdate"})
		}
		for _, pay := range k.Payments {
			events = append(events, contractEvent{pay.PaidAt, fmt.Sprintf("payment-%d", pay.ID), "implementation"})
		}
		for _, pr := range k.Proofs {
			events = append(events, contractEvent{pr.AcceptedAt, fmt.Sprintf("proof-%d-accepted", pr.ID), "implementationUpdate"})
		}
	}
	out := make([]*OCDSRelease, 0, len(events))
	for _, ev := range events {
		r := *awards[len(awards)-1]
		r.ID, r.Tag, r.at, r.Date = o.OCID(p.Ref)+"-"+ev.key, []string{ev.tag}, ev.at, ocdsTime(ev.at)
		for _, k := range p.Contracts {
			if !k.IssuedAt.After(ev.at) {
				r.Contracts = append(r.Contracts, contractJSON(k, r.Buyer, ev.at))
			}
		}
		out = append(out, &r)
	}
	return out
}

// contractJSON is contract k as it stood at time at.
func contractJSON(k OCDSContractInput, buyer *OCDSOrgRef, at time.Time) OCDSContractJSON {
	c := OCDSContractJSON{ID: fmt.Sprintf("contract-%d", k.ID), AwardID: "award-" + orgPartyID(k.Org.ID), Title: k.Terms.FormLabel() + " mit " + k.Org.Name,
		Status: "pending"}
	if k.AcceptedAt != nil && !k.AcceptedAt.After(at) {
		c.Status, c.DateSigned = "active", ocdsTime(*k.AcceptedAt)
	}
	if from, to := k.Terms.Period.From.Time(), k.Terms.Period.To.Time(); !from.IsZero() && !to.IsZero() {
		c.Period = &OCDSPeriod{StartDate: ocdsTime(from), EndDate: ocdsTime(to.AddDate(0, 0, 1).Add(-time.Second))}
	}
	var total rules.Cents
	impl := &OCDSImplementation{}
	for _, y := range k.Terms.Years {
		total += y.Grant
		m := OCDSMilestone{ID: fmt.Sprintf("verwendungsnachweis-%d", y.No), Type: "reporting", Status: "scheduled",
			Title: fmt.Sprintf("Verwendungsnachweis für das Förderjahr %d (%s bis %s)", y.No, y.Period.From.German(), y.Period.To.German()), DueDate: ocdsTime(y.ProofDue)}
		for _, pr := range k.Proofs {
			if pr.YearNo == y.No && !pr.AcceptedAt.After(at) {
				m.Status, m.DateMet = "met", ocdsTime(pr.AcceptedAt)
			}
		}
		impl.Milestones = append(impl.Milestones, m)
	}
	c.Value = ocdsEuro(total.Decimal())
	for _, pay := range k.Payments {
		if !pay.PaidAt.After(at) {
			impl.Transactions = append(impl.Transactions, OCDSTransaction{ID: fmt.Sprintf("zahlung-%d", pay.ID), Date: ocdsTime(pay.PaidAt),
				Value: ocdsEuro(pay.Cents.Decimal()), Payer: buyer, Payee: &OCDSOrgRef{ID: orgPartyID(k.Org.ID), Name: k.Org.Name}})
		}
	}
	c.Implementation = impl
	return c
}
