package demo

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"kimibv/models/bids"
	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/evaluation"
	"kimibv/models/rules"
	"kimibv/models/store"
	"kimibv/models/vault"
)

// WithScoringCalls makes Load create the procedures past their deadline (scoringSpecs and
// consolidatedSpec): in scoring, and consolidated and then awarded. They are recorded on
// their days (timeline), so loading them takes no longer than the rest.
func WithScoringCalls() Option { return func(o *options) { o.scoring = true } }

// scoringSpec describes one demo call that is run through closing, opening, formal check,
// declarations and sheets. Complete admits every bid and submits every sheet (ready for
// the consolidation); otherwise one bid waits for a document request and sheets are missing.
// Its deadline is DeadlineDay days after the day of loading (negative: before), at noon.
type scoringSpec struct {
	Title, FileRef string
	Complete       bool
	DeadlineDay    int
}

// scoringSpecs are the calls in scoring of the demonstration.
func scoringSpecs() []scoringSpec {
	return []scoringSpec{{Title: "Interessenbekundungsverfahren KIM-Case-Management (Baustein 2), Förderzeitraum 2026–2028 – Bewertung", FileRef: "KI 32-2025-07",
		DeadlineDay: -6}}
}

// loadScoring creates the calls of specs through the use cases, each on its own days:
// published four weeks before its deadline; bids of AWO, Caritas and Diakonie submitted on
// the five days before it and the Brückenschlag bid withdrawn the day before; then closed,
// opened by oeffnung1 and oeffnung2, formally checked, declarations of gremium1–3
// (gremium1 declares a tie to the Caritas) and score sheets on the days after the deadline.
// It returns the calls' ids in the order of the specs.
func loadScoring(ctx context.Context, db *gorm.DB, opts []Option, tenantID int64, tl timeline, specs []scoringSpec) ([]int64, error) {
	var o options
	for _, f := range opts {
		f(&o)
	}
	if !o.scoring || o.vault == nil {
		return nil, nil
	}
	lead, com, err := demoCommittee(ctx, db, "leitung@musterland.example", musterlandCommittee())
	if err != nil {
		return nil, err
	}
	people := map[string]*core.Actor{}
	for _, m := range musterlandCommittee() {
		if people[strings.Split(m, "@")[0]], err = actorByEmail(ctx, db, m); err != nil {
			return nil, err
		}
	}
	var ids []int64
	for _, s := range specs {
		deadline := tl.day(s.DeadlineDay, 12, 0)
		pctx, published := at(ctx, dayOf(deadline, -28, 9, 0))
		call, c, err := publishKIMCall(pctx, db, lead, com, tenantID, s.FileRef, s.Title, func(c *rules.CallContent) {
			c.Timeline.QuestionsUntil, c.Timeline.Deadline = deadline.AddDate(0, 0, -7), deadline
			c.Timeline.PlannedOpening, c.Timeline.PlannedDecision = deadline.Add(2*time.Hour), deadline.AddDate(0, 0, 30)
		}, published, docsOf(opts))
		if err != nil {
			return nil, err
		}
		bidList := map[string]int64{}
		for i, b := range []struct {
			name, email string
			lots        rules.StepInput
		}{{"awo", "awo@traeger.example", rules.StepInput{"fte_L1": "2"}}, {"caritas", "caritas@traeger.example", rules.StepInput{"fte_L1": "1", "fte_L2": "1"}},
			{"diakonie", "diakonie@traeger.example", rules.StepInput{"fte_L3": "1"}}, {"bruecke", "brueckenschlag@traeger.example", rules.StepInput{"fte_L3": "1"}}} {
			a, err := actorByEmail(ctx, db, b.email)
			if err != nil {
				return nil, err
			}
			bctx, started := at(ctx, dayOf(deadline, i-5, 10+i, 0))
			if bidList[b.name], err = submitDemoBid(bctx, db, o.vault, a, call.ID, &c, b.lots, started, o.base(), o.docs); err != nil {
				return nil, err
			}
			if b.name == "bruecke" {
				wctx, withdrawn := at(ctx, dayOf(deadline, -1, 15, 30))
				if err := bids.WithdrawBid(wctx, db, a, core.BidScope{Org: orgOf(a), Bid: bidList[b.name]}, withdrawn); err != nil {
					return nil, fmt.Errorf("demo withdraw: %w", err)
				}
			}
		}
		cctx, closed := at(ctx, deadline.Add(time.Minute))
		if err := store.InTx(cctx, db, func(tx *gorm.DB) error { return calls.CloseCallTx(tx, call.ID, closed) }); err != nil {
			return nil, err
		}
		if err := scoreDemoCall(ctx, db, o.vault, o.docs, lead, people, tenantID, call.ID, &c, bidList, s.Complete, deadline); err != nil {
			return nil, err
		}
		ids = append(ids, call.ID)
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
func submitDemoBid(ctx context.Context, db *gorm.DB, vlt *vault.Vault, a *core.Actor, callID int64, c *rules.CallContent, lots rules.StepInput,
	now time.Time, base string, docs bids.Documents) (int64, error) {
	org := orgOf(a)
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

// scoreDemoCall opens a closed call two hours after its deadline and runs the formal check
// (the next day), the declarations (the day after) and the sheets (one member a day).
func scoreDemoCall(ctx context.Context, db *gorm.DB, vlt *vault.Vault, docs evaluation.Documents, lead *core.Actor, people map[string]*core.Actor, tenantID, callID int64,
	c *rules.CallContent, bidList map[string]int64, complete bool, deadline time.Time) error {
	base := ctx
	for i, op := range []string{"oeffnung1", "oeffnung2"} {
		ctx, now := at(base, deadline.Add(2*time.Hour+time.Duration(i)*12*time.Minute))
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
	ctx, now := at(base, dayOf(deadline, 1, 10, 0))
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
	for e, ev := range []string{"gremium1", "gremium2", "gremium3"} {
		ctx, now := at(base, dayOf(deadline, 2, 9, 30*e))
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
	for e, ev := range []string{"gremium1", "gremium2", "gremium3"} {
		ctx, now := at(base, dayOf(deadline, 3+e, 10, 0))
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
