package app

// This file checks the HTML of every page the tests of this package see with the W3C Nu
// Html Checker (vnu). Tests hand each HTML answer to CollectHTML (the HTTP test client does
// so for every answer it reads, TestRenderEveryPage for every rendered template); TestMain
// writes the distinct pages into one temporary directory and, after the tests passed, runs
// vnu once over it: one JVM start for the whole package.
//
// scripts/test runs the check as a step of its own, so that the JVM never shares the
// machine's memory with a race-instrumented test binary and its time does not count
// against a test pass: with KIMIBV_HTML_PAGES=DIR a test run keeps its pages in DIR (with
// an index of their names) instead of checking them, and a run with KIMIBV_HTML_CHECK=DIR
// and -run '^$' checks every page kept there.

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"testing"
)

// htmlVariantsPerPage caps the distinct answers kept per address pattern and status: the
// roles and states see different versions of a page, but thousands of near-identical
// answers of the long crawls would only slow the checker down.
const htmlVariantsPerPage = 8

// htmlCollector keeps the distinct HTML pages of a test run in a temporary directory.
type htmlCollector struct {
	mu       sync.Mutex
	dir      string
	prefix   string // of the page files: the process id when pages are kept (keepIn)
	err      error
	seen     map[[32]byte]bool
	variants map[string]int
	names    map[string]string // file name → page name
}

// collectedHTML is the test binary's collector: a test-only cache like the Chromium of the
// browser tests, emptied by TestMain.
var collectedHTML = &htmlCollector{seen: map[[32]byte]bool{}, variants: map[string]int{}, names: map[string]string{}}

// htmlVolatile are the parts of a page that differ between two requests by design.
var htmlVolatile = regexp.MustCompile(`name="_csrf" value="[^"]*"|nonce="[^"]*"`)

// htmlDigits turns ids in an address into one pattern.
var htmlDigits = regexp.MustCompile(`[0-9]+`)

// CollectHTML hands one HTML page to the W3C check at the end of the test run. name says
// where it came from (test, method and address), address is the requested address (its
// digits and query values are ignored when counting variants).
func CollectHTML(name, address string, status int, body string) {
	collectedHTML.add(name, address, status, body)
}

func (c *htmlCollector) add(name, address string, status int, body string) {
	sum := sha256.Sum256([]byte(htmlVolatile.ReplaceAllString(body, "")))
	key := fmt.Sprintf("%d %s", status, htmlPattern(address))
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil || c.seen[sum] || c.variants[key] >= htmlVariantsPerPage {
		return
	}
	c.seen[sum] = true
	c.variants[key]++
	if c.dir == "" {
		if c.dir, c.err = os.MkdirTemp("", "kimibv-vnu-"); c.err != nil {
			return
		}
	}
	file := fmt.Sprintf("%spage-%05d.html", c.prefix, len(c.names)+1)
	c.names[file] = name
	c.err = os.WriteFile(filepath.Join(c.dir, file), []byte(body), 0o600)
}

// htmlPattern is the address with digits replaced and query values dropped.
func htmlPattern(address string) string {
	u, err := url.Parse(address)
	if err != nil {
		return address
	}
	keys := make([]string, 0, len(u.Query()))
	for k := range u.Query() {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return htmlDigits.ReplaceAllString(u.Path, "N") + "?" + strings.Join(keys, "&")
}

// TestMain runs the tests and then the W3C check over the pages they collected.
func TestMain(m *testing.M) {
	if dir := os.Getenv("KIMIBV_HTML_CHECK"); dir != "" {
		os.Exit(checkKeptHTML(dir, os.Stderr))
	}
	keep := os.Getenv("KIMIBV_HTML_PAGES")
	if keep != "" {
		collectedHTML.keepIn(keep)
	}
	code := m.Run()
	switch {
	case keep != "":
		if err := collectedHTML.writeIndex(); err != nil {
			fmt.Fprintf(os.Stderr, "W3C HTML check: keeping the pages failed: %v\n", err)
			code = 1
		}
	case code == 0:
		code = collectedHTML.check(os.Stderr)
	}
	if collectedHTML.dir != "" && keep == "" {
		os.RemoveAll(collectedHTML.dir)
	}
	os.Exit(code)
}

// htmlIndexSuffix ends the name of the index a kept run writes: page file → page name.
const htmlIndexSuffix = "-pages.json"

// keepIn makes the collector write its pages into dir, each file name prefixed with the
// process id so that two test runs can share the directory.
func (c *htmlCollector) keepIn(dir string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dir, c.prefix = dir, fmt.Sprintf("%d-", os.Getpid())
	c.err = os.MkdirAll(dir, 0o700)
}

// writeIndex writes the names of the kept pages next to them.
func (c *htmlCollector) writeIndex() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil || len(c.names) == 0 {
		return c.err
	}
	b, err := json.Marshal(c.names)
	if err != nil {
		return fmt.Errorf("index of the kept pages: %w", err)
	}
	return os.WriteFile(filepath.Join(c.dir, c.prefix+"index"+htmlIndexSuffix), b, 0o600)
}

// checkKeptHTML runs the check over the pages earlier runs kept in dir.
func checkKeptHTML(dir string, w *os.File) int {
	c := &htmlCollector{dir: dir, names: map[string]string{}}
	indexes, err := filepath.Glob(filepath.Join(dir, "*"+htmlIndexSuffix))
	if err != nil {
		c.err = err
	}
	for _, index := range indexes {
		b, err := os.ReadFile(index)
		if err == nil {
			err = json.Unmarshal(b, &c.names)
		}
		if err != nil {
			c.err = fmt.Errorf("reading %s: %w", index, err)
		}
	}
	return c.check(w)
}

// vnuMessage is one finding of the checker's JSON output.
type vnuMessage struct {
	Type    string `json:"type"`
	SubType string `json:"subType"`
	URL     string `json:"url"`
	Line    int    `json:"lastLine"`
	Message string `json:"message"`
	Extract string `json:"extract"`
}

// check runs vnu once over the collected pages and reports every error with the page's
// name; it returns the exit code: 0 when there is nothing to check, the checker is missing
// outside CI (with a note), or no page has an error.
func (c *htmlCollector) check(w *os.File) int {
	if c.err != nil {
		fmt.Fprintf(w, "W3C HTML check: collecting pages failed: %v\n", c.err)
		return 1
	}
	if len(c.names) == 0 {
		return 0
	}
	java, jar, missing := vnuTools()
	if missing != "" {
		if os.Getenv("CI") == "true" {
			fmt.Fprintf(w, "W3C HTML check: %s\nCI=true: the HTML check must run in CI, not skip\n", missing)
			return 1
		}
		fmt.Fprintf(w, "W3C HTML check SKIPPED (%d pages collected): %s\n", len(c.names), missing)
		return 0
	}
	// The test binary's memory (the race detector's above all) is handed back first and the
	// checker's heap is bounded: on a busy machine the two together ran out of memory and the
	// check crawled for minutes.
	debug.FreeOSMemory()
	var out bytes.Buffer
	cmd := exec.Command(java, "-Xss4m", "-Xmx2g", "-jar", jar, "--errors-only", "--skip-non-html", "--format", "json", c.dir)
	cmd.Stderr = &out // vnu writes its report to standard error
	runErr := cmd.Run()
	var report struct {
		Messages []vnuMessage `json:"messages"`
	}
	if err := json.Unmarshal(out.Bytes(), &report); err != nil {
		fmt.Fprintf(w, "W3C HTML check: cannot read the checker's report (%v, run: %v):\n%s\n", err, runErr, out.String())
		return 1
	}
	var errs []string
	for _, msg := range report.Messages {
		if msg.Type != "error" && msg.SubType != "fatal" {
			continue
		}
		page := c.names[filepath.Base(strings.TrimPrefix(msg.URL, "file:"))]
		errs = append(errs, fmt.Sprintf("%s (line %d): %s\n      %s", page, msg.Line, msg.Message, strings.TrimSpace(msg.Extract)))
	}
	if len(errs) > 0 {
		fmt.Fprintf(w, "--- FAIL: W3C HTML check: %d errors in %d pages:\n  %s\n", len(errs), len(c.names), strings.Join(errs, "\n  "))
		return 1
	}
	if runErr != nil {
		fmt.Fprintf(w, "W3C HTML check: vnu failed: %v\n%s\n", runErr, out.String())
		return 1
	}
	fmt.Fprintf(w, "W3C HTML check: %d pages valid\n", len(c.names))
	return 0
}

// vnuTools returns the java binary and vnu.jar (KIMIBV_VNU_JAR, else node_modules of the
// module), or what is missing.
func vnuTools() (java, jar, missing string) {
	jar = os.Getenv("KIMIBV_VNU_JAR")
	if jar == "" {
		jar = filepath.Join("..", "node_modules", "vnu-jar", "build", "dist", "vnu.jar")
	}
	var problems []string
	if _, err := os.Stat(jar); err != nil {
		problems = append(problems, fmt.Sprintf("vnu.jar not found at %s (run npm ci, or set KIMIBV_VNU_JAR)", jar))
	}
	java, err := exec.LookPath("java")
	if err != nil {
		problems = append(problems, "java not found (Debian: apt-get install openjdk-17-jre-headless)")
	}
	return java, jar, strings.Join(problems, "; ")
}
