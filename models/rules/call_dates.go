package rules

import (
	"regexp"
	"strings"
	"time"

	"kimibv/models/core"
)

// Date and time fields of the draft editor come either as German text ("01.09.2026",
// "15.06.2026 12:00", as the API, the amendment form and the tests send them) or in the
// ISO form of the browser's date and datetime-local inputs ("2026-09-01",
// "2026-06-15T12:00"). Both mean Europe/Berlin wall time (rules.md R11); the ISO form is
// rewritten to the German one so that one parser checks both and gives the same German
// messages (non-existent days, the spring gap, the repeated autumn hour).

var (
	isoDate     = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})$`)
	isoDateTime = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::00)?$`)
)

// germanFromISO rewrites "2026-09-01" and "2026-09-01T12:00" into German text; other input
// is returned unchanged (trimmed).
func germanFromISO(s string) string {
	s = strings.TrimSpace(s)
	if m := isoDate.FindStringSubmatch(s); m != nil {
		return m[3] + "." + m[2] + "." + m[1]
	}
	if m := isoDateTime.FindStringSubmatch(s); m != nil {
		return m[3] + "." + m[2] + "." + m[1] + " " + m[4] + ":" + m[5]
	}
	return s
}

// ParseDateInput parses a date field in German ("01.09.2026") or ISO form ("2026-09-01").
func ParseDateInput(s string) (Date, string) { return ParseGermanDate(germanFromISO(s)) }

// ParseDateTimeInput parses a date-and-time field in German ("15.06.2026 12:00") or the
// datetime-local form ("2026-06-15T12:00") as Europe/Berlin wall time; see ParseGermanDateTime.
func ParseDateTimeInput(s string) (t time.Time, note, msg string) {
	return ParseGermanDateTime(germanFromISO(s))
}

// DateInputValue writes a date field's text in the ISO form a date input shows; text that
// is no valid date is returned unchanged so that a re-rendered form keeps what was typed.
func DateInputValue(s string) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	if d, msg := ParseDateInput(s); msg == "" {
		return string(d)
	}
	return s
}

// DateTimeInputValue writes a date-and-time field's text in the form a datetime-local
// input shows ("2026-06-15T12:00", Europe/Berlin); invalid text is returned unchanged.
func DateTimeInputValue(s string) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	if t, _, msg := ParseDateTimeInput(s); msg == "" {
		return t.In(core.Berlin()).Format("2006-01-02T15:04")
	}
	return s
}
