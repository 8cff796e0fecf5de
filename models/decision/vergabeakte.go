package decision

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"regexp"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"

	"kimibv/models/accounts"
	"kimibv/models/audit"
	"kimibv/models/bids"
	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/vault"
)

// Vergabeakte is the procedure file export for the lead: one ZIP with every
// issued PDF, the decision data as JSON, the audit chain as JSON lines with a
// verification report, and — after the opening, through the sealed read path — the bid
// documents. Entries are written one after another straight into the writer; only one
// PDF or one chunk of a bid file is in memory at a time.
type Vergabeakte struct {
	CallID   int64
	TenantID int64
	Ref      string
}

// FileName is the download name.
func (v *Vergabeakte) FileName() string { return "vergabeakte-" + v.Ref + ".zip" }

// PrepareVergabeakte checks that the actor leads the call's Kreis (else ErrNotFound) and
// is no named evaluator of the call (accounts.ErrCommitteeMember) before anything is written to
// the response.
func PrepareVergabeakte(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.CallScope) (*Vergabeakte, error) {
	tenantID, callID := scope.Tenant, scope.Call
	if err := calls.RequireLead(actor, tenantID, "vergabeakte"); err != nil {
		return nil, err
	}
	var rows []Vergabeakte
	if err := db.WithContext(ctx).Raw(`SELECT id AS call_id, tenant_id, ref FROM calls WHERE id = ? AND tenant_id = ? AND state <> 'draft'`,
		callID, tenantID).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("load call for the Vergabeakte: %w", err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("vergabeakte of call %d: %w", callID, core.ErrNotFound)
	}
	if err := accounts.RefuseCommitteeMember(db.WithContext(ctx), actor, callID); err != nil {
		return nil, err
	}
	return &rows[0], nil
}

// hashingZip writes entries and remembers each entry's SHA-256 for pruefsummen.txt.
type hashingZip struct {
	zw   *zip.Writer
	sums []string
	cur  hash.Hash
	name string
	w    io.Writer
}

func (h *hashingZip) create(name string, modified time.Time) (io.Writer, error) {
	h.finish()
	w, err := h.zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: modified})
	if err != nil {
		return nil, fmt.Errorf("zip entry %s: %w", name, err)
	}
	h.cur, h.name = sha256.New(), name
	h.w = io.MultiWriter(w, h.cur)
	return h.w, nil
}

func (h *hashingZip) finish() {
	if h.cur != nil {
		h.sums = append(h.sums, hex.EncodeToString(h.cur.Sum(nil))+"  "+h.name)
		h.cur = nil
	}
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9ÄÖÜäöüß._-]+`)

// safeName turns a name into one path element of the archive.
func safeName(s string) string {
	s = strings.Trim(unsafeName.ReplaceAllString(s, "_"), "_.")
	if len([]rune(s)) > 80 {
		s = string([]rune(s)[:80])
	}
	if s == "" {
		return "datei"
	}
	return s
}

// Write streams the archive to w. vault decrypts the bid files (ReadBids). Documents
// addressed to a bidder (Eingangsbestätigungen, Mitteilungen; stored sealed) are part of
// it only once ReadBids lets the actor read the bids, i.e. after the opening.
func (v *Vergabeakte) Write(ctx context.Context, db *gorm.DB, vlt *vault.Vault, actor *core.Actor, now time.Time, w io.Writer) error {
	db = db.WithContext(ctx)
	h := &hashingZip{zw: zip.NewWriter(w)}
	opened, err := bids.ReadBids(ctx, db, vlt, actor, v.CallID, now)
	if err != nil && !errors.Is(err, core.ErrSealed) {
		return err
	}
	if err := v.writeDocuments(db, h, opened != nil); err != nil {
		return err
	}
	if err := v.writeDecision(db, h, now); err != nil {
		return err
	}
	if err := writeChain(ctx, db, h, now, audit.CallChain(v.CallID), "protokoll/protokollkette"); err != nil {
		return err
	}
	if opened != nil { // the sealed bid trails joined the procedure's chain at the opening
		if err := writeSealedTrails(ctx, db, h, now, v.CallID); err != nil {
			return err
		}
	}
	if err := v.writeBids(ctx, opened, h, now); err != nil {
		return err
	}
	h.finish()
	sums, err := h.create("pruefsummen.txt", now)
	if err != nil {
		return err
	}
	h.cur = nil // the checksum file does not list itself
	if _, err := io.WriteString(sums, "SHA-256 jeder Datei dieser Vergabeakte\n"+strings.Join(h.sums, "\n")+"\n"); err != nil {
		return fmt.Errorf("write checksums: %w", err)
	}
	return h.zw.Close()
}

// writeDocuments streams every issued PDF of the procedure, one row at a time; sealed
// ones (addressed to a bidder) only withSealed, opened and verified (vault.OpenDocument), and
// those of the sealed bid trail only after the opening (SealedTrailVisibleSQL).
func (v *Vergabeakte) writeDocuments(db *gorm.DB, h *hashingZip, withSealed bool) error {
	rows, err := db.Raw(`SELECT id, kind, created_at, content, sealed, recipient_org_id, size, file_sha256 FROM issued_documents d
		WHERE call_id = ? AND (? OR NOT sealed) AND `+audit.SealedTrailVisibleSQL("d.chain")+` ORDER BY id`, v.CallID, withSealed).Rows()
	if err != nil {
		return fmt.Errorf("read issued documents: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var d vault.IssuedDocument
		if err := rows.Scan(&d.ID, &d.Kind, &d.CreatedAt, &d.Content, &d.Sealed, &d.RecipientOrgID, &d.Size, &d.FileSHA256); err != nil {
			return fmt.Errorf("scan issued document: %w", err)
		}
		if err := vault.OpenDocument(db, &d); err != nil {
			return err
		}
		ew, err := h.create(fmt.Sprintf("dokumente/%06d-%s.pdf", d.ID, safeName(string(d.Kind))), d.CreatedAt)
		if err != nil {
			return err
		}
		if _, err := ew.Write(d.Content); err != nil {
			return fmt.Errorf("write document %d: %w", d.ID, err)
		}
	}
	return rows.Err()
}

// writeDecision writes entscheidung.json: result, decision, notices and objections.
func (v *Vergabeakte) writeDecision(db *gorm.DB, h *hashingZip, now time.Time) error {
	var closed bool
	if err := db.Raw(`SELECT EXISTS (SELECT 1 FROM call_results WHERE call_id = ?)`, v.CallID).Scan(&closed).Error; err != nil {
		return fmt.Errorf("load result state: %w", err)
	}
	out := map[string]any{"verfahren": v.Ref, "stand": now.UTC().Format(time.RFC3339)}
	if closed {
		dv := &DecisionView{CallID: v.CallID, TenantID: v.TenantID, Ref: v.Ref}
		if err := dv.loadParts(db); err != nil {
			return err
		}
		out["ergebnis"], out["traeger"], out["entscheidung"], out["mitteilungen"], out["ruegen"] = dv.Result, dv.Bidders, dv.Decision, dv.Notices, dv.Objections
	}
	ew, err := h.create("entscheidung.json", now)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(ew)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("write decision data: %w", err)
	}
	return nil
}

// writeChain streams an audit chain as JSON lines (base.jsonl) and writes its
// verification report (base-pruefbericht.txt).
// writeSealedTrails writes every sealed trail of the call (one per bid) as
// protokoll/eingangskette-<bid>.jsonl with its verification report.
func writeSealedTrails(ctx context.Context, db *gorm.DB, h *hashingZip, now time.Time, callID int64) error {
	heads, err := audit.SealedTrailsOfCall(db, callID, false)
	if err != nil {
		return err
	}
	for _, t := range heads {
		name := "protokoll/eingangskette"
		if _, bid, ok := strings.Cut(strings.TrimPrefix(t.Trail, "bids:"), ":"); ok {
			name += "-" + bid
		}
		if err := writeChain(ctx, db, h, now, t.Trail, name); err != nil {
			return err
		}
	}
	return nil
}

func writeChain(ctx context.Context, db *gorm.DB, h *hashingZip, now time.Time, chain, base string) error {
	ew, err := h.create(base+".jsonl", now)
	if err != nil {
		return err
	}
	rows, err := db.Raw(`SELECT chain, seq, created_at, actor_id, tenant_id, action, object_type, object_id, details, prev_hash, hash
		FROM audit_log WHERE chain = ? ORDER BY seq`, chain).Rows()
	if err != nil {
		return fmt.Errorf("read chain: %w", err)
	}
	enc := json.NewEncoder(ew)
	for rows.Next() {
		var e audit.AuditEntry
		if err := rows.Scan(&e.Chain, &e.Seq, &e.CreatedAt, &e.ActorID, &e.TenantID, &e.Action, &e.ObjectType, &e.ObjectID, &e.Details, &e.PrevHash, &e.Hash); err != nil {
			rows.Close()
			return fmt.Errorf("scan chain: %w", err)
		}
		if err := enc.Encode(map[string]any{"chain": e.Chain, "seq": e.Seq, "created_at": e.CreatedAt.UTC().Format(audit.AuditTimeLayout),
			"actor_id": e.ActorID, "tenant_id": e.TenantID, "action": e.Action, "object_type": e.ObjectType, "object_id": e.ObjectID,
			"details": json.RawMessage(e.Details), "prev_hash": e.PrevHash, "hash": e.Hash}); err != nil {
			rows.Close()
			return fmt.Errorf("write chain: %w", err)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read chain: %w", err)
	}
	ver, err := audit.VerifyChain(ctx, db, chain)
	if err != nil {
		return err
	}
	rw, err := h.create(base+"-pruefbericht.txt", now)
	if err != nil {
		return err
	}
	_, err = io.WriteString(rw, VerificationReport(ver, now))
	return err
}

// VerificationReport is the German text report of a chain verification; its first
// result line reads "Ergebnis: OK" or "Ergebnis: FEHLER".
func VerificationReport(v audit.Verification, now time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Prüfbericht der Protokollkette %s\nErstellt: %s\n\n", v.Chain, core.FormatDateTime(now))
	if v.OK {
		b.WriteString("Ergebnis: OK\n")
	} else {
		fmt.Fprintf(&b, "Ergebnis: FEHLER bei Eintrag %d: %s\n", v.BrokenSeq, v.Problem)
	}
	fmt.Fprintf(&b, "Einträge: %d\nKettenkopf (SHA-256): %s\n\n", v.Entries, v.HeadHash)
	b.WriteString("Jeder Eintrag enthält den SHA-256 seines Vorgängers; der Hash wurde für jeden Eintrag neu berechnet\n" +
		"(kimibv-audit-v1, siehe protokollkette.jsonl). Jedes ausgestellte PDF nennt den Kettenkopf zum Zeitpunkt der Ausstellung.\n")
	return b.String()
}

// writeBids streams the current version's files of every bid opened through ReadBids
// (the sealed read path); before the opening (opened nil) only a note is written.
func (v *Vergabeakte) writeBids(ctx context.Context, opened *bids.OpenedBids, h *hashingZip, now time.Time) error {
	if opened == nil {
		ew, err := h.create("unterlagen/HINWEIS.txt", now)
		if err != nil {
			return err
		}
		_, err = io.WriteString(ew, "Die Interessenbekundungen sind noch nicht geöffnet. Ihre Unterlagen und die an die Träger gerichteten "+
			"Dokumente (Eingangsbestätigungen) sind versiegelt und nicht Teil dieser Vergabeakte.\n")
		return err
	}
	for _, b := range opened.Bids {
		files := append([]vault.BidFileRow(nil), b.Files...)
		sort.Slice(files, func(i, j int) bool { return files[i].DocKey < files[j].DocKey })
		dir := fmt.Sprintf("unterlagen/%d-%s/", b.BidID, safeName(b.OrgName))
		for _, f := range files {
			if err := copyBidFile(ctx, opened, h, b.BidID, f, dir, b.ReceiptAt); err != nil {
				return err
			}
		}
	}
	return nil
}

func copyBidFile(ctx context.Context, opened *bids.OpenedBids, h *hashingZip, bidID int64, f vault.BidFileRow, dir string, at time.Time) error {
	rc, _, err := opened.OpenFile(ctx, bidID, f.DocKey)
	if err != nil {
		return err
	}
	defer rc.Close()
	ew, err := h.create(dir+safeName(f.DocKey)+"-"+safeName(f.Name), at)
	if err != nil {
		return err
	}
	if _, err := io.Copy(ew, rc); err != nil {
		return fmt.Errorf("write bid file %s: %w", f.Name, err)
	}
	return nil
}
