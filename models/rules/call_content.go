package rules

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"kimibv/models/core"
)

// CallContent is the public content of a call for interest: what a draft holds and what
// each published version freezes (rules.md R1). It is stored as one JSON document;
// decimals are JSON strings, times RFC 3339 in UTC, dates "2006-01-02". List entries carry
// stable keys (lots "L1", required documents "U1", criteria "K1") that bids, scores and
// amendments refer to; a key is never reused within a call.
type CallContent struct {
	Title         string `json:"title"`
	FileRef       string `json:"file_ref"` // Aktenzeichen
	Authority     string `json:"authority"`
	LegalBasis    string `json:"legal_basis"`
	FundingSource string `json:"funding_source"`
	Description   string `json:"description"` // Leistungsbeschreibung, Markdown

	FundingPeriod Period          `json:"funding_period"`
	FundingPerFTE decimal.Decimal `json:"funding_per_fte"` // euros per VZÄ and year
	KreisTopUp    decimal.Decimal `json:"kreis_top_up"`    // euros per VZÄ and year from the Kreis

	Lots         []Lot         `json:"lots"`
	Eligibility  []string      `json:"eligibility"`
	RequiredDocs []RequiredDoc `json:"required_docs"`

	Criteria       []Criterion     `json:"criteria"`
	Scale          []ScaleLevel    `json:"scale"`
	MinTotalPoints decimal.Decimal `json:"min_total_points"`
	TieBreak       []string        `json:"tie_break"` // criterion keys, first decides first
	AnswerMaxChars int             `json:"answer_max_chars"`

	Timeline Timeline `json:"timeline"`
	Contact  Contact  `json:"contact"`
}

// Period is a funding period of whole days (inclusive).
type Period struct {
	From Date `json:"from"`
	To   Date `json:"to"`
}

// Date is a calendar date without time of day, "2006-01-02" ("" when unset).
type Date string

// NewDate returns the date of t in Europe/Berlin.
func NewDate(t time.Time) Date { return Date(t.In(core.Berlin()).Format(time.DateOnly)) }

// Time returns the date's start in Europe/Berlin; the zero time when unset or invalid.
func (d Date) Time() time.Time {
	t, err := time.ParseInLocation(time.DateOnly, string(d), core.Berlin())
	if err != nil {
		return time.Time{}
	}
	return t
}

// German formats the date as "02.01.2006" ("" when unset).
func (d Date) German() string { return core.FormatDate(d.Time()) }

// Lot is one Los: a region with a number of posts (VZÄ) and a minimum per site.
type Lot struct {
	Key           string          `json:"key"`
	Name          string          `json:"name"`
	Region        string          `json:"region"` // municipalities / area
	FTE           decimal.Decimal `json:"fte"`
	MinFTEPerSite decimal.Decimal `json:"min_fte_per_site"`
}

// RequiredDoc is a document a bid must (Mandatory) or may include.
type RequiredDoc struct {
	Key       string `json:"key"`
	Name      string `json:"name"`
	Mandatory bool   `json:"mandatory"`
	Note      string `json:"note"`
}

// Criterion is an award criterion with its weight in points and an optional minimum score;
// a bid scoring below MinScore in it is excluded.
type Criterion struct {
	Key         string `json:"key"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Weight      int    `json:"weight"`
	MinScore    *int   `json:"min_score"`
}

// ScaleLevel is one level of the call's scoring scale.
type ScaleLevel struct {
	Value int    `json:"value"`
	Label string `json:"label"`
}

// Timeline holds the call's dates. Publication is set when the call is published
// (the actual time); the others are entered as Europe/Berlin wall time.
type Timeline struct {
	Publication     time.Time `json:"publication,omitzero"`
	QuestionsUntil  time.Time `json:"questions_until,omitzero"`
	Deadline        time.Time `json:"deadline,omitzero"`
	PlannedOpening  time.Time `json:"planned_opening,omitzero"`
	PlannedDecision time.Time `json:"planned_decision,omitzero"`
	StandstillDays  int       `json:"standstill_days"`
}

// Contact is the call's contact point for providers.
type Contact struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone"`
}

// TotalFTE sums the posts of all lots.
func (c *CallContent) TotalFTE() decimal.Decimal {
	sum := decimal.Zero
	for _, l := range c.Lots {
		sum = sum.Add(l.FTE)
	}
	return sum
}

// TotalWeight sums the criteria's weights (100 for a valid call).
func (c *CallContent) TotalWeight() int {
	sum := 0
	for _, cr := range c.Criteria {
		sum += cr.Weight
	}
	return sum
}

// ScaleMax returns the highest scale value (0 without a scale).
func (c *CallContent) ScaleMax() int {
	m := 0
	for _, s := range c.Scale {
		m = max(m, s.Value)
	}
	return m
}

// ScaleLabel returns the label of scale value v ("" when unknown).
func (c *CallContent) ScaleLabel(v int) string {
	for _, s := range c.Scale {
		if s.Value == v {
			return s.Label
		}
	}
	return ""
}

// Criterion returns the criterion with key.
func (c *CallContent) Criterion(key string) (Criterion, bool) {
	for _, cr := range c.Criteria {
		if cr.Key == key {
			return cr, true
		}
	}
	return Criterion{}, false
}

// Lot returns the lot with key.
func (c *CallContent) Lot(key string) (Lot, bool) {
	for _, l := range c.Lots {
		if l.Key == key {
			return l, true
		}
	}
	return Lot{}, false
}

// FundingTotalPerFTE is the funding per VZÄ and year including the Kreis's top-up.
func (c *CallContent) FundingTotalPerFTE() decimal.Decimal { return c.FundingPerFTE.Add(c.KreisTopUp) }

// Canonical returns the JSON encoding that is stored and hashed for a version. Go's
// encoder writes struct fields in declaration order, so the bytes are deterministic.
func (c *CallContent) Canonical() ([]byte, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("encode call content: %w", err)
	}
	return b, nil
}

// SHA256 returns the hex SHA-256 of the canonical encoding.
func (c *CallContent) SHA256() (string, error) {
	b, err := c.Canonical()
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// DecodeCallContent parses stored content JSON.
func DecodeCallContent(b []byte) (CallContent, error) {
	var c CallContent
	if len(b) == 0 {
		return c, nil
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, fmt.Errorf("decode call content: %w", err)
	}
	return c, nil
}

// NextKey returns prefix+n for the smallest n greater than every number used with prefix
// among keys, so keys of removed rows are never handed out again within a draft.
func NextKey(prefix string, keys []string) string {
	n := 0
	for _, k := range keys {
		var i int
		if _, err := fmt.Sscanf(k, prefix+"%d", &i); err == nil && i > n {
			n = i
		}
	}
	return fmt.Sprintf("%s%d", prefix, n+1)
}
