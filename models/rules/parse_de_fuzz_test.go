package rules_test

import (
	"fmt"
	"regexp"
	"strconv"
	"testing"
	"time"
	"unicode/utf8"

	"kimibv/models/rules"
)

// FuzzGermanDecimal checks the form parser of amounts and posts (VZÄ): it never panics,
// refuses with a German message or returns a value within the limits that formats back
// to the same value, and a negative value only where negatives are allowed.
func FuzzGermanDecimal(f *testing.F) {
	for _, s := range []string{"57.000,00 €", "1,5", "-0,05", "−2", "1.5", "99999999999999999999", "1e309", "0,0000001",
		"2,00", "1.000.000,5", "\u00a01\u00a0", ",5", "1,", "\x00", "\u202e1", "１,５", "٣"} {
		f.Add(s, 2, false)
		f.Add(s, 0, true)
	}
	f.Fuzz(func(t *testing.T, s string, maxDecimals int, allowNegative bool) {
		if maxDecimals < 0 || maxDecimals > 6 {
			return
		}
		d, msg := rules.ParseGermanDecimal(s, maxDecimals, allowNegative)
		if msg != "" {
			if !utf8.ValidString(msg) || !d.IsZero() {
				t.Fatalf("%q: refusal %q with value %s", s, msg, d)
			}
			return
		}
		if d.IsNegative() && !allowNegative {
			t.Fatalf("%q: negative %s accepted", s, d)
		}
		if -d.Exponent() > int32(maxDecimals) && !d.Equal(d.Truncate(int32(maxDecimals))) {
			t.Fatalf("%q: %s has more than %d decimals", s, d, maxDecimals)
		}
		back, msg := rules.ParseGermanDecimal(rules.FormatGermanDecimal(d, int32(maxDecimals)), maxDecimals, true)
		if msg != "" || !back.Equal(d) {
			t.Fatalf("%q → %s → %q → %s (%s)", s, d, rules.FormatGermanDecimal(d, int32(maxDecimals)), back, msg)
		}
		// Posts: a value in steps of 0,05 formats as VZÄ and parses back.
		if maxDecimals == 2 && rules.IsFTEMultiple(d) {
			if fte, msg := rules.ParseGermanDecimal(rules.FormatFTE(d), 2, true); msg != "" || !fte.Equal(d) {
				t.Fatalf("VZÄ %s: %q → %s (%s)", d, rules.FormatFTE(d), fte, msg)
			}
		}
	})
}

// FuzzGermanDateTime checks dates and local wall times across the daylight-saving changes:
// an accepted time is UTC, shown in Europe/Berlin as the same wall time, and parses back to
// the same instant; a time in the spring gap is refused.
func FuzzGermanDateTime(f *testing.F) {
	for _, s := range []string{"29.03.2026 02:30", "25.10.2026 02:30", "25.10.2026, 02:30 Uhr", "31.12.2028 23:59", "29.02.2027 12:00",
		"1.9.2026 9.05", "31.04.2026 10:00", "01.01.1999 00:00", "00.00.0000 00:00", "15.06.2026 24:00", "15.06.2026\u00a012:00", "15.06.2026 12:00\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if d, msg := rules.ParseGermanDate(s); msg == "" {
			if back, msg := rules.ParseGermanDate(d.German()); msg != "" || back != d {
				t.Fatalf("date %q → %v → %q → %v (%s)", s, d, d.German(), back, msg)
			}
		}
		ts, _, msg := rules.ParseGermanDateTime(s)
		if msg != "" {
			if !ts.IsZero() {
				t.Fatalf("%q: refusal with a time", s)
			}
			return
		}
		if ts.Location() != time.UTC {
			t.Fatalf("%q: not UTC: %v", s, ts)
		}
		in := rules.FormatGermanDateTimeInput(ts)
		if got, want := numbers(in), numbers(s); got != want {
			t.Fatalf("%q: shown as wall time %q (%s, want %s)", s, in, got, want)
		}
		back, _, msg := rules.ParseGermanDateTime(in)
		if msg != "" || !back.Equal(ts) {
			t.Fatalf("%q → %v → %q → %v (%s)", s, ts, in, back, msg)
		}
	})
}

// numbers lists the first five digit runs of s as integers (day, month, year, hour, minute).
func numbers(s string) string {
	var out []int
	for _, m := range regexp.MustCompile(`[0-9]+`).FindAllString(s, 5) {
		n, _ := strconv.Atoi(m)
		out = append(out, n)
	}
	return fmt.Sprint(out)
}
