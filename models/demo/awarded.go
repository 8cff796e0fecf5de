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
// use cases on the days after its consolidation (consolidated): the lead proposes the
// result's allocation two days later, the Kreistag decides a week after that and its
// resolution is recorded the next morning, the notices go out, a provider that was not
// selected lodges an objection that the lead answers within the standstill, and the award
// becomes final the morning after the standstill ends. The Vergabevermerk and the
// Mitteilungen are issued as PDFs (WithDocuments). It does nothing when the scoring calls
// were not loaded (ids empty). It returns the awarded call and the time its award became
// final (0 when nothing was loaded).
func loadAwarded(ctx context.Context, db *gorm.DB, opts []Option, ids []int64, consolidated time.Time) (int64, time.Time, error) {
	if len(ids) == 0 {
		return 0, time.Time{}, nil
	}
	callID := ids[len(ids)-1]
	docs := docsOf(opts)
	lead, err := actorByEmail(ctx, db, "leitung@musterland.example")
	if err != nil {
		return 0, time.Time{}, err
	}
	pctx, proposed := at(ctx, dayOf(consolidated, 2, 10, 0))
	v, err := decision.LoadDecision(pctx, db, lead, callID, proposed)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("demo decision: %w", err)
	}
	days := v.Content.Timeline.StandstillDays
	if days <= 0 {
		days = rules.DefaultStandstillDays
	}
	in := decision.ProposalInput{CallID: callID, FTE: map[string]string{},
		Justification: "Demonstration: Die Stellen werden in der Reihenfolge der Rangliste verteilt, wie es die Bekanntmachung vorsieht. " +
			"Die ausgewählten Träger erfüllen alle Mindestanforderungen und haben die höchsten Gesamtpunktzahlen erreicht."}
	for bid, lots := range rules.ProposalFromResult(v.Result) {
		for lot, f := range lots {
			in.FTE[rules.FTEField(bid, lot)] = rules.FormatFTE(f)
		}
	}
	if err := decision.SaveProposal(pctx, db, lead, in, proposed); err != nil {
		return 0, time.Time{}, demoErr("proposal", err)
	}
	session := dayOf(consolidated, 9, 17, 0) // the Kreistag's session
	rctx, recorded := at(ctx, dayOf(session, 1, 9, 0))
	rec := rules.RecordInput{CallID: callID, Body: string(rules.BodyKreistag), DecidedOn: rules.NewDate(session).German(),
		ResolutionNumber: "KT/0042/" + session.Format("2006"), VoteResult: "mehrheitlich: 38 ja, 4 nein, 2 Enthaltungen",
		CouncilURL: "https://ratsinfo.musterland.example/vo0050.asp?__kvonr=42"}
	if err := decision.RecordDecision(rctx, db, lead, docs, rec, recorded); err != nil {
		return 0, time.Time{}, demoErr("record", err)
	}
	nctx, notified := at(ctx, recorded.Add(time.Hour))
	if err := decision.IssueNotices(nctx, db, lead, docs, callID, notified); err != nil {
		return 0, time.Time{}, demoErr("notices", err)
	}
	if err := demoObjection(ctx, db, lead, v, notified); err != nil {
		return 0, time.Time{}, err
	}
	fctx, final := at(ctx, dayOf(notified, days+1, 8, 0))
	if !final.Before(time.Now()) {
		return 0, time.Time{}, fmt.Errorf("demo final award: the standstill of %d days would end after the day of loading", days)
	}
	if _, err := decision.FinalizeAward(fctx, db, docs, callID, final); err != nil {
		return 0, time.Time{}, fmt.Errorf("demo final award: %w", err)
	}
	return callID, final, nil
}

// demoObjection lets a provider that was not selected object (or, when every bidder
// has posts, the last one, which received fewer than it asked for); the lead rejects it.
// The objection comes two days after the notices, the answer two days later.
func demoObjection(ctx context.Context, db *gorm.DB, lead *core.Actor, v *decision.DecisionView, notified time.Time) error {
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
	octx, lodged := at(ctx, dayOf(notified, 2, 11, 20))
	id, err := decision.LodgeObjection(octx, db, member, notice.OrgID, notice.ID,
		"Demonstration: Unser Konzept zur aufsuchenden Arbeit im Kriterium 4 wurde aus unserer Sicht zu niedrig bewertet.", lodged)
	if err != nil {
		return demoErr("objection", err)
	}
	actx, answered := at(ctx, dayOf(notified, 4, 14, 0))
	return demoErr("objection answer", decision.AnswerObjection(actx, db, lead, decision.ObjectionAnswer{CallID: v.CallID, ObjectionID: id, Outcome: decision.ObjectionRejected,
		Answer: "Demonstration: Das Gremium hat die Darstellung erneut geprüft. Die aufsuchende Arbeit ist beschrieben, aber ohne konkrete Maßnahmen; " +
			"das entspricht nach der veröffentlichten Skala der Stufe 2. Die Rüge wird zurückgewiesen."}, answered))
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
