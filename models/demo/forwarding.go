package demo

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"kimibv/models/accounts"
	"kimibv/models/core"
	"kimibv/models/forwarding"
	"kimibv/models/rules"
)

// loadForwarding carries the awarded demo call through the forwarding (rules.md R35–R37)
// between final (after the final award and the council's reports) and the time of loading: the lead issues the
// Weiterleitungsvertrag to the first selected provider, whose administrator accepts it
// and reports the posts (the first filled from the start of the funding period, any
// further one vacant with a planned start); the provider draws the first two months, the
// lead approves both and records the payment of the first; the provider submits the first
// year's Verwendungsnachweis and the lead accepts it (forwarding_proof.go).
func loadForwarding(ctx context.Context, db *gorm.DB, opts []Option, callID int64, final time.Time) error {
	docs, ok := docsOf(opts).(forwarding.Documents)
	if !ok {
		return fmt.Errorf("demo forwarding: the renderer cannot render the Weiterleitungsvertrag")
	}
	step := func(i int) (context.Context, time.Time) {
		return at(ctx, final.Add(time.Until(final)/-12*time.Duration(i)))
	}
	lead, err := actorByEmail(ctx, db, "leitung@musterland.example")
	if err != nil {
		return err
	}
	var p struct {
		TenantID, OrgID, UserID int64
	}
	if err := db.WithContext(ctx).Raw(`SELECT c.tenant_id, b.org_id, m.user_id FROM decision_allocations a JOIN bids b ON b.id = a.bid_id
		JOIN calls c ON c.id = a.call_id JOIN organization_members m ON m.org_id = b.org_id AND m.role = 'org_admin'
		WHERE a.call_id = ? AND a.fte > 0 ORDER BY a.bid_id, m.user_id LIMIT 1`, callID).Scan(&p).Error; err != nil || p.OrgID == 0 {
		return fmt.Errorf("demo forwarding: find the selected provider: %v", err)
	}
	admin, err := accounts.LoadActor(ctx, db, p.UserID)
	if err != nil {
		return err
	}
	ictx, issued := step(1)
	if _, err := forwarding.IssueContract(ictx, db, lead, docs, core.CallScope{Tenant: p.TenantID, Call: callID}, p.OrgID, issued); err != nil {
		return demoErr("forwarding contract", err)
	}
	scope := core.OrgCallScope{Org: p.OrgID, Call: callID}
	actx, accepted := step(2)
	if err := forwarding.AcceptContract(actx, db, admin, scope, admin.Name, accepted); err != nil {
		return demoErr("forwarding acceptance", err)
	}
	k, err := forwarding.OrgContract(ctx, db, admin, scope)
	if err != nil {
		return err
	}
	start := k.Terms.Period.From
	rctx, reported := step(3)
	for i, post := range k.Posts {
		in := forwarding.PostInput{Lot: post.LotKey, No: fmt.Sprint(post.No), State: forwarding.PostFilled, FTE: "1,00", Start: start.German(), Qualified: true}
		if i > 0 {
			in = forwarding.PostInput{Lot: post.LotKey, No: fmt.Sprint(post.No), State: forwarding.PostVacant, VacantSince: start.German(),
				Planned: rules.NewDate(start.Time().AddDate(0, 3, 0)).German()}
		}
		if err := forwarding.ReportPost(rctx, db, admin, scope, in, reported); err != nil {
			return demoErr("forwarding post", err)
		}
	}
	if k, err = forwarding.OrgContract(ctx, db, admin, scope); err != nil {
		return err
	}
	for m := range 2 {
		from := start.Time().AddDate(0, m, 0)
		to := from.AddDate(0, 1, -1)
		limits := k.Check().DrawdownLimits(rules.NewDate(from), rules.NewDate(to))
		dctx, requested := step(4 + 3*m)
		id, err := forwarding.RequestDrawdown(dctx, db, admin, scope, forwarding.DrawdownInput{From: rules.NewDate(from).German(), To: rules.NewDate(to).German(),
			Amount: rules.FormatGermanDecimal(limits.Max().Decimal(), 2)}, requested)
		if err != nil {
			return demoErr("forwarding draw-down", err)
		}
		ectx, decided := step(5 + 3*m)
		if err := forwarding.DecideDrawdown(ectx, db, lead, core.CallScope{Tenant: p.TenantID, Call: callID}, id, forwarding.DecisionApprove, "", decided); err != nil {
			return demoErr("forwarding approval", err)
		}
		if m == 0 {
			pctx, paid := step(6)
			if err := forwarding.RecordPayment(pctx, db, lead, core.CallScope{Tenant: p.TenantID, Call: callID}, id, paid); err != nil {
				return demoErr("forwarding payment", err)
			}
		}
	}
	_, last := step(8) // the proof follows the last draw-down's approval, before the council's status reports
	submitted, checked := last.Add(time.Hour), last.Add(3*time.Hour)
	return loadProof(ctx, db, lead, admin, core.CallScope{Tenant: p.TenantID, Call: callID}, p.OrgID, submitted, checked)
}
