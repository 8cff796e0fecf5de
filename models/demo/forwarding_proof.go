package demo

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"kimibv/models/core"
	"kimibv/models/forwarding"
	"kimibv/models/rules"
)

// loadProof lets the provider of the awarded demo call submit the Verwendungsnachweis of
// the first Förderjahr (rules.md R38) at submitted, stating as used exactly what was paid
// (all of it personnel costs of the first post), and the lead accept it at checked.
func loadProof(ctx context.Context, db *gorm.DB, lead, admin *core.Actor, scope core.CallScope, org int64, submitted, checked time.Time) error {
	k, err := forwarding.OrgContract(ctx, db, admin, core.OrgCallScope{Org: org, Call: scope.Call})
	if err != nil {
		return err
	}
	years := k.ProofYears()
	if len(years) == 0 || len(k.Posts) == 0 {
		return fmt.Errorf("demo proof: the contract has no Förderjahr or post")
	}
	paid := rules.FormatGermanDecimal(years[0].Paid.Decimal(), 2)
	in := forwarding.ProofInput{Year: "1", Other: "0", Received: paid, Personnel: map[string]string{},
		Report: "Die Stelle ist seit Beginn des Förderzeitraums besetzt. Im Case Management wurden 38 Familien begleitet; " +
			"mit Jobcenter, Ausländerbehörde und Schulen bestehen feste Absprachen. Abweichungen von der Planung gab es nicht."}
	for i, p := range k.Posts {
		in.Personnel[p.LotKey+"/"+fmt.Sprint(p.No)] = "0"
		if i == 0 {
			in.Personnel[p.LotKey+"/"+fmt.Sprint(p.No)] = paid
		}
	}
	sctx, _ := at(ctx, submitted)
	id, err := forwarding.SubmitProof(sctx, db, nil, admin, core.OrgCallScope{Org: org, Call: scope.Call}, in)
	if err != nil {
		return demoErr("proof of use", err)
	}
	cctx, _ := at(ctx, checked)
	if err := forwarding.CheckProof(cctx, db, lead, scope, id, rules.ProofAccepted, "Sachbericht und zahlenmäßiger Nachweis sind vollständig und schlüssig.", checked); err != nil {
		return demoErr("proof check", err)
	}
	return nil
}
