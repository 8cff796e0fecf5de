package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"kimibv/models/core"
)

// GenesisHash is the previous hash of the first entry of every chain.
var GenesisHash = strings.Repeat("0", 64)

// AuditTimeLayout fixes the time's text in the hash input (UTC, microseconds as stored).
const AuditTimeLayout = "2006-01-02T15:04:05.000000Z"

// ChainPlatform is the chain for accounts, organisations and operator actions.
const ChainPlatform = "platform"

// TenantChain names the audit chain of a Kreis's administration.
func TenantChain(tenantID int64) string { return "kreis:" + strconv.FormatInt(tenantID, 10) }

// CallChain names the audit chain of one procedure (call for interest).
func CallChain(callID int64) string { return "call:" + strconv.FormatInt(callID, 10) }

// AuditEntry is one row of the audit trail.
type AuditEntry struct {
	Chain      string `gorm:"primaryKey"`
	Seq        int64  `gorm:"primaryKey"`
	CreatedAt  time.Time
	ActorID    *int64
	TenantID   *int64
	Action     string
	ObjectType string
	ObjectID   string
	Details    string
	PrevHash   string
	Hash       string
}

// TableName maps AuditEntry to audit_log.
func (AuditEntry) TableName() string { return "audit_log" }

// Event is what a use case records: who did what to which object, with details.
// ActorID and TenantID 0 mean "system" and "no Kreis".
type Event struct {
	Chain      string
	ActorID    int64
	TenantID   int64
	Action     string
	ObjectType string
	ObjectID   string
	Details    map[string]any
}

// CanonicalDetails encodes details as JSON with sorted keys, the form that is hashed and stored.
func CanonicalDetails(details map[string]any) (string, error) {
	if len(details) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(details)
	if err != nil {
		return "", fmt.Errorf("encode audit details: %w", err)
	}
	return string(b), nil
}

// CanonicalEntry returns the exact bytes that are hashed for an entry: a JSON array
// with a version tag and every field in a fixed order.
func CanonicalEntry(e AuditEntry) []byte {
	var actor, tenant any
	if e.ActorID != nil {
		actor = *e.ActorID
	}
	if e.TenantID != nil {
		tenant = *e.TenantID
	}
	b, _ := json.Marshal([]any{"kimibv-audit-v1", e.Chain, e.Seq, e.CreatedAt.UTC().Format(AuditTimeLayout),
		actor, tenant, e.Action, e.ObjectType, e.ObjectID, e.Details, e.PrevHash})
	return b
}

// EntryHash is the hex SHA-256 of the entry's canonical encoding (which includes the previous hash).
func EntryHash(e AuditEntry) string {
	sum := sha256.Sum256(CanonicalEntry(e))
	return hex.EncodeToString(sum[:])
}

func OptionalID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// Audit appends ev to its chain inside tx. It locks the chain's head row (creating it on
// first use) so that entries of one chain are serialised while other chains proceed,
// and takes the time from the database clock (shifted only for the demonstration,
// core.WithClockOffset).
func Audit(tx *gorm.DB, ev Event) (AuditEntry, error) {
	if ev.Chain == "" || ev.Action == "" {
		return AuditEntry{}, fmt.Errorf("audit: chain and action are required")
	}
	details, err := CanonicalDetails(ev.Details)
	if err != nil {
		return AuditEntry{}, err
	}
	if IsSealedChain(ev.Chain) {
		ev.TenantID = 0 // a sealed trail belongs to no Kreis until its opening (SealedBidChain)
	}
	var head struct {
		HeadSeq  int64
		HeadHash string
		Now      time.Time
	}
	err = tx.Raw(`INSERT INTO audit_chains (chain) VALUES (?)
		ON CONFLICT (chain) DO UPDATE SET chain = EXCLUDED.chain
		RETURNING head_seq, head_hash, clock_timestamp() + make_interval(secs => ?) AS now`, ev.Chain, core.ClockOffsetSeconds(tx.Statement.Context)).Scan(&head).Error
	if err != nil {
		return AuditEntry{}, fmt.Errorf("lock audit chain %s: %w", ev.Chain, err)
	}
	e := AuditEntry{
		Chain: ev.Chain, Seq: head.HeadSeq + 1, CreatedAt: head.Now.UTC().Truncate(time.Microsecond),
		ActorID: OptionalID(ev.ActorID), TenantID: OptionalID(ev.TenantID),
		Action: ev.Action, ObjectType: ev.ObjectType, ObjectID: ev.ObjectID,
		Details: details, PrevHash: head.HeadHash,
	}
	e.Hash = EntryHash(e)
	err = tx.Exec(`WITH ins AS (
			INSERT INTO audit_log (chain, seq, created_at, actor_id, tenant_id, action, object_type, object_id, details, prev_hash, hash)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?))
		UPDATE audit_chains SET head_seq = ?, head_hash = ? WHERE chain = ?`,
		e.Chain, e.Seq, e.CreatedAt, e.ActorID, e.TenantID, e.Action, e.ObjectType, e.ObjectID, e.Details, e.PrevHash, e.Hash,
		e.Seq, e.Hash, e.Chain).Error
	if err != nil {
		return AuditEntry{}, fmt.Errorf("append audit entry: %w", err)
	}
	return e, nil
}

// Chains lists every chain key in a stable order.
func Chains(ctx context.Context, db *gorm.DB) ([]string, error) {
	var chains []string
	if err := db.WithContext(ctx).Raw(`SELECT chain FROM audit_chains ORDER BY chain`).Scan(&chains).Error; err != nil {
		return nil, fmt.Errorf("list chains: %w", err)
	}
	return chains, nil
}

// ChainHead returns the current head hash and length of chain (genesis for an unknown chain).
func ChainHead(ctx context.Context, db *gorm.DB, chain string) (string, int64, error) {
	var head struct {
		HeadSeq  int64
		HeadHash string
	}
	res := db.WithContext(ctx).Raw(`SELECT head_seq, head_hash FROM audit_chains WHERE chain = ?`, chain).Scan(&head)
	if res.Error != nil {
		return "", 0, fmt.Errorf("chain head %s: %w", chain, res.Error)
	}
	if res.RowsAffected == 0 {
		return GenesisHash, 0, nil
	}
	return head.HeadHash, head.HeadSeq, nil
}
