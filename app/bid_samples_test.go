package app

import (
	"bytes"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"kimibv/models/bids"
	"kimibv/models/calls"
	"kimibv/models/rules"
	"kimibv/models/vault"
	"kimibv/templates"
)

// sampleBidPage is a bid with a submitted version, later changes, a re-confirmation
// request, one stored file and a wallet to attach from, on step (or the overview for "").
func sampleBidPage(step rules.BidStep, complete bool) bidPage {
	cv := sampleCallView(false)
	c := cv.Content
	dl := c.Timeline.Deadline
	h := calls.HeaderOf(cv.Call)
	h.Deadline = &dl
	h.State = rules.CallPublished
	h.CurrentVersion = 2
	user := int64(7)
	recv := sampleNow
	d := rules.BidDraft{Lots: map[string]decimal.Decimal{"L1": decimal.RequireFromString("1.5")},
		Answers: map[string]string{"K1": "Unser Konzept <mit Sonderzeichen> & Zeilen\nzweite Zeile"}, Declarations: map[string]bool{},
		Ties:    rules.Ties{Declared: "some", Text: "Eine Mitarbeiterin ist mit einem Kreistagsmitglied verheiratet."},
		Contact: rules.Contact{Name: "Andrea Wohlfahrt", Email: "awo@traeger.example"}}
	decl := rules.Declarations(&c)
	if complete {
		for _, x := range decl {
			d.Declarations[x.Key] = true
		}
		for _, cr := range c.Criteria {
			d.Answers[cr.Key] = "Antwort zu " + cr.Name
		}
	}
	files := map[string]vault.BidFileRow{"U1": {DocKey: "U1", FileID: 11, Name: "Konzept.pdf", Size: 80_000, SHA256: "3f2a" + "00", AddedAt: sampleNow}}
	have := map[string]bool{"U1": true}
	if complete {
		for _, rd := range c.RequiredDocs {
			have[rd.Key] = true
		}
	}
	view := &bids.BidView{Bid: bids.Bid{ID: 5, CallID: h.ID, OrgID: 3, State: rules.BidSubmitted, CurrentVersion: 1, DraftRev: 4, SubmittedRev: 3,
		UpdatedBy: &user, UpdatedAt: sampleNow, NeedsReconfirmation: true}, Call: *h, Content: c, Draft: d, Files: files,
		Versions: []bids.VersionRow{{Version: 1, CallVersion: 1, Kind: bids.VersionSubmission, ContentSHA256: "ab" + "cd", ReceiptAt: &recv, SubmittedBy: "Andrea Wohlfahrt",
			Files: []vault.BidFileRow{files["U1"]}}},
		UpdatedByName: "Clemens Caritas", Open: true}
	view.Missing = rules.BidMissing(&c, &d, have)
	p := bidPage{Org: sampleOrgData().Org, View: view, Base: "/traeger/3/bewerbungen/5", Step: step, Steps: rules.BidSteps,
		Declarations: decl, MaxFile: "20 MB", Wallet: sampleWalletData(false).Entries}
	return p
}

// sampleOrgBids is the organisation's list with a draft and a submitted bid.
func sampleOrgBids() orgBidsPage {
	dl := sampleNow
	return orgBidsPage{Org: sampleOrgData().Org, Bids: []bids.OrgBidRow{
		{ID: 5, CallRef: "musterland-2026-01", CallTitle: "KIM-Case-Management", Deadline: &dl, State: rules.BidSubmitted, CurrentVersion: 2,
			DraftRev: 5, SubmittedRev: 4, UpdatedAt: sampleNow, UpdatedByName: "Andrea Wohlfahrt", NeedsReconfirmation: true, ReceiptAt: &dl},
		{ID: 6, CallRef: "musterland-2026-02", CallTitle: "Nachbesetzung Los Süd", State: rules.BidDraftState, UpdatedAt: sampleNow},
		{ID: 7, CallRef: "musterland-2026-05", CallTitle: "Ergebnis", State: rules.BidSubmitted, CurrentVersion: 1, UpdatedAt: sampleNow, Outcome: "not_selected"},
	}}
}

// sampleReceipt is the receipt of version 1.
func sampleReceipt() receiptPage {
	p := sampleBidPage("", true)
	return receiptPage{Org: p.Org, Base: p.Base, Time: rules.FormatDateTimeSeconds(sampleNow), Receipt: &bids.Receipt{OrgName: p.Org.Name,
		Call: p.View.Call, Version: p.View.Versions[0], BidID: 5, CallText: p.View.Content,
		Lots: []bids.ReceiptLot{{Key: "L1", Name: "Nord", FTE: "1,50"}}}}
}

// TestRenderBidVariants renders every step, the complete check page, a withdrawn bid and a
// bid after the deadline, each checked like TestRenderEveryPage.
func TestRenderBidVariants(t *testing.T) {
	t.Parallel()
	r, err := templates.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	variants := map[string]struct {
		page string
		p    *templates.Page
	}{}
	fields := map[rules.BidStep]string{rules.StepLots: "fte_L2", rules.StepAnswers: "answer_K2", rules.StepDocuments: "doc_U2",
		rules.StepDeclarations: "ties", rules.StepContact: "contact_email"}
	for _, s := range rules.BidSteps {
		variants[string(s)] = struct {
			page string
			p    *templates.Page
		}{"bid_step", withFormError(sample(s.Label(), sampleBidPage(s, false)), fields[s], "Fehler")}
	}
	walletErr := withFormError(sample("Unterlagen", sampleBidPage(rules.StepDocuments, false)), "wallet_U2", "Bitte wählen Sie ein Dokument aus.")
	variants["wallet error"] = struct {
		page string
		p    *templates.Page
	}{"bid_step", walletErr}
	complete := sampleBidPage("", true)
	variants["check complete"] = struct {
		page string
		p    *templates.Page
	}{"bid_check", sample("Angaben prüfen", complete)}
	closed := sampleBidPage("", true)
	closed.View.Open = false
	closed.View.Bid.State = rules.BidWithdrawn
	at := sampleNow
	closed.View.Bid.WithdrawnAt = &at
	variants["withdrawn after deadline"] = struct {
		page string
		p    *templates.Page
	}{"bid", sample("Interessenbekundung", closed)}
	for name, v := range variants {
		var buf bytes.Buffer
		if err := r.Render(&buf, v.page, v.p); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, problem := range checkHTML(buf.String(), v.p) {
			t.Errorf("%s: %s", name, problem)
		}
		out := buf.String()
		switch name {
		case "check complete":
			if !strings.Contains(out, "Interessenbekundung erneut bestätigen") && !strings.Contains(out, "Überarbeitete Fassung einreichen") {
				t.Errorf("check page without submit button")
			}
		case "withdrawn after deadline":
			if strings.Contains(out, "zurueckziehen") || strings.Contains(out, "/lose\"") {
				t.Errorf("actions offered after the deadline")
			}
		}
	}
}
