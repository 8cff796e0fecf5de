package demo

import (
	"context"
	"time"

	"kimibv/models/core"
)

// timeline is the demonstration's calendar, counted in days from the day it is loaded.
//
// The demonstration tells the story of procedures that began weeks ago: an awarded one
// (published about three months before, decided by the Kreistag, an objection, the award),
// one in scoring, an open call with questions and an amendment. Every step is recorded at
// the time its documents state: the use cases get that time as their now, and the context
// shifts the database clock to it (at, core.WithClockOffset), so the audit entries, the
// issued documents and the bids' arrivals carry it too. The chains stay intact — each
// entry is hashed with the time it carries — and each chain's steps are recorded in the
// order of their times. Every step lies before the moment of loading.
type timeline struct {
	loaded time.Time // the moment loading began
}

// newTimeline anchors the calendar at now.
func newTimeline(now time.Time) timeline { return timeline{loaded: now} }

// day returns hh:mm German time on the day days after (negative: before) the day of loading.
func (tl timeline) day(days, hh, mm int) time.Time {
	d := tl.loaded.In(core.Berlin())
	return time.Date(d.Year(), d.Month(), d.Day()+days, hh, mm, 0, 0, core.Berlin())
}

// at returns ctx with the database clock set to t, and t for the use case's now: what is
// recorded under it carries t (plus the few milliseconds the step takes) as its time.
func at(ctx context.Context, t time.Time) (context.Context, time.Time) {
	return core.WithClockOffset(ctx, time.Until(t)), t
}

// dayOf returns hh:mm German time on the day of t shifted by days.
func dayOf(t time.Time, days, hh, mm int) time.Time {
	d := t.In(core.Berlin())
	return time.Date(d.Year(), d.Month(), d.Day()+days, hh, mm, 0, 0, core.Berlin())
}
