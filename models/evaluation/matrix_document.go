package evaluation

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"kimibv/models/accounts"
	"kimibv/models/audit"
	"kimibv/models/bids"
	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/rules"
	"kimibv/models/vault"
)

// MatrixDocData is everything the Bewertungsmatrix PDF shows, numbers already written
// the German way; its canonical JSON is the document's Prüfwert.
type MatrixDocData struct {
	bids.DocIssuer
	CallRef     string          `json:"call_ref"`
	CallTitle   string          `json:"call_title"`
	CallVersion int             `json:"call_version"`
	ScaleMax    int             `json:"scale_max"`
	MinTotal    string          `json:"min_total"`
	Criteria    []MatrixDocCrit `json:"criteria"`
	Evaluators  []string        `json:"evaluators"`
	Bids        []MatrixDocBid  `json:"bids"`
	Lots        []MatrixDocLot  `json:"lots"`
	TieReasons  []string        `json:"tie_reasons"`
	ClosedAt    time.Time       `json:"closed_at"`
	ClosedBy    string          `json:"closed_by"`
}

// MatrixDocCrit is a criterion with its weight and minimum score.
type MatrixDocCrit struct {
	Key      string `json:"key"`
	Name     string `json:"name"`
	Weight   int    `json:"weight"`
	MinScore string `json:"min_score"` // "" for none
}

// MatrixDocBid is one bid: its cells, total, rank or exclusion and allocation.
type MatrixDocBid struct {
	OrgName        string            `json:"org_name"`
	FormalExcluded bool              `json:"formal_excluded"`
	FormalReason   string            `json:"formal_reason"`
	Cells          []MatrixDocCell   `json:"cells"`
	Total          string            `json:"total"`
	Rank           int               `json:"rank"`
	RankByDecision bool              `json:"rank_by_decision"`
	Excluded       bool              `json:"excluded"`
	Reasons        []string          `json:"reasons"`
	Allocation     []MatrixDocLotFTE `json:"allocation"`
}

// MatrixDocCell is one bid × criterion: every evaluator's score and reason, the mean,
// the consolidated score with its reason and who set it, and the points.
type MatrixDocCell struct {
	Criterion          string           `json:"criterion"`
	Scores             []MatrixDocScore `json:"scores"`
	Mean               string           `json:"mean"`
	Consolidated       string           `json:"consolidated"`
	ConsolidatedReason string           `json:"consolidated_reason"`
	SetBy              string           `json:"set_by"`
	Points             string           `json:"points"`
}

// MatrixDocScore is one evaluator's score.
type MatrixDocScore struct {
	Evaluator string `json:"evaluator"`
	Score     int    `json:"score"`
	Reason    string `json:"reason"`
}

// MatrixDocLot is a lot with its posts and what stayed unallocated.
type MatrixDocLot struct {
	Key         string `json:"key"`
	Name        string `json:"name"`
	FTE         string `json:"fte"`
	Unallocated string `json:"unallocated"`
}

// MatrixDocLotFTE is an allocation to one lot.
type MatrixDocLotFTE struct {
	Lot string `json:"lot"`
	FTE string `json:"fte"`
}

// issueBewertungsmatrix issues the Bewertungsmatrix (kind bewertungsmatrix, object call)
// inside the transaction that closes the consolidation.
func issueBewertungsmatrix(tx *gorm.DB, docs Documents, d *MatrixDocData, tenantID, callID, actorID int64) error {
	_, err := vault.IssueDocument(tx, vault.IssueInput{TenantID: tenantID, CallID: callID, ActorID: actorID, Kind: vault.DocBewertungsmatrix,
		Title: "Bewertungsmatrix: " + d.CallTitle, Chain: audit.CallChain(callID), ObjectType: "call", ObjectID: strconv.FormatInt(callID, 10),
		CanonicalData: d, Render: func(m vault.DocMeta) ([]byte, error) { return docs.Bewertungsmatrix(m, d) }})
	return err
}

// matrixDocData assembles the Bewertungsmatrix from what CloseConsolidation computed.
func matrixDocData(tx *gorm.DB, c *calls.LeadCallRow, content rules.CallContent, m rules.Matrix, r rules.Result, in CloseInput, actor *core.Actor, now time.Time) (*MatrixDocData, error) {
	iss, err := bids.DocIssuerOf(tx, c.TenantID, content.Authority)
	if err != nil {
		return nil, err
	}
	var ref, closedBy string
	if err := tx.Raw(`SELECT ref FROM calls WHERE id = ?`, c.ID).Scan(&ref).Error; err != nil {
		return nil, fmt.Errorf("load call ref: %w", err)
	}
	if err := tx.Raw(`SELECT name FROM users WHERE id = ?`, actor.UserID).Scan(&closedBy).Error; err != nil {
		return nil, fmt.Errorf("load lead: %w", err)
	}
	d := &MatrixDocData{DocIssuer: iss, CallRef: ref, CallTitle: content.Title, CallVersion: c.CurrentVersion, ScaleMax: m.ScaleMax,
		MinTotal: rules.FormatPoints(content.MinTotalPoints), Evaluators: []string{}, Bids: []MatrixDocBid{}, Lots: []MatrixDocLot{},
		TieReasons: []string{}, ClosedAt: now.UTC().Truncate(time.Second), ClosedBy: closedBy}
	for _, cr := range m.Criteria {
		minimum := ""
		if cr.MinScore != nil {
			minimum = strconv.Itoa(*cr.MinScore)
		}
		d.Criteria = append(d.Criteria, MatrixDocCrit{Key: cr.Key, Name: cr.Name, Weight: cr.Weight, MinScore: minimum})
	}
	for _, e := range m.Evaluators {
		d.Evaluators = append(d.Evaluators, e.Name)
	}
	names := map[int64]string{}
	byBid := map[int64]*rules.MatrixBid{}
	for i := range m.Bids {
		names[m.Bids[i].BidID] = m.Bids[i].OrgName
		byBid[m.Bids[i].BidID] = &m.Bids[i]
	}
	lotName := map[string]string{}
	for _, l := range r.Lots {
		lotName[l.Key] = l.Name
		d.Lots = append(d.Lots, MatrixDocLot{Key: l.Key, Name: l.Name, FTE: rules.FormatFTE(l.FTE), Unallocated: rules.FormatFTE(l.Unallocated)})
	}
	for _, row := range r.Rows { // ranked first, then excluded
		mb := byBid[row.BidID]
		if mb == nil {
			continue
		}
		b := MatrixDocBid{OrgName: mb.OrgName, FormalExcluded: row.ExcludedFormally, FormalReason: mb.FormalReason,
			Cells: []MatrixDocCell{}, Total: rules.FormatPoints(row.Total), Rank: row.Rank, RankByDecision: row.RankByDecision,
			Excluded: row.Excluded, Reasons: append([]string{}, row.ExclusionReasons...), Allocation: []MatrixDocLotFTE{}}
		for _, cell := range mb.Cells {
			dc := MatrixDocCell{Criterion: cell.Criterion.Key + " " + cell.Criterion.Name, Scores: []MatrixDocScore{}}
			for _, s := range cell.Scores {
				dc.Scores = append(dc.Scores, MatrixDocScore{Evaluator: s.Name, Score: s.Score, Reason: s.Reason})
			}
			if cell.HasMean {
				dc.Mean = rules.FormatPoints(cell.Mean)
			}
			if cs := cell.Consolidated; cs != nil {
				dc.Consolidated, dc.ConsolidatedReason, dc.SetBy = rules.FormatPoints(cs.Score), cs.Reason, cs.SetByName
			}
			if p, ok := row.Points[cell.Criterion.Key]; ok {
				dc.Points = rules.FormatPoints(p)
			}
			b.Cells = append(b.Cells, dc)
		}
		for _, l := range r.Lots {
			if a, ok := row.Allocation[l.Key]; ok && a.Sign() > 0 {
				b.Allocation = append(b.Allocation, MatrixDocLotFTE{Lot: l.Name, FTE: rules.FormatFTE(a)})
			}
		}
		d.Bids = append(d.Bids, b)
	}
	for _, res := range in.Resolutions {
		order := make([]string, 0, len(res.Order))
		for _, id := range res.Order {
			order = append(order, names[id])
		}
		d.TieReasons = append(d.TieReasons, "Reihenfolge "+strings.Join(order, " vor ")+": "+res.Reason)
	}
	return d, nil
}

// BewertungsmatrixPDF returns the issued Bewertungsmatrix of a call of the Kreis for its
// leads; everyone else, and a consolidation not yet closed, ErrNotFound; a lead who is a
// named evaluator of the call accounts.ErrCommitteeMember.
func BewertungsmatrixPDF(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.CallScope) (*vault.IssuedDocument, error) {
	tenantID, callID := scope.Tenant, scope.Call
	if !actor.HasTenantRole(tenantID, core.RoleLead) {
		return nil, fmt.Errorf("Bewertungsmatrix of call %d: %w", callID, core.ErrNotFound)
	}
	if err := accounts.RefuseCommitteeMember(db.WithContext(ctx), actor, callID); err != nil {
		return nil, err
	}
	return callDocument(ctx, db, tenantID, callID, vault.DocBewertungsmatrix)
}
