package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"kimibv/models/accounts"
	"kimibv/models/core"
	"kimibv/models/decision"
	"kimibv/models/rules"
)

// loadAwarded takes the consolidated demo call (the last of ids) through the decision
// use cases, backdated so that its standstill is over: the lead proposes the result's
// allocation, the Kreistag's resolution is recorded, the notices go out, a provider that
// was not selected lodges an objection that the lead answers, and the award becomes
// final. The Vergabevermerk and the Mitteilungen are issued as PDFs (WithDocuments). It does nothing when the scoring calls were not loaded (ids empty).
func loadAwarded(ctx context.Context, db *gorm.DB, opts []Option, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	callID := ids[len(ids)-1]
	docs := docsOf(opts)
	lead, err := actorByEmail(ctx, db, "leitung@musterland.example")
	if err != nil {
		return err
	}
	now := time.Now()
	v, err := decision.LoadDecision(ctx, db, lead, callID, now)
	if err != nil {
		return fmt.Errorf("demo decision: %w", err)
	}
	days := v.Content.Timeline.StandstillDays
	if days <= 0 {
		days = rules.DefaultStandstillDays
	}
	decided := now.AddDate(0, 0, -(days + 3))
	in := decision.ProposalInput{CallID: callID, FTE: map[string]string{},
		Justification: "Demonstration: Die Stellen werden in der Reihenfolge der Rangliste verteilt, wie es die Bekanntmachung vorsieht. " +
			"Die ausgewählten Träger erfüllen alle Mindestanforderungen und haben die höchsten Gesamtpunktzahlen erreicht."}
	for bid, lots := range rules.ProposalFromResult(v.Result) {
		for lot, f := range lots {
			in.FTE[rules.FTEField(bid, lot)] = rules.FormatFTE(f)
		}
	}
	if err := decision.SaveProposal(ctx, db, lead, in, decided); err != nil {
		return demoErr("proposal", err)
	}
	rec := rules.RecordInput{CallID: callID, Body: string(rules.BodyKreistag), DecidedOn: rules.NewDate(decided).German(),
		ResolutionNumber: "KT/0042/2026", VoteResult: "mehrheitlich: 38 ja, 4 nein, 2 Enthaltungen",
		CouncilURL: "https://ratsinfo.musterland.example/vo0050.asp?__kvonr=42"}
	if err := decision.RecordDecision(ctx, db, lead, docs, rec, decided); err != nil {
		return demoErr("record", err)
	}
	if err := decision.IssueNotices(ctx, db, lead, docs, callID, decided.Add(time.Hour)); err != nil {
		return demoErr("notices", err)
	}
	if err := demoObjection(ctx, db, lead, v, decided); err != nil {
		return err
	}
	if _, err := decision.FinalizeAward(ctx, db, docs, callID, now); err != nil {
		return fmt.Errorf("demo final award: %w", err)
	}
	return nil
}

// demoObjection lets a provider that was not selected object (or, when every bidder
// has posts, the last one, which received fewer than it asked for); the lead rejects it.
func demoObjection(ctx context.Context, db *gorm.DB, lead *core.Actor, v *decision.DecisionView, decided time.Time) error {
	var notice struct{ ID, OrgID int64 }
	if err := db.WithContext(ctx).Raw(`SELECT id, org_id FROM notices WHERE call_id = ? ORDER BY kind = 'selected', id DESC LIMIT 1`, v.CallID).
		Scan(&notice).Error; err != nil || notice.ID == 0 {
		return err
	}
	var email string
	if err := db.WithContext(ctx).Raw(`SELECT u.email FROM organization_members m JOIN users u ON u.id = m.user_id
		WHERE m.org_id = ? AND m.role = 'org_admin' ORDER BY u.id LIMIT 1`, notice.OrgID).Scan(&email).Error; err != nil {
		return fmt.Errorf("demo objector: %w", err)
	}
	member, err := actorByEmail(ctx, db, email)
	if err != nil {
		return err
	}
	id, err := decision.LodgeObjection(ctx, db, member, notice.OrgID, notice.ID,
		"Demonstration: Unser Konzept zur aufsuchenden Arbeit im Kriterium 4 wurde aus unserer Sicht zu niedrig bewertet.", decided.AddDate(0, 0, 2))
	if err != nil {
		return demoErr("objection", err)
	}
	return demoErr("objection answer", decision.AnswerObjection(ctx, db, lead, decision.ObjectionAnswer{CallID: v.CallID, ObjectionID: id, Outcome: decision.ObjectionRejected,
		Answer: "Demonstration: Das Gremium hat die Darstellung erneut geprüft. Die aufsuchende Arbeit ist beschrieben, aber ohne konkrete Maßnahmen; " +
			"das entspricht nach der veröffentlichten Skala der Stufe 2. Die Rüge wird zurückgewiesen."}, decided.AddDate(0, 0, 4)))
}

// actorByEmail loads the actor of a demo account.
func actorByEmail(ctx context.Context, db *gorm.DB, email string) (*core.Actor, error) {
	var id int64
	if err := db.WithContext(ctx).Raw(`SELECT id FROM users WHERE email = ?`, email).Scan(&id).Error; err != nil || id == 0 {
		return nil, fmt.Errorf("demo account %s: %w", email, err)
	}
	return accounts.LoadActor(ctx, db, id)
}

// demoErr names the failing step and unpacks field errors.
func demoErr(step string, err error) error {
	var ve *core.ValidationError
	if errors.As(err, &ve) {
		return fmt.Errorf("demo %s: %v", step, ve.Fields)
	}
	if err != nil {
		return fmt.Errorf("demo %s: %w", step, err)
	}
	return nil
}
