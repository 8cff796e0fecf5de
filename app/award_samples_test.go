package app

// Render samples for the award record and the council view.

import (
	"bytes"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"kimibv/models/accounts"
	"kimibv/models/audit"
	"kimibv/models/calls"
	"kimibv/models/decision"
	"kimibv/models/rules"
	"kimibv/templates"
)

// sampleAwardRecord is an awarded procedure with an amendment, an answer, AWO selected
// (with a deviation), the Caritas ranked second, Brückenschlag excluded, one rejected
// objection and a verified chain.
func sampleAwardRecord(state rules.CallState) *decision.AwardRecord {
	answered, upheld := sampleNow, "rejected"
	d := &rules.Decision{CallID: 1, Justification: "Auswahl nach der Rangfolge.", Deviates: true, DeviationReason: "Ortsnähe im Los Süd.",
		Body: rules.BodyKreistag, DecidedOn: rules.NewDate(sampleNow), ResolutionNumber: "KT/0815/2026", VoteResult: "einstimmig",
		CouncilURL: "https://ratsinfo.musterland.example/vo0050.asp?__kvonr=815", RecordedAt: &sampleNow, StandstillEndsAt: &sampleNow, AwardedAt: &sampleNow}
	sel := []decision.AwardAllocation{{Lot: "Nord", FTE: "2,00", ResultFTE: "2,00"}, {Lot: "Süd", FTE: "1,00", ResultFTE: "0,00", Deviates: true}}
	r := &decision.AwardRecord{CallID: 1, Ref: "musterland-2026-01", State: state, TenantSlug: "musterland", TenantName: "Kreis Musterland",
		Title: "IBV KIM-Case-Management", PublishedAt: &sampleNow, OpenedAt: &sampleNow, Content: sampleCallContent(),
		Versions: []calls.VersionInfo{{Version: 1, Deadline: sampleNow, PublishedAt: sampleNow}, {Version: 2, Reason: "Frist verlängert", Deadline: sampleNow, PublishedAt: sampleNow}},
		QA:       []calls.PublicQA{{ID: 1, Seq: 1, Question: "Sind Teilanträge möglich?", Answer: "Ja, je Los.", AnsweredAt: sampleNow}},
		Bidders: []decision.AwardBidder{
			{BidID: 1, OrgName: "Arbeiterwohlfahrt Kreisverband Musterland e. V.", Formal: "admitted", HasResult: true, Rank: 1, Total: decimal.RequireFromString("87.5"),
				Scores: []decision.AwardScore{{Criterion: "K1 Konzept", Score: "3", Points: "18,75"},
					{Criterion: "K2 Unabhängigkeit", Score: "3", Points: "15,00", Deviates: true, Mean: "2,67", Reason: "Die Beschwerdestelle ist verbindlich geregelt."}},
				Requested: []decision.AwardRequest{{Lot: "Nord", FTE: "2,00"}, {Lot: "Süd", FTE: "1,00"}}, Selected: sel},
			{BidID: 2, OrgName: "Caritasverband für den Kreis Musterland e. V.", Formal: "admitted", HasResult: true, Rank: 2, RankByDecision: true, Total: decimal.NewFromInt(70),
				Requested: []decision.AwardRequest{{Lot: "Nord", FTE: "1,00"}}},
			{BidID: 3, OrgName: "Brückenschlag e. V.", Formal: "excluded", FormalReason: "Die Satzung fehlt.", HasResult: true, Excluded: true, ExclusionReasons: []string{"formal ausgeschlossen"}}},
		Lots:       []rules.LotResult{{Key: "L1", Name: "Nord", FTE: decimal.NewFromInt(3), Allocated: decimal.NewFromInt(3)}, {Key: "L3", Name: "Süd", FTE: decimal.NewFromInt(1), Unallocated: decimal.NewFromInt(1)}},
		Ties:       []decision.AwardTie{{Rank: 2, OrgNames: []string{"Caritasverband für den Kreis Musterland e. V.", "Diakonisches Werk e. V."}, Reason: "Losentscheid in der Sitzung vom 10.03.2026."}},
		Decision:   d,
		Objections: []decision.AwardObjection{{OrgName: "Caritasverband für den Kreis Musterland e. V.", LodgedAt: sampleNow, Outcome: &upheld, AnsweredAt: &answered}},
		Timeline:   []decision.TimelineEntry{{Seq: 1, At: sampleNow, Label: "Ausschreibung veröffentlicht"}, {Seq: 9, At: sampleNow, Label: "Dokument ausgestellt: Vergabevermerk"}},
		Chain:      audit.Verification{Chain: "call:1", Entries: 9, OK: true, HeadHash: "ab12cd34ab12cd34ab12cd34ab12cd34ab12cd34ab12cd34ab12cd34ab12cd34"}, Checked: sampleNow,
	}
	r.Rounds = []decision.AwardRound{{Remedy: decision.Remedy{ID: 1, Step: rules.RemedyScoring, Reason: "Das Gremium hat eine überholte Fassung bewertet.", ReturnedAt: sampleNow},
		Decision: d, Bidders: r.Bidders[:2], Objections: r.Objections}}
	if state == rules.CallCancelled {
		r.Decision, r.Bidders, r.CancelledAt, r.CancelReason = nil, nil, &sampleNow, "Die Landesmittel wurden nicht bewilligt."
	}
	return r
}

func sampleAwardList() awardListPage {
	return awardListPage{List: &decision.AwardList{ListPage: calls.ListPage{Page: 1, Pages: 2, Total: 21, Kreise: []accounts.Tenant{{ID: 1, Slug: "musterland", Name: "Kreis Musterland"}}},
		Rows: []decision.AwardListRow{{ID: 1, Ref: "musterland-2026-01", Title: "IBV", State: rules.CallAwarded, TenantName: "Kreis Musterland", DecidedAt: &sampleNow},
			{ID: 2, Ref: "musterland-2026-02", Title: "Aufgehoben", State: rules.CallCancelled, TenantName: "Kreis Musterland", CancelledAt: &sampleNow}}},
		Next: "/vergaben?seite=2"}
}

// sampleCouncil is the council page: declared (annex visible), undeclared (form) or tied.
func sampleCouncil(mode string) councilPage {
	t := &accounts.Tenant{ID: 1, Slug: "musterland", Name: "Kreis Musterland"}
	r := sampleAwardRecord(rules.CallNotified)
	v := &decision.CouncilView{CallID: 1, Ref: r.Ref, Title: r.Title, State: r.State, Record: r,
		Bidders: []decision.CouncilBidder{{OrgID: 5, OrgName: "Arbeiterwohlfahrt Kreisverband Musterland e. V."}, {OrgID: 6, OrgName: "Brückenschlag e. V."}}}
	switch mode {
	case "declared":
		v.Declared = true
		v.Annex = &decision.CouncilAnnex{
			Scores:       []decision.VermerkScore{{Evaluator: "Gerda Gremium", OrgName: "Brückenschlag e. V.", Criterion: "K1 Konzept", Score: 2, Reason: "nachvollziehbar"}},
			Declarations: []decision.AnnexCOI{{Evaluator: "Gerda Gremium", OrgName: "Caritas", Tie: rules.TieBoard, Note: "Vorstand"}, {Evaluator: "Gustav Gutachter", OrgName: "Caritas", Tie: rules.TieNone}},
			Formal:       []decision.AnnexFormal{{OrgName: "Brückenschlag e. V.", Outcome: "excluded", Reason: "Die Satzung fehlt.", Items: []rules.CheckItem{{Key: "U2", Label: "Satzung", Remark: "fehlt"}}}},
			Requests:     []decision.VermerkRequest{{OrgName: "Brückenschlag e. V.", Docs: "U2", Message: "Bitte reichen Sie die Satzung nach.", RequestedAt: sampleNow}},
			Consolidated: []decision.AnnexConsolidated{{OrgName: "Arbeiterwohlfahrt Kreisverband Musterland e. V.", Criterion: "K1 Konzept", Score: "3", Mean: "3",
				Reason: "Ablauf und Zuständigkeiten sind beschrieben.", SetByName: "Jana Leitner"}, {OrgName: "Arbeiterwohlfahrt Kreisverband Musterland e. V.",
				Criterion: "K2 Unabhängigkeit", Score: "3", Mean: "2,67", Deviates: true, Reason: "Die Beschwerdestelle ist verbindlich geregelt.", SetByName: "Jana Leitner"}},
			Allocation: []decision.AnnexAllocation{{OrgName: "Arbeiterwohlfahrt Kreisverband Musterland e. V.", Rank: 1, Lot: "Nord", Requested: "2,00", ByResult: "2,00", Decided: "2,00"},
				{OrgName: "Caritasverband für den Kreis Musterland e. V.", Rank: 2, RankByDecision: true, Lot: "Nord", Requested: "1,00", ByResult: "1,00", Decided: "1,00"}},
			Trail: []decision.AnnexEntry{{Seq: 1, CreatedAt: sampleNow, Action: "call.published", ActorName: "Jana Leitner", Hash: "ab12cd34ab12cd34"}}}
	case "tied":
		v.Declared, v.Tied = true, true
	case "pending":
		v.Record, v.Bidders, v.State = nil, nil, rules.CallOpened
	}
	p := councilPage{Tenant: t, V: v, Base: "/kreistag/musterland/verfahren/1"}
	if v.Record != nil {
		p.Award = awardPage{R: v.Record, Href: "/ausschreibungen/" + v.Ref}
	}
	return p
}

func sampleCouncilList() councilListPage {
	return councilListPage{Tenant: &accounts.Tenant{ID: 1, Slug: "musterland", Name: "Kreis Musterland"}, Rows: []decision.CouncilRow{
		{ID: 1, Ref: "musterland-2026-01", Title: "IBV", State: rules.CallAwarded, Decided: true, DecidedAt: &sampleNow, Declared: true},
		{ID: 2, Ref: "musterland-2026-02", Title: "Offen", State: rules.CallPublished}}}
}

// TestRenderAwardVariants renders the council page in every gate state and the award
// record of a cancelled and a not yet final procedure.
func TestRenderAwardVariants(t *testing.T) {
	t.Parallel()
	r, err := templates.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		page string
		p    *templates.Page
		want string
	}{
		"declared":  {"council_procedure", sample("V", sampleCouncil("declared")), "Bewertungen der Mitglieder mit Begründung"},
		"tied":      {"council_procedure", sample("V", sampleCouncil("tied")), "Anhang nicht zugänglich"},
		"pending":   {"council_procedure", sample("V", sampleCouncil("pending")), "sobald die Entscheidung aufgezeichnet ist"},
		"cancelled": {"award", sample("V", awardPage{R: sampleAwardRecord(rules.CallCancelled)}), "Das Verfahren wurde aufgehoben"},
		"notified":  {"award", sample("V", awardPage{R: sampleAwardRecord(rules.CallNotified)}), "Noch nicht bestandskräftig"},
	}
	for name, c := range cases {
		var buf bytes.Buffer
		if err := r.Render(&buf, c.page, c.p); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, problem := range checkHTML(buf.String(), c.p) {
			t.Errorf("%s: %s", name, problem)
		}
		if !strings.Contains(buf.String(), c.want) {
			t.Errorf("%s: %q missing", name, c.want)
		}
	}
}
