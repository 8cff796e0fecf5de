package rules

import (
	"fmt"
	"sort"
	"time"

	"github.com/shopspring/decimal"

	"kimibv/models/core"
)

// Cents is an amount of money in whole euro cents (rules.md R37): every stored amount of
// the forwarding is an integer, so sums never drift.
type Cents int64

// Decimal returns the amount in euros.
func (c Cents) Decimal() decimal.Decimal { return decimal.New(int64(c), -2) }

// German formats the amount as "1.234,56 €".
func (c Cents) German() string { return FormatEuro(c.Decimal()) }

// CentsOf rounds euros to whole cents, half away from zero (kaufmännisch).
func CentsOf(euros decimal.Decimal) Cents { return Cents(euros.Round(2).Shift(2).IntPart()) }

// ParseCents reads a German euro amount ("1.234,56") as cents; the message is German.
func ParseCents(s string) (Cents, string) {
	d, msg := ParseGermanDecimal(s, 2, false)
	if msg != "" {
		return 0, msg
	}
	if !d.IsPositive() {
		return 0, "Bitte geben Sie einen Betrag über 0 € ein."
	}
	if d.GreaterThan(decimal.NewFromInt(100_000_000)) {
		return 0, "Der Betrag ist zu hoch."
	}
	return CentsOf(d), ""
}

// proRataPrecision is the number of decimal places of the one division per calendar year
// in ProRata (rules.md R37); the sum is then rounded once to whole cents.
const proRataPrecision = 10

// daysInYear is 365 or 366.
func daysInYear(year int) int {
	return time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC).YearDay()
}

// dayIndex counts whole days since 1970-01-01 for the calendar date d (time zone free).
func dayIndex(d Date) int {
	t, err := time.Parse(time.DateOnly, string(d))
	if err != nil {
		return 0
	}
	return int(t.Unix() / 86400)
}

// dateOfIndex is the calendar date of day index i.
func dateOfIndex(i int) Date { return Date(time.Unix(int64(i)*86400, 0).UTC().Format(time.DateOnly)) }

// DaysInclusive is the number of calendar days from from to to, both included (0 when to
// is before from).
func DaysInclusive(from, to Date) int {
	n := dayIndex(to) - dayIndex(from) + 1
	return max(n, 0)
}

// FTEDay is the posts (VZÄ) funded on one calendar day.
type FTEDay func(d Date) decimal.Decimal

// ProRata is the funding of the days from..to (inclusive) at perYear euros per VZÄ and
// year, with fte giving the VZÄ of each day (rules.md R37): per calendar year, the VZÄ-days
// are summed exactly, multiplied by perYear and divided by that year's days (365 or 366)
// to ten decimal places; the years' parts are added and the total is rounded once to whole
// cents, half away from zero.
func ProRata(perYear decimal.Decimal, from, to Date, fte FTEDay) Cents {
	byYear := map[int]decimal.Decimal{}
	for i := dayIndex(from); i <= dayIndex(to); i++ {
		d := dateOfIndex(i)
		y, _ := time.Parse(time.DateOnly, string(d))
		byYear[y.Year()] = byYear[y.Year()].Add(fte(d))
	}
	total := decimal.Zero
	for year, fteDays := range byYear {
		total = total.Add(perYear.Mul(fteDays).DivRound(decimal.NewFromInt(int64(daysInYear(year))), proRataPrecision))
	}
	return CentsOf(total)
}

// ConstantFTE is an FTEDay of the same VZÄ every day.
func ConstantFTE(f decimal.Decimal) FTEDay { return func(Date) decimal.Decimal { return f } }

// PostReport is one report of a post's state: from Effective on, the post has FTE VZÄ
// (0 when vacant). Reports are applied in the order they were made (Seq); a later report
// overrides earlier ones for the days from its Effective date.
type PostReport struct {
	Lot       string
	Post      int
	Seq       int64
	Effective Date
	FTE       decimal.Decimal
}

// FilledFTE returns the FTEDay of the filled posts (rules.md R37): on each day, per lot,
// the VZÄ of the posts filled that day by the latest applicable report, at most the VZÄ
// the contract awards in that lot (awarded: lot key → VZÄ).
func FilledFTE(reports []PostReport, awarded map[string]decimal.Decimal) FTEDay {
	sorted := append([]PostReport(nil), reports...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Seq < sorted[j].Seq })
	return func(d Date) decimal.Decimal {
		type key struct {
			lot  string
			post int
		}
		current := map[key]decimal.Decimal{}
		for _, r := range sorted {
			if r.Effective != "" && dayIndex(r.Effective) <= dayIndex(d) {
				current[key{r.Lot, r.Post}] = r.FTE
			}
		}
		perLot := map[string]decimal.Decimal{}
		for k, f := range current {
			perLot[k.lot] = perLot[k.lot].Add(f)
		}
		sum := decimal.Zero
		for lot, f := range perLot {
			sum = sum.Add(decimal.Min(f, awarded[lot]))
		}
		return sum
	}
}

// DrawdownCheck is what a Mittelabruf is checked against (rules.md R37).
type DrawdownCheck struct {
	Funding  Period                     // the contract's funding period
	PerYear  decimal.Decimal            // euros per VZÄ and year including the Kreis's top-up
	Awarded  map[string]decimal.Decimal // lot key → VZÄ of the contract
	Reports  []PostReport               // every report of the contract's posts
	Taken    []Period                   // periods of earlier requests that were not refused
	Accepted bool                       // the provider accepted the contract
}

// Limits are the two ceilings of a Mittelabruf for a period.
type Limits struct {
	Granted   Cents // what the contract grants for the period (all awarded posts)
	Justified Cents // what the filled posts justify
}

// Max is the lower of the two ceilings.
func (l Limits) Max() Cents { return min(l.Granted, l.Justified) }

// DrawdownLimits computes the ceilings of a request for from..to.
func (c DrawdownCheck) DrawdownLimits(from, to Date) Limits {
	total := decimal.Zero
	for _, f := range c.Awarded {
		total = total.Add(f)
	}
	return Limits{Granted: ProRata(c.PerYear, from, to, ConstantFTE(total)),
		Justified: ProRata(c.PerYear, from, to, FilledFTE(c.Reports, c.Awarded))}
}

// CheckDrawdown refuses a Mittelabruf of amount for from..to (rules.md R37): only after the
// acceptance of the contract, for whole days inside the funding period not covered by an
// earlier request that was not refused, and for at most what the contract grants for the
// period and what the filled posts justify. The errors are German validation errors.
func (c DrawdownCheck) CheckDrawdown(from, to Date, amount Cents) (Limits, error) {
	v := &core.ValidationError{}
	if !c.Accepted {
		return Limits{}, core.Conflict("Mittel können erst abgerufen werden, wenn Ihre Organisation den Vertrag angenommen hat.")
	}
	switch {
	case from == "" || to == "":
		v.Add("period_from", "required", "Bitte geben Sie den Zeitraum mit Beginn und Ende an.")
	case dayIndex(to) < dayIndex(from):
		v.Add("period_to", "order", "Das Ende des Zeitraums liegt vor dem Beginn.")
	case dayIndex(from) < dayIndex(c.Funding.From) || dayIndex(to) > dayIndex(c.Funding.To):
		v.Add("period_from", "outside", fmt.Sprintf("Der Zeitraum muss im Förderzeitraum (%s bis %s) liegen.", c.Funding.From.German(), c.Funding.To.German()))
	}
	if err := v.OrNil(); err != nil {
		return Limits{}, err
	}
	for _, p := range c.Taken {
		if dayIndex(from) <= dayIndex(p.To) && dayIndex(p.From) <= dayIndex(to) {
			v.Add("period_from", "overlap", fmt.Sprintf("Für den Zeitraum %s bis %s wurden bereits Mittel abgerufen; die Zeiträume dürfen sich nicht überschneiden.", p.From.German(), p.To.German()))
			return Limits{}, v
		}
	}
	l := c.DrawdownLimits(from, to)
	switch {
	case amount > l.Granted:
		v.Add("amount", "over_granted", fmt.Sprintf("Der Betrag übersteigt die Förderung, die der Vertrag für diesen Zeitraum gewährt (höchstens %s).", l.Granted.German()))
	case amount > l.Justified:
		v.Add("amount", "over_filled", fmt.Sprintf("Der Betrag übersteigt, was die besetzten Stellen in diesem Zeitraum rechtfertigen (höchstens %s).", l.Justified.German()))
	}
	return l, v.OrNil()
}

// FundingYear is one Förderjahr of a contract: twelve months from the funding period's
// start (the last one ends with the period).
type FundingYear struct {
	No     int
	Period Period
}

// FundingYears splits the funding period into Förderjahre.
func FundingYears(p Period) []FundingYear {
	var out []FundingYear
	start := p.From.Time()
	end := p.To.Time()
	if start.IsZero() || end.IsZero() {
		return nil
	}
	for i := 0; !start.After(end); i++ {
		next := start.AddDate(1, 0, 0)
		last := next.AddDate(0, 0, -1)
		if last.After(end) {
			last = end
		}
		out = append(out, FundingYear{No: i + 1, Period: Period{From: NewDate(start), To: NewDate(last)}})
		start = next
	}
	return out
}

// ProofDue is the deadline of the Verwendungsnachweis of a Förderjahr ending on yearEnd
// (rules.md R38, Nr. 6.1 ANBest-P): the end of the sixth month after the year, i.e.
// midnight Europe/Berlin at the start of the first day of the seventh month. Reminders go
// out four weeks before (ReminderBefore) and one week after (ReminderAfter), both at
// midnight Berlin wall time whatever daylight saving time does in between.
func ProofDue(yearEnd Date) time.Time {
	t := yearEnd.Time()
	first := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, core.Berlin())
	return first.AddDate(0, 7, 0)
}

// ReminderBefore is when the reminder before the proof's deadline is due.
func ReminderBefore(due time.Time) time.Time { return due.In(core.Berlin()).AddDate(0, 0, -28) }

// ReminderAfter is when the reminder after a missed deadline is due.
func ReminderAfter(due time.Time) time.Time { return due.In(core.Berlin()).AddDate(0, 0, 7) }

// VacantTooLong reports whether a post vacant since since is flagged at today: vacant for
// more than months whole months (rules.md R36).
func VacantTooLong(since, today Date, months int) bool {
	s := since.Time()
	if s.IsZero() {
		return false
	}
	return dayIndex(today) >= dayIndex(NewDate(s.AddDate(0, months, 0)))
}
