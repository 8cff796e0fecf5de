package vault

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync/atomic"

	"filippo.io/age"
	"gorm.io/gorm"
)

// ErrNoVault means no master key is configured, so nothing can be sealed or opened.
// The HTTP layer answers 503 (production refuses to start without a key).
var ErrNoVault = errors.New("vault: no master key configured")

// vaultPluginName is the GORM plugin under which BindVault keeps the vault.
const vaultPluginName = "kimibv:vault"

// vaultBinding is the GORM plugin that carries the vault with a database handle.
type vaultBinding struct{ v atomic.Pointer[Vault] }

// Name implements gorm.Plugin.
func (*vaultBinding) Name() string { return vaultPluginName }

// Initialize implements gorm.Plugin.
func (*vaultBinding) Initialize(*gorm.DB) error { return nil }

// BindVault makes v the vault of db and of every session and transaction derived from it.
//
// The outbox, the Postfach and the issued documents addressed to an organisation are
// written by some twenty use cases, many of which never see bid content; they seal what
// they write with the vault bound to their database handle (postbox.EnqueueMail and QueueMailsTo, postbox.InsertInbox,
// StoreDocument), so that no use case can write them in plain text and none needed a
// vault parameter. Bid content and bid files keep their explicit vault parameter.
// cmd binds the vault once after opening the store; binding again replaces it.
func BindVault(db *gorm.DB, v *Vault) error {
	if p, ok := db.Config.Plugins[vaultPluginName].(*vaultBinding); ok {
		p.v.Store(v)
		return nil
	}
	b := &vaultBinding{}
	b.v.Store(v)
	if err := db.Use(b); err != nil {
		return fmt.Errorf("bind vault: %w", err)
	}
	return nil
}

// BoundVault returns the vault bound to db (BindVault) or ErrNoVault.
func BoundVault(db *gorm.DB) (*Vault, error) {
	if p, ok := db.Config.Plugins[vaultPluginName].(*vaultBinding); ok {
		if v := p.v.Load(); v != nil {
			return v, nil
		}
	}
	return nil, ErrNoVault
}

// MailScope is the platform-wide data key of the outbox. Mail goes to persons of Kreise,
// organisations and to people without either (password reset, first invitation), so one
// platform key seals every queued mail; the sender opens it just before delivery.
func MailScope() keyScope { return keyScope{"platform_keys", "scope", "mail"} }

// SealTo encrypts plain with the data key of s (created in tx when missing).
func (v *Vault) SealTo(tx *gorm.DB, s keyScope, plain []byte) ([]byte, error) {
	id, err := v.DataKey(tx, s, true)
	if err != nil {
		return nil, err
	}
	return SealWith(id.Recipient(), plain)
}

// OpenFrom decrypts sealed, which SealTo produced for s.
func (v *Vault) OpenFrom(db *gorm.DB, s keyScope, sealed []byte) ([]byte, error) {
	id, err := v.DataKey(db, s, false)
	if err != nil {
		return nil, err
	}
	return openWith(id, sealed)
}

func SealWith(r age.Recipient, plain []byte) ([]byte, error) {
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, r)
	if err != nil {
		return nil, fmt.Errorf("encrypt: %w", err)
	}
	if _, err := w.Write(plain); err != nil {
		return nil, fmt.Errorf("encrypt: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("encrypt: %w", err)
	}
	return buf.Bytes(), nil
}

func openWith(id age.Identity, sealed []byte) ([]byte, error) {
	r, err := age.Decrypt(bytes.NewReader(sealed), id)
	if err != nil {
		return nil, fmt.Errorf("decrypt: %w", err)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("decrypt: %w", err)
	}
	return b, nil
}

// SealJSON encodes v as JSON and encrypts it to r.
func SealJSON(r age.Recipient, v any) ([]byte, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode sealed value: %w", err)
	}
	return SealWith(r, plain)
}

// OpenJSON decrypts sealed with id and decodes the JSON into v.
func OpenJSON(id age.Identity, sealed []byte, v any) error {
	plain, err := openWith(id, sealed)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(plain, v); err != nil {
		return fmt.Errorf("decode sealed value: %w", err)
	}
	return nil
}

// OrgKeys returns the unwrapped data keys of the organisations ids with one query for
// those that exist; with create, missing keys are generated (once per organisation).
func (v *Vault) OrgKeys(tx *gorm.DB, ids []int64, create bool) (map[int64]*age.X25519Identity, error) {
	if v == nil {
		return nil, ErrNoVault
	}
	out := make(map[int64]*age.X25519Identity, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := tx.Statement.ConnPool.QueryContext(tx.Statement.Context,
		`SELECT org_id, wrapped_identity FROM org_keys WHERE org_id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("load organisation keys: %w", err)
	}
	wrapped := map[int64][]byte{}
	for rows.Next() {
		var id int64
		var w []byte
		if err := rows.Scan(&id, &w); err != nil {
			rows.Close()
			return nil, fmt.Errorf("load organisation keys: %w", err)
		}
		wrapped[id] = w
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load organisation keys: %w", err)
	}
	for _, id := range ids {
		if _, done := out[id]; done {
			continue
		}
		w, ok := wrapped[id]
		if !ok {
			k, err := v.DataKey(tx, OrgScope(id), create)
			if err != nil {
				return nil, err
			}
			out[id] = k
			continue
		}
		k, err := v.unwrap(w, OrgScope(id))
		if err != nil {
			return nil, err
		}
		out[id] = k
	}
	return out, nil
}

// SecondFactorScope is the platform-wide data key that seals the users' TOTP secrets
// (rules.md R29): the login opens the secret to check a code.
func SecondFactorScope() keyScope { return keyScope{"platform_keys", "scope", "secondfactor"} }
