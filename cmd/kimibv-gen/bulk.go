package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5"

	"kimibv/models/audit"
)

// nextIDs draws n values from the identity sequence of table.id.
func nextIDs(ctx context.Context, tx pgx.Tx, table string, n int) ([]int64, error) {
	rows, err := tx.Query(ctx, `SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2)`, table, n)
	if err != nil {
		return nil, fmt.Errorf("ids for %s: %w", table, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("ids for %s: %w", table, err)
	}
	return ids, nil
}

// copyRows bulk-inserts rows into table.
func copyRows(ctx context.Context, tx pgx.Tx, table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("copy %s: %w", table, err)
	}
	return nil
}

var auditCols = []string{"chain", "seq", "created_at", "actor_id", "tenant_id", "action", "object_type", "object_id", "details", "prev_hash", "hash"}

// chainAppender appends entries to one audit chain exactly as audit.Audit does (same
// canonical encoding and hash), but streams them into COPY. Times come from the database
// clock at the start plus one microsecond per entry, so that they are strictly increasing.
type chainAppender struct {
	chain string
	seq   int64
	prev  string
	at    time.Time
	err   error
	pend  []audit.Event
	out   io.Writer // optional: receives each canonical encoding followed by "\n"
}

// openChain locks (or creates) the chain head inside tx.
func openChain(ctx context.Context, tx pgx.Tx, chain string) (*chainAppender, error) {
	a := &chainAppender{chain: chain}
	err := tx.QueryRow(ctx, `INSERT INTO audit_chains (chain) VALUES ($1)
		ON CONFLICT (chain) DO UPDATE SET chain = EXCLUDED.chain
		RETURNING head_seq, head_hash, clock_timestamp()`, chain).Scan(&a.seq, &a.prev, &a.at)
	if err != nil {
		return nil, fmt.Errorf("lock chain %s: %w", chain, err)
	}
	a.at = a.at.UTC().Truncate(time.Microsecond)
	return a, nil
}

// add queues an event.
func (a *chainAppender) add(ev audit.Event) { a.pend = append(a.pend, ev) }

// next builds the next entry from ev.
func (a *chainAppender) next(ev audit.Event) (audit.AuditEntry, error) {
	details, err := audit.CanonicalDetails(ev.Details)
	if err != nil {
		return audit.AuditEntry{}, err
	}
	a.seq++
	a.at = a.at.Add(time.Microsecond)
	e := audit.AuditEntry{Chain: a.chain, Seq: a.seq, CreatedAt: a.at, ActorID: optID(ev.ActorID), TenantID: optID(ev.TenantID),
		Action: ev.Action, ObjectType: ev.ObjectType, ObjectID: ev.ObjectID, Details: details, PrevHash: a.prev}
	if a.out != nil {
		if _, err := a.out.Write(append(audit.CanonicalEntry(e), '\n')); err != nil {
			return e, fmt.Errorf("export: %w", err)
		}
	}
	e.Hash = audit.EntryHash(e)
	a.prev = e.Hash
	return e, nil
}

// flush writes the queued events and the new head.
func (a *chainAppender) flush(ctx context.Context, tx pgx.Tx) error {
	rows := make([][]any, 0, len(a.pend))
	for _, ev := range a.pend {
		e, err := a.next(ev)
		if err != nil {
			return err
		}
		rows = append(rows, entryRow(e))
	}
	a.pend = a.pend[:0]
	if err := copyRows(ctx, tx, "audit_log", auditCols, rows); err != nil {
		return err
	}
	return a.writeHead(ctx, tx)
}

func (a *chainAppender) writeHead(ctx context.Context, tx pgx.Tx) error {
	if _, err := tx.Exec(ctx, `UPDATE audit_chains SET head_seq = $1, head_hash = $2 WHERE chain = $3`, a.seq, a.prev, a.chain); err != nil {
		return fmt.Errorf("chain head %s: %w", a.chain, err)
	}
	return nil
}

// freshChains starts one new chain per event (ev.Chain, which must not exist yet) with
// that event as its first entry, and writes entries and heads with one COPY each.
func freshChains(ctx context.Context, tx pgx.Tx, evs []audit.Event) error {
	var at time.Time
	if err := tx.QueryRow(ctx, `SELECT clock_timestamp()`).Scan(&at); err != nil {
		return fmt.Errorf("clock: %w", err)
	}
	entries, heads := make([][]any, 0, len(evs)), make([][]any, 0, len(evs))
	for _, ev := range evs {
		a := &chainAppender{chain: ev.Chain, prev: audit.GenesisHash, at: at.UTC().Truncate(time.Microsecond)}
		e, err := a.next(ev)
		if err != nil {
			return err
		}
		entries = append(entries, entryRow(e))
		heads = append(heads, []any{e.Chain, e.Seq, e.Hash})
	}
	if err := copyRows(ctx, tx, "audit_chains", []string{"chain", "head_seq", "head_hash"}, heads); err != nil {
		return err
	}
	return copyRows(ctx, tx, "audit_log", auditCols, entries)
}

func entryRow(e audit.AuditEntry) []any {
	return []any{e.Chain, e.Seq, e.CreatedAt, e.ActorID, e.TenantID, e.Action, e.ObjectType, e.ObjectID, e.Details, e.PrevHash, e.Hash}
}

func optID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}
