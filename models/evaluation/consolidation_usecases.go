package evaluation

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"kimibv/models/audit"
	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/rules"
	"kimibv/models/store"
)

// ErrConsolidationClosed explains a conflict: the consolidation of the call was closed
// (perhaps in another tab); its scores and result are final. It wraps ErrConflict.
var ErrConsolidationClosed = fmt.Errorf("%w: die Konsolidierung ist abgeschlossen; Bewertungen und Ergebnis sind endgültig", core.ErrConflict)

// ConsolidationInput is the lead's form for one bid: per criterion key the consolidated
// score as German decimal text ("2,67") and the reason.
type ConsolidationInput struct {
	CallID  int64
	BidID   int64
	Scores  map[string]string
	Reasons map[string]string
}

// CloseInput closes a call's consolidation; Resolutions order bids that are still equal
// after all published tie-breaks where they compete for the last posts of a lot.
type CloseInput struct {
	CallID      int64
	Resolutions []rules.TieResolution
}

// loadConsolidationCall reads the call with its current content (locked for update when
// lock is set). Other Kreise and non-leads get ErrNotFound; a sealed call ErrSealed.
func loadConsolidationCall(tx *gorm.DB, actor *core.Actor, callID int64, lock bool) (*calls.LeadCallRow, rules.CallContent, error) {
	return calls.LoadLeadCall(tx, actor, callID, lock, "consolidation", func(c *calls.LeadCallRow) error {
		if c.OpenedAt == nil {
			return fmt.Errorf("consolidation of call %d: %w", callID, core.ErrSealed)
		}
		return nil
	})
}

// lockOpenConsolidation is loadConsolidationCall for changes: the call must not be
// cancelled nor its consolidation closed.
func lockOpenConsolidation(tx *gorm.DB, actor *core.Actor, callID int64) (*calls.LeadCallRow, rules.CallContent, error) {
	c, content, err := loadConsolidationCall(tx, actor, callID, true)
	switch {
	case err != nil:
		return nil, content, err
	case c.State == rules.CallCancelled:
		return nil, content, fmt.Errorf("%w: das Verfahren ist aufgehoben", core.ErrConflict)
	case c.Closed:
		return nil, content, ErrConsolidationClosed
	}
	return c, content, nil
}

// LoadConsolidated reads a call's consolidated scores with the names of who set them.
func LoadConsolidated(tx *gorm.DB, callID int64) ([]rules.ConsolidatedScore, error) {
	var out []rules.ConsolidatedScore
	if err := tx.Raw(`SELECT s.bid_id, s.criterion_key, s.score, s.mean, s.reason, s.set_by, u.name AS set_by_name, s.set_at
		FROM consolidated_scores s JOIN users u ON u.id = s.set_by WHERE s.call_id = ? ORDER BY s.bid_id, s.criterion_key`,
		callID).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("load consolidated scores: %w", err)
	}
	return out, nil
}

// SetConsolidatedScores stores the lead's consolidated scores of one admitted bid, all
// criteria at once, once every required sheet of the bid is submitted. A score lies on
// the scale with at most two decimals; every score needs a reason of its own, which the
// notice to the provider states (§ 39 VwVfG), and where it differs from the evaluators'
// mean the reason explains the deviation (rules.md R6, CheckConsolidationReason). Any
// error stores nothing. Audited as consolidation.scores_set on the call's chain.
func SetConsolidatedScores(ctx context.Context, db *gorm.DB, src ScoringSource, actor *core.Actor, in ConsolidationInput, now time.Time) error {
	return store.InTx(ctx, db, func(tx *gorm.DB) error { return SetConsolidatedScoresTx(tx, src, actor, in, now) })
}

// SetConsolidatedScoresTx is SetConsolidatedScores inside the caller's transaction tx: it checks, locks, writes and
// audits as SetConsolidatedScores does, but neither opens nor commits a transaction, so use cases compose.
func SetConsolidatedScoresTx(tx *gorm.DB, src ScoringSource, actor *core.Actor, in ConsolidationInput, now time.Time) error {
	c, content, err := lockOpenConsolidation(tx, actor, in.CallID)
	if err != nil {
		return err
	}
	snap, err := src.Snapshot(tx, in.CallID)
	if err != nil {
		return fmt.Errorf("load score sheets: %w", err)
	}
	m := rules.BuildMatrix(content, snap, nil)
	var bid *rules.MatrixBid
	for i := range m.Bids {
		if m.Bids[i].BidID == in.BidID {
			bid = &m.Bids[i]
		}
	}
	switch {
	case bid == nil:
		return fmt.Errorf("bid %d of call %d: %w", in.BidID, in.CallID, core.ErrNotFound)
	case bid.Formal != rules.FormalAdmitted:
		return fmt.Errorf("%w: nur zur Bewertung zugelassene Interessenbekundungen werden konsolidiert", core.ErrConflict)
	}
	v := &core.ValidationError{}
	if !bid.SheetsComplete() {
		v.Add("scores", "sheets_missing", fmt.Sprintf("Die Bewertungsbögen von %s sind noch nicht abgegeben. Konsolidieren können Sie erst, wenn alle Bögen vorliegen.",
			strings.Join(bid.Pending, ", ")))
		return v
	}
	scores, reasons := map[string]string{}, map[string]string{}
	var deviating []string
	var rows []consolidatedRow
	for _, cell := range bid.Cells {
		key := cell.Criterion.Key
		field := "score_" + key
		s, msg := rules.ParseGermanDecimal(in.Scores[key], rules.ScoreDecimals, false)
		if msg != "" {
			v.Add(field, "format", fmt.Sprintf("%s: %s", key, msg))
			continue
		}
		before := len(v.Fields)
		rules.CheckConsolidatedScore(v, field, s, m.ScaleMax)
		reason := strings.TrimSpace(in.Reasons[key])
		need := rules.NeedsReason(s, cell.Mean)
		rules.CheckConsolidationReason(v, "reason_"+key, key, reason, need, cell.Mean)
		if len(v.Fields) > before {
			continue
		}
		if need {
			deviating = append(deviating, key)
		}
		scores[key], reasons[key] = s.StringFixed(rules.ScoreDecimals), reason
		rows = append(rows, consolidatedRow{key: key, score: s, mean: cell.Mean, reason: reason})
	}
	if err := v.OrNil(); err != nil {
		return err
	}
	for _, r := range rows { // only after every criterion passed: a refusal stores nothing
		if err := tx.Exec(`INSERT INTO consolidated_scores (call_id, bid_id, criterion_key, score, mean, reason, set_by, set_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (bid_id, criterion_key, superseded_by) DO UPDATE SET score = EXCLUDED.score, mean = EXCLUDED.mean,
				reason = EXCLUDED.reason, set_by = EXCLUDED.set_by, set_at = EXCLUDED.set_at`,
			in.CallID, in.BidID, r.key, r.score, r.mean, r.reason, actor.UserID, now).Error; err != nil {
			return fmt.Errorf("store consolidated score: %w", err)
		}
	}
	_, err = audit.Audit(tx, audit.Event{Chain: audit.CallChain(in.CallID), ActorID: actor.UserID, TenantID: c.TenantID,
		Action: "consolidation.scores_set", ObjectType: "bid", ObjectID: strconv.FormatInt(in.BidID, 10),
		Details: map[string]any{"scores": scores, "reasons": reasons, "deviating_from_mean": deviating}})
	return err
}

// consolidatedRow is one checked consolidated score waiting to be stored.
type consolidatedRow struct {
	key, reason string
	score, mean decimal.Decimal
}

// CloseConsolidation closes a complete consolidation (every bid formally decided, every
// required sheet submitted, every criterion of every admitted bid consolidated), computes
// the result with ComputeResult and stores it. Bids of equal rank competing for the last
// posts of a lot need a TieResolution with a reason. Audited as consolidation.closed.
// The Bewertungsmatrix (docs) is issued in the same transaction after the result is
// stored, so a failing renderer rolls the closing back.
func CloseConsolidation(ctx context.Context, db *gorm.DB, src ScoringSource, actor *core.Actor, in CloseInput, now time.Time, docs Documents) (rules.Result, error) {
	var result rules.Result
	err := store.InTx(ctx, db, func(tx *gorm.DB) error {
		c, content, err := lockOpenConsolidation(tx, actor, in.CallID)
		if err != nil {
			return err
		}
		snap, err := src.Snapshot(tx, in.CallID)
		if err != nil {
			return fmt.Errorf("load score sheets: %w", err)
		}
		cons, err := LoadConsolidated(tx, in.CallID)
		if err != nil {
			return err
		}
		m := rules.BuildMatrix(content, snap, cons)
		v := &core.ValidationError{}
		for _, msg := range m.Missing() {
			v.Add("consolidation", "incomplete", msg)
		}
		for i, r := range in.Resolutions {
			core.CheckText(v, fmt.Sprintf("tie_%d_reason", i), "die Begründung der Entscheidung über den Gleichstand", r.Reason, true, rules.MaxLongText)
		}
		if err := v.OrNil(); err != nil {
			return err
		}
		result, err = rules.ComputeResult(content, m.ScoreInputs(), in.Resolutions)
		if err != nil {
			if len(in.Resolutions) > 0 {
				v.Add("ties", "stale", "Die Entscheidung über den Gleichstand passt nicht zur Rangfolge. Bitte laden Sie die Seite neu.")
				return v
			}
			return err
		}
		if result.NeedsLeadDecision() {
			for _, t := range result.Ties {
				if len(t.Lots) > 0 {
					v.Add("ties", "undecided", fmt.Sprintf("Rang %d: %s sind nach allen Hilfskriterien gleichrangig und konkurrieren um die letzten Stellen in %s. Bitte entscheiden Sie die Reihenfolge mit Begründung.",
						t.Rank, orgNames(snap, t.BidIDs), lotNames(content, t.Lots)))
				}
			}
			return v
		}
		if err := storeResult(tx, c, actor, result, now); err != nil {
			return err
		}
		doc, err := matrixDocData(tx, c, content, m, result, in, actor, now)
		if err != nil {
			return err
		}
		if err := issueBewertungsmatrix(tx, docs, doc, c.TenantID, c.ID, actor.UserID); err != nil {
			return err
		}
		ranks := make([]map[string]any, 0, len(result.Rows))
		for _, r := range result.Rows {
			ranks = append(ranks, map[string]any{"bid": r.BidID, "rank": r.Rank, "total": r.Total.StringFixed(rules.PointsDecimals),
				"excluded": r.Excluded, "allocation": fixedMap(r.Allocation)})
		}
		_, err = audit.Audit(tx, audit.Event{Chain: audit.CallChain(c.ID), ActorID: actor.UserID, TenantID: c.TenantID,
			Action: "consolidation.closed", ObjectType: "call", ObjectID: strconv.FormatInt(c.ID, 10),
			Details: map[string]any{"call_version": c.CurrentVersion, "result": ranks, "unallocated": fixedMap(result.Unallocated())}})
		return err
	})
	return result, err
}

// storeResult writes call_results and one result_rows row per bid.
func storeResult(tx *gorm.DB, c *calls.LeadCallRow, actor *core.Actor, r rules.Result, now time.Time) error {
	lots, err := json.Marshal(r.Lots)
	if err != nil {
		return fmt.Errorf("encode lots: %w", err)
	}
	ties, err := json.Marshal(r.Ties)
	if err != nil {
		return fmt.Errorf("encode ties: %w", err)
	}
	if err := tx.Exec(`INSERT INTO call_results (call_id, call_version, closed_by, closed_at, lots, ties) VALUES (?, ?, ?, ?, ?, ?)`,
		c.ID, c.CurrentVersion, actor.UserID, now, string(lots), string(ties)).Error; err != nil {
		return fmt.Errorf("store result: %w", err)
	}
	if len(r.Rows) == 0 {
		return nil
	}
	var sql strings.Builder
	sql.WriteString(`INSERT INTO result_rows (call_id, bid_id, position, rank, rank_by_decision, excluded, excluded_formally, total, points, reasons, requested, allocation) VALUES `)
	args := make([]any, 0, len(r.Rows)*12)
	enc := func(x any) string { b, _ := json.Marshal(x); return string(b) }
	for i, row := range r.Rows {
		if i > 0 {
			sql.WriteString(", ")
		}
		sql.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
		reasons := row.ExclusionReasons
		if reasons == nil {
			reasons = []string{}
		}
		args = append(args, c.ID, row.BidID, i+1, row.Rank, row.RankByDecision, row.Excluded, row.ExcludedFormally, row.Total,
			enc(fixedMap(row.Points)), enc(reasons), enc(fixedMap(row.Requested)), enc(fixedMap(row.Allocation)))
	}
	if err := tx.Exec(sql.String(), args...).Error; err != nil {
		return fmt.Errorf("store result rows: %w", err)
	}
	return nil
}

// fixedMap renders decimals with two decimals for storage and audit details.
func fixedMap(m map[string]decimal.Decimal) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v.StringFixed(2)
	}
	return out
}

func orgNames(snap rules.ScoringSnapshot, ids []int64) string {
	var names []string
	for _, id := range ids {
		for _, b := range snap.Bids {
			if b.BidID == id {
				names = append(names, b.OrgName)
			}
		}
	}
	return strings.Join(names, " und ")
}

func lotNames(c rules.CallContent, keys []string) string {
	var names []string
	for _, k := range keys {
		if l, ok := c.Lot(k); ok {
			names = append(names, "Los "+l.Name)
		}
	}
	return strings.Join(names, ", ")
}
