package faults

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"kimibv/models/dbtest"
	"kimibv/models/store"
	"kimibv/models/vault"
)

// binaries builds kimibv, kimibv-gen and kimibv-rush once per test process.
var binaries = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "kimibv-faults-bin")
	if err != nil {
		return "", err
	}
	for _, name := range []string{"kimibv", "kimibv-gen", "kimibv-rush"} {
		cmd := exec.Command("go", "build", "-o", filepath.Join(dir, name), "kimibv/cmd/"+name)
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("build %s: %w\n%s", name, err, out)
		}
	}
	return dir, nil
})

// env is the environment of one fault scenario: database, master key, binaries.
type env struct {
	t   *testing.T
	bin string
	dir string
	url string
	key string
}

func newEnv(t *testing.T, url string) *env {
	t.Helper()
	if os.Getenv("KIMIBV_TEST_DATABASE_URL") == "" {
		t.Skip("KIMIBV_TEST_DATABASE_URL is not set")
	}
	bin, err := binaries()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	// The test databases' master key: the demo's data keys, and those of mails and
	// Postfach messages the test writes through store(), are wrapped to it.
	key := filepath.Join(dir, "master.key")
	dbtest.WriteMasterKey(t, key)
	return &env{t: t, bin: bin, dir: dir, url: url, key: key}
}

func (e *env) environ(extra ...string) []string {
	base := []string{"DATABASE_URL=" + e.url, "KIMIBV_MASTER_KEY_FILE=" + e.key, "KIMIBV_ENV=development", "KIMIBV_LOG_LEVEL=warn"}
	return append(os.Environ(), append(base, extra...)...)
}

// run runs a binary to completion and returns its output.
func (e *env) run(name string, args ...string) (string, error) {
	cmd := exec.Command(filepath.Join(e.bin, name), args...)
	cmd.Env = e.environ()
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// mustRun is run that fails the test on an error.
func (e *env) mustRun(name string, args ...string) string {
	e.t.Helper()
	out, err := e.run(name, args...)
	if err != nil {
		e.t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

// server is one running bin/kimibv serve.
type server struct {
	cmd  *exec.Cmd
	base string
	log  *os.File
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// start runs bin/kimibv serve on port with the extra environment; it is killed at cleanup.
func (e *env) start(name string, port int, extra ...string) *server {
	e.t.Helper()
	log, err := os.OpenFile(filepath.Join(e.dir, "server-"+name+".log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		e.t.Fatal(err)
	}
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	cmd := exec.Command(filepath.Join(e.bin, "kimibv"), "serve")
	cmd.Env = e.environ(append([]string{fmt.Sprintf("KIMIBV_LISTEN=127.0.0.1:%d", port), "KIMIBV_BASE_URL=" + base}, extra...)...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	s := &server{cmd: cmd, base: base, log: log}
	e.t.Cleanup(func() { s.kill(); log.Close() })
	return s
}

// kill sends SIGKILL and reaps the process.
func (s *server) kill() {
	if s.cmd.ProcessState == nil {
		_ = s.cmd.Process.Kill()
		_ = s.cmd.Wait()
	}
}

// stop sends SIGTERM (graceful shutdown) and waits.
func (s *server) stop() {
	if s.cmd.ProcessState == nil {
		_ = s.cmd.Process.Signal(os.Interrupt)
		_ = s.cmd.Wait()
	}
}

// ready waits until /readyz answers 200.
func (e *env) ready(s *server, within time.Duration) {
	e.t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if res, err := http.Get(s.base + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	b, _ := os.ReadFile(s.log.Name())
	e.t.Fatalf("server %s not ready within %s:\n%s", s.base, within, b)
}

// store opens the scenario's database.
func (e *env) store() *store.Store {
	e.t.Helper()
	st, err := store.Open(context.Background(), e.url, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(st.Close)
	if err := vault.BindVault(st.DB, dbtest.Vault(e.t)); err != nil {
		e.t.Fatal(err)
	}
	return st
}
