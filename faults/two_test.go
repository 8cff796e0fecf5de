package faults

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"kimibv/app/smtptest"
	"kimibv/models/audit"
	"kimibv/models/dbtest"
	"kimibv/models/demo"
	"kimibv/models/postbox"
	"kimibv/models/store"
)

// TestTwoInstancesMigrate: two instances started at once on an empty database both
// come up and every migration is applied exactly once.
func TestTwoInstancesMigrate(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtest.NewEmptyURL(t))
	a, b := e.start("A", freePort(t)), e.start("B", freePort(t))
	e.ready(a, 60*time.Second)
	e.ready(b, 60*time.Second)
	st := e.store()
	files, err := filepath.Glob("../models/store/migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("migrations: %v", err)
	}
	if n := dbtest.Count(t, st.DB, `SELECT count(*) FROM goose_db_version WHERE version_id > 0`); n != int64(len(files)) {
		t.Errorf("%d goose rows for %d migrations", n, len(files))
	}
	if n := dbtest.Count(t, st.DB, `SELECT count(*) FROM (SELECT version_id FROM goose_db_version GROUP BY 1 HAVING count(*) > 1) d`); n != 0 {
		t.Errorf("%d migrations applied twice", n)
	}
}

// TestTwoInstancesJobs: two instances on the demo database with a real SMTP server on
// loopback. A session made on A works on B. At the next full minute both schedulers
// are due for close-calls (a call whose deadline just passed), finalize-awards (a
// decided procedure whose standstill is over) and outbox (20 queued mails); each job
// does its work exactly once: one call.closed, one call.awarded, every mail received
// once and sent with one attempt.
func TestTwoInstancesJobs(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("waits for the next full minute")
	}
	e := newEnv(t, dbtest.NewDemoURL(t))
	st := e.store()
	ctx := context.Background()
	p := dbtest.SeedProcedure(t, st.DB, dbtest.ProcedureSpec{Seq: 91, Bids: 3, Criteria: 2, Evaluators: 2, Docs: dbtest.FakeDecisionDocs()})
	exec := func(q string, args ...any) {
		t.Helper()
		if err := st.DB.Exec(q, args...).Error; err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`ALTER TABLE decisions_all DISABLE TRIGGER decisions_final_update`)
	exec(`UPDATE decisions SET standstill_ends_at = now() - interval '1 minute' WHERE call_id = ?`, p.CallID)
	exec(`ALTER TABLE decisions_all ENABLE TRIGGER decisions_final_update`)
	var open int64
	if err := st.DB.Raw(`SELECT id FROM calls WHERE state = 'published' AND deadline > now() ORDER BY id LIMIT 1`).Scan(&open).Error; err != nil || open == 0 {
		t.Fatalf("no open call in the demo: %v", err)
	}
	exec(`UPDATE calls SET deadline = clock_timestamp() + interval '1 second' WHERE id = ?`, open)
	exec(`UPDATE outbox SET sent_at = now() WHERE sent_at IS NULL AND failed_at IS NULL`) // the demo's own mail is not part of this test
	var firstMail int64
	st.DB.Raw(`SELECT coalesce(max(id), 0) FROM outbox`).Scan(&firstMail)
	for i := range 20 {
		if err := store.InTx(ctx, st.DB, func(tx *gorm.DB) error {
			return postbox.EnqueueMail(tx, postbox.Mail{ToAddr: fmt.Sprintf("empfang%02d@traeger.example", i), Subject: fmt.Sprintf("Test %02d", i), Body: "Guten Tag."})
		}); err != nil {
			t.Fatal(err)
		}
	}

	sink := startSMTP(t)
	host, port, _ := net.SplitHostPort(sink.Addr)
	smtpEnv := []string{"KIMIBV_SMTP_HOST=" + host, "KIMIBV_SMTP_PORT=" + port, "KIMIBV_SMTP_TLS=none", "KIMIBV_SMTP_FROM=kimibv@kreis.example"}
	// Start both just after a full minute, so that they are up for the next one.
	if wait := time.Until(time.Now().Truncate(time.Minute).Add(time.Minute)); wait < 8*time.Second {
		time.Sleep(wait + time.Second)
	}
	a, b := e.start("A", freePort(t), smtpEnv...), e.start("B", freePort(t), smtpEnv...)
	e.ready(a, 30*time.Second)
	e.ready(b, 30*time.Second)

	// A session made on A works on B.
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(u string) int {
		res, err := c.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode
	}
	get(a.base + "/anmelden")
	var csrf string
	au, _ := url.Parse(a.base)
	for _, ck := range jar.Cookies(au) {
		if ck.Name == "kimibv_csrf" {
			csrf = ck.Value
		}
	}
	res, err := c.PostForm(a.base+"/anmelden", url.Values{"_csrf": {csrf}, "email": {"awo@traeger.example"}, "password": {demo.Password}})
	if err != nil || res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login on A: %v %v", err, res)
	}
	res.Body.Close()
	if s := get(b.base + "/konto"); s != 200 {
		t.Errorf("session from A on B: %d, want 200", s)
	}

	// Both schedulers are due at the next full minute: wait until every job has done its
	// work (at most 40 s past it), then 3 s more for any duplicate to show.
	chain := func(id int64, action string) int64 {
		return dbtest.Count(t, st.DB, `SELECT count(*) FROM audit_log WHERE chain = ? AND action = ?`, audit.CallChain(id), action)
	}
	limit := time.Now().Truncate(time.Minute).Add(time.Minute + 40*time.Second)
	for time.Now().Before(limit) && (chain(open, "call.closed") == 0 || chain(p.CallID, "call.awarded") == 0 ||
		dbtest.Count(t, st.DB, `SELECT count(*) FROM outbox WHERE id > ? AND sent_at IS NULL`, firstMail) > 0) {
		time.Sleep(500 * time.Millisecond)
	}
	time.Sleep(3 * time.Second)
	if n := chain(open, "call.closed"); n != 1 {
		t.Errorf("close-calls: call.closed written %d times, want 1", n)
	}
	if n := chain(p.CallID, "call.awarded"); n != 1 {
		t.Errorf("finalize-awards: call.awarded written %d times, want 1", n)
	}
	if n := dbtest.Count(t, st.DB, `SELECT count(*) FROM calls WHERE id = ? AND state = 'awarded'`, p.CallID); n != 1 {
		t.Error("the award is not final")
	}
	want := dbtest.Count(t, st.DB, `SELECT count(*) FROM outbox WHERE id > ?`, firstMail)
	if n := dbtest.Count(t, st.DB, `SELECT count(*) FROM outbox WHERE id > ? AND sent_at IS NOT NULL AND attempts = 1`, firstMail); n != want {
		t.Errorf("outbox: %d of %d mails sent with one attempt", n, want)
	}
	got := map[string]int{}
	for _, m := range sink.Messages() {
		to, _, _ := strings.Cut(strings.TrimPrefix(m, "RCPT:"), "\n")
		got[to]++
	}
	for i := range 20 {
		if to := fmt.Sprintf("empfang%02d@traeger.example", i); got[to] != 1 {
			t.Errorf("%s received %d times, want 1", to, got[to])
		}
	}
	if int64(len(sink.Messages())) != want {
		t.Errorf("SMTP server received %d messages, the outbox holds %d new mails", len(sink.Messages()), want)
	}
	for _, s := range []*server{a, b} {
		s.stop()
		if log, _ := os.ReadFile(s.log.Name()); strings.Contains(string(log), "job failed") {
			t.Errorf("%s: a job failed:\n%s", s.base, log)
		}
	}
}

// startSMTP starts the shared in-process SMTP server of app/smtptest.
func startSMTP(t *testing.T) *smtptest.Sink { return smtptest.Start(t) }
