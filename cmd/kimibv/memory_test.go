package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"kimibv/models/accounts"
	"kimibv/models/dbtest"
	"kimibv/models/demo"
)

// TestUploadMemory starts bin/kimibv serve as a child process, runs 20 parallel uploads of
// 20 MiB each through the real wallet upload route and reads the server's peak resident
// memory (VmHWM). Uploads stream into PostgreSQL, so the peak must stay far below the
// 400 MiB that holding the files would need. KIMIBV_MEMORY_REPORT=1 prints the figures.
func TestUploadMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("memory measurement skipped in -short mode")
	}
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc: cannot read the server's peak memory")
	}
	dbURL := dbtest.NewDemoURL(t)
	// The demo template's accounts have cheap password hashes (dbtest); the login below
	// must cost what a real one does, 64 MiB of argon2id, which idle includes.
	costly, err := accounts.HashPassword(demo.Password)
	if err != nil {
		t.Fatal(err)
	}
	if n := scalar(t, dbURL, `WITH u AS (UPDATE users SET password_hash = $1 WHERE email = 'awo@traeger.example' RETURNING 1) SELECT count(*) FROM u`, costly); n != 1 {
		t.Fatalf("%d accounts awo@traeger.example", n)
	}
	dir := t.TempDir()
	dbtest.WriteMasterKey(t, filepath.Join(dir, "master.key")) // the demo database's data keys are wrapped to it
	bin := filepath.Join(dir, "kimibv")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL, "KIMIBV_LISTEN="+addr, "KIMIBV_BASE_URL=http://"+addr,
		"KIMIBV_ENV=development", "KIMIBV_MASTER_KEY_FILE="+filepath.Join(dir, "master.key"), "KIMIBV_LOG_LEVEL=warn")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Signal(os.Interrupt); _, _ = cmd.Process.Wait() })
	base := "http://" + addr
	waitReady(t, base+"/readyz")

	jar, _ := cookiejar.New(nil)
	cl := &http.Client{Jar: jar, Timeout: 5 * time.Minute, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport: &http.Transport{MaxConnsPerHost: 0, MaxIdleConnsPerHost: 32}}
	token := login(t, cl, base, "awo@traeger.example")
	orgID := scalar(t, dbURL, `SELECT m.org_id FROM organization_members m JOIN users u ON u.id = m.user_id WHERE u.email = 'awo@traeger.example'`)
	idle := vm(t, cmd.Process.Pid)

	const uploads, size = 20, 20 << 20
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, uploads)
	for i := 0; i < uploads; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			status, err := uploadStream(cl, fmt.Sprintf("%s/traeger/%d/dokumente", base, orgID), token, fmt.Sprintf("Satzung-%02d.pdf", i), size)
			if err == nil && status != http.StatusSeeOther {
				err = fmt.Errorf("upload %d: status %d", i, status)
			}
			errs <- err
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	elapsed := time.Since(start)
	peak := vm(t, cmd.Process.Pid)
	if n := scalar(t, dbURL, `SELECT count(*) FROM files WHERE size = `+strconv.Itoa(size)); n != uploads {
		t.Fatalf("%d files stored, want %d", n, uploads)
	}
	msg := fmt.Sprintf("server memory: idle RSS %d MiB (peak %d MiB); after %d parallel uploads of %d MiB in %s: peak RSS (VmHWM) %d MiB, RSS now %d MiB",
		idle["VmRSS"]>>10, idle["VmHWM"]>>10, uploads, size>>20, elapsed.Round(time.Millisecond), peak["VmHWM"]>>10, peak["VmRSS"]>>10)
	t.Log(msg)
	if os.Getenv("KIMIBV_MEMORY_REPORT") != "" {
		fmt.Println(msg)
	}
	// Holding the uploads would add at least their volume (400 MiB) to the idle process; a
	// streaming server grows by its per-upload buffers only. The limit is half the volume,
	// measured as growth over the idle high-water mark (idle includes the 64 MiB of one
	// argon2id login), so that a busy machine's slower garbage collection does not matter.
	volume := int64(uploads*size) >> 10 // KiB, like /proc
	if growth := peak["VmHWM"] - idle["VmHWM"]; growth > volume/2 {
		t.Errorf("peak RSS grew by %d MiB while %d MiB were uploaded: uploads are not streamed", growth>>10, volume>>10)
	}
}

func waitReady(t *testing.T, u string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if res, err := http.Get(u); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("server did not become ready")
}

// login signs in and returns the CSRF token (the double-submit cookie).
func login(t *testing.T, cl *http.Client, base, email string) string {
	t.Helper()
	res, err := cl.Get(base + "/anmelden")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	u, _ := url.Parse(base)
	var tok string
	for _, c := range cl.Jar.Cookies(u) {
		if c.Name == "kimibv_csrf" {
			tok = c.Value
		}
	}
	res, err = cl.PostForm(base+"/anmelden", url.Values{"_csrf": {tok}, "email": {email}, "password": {demo.Password}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", res.StatusCode)
	}
	return tok
}

// uploadStream posts a generated PDF of size bytes without holding it in memory.
func uploadStream(cl *http.Client, u, token, name string, size int64) (int, error) {
	const boundary = "kimibvmemtestboundary"
	fields := "--" + boundary + "\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n" + token + "\r\n" +
		"--" + boundary + "\r\nContent-Disposition: form-data; name=\"doc_type\"\r\n\r\nsatzung\r\n" +
		"--" + boundary + "\r\nContent-Disposition: form-data; name=\"datei\"; filename=\"" + name + "\"\r\nContent-Type: application/pdf\r\n\r\n"
	tail := "\r\n--" + boundary + "--\r\n"
	head, trailer := "%PDF-1.4\n%", "\n%%EOF\n"
	pdf := io.MultiReader(strings.NewReader(head), io.LimitReader(filler{}, size-int64(len(head)+len(trailer))), strings.NewReader(trailer))
	req, err := http.NewRequest(http.MethodPost, u, io.MultiReader(strings.NewReader(fields), pdf, strings.NewReader(tail)))
	if err != nil {
		return 0, err
	}
	req.ContentLength = int64(len(fields)+len(tail)) + size
	req.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
	res, err := cl.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode, nil
}

// filler yields pseudo-random printable bytes (so that nothing compresses away).
type filler struct{}

func (filler) Read(b []byte) (int, error) {
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = 'a' + byte(x%26)
	}
	return len(b), nil
}

// vm reads the Vm* lines (in KiB) of /proc/<pid>/status.
func vm(t *testing.T, pid int) map[string]int64 {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]int64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.HasPrefix(k, "Vm") {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			out[k] = n
		}
	}
	return out
}

func scalar(t *testing.T, dbURL, q string, args ...any) int64 {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int64
	if err := conn.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
