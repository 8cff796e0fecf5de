package forwarding

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"

	"kimibv/models/core"
	"kimibv/models/rules"
)

// SummaryLine names the contract of a row of the year summary.
type SummaryLine struct {
	CallID    int64
	CallRef   string
	CallTitle string
	OrgName   string
	Lots      string // the contract's lots with their VZÄ, "Nord 2,00, Mitte 1,00"
	Accepted  bool   // the provider accepted the contract
}

// FundsLine is one contract's posts and money in the year.
type FundsLine struct {
	SummaryLine
	rules.FundsRow
}

// ProofLine is the Verwendungsnachweis of one Förderjahr ending in the year.
type ProofLine struct {
	SummaryLine
	rules.ProofRow
}

// YearSummaryView is the Kreis's summary of one calendar year across all its procedures
// and providers, for its report to the Land (rules.md R39): rows and totals as
// rules.SummarizeYear computes them, with the names of procedures and providers.
type YearSummaryView struct {
	Year       int
	Years      []int      // every year the Kreis has a summary for
	AsOf       rules.Date // the last day counted for the filled posts
	Running    bool       // the year has not ended
	Funds      []FundsLine
	Proofs     []ProofLine
	FundsTotal rules.FundsTotals
	ProofTotal rules.ProofTotals
}

// mayReadSummary admits the Kreis's leads, who run the forwarding, and its
// administrators, who prepare the Kreis's reports; everybody else gets ErrNotFound.
func mayReadSummary(actor *core.Actor, tenantID int64) error {
	if actor.HasTenantRole(tenantID, core.RoleLead) || actor.HasTenantRole(tenantID, core.RoleTenantAdmin) {
		return nil
	}
	return fmt.Errorf("forwarding summary of tenant %d: %w", tenantID, core.ErrNotFound)
}

// SummaryYears lists the calendar years in which a funding period of one of the Kreis's
// forwarding contracts has a day (rules.md R39), for its leads and administrators.
func SummaryYears(ctx context.Context, db *gorm.DB, actor *core.Actor, tenantID int64) ([]int, error) {
	if err := mayReadSummary(actor, tenantID); err != nil {
		return nil, err
	}
	var periods []rules.Period
	if err := db.WithContext(ctx).Raw(`SELECT terms->'Period'->>'from' AS "from", terms->'Period'->>'to' AS "to" FROM forwarding_contracts WHERE tenant_id = ?`,
		tenantID).Scan(&periods).Error; err != nil {
		return nil, fmt.Errorf("load funding periods: %w", err)
	}
	return rules.SummaryYears(periods), nil
}

// YearSummary reads the Kreis's summary of calendar year at now (rules.md R39): every
// contract of its procedures whose funding period has a day in the year, with posts,
// payments and proofs, in five statements whatever the number of contracts. Leads and
// administrators of the Kreis only; a year without contracts is ErrNotFound.
func YearSummary(ctx context.Context, db *gorm.DB, actor *core.Actor, tenantID int64, year int, now time.Time) (*YearSummaryView, error) {
	years, err := SummaryYears(ctx, db, actor, tenantID)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(years, year) {
		return nil, fmt.Errorf("forwarding summary %d of tenant %d: %w", year, tenantID, core.ErrNotFound)
	}
	first, last := fmt.Sprintf("%04d-01-01", year), fmt.Sprintf("%04d-12-31", year)
	ks, err := loadContracts(db.WithContext(ctx), `WHERE k.tenant_id = ? AND k.terms->'Period'->>'from' <= ? AND k.terms->'Period'->>'to' >= ?`,
		tenantID, last, first)
	if err != nil {
		return nil, err
	}
	sort.SliceStable(ks, func(i, j int) bool { return ks[i].Terms.CallRef < ks[j].Terms.CallRef }) // loaded by provider name
	in := make([]rules.SummaryContract, len(ks))
	for i, k := range ks {
		in[i] = k.summaryInput()
	}
	s := rules.SummarizeYear(in, year, now)
	v := &YearSummaryView{Year: year, Years: years, AsOf: s.AsOf, Running: s.Running, FundsTotal: s.FundsTotal, ProofTotal: s.ProofTotal}
	for _, r := range s.Funds {
		v.Funds = append(v.Funds, FundsLine{SummaryLine: ks[r.Contract].summaryLine(), FundsRow: r})
	}
	for _, r := range s.Proofs {
		v.Proofs = append(v.Proofs, ProofLine{SummaryLine: ks[r.Contract].summaryLine(), ProofRow: r})
	}
	return v, nil
}

// summaryInput is what rules.SummarizeYear needs of the contract.
func (k *Contract) summaryInput() rules.SummaryContract {
	c := rules.SummaryContract{Period: k.Terms.Period, PerYear: k.Terms.TotalPerFTE(), Awarded: k.Terms.Awarded(), Reports: k.Reports}
	for _, d := range k.Drawdowns {
		if d.State == DrawPaid {
			c.Payments = append(c.Payments, rules.SummaryPayment{From: d.From, Amount: d.Amount})
		}
	}
	for _, y := range k.Terms.Years {
		sy := rules.SummaryYear{No: y.No, Period: y.Period, Grant: y.Grant, ProofDue: y.ProofDue}
		for _, p := range k.Proofs {
			if p.YearNo == y.No {
				sy.Proof = &rules.SummaryProof{SubmittedAt: p.SubmittedAt, Used: p.Used(), Result: p.Result, CheckedAt: p.CheckedAt, Repayment: p.Repayment}
			}
		}
		c.Years = append(c.Years, sy)
	}
	return c
}

// summaryLine names the contract for a row of the summary.
func (k *Contract) summaryLine() SummaryLine {
	lots := make([]string, 0, len(k.Terms.Lots))
	for _, l := range k.Terms.Lots {
		lots = append(lots, l.Name+" "+rules.FormatFTE(l.FTE))
	}
	return SummaryLine{CallID: k.CallID, CallRef: k.Terms.CallRef, CallTitle: k.Terms.CallTitle, OrgName: k.OrgName,
		Lots: strings.Join(lots, ", "), Accepted: k.Accepted()}
}

// ProviderText is the provider with its lots and, before the acceptance, that it is
// pending, on lines of their own.
func (l SummaryLine) ProviderText() string {
	s := l.OrgName + "\nLose: " + l.Lots
	if !l.Accepted {
		s += "\nAnnahme ausstehend"
	}
	return s
}

// SummaryProcedure is a procedure of the summary: reference and title.
type SummaryProcedure struct{ Ref, Title string }

// Procedures lists the procedures of the year's rows once each, in the order of the rows.
func (v *YearSummaryView) Procedures() []SummaryProcedure {
	var out []SummaryProcedure
	seen := map[int64]bool{}
	add := func(l SummaryLine) {
		if !seen[l.CallID] {
			seen[l.CallID] = true
			out = append(out, SummaryProcedure{Ref: l.CallRef, Title: l.CallTitle})
		}
	}
	for _, f := range v.Funds {
		add(f.SummaryLine)
	}
	for _, p := range v.Proofs {
		add(p.SummaryLine)
	}
	return out
}
