package forwarding

import (
	"context"
	"sort"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"kimibv/models/core"
	"kimibv/models/rules"
)

// OpenProvider is what the award record shows the council and the public of one
// provider's posts (rules.md R36): the posts awarded, whether the contract is accepted,
// the posts filled over time and whether each year's Verwendungsnachweis came in and was
// accepted (rules.md R38) — no amounts, no names.
type OpenProvider struct {
	OrgName  string
	Awarded  decimal.Decimal
	Accepted bool
	Filled   decimal.Decimal // filled VZÄ by the latest reports (at most the awarded posts)
	History  []OpenPoint
	Proofs   []OpenProof
}

// OpenProof is the public state of one Förderjahr's Verwendungsnachweis.
type OpenProof struct {
	No     int
	DueDay string
	State  string // e.g. "nicht eingegangen", "eingegangen am 12.02.2028, anerkannt"
}

// openProofs states for each Förderjahr whether the proof came in and was accepted; an
// acceptance with repayment is "anerkannt" (the public record shows no amounts).
func openProofs(k *Contract) []OpenProof {
	var out []OpenProof
	for _, y := range k.ProofYears() {
		p := OpenProof{No: y.No, DueDay: y.DueDay(), State: "nicht eingegangen"}
		switch {
		case y.Proof == nil:
		case y.Proof.Accepted():
			p.State = "eingegangen am " + core.FormatDate(y.Proof.SubmittedAt) + ", anerkannt"
		case y.Proof.Result == rules.ProofRejected:
			p.State = "eingegangen am " + core.FormatDate(y.Proof.SubmittedAt) + ", nicht anerkannt"
		default:
			p.State = "eingegangen am " + core.FormatDate(y.Proof.SubmittedAt) + ", Prüfung ausstehend"
		}
		out = append(out, p)
	}
	return out
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
		p := OpenProvider{OrgName: k.OrgName, Awarded: k.Terms.TotalFTE(), Accepted: k.Accepted(), Proofs: openProofs(k)}
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
