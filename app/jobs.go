package app

import (
	"context"
	"fmt"
	"hash/fnv"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/robfig/cron/v3"
)

// Scheduler runs periodic jobs; each run holds a PostgreSQL advisory lock named after
// the job, so that with several instances a job runs once per due time.
type Scheduler struct {
	cron *cron.Cron
	pool *pgxpool.Pool
	log  *slog.Logger
	ctx  context.Context
	stop context.CancelFunc
}

// Job is one scheduled task.
type Job struct {
	Name string
	Spec string // cron spec with seconds, e.g. "*/30 * * * * *"
	Run  func(ctx context.Context) error
}

// NewScheduler prepares a scheduler with Recover and SkipIfStillRunning.
func NewScheduler(pool *pgxpool.Pool, log *slog.Logger) *Scheduler {
	ctx, stop := context.WithCancel(context.Background())
	l := cron.VerbosePrintfLogger(slog.NewLogLogger(log.Handler(), slog.LevelDebug))
	c := cron.New(cron.WithSeconds(), cron.WithLocation(time.UTC),
		cron.WithChain(cron.Recover(l), cron.SkipIfStillRunning(l)))
	return &Scheduler{cron: c, pool: pool, log: log, ctx: ctx, stop: stop}
}

// Add registers a job.
func (s *Scheduler) Add(j Job) error {
	if _, err := s.cron.AddFunc(j.Spec, func() { s.RunLocked(s.ctx, j) }); err != nil {
		return fmt.Errorf("schedule %s: %w", j.Name, err)
	}
	return nil
}

// RunLocked runs j once if no other instance holds its lock right now.
func (s *Scheduler) RunLocked(ctx context.Context, j Job) bool {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		s.log.Warn("job: no database connection", "job", j.Name, "err", err)
		return false
	}
	defer conn.Release()
	key := lockKey(j.Name)
	var got bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&got); err != nil || !got {
		return false
	}
	defer func() {
		if _, err := conn.Exec(context.Background(), `SELECT pg_advisory_unlock($1)`, key); err != nil {
			s.log.Warn("job: unlock", "job", j.Name, "err", err)
		}
	}()
	start := time.Now()
	if err := j.Run(ctx); err != nil {
		s.log.Error("job failed", "job", j.Name, "err", err)
		return true
	}
	s.log.Debug("job done", "job", j.Name, "duration", time.Since(start))
	return true
}

// lockKey derives the advisory lock key of a job name.
func lockKey(name string) int64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte("kimibv-job:" + name))
	return int64(h.Sum64() >> 1)
}

// Start begins running jobs.
func (s *Scheduler) Start() { s.cron.Start() }

// Stop stops scheduling, cancels running jobs' context after drain and waits at most drain.
func (s *Scheduler) Stop(drain time.Duration) {
	done := s.cron.Stop().Done()
	select {
	case <-done:
	case <-time.After(drain):
		s.log.Warn("jobs still running after drain; cancelling")
	}
	s.stop()
}
