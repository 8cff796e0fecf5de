package app_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"kimibv/app"
	"kimibv/models/demo"
)

// scraper reads the metrics listener of a test app.
type scraper struct {
	t   *testing.T
	url string
}

// serveMetrics starts the app's metrics handler on its own loopback port, as
// KIMIBV_METRICS_LISTEN does, and returns a scraper for it.
func serveMetrics(t *testing.T, ta *testApp) scraper {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: ta.app.MetricsHandler()}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return scraper{t: t, url: "http://" + ln.Addr().String() + "/metrics"}
}

// scrape returns the metric families of one scrape, checking the text format.
func (s scraper) scrape() map[string]*dto.MetricFamily {
	s.t.Helper()
	res, err := http.Get(s.url)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain; version=0.0.4") {
		s.t.Fatalf("scrape: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(res.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return fams
}

// value returns the value of the series name{labels} (0 when it does not exist; for a
// histogram its sample count).
func value(fams map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	f := fams[name]
	if f == nil {
		return 0
	}
next:
	for _, m := range f.Metric {
		have := map[string]string{}
		for _, l := range m.Label {
			have[l.GetName()] = l.GetValue()
		}
		for i := 0; i+1 < len(labels); i += 2 {
			if have[labels[i]] != labels[i+1] {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount())
		}
	}
	return 0
}

// TestMetricsCountRequestsJobsOutboxAndAudit: the metrics listener reports requests by route
// pattern (never the raw path) and status with latency histograms, the database pool, job
// runs and failures, the outbox backlog and audit appends, each moving by exactly what
// happened; the public address has no /metrics.
func TestMetricsCountRequestsJobsOutboxAndAudit(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	s := serveMetrics(t, ta)
	before, auditBefore := s.scrape(), ta.count(`SELECT count(*) FROM audit_log`)

	c := ta.client()
	for range 3 {
		c.get("/ausschreibungen/987654").wantStatus(t, http.StatusNotFound)
	}
	c.get("/gibt-es-nicht/123").wantStatus(t, http.StatusNotFound)
	c.get("/metrics").wantStatus(t, http.StatusNotFound)
	c.login("leitung@musterland.example", demo.Password)
	c.post("/konto/passwort", url.Values{"current_password": {demo.Password}, "new_password": {acctNewPassword}, "new_password_confirm": {acctNewPassword}}).
		wantStatus(t, http.StatusSeeOther)
	ta.client().post("/passwort-vergessen", url.Values{"email": {"awo@traeger.example"}}).wantStatus(t, http.StatusSeeOther)

	sched := app.NewScheduler(ta.store.Pool, slog.New(slog.NewTextHandler(io.Discard, nil)))
	var throttle app.Job
	for _, j := range ta.app.Jobs(nil) {
		if j.Name == "login-throttle" {
			throttle = j
		}
	}
	if !sched.RunLocked(context.Background(), throttle) || !sched.RunLocked(context.Background(), throttle) {
		t.Fatal("job did not run")
	}
	if err := ta.store.DB.Exec(`ALTER TABLE login_failures RENAME TO login_failures_gone`).Error; err != nil {
		t.Fatal(err)
	}
	sched.RunLocked(context.Background(), throttle)
	if err := ta.store.DB.Exec(`ALTER TABLE login_failures_gone RENAME TO login_failures`).Error; err != nil {
		t.Fatal(err)
	}
	after := s.scrape()

	delta := func(name string, labels ...string) float64 {
		return value(after, name, labels...) - value(before, name, labels...)
	}
	checks := []struct {
		what string
		got  float64
		want float64
	}{
		{"404 under the route pattern", delta("kimibv_http_requests_total", "route", "/ausschreibungen/:id", "method", "GET", "status", "404"), 3},
		{"latency samples of the route", delta("kimibv_http_request_duration_seconds", "route", "/ausschreibungen/:id", "method", "GET"), 3},
		{"unknown addresses as other", delta("kimibv_http_requests_total", "route", "other", "method", "GET", "status", "404"), 2},
		{"login POSTs", delta("kimibv_http_requests_total", "route", "/anmelden", "method", "POST", "status", "303"), 1},
		{"job runs", delta("kimibv_job_runs_total", "job", "login-throttle"), 3},
		{"job failures", delta("kimibv_job_failures_total", "job", "login-throttle"), 1},
		{"audit appends (login, password change, reset request)", delta("kimibv_audit_appends_total"), float64(ta.count(`SELECT count(*) FROM audit_log`) - auditBefore)},
		{"outbox backlog (one reset mail)", delta("kimibv_outbox_backlog"), 1},
	}
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("%s: moved by %v, want %v", ck.what, ck.got, ck.want)
		}
	}
	if after["go_sql_max_open_connections"] == nil || after["go_sql_open_connections"] == nil {
		t.Error("database pool statistics missing")
	}
	if value(after, "kimibv_job_runs_total", "job", "close-calls") != 0 || !hasSeries(after, "kimibv_job_runs_total", "close-calls") {
		t.Error("jobs that did not run yet have no series at 0")
	}
	for _, m := range after["kimibv_http_requests_total"].Metric {
		for _, l := range m.Label {
			if strings.Contains(l.GetValue(), "987654") || strings.Contains(l.GetValue(), "gibt-es-nicht") {
				t.Fatalf("raw path in a label: %s", l.GetValue())
			}
		}
	}
}

// hasSeries reports whether name has a series whose label values include v.
func hasSeries(fams map[string]*dto.MetricFamily, name, v string) bool {
	if fams[name] == nil {
		return false
	}
	for _, m := range fams[name].Metric {
		for _, l := range m.Label {
			if l.GetValue() == v {
				return true
			}
		}
	}
	return false
}
