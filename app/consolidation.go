package app

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"

	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/evaluation"
	"kimibv/models/rules"
	"kimibv/templates"
)

// consolidationPage is the lead's consolidation matrix of a call with what still blocks
// closing and the close form; after closing it links the result.
type consolidationPage struct {
	Call *calls.CallHeader
	View *evaluation.ConsolidationView
	Ties []rules.Tie // ties the lead must decide before closing
	Base string      // the call's address
}

// Score, Points and FTE format decimals in German for the templates.
func (consolidationPage) Score(d decimal.Decimal) string  { return rules.FormatScore(d) }
func (consolidationPage) Points(d decimal.Decimal) string { return rules.FormatPoints(d) }
func (consolidationPage) FTE(d decimal.Decimal) string    { return rules.FormatFTE(d) }

// Name returns the organisation name of a bid.
func (p consolidationPage) Name(bidID int64) string { return p.View.BidName(bidID) }

// TieField is the position field of a bid in tie i.
func (consolidationPage) TieField(i int, bidID int64) string { return evaluation.TieField(i, bidID) }

// Positions lists 1 … n for the position selects of a tie of n bids.
func (consolidationPage) Positions(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprint(i + 1)
	}
	return out
}

// LotName returns "Los <name>" of a lot key.
func (p consolidationPage) LotName(key string) string {
	if l, ok := p.View.Content.Lot(key); ok {
		return "Los " + l.Name
	}
	return key
}

// consolidationBidPage is the form for one bid's consolidated scores.
type consolidationBidPage struct {
	consolidationPage
	Bid rules.MatrixBid
}

// loadConsolidationPage reads the call header (Kreis check) and the consolidation.
func (a *App) loadConsolidationPage(c echo.Context) (consolidationPage, error) {
	id, err := callID(c)
	if err != nil {
		return consolidationPage{}, err
	}
	ctx := c.Request().Context()
	h, err := calls.LeadCallHeader(ctx, a.db, actor(c), core.CallScope{Tenant: tenant(c).ID, Call: id})
	if err != nil {
		return consolidationPage{}, err
	}
	v, err := evaluation.LoadConsolidation(ctx, a.db, evaluation.EvaluationSource{}, actor(c), id)
	if err != nil {
		return consolidationPage{}, err
	}
	return consolidationPage{Call: h, View: v, Ties: v.PendingTies(), Base: procBase(c, id)}, nil
}

// consolidationRefusal gives a closed consolidation its German conflict message.
func consolidationRefusal(err error) error {
	if errors.Is(err, evaluation.ErrConsolidationClosed) {
		return &echo.HTTPError{Code: http.StatusConflict, Internal: err,
			Message: "Die Konsolidierung ist bereits abgeschlossen (vielleicht in einem anderen Fenster). Bewertungen und Ergebnis sind endgültig."}
	}
	return err
}

// consolidation shows the matrix, what still blocks closing and the close form.
func (a *App) consolidation(c echo.Context) error {
	p, err := a.loadConsolidationPage(c)
	if err != nil {
		return err
	}
	return a.show(c, "consolidation", "Konsolidierung – "+p.Call.Ref, p)
}

// loadConsolidationBid is the page of the bid in the path; only admitted bids are consolidated.
func (a *App) loadConsolidationBid(c echo.Context) (consolidationBidPage, error) {
	p, err := a.loadConsolidationPage(c)
	if err != nil {
		return consolidationBidPage{}, err
	}
	id, err := bidID(c)
	if err != nil {
		return consolidationBidPage{}, err
	}
	for _, b := range p.View.Matrix.Bids {
		if b.BidID == id && b.Formal == rules.FormalAdmitted {
			return consolidationBidPage{consolidationPage: p, Bid: b}, nil
		}
	}
	return consolidationBidPage{}, fmt.Errorf("bid %d in consolidation: %w", id, core.ErrNotFound)
}

// consolidationBid shows one bid's cells with the form, prefilled with the stored
// consolidated score or the evaluators' mean and with the stored reason or the
// evaluators' reasons anonymised as "Mitglied n: …" for the lead to edit.
func (a *App) consolidationBid(c echo.Context) error {
	p, err := a.loadConsolidationBid(c)
	if err != nil {
		return err
	}
	values := url.Values{}
	for _, cell := range p.Bid.Cells {
		k := cell.Criterion.Key
		switch {
		case cell.Consolidated != nil:
			values.Set("score_"+k, rules.FormatScore(cell.Consolidated.Score))
		case cell.HasMean:
			values.Set("score_"+k, rules.FormatScore(cell.Mean))
		}
		values.Set("reason_"+k, rules.StatedReason(cell, p.View.Matrix.Evaluators))
	}
	pg := a.page(c, "Konsolidierung – "+p.Bid.OrgName, p)
	pg.Form = templates.NewForm(values, nil)
	return a.render(c, http.StatusOK, "consolidation_bid", pg)
}

// setConsolidation stores one bid's consolidated scores.
func (a *App) setConsolidation(c echo.Context) error {
	p, err := a.loadConsolidationBid(c)
	if err != nil {
		return err
	}
	values := formValues(c)
	in := evaluation.ConsolidationInput{CallID: p.View.CallID, BidID: p.Bid.BidID, Scores: map[string]string{}, Reasons: map[string]string{}}
	for _, cr := range p.View.Content.Criteria {
		in.Scores[cr.Key], in.Reasons[cr.Key] = values.Get("score_"+cr.Key), values.Get("reason_"+cr.Key)
	}
	err = evaluation.SetConsolidatedScores(c.Request().Context(), a.db, evaluation.EvaluationSource{}, actor(c), in, a.now())
	if _, ok := core.AsValidation(err); ok {
		return a.invalid(c, "consolidation_bid", "Konsolidierung – "+p.Bid.OrgName, p, values, err)
	}
	if err != nil {
		return consolidationRefusal(err)
	}
	return a.redirect(c, p.Base+"/konsolidierung", "Die konsolidierte Bewertung für "+p.Bid.OrgName+" wurde gespeichert.")
}

// closeConsolidation closes a complete consolidation and stores the result.
func (a *App) closeConsolidation(c echo.Context) error {
	p, err := a.loadConsolidationPage(c)
	if err != nil {
		return err
	}
	if p.View.Closed {
		return consolidationRefusal(evaluation.ErrConsolidationClosed)
	}
	values := formValues(c)
	res, err := evaluation.TieResolutionsFrom(p.Ties, values.Get)
	if err == nil {
		_, err = evaluation.CloseConsolidation(c.Request().Context(), a.db, evaluation.EvaluationSource{}, actor(c),
			evaluation.CloseInput{CallID: p.View.CallID, Resolutions: res}, a.now(), a.docs)
	}
	if _, ok := core.AsValidation(err); ok {
		return a.invalid(c, "consolidation", "Konsolidierung – "+p.Call.Ref, p, values, err)
	}
	if err != nil {
		return consolidationRefusal(err)
	}
	return a.redirect(c, p.Base+"/ergebnis", "Die Konsolidierung ist abgeschlossen. Das Ergebnis ist gespeichert.")
}

// consolidationResult shows the stored result: points, totals, ranks, exclusions and
// the allocation per lot.
func (a *App) consolidationResult(c echo.Context) error {
	p, err := a.loadConsolidationPage(c)
	if err != nil {
		return err
	}
	return a.show(c, "consolidation_result", "Ergebnis – "+p.Call.Ref, p)
}

// matrixXLSX downloads the Bewertungsmatrix as XLSX.
func (a *App) matrixXLSX(c echo.Context) error {
	p, err := a.loadConsolidationPage(c)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := writeMatrixXLSX(&buf, p.View); err != nil {
		return err
	}
	name := "bewertungsmatrix-" + strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '-'
	}, p.Call.Ref) + ".xlsx"
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", buf.Bytes())
}

// ScoreOf returns an evaluator's score in a cell (nil: no submitted sheet or a declared tie).
func (consolidationPage) ScoreOf(cell rules.MatrixCell, evaluatorID int64) *rules.EvaluatorScore {
	for i := range cell.Scores {
		if cell.Scores[i].EvaluatorID == evaluatorID {
			return &cell.Scores[i]
		}
	}
	return nil
}

// Alloc returns a result row's allocation in a lot as German text ("" when none).
func (consolidationPage) Alloc(r rules.ResultRow, lot string) string {
	if a, ok := r.Allocation[lot]; ok && a.Sign() > 0 {
		return rules.FormatFTE(a)
	}
	return ""
}
