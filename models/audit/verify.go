package audit

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"
)

// Verification is the outcome of re-computing one chain.
type Verification struct {
	Chain     string
	Entries   int64
	HeadHash  string
	OK        bool
	BrokenSeq int64
	Problem   string
}

func (v *Verification) fail(seq int64, problem string) {
	v.OK, v.BrokenSeq, v.Problem = false, seq, problem
}

// verifyColumns are the audit_log columns in the order both read paths use.
const verifyColumns = `chain, seq, created_at, actor_id, tenant_id, action, object_type, object_id, details, prev_hash, hash`

// VerifyChain walks chain in sequence order, recomputes every hash and link, and compares
// the end with the stored head. It names the first broken entry.
//
// Given the connection pool it reads the chain with one binary COPY inside a read-only
// REPEATABLE READ transaction (entries and head from the same snapshot) and hashes the
// entries in parallel (verify_stream.go); given a transaction it streams the rows through
// that transaction. Both paths give the same Verification.
func VerifyChain(ctx context.Context, db *gorm.DB, chain string) (Verification, error) {
	if strings.ContainsRune(chain, 0) {
		return Verification{Chain: chain, HeadHash: GenesisHash}, fmt.Errorf("read chain %q: key contains a NUL byte", chain)
	}
	if sqlDB, ok := poolOf(db); ok {
		var v Verification
		done, err := verifyByCopy(ctx, sqlDB, chain, func(got Verification) error { v = got; return nil })
		if err != nil {
			return Verification{Chain: chain, HeadHash: GenesisHash}, err
		}
		if done {
			return v, nil
		}
	}
	return verifyByRows(ctx, db, chain)
}

// VerifyAllChains verifies every chain listed in audit_chains, in the order of Chains, in
// one pass over audit_log, and calls each with every chain's Verification as soon as it is
// complete. It returns the number of chains; an error of each ends the pass.
func VerifyAllChains(ctx context.Context, db *gorm.DB, each func(Verification) error) (int, error) {
	n := 0
	count := func(v Verification) error { n++; return each(v) }
	if sqlDB, ok := poolOf(db); ok {
		if done, err := verifyByCopy(ctx, sqlDB, "", count); done || err != nil {
			return n, err
		}
	}
	chains, err := Chains(ctx, db)
	if err != nil {
		return 0, err
	}
	for _, ch := range chains {
		v, err := verifyByRows(ctx, db, ch)
		if err != nil {
			return n, err
		}
		if err := count(v); err != nil {
			return n, err
		}
	}
	return n, nil
}

// poolOf returns the connection pool behind db unless db is bound to a transaction
// (whose snapshot and uncommitted rows only its own connection sees).
func poolOf(db *gorm.DB) (*sql.DB, bool) {
	pool := db.ConnPool
	if db.Statement != nil && db.Statement.ConnPool != nil {
		pool = db.Statement.ConnPool
	}
	sqlDB, ok := pool.(*sql.DB)
	return sqlDB, ok && sqlDB != nil
}

// chainHead is a chain's stored head; exists is false for a chain without a head row.
type chainHead struct {
	chain  string
	seq    int64
	hash   string
	exists bool
}

// verifyByCopy verifies one chain (or all, for chain "") over one pooled pgx connection.
// It reports done false, and does nothing, if the pool's driver is not pgx.
func verifyByCopy(ctx context.Context, sqlDB *sql.DB, chain string, each func(Verification) error) (done bool, err error) {
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return false, fmt.Errorf("verify audit chains: %w", err)
	}
	defer conn.Close()
	err = conn.Raw(func(driverConn any) error {
		sc, ok := driverConn.(*stdlib.Conn)
		if !ok {
			return nil
		}
		done = true
		tx, err := sc.Conn().BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
		if err != nil {
			return fmt.Errorf("verify audit chains: %w", err)
		}
		defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
		heads, query, err := headsAndCopyQuery(ctx, tx, chain)
		if err != nil {
			return err
		}
		if chain != "" && heads[0].exists && heads[0].seq >= splitMinEntries && runtime.GOMAXPROCS(0) > 1 {
			v, err := verifySplit(ctx, sqlDB, tx, heads[0])
			if err != nil {
				return err
			}
			if err := each(v); err != nil {
				return err
			}
		} else {
			chk := newChecker(heads, each)
			if err := streamVerify(ctx, tx.Conn().PgConn(), query, chk); err != nil {
				return err
			}
			if err := chk.close(); err != nil {
				return err
			}
		}
		if err := tx.Commit(ctx); err != nil {
			return fmt.Errorf("verify audit chains: %w", err)
		}
		return nil
	})
	return done, err
}

// headsAndCopyQuery reads the stored heads of the chains to verify and returns the COPY
// statement that streams their entries in (chain, seq) order, the primary key's order.
func headsAndCopyQuery(ctx context.Context, tx pgx.Tx, chain string) ([]chainHead, string, error) {
	if chain != "" {
		h := chainHead{chain: chain}
		err := tx.QueryRow(ctx, `SELECT head_seq, head_hash FROM audit_chains WHERE chain = $1`, chain).Scan(&h.seq, &h.hash)
		switch {
		case err == nil:
			h.exists = true
		case !errors.Is(err, pgx.ErrNoRows):
			return nil, "", fmt.Errorf("read chain head %s: %w", chain, err)
		}
		lit, err := tx.Conn().PgConn().EscapeString(chain)
		if err != nil {
			return nil, "", fmt.Errorf("read chain %s: %w", chain, err)
		}
		return []chainHead{h}, chainCopyQuery(lit, ""), nil
	}
	rows, err := tx.Query(ctx, `SELECT chain, head_seq, head_hash FROM audit_chains ORDER BY chain`)
	if err != nil {
		return nil, "", fmt.Errorf("list chains: %w", err)
	}
	var heads []chainHead
	for rows.Next() {
		h := chainHead{exists: true}
		if err := rows.Scan(&h.chain, &h.seq, &h.hash); err != nil {
			rows.Close()
			return nil, "", fmt.Errorf("list chains: %w", err)
		}
		heads = append(heads, h)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("list chains: %w", err)
	}
	return heads, `COPY (SELECT ` + verifyColumns + ` FROM audit_log ORDER BY chain, seq) TO STDOUT (FORMAT binary)`, nil
}

// verifyByRows verifies chain through db's own connection, one row at a time.
func verifyByRows(ctx context.Context, db *gorm.DB, chain string) (Verification, error) {
	c := newChainCheck(chain)
	rows, err := db.WithContext(ctx).Raw(`SELECT `+verifyColumns+` FROM audit_log WHERE chain = ? ORDER BY seq`, chain).Rows()
	if err != nil {
		return c.v, fmt.Errorf("read chain %s: %w", chain, err)
	}
	defer rows.Close()
	for rows.Next() {
		var e AuditEntry
		if err := rows.Scan(&e.Chain, &e.Seq, &e.CreatedAt, &e.ActorID, &e.TenantID, &e.Action, &e.ObjectType, &e.ObjectID, &e.Details, &e.PrevHash, &e.Hash); err != nil {
			return c.v, fmt.Errorf("scan chain %s: %w", chain, err)
		}
		c.add(e.Seq, []byte(e.PrevHash), []byte(e.Hash), !c.v.OK || EntryHash(e) == e.Hash)
	}
	if err := rows.Err(); err != nil {
		return c.v, fmt.Errorf("read chain %s: %w", chain, err)
	}
	h := chainHead{chain: chain}
	res := db.WithContext(ctx).Raw(`SELECT head_seq, head_hash FROM audit_chains WHERE chain = ?`, chain).Row()
	switch err := res.Scan(&h.seq, &h.hash); {
	case err == nil:
		h.exists = true
	case !errors.Is(err, sql.ErrNoRows):
		return c.v, fmt.Errorf("read chain head %s: %w", chain, err)
	}
	return c.finish(h), nil
}

// chainCheck follows one chain in sequence order; it keeps only the previous hash.
type chainCheck struct {
	v    Verification
	prev []byte
	want int64
}

func newChainCheck(chain string) *chainCheck {
	return &chainCheck{v: Verification{Chain: chain, OK: true}, prev: []byte(GenesisHash), want: 1}
}

// add takes the next entry; hashOK says whether its stored hash matches its content.
// The first problem found wins, checked in the order gap, link, content.
func (c *chainCheck) add(seq int64, prevHash, hash []byte, hashOK bool) {
	if c.v.OK {
		switch {
		case seq != c.want:
			c.v.fail(c.want, fmt.Sprintf("Eintrag %d fehlt (gefunden: %d)", c.want, seq))
		case !bytes.Equal(prevHash, c.prev):
			c.v.fail(seq, "Verkettung gebrochen: vorheriger Hash stimmt nicht")
		case !hashOK:
			c.v.fail(seq, "Inhalt verändert: Hash stimmt nicht")
		}
	}
	c.prev = append(c.prev[:0], hash...)
	c.want = seq + 1
	c.v.Entries++
}

// finish compares the end of the chain with its stored head and returns the outcome.
func (c *chainCheck) finish(h chainHead) Verification {
	c.v.HeadHash = string(c.prev)
	if c.v.OK && h.exists && (h.seq != c.want-1 || h.hash != c.v.HeadHash) {
		c.v.fail(h.seq, "Kettenkopf stimmt nicht mit dem letzten Eintrag überein (Einträge entfernt?)")
	}
	return c.v
}
