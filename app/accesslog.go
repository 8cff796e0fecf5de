package app

import (
	"time"

	"github.com/labstack/echo/v4"
)

// accessLog writes one structured line per request.
func (a *App) accessLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		req, res := c.Request(), c.Response()
		a.metrics.observe(c, time.Since(start))
		a.log.Info("request", "method", req.Method, "path", req.URL.Path, "status", res.Status,
			"bytes", res.Size, "duration_ms", time.Since(start).Milliseconds(),
			"request_id", res.Header().Get(echo.HeaderXRequestID), "remote", c.RealIP())
		return nil
	}
}
