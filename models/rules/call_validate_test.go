package rules_test

import (
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"kimibv/models/accounts"
	"kimibv/models/calls"
	"kimibv/models/rules"
)

var validationNow = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func validCall() (rules.CallContent, rules.Committee) {
	tenant := &accounts.Tenant{Name: "Kreis Musterland", Authority: "Kreis Musterland – Der Landrat", ContactEmail: "ki@musterland.example"}
	return calls.KIMTemplate(tenant, validationNow), rules.Committee{Evaluators: []int64{1, 2}, Openers: []int64{3, 4}}
}

func TestKIMTemplateIsPublishable(t *testing.T) {
	t.Parallel()
	c, com := validCall()
	if err := rules.ValidateForPublication(&c, com, validationNow, rules.DefaultCallRules()).OrNil(); err != nil {
		t.Fatalf("template does not validate: %v", err)
	}
	if len(c.Criteria) != 6 || c.TotalWeight() != 100 || c.ScaleMax() != 4 || !c.TotalFTE().Equal(decimal.NewFromInt(4)) {
		t.Fatalf("template shape: %d criteria, weight %d, scale max %d, FTE %s", len(c.Criteria), c.TotalWeight(), c.ScaleMax(), c.TotalFTE())
	}
	for _, cr := range c.Criteria {
		if cr.MinScore == nil || *cr.MinScore != 1 {
			t.Errorf("%s: minimum score %v, want 1 (a 0 excludes)", cr.Key, cr.MinScore)
		}
	}
	if c.ScaleLabel(2) != "erfüllt die Anforderungen" || !c.MinTotalPoints.Equal(decimal.NewFromInt(50)) {
		t.Errorf("scale/min total: %q %s", c.ScaleLabel(2), c.MinTotalPoints)
	}
	if !c.FundingTotalPerFTE().Equal(decimal.NewFromInt(62000)) {
		t.Errorf("funding per VZÄ incl. top-up: %s", c.FundingTotalPerFTE())
	}
}

func TestValidateForPublicationEachRuleAlone(t *testing.T) {
	t.Parallel()
	at := func(s string) time.Time {
		v, _, msg := rules.ParseGermanDateTime(s)
		if msg != "" {
			t.Fatal(msg)
		}
		return v
	}
	cases := []struct {
		name   string
		mutate func(c *rules.CallContent, com *rules.Committee)
		want   string // field:code
	}{
		{"no title", func(c *rules.CallContent, _ *rules.Committee) { c.Title = " " }, "title:required"},
		{"long title", func(c *rules.CallContent, _ *rules.Committee) { c.Title = strings.Repeat("x", 301) }, "title:too_long"},
		{"no file ref", func(c *rules.CallContent, _ *rules.Committee) { c.FileRef = "" }, "file_ref:required"},
		{"no description", func(c *rules.CallContent, _ *rules.Committee) { c.Description = "" }, "description:required"},
		{"no legal basis", func(c *rules.CallContent, _ *rules.Committee) { c.LegalBasis = "" }, "legal_basis:required"},
		{"no contact mail", func(c *rules.CallContent, _ *rules.Committee) { c.Contact.Email = "" }, "contact_email:required"},
		{"period order", func(c *rules.CallContent, _ *rules.Committee) { c.FundingPeriod.To = "2026-01-01" }, "funding_to:order"},
		{"no funding", func(c *rules.CallContent, _ *rules.Committee) { c.FundingPerFTE = decimal.Zero }, "funding_per_fte:required"},
		{"weights sum", func(c *rules.CallContent, _ *rules.Committee) { c.Criteria[0].Weight = 30 }, "criteria:weights"},
		{"weight zero", func(c *rules.CallContent, _ *rules.Committee) {
			c.Criteria[0].Weight, c.Criteria[1].Weight = 0, 45
		}, "criterion_0_weight:positive"},
		{"one scale level", func(c *rules.CallContent, _ *rules.Committee) {
			c.Scale = c.Scale[:1]
			for i := range c.Criteria {
				c.Criteria[i].MinScore = nil
			}
		}, "scale:too_few"},
		{"min score off scale", func(c *rules.CallContent, _ *rules.Committee) { m := 5; c.Criteria[2].MinScore = &m }, "criterion_2_min_score:scale"},
		{"no lots", func(c *rules.CallContent, _ *rules.Committee) { c.Lots = nil }, "lots:required"},
		{"lot zero FTE", func(c *rules.CallContent, _ *rules.Committee) { c.Lots[1].FTE = decimal.Zero }, "lot_1_fte:positive"},
		{"lot FTE step", func(c *rules.CallContent, _ *rules.Committee) {
			c.Lots[0].FTE = decimal.RequireFromString("2.03")
		}, "lot_0_fte:step"},
		{"min per site above lot", func(c *rules.CallContent, _ *rules.Committee) {
			c.Lots[2].MinFTEPerSite = decimal.RequireFromString("1.5")
		}, "lot_2_min_fte:above_fte"},
		{"duplicate lot", func(c *rules.CallContent, _ *rules.Committee) { c.Lots[1].Name = "nord" }, "lot_1_name:duplicate"},
		{"no eligibility", func(c *rules.CallContent, _ *rules.Committee) { c.Eligibility = nil }, "eligibility_0:required"},
		{"no documents", func(c *rules.CallContent, _ *rules.Committee) { c.RequiredDocs = nil }, "doc_0_name:required"},
		{"min total > 100", func(c *rules.CallContent, _ *rules.Committee) { c.MinTotalPoints = decimal.NewFromInt(101) }, "min_total_points:range"},
		{"deadline missing", func(c *rules.CallContent, _ *rules.Committee) { c.Timeline.Deadline = time.Time{} }, "deadline:required"},
		{"deadline past", func(c *rules.CallContent, _ *rules.Committee) {
			c.Timeline.Deadline = validationNow.Add(-time.Hour)
			c.Timeline.QuestionsUntil = validationNow.Add(-2 * time.Hour)
		}, "deadline:past questions_until:past"},
		{"deadline too soon", func(c *rules.CallContent, _ *rules.Committee) {
			c.Timeline.Deadline = at("22.03.2026 12:00")
			c.Timeline.QuestionsUntil = at("20.03.2026 12:00")
		}, "deadline:min_period"},
		{"questions after deadline", func(c *rules.CallContent, _ *rules.Committee) {
			c.Timeline.QuestionsUntil = c.Timeline.Deadline.Add(time.Hour)
		}, "questions_until:order"},
		{"opening before deadline", func(c *rules.CallContent, _ *rules.Committee) {
			c.Timeline.PlannedOpening = c.Timeline.Deadline.Add(-time.Hour)
		}, "planned_opening:order"},
		{"decision before opening", func(c *rules.CallContent, _ *rules.Committee) {
			c.Timeline.PlannedDecision = c.Timeline.PlannedOpening.Add(-time.Hour)
		}, "planned_decision:order"},
		{"no standstill", func(c *rules.CallContent, _ *rules.Committee) { c.Timeline.StandstillDays = 0 }, "standstill_days:range"},
		{"one evaluator", func(_ *rules.CallContent, com *rules.Committee) { com.Evaluators = com.Evaluators[:1] }, "evaluators:too_few"},
		{"one opener", func(_ *rules.CallContent, com *rules.Committee) { com.Openers = nil }, "openers:too_few"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, com := validCall()
			tc.mutate(&c, &com)
			v := rules.ValidateForPublication(&c, com, validationNow, rules.DefaultCallRules())
			codes := v.Codes()
			if strings.Join(codes, " ") != tc.want {
				t.Fatalf("got %v, want exactly [%s]", codes, tc.want)
			}
			if msg := v.Fields[0].Message; len(msg) < 20 {
				t.Fatalf("message %q", msg)
			}
		})
	}
}

func TestMinimumPeriodIsConfigurable(t *testing.T) {
	t.Parallel()
	c, com := validCall()
	c.Timeline.Deadline = validationNow.Add(10 * 24 * time.Hour)
	c.Timeline.QuestionsUntil = validationNow.Add(5 * 24 * time.Hour)
	c.Timeline.PlannedOpening = c.Timeline.Deadline.Add(time.Hour)
	c.Timeline.PlannedDecision = c.Timeline.Deadline.Add(48 * time.Hour)
	if v := rules.ValidateForPublication(&c, com, validationNow, rules.DefaultCallRules()); !v.Has("deadline") {
		t.Fatal("10 days accepted with the 21-day default")
	}
	callRules := rules.CallRules{MinPeriod: 7 * 24 * time.Hour}
	if err := rules.ValidateForPublication(&c, com, validationNow, callRules).OrNil(); err != nil {
		t.Fatalf("10 days refused with a 7-day minimum: %v", err)
	}
}

func TestDraftInputRoundTrip(t *testing.T) {
	t.Parallel()
	c, com := validCall()
	in := rules.DraftInputFrom(c, com)
	back, v := in.Content(validationNow)
	if err := v.OrNil(); err != nil {
		t.Fatalf("template input does not parse: %v", err)
	}
	a, _ := c.SHA256()
	b, _ := back.SHA256()
	if a != b {
		ja, _ := c.Canonical()
		jb, _ := back.Canonical()
		t.Fatalf("round trip changed the content:\n%s\n%s", ja, jb)
	}
}

func TestDraftInputFormatErrors(t *testing.T) {
	t.Parallel()
	c, com := validCall()
	in := rules.DraftInputFrom(c, com)
	in.Title = strings.Repeat("Ä", 10000)
	in.Criteria[1].Weight = "12,5"
	in.Lots[0].FTE = "1,2,3"
	in.Deadline = "29.03.2026 02:30"
	in.QuestionsUntil = "01.01.2020 10:00"
	in.TieBreak = "K1, K9"
	in.Lots = append(in.Lots, rules.LotInput{}) // empty row is ignored
	_, v := in.Content(validationNow)
	want := []string{"criterion_1_weight:integer", "deadline:datetime", "lot_0_fte:number", "questions_until:past", "tie_break:invalid", "title:too_long"}
	if got := v.Codes(); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("got %v\nwant %v", got, want)
	}
}

func TestNewRowsGetFreshKeys(t *testing.T) {
	t.Parallel()
	c, com := validCall()
	in := rules.DraftInputFrom(c, com)
	in.Criteria = append(in.Criteria[:2], in.Criteria[3:]...) // K3 removed
	in.Criteria = append(in.Criteria, rules.CriterionInput{Name: "Neu", Weight: "5"})
	in.TieBreak = ""
	got, v := in.Content(validationNow)
	if err := v.OrNil(); err != nil {
		t.Fatal(err)
	}
	if k := got.Criteria[len(got.Criteria)-1].Key; k != "K7" {
		t.Fatalf("new criterion key %s, want K7", k)
	}
}
