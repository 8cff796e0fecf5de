package audit

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"sync"

	"github.com/jackc/pgx/v5/pgconn"
)

// The COPY stream is parsed by the goroutine that reads the connection into batches of
// rows; GOMAXPROCS workers hash the batches in parallel, and one checker goroutine takes
// the batches in their original order and follows the links (chainCheck). At most
// about batchesPerProcs × GOMAXPROCS batches exist at a time, so memory stays bounded
// whatever the length of the chain.
const (
	batchRows       = 2048
	batchBytes      = 1 << 20
	batchesPerProcs = 3
)

// rawEntry is one audit_log row as it arrived; its byte slices point into its batch.
type rawEntry struct {
	chain, action, objectType, objectID, details, prevHash, hash []byte
	seq, micros, actor, tenant                                   int64
	hasActor, hasTenant                                          bool
}

// batch is a run of consecutive rows with the results of their hashing.
type batch struct {
	buf     []byte
	entries []rawEntry
	hashOK  []bool
	done    chan struct{}
}

// rowSink takes the rows of a COPY stream in order with the result of their hashing.
type rowSink interface {
	entry(e *rawEntry, hashOK bool)
}

// streamVerify runs query (a binary COPY of verifyColumns) on conn and feeds every row to
// sink in order, hashing in parallel.
func streamVerify(ctx context.Context, conn *pgconn.PgConn, query string, sink rowSink) error {
	workers := runtime.GOMAXPROCS(0)
	inFlight := workers * batchesPerProcs
	work := make(chan *batch, inFlight)
	ordered := make(chan *batch, inFlight)
	free := make(chan *batch, inFlight+2)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			h := hasher{}
			for b := range work {
				for i := range b.entries {
					b.hashOK[i] = h.matches(&b.entries[i])
				}
				close(b.done)
			}
		})
	}
	checked := make(chan struct{})
	go func() {
		defer close(checked)
		for b := range ordered {
			<-b.done
			for i := range b.entries {
				sink.entry(&b.entries[i], b.hashOK[i])
			}
			select {
			case free <- b:
			default:
			}
		}
	}()
	p := &copyParser{dispatch: func(b *batch) {
		b.done = make(chan struct{})
		b.hashOK = b.hashOK[:len(b.entries)]
		ordered <- b
		work <- b
	}, fresh: func() *batch {
		select {
		case b := <-free:
			b.buf, b.entries = b.buf[:0], b.entries[:0]
			return b
		default:
			return &batch{buf: make([]byte, 0, batchBytes), entries: make([]rawEntry, 0, batchRows), hashOK: make([]bool, batchRows)}
		}
	}}
	_, err := conn.CopyTo(ctx, p, query)
	if err == nil {
		err = p.finish()
	}
	close(work)
	close(ordered)
	wg.Wait()
	<-checked
	if err != nil {
		return fmt.Errorf("read audit chains: %w", err)
	}
	return nil
}

// checker splits the ordered rows into chains and reports each chain's Verification,
// including the chains without entries, in the order of heads.
type checker struct {
	heads []chainHead
	index map[string]int
	next  int
	cur   *chainCheck
	head  chainHead
	skip  []byte
	each  func(Verification) error
	err   error
}

func newChecker(heads []chainHead, each func(Verification) error) *checker {
	index := make(map[string]int, len(heads))
	for i, h := range heads {
		index[h.chain] = i
	}
	return &checker{heads: heads, index: index, each: each}
}

// entry takes the next row in (chain, seq) order.
func (k *checker) entry(e *rawEntry, hashOK bool) {
	if k.err != nil {
		return
	}
	if k.cur == nil || string(e.chain) != k.cur.v.Chain {
		if k.skip != nil && bytes.Equal(e.chain, k.skip) {
			return
		}
		k.emitCurrent()
		i, ok := k.index[string(e.chain)]
		switch {
		case !ok: // not listed in audit_chains (the foreign key prevents it): not asked for
			k.skip = append(k.skip[:0], e.chain...)
			return
		case i < k.next:
			k.err = fmt.Errorf("verify audit chains: rows of chain %q arrive out of order", e.chain)
			return
		}
		k.emitEmptyUpTo(i)
		k.head, k.cur, k.next = k.heads[i], newChainCheck(k.heads[i].chain), i+1
	}
	k.cur.add(e.seq, e.prevHash, e.hash, hashOK)
}

func (k *checker) emitCurrent() {
	if k.cur != nil {
		k.report(k.cur.finish(k.head))
		k.cur = nil
	}
}

// emitEmptyUpTo reports the chains before heads[i] that have no entries.
func (k *checker) emitEmptyUpTo(i int) {
	for ; k.next < i; k.next++ {
		k.report(newChainCheck(k.heads[k.next].chain).finish(k.heads[k.next]))
	}
}

func (k *checker) report(v Verification) {
	if k.err == nil {
		k.err = k.each(v)
	}
}

// close reports the last chain and the chains without entries after it.
func (k *checker) close() error {
	if k.err == nil {
		k.emitCurrent()
		k.emitEmptyUpTo(len(k.heads))
	}
	return k.err
}
