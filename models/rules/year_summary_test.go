package rules

import (
	"reflect"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"kimibv/models/core"
)

// berlinNoon is noon Berlin time on d.
func berlinNoon(d string) time.Time {
	t, _ := time.ParseInLocation(time.DateOnly, d, core.Berlin())
	return t.Add(12 * time.Hour)
}

// summaryFixture: contract 0 runs in calendar years (2027–2028, 1,5 VZÄ at 60.000 €): its
// first post filled from the start, the half post from 1 July 2027, paid for 2027 in two
// draw-downs (and one for 2028), its first Förderjahr's proof accepted with 1.000,00 € to
// repay. Contract 1 starts on 1 September 2026 (1 VZÄ at 62.000 €): no post reported,
// nothing paid, no proof.
func summaryFixture() []SummaryContract {
	checked := berlinNoon("2028-02-20")
	return []SummaryContract{{
		Period: Period{From: "2027-01-01", To: "2028-12-31"}, PerYear: dec("60000"), Awarded: map[string]decimal.Decimal{"L1": dec("1.5")},
		Reports:  []PostReport{{Lot: "L1", Post: 1, Seq: 1, Effective: "2027-01-01", FTE: dec("1")}, {Lot: "L1", Post: 2, Seq: 2, Effective: "2027-07-01", FTE: dec("0.5")}},
		Payments: []SummaryPayment{{From: "2027-01-01", Amount: 4_500_000}, {From: "2027-07-01", Amount: 4_000_000}, {From: "2028-01-01", Amount: 100}},
		Years: []SummaryYear{
			{No: 1, Period: Period{From: "2027-01-01", To: "2027-12-31"}, Grant: 9_000_000, ProofDue: ProofDue("2027-12-31"),
				Proof: &SummaryProof{SubmittedAt: berlinNoon("2028-02-01"), Used: 8_400_000, Result: ProofRepayment, CheckedAt: &checked, Repayment: 100_000}},
			{No: 2, Period: Period{From: "2028-01-01", To: "2028-12-31"}, Grant: 9_000_000, ProofDue: ProofDue("2028-12-31")},
		},
	}, {
		Period: Period{From: "2026-09-01", To: "2028-12-31"}, PerYear: dec("62000"), Awarded: map[string]decimal.Decimal{"L2": dec("1")},
		Years: []SummaryYear{
			{No: 1, Period: Period{From: "2026-09-01", To: "2027-08-31"}, Grant: 6_200_000, ProofDue: ProofDue("2027-08-31")},
			{No: 2, Period: Period{From: "2027-09-01", To: "2028-08-31"}, Grant: 6_200_000, ProofDue: ProofDue("2028-08-31")},
			{No: 3, Period: Period{From: "2028-09-01", To: "2028-12-31"}, Grant: 2_072_329, ProofDue: ProofDue("2028-12-31")},
		},
	}}
}

func TestSummarizeYearSumsPostsMoneyAndProofsPerContract(t *testing.T) {
	t.Parallel()
	s := SummarizeYear(summaryFixture(), 2027, berlinNoon("2028-03-01"))
	if s.Running || s.AsOf != "2027-12-31" {
		t.Errorf("a past year: running %v, as of %s", s.Running, s.AsOf)
	}
	if len(s.Funds) != 2 || len(s.Proofs) != 2 {
		t.Fatalf("%d funds rows and %d proof rows, want 2 and 2 (the second contract's first Förderjahr ends in 2027)", len(s.Funds), len(s.Proofs))
	}
	a, b := s.Funds[0], s.Funds[1]
	// 1 VZÄ all year and 0,5 VZÄ for 184 days: (365 + 92) / 365 = 1,2520… → 1,25.
	if !a.FilledKnown || a.FilledOn != "2027-12-31" || !a.FilledAtEnd.Equal(dec("1.5")) || !a.FilledAvg.Equal(dec("1.25")) {
		t.Errorf("filled posts of contract 0: %+v", a)
	}
	if a.Grant != 9_000_000 || a.Paid != 8_500_000 {
		t.Errorf("contract 0: grant %d, paid %d; want 9000000 and 8500000 (the payment for 2028 counts in 2028)", a.Grant, a.Paid)
	}
	if b.Days != (Period{From: "2027-01-01", To: "2027-12-31"}) || b.Grant != 6_200_000 || b.Paid != 0 || !b.FilledAvg.IsZero() || !b.FilledKnown {
		t.Errorf("contract without reports or payments: %+v", b)
	}
	want := FundsTotals{Awarded: dec("2.5"), FilledAtEnd: dec("1.5"), FilledAvg: dec("1.25"), Grant: 15_200_000, Paid: 8_500_000}
	if !s.FundsTotal.Awarded.Equal(want.Awarded) || !s.FundsTotal.FilledAtEnd.Equal(want.FilledAtEnd) || !s.FundsTotal.FilledAvg.Equal(want.FilledAvg) ||
		s.FundsTotal.Grant != want.Grant || s.FundsTotal.Paid != want.Paid {
		t.Errorf("funds totals %+v, want %+v", s.FundsTotal, want)
	}

	accepted, missing := s.Proofs[0], s.Proofs[1]
	if accepted.Contract != 0 || accepted.No != 1 || accepted.State != ProofStateChecked || accepted.StateLabel() != "Anerkannt mit Rückforderung" ||
		accepted.Paid != 8_500_000 || accepted.Used != 8_400_000 || accepted.Repayment != 100_000 || accepted.SubmittedAt == nil || accepted.CheckedAt == nil {
		t.Errorf("proof with repayment: %+v", accepted)
	}
	// The second contract's first Förderjahr ended on 31.08.2027; its proof was due at the
	// start of 01.03.2028, so at noon that day it is overdue.
	if missing.Contract != 1 || missing.No != 1 || missing.State != ProofStateOverdue || missing.StateLabel() != "Überfällig, nicht eingegangen" ||
		missing.Used != 0 || missing.Repayment != 0 || missing.SubmittedAt != nil {
		t.Errorf("provider without proof: %+v", missing)
	}
	if got := s.ProofTotal; got != (ProofTotals{Grant: 15_200_000, Paid: 8_500_000, Used: 8_400_000, Repayment: 100_000, Received: 1, Checked: 1, Overdue: 1}) {
		t.Errorf("proof totals %+v", got)
	}
}

func TestSummarizeYearRoundsOncePerContractAndCountsAFoerderjahrInTheYearItEnds(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		year      int
		now       string
		wantGrant []Cents // per funds row
		wantProof []int   // Förderjahr numbers of the proof rows
		wantState []ProofState
	}{
		// 62.000 € × 122 days / 365 = 20.723,2876… € → 2.072.329 cents; no Förderjahr ends in 2026.
		{"part of a year rounds once to whole cents", 2026, "2027-01-10", []Cents{2_072_329}, nil, nil},
		{"a year with two Förderjahre ending", 2028, "2029-01-15", []Cents{9_000_000, 6_200_000}, []int{2, 2, 3}, []ProofState{ProofStateOpen, ProofStateOpen, ProofStateOpen}},
		{"a year before any contract", 2025, "2029-01-15", nil, nil, nil},
	}
	for _, c := range cases {
		s := SummarizeYear(summaryFixture(), c.year, berlinNoon(c.now))
		var grants []Cents
		for _, r := range s.Funds {
			grants = append(grants, r.Grant)
		}
		var nos []int
		var states []ProofState
		for _, r := range s.Proofs {
			nos, states = append(nos, r.No), append(states, r.State)
		}
		if !reflect.DeepEqual(grants, c.wantGrant) || !reflect.DeepEqual(nos, c.wantProof) || !reflect.DeepEqual(states, c.wantState) {
			t.Errorf("%s: grants %v, Förderjahre %v in states %v; want %v, %v, %v", c.name, grants, nos, states, c.wantGrant, c.wantProof, c.wantState)
		}
	}
}

func TestSummarizeYearOfAnEmptyYearHasNoRowsAndZeroTotals(t *testing.T) {
	t.Parallel()
	for _, in := range [][]SummaryContract{nil, summaryFixture()} {
		s := SummarizeYear(in, 2030, berlinNoon("2030-06-01"))
		if len(s.Funds) != 0 || len(s.Proofs) != 0 || !s.FundsTotal.Awarded.IsZero() || s.FundsTotal.Grant != 0 || s.ProofTotal != (ProofTotals{}) {
			t.Errorf("empty year: %+v", s)
		}
	}
}

func TestSummarizeYearCountsFilledPostsOnlyUpToToday(t *testing.T) {
	t.Parallel()
	// While 2027 runs (30 June): the half post from 1 July is not yet counted, the first
	// Förderjahr of both contracts is running, the Stichtag is today.
	s := SummarizeYear(summaryFixture(), 2027, berlinNoon("2027-06-30"))
	if !s.Running || s.AsOf != "2027-06-30" {
		t.Errorf("running year: running %v, as of %s", s.Running, s.AsOf)
	}
	if a := s.Funds[0]; a.FilledOn != "2027-06-30" || !a.FilledAtEnd.Equal(dec("1")) || !a.FilledAvg.Equal(dec("1")) || a.Grant != 9_000_000 {
		t.Errorf("contract 0 while the year runs: %+v", a)
	}
	for _, p := range s.Proofs {
		if p.Contract == 1 && p.State != ProofStateRunning {
			t.Errorf("Förderjahr ending 31.08.2027 on 30.06.2027: %s", p.State)
		}
	}
	// Before the funding period begins nothing is known about its posts.
	early := SummarizeYear(summaryFixture(), 2026, berlinNoon("2026-06-01"))
	if len(early.Funds) != 1 || early.Funds[0].FilledKnown || !early.FundsTotal.FilledAtEnd.IsZero() {
		t.Errorf("a year whose funded days have not begun: %+v", early.Funds)
	}
	// Half a hundredth rounds away from zero: one filled day of 200.
	short := []SummaryContract{{Period: Period{From: "2027-01-01", To: "2027-07-19"}, PerYear: dec("60000"), Awarded: map[string]decimal.Decimal{"L1": dec("1")},
		Reports: []PostReport{{Lot: "L1", Post: 1, Seq: 1, Effective: "2027-07-19", FTE: dec("1")}}}}
	if r := SummarizeYear(short, 2027, berlinNoon("2028-01-01")).Funds[0]; !r.FilledAvg.Equal(dec("0.01")) || r.FilledOn != "2027-07-19" {
		t.Errorf("1 VZÄ on 1 of 200 days: mean %s on %s, want 0,01 on the period's last day", r.FilledAvg, r.FilledOn)
	}
}

func TestSummaryYearsAreTheCalendarYearsOfTheFundingPeriods(t *testing.T) {
	t.Parallel()
	got := SummaryYears([]Period{{From: "2026-09-01", To: "2028-12-31"}, {From: "2030-01-01", To: "2030-03-31"}, {From: "2027-01-01", To: "2027-12-31"}, {}})
	if !reflect.DeepEqual(got, []int{2026, 2027, 2028, 2030}) {
		t.Errorf("SummaryYears = %v", got)
	}
	if got := SummaryYears(nil); len(got) != 0 {
		t.Errorf("no contracts: %v", got)
	}
}
