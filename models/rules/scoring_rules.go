package rules

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"kimibv/models/core"
)

// The published arithmetic (rules.md R7) uses exact fixed-point decimals throughout and
// rounds in exactly two places, both half-up (kaufmännisch, 0,005 → 0,01):
//
//   - the evaluators' mean per bid and criterion, the default consolidated score, is the
//     arithmetic mean rounded half-up to ScoreDecimals (2) decimals (8/3 → 2,67);
//   - the points of a criterion are consolidated score × weight ÷ scale maximum, computed
//     exactly and then rounded half-up to PointsDecimals (2) decimals (2 of 3 at weight 25 →
//     16,67; 2,5 of 4 at weight 15 → 9,38).
//
// The total is the exact sum of the rounded points of the criteria, so that anybody can add
// up the matrix with a pocket calculator and get the published total; it may differ from the
// unrounded sum by up to one cent per criterion (three times 3,33 is 9,99, not 10,00).
// Minimum total, ranking and tie-breaks compare exactly these published numbers.
const (
	ScoreDecimals  = 2
	PointsDecimals = 2
	// SpreadThreshold is the difference between the highest and the lowest evaluator score
	// of a criterion (in scale points) from which the consolidation matrix highlights it.
	SpreadThreshold = 2
)

// Points returns the points of one criterion: score ÷ scaleMax × weight, computed exactly
// and rounded half-up to PointsDecimals decimals. scaleMax must be positive.
func Points(score decimal.Decimal, scaleMax, weight int) decimal.Decimal {
	return score.Mul(decimal.NewFromInt(int64(weight))).DivRound(decimal.NewFromInt(int64(scaleMax)), PointsDecimals)
}

// ScoreSpread returns max − min of the evaluators' scores of one criterion and whether the
// spread reaches SpreadThreshold (the matrix highlights it). No scores give (0, false).
func ScoreSpread(scores []int) (spread int, highlighted bool) {
	if len(scores) == 0 {
		return 0, false
	}
	lo, hi := scores[0], scores[0]
	for _, s := range scores[1:] {
		lo, hi = min(lo, s), max(hi, s)
	}
	return hi - lo, hi-lo >= SpreadThreshold
}

// MeanScore returns the arithmetic mean of the evaluators' scores rounded half-up to
// ScoreDecimals decimals — the default consolidated score; ok is false without scores.
func MeanScore(scores []int) (mean decimal.Decimal, ok bool) {
	if len(scores) == 0 {
		return decimal.Zero, false
	}
	var sum int64
	for _, s := range scores {
		sum += int64(s)
	}
	return decimal.NewFromInt(sum).DivRound(decimal.NewFromInt(int64(len(scores))), ScoreDecimals), true
}

// NeedsReason reports whether a consolidated score needs a written reason: whenever it
// differs from the (rounded) mean of the evaluators' scores (rules.md R6).
func NeedsReason(consolidated, mean decimal.Decimal) bool { return !consolidated.Equal(mean) }

// CheckConsolidatedScore validates a consolidated score: on the scale (0 to scaleMax) and
// with at most ScoreDecimals decimals.
func CheckConsolidatedScore(v *core.ValidationError, field string, score decimal.Decimal, scaleMax int) {
	switch {
	case score.IsNegative() || score.GreaterThan(decimal.NewFromInt(int64(scaleMax))):
		v.Add(field, "scale", fmt.Sprintf("Die konsolidierte Bewertung muss zwischen 0 und %d liegen.", scaleMax))
	case !score.Equal(score.Round(ScoreDecimals)):
		v.Add(field, "decimals", "Die konsolidierte Bewertung hat höchstens zwei Nachkommastellen, zum Beispiel 2,67.")
	}
}

// FormatScore writes a score with a decimal comma and without trailing zeros ("2", "2,5",
// "2,67").
func FormatScore(d decimal.Decimal) string {
	s := FormatGermanDecimal(d, ScoreDecimals)
	if strings.Contains(s, ",") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ",")
	}
	return s
}

// FormatPoints writes points with a decimal comma and exactly two decimals ("16,67").
func FormatPoints(d decimal.Decimal) string { return FormatGermanDecimal(d, PointsDecimals) }
