package opendata

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"kimibv/models/rules"
)

// The award part of the open data. OCDSProcedures fills OCDSProcedure.AwardStages from the
// decision and its notices with one more query for all procedures (the query count stays
// constant); awardReleases builds one release per stage. A procedure without issued
// notices has no award stage and no award release.

// OCDSAwardStage is one published state of a procedure's award: the recorded decision
// after the notices (Key "decision", AwardStatus "pending" during the standstill) or the
// final award (Key "final", AwardStatus "active", tender status "complete").
type OCDSAwardStage struct {
	Key          string    // stable part of the release id: "<ocid>-award-<Key>"
	Date         time.Time // when the stage became public (notices sent, award final)
	AwardStatus  string    // awardStatus codelist: pending, active, cancelled, unsuccessful
	TenderStatus string    // tenderStatus of the snapshot: "active" or "complete"
	Tenderers    []OCDSOrg // every bidding organisation (public once the award record is)
	Awards       []OCDSAwardInput
}

// OCDSOrg is a provider organisation by id and registered name (a legal person; never
// its staff).
type OCDSOrg struct {
	ID   int64
	Name string
}

// OCDSAwardInput is the award to one selected organisation: its posts per lot.
type OCDSAwardInput struct {
	Org  OCDSOrg
	Lots []OCDSAwardLot
}

// OCDSAwardLot is the number of posts (VZÄ) awarded in a lot.
type OCDSAwardLot struct {
	LotKey string
	FTE    decimal.Decimal
}

// OCDSAwardJSON is an award of a release (core plus relatedLots of the lots extension).
type OCDSAwardJSON struct {
	ID             string       `json:"id"`
	Title          string       `json:"title"`
	Status         string       `json:"status"`
	Date           string       `json:"date"`
	Value          *OCDSValue   `json:"value"`
	Suppliers      []OCDSOrgRef `json:"suppliers"`
	Items          []OCDSItem   `json:"items"`
	ContractPeriod *OCDSPeriod  `json:"contractPeriod,omitempty"`
	RelatedLots    []string     `json:"relatedLots,omitempty"`
}

// orgPartyID is the party id of a provider organisation.
func orgPartyID(id int64) string { return fmt.Sprintf("org-%d", id) }

// awardReleases builds one release per award stage (tag "award" for the first stage,
// "awardUpdate" for later ones): the tender snapshot with tenderers, the parties with
// roles tenderer and supplier, and one award per selected organisation with its posts
// as items (unit VZÄ, unit value = funding per VZÄ and year) and its yearly value.
// It returns nil while AwardStages is empty, that is before the notices are issued.
func (p *OCDSProcedure) awardReleases(o OCDSOptions) []*OCDSRelease {
	var out []*OCDSRelease
	for i, st := range p.AwardStages {
		tag := "award"
		if i > 0 {
			tag = "awardUpdate"
		}
		r := p.release(o, o.OCID(p.Ref)+"-award-"+st.Key, tag, len(p.Versions)-1, st.Date, st.TenderStatus)
		c := p.Versions[len(p.Versions)-1].Content
		roles := map[int64][]string{}
		var order []OCDSOrg
		for _, org := range st.Tenderers {
			if _, ok := roles[org.ID]; !ok {
				order = append(order, org)
			}
			roles[org.ID] = []string{"tenderer"}
			r.Tender.Tenderers = append(r.Tender.Tenderers, OCDSOrgRef{ID: orgPartyID(org.ID), Name: org.Name})
		}
		n := len(st.Tenderers)
		r.Tender.NumberOfTenderers = &n
		for _, aw := range st.Awards {
			if _, ok := roles[aw.Org.ID]; !ok {
				order = append(order, aw.Org)
			}
			roles[aw.Org.ID] = append(roles[aw.Org.ID], "supplier")
			r.Awards = append(r.Awards, awardJSON(st, aw, &c, r.Tender.ContractPeriod))
		}
		for _, org := range order {
			r.Parties = append(r.Parties, OCDSParty{ID: orgPartyID(org.ID), Name: org.Name, Roles: roles[org.ID]})
		}
		out = append(out, r)
	}
	return out
}

// awardJSON is the award of stage st to one organisation.
func awardJSON(st OCDSAwardStage, aw OCDSAwardInput, c *rules.CallContent, period *OCDSPeriod) OCDSAwardJSON {
	a := OCDSAwardJSON{ID: "award-" + orgPartyID(aw.Org.ID), Title: "Weiterleitung an " + aw.Org.Name, Status: st.AwardStatus,
		Date: ocdsTime(st.Date), Suppliers: []OCDSOrgRef{{ID: orgPartyID(aw.Org.ID), Name: aw.Org.Name}}, ContractPeriod: period}
	total := decimal.Zero
	for _, l := range aw.Lots {
		name := l.LotKey
		if lot, ok := c.Lot(l.LotKey); ok {
			name = lot.Name
		}
		a.Items = append(a.Items, fteItem(fmt.Sprintf("%s-%s", l.LotKey, orgPartyID(aw.Org.ID)),
			"Case-Management-Stellen im Los "+name+" (Vollzeitäquivalente)", l.LotKey, l.FTE, c))
		a.RelatedLots = append(a.RelatedLots, l.LotKey)
		total = total.Add(l.FTE)
	}
	a.Value = ocdsEuro(total.Mul(c.FundingTotalPerFTE()))
	return a
}
