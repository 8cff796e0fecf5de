package vault

import (
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"filippo.io/age"
	"gorm.io/gorm"

	"kimibv/models/core"
)

// Vault encrypts content at rest (rules.md R23).
//
// It holds the master age X25519 identity, which is configured outside the database
// (KIMIBV_MASTER_KEY_FILE). Content is never encrypted to the master key directly: each
// procedure (call) and each organisation gets its own data key, and platform-wide scopes
// (today only 'mail', the outbox) get one each — an age X25519 identity generated when
// first needed and stored in call_keys / org_keys / platform_keys wrapped (age-encrypted)
// to the master recipient. A database dump alone therefore reveals no content (README
// "Encryption at rest" lists the metadata it does show), and the master key can be
// rotated by re-wrapping the data keys without touching any file.
//
// A Vault is immutable and safe for concurrent use; it is constructed once by cmd and
// carried by the app into the use cases (no package globals).
type Vault struct {
	master    *age.X25519Identity
	recipient *age.X25519Recipient
}

// NewVault builds a Vault from an age identity string ("AGE-SECRET-KEY-1…").
func NewVault(identity string) (*Vault, error) {
	id, err := age.ParseX25519Identity(strings.TrimSpace(identity))
	if err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	return &Vault{master: id, recipient: id.Recipient()}, nil
}

// GenerateVault returns a Vault with a fresh random master key (tests, first start in development).
func GenerateVault() (*Vault, string, error) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return nil, "", fmt.Errorf("generate master key: %w", err)
	}
	return &Vault{master: id, recipient: id.Recipient()}, id.String(), nil
}

// LoadVault reads the master key from an identity file in age-keygen format (comment lines
// starting with # are ignored; exactly one X25519 identity is expected).
func LoadVault(path string) (*Vault, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("master key file: %w", err)
	}
	defer f.Close()
	ids, err := age.ParseIdentities(io.LimitReader(f, 64<<10))
	if err != nil {
		return nil, fmt.Errorf("master key file %s: %w", path, err)
	}
	if len(ids) != 1 {
		return nil, fmt.Errorf("master key file %s: want exactly one identity, found %d", path, len(ids))
	}
	x, ok := ids[0].(*age.X25519Identity)
	if !ok {
		return nil, fmt.Errorf("master key file %s: not an age X25519 identity", path)
	}
	return &Vault{master: x, recipient: x.Recipient()}, nil
}

// EnsureMasterKeyFile creates path with a new master key (mode 0600) unless it exists and
// reports whether it created one. Only development uses it; production refuses to start
// without a configured key, because a key made up on the spot would be lost with the machine.
func EnsureMasterKeyFile(path string) (bool, error) {
	if _, err := os.Stat(path); err == nil {
		return false, nil
	}
	_, secret, err := GenerateVault()
	if err != nil {
		return false, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return false, fmt.Errorf("master key directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return false, nil // created concurrently
	}
	if err != nil {
		return false, fmt.Errorf("create master key file: %w", err)
	}
	content := "# kimibv master key (age X25519 identity). Keep it secret and back it up separately\n" +
		"# from the database: without it no stored document can be decrypted.\n" + secret + "\n"
	if _, err := f.WriteString(content); err != nil {
		f.Close()
		return false, fmt.Errorf("write master key file: %w", err)
	}
	if err := f.Close(); err != nil {
		return false, fmt.Errorf("write master key file: %w", err)
	}
	return true, nil
}

// Recipient returns the master public key (safe to log; identifies the key in use).
func (v *Vault) Recipient() string { return v.recipient.String() }

// keyScope names a data key: the call's (bid content), the organisation's (wallet,
// Postfach, documents addressed to it) or a platform-wide one (the outbox).
type keyScope struct {
	table, column string
	id            any // int64 for calls and organisations, string for platform scopes
}

func callScope(callID int64) keyScope { return keyScope{"call_keys", "call_id", callID} }
func OrgScope(orgID int64) keyScope   { return keyScope{"org_keys", "org_id", orgID} }

// DataKey returns the unwrapped data key of scope; with create it generates and stores
// one when none exists yet (concurrent creators agree on the first committed key).
func (v *Vault) DataKey(tx *gorm.DB, s keyScope, create bool) (*age.X25519Identity, error) {
	if v == nil {
		return nil, ErrNoVault
	}
	conn := tx.Statement.ConnPool
	ctx := tx.Statement.Context
	q := "SELECT wrapped_identity FROM " + s.table + " WHERE " + s.column + " = $1"
	var wrapped []byte
	err := conn.QueryRowContext(ctx, q, s.id).Scan(&wrapped)
	if errors.Is(err, sql.ErrNoRows) && create {
		id, gerr := age.GenerateX25519Identity()
		if gerr != nil {
			return nil, fmt.Errorf("generate data key: %w", gerr)
		}
		var buf bytes.Buffer
		w, eerr := age.Encrypt(&buf, v.recipient)
		if eerr != nil {
			return nil, fmt.Errorf("wrap data key: %w", eerr)
		}
		if _, eerr = io.WriteString(w, id.String()); eerr == nil {
			eerr = w.Close()
		}
		if eerr != nil {
			return nil, fmt.Errorf("wrap data key: %w", eerr)
		}
		ins := "INSERT INTO " + s.table + " (" + s.column + ", wrapped_identity) VALUES ($1, $2) ON CONFLICT DO NOTHING"
		if _, err := conn.ExecContext(ctx, ins, s.id, buf.Bytes()); err != nil {
			return nil, fmt.Errorf("store data key %s %v: %w", s.column, s.id, err)
		}
		err = conn.QueryRowContext(ctx, q, s.id).Scan(&wrapped)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("data key %s %v: %w", s.column, s.id, core.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("load data key %s %v: %w", s.column, s.id, err)
	}
	return v.unwrap(wrapped, s)
}

// unwrap decrypts a stored data key of scope s with the master key.
func (v *Vault) unwrap(wrapped []byte, s keyScope) (*age.X25519Identity, error) {
	r, err := age.Decrypt(bytes.NewReader(wrapped), v.master)
	if err != nil {
		return nil, fmt.Errorf("unwrap data key %s %v (wrong master key?): %w", s.column, s.id, err)
	}
	secret, err := io.ReadAll(io.LimitReader(r, 1024))
	if err != nil {
		return nil, fmt.Errorf("unwrap data key %s %v: %w", s.column, s.id, err)
	}
	id, err := age.ParseX25519Identity(string(secret))
	if err != nil {
		return nil, fmt.Errorf("data key %s %v: %w", s.column, s.id, err)
	}
	return id, nil
}

func (v *Vault) encryptTo(tx *gorm.DB, s keyScope, dst io.Writer) (io.WriteCloser, error) {
	id, err := v.DataKey(tx, s, true)
	if err != nil {
		return nil, err
	}
	w, err := age.Encrypt(dst, id.Recipient())
	if err != nil {
		return nil, fmt.Errorf("encrypt: %w", err)
	}
	return w, nil
}

func (v *Vault) decryptFrom(db *gorm.DB, s keyScope, src io.Reader) (io.Reader, error) {
	id, err := v.DataKey(db, s, false)
	if err != nil {
		return nil, err
	}
	r, err := age.Decrypt(src, id)
	if err != nil {
		return nil, fmt.Errorf("decrypt: %w", err)
	}
	return r, nil
}

// Encrypt returns a writer that encrypts everything written to it with the call's data
// key (created in tx when first needed) into dst; Close must be called to finish.
// tx must be a transaction (or a *gorm.DB) with a context.
func (v *Vault) Encrypt(tx *gorm.DB, callID int64, dst io.Writer) (io.WriteCloser, error) {
	return v.encryptTo(tx, callScope(callID), dst)
}

// Decrypt returns a reader of the plaintext of src, which Encrypt produced for callID.
// Bid content must only be decrypted behind the sealing check (rules.md R2).
func (v *Vault) Decrypt(db *gorm.DB, callID int64, src io.Reader) (io.Reader, error) {
	return v.decryptFrom(db, callScope(callID), src)
}

// SealBytes encrypts a small value (e.g. a bid's answers as JSON) with the call's data key.
func (v *Vault) SealBytes(tx *gorm.DB, callID int64, plain []byte) ([]byte, error) {
	var buf bytes.Buffer
	w, err := v.Encrypt(tx, callID, &buf)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(plain); err != nil {
		return nil, fmt.Errorf("encrypt: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("encrypt: %w", err)
	}
	return buf.Bytes(), nil
}

// OpenBytes decrypts a value produced by SealBytes for callID.
func (v *Vault) OpenBytes(db *gorm.DB, callID int64, sealed []byte) ([]byte, error) {
	r, err := v.Decrypt(db, callID, bytes.NewReader(sealed))
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("decrypt: %w", err)
	}
	return b, nil
}
