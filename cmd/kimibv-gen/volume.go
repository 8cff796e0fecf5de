package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"kimibv/models/accounts"
	"kimibv/models/audit"
	"kimibv/models/calls"
	"kimibv/models/demo"
	"kimibv/models/rules"
	"kimibv/models/store"
	"kimibv/models/vault"
)

// volumeOpts sizes the data set.
type volumeOpts struct {
	Prefix                                               string
	Kreise, Calls, Bids, Evaluators, Orgs, Jobs, Awarded int
	BaseURL                                              string
}

// volume creates Kreise with published calls, each with submitted (sealed) bids from a
// shared pool of provider organisations, evaluators per Kreis and matching audit chains.
func volume(ctx context.Context, st *store.Store, vlt *vault.Vault, args []string) error {
	var o volumeOpts
	fs := flag.NewFlagSet("volume", flag.ContinueOnError)
	fs.StringVar(&o.Prefix, "prefix", "bench", "slug prefix of the generated Kreise (must be new)")
	fs.IntVar(&o.Kreise, "kreise", 50, "number of Kreise")
	fs.IntVar(&o.Calls, "calls", 20, "published calls per Kreis")
	fs.IntVar(&o.Bids, "bids", 30, "submitted bids per call")
	fs.IntVar(&o.Evaluators, "evaluators", 5, "evaluators per Kreis")
	fs.IntVar(&o.Orgs, "orgs", 0, "provider organisations (default 4 × bids)")
	fs.IntVar(&o.Jobs, "jobs", 4, "parallel encryption workers")
	fs.IntVar(&o.Awarded, "awarded", 2, "calls per Kreis taken to the final award (their deadline passes during the run)")
	fs.StringVar(&o.BaseURL, "base-url", envOr("KIMIBV_BASE_URL", "http://127.0.0.1:8080"), "address printed in the PDFs' document check")
	if err := fs.Parse(args); err != nil {
		return err
	}
	o.Awarded = min(max(o.Awarded, 0), o.Calls)
	if o.Orgs < o.Bids {
		o.Orgs = 4 * o.Bids
	}
	start := time.Now()
	hash, err := accounts.HashPassword(demo.Password)
	if err != nil {
		return err
	}
	orgs, err := createOrgs(ctx, st, o.Prefix, "volume", o.Orgs, hash)
	if err != nil {
		return err
	}
	var pending []pendingAward
	for k := range o.Kreise {
		p, err := genKreis(ctx, st, vlt, o, k, orgs, hash)
		if err != nil {
			return fmt.Errorf("Kreis %d: %w", k+1, err)
		}
		pending = append(pending, p...)
		if (k+1)%10 == 0 || k+1 == o.Kreise {
			fmt.Printf("  %d/%d Kreise (%s)\n", k+1, o.Kreise, time.Since(start).Round(time.Millisecond))
		}
	}
	if err := awardCalls(ctx, st, pending, o.BaseURL); err != nil {
		return err
	}
	fmt.Printf("generated %d Kreise × %d calls × %d bids (8 criteria, %d evaluators per Kreis, %d organisations; %d calls per Kreis awarded) in %s\n",
		o.Kreise, o.Calls, o.Bids, o.Evaluators, o.Orgs, o.Awarded, time.Since(start).Round(time.Millisecond))
	return nil
}

// genOrg is a generated organisation with its admin user.
type genOrg struct {
	OrgID  int64  `json:"org"`
	UserID int64  `json:"user"`
	Email  string `json:"email"`
	BidID  int64  `json:"bid,omitempty"`
}

// createOrgs creates n organisations with one admin each (password demo.Password) and
// records org.registered on the platform chain.
func createOrgs(ctx context.Context, st *store.Store, prefix, kind string, n int, pwHash string) ([]genOrg, error) {
	tx, err := st.Pool.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	orgIDs, err := nextIDs(ctx, tx, "organizations", n)
	if err != nil {
		return nil, err
	}
	userIDs, err := nextIDs(ctx, tx, "users", n)
	if err != nil {
		return nil, err
	}
	out := make([]genOrg, n)
	var users, orgs, members [][]any
	pl, err := openChain(ctx, tx, audit.ChainPlatform)
	if err != nil {
		return nil, err
	}
	for i := range n {
		g := genOrg{OrgID: orgIDs[i], UserID: userIDs[i], Email: fmt.Sprintf("%s-%s-%04d@traeger.example", prefix, kind, i+1)}
		out[i] = g
		users = append(users, []any{g.UserID, g.Email, fmt.Sprintf("Person %d", i+1), pwHash})
		orgs = append(orgs, []any{g.OrgID, fmt.Sprintf("Träger %s %s %04d e. V.", prefix, kind, i+1), "e. V.", "Hauptstraße 1", "57072", "Siegen", g.Email})
		members = append(members, []any{g.OrgID, g.UserID, "org_admin"})
		pl.add(audit.Event{Chain: audit.ChainPlatform, ActorID: g.UserID, Action: "org.registered", ObjectType: "organization",
			ObjectID: strconv.FormatInt(g.OrgID, 10), Details: map[string]any{"name": orgs[i][1]}})
	}
	if err := copyRows(ctx, tx, "users", []string{"id", "email", "name", "password_hash"}, users); err != nil {
		return nil, err
	}
	if err := copyRows(ctx, tx, "organizations", []string{"id", "name", "legal_form", "street", "postal_code", "city", "email"}, orgs); err != nil {
		return nil, err
	}
	if err := copyRows(ctx, tx, "organization_members", []string{"org_id", "user_id", "role"}, members); err != nil {
		return nil, err
	}
	if err := pl.flush(ctx, tx); err != nil {
		return nil, err
	}
	return out, tx.Commit(ctx)
}

// benchContent is the KIM template with eight criteria (weights summing to 100).
func benchContent(t *accounts.Tenant, now time.Time, n int) rules.CallContent {
	c := calls.KIMTemplate(t, now)
	c.Title = fmt.Sprintf("%s – Verfahren %d", c.Title, n)
	c.FileRef = fmt.Sprintf("KI-IBV-%s-%02d", now.Format("2006"), n)
	one := 1
	c.Criteria = append(c.Criteria,
		rules.Criterion{Key: "K7", Name: "Sprachmittlung und Mehrsprachigkeit", Weight: 10, MinScore: &one, Description: "Angebote in den Herkunftssprachen."},
		rules.Criterion{Key: "K8", Name: "Beteiligung der Ratsuchenden", Weight: 10, MinScore: &one, Description: "Rückmeldewege und Beteiligung."})
	for i, w := range []int{20, 15, 15, 10, 10, 10, 10, 10} {
		c.Criteria[i].Weight = w
	}
	c.TieBreak = []string{"K1", "K2", "K3", "K4", "K5", "K6", "K7", "K8"}
	c.Timeline.Publication = now.UTC().Truncate(time.Second)
	return c
}

// completeDraft is a draft that answers every criterion, confirms every declaration and
// applies for 1 VZÄ in the first lot.
func completeDraft(c *rules.CallContent, i int) *rules.BidDraft {
	d := &rules.BidDraft{Lots: map[string]decimal.Decimal{c.Lots[0].Key: decimal.NewFromInt(1)}, Answers: map[string]string{},
		Declarations: map[string]bool{}, Ties: rules.Ties{Declared: "none"},
		Contact: rules.Contact{Name: fmt.Sprintf("Kontaktperson %d", i), Email: fmt.Sprintf("kontakt%d@traeger.example", i), Phone: "0271 12345"}}
	for _, cr := range c.Criteria {
		d.Answers[cr.Key] = fmt.Sprintf("Unser Konzept zum Kriterium „%s“: Wir arbeiten mit festen Ansprechpersonen, klaren Verweiswegen und "+
			"regelmäßiger Supervision; Bewerbung %d.", cr.Name, i)
	}
	for _, x := range rules.Declarations(c) {
		d.Declarations[x.Key] = true
	}
	return d
}

// genCall is one generated call with its sealed bids.
type genCall struct {
	ID      int64
	Content rules.CallContent
	Draft   []byte
	Sealed  [][]byte
	Sums    []string
}

// genKreis creates one Kreis: tenant, lead and evaluators, calls (committed first, because
// the data keys refer to them), then bids, versions and audit entries in a second transaction.
// The first o.Awarded calls get a deadline awardLead from now and are returned for awardCalls.
func genKreis(ctx context.Context, st *store.Store, vlt *vault.Vault, o volumeOpts, k int, orgs []genOrg, pwHash string) ([]pendingAward, error) {
	slug := fmt.Sprintf("%s-%02d", o.Prefix, k+1)
	t := &accounts.Tenant{Slug: slug, Name: fmt.Sprintf("Kreis %s %02d", o.Prefix, k+1), Kind: "kreis", ContactEmail: "ki@" + slug + ".example"}
	tx, err := st.Pool.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	var now time.Time
	if err := tx.QueryRow(ctx, `INSERT INTO tenants (slug, name, kind, authority, contact_email) VALUES ($1, $2, $3, $2, $4) RETURNING id, now()`,
		t.Slug, t.Name, t.Kind, t.ContactEmail).Scan(&t.ID, &now); err != nil {
		return nil, fmt.Errorf("tenant %s: %w", slug, err)
	}
	staff := 1 + o.Evaluators
	uids, err := nextIDs(ctx, tx, "users", staff)
	if err != nil {
		return nil, err
	}
	var users, roles [][]any
	for i, id := range uids {
		role, email := "evaluator", fmt.Sprintf("gremium%d@%s.example", i, slug)
		if i == 0 {
			role, email = "lead", "leitung@"+slug+".example"
		}
		users = append(users, []any{id, email, fmt.Sprintf("%s %d", role, i), pwHash})
		roles = append(roles, []any{t.ID, id, role})
	}
	lead := uids[0]
	if err := copyRows(ctx, tx, "users", []string{"id", "email", "name", "password_hash"}, users); err != nil {
		return nil, err
	}
	if err := copyRows(ctx, tx, "tenant_memberships", []string{"tenant_id", "user_id", "role"}, roles); err != nil {
		return nil, err
	}
	kc, err := openChain(ctx, tx, audit.TenantChain(t.ID))
	if err != nil {
		return nil, err
	}
	kc.add(audit.Event{Chain: kc.chain, TenantID: t.ID, Action: "tenant.created", ObjectType: "tenant", ObjectID: strconv.FormatInt(t.ID, 10)})
	if err := kc.flush(ctx, tx); err != nil {
		return nil, err
	}
	callIDs, err := nextIDs(ctx, tx, "calls", o.Calls)
	if err != nil {
		return nil, err
	}
	calls := make([]*genCall, o.Calls)
	var pending []pendingAward
	var callRows, verRows [][]any
	year := now.Year()
	for j, id := range callIDs {
		c := benchContent(t, now, j+1)
		if j < o.Awarded {
			c.Timeline.Deadline = now.Add(awardLead).UTC().Truncate(time.Second)
			c.Timeline.QuestionsUntil = c.Timeline.Publication
			pending = append(pending, pendingAward{TenantID: t.ID, Lead: lead, CallID: id, Deadline: c.Timeline.Deadline})
		}
		raw, err := c.Canonical()
		if err != nil {
			return nil, err
		}
		sum, err := c.SHA256()
		if err != nil {
			return nil, err
		}
		calls[j] = &genCall{ID: id, Content: c}
		callRows = append(callRows, []any{id, t.ID, fmt.Sprintf("%s-%d-%02d", slug, year, j+1), year, j + 1, "published", 1, c.Title,
			c.Timeline.Deadline, c.Timeline.QuestionsUntil, c.Timeline.Publication, lead})
		verRows = append(verRows, []any{id, 1, string(raw), sum, c.Timeline.Deadline, lead, c.Timeline.Publication})
	}
	if err := copyRows(ctx, tx, "calls", []string{"id", "tenant_id", "ref", "ref_year", "ref_seq", "state", "current_version", "title",
		"deadline", "questions_until", "published_at", "created_by"}, callRows); err != nil {
		return nil, err
	}
	if err := copyRows(ctx, tx, "call_versions", []string{"call_id", "version", "content", "content_sha256", "deadline", "published_by", "published_at"}, verRows); err != nil {
		return nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, err
	}
	if err := sealBids(st, vlt, o, k, calls, orgs); err != nil {
		return nil, err
	}
	return pending, storeBids(ctx, st, o, k, t.ID, lead, calls, orgs)
}

// sealBids encrypts every bid's canonical content with its call's data key, in parallel.
func sealBids(st *store.Store, vlt *vault.Vault, o volumeOpts, k int, calls []*genCall, orgs []genOrg) error {
	var wg sync.WaitGroup
	errs := make(chan error, len(calls))
	sem := make(chan struct{}, max(1, o.Jobs))
	for j, gc := range calls {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			errs <- sealCall(st, vlt, o, k*o.Calls+j, gc, orgs)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func sealCall(st *store.Store, vlt *vault.Vault, o volumeOpts, n int, gc *genCall, orgs []genOrg) error {
	d := completeDraft(&gc.Content, n)
	plain, err := json.Marshal(d)
	if err != nil {
		return err
	}
	if gc.Draft, err = vlt.SealBytes(st.DB, gc.ID, plain); err != nil {
		return err
	}
	for i := range o.Bids {
		g := orgs[(n+i)%len(orgs)]
		bc := rules.BidContent{CallID: gc.ID, CallVersion: 1, OrgID: g.OrgID, Lots: d.Lots, Answers: d.Answers,
			Declarations: d.Declarations, Ties: d.Ties, Contact: d.Contact, Documents: map[string]string{}}
		canonical, err := rules.CanonicalBid(bc)
		if err != nil {
			return err
		}
		sealed, err := vlt.SealBytes(st.DB, gc.ID, canonical)
		if err != nil {
			return err
		}
		gc.Sealed = append(gc.Sealed, sealed)
		gc.Sums = append(gc.Sums, rules.BidSHA256(canonical))
	}
	return nil
}

// storeBids writes bids, versions (receipt times set at COMMIT by the deadline trigger)
// and the audit entries of every call chain and sealed bid trail in one transaction.
func storeBids(ctx context.Context, st *store.Store, o volumeOpts, k int, tenantID, lead int64, calls []*genCall, orgs []genOrg) error {
	tx, err := st.Pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	bidIDs, err := nextIDs(ctx, tx, "bids", o.Calls*o.Bids)
	if err != nil {
		return err
	}
	var bidList, versions [][]any
	for j, gc := range calls {
		ch, err := openChain(ctx, tx, audit.CallChain(gc.ID))
		if err != nil {
			return err
		}
		ch.add(audit.Event{Chain: ch.chain, ActorID: lead, TenantID: tenantID, Action: "call.published", ObjectType: "call",
			ObjectID: strconv.FormatInt(gc.ID, 10), Details: map[string]any{"version": 1}})
		if err := ch.flush(ctx, tx); err != nil {
			return err
		}
		trails := make([]audit.Event, 0, o.Bids) // bid events: each bid's sealed trail
		for i := range o.Bids {
			g := orgs[(k*o.Calls+j+i)%len(orgs)]
			id := bidIDs[j*o.Bids+i]
			bidList = append(bidList, []any{id, gc.ID, g.OrgID, "submitted", 1, gc.Draft, 1, 1, g.UserID, time.Now(), g.UserID})
			versions = append(versions, []any{id, 1, gc.ID, g.OrgID, 1, "submission", gc.Sealed[i], gc.Sums[i], g.UserID})
			trails = append(trails, audit.Event{Chain: audit.SealedBidChain(gc.ID, id), ActorID: g.UserID, Action: "bid.submitted", ObjectType: "bid",
				ObjectID: strconv.FormatInt(id, 10), Details: map[string]any{"org_id": g.OrgID, "version": 1, "call_version": 1, "content_sha256": gc.Sums[i], "files": 0}})
		}
		if err := freshChains(ctx, tx, trails); err != nil {
			return err
		}
	}
	if err := copyRows(ctx, tx, "bids", []string{"id", "call_id", "org_id", "state", "current_version", "draft", "draft_rev", "submitted_rev",
		"updated_by", "updated_at", "created_by"}, bidList); err != nil {
		return err
	}
	if err := copyRows(ctx, tx, "bid_versions", []string{"bid_id", "version", "call_id", "org_id", "call_version", "kind", "content",
		"content_sha256", "submitted_by"}, versions); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit bids: %w", err)
	}
	return nil
}
