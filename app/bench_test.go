package app_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"kimibv/app"
	"kimibv/models/dbtest"
)

// TestBenchRoutes: /bench/floor and the query-count header exist only with Config.Bench,
// and the header counts the statements of the request.
func TestBenchRoutes(t *testing.T) {
	t.Parallel()
	st := dbtest.New(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, bench := range []bool{false, true} {
		_, e, err := app.New(app.Config{BaseURL: "http://kimibv.test", Env: "production", MaxBodyBytes: 1 << 20,
			SessionLifetime: time.Hour, SessionIdle: time.Hour, Vault: dbtest.Vault(t), Bench: bench}, st, log)
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/bench/floor", nil))
		if want := map[bool]int{false: http.StatusNotFound, true: http.StatusOK}[bench]; rec.Code != want {
			t.Errorf("bench=%v: /bench/floor %d, want %d", bench, rec.Code, want)
		}
		rec = httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/ausschreibungen", nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("/ausschreibungen: %d", rec.Code)
		}
		h := rec.Header().Get(app.QueryCountHeader)
		switch n, _ := strconv.Atoi(h); {
		case !bench && h != "":
			t.Errorf("query count header %q without bench mode", h)
		case bench && n < 1:
			t.Errorf("bench mode: query count header %q, want at least one statement", h)
		}
	}
}
