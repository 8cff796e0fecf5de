package app

// Render samples for the opening, formal check, committee and evaluation pages.

import (
	"bytes"
	"testing"

	"github.com/shopspring/decimal"

	"kimibv/models/bids"
	"kimibv/models/calls"
	"kimibv/models/evaluation"
	"kimibv/models/rules"
	"kimibv/models/vault"
	"kimibv/templates"
)

// sampleClosedHeader is the sample call after its deadline, opened.
func sampleClosedHeader() calls.CallHeader {
	h := *sampleHeader(false)
	dl := sampleNow.AddDate(0, 0, -3)
	h.State, h.Deadline = rules.CallOpened, &dl
	return h
}

// sampleProtocol is an opened call with a submitted and a withdrawn bid.
func sampleProtocol(opened bool) openingPage {
	h := sampleClosedHeader()
	v := &evaluation.OpeningView{Call: h, Status: rules.SealExpired,
		Named:     []rules.CommitteeMember{{UserID: 3, Name: "Olaf Öffner"}, {UserID: 4, Name: "Özlem Schlüter"}},
		Confirmed: []evaluation.OpeningConfirmation{{UserID: 3, Name: "Olaf Öffner", ConfirmedAt: sampleNow}}, CanConfirm: !opened}
	if opened {
		v.Status, v.OpenedAt, v.LateAttempts = rules.SealOpened, &sampleNow, 2
		v.Confirmed = append(v.Confirmed, evaluation.OpeningConfirmation{UserID: 4, Name: "Özlem Schlüter", ConfirmedAt: sampleNow})
		v.Bids = []evaluation.ProtocolBid{
			{BidID: 1, OrgName: "Arbeiterwohlfahrt Kreisverband Musterland e. V.", State: rules.BidSubmitted, Version: 2, CallVersion: 2, ReceiptAt: sampleNow,
				ContentSHA256: "ab12", NeedsReconfirmation: true, Files: []rules.ProtocolFile{{DocKey: "U1", Name: "konzept.pdf", SHA256: "cd34"}}},
			{BidID: 2, OrgName: "Brückenschlag e. V.", State: rules.BidWithdrawn, Version: 1, CallVersion: 1, ReceiptAt: sampleNow, ContentSHA256: "ef56"},
		}
	}
	return openingPage{View: v, Base: "/verwaltung/musterland/verfahren/1", Back: "/verwaltung/musterland/oeffnungen"}
}

// sampleFormalCheck is a bid with an expired wallet document, an answered request and an exclusion.
func sampleFormalCheck(excluded bool) formalCheckPage {
	c := sampleCallContent()
	freist := string(rules.DocFreistellung)
	until := sampleNow.AddDate(0, 0, -10)
	files := []rules.ProtocolFile{{DocKey: c.RequiredDocs[0].Key, Name: "konzept.pdf", SHA256: "ab12"},
		{DocKey: c.RequiredDocs[1].Key, Name: "freistellung.pdf", SHA256: "cd34", DocType: &freist, ValidUntil: &until}}
	answers := []rules.RequestAnswer{{ID: 9, RequestID: 5, DocKey: c.RequiredDocs[1].Key, Name: "neu.pdf", SHA256: "ef56", ReceivedAt: sampleNow}}
	v := &evaluation.FormalBidView{Call: sampleClosedHeader(), Content: c, Outcome: "requested",
		Bid:   bids.OpenedBid{BidID: 1, OrgName: "Caritasverband für den Kreis Musterland e. V.", Version: 1, ReceiptAt: sampleNow, ContentSHA256: "ab12"},
		Items: rules.Checklist(&c, files, answers, map[string]rules.ItemAssessment{"E1": {Met: true, Remark: "geprüft"}}, sampleNow),
		Requests: []evaluation.DocumentRequest{{ID: 5, DocKeys: []string{c.RequiredDocs[1].Key}, Message: "Bitte reichen Sie den aktuellen Bescheid nach.",
			RequestedAt: sampleNow, RequestedBy: "Jana Leitner", Deadline: sampleNow.AddDate(0, 0, 7), Answers: answers}}}
	d := sampleNow.AddDate(0, 0, 7)
	v.RequestDeadline = &d
	if excluded {
		v.Outcome, v.Reason, v.DecidedAt, v.DecidedBy = "excluded", "Die Satzung fehlt.", &sampleNow, "Jana Leitner"
		v.RequestDeadline = nil
	}
	return formalCheckPage{View: v, Base: "/verwaltung/musterland/verfahren/1/pruefung/1", List: "/verwaltung/musterland/verfahren/1/pruefung"}
}

// sampleCallContent is a call with eligibility, documents, criteria and scale.
func sampleCallContent() rules.CallContent {
	one := 1
	return rules.CallContent{Title: "IBV KIM-Case-Management 2026–2028", Eligibility: []string{"Anerkannter Träger der freien Wohlfahrtspflege"},
		RequiredDocs: []rules.RequiredDoc{{Key: "U1", Name: "Konzept", Mandatory: true}, {Key: "U2", Name: "Freistellungsbescheid", Mandatory: true}},
		Criteria: []rules.Criterion{{Key: "K1", Name: "Konzept", Description: "Fallaufnahme, Hilfeplanung.", Weight: 60, MinScore: &one},
			{Key: "K2", Name: "Unabhängigkeit", Description: "Beschwerdeweg.", Weight: 40}},
		Scale: []rules.ScaleLevel{{Value: 0, Label: "nicht dargestellt"}, {Value: 1, Label: "unzureichend"}, {Value: 2, Label: "gut"}},
		Lots:  []rules.Lot{{Key: "L1", Name: "Nord", FTE: decimal.NewFromInt(2)}}}
}

// sampleCommittee has one tie, one undeclared member and a warning.
func sampleCommittee() committeePage {
	cv := &evaluation.CommitteeView{Call: sampleClosedHeader(),
		Evaluators:   []rules.SnapshotEvaluator{{UserID: 5, Name: "Greta Gremm"}, {UserID: 6, Name: "Bernd Bewerter"}},
		Declarations: []evaluation.CommitteeDeclaration{{EvaluatorID: 5, OrgID: 1, Tie: rules.TieBoard, Note: "Vorstand seit 2019", DeclaredAt: sampleNow}},
		Bids: []evaluation.CommitteeBid{{BidID: 1, OrgID: 1, OrgName: "AWO", Formal: rules.FormalAdmitted, Eligible: []int64{6}, Submitted: map[int64]bool{6: true}, Understaff: true},
			{BidID: 2, OrgID: 2, OrgName: "Caritas", Formal: rules.FormalPending, Eligible: []int64{5, 6}, Submitted: map[int64]bool{}}},
		Candidates: []rules.SnapshotEvaluator{{UserID: 7, Name: "Ayşe Yıldız"}}}
	return committeePage{View: cv, Base: "/verwaltung/musterland/verfahren/1"}
}

// sampleDeclarations is the declaration form with two bidders.
func sampleDeclarations(complete bool) declarationPage {
	v := &evaluation.DeclarationView{Call: sampleClosedHeader(), Complete: complete,
		Bidders: []evaluation.Bidder{{OrgID: 1, OrgName: "AWO"}, {OrgID: 2, OrgName: "Caritas"}}}
	if complete {
		v.Bidders[0].Tie, v.Bidders[0].Note, v.Bidders[0].DeclaredAt = rules.TieBoard, "Vorstand", &sampleNow
		v.Bidders[1].Tie, v.Bidders[1].DeclaredAt = rules.TieNone, &sampleNow
	}
	return declarationPage{View: v, Base: "/verwaltung/musterland/bewertung/1", Ties: rules.TieKinds}
}

// sampleSheet is a score sheet, submitted with another member's scores, or a draft.
func sampleSheet(submitted bool) sheetPage {
	c := sampleCallContent()
	two := 2
	v := &evaluation.SheetView{Call: sampleClosedHeader(), Content: c,
		Bid: bids.OpenedBid{BidID: 1, OrgName: "AWO", Content: rules.BidContent{Answers: map[string]string{"K1": "Unser Konzept …", "K2": "Getrennt."}},
			Files: []vault.BidFileRow{{DocKey: "U1", Name: "konzept.pdf"}}},
		Own: map[string]evaluation.SheetScoreRow{"K1": {CriterionKey: "K1", Score: &two, Reason: "gut"}}, OtherNames: map[int64]string{6: "Bernd Bewerter"}}
	if submitted {
		v.SubmittedAt = &sampleNow
		v.Others = []rules.ScoreSheet{{BidID: 1, EvaluatorID: 6, Submitted: true, Scores: map[string]rules.SheetScore{"K1": {Score: 1, Reason: "knapp"}}}}
	}
	return sheetPage{View: v, Base: "/verwaltung/musterland/bewertung/1/1", List: "/verwaltung/musterland/bewertung/1"}
}

// sampleBidRequests is the provider's page with an open request.
func sampleBidRequests() bidRequestsPage {
	c := sampleCallContent()
	r := evaluation.DocumentRequest{ID: 5, DocKeys: []string{"U2"}, Message: "Bitte den aktuellen Bescheid.", RequestedAt: sampleNow, Deadline: sampleNow.AddDate(0, 0, 7),
		Answers: []rules.RequestAnswer{{DocKey: "U2", Name: "alt.pdf", SHA256: "ab12", ReceivedAt: sampleNow}}}
	v := &evaluation.ProviderRequestsView{CallRef: "musterland-2026-01", CallTitle: c.Title, Content: c, Requests: []evaluation.DocumentRequest{r}}
	return bidRequestsPage{View: v, Base: "/traeger/3/bewerbungen/1/nachforderung", Open: &v.Requests[0]}
}

// TestRenderEvaluationVariants renders the other states of the opening, formal check,
// committee and evaluation pages: the opening before it happened, an excluded bid, a submitted sheet and completed declarations.
func TestRenderEvaluationVariants(t *testing.T) {
	t.Parallel()
	r, err := templates.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	for name, p := range map[string]*templates.Page{
		"call_opening": sample("Öffnung", sampleProtocol(false)),
		"formal_check": sample("Formale Prüfung", sampleFormalCheck(true)),
		"score_sheet":  sample("Bewertungsbogen", sampleSheet(true)),
		"coi_declare":  sample("Erklärung", sampleDeclarations(true)),
	} {
		for _, pg := range []*templates.Page{p, firstGet(p)} {
			var buf bytes.Buffer
			if err := r.Render(&buf, name, pg); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for _, problem := range checkHTML(buf.String(), pg) {
				t.Errorf("%s: %s", name, problem)
			}
		}
	}
}
