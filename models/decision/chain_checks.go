package decision

import (
	"sync"
	"time"

	"kimibv/models/audit"
)

// ChainChecks keeps the outcome of verifying a procedure chain per head hash, for a
// while: the head hash pins every entry before it, so the award record need not walk the
// whole chain on every render. The record states when its chain was verified
// (AwardRecord.Checked is the time of the kept check), so a kept outcome never claims a
// fresher check than it had; after maxAge the chain is walked again, which finds entries
// changed behind the append-only trigger's back. A nil *ChainChecks keeps nothing.
type ChainChecks struct {
	maxAge time.Duration
	mu     sync.Mutex
	kept   map[string]chainCheck // chain + " " + head hash
}

// chainCheck is one kept outcome, verified at checked (database clock) and kept at
// local time at.
type chainCheck struct {
	v       audit.Verification
	checked time.Time
	at      time.Time
}

// chainChecksLimit bounds the kept outcomes; when reached, all are dropped.
const chainChecksLimit = 1024

// NewChainChecks returns an empty store that trusts an outcome for maxAge.
func NewChainChecks(maxAge time.Duration) *ChainChecks {
	return &ChainChecks{maxAge: maxAge, kept: map[string]chainCheck{}}
}

// lookup returns the kept outcome for chain at head and when it was verified.
func (c *ChainChecks) lookup(chain, head string) (audit.Verification, time.Time, bool) {
	if c == nil || head == "" {
		return audit.Verification{}, time.Time{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	k, ok := c.kept[chain+" "+head]
	if !ok || time.Since(k.at) >= c.maxAge {
		return audit.Verification{}, time.Time{}, false
	}
	return k.v, k.checked, true
}

// keep stores the outcome v of verifying chain, read at head and verified at checked;
// an outcome whose own head differs from head (a concurrent append) is not kept.
func (c *ChainChecks) keep(chain, head string, v audit.Verification, checked time.Time) {
	if c == nil || head == "" || v.HeadHash != head {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.kept) >= chainChecksLimit {
		c.kept = map[string]chainCheck{}
	}
	c.kept[chain+" "+head] = chainCheck{v: v, checked: checked, at: time.Now()}
}
