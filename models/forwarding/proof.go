package forwarding

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/models/rules"
	"kimibv/models/store"
	"kimibv/models/vault"
)

// Proof is the Verwendungsnachweis of one Förderjahr (rules.md R38).
type Proof struct {
	ID          int64
	YearNo      int
	Report      string
	Personnel   map[string]rules.Cents // "lot/post" → cents
	PersonnelT  rules.Cents
	Other       rules.Cents
	Received    rules.Cents
	FileID      *int64
	SubmittedAt time.Time
	Result      string
	Reason      string
	Repayment   rules.Cents
	CheckedAt   *time.Time
	File        *ProofFile  // the current PDF of receipts (nil: none)
	Superseded  []ProofFile // the PDFs it replaced, oldest first
}

// Used is what the provider states it used: personnel and other costs.
func (p Proof) Used() rules.Cents { return p.PersonnelT + p.Other }

// ResultLabel names the check's result ("" before the check).
func (p Proof) ResultLabel() string { return rules.ProofResultLabel(p.Result) }

// Accepted reports whether the lead accepted the proof (with or without repayment).
func (p Proof) Accepted() bool {
	return p.Result == rules.ProofAccepted || p.Result == rules.ProofRepayment
}

// ProofYear is one Förderjahr of a contract with its proof (nil before the submission).
type ProofYear struct {
	TermsYear
	Paid  rules.Cents // recorded payments of draw-downs starting in the year
	Proof *Proof
}

// Repayment is what the lead would have to reclaim for the submitted proof.
func (y ProofYear) Repayment() rules.Cents {
	if y.Proof == nil {
		return 0
	}
	return rules.Repayment(y.Paid, y.Proof.Used(), y.Grant)
}

// ProofYears lists the contract's Förderjahre with their payments and proofs.
func (k *Contract) ProofYears() []ProofYear {
	out := make([]ProofYear, 0, len(k.Terms.Years))
	for _, y := range k.Terms.Years {
		py := ProofYear{TermsYear: y}
		for _, d := range k.Drawdowns {
			if d.State == DrawPaid && d.From >= y.Period.From && d.From <= y.Period.To {
				py.Paid += d.Amount
			}
		}
		for i := range k.Proofs {
			if k.Proofs[i].YearNo == y.No {
				py.Proof = &k.Proofs[i]
			}
		}
		out = append(out, py)
	}
	return out
}

// proofYear is the Förderjahr of the contract's proof id (ErrNotFound: not one of its proofs).
func (k *Contract) proofYear(id int64) (ProofYear, error) {
	for _, y := range k.ProofYears() {
		if y.Proof != nil && y.Proof.ID == id {
			return y, nil
		}
	}
	return ProofYear{}, fmt.Errorf("proof %d of contract %d: %w", id, k.ID, core.ErrNotFound)
}

// loadProofs reads the proofs of the contracts byID in one statement.
func loadProofs(tx *gorm.DB, byID map[int64]*Contract) error {
	var rows []struct {
		ID, ContractID                                    int64
		YearNo                                            int
		Report, Personnel                                 string
		PersonnelCents, OtherCents, ReceivedCents, RepayC int64
		FileID                                            *int64
		SubmittedAt                                       time.Time
		Result                                            *string
		Reason                                            string
		CheckedAt                                         *time.Time
		FileName, FileSHA                                 string
		FileSize                                          int64
	}
	if err := tx.Raw(`SELECT p.id, p.contract_id, p.year_no, p.report, p.personnel::text AS personnel, p.personnel_cents, p.other_cents, p.received_cents,
		p.repayment_cents AS repay_c, p.file_id, p.submitted_at, p.result, p.reason, p.checked_at,
		coalesce(f.name, '') AS file_name, coalesce(f.sha256, '') AS file_sha, coalesce(f.size, 0) AS file_size
		FROM proofs p LEFT JOIN files f ON f.id = p.file_id WHERE p.contract_id IN ? ORDER BY p.year_no`, contractIDs(byID)).Scan(&rows).Error; err != nil {
		return fmt.Errorf("load proofs: %w", err)
	}
	for _, k := range byID {
		k.Proofs = nil
	}
	for _, r := range rows {
		p := Proof{ID: r.ID, YearNo: r.YearNo, Report: r.Report, PersonnelT: rules.Cents(r.PersonnelCents), Other: rules.Cents(r.OtherCents),
			Received: rules.Cents(r.ReceivedCents), FileID: r.FileID, SubmittedAt: r.SubmittedAt, Reason: r.Reason, Repayment: rules.Cents(r.RepayC), CheckedAt: r.CheckedAt}
		if r.Result != nil {
			p.Result = *r.Result
		}
		if r.FileID != nil {
			p.File = &ProofFile{ID: *r.FileID, Name: r.FileName, Size: r.FileSize, SHA256: r.FileSHA}
		}
		if err := json.Unmarshal([]byte(r.Personnel), &p.Personnel); err != nil {
			return fmt.Errorf("decode personnel costs of proof %d: %w", r.ID, err)
		}
		k := byID[r.ContractID]
		k.Proofs = append(k.Proofs, p)
	}
	if len(rows) == 0 {
		return nil
	}
	return loadProofFileChanges(tx, byID)
}

// ProofInput is a Verwendungsnachweis as typed: the Förderjahr, the Sachbericht, the
// personnel costs per post ("lot/post" → German euro amount), other costs and funds
// received, and optionally a PDF (File nil: none).
type ProofInput struct {
	Year            string
	Report          string
	Personnel       map[string]string
	Other, Received string
	FileName        string
	File            io.Reader
	MaxBytes        int64
}

// SubmitProof records organisation scope.Org's Verwendungsnachweis for one Förderjahr
// (rules.md R38): refused with nothing changed before the contract's acceptance, for a
// year the contract lacks, a second time for the same year, or with invalid numbers.
// Administrators of the organisation only; the receipt time is the database clock.
// Audited as forwarding.proof_submitted; the Kreis's leads are mailed.
func SubmitProof(ctx context.Context, db *gorm.DB, vlt *vault.Vault, actor *core.Actor, scope core.OrgCallScope, in ProofInput) (int64, error) {
	if !actor.IsOrgAdmin(scope.Org) {
		return 0, fmt.Errorf("contract of org %d: %w", scope.Org, core.ErrNotFound)
	}
	var id int64
	err := store.InTx(ctx, db, func(tx *gorm.DB) error {
		k, err := lockContract(tx, scope)
		if err != nil {
			return err
		}
		if !k.Accepted() {
			return core.Conflict("Ein Verwendungsnachweis kann erst eingereicht werden, wenn Ihre Organisation den Vertrag angenommen hat.")
		}
		year, personnel, total, other, received, err := k.validateProof(in)
		if err != nil {
			return err
		}
		for _, p := range k.Proofs {
			if p.YearNo == year.No {
				return core.Conflict(fmt.Sprintf("Für das %d. Förderjahr ist bereits ein Verwendungsnachweis eingegangen.", year.No))
			}
		}
		var fileID *int64
		if in.File != nil {
			f, err := vault.StoreFile(ctx, tx, vlt, vault.FileInput{OrgID: k.OrgID, Kind: "proof", Name: in.FileName, Reader: in.File,
				MaxBytes: in.MaxBytes, CreatedBy: actor.UserID, Field: "datei"})
			if err != nil {
				return err
			}
			fileID = &f.ID
		}
		pj, err := json.Marshal(personnel)
		if err != nil {
			return fmt.Errorf("encode personnel costs: %w", err)
		}
		var row struct {
			ID          int64
			SubmittedAt time.Time
		}
		// The receipt time is the database clock (shifted only by the demonstration's offset).
		if err := tx.Raw(`INSERT INTO proofs (contract_id, year_no, report, personnel, personnel_cents, other_cents, received_cents, file_id, submitted_by, submitted_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, clock_timestamp() + make_interval(secs => ?)) RETURNING id, submitted_at`, k.ID, year.No, strings.TrimSpace(in.Report), string(pj), int64(total),
			int64(other), int64(received), fileID, actor.UserID, core.ClockOffsetSeconds(ctx)).Scan(&row).Error; err != nil {
			return fmt.Errorf("store proof: %w", err)
		}
		id = row.ID
		subject := fmt.Sprintf("Verwendungsnachweis eingegangen: %s, %d. Förderjahr", k.Terms.CallRef, year.No)
		body := fmt.Sprintf("%s hat am %s den Verwendungsnachweis für das %d. Förderjahr (%s bis %s) eingereicht. Bitte prüfen Sie ihn auf der Seite der Weiterleitung.\n",
			k.OrgName, core.FormatDateTime(row.SubmittedAt), year.No, year.Period.From.German(), year.Period.To.German())
		if err := mailLeads(tx, k, subject, body); err != nil {
			return err
		}
		_, err = audit.Audit(tx, audit.Event{Chain: audit.CallChain(k.CallID), ActorID: actor.UserID, TenantID: k.TenantID, Action: "forwarding.proof_submitted",
			ObjectType: "proof", ObjectID: strconv.FormatInt(id, 10),
			Details: map[string]any{"org_id": k.OrgID, "year": year.No, "used": (total + other).German(), "received": received.German(), "attachment": yesNo(fileID != nil)}})
		return err
	})
	return id, err
}

// validateProof checks the typed proof against the contract: the year, a Sachbericht,
// one amount per post and the other numbers.
func (k *Contract) validateProof(in ProofInput) (TermsYear, map[string]rules.Cents, rules.Cents, rules.Cents, rules.Cents, error) {
	v := &core.ValidationError{}
	var year TermsYear
	no, _ := strconv.Atoi(in.Year)
	for _, y := range k.Terms.Years {
		if y.No == no {
			year = y
		}
	}
	if year.No == 0 {
		v.Add("year", "invalid", "Bitte wählen Sie ein Förderjahr des Vertrags.")
	}
	report := strings.TrimSpace(in.Report)
	switch n := len([]rune(report)); {
	case n == 0:
		v.Add("report", "required", "Bitte geben Sie den Sachbericht ein.")
	case n > 20000:
		v.Add("report", "too_long", "Der Sachbericht ist zu lang (höchstens 20.000 Zeichen).")
	}
	personnel := map[string]rules.Cents{}
	var total rules.Cents
	for _, p := range k.Posts {
		key := p.LotKey + "/" + strconv.Itoa(p.No)
		c, msg := rules.ParseProofCents(in.Personnel[key])
		if msg != "" {
			v.Add("personnel_"+key, "invalid", fmt.Sprintf("Personalkosten %s, Stelle %d: %s", p.LotName, p.No, msg))
		}
		personnel[key] = c
		total += c
	}
	other, msg := rules.ParseProofCents(in.Other)
	if msg != "" {
		v.Add("other", "invalid", "Sonstige Kosten: "+msg)
	}
	received, msg := rules.ParseProofCents(in.Received)
	if msg != "" {
		v.Add("received", "invalid", "Erhaltene Mittel: "+msg)
	}
	return year, personnel, total, other, received, v.OrNil()
}

// CheckProof records the lead's check of proof id of a contract of call scope.Call
// (rules.md R38): the result with a reason; the repayment is computed by rules.Repayment
// from the year's payments, the stated use and the year's grant, and the result must fit
// it (rules.CheckProofResult). A second check is refused. Leads only; audited as
// forwarding.proof_checked; the provider gets a Postfach message.
func CheckProof(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.CallScope, id int64, result, reason string, now time.Time) error {
	reason = strings.TrimSpace(reason)
	if !actor.HasTenantRole(scope.Tenant, core.RoleLead) {
		return fmt.Errorf("proof %d: %w", id, core.ErrNotFound)
	}
	return store.InTx(ctx, db, func(tx *gorm.DB) error {
		var org int64
		if err := tx.Raw(`SELECT k.org_id FROM proofs p JOIN forwarding_contracts k ON k.id = p.contract_id
			WHERE p.id = ? AND k.call_id = ? AND k.tenant_id = ?`, id, scope.Call, scope.Tenant).Scan(&org).Error; err != nil {
			return fmt.Errorf("find proof: %w", err)
		}
		if org == 0 {
			return fmt.Errorf("proof %d: %w", id, core.ErrNotFound)
		}
		k, err := lockContract(tx, core.OrgCallScope{Org: org, Call: scope.Call})
		if err != nil {
			return err
		}
		y, err := k.proofYear(id)
		if err != nil {
			return err
		}
		if y.Proof.Result != "" {
			return core.Conflict("Dieser Verwendungsnachweis ist bereits geprüft.")
		}
		repay := y.Repayment()
		if result == rules.ProofRejected {
			repay = 0
		}
		if field, msg := rules.CheckProofResult(result, reason, repay); msg != "" {
			v := &core.ValidationError{}
			v.Add(field, "invalid", msg)
			return v
		}
		if err := tx.Exec(`UPDATE proofs SET result = ?, reason = ?, repayment_cents = ?, checked_by = ?, checked_at = ? WHERE id = ?`,
			result, reason, int64(repay), actor.UserID, now, id).Error; err != nil {
			return fmt.Errorf("check proof: %w", err)
		}
		label := rules.ProofResultLabel(result)
		body := fmt.Sprintf("Ihr Verwendungsnachweis für das %d. Förderjahr (%s bis %s) ist geprüft: %s.", y.No, y.Period.From.German(), y.Period.To.German(), label)
		if repay > 0 {
			body += fmt.Sprintf("\n\nZurückzuzahlen sind %s (ausgezahlt %s, anerkannte Verwendung %s).", repay.German(), y.Paid.German(), (y.Paid - repay).German())
		}
		body += "\n\nBegründung: " + reason + "\n"
		if err := notifyOrg(tx, k, "Verwendungsnachweis geprüft: "+k.Terms.CallRef, body, now); err != nil {
			return err
		}
		_, err = audit.Audit(tx, audit.Event{Chain: audit.CallChain(k.CallID), ActorID: actor.UserID, TenantID: k.TenantID, Action: "forwarding.proof_checked",
			ObjectType: "proof", ObjectID: strconv.FormatInt(id, 10),
			Details: map[string]any{"org_id": k.OrgID, "year": y.No, "result": label, "repayment": repay.German(), "reason": reason}})
		return err
	})
}

// yesNo is "ja" or "nein" for an audit detail.
func yesNo(b bool) string {
	if b {
		return "ja"
	}
	return "nein"
}
