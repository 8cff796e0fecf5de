package demo

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"kimibv/models/accounts"
	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/postbox"
	"kimibv/models/rules"
)

// loadQA adds to the open demo call what providers and the lead do after publication:
// AWO and Diakonie follow it; four questions, of which two (AWO, Caritas) are merged into
// one answer, one (Diakonie) is answered and one (Brückenschlag) is still open; a
// non-material amendment that extends the deadline by a week. A further call is
// published and cancelled with a reason. Each step is recorded on its day (timeline):
// questions from eight days before loading, answers and the amendment after them. The notifications link to base.
func loadQA(ctx context.Context, db *gorm.DB, tenantID int64, callRows DemoCalls, tl timeline, docs calls.Documents, base string) error {
	act := func(email string) (*core.Actor, int64, error) {
		var id int64
		if err := db.WithContext(ctx).Raw(`SELECT id FROM users WHERE email = ?`, email).Scan(&id).Error; err != nil || id == 0 {
			return nil, 0, fmt.Errorf("demo user %s: %w", email, err)
		}
		a, err := accounts.LoadActor(ctx, db, id)
		if err != nil {
			return nil, 0, err
		}
		var org int64
		for o := range a.Orgs {
			org = o
		}
		return a, org, nil
	}
	lead, _, err := act("leitung@musterland.example")
	if err != nil {
		return err
	}
	callID := callRows.Open.ID
	asked := map[string]int64{}
	for i, q := range []struct{ email, key, text string }{
		{"awo@traeger.example", "teil1", "Dürfen wir uns auch auf einen Teil eines Loses bewerben, zum Beispiel mit 1,0 VZÄ im Los Nord?"},
		{"caritas@traeger.example", "teil2", "Ist eine Interessenbekundung nur für einen Teil der Stellen eines Loses zulässig?"},
		{"diakonie@traeger.example", "dolmetsch", "Sind Kosten für Dolmetsch- und Sprachmittlungsleistungen aus der Förderung finanzierbar?"},
		{"brueckenschlag@traeger.example", "raeume", "Können für die Beratung vor Ort Räume des Kreises mitgenutzt werden?"},
	} {
		a, org, err := act(q.email)
		if err != nil {
			return err
		}
		ctx, now := at(ctx, tl.day(-8+i, 10+i, 15)) // the questions come in on four days
		if asked[q.key], err = calls.AskQuestion(ctx, db, a, core.OrgCallScope{Call: callID, Org: org}, q.text, now); err != nil {
			return fmt.Errorf("demo question %s: %w", q.key, err)
		}
		if q.key == "teil1" || q.key == "dolmetsch" {
			if err := postbox.Follow(ctx, db, a, core.OrgCallScope{Org: org, Call: callID}, now); err != nil {
				return fmt.Errorf("demo follow: %w", err)
			}
		}
	}
	for _, in := range []calls.AnswerInput{
		{QuestionIDs: []int64{asked["teil1"], asked["teil2"]}, Question: "Ist eine Interessenbekundung für einen Teil der Stellen eines Loses möglich?",
			Answer: "Ja. Sie können einen Teil eines Loses beantragen. Je Standort sind mindestens 1,0 VZÄ vorzusehen; die Stellen eines Loses werden in der Reihenfolge der Rangliste vergeben, bis das Los voll ist."},
		{QuestionIDs: []int64{asked["dolmetsch"]}, Question: "Sind Kosten für Dolmetsch- und Sprachmittlungsleistungen aus der Förderung finanzierbar?",
			Answer: "Die Förderung deckt Personalausgaben der Case-Managerinnen und Case-Manager. Sprachmittlung kann aus dem Zuschuss des Kreises (5.000 € je VZÄ und Jahr) finanziert werden, wenn sie im Finanzierungsplan ausgewiesen ist."},
	} {
		ctx, now := at(ctx, tl.day(-4, 14, 0))
		if _, err := calls.AnswerQuestions(ctx, db, lead, core.CallScope{Tenant: tenantID, Call: callID}, in, base, now); err != nil {
			return fmt.Errorf("demo answer: %w", err)
		}
	}
	view, err := calls.PublicCall(ctx, db, callRows.Open.Ref)
	if err != nil {
		return err
	}
	c := view.Content
	actx, now := at(ctx, tl.day(-3, 11, 0))
	c.Timeline.Deadline = c.Timeline.Deadline.AddDate(0, 0, 7)
	c.Timeline.PlannedOpening = c.Timeline.PlannedOpening.AddDate(0, 0, 7)
	if _, err := calls.Amend(actx, db, lead, core.CallScope{Tenant: tenantID, Call: callID}, calls.AmendInput{Content: rules.DraftInputFrom(c, rules.Committee{}),
		Reason: "Verlängerung der Abgabefrist um eine Woche, weil mehrere Träger um mehr Zeit für die Abstimmung mit ihren Standorten gebeten haben.", BaseVersion: 1},
		rules.DefaultCallRules(), base, now, docs); err != nil {
		return fmt.Errorf("demo amendment: %w", err)
	}
	return cancelledDemoCall(ctx, db, lead, tenantID, callRows.Open.ID, tl, docs, base)
}

// cancelledDemoCall publishes a copy of the open call for an additional post and cancels it.
func cancelledDemoCall(ctx context.Context, db *gorm.DB, lead *core.Actor, tenantID, fromID int64, tl timeline, docs calls.Documents, base string) error {
	ctx, now := at(ctx, tl.day(-9, 11, 0))
	lc, err := calls.LeadCallByID(ctx, db, lead, core.CallScope{Tenant: tenantID, Call: fromID})
	if err != nil {
		return err
	}
	call, err := calls.CreateDraft(ctx, db, lead, tenantID, fromID, now)
	if err != nil {
		return fmt.Errorf("demo cancelled call: %w", err)
	}
	c := lc.View.Content
	c.Title = "Interessenbekundungsverfahren KIM-Case-Management (Baustein 2), zusätzliche Stelle Los Mitte"
	c.FileRef = "KI 32-2026-03"
	c.Lots = c.Lots[1:2]
	c.Timeline.Publication = time.Time{}
	if err := calls.SaveDraft(ctx, db, lead, core.CallScope{Tenant: tenantID, Call: call.ID}, rules.DraftInputFrom(c, lc.Committee), now); err != nil {
		return fmt.Errorf("demo cancelled call save: %w", err)
	}
	if _, err := calls.Publish(ctx, db, lead, core.CallScope{Tenant: tenantID, Call: call.ID}, rules.DefaultCallRules(), now, docs); err != nil {
		return fmt.Errorf("demo cancelled call publish: %w", err)
	}
	ctx, now = at(ctx, tl.day(-2, 9, 0))
	return calls.Cancel(ctx, db, lead, core.CallScope{Tenant: tenantID, Call: call.ID},
		"Die zusätzliche Landesförderung für eine weitere Stelle wurde nicht bewilligt. Die Ausschreibung wird deshalb aufgehoben.", base, now)
}
