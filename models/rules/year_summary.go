package rules

import (
	"fmt"
	"sort"
	"time"

	"github.com/shopspring/decimal"
)

// SummaryPayment is one recorded payment of a Mittelabruf: the first day of the period it
// funds and its amount.
type SummaryPayment struct {
	From   Date
	Amount Cents
}

// SummaryProof is the Verwendungsnachweis of a Förderjahr as the year summary reads it.
type SummaryProof struct {
	SubmittedAt time.Time
	Used        Cents      // personnel and other costs as stated
	Result      string     // ProofAccepted, ProofRepayment, ProofRejected; "" before the check
	CheckedAt   *time.Time // nil before the check
	Repayment   Cents      // as recorded by the check
}

// SummaryYear is one Förderjahr of a contract: its grant as the contract states it, the
// deadline of its proof and the proof (nil before the submission).
type SummaryYear struct {
	No       int
	Period   Period
	Grant    Cents
	ProofDue time.Time
	Proof    *SummaryProof
}

// SummaryContract is one forwarding contract as the year summary reads it.
type SummaryContract struct {
	Period   Period                     // the funding period
	PerYear  decimal.Decimal            // euros per VZÄ and year including the Kreis's top-up
	Awarded  map[string]decimal.Decimal // lot key → VZÄ
	Reports  []PostReport               // every report of the contract's posts
	Payments []SummaryPayment           // the recorded payments
	Years    []SummaryYear              // the Förderjahre of the terms
}

// FundsRow is one contract's posts and money in the calendar year.
type FundsRow struct {
	Contract    int             // index of the contract in the input
	Days        Period          // the days of the funding period in the year
	Awarded     decimal.Decimal // VZÄ of the contract
	FilledKnown bool            // false while none of Days has come yet
	FilledOn    Date            // the day FilledAtEnd is taken on
	FilledAtEnd decimal.Decimal // VZÄ filled on FilledOn
	FilledAvg   decimal.Decimal // mean VZÄ filled over Days up to FilledOn, two places
	Grant       Cents           // what the contract grants for Days
	Paid        Cents           // recorded payments of draw-downs beginning in the year
}

// FundsTotals are the sums of the FundsRows' columns.
type FundsTotals struct {
	Awarded, FilledAtEnd, FilledAvg decimal.Decimal
	Grant, Paid                     Cents
}

// ProofState is where the Verwendungsnachweis of a Förderjahr stands.
type ProofState string

// States of a Förderjahr's Verwendungsnachweis in the year summary.
const (
	ProofStateRunning  ProofState = "running"  // the Förderjahr has not ended
	ProofStateOpen     ProofState = "open"     // ended, not received, deadline not passed
	ProofStateOverdue  ProofState = "overdue"  // not received by the deadline
	ProofStateReceived ProofState = "received" // received, not checked
	ProofStateChecked  ProofState = "checked"  // checked: see Result
)

// ProofRow is the Verwendungsnachweis of one Förderjahr that ends in the year.
type ProofRow struct {
	Contract    int // index of the contract in the input
	No          int
	Period      Period
	Grant       Cents     // the Förderjahr's grant as the contract states it
	Paid        Cents     // recorded payments of draw-downs beginning in the Förderjahr (R38)
	Due         time.Time // the deadline (Nr. 6.1 ANBest-P, ProofDue)
	State       ProofState
	SubmittedAt *time.Time
	CheckedAt   *time.Time
	Result      string
	Used        Cents // as stated in the proof (0 before it)
	Repayment   Cents // as recorded by the check (0 before it)
}

// StateLabel names the proof's state in German; a checked proof by its result.
func (r ProofRow) StateLabel() string {
	switch r.State {
	case ProofStateRunning:
		return "Förderjahr läuft noch"
	case ProofStateOpen:
		return "Noch nicht eingegangen"
	case ProofStateOverdue:
		return "Überfällig, nicht eingegangen"
	case ProofStateReceived:
		return "Eingegangen, Prüfung ausstehend"
	}
	return ProofResultLabel(r.Result)
}

// ProofTotals are the sums of the ProofRows' amounts and the number of proofs per state.
type ProofTotals struct {
	Grant, Paid, Used, Repayment Cents
	Received, Checked, Overdue   int
}

// YearSummary is the Kreis's summary of one calendar year across its forwarding
// contracts (rules.md R39).
type YearSummary struct {
	Year       int
	AsOf       Date // the last day counted for the filled posts: 31.12., or today while the year runs
	Running    bool // the year has not ended today
	Funds      []FundsRow
	Proofs     []ProofRow
	FundsTotal FundsTotals
	ProofTotal ProofTotals
}

// yearDays is the first and last day of calendar year y.
func yearDays(y int) Period {
	return Period{From: Date(fmt.Sprintf("%04d-01-01", y)), To: Date(fmt.Sprintf("%04d-12-31", y))}
}

// dateYear is the calendar year of d (0 when invalid).
func dateYear(d Date) int {
	t, err := time.Parse(time.DateOnly, string(d))
	if err != nil {
		return 0
	}
	return t.Year()
}

// SummaryYears are the calendar years in which at least one of the funding periods has a
// day, in ascending order.
func SummaryYears(periods []Period) []int {
	seen := map[int]bool{}
	for _, p := range periods {
		from, to := dateYear(p.From), dateYear(p.To)
		if from == 0 || to == 0 {
			continue
		}
		for y := from; y <= to; y++ {
			seen[y] = true
		}
	}
	out := make([]int, 0, len(seen))
	for y := range seen {
		out = append(out, y)
	}
	sort.Ints(out)
	return out
}

// SummarizeYear sums the Kreis's contracts for calendar year (rules.md R39) at now.
//
// Funds: one row per contract whose funding period has a day in the year. Its grant is
// rules.ProRata of all its VZÄ over those days (divided by the year's days, rounded once to
// whole cents, as R37); paid are the recorded payments of draw-downs whose period begins
// in the year, whatever the day of payment, so that grant and payment cover the same days.
// The filled VZÄ (rules.FilledFTE) are taken on the last of those days that has come (the
// Stichtag), and averaged over the days from the first to that day, rounded to two places
// half away from zero. Contracts whose days in the year have not begun have none.
//
// Proofs: one row per Förderjahr that ends in the year, whose deadline therefore falls in
// the first half of the next year, when the Kreis reports on this one; a Förderjahr across
// the turn of the year is counted once, in the year it ends. Paid is R38's: the recorded
// payments of draw-downs beginning in the Förderjahr.
//
// Totals are the sums of the rows as shown (the rounded averages included), so that each
// column adds up.
func SummarizeYear(contracts []SummaryContract, year int, now time.Time) YearSummary {
	today := NewDate(now)
	days := yearDays(year)
	s := YearSummary{Year: year, AsOf: days.To, Running: dayIndex(today) < dayIndex(days.To)}
	if s.Running {
		s.AsOf = today
	}
	for i, c := range contracts {
		if row, ok := fundsRow(c, days, today); ok {
			row.Contract = i
			s.Funds = append(s.Funds, row)
			s.FundsTotal.add(row)
		}
		for _, y := range c.Years {
			if dateYear(y.Period.To) != year {
				continue
			}
			row := proofRow(c, y, now)
			row.Contract = i
			s.Proofs = append(s.Proofs, row)
			s.ProofTotal.add(row)
		}
	}
	return s
}

// fundsRow is contract c's row for the year's days (false when its period has none).
func fundsRow(c SummaryContract, year Period, today Date) (FundsRow, bool) {
	from, to := laterDate(c.Period.From, year.From), earlierDate(c.Period.To, year.To)
	if c.Period.From == "" || c.Period.To == "" || dayIndex(from) > dayIndex(to) {
		return FundsRow{}, false
	}
	r := FundsRow{Days: Period{From: from, To: to}}
	for _, f := range c.Awarded {
		r.Awarded = r.Awarded.Add(f)
	}
	r.Grant = ProRata(c.PerYear, from, to, ConstantFTE(r.Awarded))
	for _, p := range c.Payments {
		if dateYear(p.From) == dateYear(year.From) {
			r.Paid += p.Amount
		}
	}
	last := earlierDate(to, today)
	if dayIndex(last) < dayIndex(from) {
		return r, true
	}
	filled := FilledFTE(c.Reports, c.Awarded)
	sum := decimal.Zero
	for i := dayIndex(from); i <= dayIndex(last); i++ {
		sum = sum.Add(filled(dateOfIndex(i)))
	}
	r.FilledKnown, r.FilledOn, r.FilledAtEnd = true, last, filled(last)
	r.FilledAvg = sum.DivRound(decimal.NewFromInt(int64(DaysInclusive(from, last))), 2)
	return r, true
}

// proofRow is the row of Förderjahr y of contract c at now.
func proofRow(c SummaryContract, y SummaryYear, now time.Time) ProofRow {
	r := ProofRow{No: y.No, Period: y.Period, Grant: y.Grant, Due: y.ProofDue}
	for _, p := range c.Payments {
		if dayIndex(p.From) >= dayIndex(y.Period.From) && dayIndex(p.From) <= dayIndex(y.Period.To) {
			r.Paid += p.Amount
		}
	}
	switch p := y.Proof; {
	case p != nil && p.Result != "":
		at, checked := p.SubmittedAt, p.CheckedAt
		r.State, r.SubmittedAt, r.CheckedAt, r.Result, r.Used, r.Repayment = ProofStateChecked, &at, checked, p.Result, p.Used, p.Repayment
	case p != nil:
		at := p.SubmittedAt
		r.State, r.SubmittedAt, r.Used = ProofStateReceived, &at, p.Used
	case !now.Before(y.ProofDue):
		r.State = ProofStateOverdue
	case dayIndex(NewDate(now)) > dayIndex(y.Period.To):
		r.State = ProofStateOpen
	default:
		r.State = ProofStateRunning
	}
	return r
}

func (t *FundsTotals) add(r FundsRow) {
	t.Awarded = t.Awarded.Add(r.Awarded)
	if r.FilledKnown {
		t.FilledAtEnd = t.FilledAtEnd.Add(r.FilledAtEnd)
		t.FilledAvg = t.FilledAvg.Add(r.FilledAvg)
	}
	t.Grant += r.Grant
	t.Paid += r.Paid
}

func (t *ProofTotals) add(r ProofRow) {
	t.Grant += r.Grant
	t.Paid += r.Paid
	t.Used += r.Used
	t.Repayment += r.Repayment
	switch r.State {
	case ProofStateReceived:
		t.Received++
	case ProofStateChecked:
		t.Received++
		t.Checked++
	case ProofStateOverdue:
		t.Overdue++
	}
}

// laterDate and earlierDate pick one of two dates.
func laterDate(a, b Date) Date {
	if dayIndex(a) >= dayIndex(b) {
		return a
	}
	return b
}

func earlierDate(a, b Date) Date {
	if dayIndex(a) <= dayIndex(b) {
		return a
	}
	return b
}

// DueDay is the last day for the proof ("2028-02-29" for a deadline at the start of 1 March).
func (r ProofRow) DueDay() Date { return NewDate(r.Due.Add(-time.Hour)) }

// CheckedText is the result of the check with its day, or the state before it.
func (r ProofRow) CheckedText() string {
	if r.State == ProofStateChecked && r.CheckedAt != nil {
		return r.StateLabel() + " am " + NewDate(*r.CheckedAt).German()
	}
	return r.StateLabel()
}
