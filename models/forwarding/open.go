package forwarding

import (
	"context"
	"sort"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"kimibv/models/rules"
)

// OpenProvider is what the award record shows the council and the public of one
// provider's posts (rules.md R36): the posts awarded, whether the contract is accepted,
// and the posts filled over time — no amounts, no names.
type OpenProvider struct {
	OrgName  string
	Awarded  decimal.Decimal
	Accepted bool
	Filled   decimal.Decimal // filled VZÄ by the latest reports (at most the awarded posts)
	History  []OpenPoint
}

// OpenPoint is the filled VZÄ from a date on.
type OpenPoint struct {
	From   rules.Date
	Filled decimal.Decimal
}

// OpenPosts reads the forwarding contracts of call callID for its award record; it has
// no access check of its own: it shows only what is public by rules.md R24.
func OpenPosts(ctx context.Context, db *gorm.DB, callID int64) ([]OpenProvider, error) {
	ks, err := loadContracts(db.WithContext(ctx), `WHERE k.call_id = ?`, callID)
	if err != nil {
		return nil, err
	}
	out := make([]OpenProvider, 0, len(ks))
	for _, k := range ks {
		p := OpenProvider{OrgName: k.OrgName, Awarded: k.Terms.TotalFTE(), Accepted: k.Accepted()}
		filled := rules.FilledFTE(k.Reports, k.Terms.Awarded())
		dates := map[rules.Date]bool{}
		for _, r := range k.Reports {
			dates[r.Effective] = true
		}
		sorted := make([]rules.Date, 0, len(dates))
		for d := range dates {
			sorted = append(sorted, d)
		}
		sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
		for _, d := range sorted {
			f := filled(d)
			if n := len(p.History); n == 0 || !p.History[n-1].Filled.Equal(f) {
				p.History = append(p.History, OpenPoint{From: d, Filled: f})
			}
		}
		if n := len(p.History); n > 0 {
			p.Filled = p.History[n-1].Filled
		}
		out = append(out, p)
	}
	return out, nil
}
