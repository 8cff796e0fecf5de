package app

// Render samples for the consolidation pages.

import (
	"github.com/shopspring/decimal"

	"kimibv/models/evaluation"
	"kimibv/models/rules"
)

// sampleConsolidation is a call with AWO and Caritas admitted and scored by three members
// (one tied to the Caritas; a spread of two points on K1) and Brückenschlag excluded at
// the formal check. Both admitted bids are consolidated equally and request the whole
// lot, so the open consolidation shows a tie to decide; closed it holds the result of a
// decision for AWO.
func sampleConsolidation(closed bool) consolidationPage {
	c := sampleCallContent()
	evs := []rules.SnapshotEvaluator{{UserID: 11, Name: "Gerda Gremium"}, {UserID: 12, Name: "Gustav Gutachter"}, {UserID: 13, Name: "Greta Prüfer"}}
	two := map[string]decimal.Decimal{"L1": decimal.NewFromInt(2)}
	snap := rules.ScoringSnapshot{Evaluators: evs,
		Bids: []rules.SnapshotBid{{BidID: 1, OrgName: "Arbeiterwohlfahrt Kreisverband Musterland e. V.", Formal: rules.FormalAdmitted, Requested: two},
			{BidID: 2, OrgName: "Caritasverband für den Kreis Musterland e. V.", Formal: rules.FormalAdmitted, Requested: two},
			{BidID: 3, OrgName: "Brückenschlag e. V.", Formal: rules.FormalExcluded, FormalReason: "Die Satzung fehlt.", Requested: two}}}
	sheet := func(bid, ev int64, k1, k2 int) rules.ScoreSheet {
		return rules.ScoreSheet{BidID: bid, EvaluatorID: ev, Submitted: true, Scores: map[string]rules.SheetScore{
			"K1": {Score: k1, Reason: "Die Fallaufnahme ist nachvollziehbar beschrieben."}, "K2": {Score: k2, Reason: "Ein Beschwerdeweg ist benannt."}}}
	}
	snap.Sheets = []rules.ScoreSheet{sheet(1, 11, 2, 2), sheet(1, 12, 0, 2), sheet(1, 13, 1, 1), sheet(2, 12, 1, 2), sheet(2, 13, 1, 1)}
	var cons []rules.ConsolidatedScore
	for _, bid := range []int64{1, 2} {
		cons = append(cons, rules.ConsolidatedScore{BidID: bid, CriterionKey: "K1", Score: decimal.NewFromInt(1), Mean: decimal.NewFromInt(1),
			Reason: "Die Fallaufnahme ist beschrieben, überprüfbare Ziele im Hilfeplan fehlen.", SetBy: 7, SetByName: "Jana Leitner", SetAt: sampleNow},
			rules.ConsolidatedScore{BidID: bid, CriterionKey: "K2", Score: decimal.NewFromInt(2), Mean: decimal.RequireFromString("1.5"), Reason: "Der Beschwerdeweg ist unabhängig und mit Antwortfrist geregelt.", SetBy: 7, SetByName: "Jana Leitner", SetAt: sampleNow})
	}
	h := sampleClosedHeader()
	v := &evaluation.ConsolidationView{CallID: 1, CallVersion: 1, Content: c, Matrix: rules.BuildMatrix(c, snap, cons)}
	v.Missing = v.Matrix.Missing()
	if closed {
		r, err := rules.ComputeResult(c, v.Matrix.ScoreInputs(), []rules.TieResolution{{Order: []int64{1, 2}, Reason: "Losentscheid in der Sitzung vom 10.03.2026."}})
		if err != nil {
			panic(err)
		}
		v.Closed, v.ClosedAt, v.ClosedBy, v.Result = true, sampleNow, "Jana Leitner", r
	}
	return consolidationPage{Call: &h, View: v, Ties: v.PendingTies(), Base: "/verwaltung/musterland/verfahren/1"}
}

// sampleConsolidationBid is AWO's form, with one pending sheet shown.
func sampleConsolidationBid() consolidationBidPage {
	p := sampleConsolidation(false)
	b := p.View.Matrix.Bids[0]
	b.Pending = []string{"Greta Prüfer"}
	return consolidationBidPage{consolidationPage: p, Bid: b}
}
