package app

import (
	"net/http"
	"net/http/pprof"
	"strconv"
	"sync/atomic"

	"github.com/labstack/echo/v4"

	"kimibv/models/store"
)

// QueryCountHeader carries the number of database statements a request ran, when the
// application runs with Config.Bench (KIMIBV_BENCH=1); scripts/bench reads it.
const QueryCountHeader = "X-Kimibv-Queries"

// benchRoutes adds the benchmark aids, only with Config.Bench: a statement counter on every
// request, /bench/floor, a trivial handler behind the same global middleware (the
// framework's floor against which the public pages are measured), and the Go profiler
// under /bench/pprof/ (e.g. /bench/pprof/profile?seconds=10 during a deadline rush).
func (a *App) benchRoutes(e *echo.Echo) {
	if !a.cfg.Bench {
		return
	}
	e.Use(countQueries)
	e.GET("/bench/floor", func(c echo.Context) error { return c.String(http.StatusOK, "ok\n") })
	e.GET("/bench/pprof/profile", echo.WrapHandler(http.HandlerFunc(pprof.Profile)))
	e.GET("/bench/pprof/:name", func(c echo.Context) error {
		pprof.Handler(c.Param("name")).ServeHTTP(c.Response(), c.Request())
		return nil
	})
}

// countQueries counts the request's database statements into QueryCountHeader.
func countQueries(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		n := new(atomic.Int64)
		req := c.Request()
		c.SetRequest(req.WithContext(store.WithQueryCounter(req.Context(), n)))
		c.Response().Before(func() { c.Response().Header().Set(QueryCountHeader, strconv.FormatInt(n.Load(), 10)) })
		return next(c)
	}
}
