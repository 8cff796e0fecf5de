package rules

import (
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// FormalOutcome is a bid's state after the formal check.
type FormalOutcome string

// Formal check outcomes: only admitted bids are scored and consolidated.
const (
	FormalPending  FormalOutcome = "pending"
	FormalAdmitted FormalOutcome = "admitted"
	FormalExcluded FormalOutcome = "excluded"
)

// ScoringSnapshot is the state of a call's evaluation: every opened bid, the committee and
// one sheet per evaluator and bid the evaluator must score (none where a conflict was
// declared).
type ScoringSnapshot struct {
	Bids       []SnapshotBid
	Evaluators []SnapshotEvaluator // in display order
	Sheets     []ScoreSheet
}

// SnapshotBid is one opened bid with its formal outcome and requested posts per lot.
type SnapshotBid struct {
	BidID        int64
	OrgName      string
	Formal       FormalOutcome
	FormalReason string // the exclusion reason of the formal check
	Requested    map[string]decimal.Decimal
}

// SnapshotEvaluator is a committee member.
type SnapshotEvaluator struct {
	UserID int64
	Name   string
}

// ScoreSheet is one evaluator's sheet for one bid; Scores are only read when Submitted.
type ScoreSheet struct {
	BidID       int64
	EvaluatorID int64
	Submitted   bool
	Scores      map[string]SheetScore // criterion key
}

// SheetScore is one evaluator's score of one criterion with its written reason.
type SheetScore struct {
	Score  int
	Reason string
}

// ConsolidatedScore is the lead's score for one bid and criterion (rules.md R6).
type ConsolidatedScore struct {
	BidID        int64
	CriterionKey string
	Score        decimal.Decimal
	Mean         decimal.Decimal
	Reason       string
	SetBy        int64
	SetByName    string
	SetAt        time.Time
}

// Matrix is the consolidation matrix of a call: per bid and criterion every submitted
// evaluator score with its reason, spread, mean and the consolidated score.
type Matrix struct {
	Criteria   []Criterion
	ScaleMax   int
	Evaluators []SnapshotEvaluator
	Bids       []MatrixBid
}

// MatrixBid is one bid's rows of the matrix.
type MatrixBid struct {
	SnapshotBid
	Cells   []MatrixCell // in criteria order (empty unless admitted)
	Pending []string     // names of evaluators whose sheet is not yet submitted
}

// MatrixCell is one bid × criterion.
type MatrixCell struct {
	Criterion    Criterion
	Scores       []EvaluatorScore // submitted sheets, in evaluator order
	Spread       int
	Highlight    bool // spread of SpreadThreshold scale points or more
	Mean         decimal.Decimal
	HasMean      bool
	Consolidated *ConsolidatedScore
}

// EvaluatorScore is one evaluator's score in a cell.
type EvaluatorScore struct {
	EvaluatorID int64
	Name        string
	Score       int
	Reason      string
}

// SheetsComplete reports whether every required sheet of the bid is submitted.
func (b *MatrixBid) SheetsComplete() bool { return len(b.Pending) == 0 }

// BuildMatrix assembles the matrix from the snapshot and the consolidated scores. It is
// pure; bids keep the snapshot's order.
func BuildMatrix(c CallContent, snap ScoringSnapshot, consolidated []ConsolidatedScore) Matrix {
	m := Matrix{Criteria: c.Criteria, ScaleMax: c.ScaleMax(), Evaluators: snap.Evaluators}
	names := map[int64]string{}
	order := map[int64]int{}
	for i, e := range snap.Evaluators {
		names[e.UserID], order[e.UserID] = e.Name, i
	}
	sheets := map[int64][]ScoreSheet{}
	for _, s := range snap.Sheets {
		sheets[s.BidID] = append(sheets[s.BidID], s)
	}
	cons := map[int64]map[string]*ConsolidatedScore{}
	for i := range consolidated {
		cs := &consolidated[i]
		if cons[cs.BidID] == nil {
			cons[cs.BidID] = map[string]*ConsolidatedScore{}
		}
		cons[cs.BidID][cs.CriterionKey] = cs
	}
	for _, b := range snap.Bids {
		mb := MatrixBid{SnapshotBid: b}
		bs := sheets[b.BidID]
		sortSheets(bs, order)
		for _, s := range bs {
			if !s.Submitted {
				mb.Pending = append(mb.Pending, names[s.EvaluatorID])
			}
		}
		if b.Formal == FormalAdmitted {
			for _, cr := range c.Criteria {
				cell := MatrixCell{Criterion: cr, Consolidated: cons[b.BidID][cr.Key]}
				var vals []int
				for _, s := range bs {
					if sc, ok := s.Scores[cr.Key]; ok && s.Submitted {
						cell.Scores = append(cell.Scores, EvaluatorScore{EvaluatorID: s.EvaluatorID, Name: names[s.EvaluatorID], Score: sc.Score, Reason: sc.Reason})
						vals = append(vals, sc.Score)
					}
				}
				cell.Spread, cell.Highlight = ScoreSpread(vals)
				cell.Mean, cell.HasMean = MeanScore(vals)
				mb.Cells = append(mb.Cells, cell)
			}
		}
		m.Bids = append(m.Bids, mb)
	}
	return m
}

func sortSheets(s []ScoreSheet, order map[int64]int) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && order[s[j].EvaluatorID] < order[s[j-1].EvaluatorID]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// Missing lists in German what keeps the consolidation from being closed: bids whose
// formal check is open, sheets not yet submitted, admitted bids with fewer than two
// sheets, and criteria of admitted bids without a consolidated score or without a
// reason of its own (IsBoilerplateReason). Empty: complete.
func (m *Matrix) Missing() []string {
	var out []string
	for _, b := range m.Bids {
		switch b.Formal {
		case FormalPending:
			out = append(out, fmt.Sprintf("%s: Die formale Prüfung ist nicht abgeschlossen.", b.OrgName))
			continue
		case FormalExcluded:
			continue
		}
		if len(b.Pending) > 0 {
			out = append(out, fmt.Sprintf("%s: Bewertungsbogen noch nicht abgegeben von %s.", b.OrgName, strings.Join(b.Pending, ", ")))
		}
		if len(b.Cells) > 0 && len(b.Cells[0].Scores) < 2 && len(b.Pending) == 0 {
			out = append(out, fmt.Sprintf("%s: Weniger als zwei Mitglieder des Gremiums haben bewertet.", b.OrgName))
		}
		var open, unreasoned []string
		for _, cell := range b.Cells {
			switch {
			case cell.Consolidated == nil:
				open = append(open, cell.Criterion.Key)
			case IsBoilerplateReason(cell.Consolidated.Reason):
				unreasoned = append(unreasoned, cell.Criterion.Key)
			}
		}
		if len(open) > 0 {
			out = append(out, fmt.Sprintf("%s: Keine konsolidierte Bewertung für %s.", b.OrgName, strings.Join(open, ", ")))
		}
		if len(unreasoned) > 0 {
			out = append(out, fmt.Sprintf("%s: Keine Begründung der konsolidierten Bewertung für %s.", b.OrgName, strings.Join(unreasoned, ", ")))
		}
	}
	return out
}

// ScoreInputs turns a complete matrix into the input of ComputeResult.
func (m *Matrix) ScoreInputs() []ScoreInput {
	out := make([]ScoreInput, 0, len(m.Bids))
	for _, b := range m.Bids {
		in := ScoreInput{BidID: b.BidID, Excluded: b.Formal != FormalAdmitted, FormalReason: b.FormalReason,
			Requested: b.Requested, Scores: map[string]decimal.Decimal{}}
		for _, cell := range b.Cells {
			if cell.Consolidated != nil {
				in.Scores[cell.Criterion.Key] = cell.Consolidated.Score
			}
		}
		out = append(out, in)
	}
	return out
}
