package core

import (
	"fmt"
	"time"
	_ "time/tzdata" // Europe/Berlin must resolve on hosts without zoneinfo
)

// berlin is the immutable Europe/Berlin location in which times are shown and entered (rules.md R11).
var berlin = mustLoadLocation("Europe/Berlin")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(fmt.Sprintf("time zone %s: %v", name, err))
	}
	return loc
}

// Berlin returns the Europe/Berlin location.
func Berlin() *time.Location { return berlin }

// FormatDateTime shows t as German local wall time, e.g. "02.01.2006 15:04 Uhr".
func FormatDateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(berlin).Format("02.01.2006 15:04") + " Uhr"
}

// FormatDate shows t's local date, e.g. "02.01.2006".
func FormatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(berlin).Format("02.01.2006")
}
