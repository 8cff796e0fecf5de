// Command kimibv-rush is the deadline-rush load generator: it logs in every organisation
// of a rush set (kimibv-gen rush) through the real login form — before the timed window,
// so password hashing is not part of the figures —, moves the call's deadline to the
// middle of the window and then sends every organisation's submission (POST …/einreichen)
// at an evenly spread moment within the window, noting when each request was completely
// written (its arrival as the client knows it). Accepted submissions are followed to their
// receipt page, whose content hash the client keeps. Afterwards it checks the database:
// accepted ⇔ arrived at or before the deadline ⇔ stored with a receipt time at or before
// it, and every receipt the client saw names the stored hash.
//
// With --saturate it instead offers submissions at rising rates (the deadline a day
// ahead) until p99 exceeds 2 s or errors appear, and reports the highest rate sustained.
//
//	kimibv-rush --base http://127.0.0.1:8080 --set rush.json [--window 10s] [--receipts out.json]
//	kimibv-rush --base http://127.0.0.1:8080 --set sat.json --saturate 50,100,200,400
//
// DATABASE_URL names the database (for the deadline and the check).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptrace"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

type rushOrg struct {
	OrgID  int64  `json:"org"`
	UserID int64  `json:"user"`
	Email  string `json:"email"`
	BidID  int64  `json:"bid"`
}

type rushSet struct {
	CallID int64     `json:"call"`
	Orgs   []rushOrg `json:"orgs"`
}

// outcome is what one client saw.
type outcome struct {
	Org      rushOrg       `json:"org"`
	Status   int           `json:"status"` // 0: no answer (connection error)
	Err      string        `json:"err,omitempty"`
	Latency  time.Duration `json:"latency_ns"`
	Version  int           `json:"version,omitempty"` // from the redirect of an accepted submission
	Hash     string        `json:"hash,omitempty"`    // content hash shown on the receipt page
	SentAt   time.Time     `json:"sent_at"`
	WroteAt  time.Time     `json:"wrote_at"` // the whole request was written: its arrival as the client knows it
	client   *http.Client
	csrf     string
	loggedIn bool
}

const password = "Demo-Passwort-2026"

func main() {
	base := flag.String("base", "http://127.0.0.1:8080", "server address")
	setFile := flag.String("set", "rush.json", "rush set from kimibv-gen rush")
	window := flag.Duration("window", 10*time.Second, "submissions spread over this window; the deadline is in its middle")
	receipts := flag.String("receipts", "", "write every outcome (with receipts) to this JSON file")
	noCheck := flag.Bool("no-check", false, "skip the database check (e.g. when the server was killed; run it later with --check-only)")
	checkOnly := flag.Bool("check-only", false, "only check the outcomes in --receipts against the database")
	saturation := flag.String("saturate", "", "instead of the rush: offer submissions at these rates per second in turn (e.g. 50,100,200) until p99 > 2 s or errors")
	flag.Parse()
	var rates []float64
	if *saturation != "" {
		var err error
		if rates, err = parseRates(*saturation); err != nil {
			fmt.Fprintln(os.Stderr, "kimibv-rush:", err)
			os.Exit(2)
		}
	}
	if err := run(*base, *setFile, *window, *receipts, *noCheck, *checkOnly, rates); err != nil {
		fmt.Fprintln(os.Stderr, "kimibv-rush:", err)
		os.Exit(1)
	}
}

func run(base, setFile string, window time.Duration, receipts string, noCheck, checkOnly bool, rates []float64) error {
	ctx := context.Background()
	db, err := pgx.Connect(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		return fmt.Errorf("database: %w", err)
	}
	defer db.Close(ctx)
	var set rushSet
	b, err := os.ReadFile(setFile)
	if err == nil {
		err = json.Unmarshal(b, &set)
	}
	if err != nil {
		return fmt.Errorf("rush set: %w", err)
	}
	if checkOnly {
		var res []outcome
		b, err := os.ReadFile(receipts)
		if err == nil {
			err = json.Unmarshal(b, &res)
		}
		if err != nil {
			return fmt.Errorf("receipts: %w", err)
		}
		var deadline time.Time
		if err := db.QueryRow(ctx, `SELECT deadline FROM calls WHERE id = $1`, set.CallID).Scan(&deadline); err != nil {
			return err
		}
		return check(ctx, db, set.CallID, deadline, res)
	}
	res := make([]outcome, len(set.Orgs))
	start := time.Now()
	parallel(len(res), 8, func(i int) { res[i] = loginOrg(base, set.Orgs[i]) })
	for _, r := range res {
		if !r.loggedIn {
			return fmt.Errorf("login %s failed: %s", r.Org.Email, r.Err)
		}
	}
	fmt.Printf("logged in %d organisations in %s (not part of the figures)\n", len(res), time.Since(start).Round(time.Millisecond))
	if len(rates) > 0 {
		return saturate(ctx, db, base, set.CallID, res, rates)
	}

	lead := time.Second
	var deadline time.Time
	if err := db.QueryRow(ctx, `UPDATE calls SET deadline = date_trunc('milliseconds', clock_timestamp()) + $2::interval WHERE id = $1 RETURNING deadline`,
		set.CallID, (lead + window/2).String()).Scan(&deadline); err != nil {
		return fmt.Errorf("set deadline: %w", err)
	}
	t0 := time.Now().Add(lead)
	var wg sync.WaitGroup
	for i := range res {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Until(t0.Add(window * time.Duration(i) / time.Duration(len(res)))))
			submit(base, &res[i], 1)
		}()
	}
	wg.Wait()
	elapsed := time.Since(t0)
	if receipts != "" {
		b, _ := json.MarshalIndent(res, "", " ")
		if err := os.WriteFile(receipts, b, 0o644); err != nil {
			return err
		}
	}
	report(res, elapsed, deadline)
	if noCheck {
		return nil
	}
	return check(ctx, db, set.CallID, deadline, res)
}

// parallel runs f(0..n-1) on k workers.
func parallel(n, k int, f func(int)) {
	ch := make(chan int)
	var wg sync.WaitGroup
	for range k {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range ch {
				f(i)
			}
		}()
	}
	for i := range n {
		ch <- i
	}
	close(ch)
	wg.Wait()
}

func loginOrg(base string, o rushOrg) outcome {
	jar, _ := cookiejar.New(nil)
	r := outcome{Org: o, client: &http.Client{Jar: jar, Timeout: 60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	res, err := r.client.Get(base + "/anmelden")
	if err != nil {
		r.Err = err.Error()
		return r
	}
	drain(res)
	u, _ := url.Parse(base)
	for _, c := range jar.Cookies(u) {
		if c.Name == "kimibv_csrf" {
			r.csrf = c.Value
		}
	}
	res, err = r.client.PostForm(base+"/anmelden", url.Values{"_csrf": {r.csrf}, "email": {o.Email}, "password": {password}})
	if err != nil {
		r.Err = err.Error()
		return r
	}
	drain(res)
	r.loggedIn = res.StatusCode == http.StatusSeeOther
	if !r.loggedIn {
		r.Err = fmt.Sprintf("status %d", res.StatusCode)
	}
	return r
}

var versionRe = regexp.MustCompile(`/fassungen/(\d+)$`)
var hashRe = regexp.MustCompile(`Prüfwert der Angaben \(SHA-256\)</dt><dd><span class="hash">([0-9a-f]{64})<`)

// submit posts the submission of draft revision rev and, when accepted, reads the receipt page.
func submit(base string, r *outcome, rev int) {
	p := fmt.Sprintf("%s/traeger/%d/bewerbungen/%d/einreichen", base, r.Org.OrgID, r.Org.BidID)
	trace := &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { r.WroteAt = time.Now() }}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), http.MethodPost, p,
		strings.NewReader(url.Values{"_csrf": {r.csrf}, "rev": {strconv.Itoa(rev)}}.Encode()))
	if err != nil {
		r.Err = err.Error()
		return
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.SentAt = time.Now()
	res, err := r.client.Do(req)
	r.Latency = time.Since(r.SentAt)
	if err != nil {
		r.Err = err.Error()
		return
	}
	drain(res)
	r.Status = res.StatusCode
	m := versionRe.FindStringSubmatch(res.Header.Get("Location"))
	if res.StatusCode != http.StatusSeeOther || m == nil {
		return
	}
	fmt.Sscan(m[1], &r.Version)
	loc := res.Header.Get("Location")
	if strings.HasPrefix(loc, "/") {
		loc = base + loc
	}
	// The receipt page; while the database fails over it answers 503 for a moment.
	for try := 0; try < 10 && r.Hash == ""; try++ {
		res, err := r.client.Get(loc)
		if err != nil {
			return
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if h := hashRe.FindSubmatch(body); h != nil {
			r.Hash = string(h[1])
		}
		if res.StatusCode != http.StatusServiceUnavailable {
			return
		}
		time.Sleep(time.Second)
	}
}

func drain(res *http.Response) {
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
}
