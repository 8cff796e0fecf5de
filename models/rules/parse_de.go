package rules

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"kimibv/models/core"
)

// ParseGermanDecimal parses a number as Germans write it: decimal comma, optional dots as
// thousands separators in groups of three ("57.000,00"), an optional trailing "€".
// A dot with other than three following digits ("1.5") is refused rather than guessed.
// It returns a German message (without the field's name) when the input is not valid.
func ParseGermanDecimal(s string, maxDecimals int, allowNegative bool) (decimal.Decimal, string) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "€"))
	s = strings.ReplaceAll(s, "\u00a0", "")
	if s == "" {
		return decimal.Zero, "Bitte geben Sie eine Zahl an."
	}
	neg := strings.HasPrefix(s, "-") || strings.HasPrefix(s, "−")
	if neg {
		s = strings.TrimPrefix(strings.TrimPrefix(s, "-"), "−")
	}
	intPart, frac, hasComma := strings.Cut(s, ",")
	if hasComma && (strings.Contains(frac, ",") || frac == "") {
		return decimal.Zero, "Bitte geben Sie eine Zahl mit höchstens einem Komma an, zum Beispiel 1,5."
	}
	if !germanInt.MatchString(intPart) || (frac != "" && !digits.MatchString(frac)) {
		if strings.Contains(intPart, ".") && !hasComma {
			return decimal.Zero, "Bitte verwenden Sie das Komma als Dezimaltrennzeichen, zum Beispiel 1,5 (Punkte nur als Tausendertrennzeichen: 57.000)."
		}
		return decimal.Zero, "Bitte geben Sie eine Zahl an, zum Beispiel 1,5 oder 57.000,00."
	}
	if len(frac) > maxDecimals {
		if maxDecimals == 0 {
			return decimal.Zero, "Bitte geben Sie eine ganze Zahl an."
		}
		return decimal.Zero, fmt.Sprintf("Bitte geben Sie höchstens %d Nachkommastellen an.", maxDecimals)
	}
	d, err := decimal.NewFromString(strings.ReplaceAll(intPart, ".", "") + "." + frac + "0")
	if err != nil {
		return decimal.Zero, "Bitte geben Sie eine Zahl an, zum Beispiel 1,5 oder 57.000,00."
	}
	if neg && !d.IsZero() {
		if !allowNegative {
			return decimal.Zero, "Bitte geben Sie keine negative Zahl an."
		}
		d = d.Neg()
	}
	return d, ""
}

var (
	germanInt = regexp.MustCompile(`^(\d+|\d{1,3}(\.\d{3})+)$`)
	digits    = regexp.MustCompile(`^\d+$`)
)

// ParseGermanInt parses a whole number ("25"); "12,5" is refused with a German message.
func ParseGermanInt(s string, allowNegative bool) (int, string) {
	d, msg := ParseGermanDecimal(s, 0, allowNegative)
	if msg != "" {
		return 0, msg
	}
	if d.Abs().GreaterThan(decimal.NewFromInt(1_000_000_000)) {
		return 0, "Die Zahl ist zu groß."
	}
	return int(d.IntPart()), ""
}

// FTEStep is the granularity of posts (VZÄ): 0,05.
var FTEStep = decimal.New(5, -2)

// IsFTEMultiple reports whether d is a multiple of 0,05 VZÄ.
func IsFTEMultiple(d decimal.Decimal) bool { return d.Mod(FTEStep).IsZero() }

// FormatGermanDecimal writes d with a decimal comma, thousands dots and exactly places decimals.
func FormatGermanDecimal(d decimal.Decimal, places int32) string {
	s := d.StringFixed(places)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(r)
	}
	out := b.String()
	if frac != "" {
		out += "," + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

// FormatFTE writes posts with two decimals ("2,00").
func FormatFTE(d decimal.Decimal) string { return FormatGermanDecimal(d, 2) }

// FormatEuro writes an amount as "57.000,00 €".
func FormatEuro(d decimal.Decimal) string { return FormatGermanDecimal(d, 2) + " €" }

// ParseGermanDate parses "31.12.2028" (also "1.9.2026") as a calendar date.
func ParseGermanDate(s string) (Date, string) {
	s = strings.TrimSpace(s)
	m := germanDate.FindStringSubmatch(s)
	if m == nil {
		return "", "Bitte geben Sie das Datum im Format TT.MM.JJJJ an, zum Beispiel 01.09.2026."
	}
	d, mo, y := atoi(m[1]), atoi(m[2]), atoi(m[3])
	t := time.Date(y, time.Month(mo), d, 12, 0, 0, 0, core.Berlin())
	if t.Day() != d || int(t.Month()) != mo || y < 2000 || y > 2200 {
		return "", fmt.Sprintf("Den %s gibt es nicht. Bitte prüfen Sie das Datum.", s)
	}
	return NewDate(t), ""
}

// ParseGermanDateTime parses local Europe/Berlin wall time "29.03.2026 14:00" (also with
// ", " between date and time and a trailing "Uhr") and returns it in UTC.
//
// Daylight saving (rules.md R11): a wall time in the spring gap (e.g. 29.03.2026 02:30) does
// not exist and is refused. A wall time that occurs twice in autumn (e.g. 25.10.2026
// 02:30) is resolved to its FIRST occurrence, still in summer time (MESZ, UTC+2); note
// says so and FormatDateTimeZone states the zone wherever such a time is shown.
func ParseGermanDateTime(s string) (t time.Time, note, msg string) {
	s = strings.TrimSpace(s)
	m := germanDateTime.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, "", "Bitte geben Sie Datum und Uhrzeit im Format TT.MM.JJJJ HH:MM an, zum Beispiel 15.06.2026 12:00."
	}
	d, mo, y, h, mi := atoi(m[1]), atoi(m[2]), atoi(m[3]), atoi(m[4]), atoi(m[5])
	date, dmsg := ParseGermanDate(m[1] + "." + m[2] + "." + m[3])
	if dmsg != "" {
		return time.Time{}, "", dmsg
	}
	if h > 23 || mi > 59 {
		return time.Time{}, "", "Bitte geben Sie eine gültige Uhrzeit zwischen 00:00 und 23:59 an."
	}
	var found []time.Time
	for _, offsetHours := range []int{2, 1} { // MESZ before MEZ: earlier instant first
		c := time.Date(y, time.Month(mo), d, h, mi, 0, 0, time.UTC).Add(-time.Duration(offsetHours) * time.Hour)
		l := c.In(core.Berlin())
		if l.Hour() == h && l.Minute() == mi && l.Day() == d {
			found = append(found, c)
		}
	}
	wall := fmt.Sprintf("%s um %02d:%02d Uhr", date.German(), h, mi)
	switch len(found) {
	case 0:
		return time.Time{}, "", fmt.Sprintf("Den %s gibt es wegen der Umstellung auf die Sommerzeit nicht (die Uhr springt von 02:00 auf 03:00 Uhr). Bitte wählen Sie eine andere Uhrzeit.", wall)
	case 2:
		return found[0], fmt.Sprintf("Die Uhrzeit %s gibt es wegen der Umstellung auf die Winterzeit zweimal; es gilt die erste, noch in der Sommerzeit (MESZ).", wall), ""
	}
	return found[0], "", ""
}

var (
	germanDate     = regexp.MustCompile(`^(\d{1,2})\.(\d{1,2})\.(\d{4})$`)
	germanDateTime = regexp.MustCompile(`^(\d{1,2})\.(\d{1,2})\.(\d{4}),?\s+(\d{1,2})[:.](\d{2})(?:\s*Uhr)?$`)
)

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// IsAmbiguousLocal reports whether t's Europe/Berlin wall time occurs twice (autumn change).
func IsAmbiguousLocal(t time.Time) bool {
	l := t.In(core.Berlin())
	for _, d := range []time.Duration{-time.Hour, time.Hour} {
		o := t.Add(d).In(core.Berlin())
		if o.Hour() == l.Hour() && o.Minute() == l.Minute() && o.Day() == l.Day() {
			return true
		}
	}
	return false
}

// FormatDateTimeZone is FormatDateTime that adds "(MESZ)" or "(MEZ)" when the wall time
// alone would be ambiguous (the repeated hour in autumn).
func FormatDateTimeZone(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	s := core.FormatDateTime(t)
	if IsAmbiguousLocal(t) {
		if name, _ := t.In(core.Berlin()).Zone(); name == "CEST" {
			return s + " (MESZ)"
		}
		return s + " (MEZ)"
	}
	return s
}

// FormatGermanDateTimeInput writes t as the editor expects it back ("15.06.2026 12:00").
func FormatGermanDateTimeInput(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(core.Berlin()).Format("02.01.2006 15:04")
}
