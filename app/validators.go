package app

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"kimibv/models/decision"
	"kimibv/models/store"
)

// PublicChannel is the PostgreSQL channel on which the database announces changes of
// the public pages' validators (migration 00065): "calls" for the call list, "call:<id>"
// for a call's row or procedure chain. Sealed bid trails never notify.
const PublicChannel = "kimibv_public"

// DefaultValidatorMaxAge bounds how long a validator kept in memory is trusted without
// a notification: an entry older than this is read again from the database, so a lost
// notification delays a change by at most this long.
const DefaultValidatorMaxAge = 5 * time.Second

// validatorLimit bounds the number of kept validators (a call has several addresses:
// number, reference, number with leading zeros); when it is reached all are dropped.
const validatorLimit = 4096

// validators keeps the sources of the public pages' validators in memory, so that an
// anonymous visitor's request answered from the page cache or with 304 costs no database
// query. It trusts its entries only while the LISTEN connection (ListenForChanges) is
// up: it drops them on every (re)connect and disconnect, because notifications may have
// been lost in between, and without a connection every request reads the database. An
// entry is also read again once it is older than maxAge (a notification lost without the
// connection failing). The validators themselves are computed exactly as before from
// public state only (decision.ReadCallStampSource, PublicCallsStamp, AwardRecordStamp).
type validators struct {
	maxAge  time.Duration
	mu      sync.RWMutex
	live    bool   // the LISTEN connection is up
	gen     uint64 // counts invalidations; a read that overlaps one is not kept
	entries map[string]validatorEntry
}

// validatorEntry is one kept validator source with the call it belongs to (0: the list)
// and when it was read.
type validatorEntry struct {
	val    any
	callID int64
	read   time.Time
}

// newValidators returns an empty, not yet live store of validators.
func newValidators(maxAge time.Duration) *validators {
	if maxAge <= 0 {
		maxAge = DefaultValidatorMaxAge
	}
	return &validators{maxAge: maxAge, entries: map[string]validatorEntry{}}
}

// Connected makes the store live with no entries (store.ListenHandler).
func (v *validators) Connected() { v.reset(true) }

// Disconnected stops trusting anything kept (store.ListenHandler).
func (v *validators) Disconnected(error) { v.reset(false) }

func (v *validators) reset(live bool) {
	v.mu.Lock()
	v.live, v.gen, v.entries = live, v.gen+1, map[string]validatorEntry{}
	v.mu.Unlock()
}

// Notify drops what payload names: "calls" the list, "call:<id>" every entry of that
// call; anything else drops everything (store.ListenHandler).
func (v *validators) Notify(payload string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.gen++
	if payload == "calls" {
		delete(v.entries, "calls")
		return
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(payload, "call:"), 10, 64)
	if !strings.HasPrefix(payload, "call:") || err != nil {
		v.entries = map[string]validatorEntry{}
		return
	}
	for k, e := range v.entries {
		if e.callID == id {
			delete(v.entries, k)
		}
	}
}

// keptValidator returns the entry under key if it is younger than maxAge, else reads it
// with read (which also names the call it belongs to) and keeps it, unless the store is
// not live or an invalidation happened during the read.
func keptValidator[T any](v *validators, key string, read func() (T, int64, error)) (T, error) {
	if val, ok := peekValidator[T](v, key); ok {
		return val, nil
	}
	start := time.Now()
	v.mu.RLock()
	live, gen := v.live, v.gen
	v.mu.RUnlock()
	val, callID, err := read()
	if err != nil || !live {
		return val, err
	}
	v.mu.Lock()
	if v.live && v.gen == gen {
		if len(v.entries) >= validatorLimit {
			v.entries = map[string]validatorEntry{}
		}
		v.entries[key] = validatorEntry{val: val, callID: callID, read: start}
	}
	v.mu.Unlock()
	return val, nil
}

// ListenForChanges keeps the LISTEN connection on PublicChannel until ctx ends; while
// it runs, the public pages' validators are served from memory (validators). Without
// it every request reads its validator from the database.
func (a *App) ListenForChanges(ctx context.Context) error {
	return store.Listen(ctx, a.store, PublicChannel, a.validators, a.log)
}

// callsStamp is the call list's validator (decision.PublicCallsStamp), kept in memory.
func (a *App) callsStamp(ctx context.Context) (decision.PageStamp, error) {
	return keptValidator(a.validators, "calls", func() (decision.PageStamp, int64, error) {
		s, err := decision.PublicCallsStamp(ctx, a.db)
		return s, 0, err
	})
}

// callStamp is a public call page's validator at now (decision.CallStamp); the source
// is kept in memory, the clock-dependent part is derived per request.
func (a *App) callStamp(ctx context.Context, idOrRef string, now time.Time) (decision.PageStamp, error) {
	src, err := keptValidator(a.validators, "call "+idOrRef, func() (decision.CallStampSource, int64, error) {
		s, err := decision.ReadCallStampSource(ctx, a.db, idOrRef)
		return s, s.ID, err
	})
	if err != nil {
		return decision.PageStamp{}, err
	}
	return src.Stamp(now), nil
}

// awardStamp is an award record's validator (decision.AwardRecordStamp), kept in memory.
func (a *App) awardStamp(ctx context.Context, idOrRef string) (decision.AwardStamp, error) {
	return keptValidator(a.validators, "award "+idOrRef, func() (decision.AwardStamp, int64, error) {
		s, err := decision.AwardRecordStamp(ctx, a.db, idOrRef)
		return s, s.CallID, err
	})
}

// forgetAfterWrites drops the kept validators when a write request of this instance
// (any method but GET and HEAD) ends, so that whoever asks this instance right after the
// answer sees the change even before the notification arrives; other instances learn it
// from the notification. Bid actions (the provider's /traeger/…/bewerbungen area) never
// touch the validators: a public page may not even cost differently because a bid was
// saved before the opening.
func (a *App) forgetAfterWrites(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		m := c.Request().Method
		if m == http.MethodGet || m == http.MethodHead || isBidPath(c.Request().URL.Path) {
			return next(c)
		}
		defer a.validators.forget()
		return next(c)
	}
}

// isBidPath reports whether path lies in the provider's bid area /traeger/ORG/bewerbungen.
func isBidPath(path string) bool {
	rest, ok := strings.CutPrefix(path, "/traeger/")
	if !ok {
		return false
	}
	_, rest, ok = strings.Cut(rest, "/")
	return ok && (rest == "bewerbungen" || strings.HasPrefix(rest, "bewerbungen/"))
}

// forget drops every kept validator; the store stays live.
func (v *validators) forget() {
	v.mu.Lock()
	v.gen, v.entries = v.gen+1, map[string]validatorEntry{}
	v.mu.Unlock()
}
