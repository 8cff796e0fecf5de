package pdfdoc

import (
	"testing"

	"github.com/shopspring/decimal"

	"kimibv/models/forwarding"
	"kimibv/models/rules"
)

func TestWeiterleitungsvertragNamesPartiesBasisPostsYearsDrawDownAndTheANBestPSummary(t *testing.T) {
	t.Parallel()
	tr := &forwarding.Terms{Form: forwarding.FormContract, CallRef: "musterland-2026-05", CallTitle: "KIM-Case-Management 2027",
		Authority: "Kreis Musterland – Der Landrat", OrgName: "Caritasverband für den Kreis Musterland e. V.", LegalBasis: forwarding.LegalBasis,
		Lots:          []forwarding.TermsLot{{Key: "L1", Name: "Nord", FTE: decimal.NewFromInt(2), PerYear: decimal.NewFromInt(124000)}},
		FundingPerFTE: decimal.NewFromInt(57000), KreisTopUp: decimal.NewFromInt(5000), Period: rules.Period{From: "2027-01-01", To: "2027-12-31"},
		Years: []forwarding.TermsYear{{No: 1, Period: rules.Period{From: "2027-01-01", To: "2027-12-31"}, Grant: 12_400_000,
			ProofDue: rules.ProofDue("2027-12-31")}}, DecidedOn: "2026-11-18", ResolutionNumber: "KT/2026/12", Letter: sampleParties()}
	b, err := New("https://kimibv.example/dokumentenpruefung").Weiterleitung(sampleMeta, tr)
	if err != nil {
		t.Fatal(err)
	}
	txt := pdfText(t, b)
	wantText(t, txt, "Weiterleitungsvertrag über die Weiterleitung von Landesmitteln", "Caritasverband für den Kreis Musterland e. V.",
		"Nr. 12 VV zu § 44 LHO", "Nord", "124.000,00 €", "5.000,00 € Zuschuss des Kreises", "30.06.2028", "Abrufverfahren",
		"einmal kaufmännisch auf volle Cent gerundet", "Annahme", "ANBest-P (Zusammenfassung)", "sie ersetzt nicht den Wortlaut",
		"Mit freundlichen Grüßen", "Seite 1 von")
}
