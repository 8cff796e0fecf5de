package vault

import (
	"bufio"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"time"

	"filippo.io/age"
	"gorm.io/gorm"

	"kimibv/models/audit"
	"kimibv/models/rules"
	"kimibv/models/store"
)

// ChunkSize is the size of one stored chunk of (encrypted) file content.
const ChunkSize = 1 << 20

// Default limits for uploads (KIMIBV_MAX_FILE_MB, KIMIBV_MAX_BID_MB).
const (
	DefaultMaxFileBytes int64 = 20 << 20
	DefaultMaxBidBytes  int64 = 100 << 20
)

// File is a stored file's metadata. Size and SHA256 describe the plaintext. A file of a
// procedure (CallID set, i.e. a bid's) stores its name sealed with the call's key
// (NameSealed; the name column is empty): the name a provider gives a file is content.
type File struct {
	ID          int64
	CallID      *int64
	OrgID       *int64
	Kind        string
	Name        string
	NameSealed  []byte
	ContentType string
	Size        int64
	SHA256      string
	Encrypted   bool
	CreatedBy   *int64
	CreatedAt   time.Time
}

// TableName maps File to files.
func (File) TableName() string { return "files" }

// FileInput describes content to store with StoreFile.
type FileInput struct {
	CallID    int64     // procedure the file belongs to (bid content): encrypted with the call's key
	OrgID     int64     // owning organisation; without CallID encrypted with the organisation's key
	Kind      string    // e.g. "wallet", "bid"; lower-case identifier
	Name      string    // the client's file name; sanitised before it is stored
	Reader    io.Reader // the content, read once up to MaxBytes+1 bytes
	MaxBytes  int64     // largest accepted size (0: DefaultMaxFileBytes)
	CreatedBy int64     // uploading user (0: system)
	// ContentType "" means an uploaded PDF, checked by content. Any other type is stored
	// unchecked: only for content the system produces itself, never for uploads.
	ContentType string
	// Field is the form field named in validation errors (default "datei").
	Field string
}

// StoreFile streams in.Reader into the files/file_chunks tables inside tx: through a
// SHA-256 hasher, a size limit and age encryption (the call's data key when CallID is set,
// else the organisation's) into INSERTs of ChunkSize chunks. It never holds the whole file
// in memory. The content must be a PDF (checked by content: it must start with "%PDF-" and
// end with "%%EOF"); an empty, non-PDF, truncated or too large file is refused with a
// *ValidationError carrying a German message, and no rows are left behind (StoreFile works
// under a savepoint, so tx stays usable). tx must be a transaction (see InTx).
//
// StoreFile checks no rights: call it only from use cases that did.
func StoreFile(ctx context.Context, tx *gorm.DB, vlt *Vault, in FileInput) (File, error) {
	tx = tx.WithContext(ctx)
	field := in.Field
	if field == "" {
		field = "datei"
	}
	limit := in.MaxBytes
	if limit <= 0 {
		limit = DefaultMaxFileBytes
	}
	if in.CallID == 0 && in.OrgID == 0 {
		return File{}, errors.New("store file: neither call nor organisation given")
	}
	checkPDF := in.ContentType == ""
	br := bufio.NewReaderSize(in.Reader, 4096)
	if checkPDF {
		in.ContentType = "application/pdf"
		head, err := br.Peek(len(rules.PdfMagic) + 1)
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
			return File{}, fmt.Errorf("read upload: %w", err)
		}
		if code := rules.CheckPDFHead(head); code != "" {
			return File{}, rules.FileError(field, code, limit)
		}
	}
	name := rules.SanitizeFilename(in.Name)
	switch {
	case checkPDF:
		name = rules.StoredName(in.Name)
	case name == "":
		name = "datei"
	}
	f := File{Kind: in.Kind, Name: name, ContentType: in.ContentType, Encrypted: true,
		CallID: audit.OptionalID(in.CallID), OrgID: audit.OptionalID(in.OrgID), CreatedBy: audit.OptionalID(in.CreatedBy)}
	if err := tx.SavePoint("store_file").Error; err != nil {
		return File{}, fmt.Errorf("store file: %w", err)
	}
	fail := func(err error) (File, error) {
		if rerr := tx.RollbackTo("store_file").Error; rerr != nil {
			return File{}, errors.Join(err, fmt.Errorf("roll back file: %w", rerr))
		}
		return File{}, err
	}
	if in.CallID != 0 {
		sealed, err := vlt.SealBytes(tx, in.CallID, []byte(name))
		if err != nil {
			return fail(fmt.Errorf("seal file name: %w", err))
		}
		f.Name, f.NameSealed = "", sealed
	}
	if err := tx.Select("CallID", "OrgID", "Kind", "Name", "NameSealed", "ContentType", "Encrypted", "CreatedBy", "CreatedAt").Create(&f).Error; err != nil {
		return fail(fmt.Errorf("insert file: %w", err))
	}
	f.Name = name // the caller gets the plain name
	cw := &chunkWriter{ctx: ctx, conn: tx.Statement.ConnPool, fileID: f.ID, buf: make([]byte, 0, ChunkSize)}
	scope := OrgScope(in.OrgID)
	if in.CallID != 0 {
		scope = callScope(in.CallID)
	}
	enc, err := vlt.encryptTo(tx, scope, cw)
	if err != nil {
		return fail(err)
	}
	h := sha256.New()
	tail := &rules.TailBuffer{}
	n, err := io.Copy(io.MultiWriter(enc, h, tail), io.LimitReader(br, limit+1))
	if err != nil {
		return fail(fmt.Errorf("store file: %w", err))
	}
	if n > limit {
		return fail(rules.FileError(field, "too_large", limit))
	}
	if checkPDF && !rules.HasPDFTrailer(tail.Bytes()) {
		return fail(rules.FileError(field, "truncated", limit))
	}
	if err := enc.Close(); err != nil {
		return fail(fmt.Errorf("finish encryption: %w", err))
	}
	if err := cw.flush(); err != nil {
		return fail(err)
	}
	f.Size, f.SHA256 = n, hex.EncodeToString(h.Sum(nil))
	if err := tx.Model(&f).Select("Size", "SHA256").Updates(&f).Error; err != nil {
		return fail(fmt.Errorf("finish file: %w", err))
	}
	return f, nil
}

// FileByID loads a file's metadata (no content, no rights check).
func FileByID(ctx context.Context, db *gorm.DB, id int64) (File, error) {
	var f File
	if err := db.WithContext(ctx).First(&f, id).Error; err != nil {
		return File{}, store.NotFound(err, fmt.Sprintf("file %d", id))
	}
	return f, nil
}

// OpenFile streams a stored file's plaintext back, one chunk at a time, decrypting it
// and verifying size and SHA-256 at the end (a mismatch is a read error, not io.EOF).
//
// It checks no rights: every read must go through a use case that checks them (wallet
// documents: bids.OpenWalletDocument; bid files: bids.ReadBids and the organisation's own
// reads). db may be a transaction.
func OpenFile(ctx context.Context, db *gorm.DB, vlt *Vault, id int64) (io.ReadCloser, File, error) {
	db = db.WithContext(ctx)
	f, err := FileByID(ctx, db, id)
	if err != nil {
		return nil, File{}, err
	}
	if f.Name, err = openFileName(db, vlt, f.CallID, f.NameSealed, f.Name); err != nil {
		return nil, File{}, fmt.Errorf("file %d: %w", id, err)
	}
	cr := &chunkReader{ctx: ctx, conn: db.Statement.ConnPool, fileID: id}
	var r io.Reader = cr
	if f.Encrypted {
		scope := keyScope{}
		switch {
		case f.CallID != nil:
			scope = callScope(*f.CallID)
		case f.OrgID != nil:
			scope = OrgScope(*f.OrgID)
		}
		if r, err = vlt.decryptFrom(db, scope, cr); err != nil {
			return nil, File{}, fmt.Errorf("file %d: %w", id, err)
		}
	}
	return &verifyingReader{r: r, h: sha256.New(), want: f}, f, nil
}

// openFileName returns a file's name: plain, or opened with the call's key when sealed.
func openFileName(db *gorm.DB, vlt *Vault, callID *int64, sealed []byte, plain string) (string, error) {
	if sealed == nil {
		return plain, nil
	}
	if callID == nil {
		return "", errors.New("sealed file name without a call")
	}
	name, err := vlt.OpenBytes(db, *callID, sealed)
	if err != nil {
		return "", fmt.Errorf("open file name: %w", err)
	}
	return string(name), nil
}

// OpenBidFileNames opens the sealed names of a call's bid files in place (the call's
// key is loaded once).
func OpenBidFileNames(db *gorm.DB, vlt *Vault, callID int64, rows []BidFileRow) error {
	var key *age.X25519Identity
	for i := range rows {
		if rows[i].NameSealed == nil {
			continue
		}
		if key == nil {
			var err error
			if key, err = vlt.DataKey(db, callScope(callID), false); err != nil {
				return err
			}
		}
		name, err := openWith(key, rows[i].NameSealed)
		if err != nil {
			return fmt.Errorf("bid file %s: open file name: %w", rows[i].DocKey, err)
		}
		rows[i].Name, rows[i].NameSealed = string(name), nil
	}
	return nil
}

// CopyFile stores a copy of file srcID under in (CallID, OrgID, Kind, CreatedBy; the name
// is the source's), re-encrypting it with the target's key — e.g. a wallet document that
// becomes part of a sealed bid. It checks no rights.
func CopyFile(ctx context.Context, tx *gorm.DB, vlt *Vault, srcID int64, in FileInput) (File, error) {
	r, src, err := OpenFile(ctx, tx, vlt, srcID)
	if err != nil {
		return File{}, err
	}
	defer r.Close()
	in.Name, in.Reader = src.Name, r
	if in.MaxBytes < src.Size {
		in.MaxBytes = src.Size
	}
	return StoreFile(ctx, tx, vlt, in)
}

// DeleteFile removes a file and its chunks. It checks no rights.
func DeleteFile(tx *gorm.DB, id int64) error {
	if err := tx.Exec(`DELETE FROM files WHERE id = ?`, id).Error; err != nil {
		return fmt.Errorf("delete file %d: %w", id, err)
	}
	return nil
}

// chunkWriter buffers up to ChunkSize bytes and INSERTs them as the next chunk. It talks
// to the connection directly so that GORM's logger never formats a chunk into a log line.
type chunkWriter struct {
	ctx    context.Context
	conn   gorm.ConnPool
	fileID int64
	seq    int
	buf    []byte
}

func (w *chunkWriter) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		k := min(len(p), ChunkSize-len(w.buf))
		w.buf = append(w.buf, p[:k]...)
		p, n = p[k:], n+k
		if len(w.buf) == ChunkSize {
			if err := w.flush(); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

func (w *chunkWriter) flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	if _, err := w.conn.ExecContext(w.ctx, `INSERT INTO file_chunks (file_id, seq, data) VALUES ($1, $2, $3)`,
		w.fileID, w.seq, w.buf); err != nil {
		return fmt.Errorf("insert chunk %d of file %d: %w", w.seq, w.fileID, err)
	}
	w.seq++
	w.buf = w.buf[:0]
	return nil
}

// chunkReader reads a file's chunks in order, one query (and one chunk in memory) at a time.
type chunkReader struct {
	ctx    context.Context
	conn   gorm.ConnPool
	fileID int64
	seq    int
	buf    []byte
	pos    int
	done   bool
}

func (r *chunkReader) Read(p []byte) (int, error) {
	for r.pos >= len(r.buf) {
		if r.done {
			return 0, io.EOF
		}
		if err := r.next(); err != nil {
			return 0, err
		}
	}
	n := copy(p, r.buf[r.pos:])
	r.pos += n
	return n, nil
}

func (r *chunkReader) next() error {
	rows, err := r.conn.QueryContext(r.ctx, `SELECT data FROM file_chunks WHERE file_id = $1 AND seq = $2`, r.fileID, r.seq)
	if err != nil {
		return fmt.Errorf("read chunk %d of file %d: %w", r.seq, r.fileID, err)
	}
	defer rows.Close()
	r.buf, r.pos = r.buf[:0], 0
	if !rows.Next() {
		r.done = true
		return rows.Err()
	}
	var raw sql.RawBytes
	if err := rows.Scan(&raw); err != nil {
		return fmt.Errorf("read chunk %d of file %d: %w", r.seq, r.fileID, err)
	}
	r.buf = append(r.buf, raw...)
	r.seq++
	return rows.Close()
}

// verifyingReader passes the plaintext through and, at its end, checks size and SHA-256
// against the stored metadata, so that a damaged or altered file never reads as complete.
type verifyingReader struct {
	r    io.Reader
	h    hash.Hash
	n    int64
	want File
}

func (v *verifyingReader) Read(p []byte) (int, error) {
	n, err := v.r.Read(p)
	v.h.Write(p[:n])
	v.n += int64(n)
	if errors.Is(err, io.EOF) {
		if v.n != v.want.Size || hex.EncodeToString(v.h.Sum(nil)) != v.want.SHA256 {
			return n, fmt.Errorf("file %d: content does not match its stored size and SHA-256", v.want.ID)
		}
	}
	return n, err
}

// Close releases nothing (each chunk query is closed when read); it exists for io.ReadCloser.
func (v *verifyingReader) Close() error { return nil }

// BidFileRow is a stored file of a bid (working copy or version). Name is the plain
// name once the reading use case opened NameSealed (OpenBidFileNames).
type BidFileRow struct {
	DocKey      string
	FileID      int64
	Name        string
	NameSealed  []byte `gorm:"column:name_sealed"`
	Size        int64
	SHA256      string `gorm:"column:sha256"`
	SourceDocID *int64
	AddedAt     time.Time
}
