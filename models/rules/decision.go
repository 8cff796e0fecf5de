package rules

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"kimibv/models/core"
)

// DecisionStateLabel names a procedure's state in German, the decision states included
// (CallState.Label knows them too).
func DecisionStateLabel(s CallState) string {
	switch s {
	case CallDecided:
		return "Entschieden"
	case CallNotified:
		return "Mitgeteilt"
	case CallAwarded:
		return "Vergeben"
	}
	return s.Label()
}

// DecisionBody is the body that took the decision.
type DecisionBody string

// Deciding bodies.
const (
	BodyKreistag   DecisionBody = "kreistag"
	BodyAusschuss  DecisionBody = "ausschuss"
	BodyVerwaltung DecisionBody = "verwaltung"
)

// DecisionBodies lists the bodies in form order.
var DecisionBodies = []DecisionBody{BodyKreistag, BodyAusschuss, BodyVerwaltung}

// Label returns the German name of the body.
func (b DecisionBody) Label() string {
	switch b {
	case BodyKreistag:
		return "Kreistag"
	case BodyAusschuss:
		return "Ausschuss"
	case BodyVerwaltung:
		return "Verwaltung (delegiert)"
	}
	return string(b)
}

// DefaultStandstillDays is the standstill period when the call states none.
const DefaultStandstillDays = 14

// DecisionAllocation is the posts (VZÄ) the decision gives one bid in one lot, beside
// what the stored result allocated.
type DecisionAllocation struct {
	BidID     int64
	OrgID     int64
	OrgName   string
	LotKey    string
	FTE       decimal.Decimal
	ResultFTE decimal.Decimal
}

// Deviates reports whether the decision differs from the result here.
func (a DecisionAllocation) Deviates() bool { return !a.FTE.Equal(a.ResultFTE) }

// Decision is a call's decision: the proposal and, once recorded, the resolution,
// notices and award.
type Decision struct {
	CallID           int64
	Justification    string
	Deviates         bool
	DeviationReason  string
	StandstillDays   int
	PreparedAt       time.Time
	Body             DecisionBody
	BodyName         string
	DecidedOn        Date
	ResolutionNumber string
	VoteResult       string
	CouncilURL       string
	RecordedAt       *time.Time
	RecordedByName   string
	NotifiedAt       *time.Time
	StandstillEndsAt *time.Time
	AwardedAt        *time.Time
	Allocations      []DecisionAllocation `gorm:"-"`
}

// Recorded reports whether the deciding body's resolution is recorded.
func (d *Decision) Recorded() bool { return d != nil && d.RecordedAt != nil }

// BodyLabel names the deciding body, with the committee's name where given.
func (d *Decision) BodyLabel() string {
	if d.BodyName != "" {
		return d.Body.Label() + " (" + d.BodyName + ")"
	}
	return d.Body.Label()
}

// SelectedFTE returns the posts per bid and lot of the decision (only > 0).
func (d *Decision) SelectedFTE() map[int64]map[string]decimal.Decimal {
	out := map[int64]map[string]decimal.Decimal{}
	for _, a := range d.Allocations {
		if a.FTE.IsPositive() {
			if out[a.BidID] == nil {
				out[a.BidID] = map[string]decimal.Decimal{}
			}
			out[a.BidID][a.LotKey] = a.FTE
		}
	}
	return out
}

// FTEField is the proposal form's field of a bid's posts in a lot.
func FTEField(bidID int64, lot string) string { return fmt.Sprintf("fte_%d_%s", bidID, lot) }

// CheckProposal checks the lead's allocation (bid → lot → VZÄ) against the call and the
// stored result and returns the rows with the result's allocation beside them. Rules:
// only admitted (not excluded) bids may receive posts (OVG NRW 4 B 690/16), only in lots
// they requested and at most what they requested, in steps of 0,05 VZÄ; a lot's posts
// are not exceeded. Any difference to the result is a deviation and needs a reason.
func CheckProposal(c CallContent, r Result, alloc map[int64]map[string]decimal.Decimal, justification, deviationReason string) ([]DecisionAllocation, bool, error) {
	v := &core.ValidationError{}
	core.CheckText(v, "justification", "die Begründung der Auswahl", justification, true, MaxLongText)
	core.CheckText(v, "deviation_reason", "die Begründung der Abweichung", deviationReason, false, MaxLongText)
	perLot := map[string]decimal.Decimal{}
	var rows []DecisionAllocation
	deviates := false
	for _, row := range r.Rows {
		for _, lot := range c.Lots {
			got := alloc[row.BidID][lot.Key]
			res := row.Allocation[lot.Key]
			field := FTEField(row.BidID, lot.Key)
			switch {
			case got.IsNegative() || !IsFTEMultiple(got):
				v.Add(field, "fte", "Bitte geben Sie die Stellen in Schritten von 0,05 VZÄ an.")
			case got.IsPositive() && row.Excluded:
				v.Add(field, "excluded", "Eine ausgeschlossene Interessenbekundung darf keine Stellen erhalten.")
			case got.GreaterThan(row.Requested[lot.Key]):
				v.Add(field, "requested", fmt.Sprintf("Der Träger hat im Los %s nur %s VZÄ beantragt.", lot.Name, FormatFTE(row.Requested[lot.Key])))
			}
			if !got.Equal(res) {
				deviates = true
			}
			if got.IsPositive() || res.IsPositive() {
				rows = append(rows, DecisionAllocation{BidID: row.BidID, LotKey: lot.Key, FTE: got, ResultFTE: res})
			}
			perLot[lot.Key] = perLot[lot.Key].Add(got)
		}
	}
	for _, lot := range c.Lots {
		if perLot[lot.Key].GreaterThan(lot.FTE) {
			v.Add("allocation", "lot_full", fmt.Sprintf("Im Los %s sind %s VZÄ verteilt, es stehen nur %s VZÄ zur Verfügung.", lot.Name, FormatFTE(perLot[lot.Key]), FormatFTE(lot.FTE)))
		}
	}
	if deviates && strings.TrimSpace(deviationReason) == "" {
		v.Add("deviation_reason", "required", "Die Auswahl weicht vom Ergebnis der Bewertung ab. Bitte begründen Sie die Abweichung.")
	}
	return rows, deviates, v.OrNil()
}

// ProposalFromResult prefills the proposal: the result's allocation.
func ProposalFromResult(r Result) map[int64]map[string]decimal.Decimal {
	out := map[int64]map[string]decimal.Decimal{}
	for _, row := range r.Rows {
		out[row.BidID] = map[string]decimal.Decimal{}
		for k, f := range row.Allocation {
			out[row.BidID][k] = f
		}
	}
	return out
}

// RecordInput is the deciding body's resolution as the lead enters it.
type RecordInput struct {
	CallID           int64
	Body             string
	BodyName         string
	DecidedOn        string // "02.01.2006"
	ResolutionNumber string
	VoteResult       string
	CouncilURL       string
}

// CheckRecord validates the resolution; the date may not lie after today (Europe/Berlin).
func CheckRecord(in RecordInput, now time.Time) (Date, error) {
	v := &core.ValidationError{}
	if !slices.Contains(DecisionBodies, DecisionBody(in.Body)) {
		v.Add("body", "required", "Bitte wählen Sie das entscheidende Gremium.")
	}
	core.CheckText(v, "body_name", "die Bezeichnung des Gremiums", in.BodyName, DecisionBody(in.Body) == BodyAusschuss, 200)
	d, msg := ParseGermanDate(in.DecidedOn)
	switch {
	case msg != "":
		v.Add("decided_on", "date", msg)
	case d.Time().After(now):
		v.Add("decided_on", "future", "Das Datum der Entscheidung darf nicht in der Zukunft liegen.")
	}
	core.CheckText(v, "resolution_number", "die Beschluss- oder Vorlagennummer", in.ResolutionNumber, true, 100)
	core.CheckText(v, "vote_result", "das Abstimmungsergebnis", in.VoteResult, DecisionBody(in.Body) != BodyVerwaltung, 500)
	if u := strings.TrimSpace(in.CouncilURL); u != "" {
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || strings.ContainsAny(u, " \t\r\n") || len(u) > 2000 {
			v.Add("council_url", "url", "Bitte geben Sie eine vollständige Adresse mit http:// oder https:// an (Ratsinformationssystem oder OParl).")
		}
	}
	return d, v.OrNil()
}

// StandstillEnd is the end of the standstill period: the end of the day (23:59:59 in
// Europe/Berlin) days calendar days after the day of notification. Calendar arithmetic
// in Europe/Berlin keeps it right across daylight-saving changes.
func StandstillEnd(notified time.Time, days int) time.Time {
	l := notified.In(core.Berlin())
	return time.Date(l.Year(), l.Month(), l.Day()+days+1, 0, 0, 0, 0, core.Berlin()).Add(-time.Second).UTC()
}
