package decision

import (
	"fmt"
	"strings"

	"gorm.io/gorm"

	"kimibv/models/rules"
)

// AwardRound is a result that a remedy superseded (rules.md R34): the remedy with its step
// and reason, and the decision, ranking and objections of the round it ended. It is shown
// before the result that counts, marked as superseded.
type AwardRound struct {
	Remedy     Remedy
	Decision   *rules.Decision
	Bidders    []AwardBidder
	Lots       []rules.LotResult
	Objections []AwardObjection
}

// currentRound leaves a query as it is: its views show the rows that count.
func currentRound(sql string) string { return sql }

// roundTables returns the query rewriter for the round that remedy k of call callID ended:
// each table's rows are those superseded by the first remedy from k on that superseded
// that table (a step a remedy did not return to stayed valid into the next round), or
// the rows that count if none did. callID and k are numbers, so the text is safe.
func roundTables(callID, k int64) func(string) string {
	pick := func(t string) string {
		return fmt.Sprintf(`(SELECT * FROM %[1]s_all WHERE call_id = %[2]d AND superseded_by = coalesce((SELECT min(x.superseded_by)
			FROM %[1]s_all x WHERE x.call_id = %[2]d AND x.superseded_by >= %[3]d), 0))`, t, callID, k)
	}
	return strings.NewReplacer(
		"FROM decisions d", "FROM "+pick("decisions")+" d",
		"FROM decision_allocations a", "FROM "+pick("decision_allocations")+" a",
		"FROM consolidated_scores cs", "FROM "+pick("consolidated_scores")+" cs",
		"JOIN formal_checks f", "JOIN "+pick("formal_checks")+" f",
		"JOIN formal_corrections fc", "JOIN "+pick("formal_corrections")+" fc",
		"JOIN result_rows rr", "JOIN "+pick("result_rows")+" rr",
		"FROM call_results r", "FROM "+pick("call_results")+" r",
	).Replace
}

// loadAwardRounds fills r.Rounds: per remedy (in order) the round it superseded; one
// query per remedy, none without.
func loadAwardRounds(tx *gorm.DB, r *AwardRecord, remedies []Remedy) error {
	if r.OpenedAt == nil {
		return nil
	}
	for _, m := range remedies {
		q := roundTables(r.CallID, m.ID)
		var parts struct{ Lots, Objects *string }
		if err := tx.Raw(q(`SELECT (SELECT r.lots::text FROM call_results r) AS lots,
			(SELECT json_agg(json_build_object('OrgName', g.name, 'LodgedAt', o.lodged_at, 'Outcome', o.outcome,
				'AnsweredAt', o.answered_at) ORDER BY o.id) FROM objections_all o JOIN organizations g ON g.id = o.org_id
				WHERE o.call_id = ? AND o.superseded_by = ?)::text AS objects`), r.CallID, m.ID).Scan(&parts).Error; err != nil {
			return fmt.Errorf("load round of remedy %d: %w", m.ID, err)
		}
		round := &AwardRecord{CallID: r.CallID, OpenedAt: r.OpenedAt, Content: r.Content}
		if err := loadAwardDecision(tx, q, round, parts.Lots, nil, parts.Objects); err != nil {
			return err
		}
		r.Rounds = append(r.Rounds, AwardRound{Remedy: m, Decision: round.Decision, Bidders: round.Bidders, Lots: round.Lots, Objections: round.Objections})
	}
	return nil
}
