package rules

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"kimibv/models/core"
)

// The reason of a consolidated score (rules.md R6). Notices to providers are
// administrative acts that state their reasons (§ 39 VwVfG): the lead gives a reason for
// every criterion of every admitted bid, and the notice shows it. A reason that only
// refers to the mean or to the committee says nothing a provider could check, so it is
// refused.

// MinReasonWords is how many substantive words a reason needs at least: words of three
// or more letters that are not function words nor mere references to the mean, the
// committee or the scale (reasonFiller).
const MinReasonWords = 3

// reasonFiller are the words that carry no reason of their own: articles, auxiliaries,
// prepositions and the vocabulary of a reference to the mean, the committee or the scale.
var reasonFiller = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`der die das den dem des ein eine einer einem einen eines und oder aber ist sind war waren wird
		wurde wurden werden hat haben hatte mit von vom zu zum zur im in am an auf aus bei nach vor für über unter wie als
		auch nicht kein keine keiner keinen nur so da dies diese dieser dieses es sie er wir ihr sich siehe vgl oben unten
		bzw usw etc entspricht entsprechen entsprechend entsprechende gemäß laut analog identisch gleich
		mittelwert mittelwerts mittelwertes mittel durchschnitt durchschnitts durchschnittlich durchschnittswert gemittelt
		bewertung bewertungen bewertet einzelbewertung einzelbewertungen bewertungsbogen bewertungsbögen bogen bögen
		gremium gremiums gremien mitglied mitglieder mitglieds mitgliedern einstimmig
		begründung begründungen begründet note noten stufe stufen punkt punkte skala konsolidiert konsolidierte konsolidierung
		ergebnis okay passt gut ohne anmerkung anmerkungen bemerkung bemerkungen`) {
		m[w] = true
	}
	return m
}()

// ReasonWords counts the substantive words of a reason: words (runs of letters) of at
// least three letters that are not in reasonFiller, case-insensitive. Pure.
func ReasonWords(reason string) int {
	n := 0
	for _, w := range strings.FieldsFunc(strings.ToLower(reason), func(r rune) bool { return !unicode.IsLetter(r) }) {
		if utf8.RuneCountInString(w) >= 3 && !reasonFiller[w] {
			n++
		}
	}
	return n
}

// IsBoilerplateReason reports whether a reason says nothing of its own: fewer than
// MinReasonWords substantive words, as in "entspricht dem Mittelwert der Bewertungen
// des Gremiums", "s. o." or "Mitglied 1: gut". Pure.
func IsBoilerplateReason(reason string) bool { return ReasonWords(reason) < MinReasonWords }

// CheckConsolidationReason validates the lead's reason for the consolidated score of
// criterion key: required, valid text of at most MaxLongText characters and not
// boilerplate. Where the score deviates from the evaluators' mean the message asks for
// the deviation too. Errors in German on field.
func CheckConsolidationReason(v *core.ValidationError, field, key, reason string, deviates bool, mean decimal.Decimal) {
	before := len(v.Fields)
	core.CheckText(v, field, "die Begründung", reason, false, MaxLongText)
	if len(v.Fields) > before {
		return
	}
	switch {
	case strings.TrimSpace(reason) == "" && deviates:
		v.Add(field, "required", fmt.Sprintf("%s: Bitte begründen Sie die konsolidierte Bewertung und warum sie vom Mittelwert %s abweicht. "+
			"Die Begründung steht in der Mitteilung an den Träger.", key, FormatScore(mean)))
	case strings.TrimSpace(reason) == "":
		v.Add(field, "required", fmt.Sprintf("%s: Bitte begründen Sie die konsolidierte Bewertung. Die Begründung steht in der Mitteilung an den Träger.", key))
	case IsBoilerplateReason(reason):
		v.Add(field, "boilerplate", fmt.Sprintf("%s: Ein Verweis wie „entspricht dem Mittelwert“ ist keine Begründung. Bitte schreiben Sie in ganzen Sätzen, "+
			"was die Interessenbekundung zu diesem Kriterium darstellt und warum sie diese Stufe erreicht.", key))
	}
}

// MemberLabel names the evaluator at position i (0-based) of the committee anonymously,
// "Mitglied 1", "Mitglied 2" …; a member keeps the number across criteria and bids.
func MemberLabel(i int) string { return fmt.Sprintf("Mitglied %d", i+1) }

// DraftReason is the proposal for the lead's reason of a cell: the submitted evaluators'
// reasons, anonymised as "Mitglied n: …" in committee order, one per line, for the lead to
// edit. Empty reasons are left out. Pure.
func DraftReason(cell MatrixCell, evaluators []SnapshotEvaluator) string {
	pos := map[int64]int{}
	for i, e := range evaluators {
		pos[e.UserID] = i
	}
	scores := slices.Clone(cell.Scores)
	slices.SortStableFunc(scores, func(a, b EvaluatorScore) int { return pos[a.EvaluatorID] - pos[b.EvaluatorID] })
	var lines []string
	for _, s := range scores {
		if r := strings.Join(strings.Fields(s.Reason), " "); r != "" {
			lines = append(lines, MemberLabel(pos[s.EvaluatorID])+": "+r)
		}
	}
	return strings.Join(lines, "\n")
}

// StatedReason is the reason a notice gives for a cell: the lead's reason, or — for a
// consolidation stored before reasons were required, whose reason is empty or boilerplate —
// the anonymised reasons of the evaluators (DraftReason). Pure.
func StatedReason(cell MatrixCell, evaluators []SnapshotEvaluator) string {
	if c := cell.Consolidated; c != nil && !IsBoilerplateReason(c.Reason) {
		return strings.TrimSpace(c.Reason)
	}
	return DraftReason(cell, evaluators)
}
