package app

// Render samples for the decision, notice, objection and outbox pages.

import (
	"bytes"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"kimibv/models/calls"
	"kimibv/models/decision"
	"kimibv/models/postbox"
	"kimibv/models/rules"
	"kimibv/templates"
)

// sampleDecisionView is a call with a stored result of three bids and, if proposed, a
// deviating proposal; recorded adds the resolution, notices and objections.
func sampleDecisionView(proposed, recorded bool) *decision.DecisionView {
	c := calls.KIMTemplate(sampleTenant(), sampleNow)
	d2, d1 := decimal.NewFromInt(2), decimal.NewFromInt(1)
	v := &decision.DecisionView{CallID: 1, TenantID: 1, Ref: "musterland-2026-01", Title: c.Title, State: rules.CallOpened, Content: c,
		Bidders: map[int64]decision.DecisionBidder{1: {OrgID: 3, OrgName: "AWO"}, 2: {OrgID: 4, OrgName: "Caritas"}, 3: {OrgID: 5, OrgName: "Brückenschlag"}}}
	v.Result.Rows = []rules.ResultRow{
		{BidID: 1, Rank: 1, Total: decimal.NewFromInt(88), Requested: map[string]decimal.Decimal{c.Lots[0].Key: d2}, Allocation: map[string]decimal.Decimal{c.Lots[0].Key: d2}},
		{BidID: 2, Rank: 2, Total: decimal.NewFromInt(71), Requested: map[string]decimal.Decimal{c.Lots[1].Key: d1}, Allocation: map[string]decimal.Decimal{c.Lots[1].Key: d1}},
		{BidID: 3, Excluded: true, ExcludedFormally: true, ExclusionReasons: []string{"Bei der formalen Prüfung ausgeschlossen: Die Satzung fehlt."}, Requested: map[string]decimal.Decimal{c.Lots[1].Key: d1}},
	}
	if !proposed {
		return v
	}
	v.Decision = &rules.Decision{CallID: 1, Justification: "Auswahl nach der Rangfolge.", Deviates: true, DeviationReason: "Caritas besetzt nur 0,5 VZÄ.",
		StandstillDays: 14, PreparedAt: sampleNow, Allocations: []rules.DecisionAllocation{
			{BidID: 1, OrgName: "AWO", LotKey: c.Lots[0].Key, FTE: d2, ResultFTE: d2},
			{BidID: 2, OrgName: "Caritas", LotKey: c.Lots[1].Key, FTE: decimal.RequireFromString("0.5"), ResultFTE: d1}}}
	if recorded {
		end := sampleNow.AddDate(0, 0, 14)
		v.State = rules.CallNotified
		v.Decision.Body, v.Decision.DecidedOn, v.Decision.ResolutionNumber, v.Decision.VoteResult = rules.BodyKreistag, rules.NewDate(sampleNow), "KT/0815/2026", "einstimmig"
		v.Decision.CouncilURL, v.Decision.RecordedAt, v.Decision.RecordedByName = "https://ratsinfo.example/vo.asp?id=815", &sampleNow, "Jana Leitner"
		v.Decision.NotifiedAt, v.Decision.StandstillEndsAt = &sampleNow, &end
		v.Notices = []decision.NoticeSummary{{ID: 1, OrgID: 3, OrgName: "AWO", Kind: decision.NoticeSelected, IssuedAt: sampleNow}}
		out := decision.ObjectionRejected
		v.Objections = []decision.Objection{{ID: 1, OrgID: 5, OrgName: "Brückenschlag", Reason: "Die Satzung lag vor.", LodgedAt: sampleNow},
			{ID: 2, OrgID: 4, OrgName: "Caritas", Reason: "Rüge", LodgedAt: sampleNow, Answer: "Zurückgewiesen, weil …", Outcome: &out, AnsweredAt: &sampleNow}}
	}
	return v
}

// sampleDecision is the decision page: proposed and not recorded shows the record form.
func sampleDecision(proposed, recorded bool) decisionPage {
	return decisionPage{V: sampleDecisionView(proposed, recorded), Base: "/verwaltung/musterland/verfahren/1/entscheidung", CallHref: "/verwaltung/musterland/verfahren/1"}
}

// sampleObjectionPage is the answer form for an open objection.
func sampleObjectionPage() decisionPage {
	d := sampleDecision(true, true)
	d.Objection = &d.V.Objections[0]
	return d
}

// sampleNoticeContent is a rejected organisation's notice.
func sampleNoticeContent() decision.NoticeContent {
	return decision.NoticeContent{CallRef: "musterland-2026-01", CallTitle: "IBV KIM", Authority: "Kreis Musterland – Der Landrat", OrgName: "Brückenschlag e. V.",
		Kind: decision.NoticeNotSelected, Reasons: []string{"Die Stellen wurden an besser bewertete Träger vergeben."}, Rank: 3, Total: decimal.NewFromInt(55),
		Scores:   []decision.NoticeScore{{Criterion: "Konzept", Weight: 25, Score: decimal.NewFromInt(2), Points: decimal.RequireFromString("12.5"), Reason: "Solide"}},
		Selected: []decision.SelectedProvider{{OrgName: "AWO", Total: decimal.NewFromInt(88), FTE: decimal.NewFromInt(2)}},
		Body:     "Kreistag", DecidedOn: rules.NewDate(sampleNow), ResolutionNumber: "KT/0815/2026", LegalRemedy: "Gegen diese Entscheidung …",
		StandstillEndsAt: sampleNow.AddDate(0, 0, 14)}
}

// sampleNotices is the organisation's list of notices.
func sampleNotices() noticesPage {
	return noticesPage{Org: sampleOrgData().Org, Notices: []decision.OrgNotice{{ID: 1, CallID: 1, CallRef: "musterland-2026-01", CallTitle: "IBV KIM",
		State: rules.CallNotified, IssuedAt: sampleNow, StandstillEndsAt: sampleNow.AddDate(0, 0, 14)}}}
}

// sampleNoticePage is one notice with an answered objection and the objection form.
func sampleNoticePage() noticesPage {
	out := decision.ObjectionRejected
	n := &decision.OrgNotice{ID: 1, CallID: 1, CallRef: "musterland-2026-01", CallTitle: "IBV KIM", State: rules.CallNotified, IssuedAt: sampleNow,
		StandstillEndsAt: sampleNow.AddDate(0, 0, 14), Content: sampleNoticeContent(), CanObject: true,
		Objections: []decision.Objection{{ID: 1, OrgName: "Brückenschlag e. V.", Reason: "Rüge", LodgedAt: sampleNow, Answer: "Geprüft.", Outcome: &out, AnsweredAt: &sampleNow}}}
	return noticesPage{Org: sampleOrgData().Org, Notice: n}
}

// samplePostausgang lists a failed and an uncertain e-mail and a sealed one about a bid.
func samplePostausgang() postausgangPage {
	return postausgangPage{Kreis: sampleTenant(), Mails: []postbox.OutboxProblem{
		{ID: 1, ToAddr: "awo@traeger.example", Subject: "Mitteilung", Attempts: 8, LastError: "550 mailbox unavailable", FailedAt: &sampleNow, CreatedAt: sampleNow},
		{ID: 2, ToAddr: "caritas@traeger.example", Subject: "Mitteilung", Attempts: 1, LastError: "Zustellung ungewiss", UncertainAt: &sampleNow, CreatedAt: sampleNow},
		{ID: 3, Kind: postbox.InboxCancellation, Sealed: true, Attempts: 8, LastError: "Zustellung fehlgeschlagen", FailedAt: &sampleNow, CreatedAt: sampleNow}}}
}

// TestRenderDecisionVariants renders the other states of the decision and notice pages
// (pageSamples holds one variant per page).
func TestRenderDecisionVariants(t *testing.T) {
	t.Parallel()
	r, err := templates.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	closed := sampleNoticePage()
	closed.Notice.CanObject = false
	closed.Notice.Content.Kind = decision.NoticeSelected
	closed.Notice.Content.Lots = []decision.NoticeLot{{Name: "Nord", FTE: decimal.NewFromInt(2), PerYear: decimal.NewFromInt(124000)}}
	awarded := sampleDecision(true, true)
	awarded.V.State, awarded.V.Decision.AwardedAt = rules.CallAwarded, &sampleNow
	for name, p := range map[string]struct {
		page string
		data any
		want string
	}{
		"no proposal":    {"decision", sampleDecision(false, false), "Vorschlag aus dem Ergebnis vorbereiten"},
		"notified":       {"decision", sampleDecision(true, true), "Beantworten"},
		"awarded":        {"decision", awarded, "Vergeben seit"},
		"deviation":      {"decision", sampleDecision(true, true), "Abweichung vom Ergebnis der Bewertung"},
		"selected, late": {"notice", closed, "Stillhaltefrist ist abgelaufen"},
		"answered":       {"objection_answer", func() decisionPage { d := sampleDecision(true, true); d.Objection = &d.V.Objections[1]; return d }(), "Zurückgewiesen, weil"},
	} {
		var buf bytes.Buffer
		pg := firstGet(sample("Titel", p.data))
		if err := r.Render(&buf, p.page, pg); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !strings.Contains(buf.String(), p.want) {
			t.Errorf("%s: page lacks %q", name, p.want)
		}
		for _, problem := range checkHTML(buf.String(), pg) {
			t.Errorf("%s: %s", name, problem)
		}
	}
}

// sampleRemedyPage is the return form after an upheld objection (every objection answered).
func sampleRemedyPage() decisionPage {
	d := sampleDecision(true, true)
	up := decision.ObjectionUpheld
	d.V.Objections[0].Answer, d.V.Objections[0].Outcome, d.V.Objections[0].AnsweredAt = "Abgeholfen.", &up, &sampleNow
	return d
}
