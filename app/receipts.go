package app

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"kimibv/models/bids"
	"kimibv/models/vault"
)

// receiptIssuer issues Eingangsbestätigungen after their submission committed, outside
// the submitting request: on deadline day a provider's submission is acknowledged as soon
// as it is stored, and the PDFs are rendered one at a time while no submission is arriving
// (deferred at most receiptDefer), instead of competing with the submissions for the
// processor. Pages of a receipt wait for one this process is still issuing; the "receipts"
// job issues any left over (the process ended in between, or another instance took the
// submission). The 503 for an owed PDF gets its Retry-After from handleError.
type receiptIssuer struct {
	mu       sync.Mutex
	inFlight map[receiptKey]chan struct{}
	slot     chan struct{} // one renderer at a time
	wg       sync.WaitGroup
	lastSub  atomic.Int64 // UnixNano of the latest submission this process received
}

type receiptKey struct {
	bid     int64
	version int
}

// receiptTimeout bounds one issuance started after a submission.
const receiptTimeout = 2 * time.Minute

// receiptWait is how long a receipt page waits for a receipt this process is issuing.
const receiptWait = 5 * time.Second

// receiptQuiet is the pause in arriving submissions the renderer waits for, and
// receiptDefer the longest it defers a receipt for that.
const (
	receiptQuiet = 200 * time.Millisecond
	receiptDefer = time.Minute
)

func newReceiptIssuer() *receiptIssuer {
	return &receiptIssuer{inFlight: map[receiptKey]chan struct{}{}, slot: make(chan struct{}, 1)}
}

// submissionArrived notes that a submission arrived (the renderer defers to it).
func (a *App) submissionArrived() { a.receipts.lastSub.Store(time.Now().UnixNano()) }

// awaitQuiet waits until no submission has arrived for receiptQuiet, at most receiptDefer
// after since.
func (r *receiptIssuer) awaitQuiet(since time.Time) {
	for time.Since(since) < receiptDefer {
		idle := time.Since(time.Unix(0, r.lastSub.Load()))
		if idle >= receiptQuiet {
			return
		}
		time.Sleep(receiptQuiet - idle)
	}
}

// issueReceiptSoon issues the receipt of a committed version in the background.
func (a *App) issueReceiptSoon(vlt *vault.Vault, bidID int64, version int) {
	r, key, done, queued := a.receipts, receiptKey{bidID, version}, make(chan struct{}), time.Now()
	r.mu.Lock()
	if _, busy := r.inFlight[key]; busy {
		r.mu.Unlock()
		return
	}
	r.inFlight[key] = done
	r.mu.Unlock()
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		defer func() {
			r.mu.Lock()
			delete(r.inFlight, key)
			r.mu.Unlock()
			close(done)
		}()
		r.slot <- struct{}{}
		defer func() { <-r.slot }()
		r.awaitQuiet(queued)
		ctx, cancel := context.WithTimeout(context.Background(), receiptTimeout)
		defer cancel()
		if err := bids.IssueBidReceipt(ctx, a.db, vlt, bidID, version, a.cfg.BaseURL, a.docs); err != nil {
			a.log.Error("issue bid receipt (the receipts job tries again)", "bid", bidID, "version", version, "err", err)
		}
	}()
}

// awaitReceipt waits until a receipt this process is issuing is done, at most receiptWait
// or until ctx ends; it returns at once when none is in flight.
func (a *App) awaitReceipt(ctx context.Context, bidID int64, version int) {
	a.receipts.mu.Lock()
	done := a.receipts.inFlight[receiptKey{bidID, version}]
	a.receipts.mu.Unlock()
	if done == nil {
		return
	}
	select {
	case <-done:
	case <-ctx.Done():
	case <-time.After(receiptWait):
	}
}

// WaitReceipts waits at most d until the receipts being issued in the background are done
// (shutdown, tests) and reports whether they are.
func (a *App) WaitReceipts(d time.Duration) bool {
	done := make(chan struct{})
	go func() { a.receipts.wg.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}

// owedReceiptsJob issues receipts owed for more than a minute (rules.md R3: every
// receipted version gets its Eingangsbestätigung).
func (a *App) owedReceiptsJob(ctx context.Context) error {
	vlt, err := a.vault()
	if err != nil {
		return nil // without the master key nothing can be issued; the pages say so
	}
	n, err := bids.IssueOwedReceipts(ctx, a.db, vlt, a.cfg.BaseURL, a.docs, time.Minute, 50)
	if n > 0 {
		a.log.Info("owed receipts issued", "count", n)
	}
	return err
}
