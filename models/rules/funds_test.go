package rules

import (
	"errors"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"kimibv/models/core"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func TestProRataDividesOncePerCalendarYearAndRoundsOnceToCents(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		perYear  string
		fte      string
		from, to Date
		want     Cents
	}{
		{"whole year", "60000", "1", "2027-01-01", "2027-12-31", 6_000_000},
		{"one month of 365 days", "60000", "1", "2027-01-01", "2027-01-31", 509_589},
		{"February of a leap year divides by 366", "60000", "1", "2028-02-01", "2028-02-29", 475_410},
		{"across the turn of the year each year by its own days", "60000", "1", "2027-12-01", "2028-01-31", 1_017_786},
		{"half a post", "60000", "0.5", "2027-03-01", "2027-03-31", 254_795},
		{"half a cent rounds away from zero", "18.25", "0.5", "2027-05-05", "2027-05-05", 3},
		{"end before start is nothing", "60000", "1", "2027-02-01", "2027-01-31", 0},
	}
	for _, c := range cases {
		got := ProRata(dec(c.perYear), c.from, c.to, ConstantFTE(dec(c.fte)))
		if got != c.want {
			t.Errorf("%s: ProRata = %d cents, want %d", c.name, got, c.want)
		}
	}
}

func TestFilledFTECapsAtTheAwardedPostsAndAppliesLaterReports(t *testing.T) {
	t.Parallel()
	reports := []PostReport{
		{Lot: "L1", Post: 2, Seq: 2, Effective: "2027-02-01", FTE: dec("0.75")},
		{Lot: "L1", Post: 1, Seq: 1, Effective: "2027-01-15", FTE: dec("1")},
		{Lot: "L1", Post: 1, Seq: 3, Effective: "2027-03-01", FTE: dec("0")},
		{Lot: "L2", Post: 1, Seq: 4, Effective: "2027-01-01", FTE: dec("1")}, // lot not in the contract
	}
	f := FilledFTE(reports, map[string]decimal.Decimal{"L1": dec("1.5")})
	for _, c := range []struct {
		day  Date
		want string
	}{{"2027-01-14", "0"}, {"2027-01-15", "1"}, {"2027-02-10", "1.5"}, {"2027-03-05", "0.75"}} {
		if got := f(c.day); !got.Equal(dec(c.want)) {
			t.Errorf("%s: %s VZÄ, want %s", c.day, got, c.want)
		}
	}
}

func TestCheckDrawdownRefusesWhatTheContractOrTheFilledPostsDoNotCover(t *testing.T) {
	t.Parallel()
	base := DrawdownCheck{Funding: Period{From: "2027-01-01", To: "2028-12-31"}, PerYear: dec("60000"),
		Awarded: map[string]decimal.Decimal{"L1": dec("1.5")}, Accepted: true,
		Reports: []PostReport{{Lot: "L1", Post: 1, Seq: 1, Effective: "2027-01-15", FTE: dec("1")}},
		Taken:   []Period{{From: "2027-01-01", To: "2027-01-31"}}}
	notAccepted := base
	notAccepted.Accepted = false
	cases := []struct {
		name     string
		check    DrawdownCheck
		from, to Date
		amount   Cents
		code     string // validation code, "conflict", or "" for accepted
	}{
		{"within both limits", base, "2027-02-01", "2027-02-28", 460_274, ""},
		{"one cent over what the filled post justifies", base, "2027-02-01", "2027-02-28", 460_275, "amount:over_filled"},
		{"over what the contract grants", base, "2027-02-01", "2027-02-28", 690_412, "amount:over_granted"},
		{"overlapping an earlier request", base, "2027-01-31", "2027-02-28", 100, "period_from:overlap"},
		{"outside the funding period", base, "2026-12-01", "2026-12-31", 100, "period_from:outside"},
		{"end before start", base, "2027-03-01", "2027-02-01", 100, "period_to:order"},
		{"before the acceptance", notAccepted, "2027-02-01", "2027-02-28", 100, "conflict"},
	}
	for _, c := range cases {
		_, err := c.check.CheckDrawdown(c.from, c.to, c.amount)
		var v *core.ValidationError
		switch {
		case c.code == "" && err != nil:
			t.Errorf("%s: refused: %v", c.name, err)
		case c.code == "conflict" && !errors.Is(err, core.ErrConflict):
			t.Errorf("%s: got %v, want a conflict", c.name, err)
		case c.code != "" && c.code != "conflict" && (!errors.As(err, &v) || v.Codes()[0] != c.code):
			t.Errorf("%s: got %v, want code %s", c.name, err, c.code)
		}
	}
	if l := base.DrawdownLimits("2027-02-01", "2027-02-28"); l.Granted != 690_411 || l.Justified != 460_274 || l.Max() != 460_274 {
		t.Errorf("limits for February 2027 = %+v, want granted 6.904,11 € (1,5 VZÄ × 28/365) and justified 4.602,74 € (1 VZÄ)", l)
	}
}

func TestProofDueAndRemindersKeepBerlinMidnightAcrossDaylightSavingTime(t *testing.T) {
	t.Parallel()
	utc := func(s string) time.Time { x, _ := time.Parse(time.RFC3339, s); return x }
	cases := []struct {
		name               string
		yearEnd            Date
		due, before, after time.Time
	}{
		{"calendar year: due 1 July, summer time throughout", "2027-12-31", utc("2028-06-30T22:00:00Z"), utc("2028-06-02T22:00:00Z"), utc("2028-07-07T22:00:00Z")},
		{"due after the spring change, reminder before it", "2027-09-30", utc("2028-03-31T22:00:00Z"), utc("2028-03-03T23:00:00Z"), utc("2028-04-07T22:00:00Z")},
		{"due after the autumn change, reminder before it", "2027-04-30", utc("2027-10-31T23:00:00Z"), utc("2027-10-03T22:00:00Z"), utc("2027-11-07T23:00:00Z")},
	}
	for _, c := range cases {
		due := ProofDue(c.yearEnd)
		if !due.Equal(c.due) || !ReminderBefore(due).Equal(c.before) || !ReminderAfter(due).Equal(c.after) {
			t.Errorf("%s: due %s, before %s, after %s; want %s, %s, %s", c.name, due.UTC(), ReminderBefore(due).UTC(), ReminderAfter(due).UTC(), c.due, c.before, c.after)
		}
	}
}

func TestFundingYearsAndVacancyFlag(t *testing.T) {
	t.Parallel()
	ys := FundingYears(Period{From: "2027-01-01", To: "2028-06-30"})
	if len(ys) != 2 || ys[0].Period != (Period{From: "2027-01-01", To: "2027-12-31"}) || ys[1].Period != (Period{From: "2028-01-01", To: "2028-06-30"}) {
		t.Errorf("funding years = %+v", ys)
	}
	for _, c := range []struct {
		today Date
		want  bool
	}{{"2027-04-14", false}, {"2027-04-15", true}} {
		if got := VacantTooLong("2027-01-15", c.today, 3); got != c.want {
			t.Errorf("vacant since 15.01.2027, today %s: flagged %v, want %v", c.today, got, c.want)
		}
	}
	if c, msg := ParseCents("1.234,565"); msg == "" {
		t.Errorf("three decimals accepted as %d", c)
	}
	if c, msg := ParseCents("1.234,56"); msg != "" || c != 123_456 {
		t.Errorf("ParseCents(1.234,56) = %d, %q", c, msg)
	}
}
