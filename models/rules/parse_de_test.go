package rules_test

import (
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"kimibv/models/rules"
)

func TestParseGermanDecimal(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in       string
		places   int
		negative bool
		want     string // "" means an error is expected
	}{
		{"1,5", 2, false, "1.5"},
		{"2,00", 2, false, "2"},
		{"57.000,00", 2, false, "57000"},
		{"57000", 2, false, "57000"},
		{"57.000", 2, false, "57000"},
		{"1.234.567,8", 2, false, "1234567.8"},
		{" 5.000,00 € ", 2, false, "5000"},
		{"0,05", 4, false, "0.05"},
		{"1,2345", 4, false, "1.2345"},
		{"1,23456", 4, false, ""},
		{"1,2,3", 4, false, ""},
		{"1.5", 4, false, ""},
		{"1.50,5", 4, false, ""},
		{"12,", 2, false, ""},
		{",5", 2, false, ""},
		{"-1,5", 2, false, ""},
		{"-1,5", 2, true, "-1.5"},
		{"−2", 2, true, "-2"},
		{"abc", 2, false, ""},
		{"", 2, false, ""},
		{"1e3", 2, false, ""},
		{"12,5", 0, false, ""},
	}
	for _, c := range cases {
		got, msg := rules.ParseGermanDecimal(c.in, c.places, c.negative)
		if c.want == "" {
			if msg == "" {
				t.Errorf("%q: accepted as %s, want an error", c.in, got)
			}
			continue
		}
		if msg != "" || !got.Equal(decimal.RequireFromString(c.want)) {
			t.Errorf("%q: got %s %q, want %s", c.in, got, msg, c.want)
		}
	}
}

func TestParseGermanIntRefusesFractions(t *testing.T) {
	t.Parallel()
	if _, msg := rules.ParseGermanInt("12,5", false); !strings.Contains(msg, "ganze Zahl") {
		t.Fatalf("12,5 as weight: %q", msg)
	}
	if n, msg := rules.ParseGermanInt("25", false); n != 25 || msg != "" {
		t.Fatalf("25: %d %q", n, msg)
	}
}

func TestFTEMultipleAndFormat(t *testing.T) {
	t.Parallel()
	for in, ok := range map[string]bool{"1": true, "0.05": true, "1.25": true, "0.5": true, "0.07": false, "1.333": false} {
		if got := rules.IsFTEMultiple(decimal.RequireFromString(in)); got != ok {
			t.Errorf("%s multiple of 0,05: %v", in, got)
		}
	}
	if got := rules.FormatEuro(decimal.RequireFromString("1234567.5")); got != "1.234.567,50 €" {
		t.Errorf("FormatEuro: %s", got)
	}
	if got := rules.FormatFTE(decimal.RequireFromString("2")); got != "2,00" {
		t.Errorf("FormatFTE: %s", got)
	}
}

func TestParseGermanDateTimeDST(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in      string
		wantUTC string // "" means error
		note    bool
		errPart string
	}{
		{"15.06.2026 12:00", "2026-06-15T10:00:00Z", false, ""},
		{"15.01.2026, 12:00 Uhr", "2026-01-15T11:00:00Z", false, ""},
		{"1.2.2026 9:05", "2026-02-01T08:05:00Z", false, ""},
		{"29.03.2026 01:59", "2026-03-29T00:59:00Z", false, ""},
		{"29.03.2026 02:30", "", false, "Sommerzeit"},
		{"29.03.2026 02:00", "", false, "Sommerzeit"},
		{"29.03.2026 03:00", "2026-03-29T01:00:00Z", false, ""},
		{"25.10.2026 02:30", "2026-10-25T00:30:00Z", true, ""}, // first occurrence, MESZ
		{"25.10.2026 03:00", "2026-10-25T02:00:00Z", false, ""},
		{"31.02.2026 12:00", "", false, "gibt es nicht"},
		{"15.06.2026 24:00", "", false, "Uhrzeit"},
		{"2026-06-15 12:00", "", false, "TT.MM.JJJJ"},
		{"15.06.2026", "", false, "TT.MM.JJJJ"},
	}
	for _, c := range cases {
		got, note, msg := rules.ParseGermanDateTime(c.in)
		if c.wantUTC == "" {
			if msg == "" || !strings.Contains(msg, c.errPart) {
				t.Errorf("%q: got %v, msg %q, want error containing %q", c.in, got, msg, c.errPart)
			}
			continue
		}
		if msg != "" || got.UTC().Format(time.RFC3339) != c.wantUTC {
			t.Errorf("%q: got %s %q, want %s", c.in, got.UTC().Format(time.RFC3339), msg, c.wantUTC)
		}
		if (note != "") != c.note {
			t.Errorf("%q: note %q", c.in, note)
		}
	}
	first, _, _ := rules.ParseGermanDateTime("25.10.2026 02:30")
	if got := rules.FormatDateTimeZone(first); got != "25.10.2026 02:30 Uhr (MESZ)" {
		t.Errorf("ambiguous display: %s", got)
	}
	if got := rules.FormatDateTimeZone(first.Add(time.Hour)); got != "25.10.2026 02:30 Uhr (MEZ)" {
		t.Errorf("second occurrence display: %s", got)
	}
	summer, _, _ := rules.ParseGermanDateTime("15.06.2026 12:00")
	if got := rules.FormatDateTimeZone(summer); got != "15.06.2026 12:00 Uhr" {
		t.Errorf("plain display: %s", got)
	}
}

func TestParseGermanDate(t *testing.T) {
	t.Parallel()
	if d, msg := rules.ParseGermanDate("01.09.2026"); d != "2026-09-01" || msg != "" {
		t.Fatalf("got %s %q", d, msg)
	}
	for _, bad := range []string{"29.02.2026", "1.13.2026", "2026-09-01", "01.09.26"} {
		if _, msg := rules.ParseGermanDate(bad); msg == "" {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestCountdown(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)
	cases := map[time.Duration]string{
		12*24*time.Hour + 3*time.Hour + 20*time.Minute: "noch 12 Tage und 3 Stunden",
		24*time.Hour + time.Hour:                       "noch 1 Tag und 1 Stunde",
		5 * 24 * time.Hour:                             "noch 5 Tage",
		2*time.Hour + 1*time.Minute:                    "noch 2 Stunden und 1 Minute",
		45 * time.Minute:                               "noch 45 Minuten",
		30 * time.Second:                               "noch weniger als 1 Minute",
		0:                                              "abgelaufen",
		-time.Hour:                                     "abgelaufen",
	}
	for d, want := range cases {
		if got := rules.Countdown(now.Add(d), now); got != want {
			t.Errorf("%v: got %q want %q", d, got, want)
		}
	}
}
