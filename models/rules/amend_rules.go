package rules

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"kimibv/models/core"
)

// MaxReason is the length limit of the reason of an amendment or cancellation.
const MaxReason = 2000

// CheckAmendment applies rules.md R1 to an amendment from prev to next at now: the question
// deadline and the submission deadline may only move later, never earlier; an amendment is
// "material" when it changes criteria (weights, minimum scores, minimum total, tie-break,
// answer length), the scale, lots, eligibility or required documents, and a material
// amendment is allowed only while at least minLeft remains before the (new) deadline —
// otherwise the lead must extend the deadline in the same amendment. Whole days of minLeft
// are counted as calendar days in Europe/Berlin, so "10 days" across a daylight-saving
// change means the same wall time ten days later. No amendment after the deadline.
func CheckAmendment(prev, next CallContent, now time.Time, minLeft time.Duration) (bool, *core.ValidationError) {
	v := &core.ValidationError{}
	sections := MaterialSections(prev, next)
	material := len(sections) > 0
	pt, nt := prev.Timeline, next.Timeline
	if !pt.Deadline.IsZero() && !now.Before(pt.Deadline) {
		v.Add("deadline", "passed", fmt.Sprintf("Die Abgabefrist ist am %s abgelaufen. Eine Änderungsbekanntmachung ist nicht mehr möglich.", TimeText(pt.Deadline)))
		return material, v
	}
	if nt.Deadline.Before(pt.Deadline) {
		v.Add("deadline", "earlier", fmt.Sprintf("Die Abgabefrist kann nur verlängert, nicht verkürzt werden. Bisher gilt %s; bitte geben Sie diesen oder einen späteren Zeitpunkt an.", TimeText(pt.Deadline)))
	}
	if nt.QuestionsUntil.Before(pt.QuestionsUntil) {
		v.Add("questions_until", "earlier", fmt.Sprintf("Die Frist für Fragen kann nur verlängert, nicht verkürzt werden. Bisher gilt %s; bitte geben Sie diesen oder einen späteren Zeitpunkt an.", TimeText(pt.QuestionsUntil)))
	}
	if material && !v.Has("deadline") {
		earliest := EarliestDeadlineAfter(now, minLeft)
		if nt.Deadline.Before(earliest) {
			v.Add("deadline", "min_left", fmt.Sprintf("Die Änderung betrifft %s. Solche Änderungen sind nur zulässig, wenn bis zur Abgabefrist noch mindestens %s bleiben. Bitte verlängern Sie in derselben Änderung die Abgabefrist auf frühestens %s.",
				JoinGerman(sections), durationText(minLeft), TimeText(earliest.Add(time.Minute-1).Truncate(time.Minute))))
		}
	}
	return material, v
}

// EarliestDeadlineAfter returns now plus minLeft, whole days counted as calendar days in
// Europe/Berlin (same wall time; a wall time in the spring gap moves forward).
func EarliestDeadlineAfter(now time.Time, minLeft time.Duration) time.Time {
	days := int(minLeft / (24 * time.Hour))
	rest := minLeft % (24 * time.Hour)
	l := now.In(core.Berlin())
	return time.Date(l.Year(), l.Month(), l.Day()+days, l.Hour(), l.Minute(), l.Second(), l.Nanosecond(), core.Berlin()).Add(rest).UTC()
}

// MaterialSections names (German, with article) the parts whose change makes an
// amendment material; empty when none changed.
func MaterialSections(prev, next CallContent) []string {
	type callRules struct {
		Criteria any
		Min      any
		Tie      any
		Chars    int
	}
	parts := []struct {
		name string
		a, b any
	}{
		{"die Bewertungskriterien", callRules{emptyNil(prev.Criteria), prev.MinTotalPoints, emptyNil(prev.TieBreak), prev.AnswerMaxChars},
			callRules{emptyNil(next.Criteria), next.MinTotalPoints, emptyNil(next.TieBreak), next.AnswerMaxChars}},
		{"die Bewertungsskala", emptyNil(prev.Scale), emptyNil(next.Scale)},
		{"die Lose", emptyNil(prev.Lots), emptyNil(next.Lots)},
		{"die Teilnahmevoraussetzungen", emptyNil(prev.Eligibility), emptyNil(next.Eligibility)},
		{"die einzureichenden Unterlagen", emptyNil(prev.RequiredDocs), emptyNil(next.RequiredDocs)},
	}
	var out []string
	for _, p := range parts {
		if !sameJSON(p.a, p.b) {
			out = append(out, p.name)
		}
	}
	return out
}

// sameJSON compares two values by their JSON encoding (decimals compare by value).
func sameJSON(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// emptyNil makes an empty list nil so that nil and empty lists compare alike.
func emptyNil[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}

// JoinGerman joins "a", "b" and "c" as "a, b und c".
func JoinGerman(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " und " + items[len(items)-1]
}

// durationText says a period in German words: "10 Tage", "1 Tag und 12 Stunden".
func durationText(d time.Duration) string {
	days, hours := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour)
	unit := func(n int, one, many string) string {
		if n == 1 {
			return "1 " + one
		}
		return fmt.Sprintf("%d %s", n, many)
	}
	switch {
	case days > 0 && hours > 0:
		return unit(days, "Tag", "Tage") + " und " + unit(hours, "Stunde", "Stunden")
	case days > 0:
		return unit(days, "Tag", "Tage")
	}
	return unit(hours, "Stunde", "Stunden")
}
