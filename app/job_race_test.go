package app_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"

	"kimibv/app"
)

// raceJob runs the app's job name on four schedulers of the test database at once, as four
// instances would, and waits for all of them.
func (ta *testApp) raceJob(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	var job app.Job
	for _, j := range ta.app.Jobs(nil) {
		if j.Name == name {
			job = j
		}
	}
	if job.Run == nil {
		t.Fatalf("no %s job", name)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var wg sync.WaitGroup
	for range 4 {
		s := app.NewScheduler(ta.store.Pool, log)
		wg.Add(1)
		go func() { defer wg.Done(); s.RunLocked(ctx, job) }()
	}
	wg.Wait()
}
