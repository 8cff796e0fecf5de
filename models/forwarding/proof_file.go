package forwarding

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"gorm.io/gorm"

	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/models/rules"
	"kimibv/models/store"
	"kimibv/models/vault"
)

// ProofFile is one PDF of receipts of a Verwendungsnachweis: the current one or one it
// replaced. Uploaded is when it came in (database clock): with the proof, or when it was
// added or replaced another; Replaced is when a newer PDF took its place (nil: current).
type ProofFile struct {
	ID       int64
	Name     string
	Size     int64
	SHA256   string
	Uploaded time.Time
	Replaced *time.Time
}

// FileNote says for the lead how the current PDF differs from what came with the proof:
// "ersetzt am …" (the latest replacement), "nachgereicht am …" (the proof came without),
// or "" when it is the PDF of the submission.
func (p Proof) FileNote() string {
	switch {
	case p.File == nil || !p.File.Uploaded.After(p.SubmittedAt):
		return ""
	case len(p.Superseded) > 0:
		return "ersetzt am " + core.FormatDateTime(p.File.Uploaded)
	}
	return "nachgereicht am " + core.FormatDateTime(p.File.Uploaded)
}

// Replaceable reports whether the provider may still replace the PDF: until the check.
func (p Proof) Replaceable() bool { return p.CheckedAt == nil }

// fileChange is one row of proof_file_changes: when, and the file it replaced (ID 0: the
// proof had none).
type fileChange struct {
	ProofID   int64
	ChangedAt time.Time
	Old       ProofFile
}

// fileHistory dates a proof's files from its changes (in order): a file came in with the
// proof or with the change that brought it, and was replaced by the next change. It returns
// the current file (nil without) and the replaced ones, oldest first.
func fileHistory(submitted time.Time, current *ProofFile, changes []fileChange) (*ProofFile, []ProofFile) {
	since := submitted
	var old []ProofFile
	for _, c := range changes {
		if c.Old.ID != 0 {
			f, at := c.Old, c.ChangedAt
			f.Uploaded, f.Replaced = since, &at
			old = append(old, f)
		}
		since = c.ChangedAt
	}
	if current == nil {
		return nil, old
	}
	f := *current
	f.Uploaded, f.Replaced = since, nil
	return &f, old
}

// loadProofFileChanges dates the files of the contracts' proofs (loadProofs) from their
// changes: one statement for all of their proofs.
func loadProofFileChanges(tx *gorm.DB, byID map[int64]*Contract) error {
	var rows []struct {
		ProofID   int64
		ChangedAt time.Time
		OldID     int64
		OldName   string
		OldSize   int64
		OldSHA    string
	}
	if err := tx.Raw(`SELECT c.proof_id, c.changed_at, coalesce(o.id, 0) AS old_id, coalesce(o.name, '') AS old_name,
		coalesce(o.size, 0) AS old_size, coalesce(o.sha256, '') AS old_sha
		FROM proof_file_changes c JOIN proofs p ON p.id = c.proof_id LEFT JOIN files o ON o.id = c.old_file_id
		WHERE p.contract_id IN ? ORDER BY c.proof_id, c.id`, contractIDs(byID)).Scan(&rows).Error; err != nil {
		return fmt.Errorf("load proof file changes: %w", err)
	}
	byProof := map[int64][]fileChange{}
	for _, r := range rows {
		byProof[r.ProofID] = append(byProof[r.ProofID], fileChange{ProofID: r.ProofID, ChangedAt: r.ChangedAt,
			Old: ProofFile{ID: r.OldID, Name: r.OldName, Size: r.OldSize, SHA256: r.OldSHA}})
	}
	for _, k := range byID {
		for i := range k.Proofs {
			p := &k.Proofs[i]
			p.File, p.Superseded = fileHistory(p.SubmittedAt, p.File, byProof[p.ID])
		}
	}
	return nil
}

// ProofFileInput is a PDF of receipts uploaded for a submitted Verwendungsnachweis: the
// form field it came in (named in validation errors), the client's name and the content
// (File nil: none chosen).
type ProofFileInput struct {
	Field    string
	FileName string
	File     io.Reader
	MaxBytes int64
}

// ReplaceProofFile replaces the PDF of receipts of organisation scope.Org's proof id, or
// adds one when the proof came without (rules.md R38): only until the lead checked the
// proof (afterwards a conflict with nothing changed), administrators of the organisation
// only, another organisation's or call's proof is ErrNotFound. The PDF goes through the
// upload checks; the replaced file is kept (proof_file_changes names it, with the time of
// the database clock). The Sachbericht and the numbers stay as submitted. Audited as
// forwarding.proof_file_replaced; the Kreis's leads are mailed as on the submission.
func ReplaceProofFile(ctx context.Context, db *gorm.DB, vlt *vault.Vault, actor *core.Actor, scope core.OrgCallScope, id int64, in ProofFileInput) error {
	if !actor.IsOrgAdmin(scope.Org) {
		return fmt.Errorf("proof %d of org %d: %w", id, scope.Org, core.ErrNotFound)
	}
	return store.InTx(ctx, db, func(tx *gorm.DB) error {
		k, err := lockContract(tx, scope)
		if err != nil {
			return err
		}
		y, err := k.proofYear(id)
		if err != nil {
			return err
		}
		if !y.Proof.Replaceable() {
			return core.Conflict("Die Verfahrensleitung hat diesen Verwendungsnachweis bereits geprüft; die Belege lassen sich nicht mehr ersetzen.")
		}
		if in.File == nil {
			return rules.FileError(in.Field, "missing", in.MaxBytes)
		}
		f, err := vault.StoreFile(ctx, tx, vlt, vault.FileInput{OrgID: k.OrgID, Kind: "proof", Name: in.FileName, Reader: in.File,
			MaxBytes: in.MaxBytes, CreatedBy: actor.UserID, Field: in.Field})
		if err != nil {
			return err
		}
		var old *int64
		previous, verb := "keine", "nachgereicht"
		if y.Proof.File != nil {
			old, previous, verb = &y.Proof.File.ID, y.Proof.File.SHA256, "ersetzt"
		}
		var at time.Time
		// The time of the change is the database clock (shifted only by the demonstration's offset).
		if err := tx.Raw(`INSERT INTO proof_file_changes (proof_id, old_file_id, new_file_id, changed_by, changed_at)
			VALUES (?, ?, ?, ?, clock_timestamp() + make_interval(secs => ?)) RETURNING changed_at`,
			id, old, f.ID, actor.UserID, core.ClockOffsetSeconds(ctx)).Row().Scan(&at); err != nil {
			return fmt.Errorf("record proof file change: %w", err)
		}
		if err := tx.Exec(`UPDATE proofs SET file_id = ? WHERE id = ?`, f.ID, id).Error; err != nil {
			return fmt.Errorf("replace proof file: %w", err)
		}
		subject := fmt.Sprintf("Belege zum Verwendungsnachweis %s: %s, %d. Förderjahr", verb, k.Terms.CallRef, y.No)
		body := fmt.Sprintf("%s hat am %s die Belege zum Verwendungsnachweis für das %d. Förderjahr (%s bis %s) %s. "+
			"Eine ersetzte Datei bleibt erhalten und ist auf der Seite der Weiterleitung vermerkt. Bitte prüfen Sie den Nachweis mit den neuen Belegen.\n",
			k.OrgName, core.FormatDateTime(at), y.No, y.Period.From.German(), y.Period.To.German(), verb)
		if err := mailLeads(tx, k, subject, body); err != nil {
			return err
		}
		// No file name in the trail: a provider's name of a receipt may name people.
		_, err = audit.Audit(tx, audit.Event{Chain: audit.CallChain(k.CallID), ActorID: actor.UserID, TenantID: k.TenantID, Action: "forwarding.proof_file_replaced",
			ObjectType: "proof", ObjectID: strconv.FormatInt(id, 10),
			Details: map[string]any{"org_id": k.OrgID, "year": y.No, "size": f.Size, "sha256": f.SHA256, "previous_sha256": previous}})
		return err
	})
}

// OpenProofFile opens the current PDF of proof id of a contract of call scope.Call for the
// Kreis's lead (ErrNotFound for anyone else or another call; a proof without a PDF is
// ErrNotFound with a German explanation).
func OpenProofFile(ctx context.Context, db *gorm.DB, vlt *vault.Vault, actor *core.Actor, scope core.CallScope, id int64) (io.ReadCloser, vault.File, error) {
	if !actor.HasTenantRole(scope.Tenant, core.RoleLead) {
		return nil, vault.File{}, fmt.Errorf("proof %d: %w", id, core.ErrNotFound)
	}
	return openProofFile(ctx, db, vlt, id, `k.call_id = ? AND k.tenant_id = ?`, scope.Call, scope.Tenant)
}

// OpenOwnProofFile opens the current PDF of proof id for a member of the organisation that
// submitted it (scope.Org's contract of call scope.Call); anything else is as OpenProofFile.
func OpenOwnProofFile(ctx context.Context, db *gorm.DB, vlt *vault.Vault, actor *core.Actor, scope core.OrgCallScope, id int64) (io.ReadCloser, vault.File, error) {
	if !actor.InOrg(scope.Org) {
		return nil, vault.File{}, fmt.Errorf("proof %d: %w", id, core.ErrNotFound)
	}
	return openProofFile(ctx, db, vlt, id, `k.call_id = ? AND k.org_id = ?`, scope.Call, scope.Org)
}

// openProofFile opens the current PDF of proof id whose contract matches where (a
// condition on the contract k with its arguments args); it checks no rights.
func openProofFile(ctx context.Context, db *gorm.DB, vlt *vault.Vault, id int64, where string, args ...any) (io.ReadCloser, vault.File, error) {
	var row []struct{ FileID *int64 }
	if err := db.WithContext(ctx).Raw(`SELECT p.file_id FROM proofs p JOIN forwarding_contracts k ON k.id = p.contract_id
		WHERE p.id = ? AND `+where, append([]any{id}, args...)...).Scan(&row).Error; err != nil {
		return nil, vault.File{}, fmt.Errorf("find proof file: %w", err)
	}
	switch {
	case len(row) == 0:
		return nil, vault.File{}, fmt.Errorf("proof %d: %w", id, core.ErrNotFound)
	case row[0].FileID == nil:
		return nil, vault.File{}, core.Missing("Zu diesem Verwendungsnachweis wurden keine Belege als PDF eingereicht.")
	}
	return vault.OpenFile(ctx, db, vlt, *row[0].FileID)
}
