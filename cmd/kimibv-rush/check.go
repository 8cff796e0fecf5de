package main

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// report prints throughput, latency percentiles and the outcome counts; the last line
// is machine-readable for scripts/bench.
func report(res []outcome, elapsed time.Duration, deadline time.Time) {
	var lat []time.Duration
	accepted, refused, errs := 0, 0, 0
	for _, r := range res {
		switch {
		case r.Status == http.StatusSeeOther && r.Version > 0:
			accepted++
		case r.Status == http.StatusConflict:
			refused++
		default:
			errs++
		}
		if r.Status != 0 {
			lat = append(lat, r.Latency)
		}
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(p*float64(len(lat))))]
	}
	tput := float64(accepted+refused) / elapsed.Seconds()
	fmt.Printf("deadline %s: %d submissions in %s: %d accepted, %d refused after the deadline, %d errors; %.1f/s; p50 %s, p99 %s\n",
		deadline.Format(time.RFC3339Nano), len(res), elapsed.Round(time.Millisecond), accepted, refused, errs, tput,
		pct(0.50).Round(100*time.Microsecond), pct(0.99).Round(100*time.Microsecond))
	fmt.Printf("RUSH n=%d accepted=%d refused=%d errors=%d rps=%.1f p50_ms=%.1f p99_ms=%.1f\n", len(res), accepted, refused, errs, tput,
		float64(pct(0.50).Microseconds())/1000, float64(pct(0.99).Microseconds())/1000)
}

// stored is a bid's last stored version as check reads it.
type stored struct {
	version int
	hash    string
	receipt *time.Time
	files   int
}

// check compares what the clients saw with the database: an accepted submission is
// stored with the receipted version and hash and a receipt time at or before the
// deadline; a refused one left nothing; nothing is half-written.
func check(ctx context.Context, db *pgx.Conn, callID int64, deadline time.Time, res []outcome) error {
	got := map[int64]stored{}
	rows, err := db.Query(ctx, `SELECT v.bid_id, v.version, v.content_sha256, v.receipt_at,
			(SELECT count(*) FROM bid_version_files f WHERE f.bid_id = v.bid_id AND f.version = v.version)
		FROM bid_versions v WHERE v.call_id = $1`, callID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		var s stored
		if err := rows.Scan(&id, &s.version, &s.hash, &s.receipt, &s.files); err != nil {
			return err
		}
		got[id] = s
	}
	if err := rows.Err(); err != nil {
		return err
	}
	var problems []string
	bad := func(f string, a ...any) { problems = append(problems, fmt.Sprintf(f, a...)) }
	for id, s := range got {
		if s.receipt == nil || s.receipt.After(deadline) {
			bad("bid %d stored with receipt %v, deadline %v", id, s.receipt, deadline)
		}
		if s.files != 8 {
			bad("bid %d version %d has %d files, want 8", id, s.version, s.files)
		}
	}
	unknown, hashes := 0, 0
	for _, r := range res {
		s, ok := got[r.Org.BidID]
		switch {
		case r.Status == http.StatusSeeOther && r.Version > 0:
			if !ok || s.version != r.Version {
				bad("bid %d: client got receipt for version %d, stored %v", r.Org.BidID, r.Version, ok)
			} else if r.Hash != "" {
				hashes++
				if r.Hash != s.hash {
					bad("bid %d: receipt hash %s, stored %s", r.Org.BidID, r.Hash, s.hash)
				}
			}
		case r.Status == http.StatusConflict:
			if ok {
				bad("bid %d refused but stored", r.Org.BidID)
			}
		default:
			unknown++ // no answer: either outcome is allowed, but it must be whole (checked above)
		}
	}
	checkArrivals(res, got, deadline, bad)
	var halfAudit int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM audit_log a WHERE a.chain = concat('bids:', $1::bigint, ':', a.object_id) AND a.action = 'bid.submitted'
		AND NOT EXISTS (SELECT 1 FROM bid_versions v WHERE v.bid_id = a.object_id::bigint)`, callID).Scan(&halfAudit); err != nil {
		return err
	}
	var versionsWithoutAudit int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM bid_versions v WHERE v.call_id = $1 AND NOT EXISTS (SELECT 1 FROM audit_log a
		WHERE a.chain = concat('bids:', $1::bigint, ':', v.bid_id) AND a.action = 'bid.submitted' AND a.object_id = v.bid_id::text)`, callID).Scan(&versionsWithoutAudit); err != nil {
		return err
	}
	if halfAudit+versionsWithoutAudit > 0 {
		bad("%d audit entries without version, %d versions without audit entry", halfAudit, versionsWithoutAudit)
	}
	fmt.Printf("CHECK stored=%d receipts_compared=%d unanswered=%d problems=%d\n", len(got), hashes, unknown, len(problems))
	if len(problems) > 0 {
		for _, p := range problems[:min(20, len(problems))] {
			fmt.Println("  ", p)
		}
		return fmt.Errorf("%d correctness problems", len(problems))
	}
	fmt.Println("correct: accepted ⇔ arrived ≤ deadline; stored with receipt time ≤ deadline; every receipt hash matches; nothing half-written")
	return nil
}

// arrivalSlack is how close to the deadline a request may have been written and still be
// refused without a problem: the server notes the arrival when it has read the request,
// a moment after the client wrote it (on one machine: scheduling, not network).
const arrivalSlack = 50 * time.Millisecond

// checkArrivals checks accepted ⇔ arrived ≤ deadline with the arrival each client
// recorded (its request completely written) and prints the counts: no request written
// before the deadline may be refused as late, except within arrivalSlack of it; none written
// after it may be accepted; a stored receipt time is never before the client wrote the request.
func checkArrivals(res []outcome, got map[int64]stored, deadline time.Time, bad func(string, ...any)) {
	timelyCount, timelyAccepted, borderline := 0, 0, 0
	var lag time.Duration
	for _, r := range res {
		if r.WroteAt.IsZero() || r.Status == 0 {
			continue // never fully sent, or no answer: either outcome is allowed
		}
		accepted := r.Status == http.StatusSeeOther && r.Version > 0
		if rt := got[r.Org.BidID].receipt; accepted && rt != nil {
			lag = max(lag, rt.Sub(r.WroteAt))
			if rt.Before(r.WroteAt.Truncate(time.Millisecond)) {
				bad("bid %d: receipt %s before the request was written (%s)", r.Org.BidID, rt.Format(time.RFC3339Nano), r.WroteAt.Format(time.RFC3339Nano))
			}
		}
		// Only a refusal as late (409) is a verdict on the arrival; another answer (503 while
		// the database fails over) decides nothing and is checked as unanswered above.
		timely, lateRefusal := !r.WroteAt.After(deadline), r.Status == http.StatusConflict
		switch {
		case timely && accepted:
			timelyCount++
			timelyAccepted++
		case timely && lateRefusal && deadline.Sub(r.WroteAt) <= arrivalSlack:
			timelyCount++
			borderline++
		case timely && lateRefusal:
			timelyCount++
			bad("bid %d written %s before the deadline and refused (status %d)", r.Org.BidID, deadline.Sub(r.WroteAt), r.Status)
		case timely:
			timelyCount++
		case accepted:
			bad("bid %d written %s after the deadline and accepted", r.Org.BidID, r.WroteAt.Sub(deadline))
		}
	}
	fmt.Printf("ARRIVAL timely=%d timely_accepted=%d borderline_refused=%d max_stamp_lag_ms=%.1f\n", timelyCount, timelyAccepted, borderline,
		float64(lag.Microseconds())/1000)
}
