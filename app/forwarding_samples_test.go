package app

import (
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"kimibv/app/pdfdoc"
	"kimibv/models/accounts"
	"kimibv/models/forwarding"
	"kimibv/models/rules"
)

// sampleContract is an accepted contract with a filled and a vacant post, two draw-downs
// and a proof whose PDF was replaced.
func sampleContract() *forwarding.Contract {
	at := time.Date(2027, 1, 10, 9, 0, 0, 0, time.UTC)
	name := "Anna Admin"
	submitted := at.AddDate(1, 1, 0)
	file := forwarding.ProofFile{ID: 12, Name: "Belege 2027 korrigiert.pdf", Size: 245_760, SHA256: strings.Repeat("ab", 32), Uploaded: submitted.AddDate(0, 0, 2)}
	tr := forwarding.Terms{Form: forwarding.FormContract, CallRef: "musterland-2026-05", CallTitle: "KIM-Case-Management 2027",
		Authority: "Kreis Musterland – Der Landrat", OrgName: "Brückenschlag e. V.", LegalBasis: forwarding.LegalBasis,
		Lots:          []forwarding.TermsLot{{Key: "L1", Name: "Nord", FTE: decimal.NewFromInt(2), PerYear: decimal.NewFromInt(124000)}},
		FundingPerFTE: decimal.NewFromInt(57000), KreisTopUp: decimal.NewFromInt(5000), Period: rules.Period{From: "2027-02-01", To: "2028-01-31"},
		Years: []forwarding.TermsYear{{No: 1, Period: rules.Period{From: "2027-02-01", To: "2028-01-31"}, Grant: 12_397_123, ProofDue: rules.ProofDue("2028-01-31")},
			{No: 2, Period: rules.Period{From: "2028-02-01", To: "2029-01-31"}, Grant: 12_400_000, ProofDue: rules.ProofDue("2029-01-31")}}}
	return &forwarding.Contract{ID: 1, CallID: 5, OrgID: 4, OrgName: "Brückenschlag e. V.", Form: forwarding.FormContract, Terms: tr, IssuedAt: at,
		AcceptedName: &name, AcceptedAt: &at,
		Posts: []forwarding.Post{{LotKey: "L1", LotName: "Nord", No: 1, State: forwarding.PostFilled, FTE: decimal.NewFromInt(1), StartDate: "2027-02-01", Qualified: true},
			{LotKey: "L1", LotName: "Nord", No: 2, State: forwarding.PostVacant, VacantSince: "2027-02-01", PlannedStart: "2027-05-01", Flagged: true}},
		Drawdowns: []forwarding.Drawdown{{ID: 1, From: "2027-02-01", To: "2027-02-28", Amount: 475_616, State: forwarding.DrawPaid, PaidAt: &at},
			{ID: 2, From: "2027-03-01", To: "2027-03-31", Amount: 526_575, State: forwarding.DrawRequested}},
		Proofs: []forwarding.Proof{{ID: 7, YearNo: 1, Report: "Case Management für 42 Familien aufgebaut.", Personnel: map[string]rules.Cents{"L1/1": 400_000, "L1/2": 0},
			PersonnelT: 400_000, Other: 25_616, Received: 475_616, SubmittedAt: submitted, FileID: &file.ID, File: &file,
			Superseded: []forwarding.ProofFile{{ID: 11, Name: "Belege 2027.pdf", Size: 198_000, SHA256: strings.Repeat("cd", 32), Uploaded: submitted, Replaced: &file.Uploaded}}}}}
}

// sampleForwardingOrg is the provider's list (list) or contract page.
func sampleForwardingOrg(list bool) orgForwardingPage {
	o := &accounts.Organization{ID: 4, Name: "Brückenschlag e. V."}
	k := sampleContract()
	if list {
		return orgForwardingPage{Org: o, Contracts: []*forwarding.Contract{k}}
	}
	return orgForwardingPage{Org: o, Contract: k, Admin: true, Base: "/traeger/4/weiterleitung/5", PDF: "/traeger/4/weiterleitung/5/vertrag.pdf", MaxFile: "20 MB"}
}

// sampleForwardingLead is the lead's page with one contract and one provider without.
func sampleForwardingLead() leadForwardingPage {
	k := sampleContract()
	v := &forwarding.LeadView{CallID: 5, Ref: "musterland-2026-05", Title: "KIM-Case-Management 2027", State: rules.CallAwarded, Form: forwarding.FormContract,
		VacancyMonths: 3, Providers: []forwarding.Provider{{OrgID: 4, OrgName: k.OrgName, FTE: decimal.NewFromInt(2), Contract: k},
			{OrgID: 6, OrgName: "Caritasverband e. V.", FTE: decimal.NewFromInt(1)}},
		Coverage: []forwarding.Coverage{{OrgName: k.OrgName, Lot: "Nord", Awarded: decimal.NewFromInt(2), Filled: decimal.NewFromInt(1), Vacant: 1, Flagged: 1}}}
	return leadForwardingPage{V: v, Base: "/verwaltung/musterland/verfahren/5/weiterleitung", CallHref: "/verwaltung/musterland/verfahren/5",
		SummaryHref: "/verwaltung/musterland/weiterleitung"}
}

// sampleForwardingSummary is the year summary of 2027 with the sample contract and a
// provider that has not accepted and whose proof is overdue.
func sampleForwardingSummary() forwardingSummaryPage {
	k := sampleContract()
	line := forwarding.SummaryLine{CallID: 5, CallRef: k.Terms.CallRef, CallTitle: k.Terms.CallTitle, OrgName: k.OrgName, Lots: "Nord 2,00", Accepted: true}
	other := line
	other.OrgName, other.Lots, other.Accepted = "Caritasverband e. V.", "Nord 1,00", false
	checked := time.Date(2028, 3, 2, 10, 0, 0, 0, time.UTC)
	v := &forwarding.YearSummaryView{Year: 2027, Years: []int{2027, 2028, 2029}, AsOf: "2027-12-31",
		Funds: []forwarding.FundsLine{
			{SummaryLine: line, FundsRow: rules.FundsRow{Days: rules.Period{From: "2027-02-01", To: "2027-12-31"}, Awarded: decimal.NewFromInt(2), FilledKnown: true,
				FilledOn: "2027-12-31", FilledAtEnd: decimal.NewFromInt(1), FilledAvg: decimal.RequireFromString("0.92"), Grant: 11_372_603, Paid: 475_616}},
			{SummaryLine: other, FundsRow: rules.FundsRow{Days: rules.Period{From: "2027-02-01", To: "2027-10-31"}, Awarded: decimal.NewFromInt(1), FilledKnown: true,
				FilledOn: "2027-10-31", Grant: 5_129_315}}},
		Proofs: []forwarding.ProofLine{
			{SummaryLine: line, ProofRow: rules.ProofRow{No: 1, Period: rules.Period{From: "2027-02-01", To: "2027-12-31"}, Grant: 12_397_123, Paid: 475_616,
				Due: rules.ProofDue("2027-12-31"), State: rules.ProofStateChecked, SubmittedAt: &checked, CheckedAt: &checked, Result: rules.ProofRepayment,
				Used: 425_616, Repayment: 50_000}},
			{SummaryLine: other, ProofRow: rules.ProofRow{No: 1, Period: rules.Period{From: "2027-02-01", To: "2027-10-31"}, Grant: 5_129_315,
				Due: rules.ProofDue("2027-10-31"), State: rules.ProofStateOverdue}}},
		FundsTotal: rules.FundsTotals{Awarded: decimal.NewFromInt(3), FilledAtEnd: decimal.NewFromInt(1), FilledAvg: decimal.RequireFromString("0.92"),
			Grant: 16_501_918, Paid: 475_616},
		ProofTotal: rules.ProofTotals{Grant: 17_526_438, Paid: 475_616, Used: 425_616, Repayment: 50_000, Received: 1, Checked: 1, Overdue: 1}}
	return forwardingSummaryPage{Tenant: &accounts.Tenant{ID: 1, Slug: "musterland", Name: "Kreis Musterland"}, Years: v.Years, V: v,
		Base: "/verwaltung/musterland/weiterleitung", Calls: "/verwaltung/musterland/verfahren", Method: pdfdoc.SummaryMethod(2027), Created: "02.03.2028 10:00 Uhr"}
}
