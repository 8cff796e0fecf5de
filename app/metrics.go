package app

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics holds the application's Prometheus registry and its series. The registry
// belongs to the App (no default registry, no package globals); it is served only on
// KIMIBV_METRICS_LISTEN (MetricsHandler), never on the public address.
type metrics struct {
	reg         *prometheus.Registry
	requests    *prometheus.CounterVec
	latency     *prometheus.HistogramVec
	jobRuns     *prometheus.CounterVec
	jobFailures *prometheus.CounterVec
	routes      map[string]bool // the route table's patterns: the only values of the route label
}

// routeOther is the route label of requests no route matched (unknown addresses, 404):
// the raw path never becomes a label, so IDs cannot multiply the series.
const routeOther = "other"

// newMetrics registers the request, job, pool, outbox and audit series of a.
func newMetrics(a *App) *metrics {
	m := &metrics{reg: prometheus.NewRegistry(), routes: map[string]bool{},
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kimibv_http_requests_total",
			Help: "HTTP requests answered, by route pattern, method and status."}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "kimibv_http_request_duration_seconds",
			Help:    "Time from the request to the answer, by route pattern and method.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}}, []string{"route", "method"}),
		jobRuns: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kimibv_job_runs_total",
			Help: "Runs of the scheduled jobs on this instance (a run holds the job's advisory lock)."}, []string{"job"}),
		jobFailures: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kimibv_job_failures_total",
			Help: "Runs of the scheduled jobs on this instance that ended with an error."}, []string{"job"}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.jobRuns, m.jobFailures,
		collectors.NewDBStatsCollector(a.store.SQL, "kimibv"),
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "kimibv_outbox_backlog",
			Help: "E-mails in the outbox waiting to be sent (read at scrape time; -1 when the database did not answer)."},
			a.scrapeCount(`SELECT count(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL`)),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "kimibv_audit_appends_total",
			Help: "Entries appended to the audit trail, committed, by all instances (sum of the chains' lengths, read at scrape time)."},
			a.scrapeCount(`SELECT COALESCE(sum(head_seq), 0) FROM audit_chains`)),
	)
	return m
}

// scrapeCount returns a function that runs a one-number query at scrape time, bounded
// to two seconds; -1 tells the scraper the database did not answer.
func (a *App) scrapeCount(query string) func() float64 {
	return func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		var n int64
		if err := a.store.SQL.QueryRowContext(ctx, query).Scan(&n); err != nil {
			a.log.Warn("metrics query", "err", err)
			return -1
		}
		return float64(n)
	}
}

// learnRoutes takes the route patterns of e as the values of the route label, except the
// catch-all "/*" that Echo's groups add for unknown addresses (those count as other).
func (m *metrics) learnRoutes(e *echo.Echo) {
	for _, r := range e.Routes() {
		if r.Path != "/*" {
			m.routes[r.Path] = true
		}
	}
}

// observe counts one answered request under its route pattern.
func (m *metrics) observe(c echo.Context, took time.Duration) {
	route := c.Path()
	if !m.routes[route] {
		route = routeOther
	}
	method := c.Request().Method
	m.requests.WithLabelValues(route, method, strconv.Itoa(c.Response().Status)).Inc()
	m.latency.WithLabelValues(route, method).Observe(took.Seconds())
}

// countJob wraps a job's run so that each run and each failure is counted.
func (m *metrics) countJob(j Job) Job {
	run := j.Run
	m.jobRuns.WithLabelValues(j.Name) // the series exist (0) before the first run
	m.jobFailures.WithLabelValues(j.Name)
	j.Run = func(ctx context.Context) error {
		m.jobRuns.WithLabelValues(j.Name).Inc()
		err := run(ctx)
		if err != nil {
			m.jobFailures.WithLabelValues(j.Name).Inc()
		}
		return err
	}
	return j
}

// MetricsHandler answers /metrics in the Prometheus text format from the App's own
// registry; serve mounts it on KIMIBV_METRICS_LISTEN only.
func (a *App) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(a.metrics.reg, promhttp.HandlerOpts{Registry: a.metrics.reg}))
	return mux
}
