package demo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"kimibv/models/accounts"
	"kimibv/models/core"
	"kimibv/models/evaluation"
	"kimibv/models/rules"
)

// consolidatedSpec is the demo call whose consolidation is closed: loadScoring runs it
// completely (every bid admitted, every sheet submitted) and loadConsolidated then
// consolidates and closes it, so that a newcomer sees the result page.
func consolidatedSpec() scoringSpec {
	return scoringSpec{Title: "Interessenbekundungsverfahren KIM-Case-Management (Baustein 2), Förderzeitraum 2026–2028 – Ergebnis", FileRef: "KI 32-2025-08", Complete: true,
		DeadlineDay: -60}
}

// withConsolidated appends consolidatedSpec to the scoring specs; loadConsolidated finds
// its call as the last of loadScoring's ids.
func withConsolidated(specs []scoringSpec) []scoringSpec { return append(specs, consolidatedSpec()) }

// loadConsolidated consolidates the last call of ids through the use cases: the lead takes
// the evaluators' mean for every criterion, except one score raised, and gives every
// criterion a reason of its own (demoLeadReason) that the notices state,
// decides any tie that blocks a lot and closes the consolidation, which stores the result.
// It does nothing when the scoring calls were not loaded (ids empty). ctx and now place it
// on its day (timeline).
func loadConsolidated(ctx context.Context, db *gorm.DB, opts []Option, ids []int64, now time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	callID := ids[len(ids)-1]
	var leadID int64
	if err := db.WithContext(ctx).Raw(`SELECT id FROM users WHERE email = 'leitung@musterland.example'`).Scan(&leadID).Error; err != nil || leadID == 0 {
		return fmt.Errorf("demo lead: %w", err)
	}
	lead, err := accounts.LoadActor(ctx, db, leadID)
	if err != nil {
		return err
	}
	src := evaluation.EvaluationSource{}
	v, err := evaluation.LoadConsolidation(ctx, db, src, lead, callID)
	if err != nil {
		return fmt.Errorf("demo consolidation: %w", err)
	}
	for i, b := range v.Matrix.Bids {
		if b.Formal != rules.FormalAdmitted {
			continue
		}
		in := evaluation.ConsolidationInput{CallID: callID, BidID: b.BidID, Scores: map[string]string{}, Reasons: map[string]string{}}
		for j, cell := range b.Cells {
			score := cell.Mean
			if i == 0 && j == 1 && cell.Mean.IntPart() < int64(v.Matrix.ScaleMax) {
				score = cell.Mean.Floor().Add(decimal.NewFromInt(1))
			}
			in.Scores[cell.Criterion.Key] = rules.FormatScore(score)
			in.Reasons[cell.Criterion.Key] = demoLeadReason(demoBidder(b.OrgName), cell.Criterion, cell.Mean, score)
		}
		if err := evaluation.SetConsolidatedScores(ctx, db, src, lead, in, now); err != nil {
			return fmt.Errorf("demo consolidated scores %s: %w", b.OrgName, err)
		}
	}
	if v, err = evaluation.LoadConsolidation(ctx, db, src, lead, callID); err != nil {
		return err
	}
	var res []rules.TieResolution
	for _, t := range v.PendingTies() {
		res = append(res, rules.TieResolution{Order: t.BidIDs, Reason: "Demonstration: Die Verfahrensleitung hat die Reihenfolge nach den veröffentlichten Hilfskriterien durch Los entschieden."})
	}
	_, err = evaluation.CloseConsolidation(ctx, db, src, lead, evaluation.CloseInput{CallID: callID, Resolutions: res}, now, docsOf(opts))
	var ve *core.ValidationError
	if errors.As(err, &ve) {
		return fmt.Errorf("demo close consolidation: %v", ve.Fields)
	}
	return err
}

// demoBidder is the key of a demo provider in demoFindings by its organisation name.
func demoBidder(orgName string) string {
	for _, k := range []struct{ part, key string }{{"Arbeiterwohlfahrt", "awo"}, {"Caritas", "caritas"}, {"Diakonisches Werk", "diakonie"}} {
		if strings.Contains(orgName, k.part) {
			return k.key
		}
	}
	return ""
}
