package app_test

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"kimibv/app"
	"kimibv/models/dbtest"
)

func TestScheduledJobRunsOnceAcrossInstances(t *testing.T) {
	t.Parallel()
	st := dbtest.New(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	one, two := app.NewScheduler(st.Pool, log), app.NewScheduler(st.Pool, log)
	var runs atomic.Int32
	release := make(chan struct{})
	started := make(chan struct{})
	job := app.Job{Name: "finalise", Run: func(context.Context) error {
		runs.Add(1)
		close(started)
		<-release
		return nil
	}}
	done := make(chan bool)
	go func() { done <- one.RunLocked(context.Background(), job) }()
	<-started
	// While instance one holds the lock, instance two skips the due run.
	if two.RunLocked(context.Background(), job) {
		t.Fatal("second instance ran the job while the first held its lock")
	}
	close(release)
	if !<-done {
		t.Fatal("first instance did not run the job")
	}
	if runs.Load() != 1 {
		t.Fatalf("job ran %d times", runs.Load())
	}
	// Afterwards the lock is free again.
	other := app.Job{Name: "finalise", Run: func(context.Context) error { runs.Add(1); return nil }}
	if !two.RunLocked(context.Background(), other) || runs.Load() != 2 {
		t.Fatal("lock not released after the run")
	}
	one.Stop(time.Second)
	two.Stop(time.Second)
}
