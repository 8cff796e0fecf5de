package main

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// saturationLimit ends the stepwise search: a step whose p99 is above it, or with any
// error, is past the sustainable rate.
const saturationLimit = 2 * time.Second

// parseRates reads a comma-separated list of offered rates (submissions per second).
func parseRates(s string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		r, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || r <= 0 {
			return nil, fmt.Errorf("rate %q: a positive number per second expected", f)
		}
		out = append(out, r)
	}
	return out, nil
}

// saturate offers submissions at each rate in turn (every organisation of the set once
// per step, evenly spaced, the deadline a day ahead) until a step's p99 exceeds
// saturationLimit or an error appears, and reports the highest rate of accepted
// submissions a step sustained. Before each step, outside the timing, every bid gets a new
// draft revision, so that each submission stores a new version.
func saturate(ctx context.Context, db *pgx.Conn, base string, callID int64, res []outcome, rates []float64) error {
	if _, err := db.Exec(ctx, `UPDATE calls SET deadline = clock_timestamp() + interval '1 day' WHERE id = $1`, callID); err != nil {
		return fmt.Errorf("deadline: %w", err)
	}
	best := 0.0
	for _, rate := range rates {
		revs, err := newRevisions(ctx, db, callID)
		if err != nil {
			return err
		}
		t0 := time.Now().Add(200 * time.Millisecond)
		var wg sync.WaitGroup
		for i := range res {
			wg.Add(1)
			go func() {
				defer wg.Done()
				time.Sleep(time.Until(t0.Add(time.Duration(float64(i) / rate * float64(time.Second)))))
				res[i].Status, res[i].Version, res[i].Err = 0, 0, ""
				submit(base, &res[i], revs[res[i].Org.BidID])
			}()
		}
		wg.Wait()
		elapsed := time.Since(t0)
		accepted, errs, lat := stepOutcome(res)
		p99 := lat[min(len(lat)-1, int(0.99*float64(len(lat))))]
		achieved := float64(accepted) / elapsed.Seconds()
		fmt.Printf("SAT offered=%.0f n=%d accepted=%d errors=%d achieved=%.1f p50_ms=%.1f p99_ms=%.1f\n", rate, len(res), accepted, errs, achieved,
			ms(lat[len(lat)/2]), ms(p99))
		if errs > 0 || p99 > saturationLimit {
			break
		}
		best = max(best, achieved)
	}
	fmt.Printf("SATURATION best=%.1f\n", best)
	return nil
}

// newRevisions gives every bid of the call a new draft revision and returns them.
func newRevisions(ctx context.Context, db *pgx.Conn, callID int64) (map[int64]int, error) {
	rows, err := db.Query(ctx, `UPDATE bids SET draft_rev = draft_rev + 1 WHERE call_id = $1 RETURNING id, draft_rev`, callID)
	if err != nil {
		return nil, fmt.Errorf("new revisions: %w", err)
	}
	defer rows.Close()
	revs := map[int64]int{}
	for rows.Next() {
		var id int64
		var rev int
		if err := rows.Scan(&id, &rev); err != nil {
			return nil, err
		}
		revs[id] = rev
	}
	return revs, rows.Err()
}

// stepOutcome counts accepted submissions and errors and returns the sorted latencies.
func stepOutcome(res []outcome) (accepted, errs int, lat []time.Duration) {
	for _, r := range res {
		if r.Status == http.StatusSeeOther && r.Version > 0 {
			accepted++
		} else {
			errs++
		}
		lat = append(lat, r.Latency)
	}
	slices.Sort(lat)
	return accepted, errs, lat
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
