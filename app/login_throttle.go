package app

import (
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// Login throttling per client address: the per-account lock-out (accounts.LockoutUntil) does
// not stop an attacker who tries one password against many addresses. After
// loginFailLimit refused login forms from one address within loginFailWindow, further
// login attempts from it are answered 429 until the window has passed, without checking
// the password (so no account is locked by them and no hash is computed).
const (
	loginFailLimit  = 20
	loginFailWindow = 15 * time.Minute
	loginMaxClients = 10000 // bound of the in-memory table
)

// loginThrottle counts refused logins per client address in memory (per instance).
type loginThrottle struct {
	mu      sync.Mutex
	now     func() time.Time
	clients map[string]*loginFailures
}

type loginFailures struct {
	count int
	since time.Time
}

func newLoginThrottle(now func() time.Time) *loginThrottle {
	return &loginThrottle{now: now, clients: map[string]*loginFailures{}}
}

// clientKey is the TCP peer's address. Forwarded headers are not trusted: behind a reverse
// proxy all clients share its address and the limit acts as a global back-off.
func clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// middleware refuses throttled clients with 429 and counts refused login forms (422).
func (l *loginThrottle) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		key := clientKey(c.Request())
		if wait := l.blockedFor(key); wait > 0 {
			c.Response().Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
			return &echo.HTTPError{Code: http.StatusTooManyRequests,
				Message: "Von Ihrem Anschluss gab es zu viele erfolglose Anmeldeversuche. Bitte warten Sie einige Minuten und versuchen Sie es dann erneut."}
		}
		err := next(c)
		if c.Response().Status == http.StatusUnprocessableEntity {
			l.fail(key)
		}
		return err
	}
}

// blockedFor returns how long key must still wait, or 0.
func (l *loginThrottle) blockedFor(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	f, found := l.clients[key]
	if !found {
		return 0
	}
	left := loginFailWindow - l.now().Sub(f.since)
	if left <= 0 {
		delete(l.clients, key)
		return 0
	}
	if f.count < loginFailLimit {
		return 0
	}
	return left
}

// fail counts one refused login of key.
func (l *loginThrottle) fail(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	f, found := l.clients[key]
	if !found || now.Sub(f.since) >= loginFailWindow {
		if len(l.clients) >= loginMaxClients {
			for k, old := range l.clients {
				if now.Sub(old.since) >= loginFailWindow {
					delete(l.clients, k)
				}
			}
		}
		if len(l.clients) >= loginMaxClients {
			return // table full of active attackers: the per-account lock still applies
		}
		f = &loginFailures{since: now}
		l.clients[key] = f
	}
	f.count++
}
