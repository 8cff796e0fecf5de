package rules_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"kimibv/models/core"
	"kimibv/models/fixture"
	"kimibv/models/rules"
)

// berlinAt is a Europe/Berlin wall time.
func berlinAt(y int, m time.Month, d, h, mi int) time.Time {
	return time.Date(y, m, d, h, mi, 0, 0, core.Berlin())
}

// changedContent returns a copy of base (its lists copied too) changed by f.
func changedContent(base rules.CallContent, f func(c *rules.CallContent)) rules.CallContent {
	c := base
	c.Lots = slices.Clone(base.Lots)
	c.Criteria = slices.Clone(base.Criteria)
	c.Scale = slices.Clone(base.Scale)
	c.Eligibility = slices.Clone(base.Eligibility)
	c.RequiredDocs = slices.Clone(base.RequiredDocs)
	f(&c)
	return c
}

func TestCheckAmendment(t *testing.T) {
	t.Parallel()
	const minLeft = 10 * 24 * time.Hour
	now := berlinAt(2026, 3, 20, 12, 0) // CET; summer time starts 29.03.2026
	base := fixture.CallContent(berlinAt(2026, 4, 30, 12, 0))
	mod := func(f func(c *rules.CallContent)) rules.CallContent { return changedContent(base, f) }
	withDeadline := func(c *rules.CallContent, d time.Time) {
		c.Timeline.Deadline = d.UTC()
		c.Timeline.PlannedOpening = d.AddDate(0, 0, 1).UTC()
	}
	soon := mod(func(c *rules.CallContent) {
		withDeadline(c, berlinAt(2026, 3, 25, 12, 0))
		c.Timeline.QuestionsUntil = berlinAt(2026, 3, 22, 12, 0).UTC()
	})
	weight := func(c *rules.CallContent) { c.Criteria[0].Weight, c.Criteria[1].Weight = 55, 45 }
	autumnNow := berlinAt(2026, 10, 20, 12, 0) // CEST; winter time starts 25.10.2026
	autumn := fixture.CallContent(berlinAt(2026, 10, 27, 12, 0))
	autumnMod := func(d time.Time) rules.CallContent {
		c := autumn
		c.Criteria = slices.Clone(autumn.Criteria)
		weight(&c)
		withDeadline(&c, d)
		return c
	}

	tests := []struct {
		name         string
		prev, next   rules.CallContent
		now          time.Time
		wantMaterial bool
		wantCodes    []string
	}{
		{"text only", base, mod(func(c *rules.CallContent) { c.Description += "\n\nNeuer Absatz." }), now, false, nil},
		{"contact and funding are not material", base, mod(func(c *rules.CallContent) {
			c.Contact.Phone = "02345 1"
			c.FundingPerFTE = decimal.NewFromInt(58000)
		}), now, false, nil},
		{"deadline later", base, mod(func(c *rules.CallContent) { withDeadline(c, berlinAt(2026, 5, 14, 12, 0)) }), now, false, nil},
		{"deadline one minute earlier", base, mod(func(c *rules.CallContent) { withDeadline(c, berlinAt(2026, 4, 30, 11, 59)) }), now, false, []string{"deadline:earlier"}},
		{"question deadline earlier", base, mod(func(c *rules.CallContent) { c.Timeline.QuestionsUntil = c.Timeline.QuestionsUntil.Add(-time.Hour) }), now, false, []string{"questions_until:earlier"}},
		{"material with enough time", base, mod(weight), now, true, nil},
		{"scale is material", base, mod(func(c *rules.CallContent) { c.Scale[2].Label = "sehr gut" }), now, true, nil},
		{"lots are material", base, mod(func(c *rules.CallContent) { c.Lots[1].FTE = decimal.RequireFromString("1.5") }), now, true, nil},
		{"eligibility is material", base, mod(func(c *rules.CallContent) { c.Eligibility = append(c.Eligibility, "Sitz im Kreis") }), now, true, nil},
		{"documents are material", base, mod(func(c *rules.CallContent) { c.RequiredDocs[1].Mandatory = false }), now, true, nil},
		{"minimum score is material", base, mod(func(c *rules.CallContent) { c.Criteria[1].MinScore = nil }), now, true, nil},
		{"material too close to the deadline", soon, func() rules.CallContent { c := soon; c.Criteria = slices.Clone(soon.Criteria); weight(&c); return c }(), now, true, []string{"deadline:min_left"}},
		{"material with the deadline extended in the same amendment", soon, func() rules.CallContent {
			c := soon
			c.Criteria = slices.Clone(soon.Criteria)
			weight(&c)
			withDeadline(&c, berlinAt(2026, 4, 1, 12, 0))
			return c
		}(), now, true, nil},
		// 20.03. 12:00 MEZ + 10 calendar days = 30.03. 12:00 MESZ, only 239 hours later.
		{"DST spring: same wall time ten days later suffices", soon, func() rules.CallContent {
			c := soon
			c.Criteria = slices.Clone(soon.Criteria)
			weight(&c)
			withDeadline(&c, berlinAt(2026, 3, 30, 12, 0))
			return c
		}(), now, true, nil},
		{"DST spring: one minute less is refused", soon, func() rules.CallContent {
			c := soon
			c.Criteria = slices.Clone(soon.Criteria)
			weight(&c)
			withDeadline(&c, berlinAt(2026, 3, 30, 11, 59))
			return c
		}(), now, true, []string{"deadline:min_left"}},
		// 20.10. 12:00 MESZ + 10 calendar days = 30.10. 12:00 MEZ, 241 hours later: 11:30 MEZ
		// is more than 240 hours away but before the same wall time.
		{"DST autumn: 240.5 hours but earlier wall time is refused", autumn, autumnMod(berlinAt(2026, 10, 30, 11, 30)), autumnNow, true, []string{"deadline:min_left"}},
		{"DST autumn: same wall time suffices", autumn, autumnMod(berlinAt(2026, 10, 30, 12, 0)), autumnNow, true, nil},
		{"after the deadline nothing", base, mod(func(c *rules.CallContent) { withDeadline(c, berlinAt(2026, 6, 1, 12, 0)) }), berlinAt(2026, 4, 30, 12, 0), false, []string{"deadline:passed"}},
		{"earlier and material reports only earlier", soon, func() rules.CallContent {
			c := soon
			c.Criteria = slices.Clone(soon.Criteria)
			weight(&c)
			withDeadline(&c, berlinAt(2026, 3, 24, 12, 0))
			return c
		}(), now, true, []string{"deadline:earlier"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			material, v := rules.CheckAmendment(tc.prev, tc.next, tc.now, minLeft)
			if material != tc.wantMaterial {
				t.Errorf("material = %v, want %v", material, tc.wantMaterial)
			}
			got := v.Codes()
			want := slices.Clone(tc.wantCodes)
			slices.Sort(want)
			if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
				t.Fatalf("codes %v, want %v (%v)", got, want, v)
			}
		})
	}
}

func TestCheckAmendmentMessageNamesEarliestDeadline(t *testing.T) {
	t.Parallel()
	now := berlinAt(2026, 3, 20, 12, 0)
	prev := fixture.CallContent(berlinAt(2026, 3, 25, 12, 0))
	next := prev
	next.Lots = append(slices.Clone(prev.Lots), rules.Lot{Key: "L3", Name: "Mitte", Region: "Musterstadt", FTE: decimal.NewFromInt(1), MinFTEPerSite: decimal.NewFromInt(1)})
	_, v := rules.CheckAmendment(prev, next, now, 10*24*time.Hour)
	if len(v.Fields) != 1 {
		t.Fatalf("want one error, got %v", v)
	}
	msg := v.Fields[0].Message
	for _, want := range []string{"die Lose", "10 Tage", "30.03.2026 12:00 Uhr", "verlängern"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
}

func TestEarliestDeadlineAfter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		now  time.Time
		left time.Duration
		want time.Time
	}{
		{berlinAt(2026, 3, 20, 12, 0), 240 * time.Hour, berlinAt(2026, 3, 30, 12, 0)},
		{berlinAt(2026, 10, 20, 12, 0), 240 * time.Hour, berlinAt(2026, 10, 30, 12, 0)},
		{berlinAt(2026, 3, 19, 2, 30), 240 * time.Hour, berlinAt(2026, 3, 29, 3, 30)}, // 02:30 does not exist on 29.03.
		{berlinAt(2026, 1, 10, 9, 0), 36 * time.Hour, berlinAt(2026, 1, 11, 21, 0)},
	}
	for _, tc := range tests {
		if got := rules.EarliestDeadlineAfter(tc.now, tc.left); !got.Equal(tc.want) {
			t.Errorf("EarliestDeadlineAfter(%s, %s) = %s, want %s", tc.now, tc.left, got.In(core.Berlin()), tc.want)
		}
	}
}
