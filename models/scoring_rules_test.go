package models_test

import (
	"testing"

	"github.com/shopspring/decimal"

	"kimibv/models"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func TestPointsRoundHalfUpToTwoDecimals(t *testing.T) {
	for _, tc := range []struct {
		score         string
		scaleMax, wgt int
		want          string
	}{
		{"2", 3, 25, "16.67"}, // 16,666… rounds up
		{"2", 3, 20, "13.33"}, // 13,333… rounds down
		{"1", 3, 10, "3.33"},
		{"2", 3, 10, "6.67"},
		{"3", 3, 15, "15"},
		{"2.5", 4, 15, "9.38"},  // 9,375: half-up, not to even
		{"1", 8, 25, "3.13"},    // 3,125: half-up (banker's rounding would give 3,12)
		{"0.01", 4, 50, "0.13"}, // 0,125
		{"2.67", 4, 25, "16.69"},
		{"4", 4, 25, "25"},
		{"0", 4, 25, "0"},
		{"1", 3, 1, "0.33"},
	} {
		got := models.Points(dec(tc.score), tc.scaleMax, tc.wgt)
		if !got.Equal(dec(tc.want)) {
			t.Errorf("Points(%s, %d, %d) = %s, want %s", tc.score, tc.scaleMax, tc.wgt, got, tc.want)
		}
	}
}

func TestScoreSpread(t *testing.T) {
	for _, tc := range []struct {
		scores    []int
		spread    int
		highlight bool
	}{
		{nil, 0, false},
		{[]int{3}, 0, false},
		{[]int{2, 3, 3}, 1, false},
		{[]int{1, 3}, 2, true},
		{[]int{3, 1, 2}, 2, true},
		{[]int{0, 4, 2, 2, 3}, 4, true},
	} {
		s, h := models.ScoreSpread(tc.scores)
		if s != tc.spread || h != tc.highlight {
			t.Errorf("ScoreSpread(%v) = %d, %v; want %d, %v", tc.scores, s, h, tc.spread, tc.highlight)
		}
	}
}

func TestMeanScoreAndReason(t *testing.T) {
	for _, tc := range []struct {
		scores []int
		want   string
	}{
		{[]int{2, 3, 3}, "2.67"},
		{[]int{1, 1, 2}, "1.33"},
		{[]int{1, 2}, "1.5"},
		{[]int{1, 2, 2, 2, 2, 2}, "1.83"},
		{[]int{1, 1, 1, 1, 1, 1, 1, 2}, "1.13"}, // 1,125 half-up
		{[]int{4, 4, 4, 4, 4}, "4"},
		{[]int{0, 0, 1}, "0.33"},
	} {
		got, ok := models.MeanScore(tc.scores)
		if !ok || !got.Equal(dec(tc.want)) {
			t.Errorf("MeanScore(%v) = %s, %v; want %s", tc.scores, got, ok, tc.want)
		}
	}
	if _, ok := models.MeanScore(nil); ok {
		t.Error("MeanScore(nil) is ok")
	}
	mean, _ := models.MeanScore([]int{2, 3, 3})
	for _, tc := range []struct {
		consolidated string
		want         bool
	}{{"2.67", false}, {"2.670", false}, {"3", true}, {"2.66", true}, {"2", true}} {
		if got := models.NeedsReason(dec(tc.consolidated), mean); got != tc.want {
			t.Errorf("NeedsReason(%s, %s) = %v, want %v", tc.consolidated, mean, got, tc.want)
		}
	}
	if models.NeedsReason(dec("2"), dec("2.00")) {
		t.Error("2 and 2,00 are the same score")
	}
}

func TestCheckConsolidatedScore(t *testing.T) {
	for _, tc := range []struct {
		score, code string
	}{{"0", ""}, {"4", ""}, {"2.67", ""}, {"4.01", "scale"}, {"-1", "scale"}, {"2.675", "decimals"}} {
		v := &models.ValidationError{}
		models.CheckConsolidatedScore(v, "s", dec(tc.score), 4)
		got := ""
		if len(v.Fields) > 0 {
			got = v.Fields[0].Code
		}
		if got != tc.code {
			t.Errorf("CheckConsolidatedScore(%s) = %q, want %q", tc.score, got, tc.code)
		}
	}
}

func TestFormatScoreAndPoints(t *testing.T) {
	for in, want := range map[string]string{"2": "2", "2.5": "2,5", "2.67": "2,67", "0": "0", "2.50": "2,5"} {
		if got := models.FormatScore(dec(in)); got != want {
			t.Errorf("FormatScore(%s) = %q, want %q", in, got, want)
		}
	}
	if got := models.FormatPoints(dec("66.666")); got != "66,67" {
		t.Errorf("FormatPoints = %q", got)
	}
}
