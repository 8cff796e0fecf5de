package decision

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"kimibv/models/core"
	"kimibv/models/rules"
)

// PageStamp identifies what a public page shows: Tag changes whenever the page's content
// may change (it is the base of a weak ETag), Modified is the newest change it covers.
type PageStamp struct {
	ID       int64 // the call's id (CallStamp only)
	Tag      string
	Modified time.Time
}

// publicCallActions are the entries of a procedure's chain that change its public page:
// the public timeline and merged questions. Internal steps (committee, declarations,
// opening confirmations) do not move the page's validators.
func publicCallActions() []string { return append(PublicTimelineActions(), "question.merged") }

// CallStamp reads, in one query, what the public call page of a published (non-draft)
// call depends on besides the clock (ReadCallStampSource) and derives its validator for
// now (CallStampSource.Stamp). Unknown or draft calls are ErrNotFound.
func CallStamp(ctx context.Context, db *gorm.DB, idOrRef string, now time.Time) (PageStamp, error) {
	src, err := ReadCallStampSource(ctx, db, idOrRef)
	if err != nil {
		return PageStamp{}, err
	}
	return src.Stamp(now), nil
}

// CallStampSource is what a public call page's validator derives from besides the clock:
// the call row's state, current version, deadline and last change, and the newest public
// entry of the call's chain. It is what an instance may keep in memory (app/validators.go).
type CallStampSource struct {
	ID             int64
	State          string
	CurrentVersion int
	Deadline       *time.Time
	UpdatedAt      time.Time
	HeadHash       string
	HeadAt         *time.Time
}

// ReadCallStampSource reads, in one query, what the public call page of a published
// (non-draft) call depends on besides the clock: state, current version, deadline, the
// last change of the row and the newest public entry of the call's chain (publication,
// amendment, answered question, closing, decision: publicCallActions). It derives only
// from public state: bid activity lives on the sealed trail (SealedBidChain) and internal
// steps are not public actions, so polling the validators reveals neither. Unknown or
// draft calls are ErrNotFound.
func ReadCallStampSource(ctx context.Context, db *gorm.DB, idOrRef string) (CallStampSource, error) {
	id, _ := strconv.ParseInt(idOrRef, 10, 64)
	var rows []CallStampSource
	err := db.WithContext(ctx).Raw(`SELECT c.id, c.state, c.current_version, c.deadline, c.updated_at,
			coalesce(l.hash, '') AS head_hash, l.created_at AS head_at
		FROM calls c LEFT JOIN LATERAL (SELECT hash, created_at FROM audit_log
			WHERE chain = 'call:' || c.id::text AND action IN ? ORDER BY seq DESC LIMIT 1) l ON true
		WHERE (c.id = ? OR c.ref = ?) AND c.state <> 'draft'`, publicCallActions(), id, idOrRef).Scan(&rows).Error
	if err != nil {
		return CallStampSource{}, fmt.Errorf("call stamp: %w", err)
	}
	if len(rows) == 0 {
		return CallStampSource{}, fmt.Errorf("public call %q: %w", idOrRef, core.ErrNotFound)
	}
	return rows[0], nil
}

// Stamp derives the page's validator at now. The countdown shown next to the deadline
// depends on now, so it is part of the tag and, while it runs, Modified is now to the
// minute.
func (r CallStampSource) Stamp(now time.Time) PageStamp {
	s := PageStamp{ID: r.ID, Modified: r.UpdatedAt}
	if r.HeadAt != nil && r.HeadAt.After(s.Modified) {
		s.Modified = *r.HeadAt
	}
	countdown, deadline := "", ""
	if r.Deadline != nil {
		deadline = r.Deadline.UTC().Format(time.RFC3339Nano)
		countdown = rules.Countdown(*r.Deadline, now)
		switch {
		case r.Deadline.After(now):
			s.Modified = latest(s.Modified, now.Truncate(time.Minute))
		default:
			s.Modified = latest(s.Modified, *r.Deadline)
		}
	}
	s.Tag = stampTag("call", strconv.FormatInt(r.ID, 10), r.State, strconv.Itoa(r.CurrentVersion), deadline, r.HeadHash, countdown)
	return s
}

// PublicCallsStamp reads what the public call list depends on — every listed column of
// every non-draft call and the Kreise offered in the filter — from one row that triggers
// keep current (migration 00057): a counter and the time of its last change. The cost does
// not grow with the number of calls. The list shows no clock-dependent text.
func PublicCallsStamp(ctx context.Context, db *gorm.DB) (PageStamp, error) {
	var r struct {
		Version   int64
		ChangedAt time.Time
	}
	res := db.WithContext(ctx).Raw(`SELECT version, changed_at FROM public_stamps WHERE name = 'calls'`).Scan(&r)
	if res.Error != nil {
		return PageStamp{}, fmt.Errorf("call list stamp: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return PageStamp{}, fmt.Errorf("call list stamp: the row public_stamps 'calls' is missing (migration 00057)")
	}
	return PageStamp{Tag: stampTag("calls", strconv.FormatInt(r.Version, 10), r.ChangedAt.UTC().Format(time.RFC3339Nano)),
		Modified: r.ChangedAt}, nil
}

// stampTag hashes the parts into a short tag.
func stampTag(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
