package app

import (
	"net"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"kimibv/models/accounts"
)

// ipExtractor returns how the client address is taken: from the TCP peer, or, when the
// peer is one of the trusted reverse proxies (KIMIBV_TRUSTED_PROXIES), from the
// X-Forwarded-For entries those proxies appended (the right-most address that is not a
// trusted proxy). No other address range is trusted implicitly, so a client cannot name
// its own address by sending the header directly.
func ipExtractor(trusted []*net.IPNet) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range trusted {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// throttleLogins refuses a client address with too many refused logins (429, rules.md
// R27) and counts every refused login form (422) of it; the count is shared by all
// instances (accounts.LoginThrottleWait). Behind a reverse proxy the address comes from
// ipExtractor.
func (a *App) throttleLogins(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, client := c.Request().Context(), c.RealIP()
		wait, err := accounts.LoginThrottleWait(ctx, a.db, client, a.now())
		if err != nil {
			return err
		}
		if wait > 0 {
			c.Response().Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
			return &echo.HTTPError{Code: http.StatusTooManyRequests,
				Message: "Von Ihrem Anschluss gab es zu viele erfolglose Anmeldeversuche. Bitte warten Sie einige Minuten und versuchen Sie es dann erneut."}
		}
		err = next(c)
		if c.Response().Status == http.StatusUnprocessableEntity {
			if ferr := accounts.RecordLoginFailure(ctx, a.db, client, a.now()); ferr != nil {
				a.log.Error("login throttle", "err", ferr)
			}
		}
		return err
	}
}
