package rules_test

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"kimibv/models/core"
	"kimibv/models/fixture"
	"kimibv/models/rules"
)

func TestCheckProposalRules(t *testing.T) {
	t.Parallel()
	c := fixture.CallContent(time.Date(2026, 6, 1, 12, 0, 0, 0, core.Berlin())) // L1 2,0 VZÄ, L2 1,0 VZÄ
	r := rules.Result{Rows: []rules.ResultRow{
		{BidID: 1, Rank: 1, Requested: map[string]decimal.Decimal{"L1": fixture.Dec("2")}, Allocation: map[string]decimal.Decimal{"L1": fixture.Dec("2")}},
		{BidID: 2, Rank: 2, Requested: map[string]decimal.Decimal{"L1": fixture.Dec("1"), "L2": fixture.Dec("1")}, Allocation: map[string]decimal.Decimal{"L2": fixture.Dec("1")}},
		{BidID: 3, Excluded: true, Requested: map[string]decimal.Decimal{"L2": fixture.Dec("1")}},
	}}
	base := func() map[int64]map[string]decimal.Decimal { return rules.ProposalFromResult(r) }
	for _, tc := range []struct {
		name   string
		change func(m map[int64]map[string]decimal.Decimal)
		reason string
		field  string // "" = valid
		code   string
		dev    bool
	}{
		{"result as is", func(map[int64]map[string]decimal.Decimal) {}, "", "", "", false},
		{"excluded bid", func(m map[int64]map[string]decimal.Decimal) {
			m[2]["L2"] = fixture.Dec("0")
			m[3]["L2"] = fixture.Dec("1")
		}, "Grund", rules.FTEField(3, "L2"), "excluded", true},
		{"more than requested", func(m map[int64]map[string]decimal.Decimal) { m[2]["L1"] = fixture.Dec("1.5") }, "Grund", rules.FTEField(2, "L1"), "requested", true},
		{"not a 0,05 step", func(m map[int64]map[string]decimal.Decimal) { m[1]["L1"] = fixture.Dec("1.97") }, "Grund", rules.FTEField(1, "L1"), "fte", true},
		{"lot over-full", func(m map[int64]map[string]decimal.Decimal) { m[2]["L1"] = fixture.Dec("1") }, "Grund", "allocation", "lot_full", true},
		{"deviation without reason", func(m map[int64]map[string]decimal.Decimal) { m[2]["L2"] = fixture.Dec("0.5") }, "", "deviation_reason", "required", true},
		{"deviation with reason", func(m map[int64]map[string]decimal.Decimal) { m[2]["L2"] = fixture.Dec("0.5") }, "Nur eine halbe Stelle besetzbar.", "", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := base()
			tc.change(m)
			rows, dev, err := rules.CheckProposal(c, r, m, "Begründung", tc.reason)
			if dev != tc.dev {
				t.Errorf("deviates = %v, want %v", dev, tc.dev)
			}
			if tc.field == "" {
				if err != nil {
					t.Fatalf("unexpected %v", err)
				}
				if len(rows) == 0 {
					t.Fatal("no allocation rows")
				}
				return
			}
			fixture.WantField(t, err, tc.field, tc.code)
		})
	}
}
