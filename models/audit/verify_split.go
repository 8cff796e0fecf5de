package audit

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// splitMinEntries is the length from which one chain is read as two halves in parallel.
// PostgreSQL produces a COPY stream on one core; two streams let the database use a
// second one (a million entries: about 1.5 s of server time on this 2-core machine).
const splitMinEntries = 100_000

// chainCopyQuery is the binary COPY of one chain's entries (lit is the chain key, escaped
// for a string literal), restricted by the extra condition cond on seq if it is not "".
func chainCopyQuery(lit, cond string) string {
	where := `chain = '` + lit + `'`
	if cond != "" {
		where += ` AND ` + cond
	}
	return `COPY (SELECT ` + verifyColumns + ` FROM audit_log WHERE ` + where + ` ORDER BY seq) TO STDOUT (FORMAT binary)`
}

// verifySplit verifies head's chain as two segments, seq ≤ mid over tx's connection and
// seq > mid over a second pooled connection that imports tx's snapshot, and joins them
// into the Verification the sequential walk gives (segment.joinTo).
func verifySplit(ctx context.Context, sqlDB *sql.DB, tx pgx.Tx, head chainHead) (Verification, error) {
	v := Verification{Chain: head.chain, HeadHash: GenesisHash}
	lit, err := tx.Conn().PgConn().EscapeString(head.chain)
	if err != nil {
		return v, fmt.Errorf("read chain %s: %w", head.chain, err)
	}
	var snapshot string
	if err := tx.QueryRow(ctx, `SELECT pg_export_snapshot()`).Scan(&snapshot); err != nil {
		return v, fmt.Errorf("read chain %s: %w", head.chain, err)
	}
	mid := head.seq / 2
	var first, second segment
	secondDone := make(chan error, 1)
	go func() {
		secondDone <- readSegment(ctx, sqlDB, snapshot, chainCopyQuery(lit, fmt.Sprintf("seq > %d", mid)), &second)
	}()
	err = streamVerify(ctx, tx.Conn().PgConn(), chainCopyQuery(lit, fmt.Sprintf("seq <= %d", mid)), &first)
	if err2 := <-secondDone; err == nil {
		err = err2
	}
	if err != nil {
		return v, fmt.Errorf("read chain %s: %w", head.chain, err)
	}
	c := newChainCheck(head.chain)
	first.joinTo(c)
	second.joinTo(c)
	return c.finish(head), nil
}

// readSegment streams query into seg over a pooled connection inside a read-only
// transaction on the exported snapshot.
func readSegment(ctx context.Context, sqlDB *sql.DB, snapshot, query string, seg *segment) error {
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(driverConn any) error {
		sc, ok := driverConn.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("second connection: driver %T is not pgx", driverConn)
		}
		tx, err := sc.Conn().BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
		if err != nil {
			return err
		}
		defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
		if _, err := tx.Exec(ctx, `SET TRANSACTION SNAPSHOT '`+snapshot+`'`); err != nil {
			return fmt.Errorf("import snapshot: %w", err)
		}
		if err := streamVerify(ctx, tx.Conn().PgConn(), query, seg); err != nil {
			return err
		}
		return tx.Commit(ctx)
	})
}

// segment is a run of a chain's entries checked without knowing what came before: its
// first entry is kept for the check at the join, the rest are checked against each other.
type segment struct {
	n                    int64
	firstSeq             int64
	firstPrev, firstHash []byte
	firstOK              bool
	rest                 chainCheck
}

func (s *segment) entry(e *rawEntry, hashOK bool) {
	if s.n == 0 {
		s.firstSeq, s.firstOK = e.seq, hashOK
		s.firstPrev, s.firstHash = append([]byte(nil), e.prevHash...), append([]byte(nil), e.hash...)
		s.rest = chainCheck{v: Verification{OK: true}, prev: append([]byte(nil), e.hash...), want: e.seq + 1}
	} else {
		s.rest.add(e.seq, e.prevHash, e.hash, hashOK)
	}
	s.n++
}

// joinTo continues c with the segment: its first entry is checked against c's end as in
// the sequential walk, and the first problem among the rest counts only if c has none.
func (s *segment) joinTo(c *chainCheck) {
	if s.n == 0 {
		return
	}
	c.add(s.firstSeq, s.firstPrev, s.firstHash, s.firstOK)
	if c.v.OK && !s.rest.v.OK {
		c.v.fail(s.rest.v.BrokenSeq, s.rest.v.Problem)
	}
	c.prev = append(c.prev[:0], s.rest.prev...)
	c.want = s.rest.want
	c.v.Entries += s.rest.v.Entries
}
