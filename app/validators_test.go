package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"

	"kimibv/app"
	"kimibv/models/dbtest"
	"kimibv/models/demo"
	"kimibv/models/store"
)

// benchConfig adds the query-count header (as KIMIBV_BENCH=1 does) and sets the bound
// after which a kept validator is read again.
func benchConfig(maxAge time.Duration) func(*app.Config) {
	return func(c *app.Config) { c.Bench, c.ValidatorMaxAge = true, maxAge }
}

// secondInstance starts another application instance on ta's database, with its own
// connection pool and LISTEN connection, as a second server of the same installation, on
// the same clock: a public page that shows a countdown is stamped with the minute, and two
// clocks read a second apart may fall on either side of a full minute.
func (ta *testApp) secondInstance(adjust func(*app.Config)) *testApp {
	ta.t.Helper()
	st, err := store.Open(context.Background(), ta.store.Pool.Config().ConnString(), nil)
	if err != nil {
		ta.t.Fatal(err)
	}
	ta.t.Cleanup(st.Close)
	return newTestAppClocked(ta.t, st, adjust, ta.clock)
}

// queries is the number of database statements the request ran (app.QueryCountHeader).
func (r *response) queries() string { return r.Header.Get(app.QueryCountHeader) }

// validator is what a reader can compare between two visits.
func (r *response) validator() string {
	return r.Header.Get("ETag") + " " + r.Header.Get("Last-Modified")
}

// wantKept waits until an anonymous visit of path is answered without a database query
// (its validator kept in memory, its page in the page cache) and returns that answer.
func wantKept(t *testing.T, c *client, path string) *response {
	t.Helper()
	var r *response
	if !eventually(notifyWithin, func() bool { r = c.get(path); return r.Status == 200 && r.queries() == "0" }) {
		t.Fatalf("%s: an anonymous hit still costs %s queries", path, r.queries())
	}
	return r
}

// changeWithoutNotification runs statement with the database's triggers switched off
// for its transaction, so that no instance is told: a lost notification.
func changeWithoutNotification(t *testing.T, db *gorm.DB, statement string, args ...any) {
	t.Helper()
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec(`SET LOCAL session_replication_role = replica`).Error; err != nil {
			return err
		}
		return tx.Exec(statement, args...).Error
	})
	if err != nil {
		t.Fatal(err)
	}
}

// listenerPID is the backend of the one LISTEN connection on ta's database (0: none).
func (ta *testApp) listenerPID() int64 {
	return ta.count(`SELECT coalesce(max(pid), 0) FROM pg_stat_activity WHERE datname = current_database() AND application_name = ?`,
		store.ListenApplicationName)
}

// publicPagesApp is a listening app with an awarded procedure (number seq) and an open
// call, whose reference it returns.
func publicPagesApp(t *testing.T, seq int) (*testApp, dbtest.Procedure, string) {
	t.Helper()
	ta := newTestAppOn(t, dbtest.NewDemo(t), benchConfig(time.Hour))
	p := dbtest.SeedProcedure(t, ta.store.DB, dbtest.ProcedureSpec{Seq: seq, Bids: 2, Criteria: 2, Evaluators: 2, Final: true, Docs: dbtest.FakeDecisionDocs()})
	_, ref := ta.openCall()
	return ta, p, ref
}

// TestCachedPublicPagesCostNoQuery: once an instance listens, an anonymous visitor's
// call list, call page and award record are answered from memory — the plain GET from the
// page cache and the revalidation with 304 — without a single database statement.
func TestCachedPublicPagesCostNoQuery(t *testing.T) {
	t.Parallel()
	ta, p, ref := publicPagesApp(t, 86)
	anon := ta.client()
	for _, path := range []string{"/ausschreibungen", "/ausschreibungen/" + ref, "/vergaben/" + p.Ref} {
		r := wantKept(t, anon, path)
		if s := anon.conditional(path, "If-None-Match", r.Header.Get("ETag")); s.Status != 304 || s.queries() != "0" {
			t.Errorf("%s revalidated: %d with %s queries, want 304 with 0", path, s.Status, s.queries())
		}
	}
}

// TestChangeOnOneInstanceReachesTheOther: two servers on one database; the lead cancels
// a procedure on the first, and the second — which keeps its validators for an hour
// without notifications — serves the new award record, call page and list at once,
// because the database notified it.
func TestChangeOnOneInstanceReachesTheOther(t *testing.T) {
	t.Parallel()
	first := newTestApp(t, true)
	second := first.secondInstance(benchConfig(time.Hour))
	p := dbtest.SeedProcedure(t, first.store.DB, dbtest.ProcedureSpec{Seq: 87, Bids: 2, Criteria: 2, Evaluators: 2, Docs: dbtest.FakeDecisionDocs()})
	anon := second.client()
	paths := []string{"/vergaben/" + p.Ref, "/ausschreibungen/" + p.Ref, "/ausschreibungen"}
	before := map[string]string{}
	for _, path := range paths {
		before[path] = wantKept(t, anon, path).validator()
	}
	lead := first.client()
	lead.login("leitung@musterland.example", demo.Password)
	lead.post(fmt.Sprintf("/verwaltung/musterland/verfahren/%d/aufhebung", p.CallID), url.Values{"reason": {"Die Landesmittel wurden gestrichen."}}).wantStatus(t, 303)
	for _, path := range paths {
		if !eventually(notifyWithin, func() bool { return anon.get(path).validator() != before[path] }) {
			t.Errorf("%s: the second instance still serves the validator from before the cancellation", path)
		}
	}
	anon.get("/vergaben/"+p.Ref).wantStatus(t, 200).wantContains(t, "Das Verfahren wurde aufgehoben", "Die Landesmittel wurden gestrichen.")
}

// TestLostNotificationIsRecoveredOnReconnect: a change the instance is never told about
// stays invisible while its LISTEN connection lives (validators kept for an hour); when
// the connection is killed, the instance reconnects, drops everything it kept and serves
// the change.
func TestLostNotificationIsRecoveredOnReconnect(t *testing.T) {
	t.Parallel()
	ta := newTestAppOn(t, dbtest.NewDemo(t), benchConfig(time.Hour))
	id, ref := ta.openCall()
	path := "/ausschreibungen/" + ref
	anon := ta.client()
	before := wantKept(t, anon, path).validator()
	changeWithoutNotification(t, ta.store.DB, `UPDATE calls SET deadline = deadline + interval '1 day' WHERE id = ?`, id)
	time.Sleep(200 * time.Millisecond)
	if r := anon.get(path); r.validator() != before || r.queries() != "0" {
		t.Fatalf("without a notification the kept validator changed (%q → %q, %s queries): the test does not lose one", before, r.validator(), r.queries())
	}
	pid := ta.listenerPID()
	if pid == 0 {
		t.Fatal("no LISTEN connection")
	}
	if err := ta.store.DB.Exec(`SELECT pg_terminate_backend(?)`, pid).Error; err != nil {
		t.Fatal(err)
	}
	if !eventually(notifyWithin, func() bool { return anon.get(path).validator() != before }) {
		t.Fatal("after the LISTEN connection was killed, the instance still serves the validator it kept")
	}
	if !eventually(notifyWithin, func() bool { n := ta.listenerPID(); return n != 0 && n != pid }) {
		t.Error("the LISTEN connection was not reopened")
	}
	wantKept(t, anon, path)
}

// TestKeptValidatorIsReadAgainAfterTheBound: a change the instance is never told about
// (and whose connection stays up) is served once the kept validator is older than
// ValidatorMaxAge.
func TestKeptValidatorIsReadAgainAfterTheBound(t *testing.T) {
	t.Parallel()
	const bound = 300 * time.Millisecond
	ta := newTestAppOn(t, dbtest.NewDemo(t), benchConfig(bound))
	id, ref := ta.openCall()
	path := "/ausschreibungen/" + ref
	anon := ta.client()
	before := wantKept(t, anon, path).validator()
	changeWithoutNotification(t, ta.store.DB, `UPDATE calls SET deadline = deadline + interval '1 day' WHERE id = ?`, id)
	if !eventually(bound+notifyWithin, func() bool { return anon.get(path).validator() != before }) {
		t.Fatal("the kept validator was not read again after the bound")
	}
}

// TestBidSubmissionLeavesPublicValidatorsUntouched: before the opening a bid must not
// show anywhere public. A provider prepares and submits a bid on one instance; the
// database sends no notification at all, and both instances keep answering the call
// page, the list and an award record with the same validators — the second one still
// from memory, without a query.
func TestBidSubmissionLeavesPublicValidatorsUntouched(t *testing.T) {
	t.Parallel()
	e := newBidEnv(t)
	second := e.ta.secondInstance(benchConfig(time.Hour))
	p := dbtest.SeedProcedure(t, e.ta.store.DB, dbtest.ProcedureSpec{Seq: 88, Bids: 2, Criteria: 2, Evaluators: 2, Final: true, Docs: dbtest.FakeDecisionDocs()})
	paths := []string{"/ausschreibungen/" + e.callRef, "/ausschreibungen", "/vergaben/" + p.Ref}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	listen, err := pgx.Connect(ctx, e.ta.store.Pool.Config().ConnString())
	if err != nil {
		t.Fatal(err)
	}
	defer listen.Close(context.Background())
	if _, err := listen.Exec(ctx, `LISTEN `+app.PublicChannel); err != nil {
		t.Fatal(err)
	}
	anonFirst, anonSecond := e.ta.client(), second.client()
	before := map[string]string{}
	for _, path := range paths {
		before[path] = wantKept(t, anonSecond, path).validator()
		if v := anonFirst.get(path).wantStatus(t, 200).validator(); v != before[path] {
			t.Fatalf("%s: the instances disagree: %q and %q", path, v, before[path])
		}
	}

	base := e.start(t)
	e.fill(t, base)
	e.c.post(base+"/einreichen", url.Values{"rev": {e.rev(t, base)}}).wantStatus(t, 303)
	if n := e.ta.count(`SELECT count(*) FROM bid_versions v JOIN bids b ON b.id = v.bid_id WHERE b.org_id = ?`, e.orgID); n != 1 {
		t.Fatalf("%d submitted versions, want 1", n)
	}

	wctx, wcancel := context.WithTimeout(ctx, 500*time.Millisecond)
	n, err := listen.WaitForNotification(wctx)
	wcancel()
	if err == nil {
		t.Errorf("the bid made the database notify %q on %s", n.Payload, app.PublicChannel)
	}
	for _, path := range paths {
		if r := anonSecond.get(path); r.validator() != before[path] || r.queries() != "0" {
			t.Errorf("%s on the second instance: validator %q → %q, %s queries", path, before[path], r.validator(), r.queries())
		}
		if v := anonFirst.get(path).validator(); v != before[path] {
			t.Errorf("%s on the first instance: validator %q → %q", path, before[path], v)
		}
	}
}

// TestAwardRecordRendersWithAtMostSevenQueries: a full render of an award record — nothing
// kept yet: validator, record and the chain's verification — costs at most six database
// statements, whatever the number of bids; a render at another address of the same head
// reuses the kept validator and verification.
func TestAwardRecordRendersWithAtMostSevenQueries(t *testing.T) {
	t.Parallel()
	ta := newTestAppOn(t, dbtest.NewDemo(t), benchConfig(time.Hour))
	p := dbtest.SeedProcedure(t, ta.store.DB, dbtest.ProcedureSpec{Seq: 89, Bids: 12, Criteria: 4, Evaluators: 2, Objection: true, Final: true, Docs: dbtest.FakeDecisionDocs()})
	anon := ta.client()
	first := anon.get("/vergaben/"+p.Ref+"?erste=1").wantStatus(t, 200)
	first.wantContains(t, p.OrgNames[0], p.OrgNames[11], "Rüge erhoben", "Protokollkette dieses Verfahrens ist unversehrt")
	// One query more than before the forwarding: the posts after the award (forwarding.OpenPosts).
	if n, _ := strconv.Atoi(first.queries()); n == 0 || n > 7 {
		t.Errorf("full render: %s queries, want 1 to 7", first.queries())
	}
	wantKept(t, anon, "/vergaben/"+p.Ref)
	again := anon.get("/vergaben/"+p.Ref+"?zweite=1").wantStatus(t, 200)
	if n, _ := strconv.Atoi(again.queries()); n > 4 {
		t.Errorf("render with kept validator and verification: %s queries, want at most 4", again.queries())
	}
	t.Logf("award record: %s queries on the first render, %s with validator and verification kept", first.queries(), again.queries())
}

// TestAnswerFromMemoryEqualsTheRoutesAnswer: an anonymous visitor without a session
// cookie is answered from memory before sessions and CSRF are set up; the answer — page
// and validators — is the one the route gives a visitor who passes them, and it sets no
// cookie.
func TestAnswerFromMemoryEqualsTheRoutesAnswer(t *testing.T) {
	t.Parallel()
	ta, p, ref := publicPagesApp(t, 90)
	anon := ta.client()
	for _, path := range []string{"/ausschreibungen", "/ausschreibungen?status=published", "/ausschreibungen/" + ref, "/vergaben/" + p.Ref} {
		fast := wantKept(t, anon, path)
		req, _ := http.NewRequest(http.MethodGet, anon.base+path, nil)
		req.AddCookie(&http.Cookie{Name: "kimibv_session", Value: "unbekannt"})
		routed := ta.client().do(req).wantStatus(t, 200)
		if fast.Body != routed.Body {
			t.Errorf("%s: the page from memory differs from the route's", path)
		}
		for _, h := range []string{"ETag", "Last-Modified", "Cache-Control", "Content-Type", "Content-Length"} {
			if fast.Header.Get(h) != routed.Header.Get(h) {
				t.Errorf("%s: %s from memory %q, from the route %q", path, h, fast.Header.Get(h), routed.Header.Get(h))
			}
		}
		if c := fast.Header.Get("Set-Cookie"); c != "" {
			t.Errorf("%s: the answer from memory sets a cookie: %s", path, c)
		}
	}
}
