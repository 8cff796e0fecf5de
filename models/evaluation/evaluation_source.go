package evaluation

import (
	"encoding/json"
	"fmt"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"kimibv/models/bids"
	"kimibv/models/rules"
)

// EvaluationSource is the ScoringSource of the consolidation: it reads the opened bids
// (opening_bids), the formal check with corrections, the committee, the declared ties and
// the submitted score sheets of a call — four queries whatever the number of bids,
// criteria and evaluators. The caller has checked the actor's rights.
type EvaluationSource struct{}

// Snapshot returns every non-withdrawn opened bid with its formal outcome and requested
// posts, the evaluators (by name) and, per admitted bid, one sheet for each evaluator
// without a declared tie to the bidding organisation: the submitted sheet with its
// scores, or an unsubmitted placeholder.
func (EvaluationSource) Snapshot(tx *gorm.DB, callID int64) (rules.ScoringSnapshot, error) {
	var snap rules.ScoringSnapshot
	var bidList []struct {
		BidID        int64
		OrgID        int64
		OrgName      string
		Formal       rules.FormalOutcome
		FormalReason string
		Lots         string
	}
	if err := tx.Raw(`SELECT o.bid_id, o.org_id, o.org_name, `+bids.FormalOutcomeSQL+` AS formal,
		CASE WHEN k.bid_id IS NULL AND f.outcome = 'excluded' THEN f.reason ELSE '' END AS formal_reason, o.lots::text AS lots
		FROM opening_bids o LEFT JOIN formal_checks f ON f.bid_id = o.bid_id LEFT JOIN formal_corrections k ON k.bid_id = o.bid_id
		WHERE o.call_id = ? AND o.state = 'submitted' ORDER BY o.receipt_at, o.bid_id`, callID).Scan(&bidList).Error; err != nil {
		return snap, fmt.Errorf("load opened bids: %w", err)
	}
	if err := tx.Raw(`SELECT c.user_id, u.name FROM call_committee c JOIN users u ON u.id = c.user_id
		WHERE c.call_id = ? AND c.role = 'evaluator' ORDER BY u.name COLLATE german, u.id`, callID).Scan(&snap.Evaluators).Error; err != nil {
		return snap, fmt.Errorf("load evaluators: %w", err)
	}
	tied, err := declaredTies(tx, callID)
	if err != nil {
		return snap, err
	}
	sheets, err := SubmittedSheets(tx, callID)
	if err != nil {
		return snap, err
	}
	submitted := map[[2]int64]rules.ScoreSheet{}
	for _, s := range sheets {
		submitted[[2]int64{s.BidID, s.EvaluatorID}] = s
	}
	for _, b := range bidList {
		sb := rules.SnapshotBid{BidID: b.BidID, OrgName: b.OrgName, Formal: b.Formal, FormalReason: b.FormalReason}
		if sb.Requested, err = decodeLots(b.Lots); err != nil {
			return snap, err
		}
		snap.Bids = append(snap.Bids, sb)
		if b.Formal != rules.FormalAdmitted {
			continue
		}
		for _, e := range snap.Evaluators {
			if tied[[2]int64{e.UserID, b.OrgID}] {
				continue
			}
			s, ok := submitted[[2]int64{b.BidID, e.UserID}]
			if !ok {
				s = rules.ScoreSheet{BidID: b.BidID, EvaluatorID: e.UserID}
			}
			snap.Sheets = append(snap.Sheets, s)
		}
	}
	return snap, nil
}

// SubmittedSheets returns all submitted score sheets of a call with their scores, in
// one query (ordered by bid and evaluator). Drafts are never returned.
func SubmittedSheets(tx *gorm.DB, callID int64) ([]rules.ScoreSheet, error) {
	var rows []struct {
		BidID        int64
		EvaluatorID  int64
		CriterionKey string
		Score        *int
		Reason       string
	}
	if err := tx.Raw(`SELECT s.bid_id, s.evaluator_id, x.criterion_key, x.score, x.reason
		FROM score_sheets s JOIN scores x ON x.sheet_id = s.id
		WHERE s.call_id = ? AND s.submitted_at IS NOT NULL ORDER BY s.bid_id, s.evaluator_id, x.criterion_key`, callID).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("load submitted sheets: %w", err)
	}
	var out []rules.ScoreSheet
	for _, r := range rows {
		if n := len(out); n == 0 || out[n-1].BidID != r.BidID || out[n-1].EvaluatorID != r.EvaluatorID {
			out = append(out, rules.ScoreSheet{BidID: r.BidID, EvaluatorID: r.EvaluatorID, Submitted: true, Scores: map[string]rules.SheetScore{}})
		}
		sc := rules.SheetScore{Reason: r.Reason}
		if r.Score != nil {
			sc.Score = *r.Score
		}
		out[len(out)-1].Scores[r.CriterionKey] = sc
	}
	return out, nil
}

// declaredTies returns the (evaluator, organisation) pairs of a call with a declared tie.
func declaredTies(tx *gorm.DB, callID int64) (map[[2]int64]bool, error) {
	var rows []struct{ EvaluatorID, OrgID int64 }
	if err := tx.Raw(`SELECT evaluator_id, org_id FROM coi_declarations WHERE call_id = ? AND tie <> 'none'`, callID).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("load declared ties: %w", err)
	}
	out := map[[2]int64]bool{}
	for _, r := range rows {
		out[[2]int64{r.EvaluatorID, r.OrgID}] = true
	}
	return out, nil
}

// decodeLots reads the requested posts per lot stored with an opened bid.
func decodeLots(raw string) (map[string]decimal.Decimal, error) {
	var m map[string]string
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return nil, fmt.Errorf("decode requested lots: %w", err)
	}
	out := make(map[string]decimal.Decimal, len(m))
	for k, v := range m {
		d, err := decimal.NewFromString(v)
		if err != nil {
			return nil, fmt.Errorf("decode requested lots: %w", err)
		}
		out[k] = d
	}
	return out, nil
}

// ScoringSource reads, inside the caller's transaction and with a constant number of
// queries, what the consolidation needs of a call from the formal check and the
// committee's score sheets. EvaluationSource, which reads the opening, the formal check
// and the score sheets, is the implementation; the consolidation never reads their tables directly.
type ScoringSource interface {
	Snapshot(tx *gorm.DB, callID int64) (rules.ScoringSnapshot, error)
}
