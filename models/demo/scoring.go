package demo

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"kimibv/models/accounts"
	"kimibv/models/bids"
	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/evaluation"
	"kimibv/models/rules"
	"kimibv/models/vault"
)

// WithScoringCalls makes Load create the calls in scoring (see scoringSpecs). Their bids
// must be committed before the deadline by the database clock and the deadline has minute
// precision, so Load waits 75 to 135 seconds: for the deadline (the next full minute at least 45 s ahead)
// and the 30 seconds after it in which bids are not yet opened (rules.OpeningAllowedFrom).
func WithScoringCalls() Option { return func(o *options) { o.scoring = true } }

// scoringSpec describes one demo call that is run through closing, opening, formal check,
// declarations and sheets. Complete admits every bid and submits every sheet (ready for
// the consolidation); otherwise one bid waits for a document request and sheets are missing.
type scoringSpec struct {
	Title, FileRef string
	Complete       bool
}

// scoringSpecs are the calls in scoring of the demonstration.
func scoringSpecs() []scoringSpec {
	return []scoringSpec{{Title: "Interessenbekundungsverfahren KIM-Case-Management (Baustein 2), Förderzeitraum 2026–2028 – Bewertung", FileRef: "KI 32-2025-07"}}
}

// loadScoring creates the calls of scoringSpecs through the use cases: published 30 days
// before their deadline (injected now), bids of AWO, Caritas and Diakonie submitted and the
// Brückenschlag bid withdrawn before the deadline (database clock), then — once the
// deadline has passed — closed, opened by oeffnung1 and oeffnung2, formally checked,
// declarations of gremium1–3 (gremium1 declares a tie to the Caritas) and score sheets.
// It returns the calls' ids in the order of the specs.
func loadScoring(ctx context.Context, db *gorm.DB, opts []Option, tenantID int64, specs []scoringSpec) ([]int64, error) {
	var o options
	for _, f := range opts {
		f(&o)
	}
	if !o.scoring || o.vault == nil {
		return nil, nil
	}
	act := func(email string) (*core.Actor, error) {
		var id int64
		if err := db.WithContext(ctx).Raw(`SELECT id FROM users WHERE email = ?`, email).Scan(&id).Error; err != nil || id == 0 {
			return nil, fmt.Errorf("demo user %s: %w", email, err)
		}
		return accounts.LoadActor(ctx, db, id)
	}
	lead, err := act("leitung@musterland.example")
	if err != nil {
		return nil, err
	}
	people := map[string]*core.Actor{}
	var com rules.Committee
	for _, m := range []string{"gremium1", "gremium2", "gremium3", "oeffnung1", "oeffnung2"} {
		a, err := act(m + "@musterland.example")
		if err != nil {
			return nil, err
		}
		people[m] = a
		if m[0] == 'g' {
			com.Evaluators = append(com.Evaluators, a.UserID)
		} else {
			com.Openers = append(com.Openers, a.UserID)
		}
	}
	// The deadline: the next full minute at least 45 s ahead, so that a busy machine still submits every demo bid before it (deadlines have minute precision).
	deadline := time.Now().Add(45 * time.Second).Truncate(time.Minute).Add(time.Minute)
	published := deadline.AddDate(0, 0, -30)
	var ids []int64
	var contents []rules.CallContent
	for _, s := range specs {
		call, err := calls.CreateDraft(ctx, db, lead, tenantID, 0, published)
		if err != nil {
			return nil, fmt.Errorf("demo scoring call: %w", err)
		}
		c, err := rules.DecodeCallContent(call.Draft)
		if err != nil {
			return nil, err
		}
		c.Title, c.FileRef = s.Title, s.FileRef
		c.Timeline.QuestionsUntil, c.Timeline.Deadline = deadline.AddDate(0, 0, -7), deadline
		c.Timeline.PlannedOpening, c.Timeline.PlannedDecision = deadline.Add(time.Hour), deadline.AddDate(0, 0, 30)
		if err := calls.SaveDraft(ctx, db, lead, core.CallScope{Tenant: tenantID, Call: call.ID}, rules.DraftInputFrom(c, com), published); err != nil {
			return nil, fmt.Errorf("demo scoring call save: %w", err)
		}
		if _, err := calls.Publish(ctx, db, lead, core.CallScope{Tenant: tenantID, Call: call.ID}, rules.DefaultCallRules(), published, docsOf(opts)); err != nil {
			return nil, fmt.Errorf("demo scoring call publish: %w", err)
		}
		ids, contents = append(ids, call.ID), append(contents, c)
	}
	bidList := make([]map[string]int64, len(ids))
	for i, id := range ids {
		bidList[i] = map[string]int64{}
		for _, b := range []struct {
			name, email string
			lots        rules.StepInput
		}{{"awo", "awo@traeger.example", rules.StepInput{"fte_L1": "2"}}, {"caritas", "caritas@traeger.example", rules.StepInput{"fte_L1": "1", "fte_L2": "1"}},
			{"diakonie", "diakonie@traeger.example", rules.StepInput{"fte_L3": "1"}}, {"bruecke", "brueckenschlag@traeger.example", rules.StepInput{"fte_L3": "1"}}} {
			a, err := act(b.email)
			if err != nil {
				return nil, err
			}
			if bidList[i][b.name], err = submitDemoBid(ctx, db, o.vault, a, id, &contents[i], b.lots, o.base(), o.docs); err != nil {
				return nil, err
			}
			if b.name == "bruecke" {
				if err := bids.WithdrawBid(ctx, db, a, core.BidScope{Org: orgOf(a), Bid: bidList[i][b.name]}, time.Now()); err != nil {
					return nil, fmt.Errorf("demo withdraw: %w", err)
				}
			}
		}
	}
	// Wait until the bids may be opened (the deadline plus the time a timely submission may
	// still be processing, rules.OpeningAllowedFrom), but stop at once when ctx ends: Ctrl-C
	// in scripts/run stops the loader with SIGTERM, which the command turns into a cancelled context.
	select {
	case <-time.After(time.Until(rules.OpeningAllowedFrom(deadline).Add(1100 * time.Millisecond))):
	case <-ctx.Done():
		return nil, fmt.Errorf("demo: waiting for the deadline: %w", ctx.Err())
	}
	now := time.Now()
	if _, err := calls.CloseDueCalls(ctx, db, now); err != nil {
		return nil, err
	}
	for i, id := range ids {
		if err := scoreDemoCall(ctx, db, o.vault, o.docs, lead, people, tenantID, id, &contents[i], bidList[i], specs[i].Complete, now); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// orgOf returns the (only) organisation of a demo provider.
func orgOf(a *core.Actor) int64 {
	for id := range a.Orgs {
		return id
	}
	return 0
}

// submitDemoBid fills and submits a complete bid of the actor's organisation; its receipt links to base.
func submitDemoBid(ctx context.Context, db *gorm.DB, vlt *vault.Vault, a *core.Actor, callID int64, c *rules.CallContent, lots rules.StepInput, base string, docs bids.Documents) (int64, error) {
	org, now := orgOf(a), time.Now()
	id, err := bids.StartBid(ctx, db, vlt, a, core.OrgCallScope{Org: org, Call: callID}, now)
	if err != nil {
		return 0, fmt.Errorf("demo scoring bid: %w", err)
	}
	answers := rules.StepInput{}
	for _, cr := range c.Criteria {
		answers["answer_"+cr.Key] = "Demonstration: Zum Kriterium „" + cr.Name + "“ beschreiben wir Ziele, Maßnahmen, Zuständigkeiten und den Zeitplan."
	}
	decl := rules.StepInput{"ties": "none"}
	for _, x := range rules.Declarations(c) {
		decl["decl_"+x.Key] = "1"
	}
	for _, st := range []struct {
		s  rules.BidStep
		in rules.StepInput
	}{{rules.StepLots, lots}, {rules.StepAnswers, answers}, {rules.StepDeclarations, decl}} {
		if err := bids.SaveBidStep(ctx, db, vlt, a, core.BidScope{Org: org, Bid: id}, st.s, st.in, now); err != nil {
			return 0, fmt.Errorf("demo scoring bid %s: %w", st.s, err)
		}
	}
	for _, rd := range c.RequiredDocs {
		if err := bids.AddBidFile(ctx, db, vlt, a, core.BidScope{Org: org, Bid: id}, bids.BidFileInput{DocKey: rd.Key, FileName: rd.Name + ".pdf",
			File: bytes.NewReader(demoPDF(rd.Name))}, now); err != nil {
			return 0, fmt.Errorf("demo scoring bid %s: %w", rd.Key, err)
		}
	}
	var rev int
	if err := db.WithContext(ctx).Raw(`SELECT draft_rev FROM bids WHERE id = ?`, id).Scan(&rev).Error; err != nil {
		return 0, err
	}
	v, err := bids.SubmitBid(ctx, db, vlt, a, core.BidScope{Org: org, Bid: id}, rev, bids.ReceivedAt(time.Now()))
	if err != nil {
		return 0, fmt.Errorf("demo scoring submit: %w", err)
	}
	return id, bids.IssueBidReceipt(ctx, db, vlt, id, v.Version, base, docs)
}

// scoreDemoCall opens a closed call and runs the formal check, declarations and sheets.
func scoreDemoCall(ctx context.Context, db *gorm.DB, vlt *vault.Vault, docs evaluation.Documents, lead *core.Actor, people map[string]*core.Actor, tenantID, callID int64,
	c *rules.CallContent, bidList map[string]int64, complete bool, now time.Time) error {
	for _, op := range []string{"oeffnung1", "oeffnung2"} {
		if _, err := evaluation.ConfirmOpening(ctx, db, vlt, people[op], core.CallScope{Tenant: tenantID, Call: callID}, now, docs); err != nil {
			return fmt.Errorf("demo opening: %w", err)
		}
	}
	met := map[string]rules.ItemAssessment{}
	for i := range c.Eligibility {
		met[fmt.Sprintf("E%d", i+1)] = rules.ItemAssessment{Met: true}
	}
	for _, d := range c.RequiredDocs {
		met[d.Key] = rules.ItemAssessment{Met: true}
	}
	admitted := []string{"awo", "caritas", "diakonie"}
	if !complete {
		admitted = admitted[:2]
		if err := evaluation.RequestDocuments(ctx, db, lead, core.CallScope{Tenant: tenantID, Call: callID}, bidList["diakonie"], evaluation.DocRequestInput{DocKeys: []string{c.RequiredDocs[len(c.RequiredDocs)-1].Key},
			Message:  "Die Erklärung zu Verbindungen ist nicht unterschrieben. Bitte reichen Sie sie unterschrieben nach.",
			Deadline: now.AddDate(0, 0, 7).In(core.Berlin()).Format("02.01.2006") + " 12:00"}, now); err != nil {
			return fmt.Errorf("demo document request: %w", err)
		}
	}
	for _, n := range admitted {
		if err := evaluation.SaveFormalCheck(ctx, db, lead, core.CallScope{Tenant: tenantID, Call: callID}, bidList[n], evaluation.FormalInput{Items: met, Decision: rules.DecideAdmit}, now); err != nil {
			return fmt.Errorf("demo formal check %s: %w", n, err)
		}
	}
	var orgs []struct {
		OrgID int64
		Name  string
	}
	if err := db.WithContext(ctx).Raw(`SELECT o.org_id, b.name FROM opening_bids o JOIN (VALUES (?::bigint, 'awo'), (?::bigint, 'caritas'), (?::bigint, 'diakonie')) b(id, name) ON b.id = o.bid_id`,
		bidList["awo"], bidList["caritas"], bidList["diakonie"]).Scan(&orgs).Error; err != nil {
		return err
	}
	for _, ev := range []string{"gremium1", "gremium2", "gremium3"} {
		in := map[int64]evaluation.DeclarationInput{}
		for _, o := range orgs {
			in[o.OrgID] = evaluation.DeclarationInput{Tie: rules.TieNone}
			if ev == "gremium1" && o.Name == "caritas" {
				in[o.OrgID] = evaluation.DeclarationInput{Tie: rules.TieMembership, Note: "Ehrenamtliches Mitglied im Caritasrat des Verbands seit 2021."}
			}
		}
		if err := evaluation.DeclareTies(ctx, db, people[ev], core.CallScope{Tenant: tenantID, Call: callID}, in, now); err != nil {
			return fmt.Errorf("demo declaration %s: %w", ev, err)
		}
	}
	scores := map[string][]int{"awo": {3, 3, 2, 4, 3, 3}, "caritas": {4, 2, 3, 3, 3, 2}, "diakonie": {2, 3, 3, 2, 2, 3}}
	for _, ev := range []string{"gremium1", "gremium2", "gremium3"} {
		for i, n := range admitted {
			if ev == "gremium1" && n == "caritas" {
				continue // declared tie
			}
			in := evaluation.SheetInput{Scores: map[string]string{}, Reasons: map[string]string{}, Submit: complete || !(ev == "gremium3" && i == 1)}
			for j, cr := range c.Criteria {
				s := scores[n][j%len(scores[n])]
				stricter := ev == "gremium2" && j == 1 && s > 0
				if stricter {
					s-- // a small spread between the members
				}
				in.Scores[cr.Key] = fmt.Sprint(s)
				in.Reasons[cr.Key] = demoSheetReason(n, cr, c, s, stricter)
			}
			if err := evaluation.SaveSheet(ctx, db, people[ev], core.CallScope{Tenant: tenantID, Call: callID}, bidList[n], in, now); err != nil {
				return fmt.Errorf("demo sheet %s %s: %w", ev, n, err)
			}
		}
	}
	return nil
}
