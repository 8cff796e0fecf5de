package demo

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"kimibv/models/accounts"
	"kimibv/models/bids"
	"kimibv/models/core"
	"kimibv/models/decision"
	"kimibv/models/rules"
	"kimibv/models/vault"
)

// Option adjusts what Load creates.
type Option func(*options)

type options struct {
	vault   *vault.Vault
	scoring bool                        // calls in scoring (WithScoringCalls)
	docs    decision.ProcedureDocuments // renders the PDFs (WithDocuments)
	baseURL string                      // the address in the links of mails and messages (WithBaseURL)
}

// WithVault gives Load the master key, with which the demonstration's bids are encrypted.
// Without it Load creates no bids (bid content is never stored unencrypted).
func WithVault(v *vault.Vault) Option { return func(o *options) { o.vault = v } }

// demoPDF is a small valid PDF standing in for a provider's document.
func demoPDF(title string) []byte {
	body := "1 0 obj <</Type/Catalog/Pages 2 0 R>> endobj\n2 0 obj <</Type/Pages/Kids[3 0 R]/Count 1>> endobj\n" +
		"3 0 obj <</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"
	return []byte("%PDF-1.4\n% Demonstration: " + title + "\n" + body)
}

// loadBids gives the open demo call a submitted bid of the AWO and a draft of the Caritas
// (lots and two answers, no documents yet), through the use cases, two days and one day
// before loading.
func loadBids(ctx context.Context, db *gorm.DB, opts []Option, call *rules.Call, tl timeline) error {
	var o options
	for _, f := range opts {
		f(&o)
	}
	if o.vault == nil || call == nil {
		return nil
	}
	var cur struct{ CurrentVersion int }
	if err := db.WithContext(ctx).Raw(`SELECT current_version FROM calls WHERE id = ?`, call.ID).Scan(&cur).Error; err != nil {
		return fmt.Errorf("demo bids: %w", err)
	}
	var raw []byte
	if err := db.WithContext(ctx).Raw(`SELECT content FROM call_versions WHERE call_id = ? AND version = ?`, call.ID, cur.CurrentVersion).Row().Scan(&raw); err != nil {
		return fmt.Errorf("demo bids: %w", err)
	}
	content, err := rules.DecodeCallContent(raw)
	if err != nil {
		return err
	}
	bid := func(ctx context.Context, now time.Time, email string, lots rules.StepInput, complete bool) error {
		var uid int64
		if err := db.WithContext(ctx).Raw(`SELECT id FROM users WHERE email = ?`, email).Scan(&uid).Error; err != nil {
			return err
		}
		a, err := accounts.LoadActor(ctx, db, uid)
		if err != nil {
			return err
		}
		var orgID int64
		for id := range a.Orgs {
			orgID = id
		}
		id, err := bids.StartBid(ctx, db, o.vault, a, core.OrgCallScope{Org: orgID, Call: call.ID}, now)
		if err != nil {
			return fmt.Errorf("demo bid %s: %w", email, err)
		}
		answers := rules.StepInput{}
		for i, cr := range content.Criteria {
			if complete || i < 2 {
				answers["answer_"+cr.Key] = "Demonstration: Unsere Antwort zum Kriterium „" + cr.Name + "“ mit konkreten Maßnahmen, Zuständigkeiten und Zeitplan."
			}
		}
		decl := rules.StepInput{"ties": "none"}
		for _, x := range rules.Declarations(&content) {
			decl["decl_"+x.Key] = "1"
		}
		steps := []struct {
			s  rules.BidStep
			in rules.StepInput
		}{{rules.StepLots, lots}, {rules.StepAnswers, answers}}
		if complete {
			steps = append(steps, struct {
				s  rules.BidStep
				in rules.StepInput
			}{rules.StepDeclarations, decl})
		}
		for _, st := range steps {
			if err := bids.SaveBidStep(ctx, db, o.vault, a, core.BidScope{Org: orgID, Bid: id}, st.s, st.in, now); err != nil {
				return fmt.Errorf("demo bid %s %s: %w", email, st.s, err)
			}
		}
		if !complete {
			return nil
		}
		for _, rd := range content.RequiredDocs {
			if err := bids.AddBidFile(ctx, db, o.vault, a, core.BidScope{Org: orgID, Bid: id}, bids.BidFileInput{DocKey: rd.Key, FileName: rd.Name + ".pdf",
				File: bytes.NewReader(demoPDF(rd.Name))}, now); err != nil {
				return fmt.Errorf("demo bid %s %s: %w", email, rd.Key, err)
			}
		}
		var rev int
		if err := db.WithContext(ctx).Raw(`SELECT draft_rev FROM bids WHERE id = ?`, id).Scan(&rev).Error; err != nil {
			return err
		}
		v, err := bids.SubmitBid(ctx, db, o.vault, a, core.BidScope{Org: orgID, Bid: id}, rev, bids.ReceivedAt(time.Now()))
		if err != nil {
			return fmt.Errorf("demo bid %s submit: %w", email, err)
		}
		return bids.IssueBidReceipt(ctx, db, o.vault, id, v.Version, o.base(), o.docs)
	}
	actx, started := at(ctx, tl.day(-2, 10, 0))
	if err := bid(actx, started, "awo@traeger.example", rules.StepInput{"fte_L1": "2", "fte_L2": "1"}, true); err != nil {
		return err
	}
	cctx, started := at(ctx, tl.day(-1, 11, 0))
	return bid(cctx, started, "caritas@traeger.example", rules.StepInput{"fte_L3": "1"}, false)
}
