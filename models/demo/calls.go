package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/rules"
)

// DemoCalls are the demonstration's calls of Kreis Musterland.
type DemoCalls struct {
	Open  *rules.Call // the KIM call (calls.KIMTemplate), published ten days before loading
	Draft *rules.Call // a copy of it, still a draft
}

// demoCommittee loads the lead of a Kreis (by e-mail) and the committee of its demo calls:
// the accounts whose e-mail starts with "gremium" are evaluators, the others openers.
func demoCommittee(ctx context.Context, db *gorm.DB, leadEmail string, members []string) (*core.Actor, rules.Committee, error) {
	var com rules.Committee
	lead, err := actorByEmail(ctx, db, leadEmail)
	if err != nil {
		return nil, com, err
	}
	for _, m := range members {
		a, err := actorByEmail(ctx, db, m)
		if err != nil {
			return nil, com, err
		}
		if strings.HasPrefix(m, "gremium") {
			com.Evaluators = append(com.Evaluators, a.UserID)
		} else {
			com.Openers = append(com.Openers, a.UserID)
		}
	}
	return lead, com, nil
}

// publishKIMCall drafts a call from calls.KIMTemplate at the time the context's clock and
// now state, saves it with fileRef, a funding period that fits now, title (unless empty)
// and adjust's changes, and publishes it: the deadline is the template's, four weeks after
// now, so the 21-day minimum holds.
func publishKIMCall(ctx context.Context, db *gorm.DB, lead *core.Actor, com rules.Committee, tenantID int64, fileRef, title string,
	adjust func(*rules.CallContent), now time.Time, docs calls.Documents) (*rules.Call, rules.CallContent, error) {
	call, err := calls.CreateDraft(ctx, db, lead, tenantID, 0, now)
	if err != nil {
		return nil, rules.CallContent{}, fmt.Errorf("demo call draft: %w", err)
	}
	content, err := rules.DecodeCallContent(call.Draft)
	if err != nil {
		return nil, rules.CallContent{}, err
	}
	content.FileRef = fileRef
	// The funding begins with the first month at least four months after publication and
	// runs to the end of the second year after, so that the period fits the day of loading.
	from := time.Date(now.Year(), now.Month()+5, 1, 0, 0, 0, 0, core.Berlin())
	to := time.Date(from.Year()+2, 12, 31, 0, 0, 0, 0, core.Berlin())
	content.FundingPeriod = rules.Period{From: rules.NewDate(from), To: rules.NewDate(to)}
	content.Title = "Interessenbekundungsverfahren zur Weiterleitung von Landesmitteln für das KIM-Case-Management (Baustein 2), Förderzeitraum " +
		from.Format("02.01.2006") + "–" + to.Format("02.01.2006")
	if title != "" {
		content.Title = title
	}
	if adjust != nil {
		adjust(&content)
	}
	scope := core.CallScope{Tenant: tenantID, Call: call.ID}
	if err := calls.SaveDraft(ctx, db, lead, scope, rules.DraftInputFrom(content, com), now); err != nil {
		return nil, content, demoErr("call save", err)
	}
	if _, err := calls.Publish(ctx, db, lead, scope, rules.DefaultCallRules(), now, docs); err != nil {
		return nil, content, demoErr("call publish", err)
	}
	return call, content, nil
}

// loadCalls publishes the KIM call of Kreis Musterland ten days before loading (deadline
// four weeks later) with gremium1–3 as evaluators and oeffnung1–2 as openers, and starts a
// second call as a draft copy the day before loading.
func loadCalls(ctx context.Context, db *gorm.DB, tenantID int64, tl timeline, docs calls.Documents) (DemoCalls, error) {
	var out DemoCalls
	lead, com, err := demoCommittee(ctx, db, "leitung@musterland.example", musterlandCommittee())
	if err != nil {
		return out, err
	}
	pctx, published := at(ctx, tl.day(-10, 9, 30))
	open, content, err := publishKIMCall(pctx, db, lead, com, tenantID, "KI 32-2026-01", "", nil, published, docs)
	if err != nil {
		return out, err
	}
	dctx, drafted := at(ctx, tl.day(-1, 15, 0))
	draft, err := calls.CreateDraft(dctx, db, lead, tenantID, open.ID, drafted)
	if err != nil {
		return out, fmt.Errorf("demo draft copy: %w", err)
	}
	content.Title = "Interessenbekundungsverfahren KIM-Case-Management (Baustein 2), Nachbesetzung Los Süd ab 2027"
	content.FileRef = "KI 32-2026-02"
	content.Lots = content.Lots[2:]
	content.Timeline = rules.Timeline{StandstillDays: 14}
	if err := calls.SaveDraft(dctx, db, lead, core.CallScope{Tenant: tenantID, Call: draft.ID}, rules.DraftInputFrom(content, com), drafted); err != nil {
		return out, fmt.Errorf("demo draft save: %w", err)
	}
	out.Open, out.Draft = open, draft
	return out, nil
}

// musterlandCommittee are the e-mail addresses of the committee of Musterland's demo calls.
func musterlandCommittee() []string {
	return []string{"gremium1@musterland.example", "gremium2@musterland.example", "gremium3@musterland.example",
		"oeffnung1@musterland.example", "oeffnung2@musterland.example"}
}

// loadBeispielhausen gives the second Kreis its own procedure: a KIM call for its city
// districts, published five days before loading, with its own committee.
func loadBeispielhausen(ctx context.Context, db *gorm.DB, tenantID int64, tl timeline, docs calls.Documents) error {
	var members []string
	for _, p := range beispielhausenStaff()[1:] {
		members = append(members, p.email)
	}
	lead, com, err := demoCommittee(ctx, db, "admin@beispielhausen.example", members)
	if err != nil {
		return err
	}
	pctx, published := at(ctx, tl.day(-5, 10, 0))
	_, _, err = publishKIMCall(pctx, db, lead, com, tenantID, "50.3-2026-01", "", func(c *rules.CallContent) {
		c.Title = strings.Replace(c.Title, "Baustein 2)", "Baustein 2) der Stadt Beispielhausen", 1)
		c.Lots = []rules.Lot{
			{Key: "L1", Name: "Innenstadt", Region: "Altstadt und Bahnhofsviertel", FTE: decimal.NewFromInt(2), MinFTEPerSite: decimal.NewFromInt(1)},
			{Key: "L2", Name: "Ost", Region: "Osterfeld und Lindenhof", FTE: decimal.NewFromInt(1), MinFTEPerSite: decimal.NewFromInt(1)},
		}
		c.Contact.Name, c.Contact.Email = "Bea Beispiel", "integration@beispielhausen.example"
	}, published, docs)
	return err
}
