package pdfdoc

import (
	"fmt"
	"testing"
	"time"

	"kimibv/models/accounts"
	"kimibv/models/calls"
	"kimibv/models/decision"
	"kimibv/models/rules"
	"kimibv/models/vault"
)

// vermerkData builds a complete synthetic decision record: bids applicants, the KIM
// template with eight criteria, five evaluators who score every bid on every criterion
// with a reason, consolidated scores, ranking and allocations.
func vermerkData(bidList int) *decision.VermerkData {
	now := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	c := calls.KIMTemplate(&accounts.Tenant{Name: "Kreis Musterland"}, now)
	one := 1
	c.Criteria = append(c.Criteria, rules.Criterion{Key: "K7", Name: "Sprachmittlung", Weight: 10, MinScore: &one},
		rules.Criterion{Key: "K8", Name: "Beteiligung der Ratsuchenden", Weight: 10, MinScore: &one})
	d := &decision.VermerkData{Stage: "Entscheidung", Kreis: "Kreis Musterland", Authority: "Der Landrat", Ref: "musterland-2026-01",
		Title: c.Title, FileRef: c.FileRef, LegalBasis: c.LegalBasis, FundingSource: c.FundingSource, WhyIBV: "Mehrere Träger haben Interesse bekundet.",
		Content: c, OpenedAt: &now, Openers: []string{"Erika Öffner", "Max Zweiter"}, Body: "Kreisausschuss", DecidedOn: "02.11.2026",
		ResolutionNumber: "KA/2026/117", Justification: "Rangfolge nach den veröffentlichten Kriterien."}
	evaluators := []string{"Anna Acker", "Bernd Bauer", "Clara Conrad", "Dieter Dorn", "Eva Engel"}
	d.Committee = evaluators
	for i := range bidList {
		org := fmt.Sprintf("Träger %03d e. V. (Kreisverband Musterland)", i+1)
		d.Applicants = append(d.Applicants, decision.VermerkApplicant{OrgName: org, State: "submitted", Version: 1, ReceiptAt: now, SHA256: fmt.Sprintf("%064x", i)})
		d.Formal = append(d.Formal, decision.VermerkFormal{OrgName: org, Outcome: "admitted"})
		for _, ev := range evaluators {
			d.Declarations = append(d.Declarations, decision.VermerkCOI{Evaluator: ev, OrgName: org, Tie: "none"})
			for _, cr := range c.Criteria {
				d.EvaluatorScores = append(d.EvaluatorScores, decision.VermerkScore{Evaluator: ev, OrgName: org, Criterion: cr.Key, Score: 1 + (i+len(ev))%4,
					Reason: "Das Konzept beschreibt die Abläufe nachvollziehbar; konkrete Maßnahmen zur Umsetzung sind teilweise benannt."})
			}
		}
		for _, cr := range c.Criteria {
			d.Consolidated = append(d.Consolidated, decision.VermerkConsolidated{OrgName: org, Criterion: cr.Key, Score: "3", Mean: "2,8", SetBy: "Verfahrensleitung"})
		}
		d.Ranking = append(d.Ranking, decision.VermerkRank{OrgName: org, Rank: i + 1, Total: "72,50"})
	}
	d.Allocations = []decision.VermerkAllocation{{OrgName: d.Applicants[0].OrgName, Lot: "L1", FTE: "2,00", ResultFTE: "2,00"}}
	return d
}

// BenchmarkVergabevermerk renders the decision record for 10, 20, 40 and 80 bids (8
// criteria, 5 evaluators); scripts/bench divides by the number of bids to show linear growth.
func BenchmarkVergabevermerk(b *testing.B) {
	meta := vault.DocMeta{Kind: "vergabevermerk", Title: "Vergabevermerk", ContentSHA256: fmt.Sprintf("%064x", 1),
		Chain: "call:1", ChainHead: fmt.Sprintf("%064x", 2), IssuedAt: time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)}
	render := New("https://kimibv.example/dokumentenpruefung").Vergabevermerk
	for _, n := range []int{10, 20, 40, 80} {
		d := vermerkData(n)
		b.Run(fmt.Sprintf("bids=%d", n), func(b *testing.B) {
			var size int
			for b.Loop() {
				pdf, err := render(meta, d)
				if err != nil {
					b.Fatal(err)
				}
				size = len(pdf)
			}
			b.ReportMetric(float64(size)/1024, "KiB")
		})
	}
}
