package vault

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/models/store"
)

// DocKind is the kind of an issued document (rules.md R8).
type DocKind string

// The document kinds the system issues (issued_documents.kind).
const (
	DocBekanntmachung       DocKind = "bekanntmachung"
	DocEingangsbestaetigung DocKind = "eingangsbestaetigung"
	DocOeffnungsprotokoll   DocKind = "oeffnungsprotokoll"
	DocBewertungsmatrix     DocKind = "bewertungsmatrix"
	DocVergabevermerk       DocKind = "vergabevermerk"
	DocMitteilung           DocKind = "mitteilung"
	DocNachforderung        DocKind = "nachforderung"
	DocVergabedokumentation DocKind = "vergabedokumentation"
	DocSachstandsbericht    DocKind = "sachstandsbericht"   // a status report to the council (rules.md R32)
	DocBeteiligungsentwurf  DocKind = "beteiligungsentwurf" // the draft put to the Beteiligung (models/consultation)
	DocAbwaegung            DocKind = "abwaegung"           // the Abwägung of the Beteiligung's statements
	DocWeiterleitung        DocKind = "weiterleitungsvertrag"
)

// docKindLabels names the document kinds in German.
var docKindLabels = map[DocKind]string{
	DocBekanntmachung:       "Bekanntmachung",
	DocEingangsbestaetigung: "Eingangsbestätigung",
	DocOeffnungsprotokoll:   "Öffnungsprotokoll",
	DocBewertungsmatrix:     "Bewertungsmatrix",
	DocVergabevermerk:       "Vergabevermerk",
	DocMitteilung:           "Mitteilung",
	DocNachforderung:        "Nachforderung von Unterlagen",
	DocVergabedokumentation: "Vergabedokumentation",
	DocSachstandsbericht:    "Sachstandsbericht",
	DocBeteiligungsentwurf:  "Entwurf zur Beteiligung",
	DocAbwaegung:            "Abwägung der Stellungnahmen",
	DocWeiterleitung:        "Weiterleitungsvertrag",
}

// Label returns the German name of the kind ("" for an unknown kind).
func (k DocKind) Label() string { return docKindLabels[k] }

// DocMeta is what IssueDocument hands to the renderer: the values every issued PDF prints
// besides its own content (footer: Prüfwert and Prüfprotokoll-Kopf; creation date).
type DocMeta struct {
	Kind          DocKind
	Title         string
	ContentSHA256 string    // the Prüfwert: SHA-256 of the canonical JSON of CanonicalData
	Chain         string    // audit chain the document belongs to
	ChainHead     string    // that chain's head hash when the document was issued
	IssuedAt      time.Time // database clock, whole seconds, UTC; use it as the PDF creation date
}

// IssueInput describes a document to issue inside a use case's transaction. CallID,
// RecipientOrgID and ActorID 0 mean none. A document with a recipient organisation is
// stored sealed with that organisation's key (the vault bound to tx, BindVault). Title is shown on the public document check:
// it must not contain personal data or business secrets. CanonicalData is exactly the
// data the document shows; its canonical JSON gives the Prüfwert. Render must be
// deterministic in (DocMeta, data).
type IssueInput struct {
	TenantID       int64
	CallID         int64
	ActorID        int64
	Kind           DocKind
	Title          string
	Chain          string
	ObjectType     string
	ObjectID       string
	RecipientOrgID int64
	CanonicalData  any
	Render         func(DocMeta) ([]byte, error)
}

// IssuedDocument is a row of issued_documents (immutable; a trigger refuses changes).
type IssuedDocument struct {
	ID             int64
	TenantID       int64
	CallID         *int64
	Kind           DocKind
	Title          string
	ContentSHA256  string `gorm:"column:content_sha256"`
	FileSHA256     string `gorm:"column:file_sha256"`
	Chain          string
	ChainHead      string
	Size           int64
	Content        []byte
	ObjectType     string
	ObjectID       string
	RecipientOrgID *int64
	CreatedAt      time.Time
	// Sealed: Content is the PDF encrypted with the recipient organisation's key (every
	// document addressed to an organisation, e.g. the Eingangsbestätigung). Size and
	// FileSHA256 are those of the plain PDF. The loaders open it (OpenDocument).
	Sealed bool
}

// TableName maps IssuedDocument to issued_documents.
func (IssuedDocument) TableName() string { return "issued_documents" }

// FileName is a download name like "bekanntmachung-12.pdf".
func (d *IssuedDocument) FileName() string {
	return string(d.Kind) + "-" + strconv.FormatInt(d.ID, 10) + ".pdf"
}

// CanonicalJSON encodes v as JSON with object keys sorted at every level, numbers kept
// as written, no HTML escaping and no insignificant whitespace: the bytes behind a Prüfwert.
func CanonicalJSON(v any) ([]byte, error) {
	raw, err := encodeJSON(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var generic any
	if err := dec.Decode(&generic); err != nil {
		return nil, fmt.Errorf("canonical json: %w", err)
	}
	return encodeJSON(generic) // maps encode with sorted keys
}

func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("canonical json: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// SHA256Hex returns the lower-case hex SHA-256 of b.
func SHA256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// NormalizeSHA256 accepts a pasted SHA-256 (hex, any case, surrounding blanks, optional
// "sha256:" prefix) and returns it in lower case; ok is false for anything else.
func NormalizeSHA256(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.TrimPrefix(s, "sha256:")
	s = strings.ReplaceAll(s, " ", "")
	if len(s) != 64 {
		return "", false
	}
	if _, err := hex.DecodeString(s); err != nil {
		return "", false
	}
	return s, true
}

// IssueDocument renders and stores a document inside tx (the caller's use-case
// transaction): it reads the audit chain's head (without locking it) and the database clock, computes
// the Prüfwert from CanonicalData, calls Render, stores the PDF with both hashes and
// appends document.issued to the chain. Any error — including a failing renderer — is
// returned, so the caller's transaction rolls back as a whole.
func IssueDocument(tx *gorm.DB, in IssueInput) (IssuedDocument, error) {
	doc, entry, err := StoreDocument(tx, in)
	if err != nil {
		return IssuedDocument{}, err
	}
	if _, err := audit.Audit(tx, entry); err != nil {
		return IssuedDocument{}, err
	}
	return doc, nil
}

// StoreDocument is IssueDocument without the append: it returns the document.issued
// event, which the caller must append with Audit before its transaction commits. A
// caller that writes further rows after issuing appends it last, so the chain's lock
// (taken by the append and held until COMMIT) is held as briefly as possible — the
// Eingangsbestätigung does this, 500 of them may be issued on one chain at the deadline.
func StoreDocument(tx *gorm.DB, in IssueInput) (IssuedDocument, audit.Event, error) {
	if in.Kind.Label() == "" || in.TenantID == 0 || in.Chain == "" || strings.TrimSpace(in.Title) == "" || in.Render == nil {
		return IssuedDocument{}, audit.Event{}, fmt.Errorf("issue document: kind, tenant, chain, title and renderer are required (kind %q)", in.Kind)
	}
	canonical, err := CanonicalJSON(in.CanonicalData)
	if err != nil {
		return IssuedDocument{}, audit.Event{}, err
	}
	var head struct {
		HeadHash string
		Now      time.Time
	}
	// The head is read without the chain lock, so that rendering (tens of milliseconds) does
	// not serialise every document of a procedure, e.g. 500 receipts at the deadline. The
	// printed head is the chain's state when the document was rendered; the document.issued
	// entry, appended afterwards under the lock, follows it in the chain. A transaction that
	// already appended to the chain holds the lock anyway and reads its own head.
	if err := tx.Raw(`SELECT COALESCE((SELECT head_hash FROM audit_chains WHERE chain = ?), ?) AS head_hash,
		clock_timestamp() + make_interval(secs => ?) AS now`, in.Chain, audit.GenesisHash, core.ClockOffsetSeconds(tx.Statement.Context)).Scan(&head).Error; err != nil {
		return IssuedDocument{}, audit.Event{}, fmt.Errorf("issue document: read chain head %s: %w", in.Chain, err)
	}
	meta := DocMeta{Kind: in.Kind, Title: in.Title, ContentSHA256: SHA256Hex(canonical), Chain: in.Chain,
		ChainHead: head.HeadHash, IssuedAt: head.Now.UTC().Truncate(time.Second)}
	file, err := in.Render(meta)
	if err != nil {
		return IssuedDocument{}, audit.Event{}, fmt.Errorf("render %s: %w", in.Kind, err)
	}
	if !bytes.HasPrefix(file, []byte("%PDF-")) {
		return IssuedDocument{}, audit.Event{}, fmt.Errorf("render %s: the renderer returned no PDF", in.Kind)
	}
	doc := IssuedDocument{TenantID: in.TenantID, CallID: audit.OptionalID(in.CallID), Kind: in.Kind, Title: in.Title,
		ContentSHA256: meta.ContentSHA256, FileSHA256: SHA256Hex(file), Chain: in.Chain, ChainHead: head.HeadHash,
		Size: int64(len(file)), Content: file, ObjectType: in.ObjectType, ObjectID: in.ObjectID,
		RecipientOrgID: audit.OptionalID(in.RecipientOrgID), CreatedAt: meta.IssuedAt}
	if in.RecipientOrgID != 0 {
		if doc.Content, err = sealDocument(tx, in.RecipientOrgID, file); err != nil {
			return IssuedDocument{}, audit.Event{}, fmt.Errorf("store %s: %w", in.Kind, err)
		}
		doc.Sealed = true
	}
	if err := tx.Create(&doc).Error; err != nil {
		return IssuedDocument{}, audit.Event{}, fmt.Errorf("store %s: %w", in.Kind, err)
	}
	doc.Content, doc.Sealed = file, false // the caller gets the plain PDF
	return doc, audit.Event{Chain: in.Chain, ActorID: in.ActorID, TenantID: in.TenantID, Action: "document.issued",
		ObjectType: "issued_document", ObjectID: strconv.FormatInt(doc.ID, 10), Details: map[string]any{
			"kind": string(in.Kind), "title": in.Title, "content_sha256": doc.ContentSHA256, "file_sha256": doc.FileSHA256,
			"object": in.ObjectType + ":" + in.ObjectID}}, nil
}

// DocumentCheck is what the public document check tells about a found document.
type DocumentCheck struct {
	ID            int64
	Kind          DocKind
	Title         string
	IssuedAt      time.Time
	Kreis         string
	CallRef       string
	CallTitle     string
	ContentSHA256 string
	FileSHA256    string
	ChainHead     string
	ByFile        bool // the hash was the file's: the PDF is byte for byte the issued one
	BySubject     bool // the hash was that of the call or bid version the document was issued about
}

// KindLabel returns the German name of the document's kind.
func (d *DocumentCheck) KindLabel() string { return d.Kind.Label() }

// DocumentByHash finds an issued document by the SHA-256 of its file, by its Prüfwert
// (content hash), or by a Prüfwert the pages show for what a document was issued about:
// the content hash of a published call version (its Bekanntmachung is found) or of a
// submitted bid version (its Eingangsbestätigung is found, which already names that hash;
// only its holder knows it). hash must already be normalised (NormalizeSHA256). Unknown:
// ErrNotFound.
func DocumentByHash(ctx context.Context, db *gorm.DB, hash string) (*DocumentCheck, error) {
	var rows []DocumentCheck
	// One indexed lookup per way of matching (an OR over them would scan every document).
	err := db.WithContext(ctx).Raw(`WITH hits AS (
			SELECT id, 0 AS how FROM issued_documents WHERE file_sha256 = @h
			UNION ALL SELECT id, 1 FROM issued_documents WHERE content_sha256 = @h
			UNION ALL SELECT d.id, 2 FROM call_versions v JOIN issued_documents d ON d.kind = 'bekanntmachung'
				AND d.object_type = 'call_version' AND d.object_id = v.call_id::text || ':' || v.version::text
				WHERE v.content_sha256 = @h
			UNION ALL SELECT d.id, 2 FROM bid_versions v JOIN issued_documents d ON d.kind = 'eingangsbestaetigung'
				AND d.object_type = 'bid_version' AND d.object_id = v.bid_id::text || ':' || v.version::text
				WHERE v.content_sha256 = @h)
		SELECT d.id, d.kind, d.title, d.created_at AS issued_at, t.name AS kreis,
			COALESCE(c.ref, '') AS call_ref, COALESCE(c.title, '') AS call_title, d.content_sha256, d.file_sha256,
			d.chain_head, h.how = 0 AS by_file, h.how = 2 AS by_subject
		FROM hits h JOIN issued_documents d ON d.id = h.id JOIN tenants t ON t.id = d.tenant_id LEFT JOIN calls c ON c.id = d.call_id
		ORDER BY h.how, d.id DESC LIMIT 1`, sql.Named("h", hash)).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("look up document: %w", err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("document %s: %w", hash, core.ErrNotFound)
	}
	return &rows[0], nil
}

// DocumentForDownload loads an issued document with its bytes. It does not check who may
// read it: the caller's route decides (a Bekanntmachung is public, a Mitteilung is not).
func DocumentForDownload(ctx context.Context, db *gorm.DB, id int64) (*IssuedDocument, error) {
	var d IssuedDocument
	if err := db.WithContext(ctx).Where("id = ?", id).First(&d).Error; err != nil {
		return nil, store.NotFound(err, fmt.Sprintf("document %d", id))
	}
	return &d, nil
}
