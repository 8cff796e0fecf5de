package demo

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"kimibv/models/accounts"
	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/rules"
)

// DemoCalls are the demonstration's calls of Kreis Musterland.
type DemoCalls struct {
	Open  *rules.Call // the KIM call (calls.KIMTemplate), published, deadline 28 days after loading
	Draft *rules.Call // a copy of it, still a draft
}

// loadCalls publishes the KIM call (calls.KIMTemplate) through the use cases (deadline four weeks
// after now, so the 21-day minimum holds) with gremium1–3 as evaluators and oeffnung1–2 as
// openers, and starts a second call as a draft copy.
func loadCalls(ctx context.Context, db *gorm.DB, tenantID int64, now time.Time, docs calls.Documents) (DemoCalls, error) {
	var out DemoCalls
	userID := func(email string) (int64, error) {
		var id int64
		if err := db.WithContext(ctx).Raw(`SELECT id FROM users WHERE email = ?`, email).Scan(&id).Error; err != nil || id == 0 {
			return 0, fmt.Errorf("demo user %s: %w", email, err)
		}
		return id, nil
	}
	leadID, err := userID("leitung@musterland.example")
	if err != nil {
		return out, err
	}
	lead, err := accounts.LoadActor(ctx, db, leadID)
	if err != nil {
		return out, err
	}
	var com rules.Committee
	for _, m := range []string{"gremium1", "gremium2", "gremium3", "oeffnung1", "oeffnung2"} {
		id, err := userID(m + "@musterland.example")
		if err != nil {
			return out, err
		}
		if m[0] == 'g' {
			com.Evaluators = append(com.Evaluators, id)
		} else {
			com.Openers = append(com.Openers, id)
		}
	}
	open, err := calls.CreateDraft(ctx, db, lead, tenantID, 0, now)
	if err != nil {
		return out, fmt.Errorf("demo call draft: %w", err)
	}
	content, err := rules.DecodeCallContent(open.Draft)
	if err != nil {
		return out, err
	}
	content.FileRef = "KI 32-2026-01"
	if err := calls.SaveDraft(ctx, db, lead, core.CallScope{Tenant: tenantID, Call: open.ID}, rules.DraftInputFrom(content, com), now); err != nil {
		return out, fmt.Errorf("demo call save: %w", err)
	}
	if _, err := calls.Publish(ctx, db, lead, core.CallScope{Tenant: tenantID, Call: open.ID}, rules.DefaultCallRules(), now, docs); err != nil {
		return out, fmt.Errorf("demo call publish: %w", err)
	}
	draft, err := calls.CreateDraft(ctx, db, lead, tenantID, open.ID, now)
	if err != nil {
		return out, fmt.Errorf("demo draft copy: %w", err)
	}
	content.Title = "Interessenbekundungsverfahren KIM-Case-Management (Baustein 2), Nachbesetzung Los Süd ab 2027"
	content.FileRef = "KI 32-2026-02"
	content.Lots = content.Lots[2:]
	content.Timeline = rules.Timeline{StandstillDays: 14}
	if err := calls.SaveDraft(ctx, db, lead, core.CallScope{Tenant: tenantID, Call: draft.ID}, rules.DraftInputFrom(content, com), now); err != nil {
		return out, fmt.Errorf("demo draft save: %w", err)
	}
	out.Open, out.Draft = open, draft
	return out, nil
}
