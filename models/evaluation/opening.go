package evaluation

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"kimibv/models/accounts"
	"kimibv/models/audit"
	"kimibv/models/bids"
	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/postbox"
	"kimibv/models/rules"
	"kimibv/models/store"
	"kimibv/models/vault"
)

// openingCall is the call as the opening needs it, locked FOR UPDATE.
type openingCall struct {
	ID             int64
	TenantID       int64
	Ref            string
	Title          string
	State          rules.CallState
	CurrentVersion int
	Deadline       *time.Time
	OpenedAt       *time.Time
}

// OpeningRule decides whether an opener may confirm now (pure, rules.md R15): the call
// must be past its deadline and not opened, the actor a named opener who has not
// confirmed yet. confirmed are the users who confirmed so far.
func OpeningRule(state rules.CallState, deadline *time.Time, openedAt *time.Time, named bool, confirmed []int64, userID int64, now time.Time) error {
	switch {
	case state == rules.CallCancelled:
		return core.Conflict("Die Ausschreibung ist aufgehoben. Eine Öffnung ist nicht möglich.")
	case openedAt != nil || len(confirmed) >= 2:
		return core.Conflict("Die Interessenbekundungen sind bereits von zwei Personen geöffnet worden. Eine weitere Bestätigung ist nicht möglich; es wurde nichts geändert.")
	case deadline == nil || !now.After(*deadline):
		return core.Conflict("Die Frist läuft noch. Die Interessenbekundungen können erst nach Ablauf der Frist geöffnet werden; es wurde nichts geändert.")
	case now.Before(rules.OpeningAllowedFrom(*deadline)):
		return core.Conflict(fmt.Sprintf("Die Frist ist gerade erst abgelaufen. Einreichungen, die bis zum Fristende eingegangen sind, werden noch bis zu %d Sekunden danach verarbeitet. "+
			"Die Öffnung ist ab %s möglich; es wurde nichts geändert.", int(rules.SubmissionQueueLimit.Seconds()), rules.FormatDateTimeSeconds(rules.OpeningAllowedFrom(*deadline))))
	case !named:
		return core.Forbidden("Sie sind für dieses Verfahren nicht als öffnungsberechtigte Person benannt.")
	}
	for _, id := range confirmed {
		if id == userID {
			return core.Conflict("Sie haben die Öffnung bereits bestätigt. Die zweite Bestätigung muss eine andere öffnungsberechtigte Person in ihrer eigenen Sitzung geben (Vier-Augen-Prinzip).")
		}
	}
	return nil
}

// ConfirmOpening records the actor's confirmation of the opening of a call of the Kreis
// tenantID. The actor must hold the opener role of that Kreis, be named as opener of the
// call and not be a named evaluator of it (accounts.ErrCommitteeMember: the opening reads every
// bid before any declaration). The first confirmation is recorded (opening.confirmed); the second, by another
// person, opens the bids: calls.opened_at is set, the state becomes 'opened', the bids as
// ReadBids returns them are frozen for the Öffnungsprotokoll and call.opened is recorded.
// It returns whether the call is now open. Other Kreise's calls are ErrNotFound. The
// Öffnungsprotokoll (docs) is issued in the opening transaction after the freeze, so a
// failing renderer rolls the opening back.
func ConfirmOpening(ctx context.Context, db *gorm.DB, vlt *vault.Vault, actor *core.Actor, scope core.CallScope, now time.Time, docs Documents) (bool, error) {
	tenantID, callID := scope.Tenant, scope.Call
	if !actor.HasTenantRole(tenantID, core.RoleOpener) {
		return false, fmt.Errorf("opening of call %d: %w", callID, core.ErrNotFound)
	}
	opened := false
	err := store.InTx(ctx, db, func(tx *gorm.DB) error {
		if err := calls.CloseCallTx(tx, callID, now); err != nil {
			return err
		}
		var c openingCall
		res := tx.Raw(`SELECT id, tenant_id, ref, title, state, current_version, deadline, opened_at FROM calls
			WHERE id = ? AND tenant_id = ? AND state <> 'draft' FOR UPDATE`, callID, tenantID).Scan(&c)
		if res.Error != nil {
			return fmt.Errorf("lock call %d: %w", callID, res.Error)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("call %d: %w", callID, core.ErrNotFound)
		}
		var named int64
		if err := tx.Raw(`SELECT count(*) FROM call_committee WHERE call_id = ? AND user_id = ? AND role = 'opener'`, callID, actor.UserID).
			Scan(&named).Error; err != nil {
			return fmt.Errorf("check opener: %w", err)
		}
		if err := accounts.RefuseCommitteeMember(tx, actor, callID); err != nil {
			return err
		}
		var confirmed []int64
		if err := tx.Raw(`SELECT user_id FROM openings WHERE call_id = ? ORDER BY confirmed_at`, callID).Scan(&confirmed).Error; err != nil {
			return fmt.Errorf("load confirmations: %w", err)
		}
		if err := OpeningRule(c.State, c.Deadline, c.OpenedAt, named > 0, confirmed, actor.UserID, now); err != nil {
			return err
		}
		if err := tx.Exec(`INSERT INTO openings (call_id, user_id, confirmed_at) VALUES (?, ?, ?)`, callID, actor.UserID, now).Error; err != nil {
			return fmt.Errorf("record confirmation: %w", err)
		}
		obj := strconv.FormatInt(callID, 10)
		if _, err := audit.Audit(tx, audit.Event{Chain: audit.CallChain(callID), ActorID: actor.UserID, TenantID: tenantID, Action: "opening.confirmed",
			ObjectType: "call", ObjectID: obj, Details: map[string]any{"confirmation": len(confirmed) + 1}}); err != nil {
			return err
		}
		if len(confirmed) == 0 {
			return nil
		}
		if err := tx.Exec(`UPDATE calls SET opened_at = ?, state = 'opened', updated_at = ? WHERE id = ?`, now, now, callID).Error; err != nil {
			return fmt.Errorf("open call %d: %w", callID, err)
		}
		n, withdrawn, err := freezeOpening(ctx, tx, vlt, actor, callID, now)
		if err != nil {
			return err
		}
		if err := audit.JoinSealedTrail(tx, actor.UserID, tenantID, callID); err != nil {
			return err
		}
		if _, err := audit.Audit(tx, audit.Event{Chain: audit.CallChain(callID), ActorID: actor.UserID, TenantID: tenantID, Action: "call.opened",
			ObjectType: "call", ObjectID: obj, Details: map[string]any{"openers": []int64{confirmed[0], actor.UserID}, "bids": n, "withdrawn": withdrawn}}); err != nil {
			return err
		}
		if err := issueOeffnungsprotokoll(tx, docs, actor.UserID, tenantID, callID); err != nil {
			return err
		}
		opened = true
		return notifyLeads(tx, tenantID, "Geöffnet: "+c.Ref, fmt.Sprintf("Guten Tag,\n\ndie Interessenbekundungen im Verfahren %s („%s“) sind von zwei "+
			"öffnungsberechtigten Personen geöffnet worden (%d eingegangen, davon %d zurückgezogen). Sie können jetzt die formale Prüfung beginnen.\n", c.Ref, c.Title, n, withdrawn), "call_opened")
	})
	return opened, err
}

// freezeOpening reads the bids through ReadBids (verifying every content hash) and stores
// what was opened: opening_bids with the requested posts and opening_files with the
// wallet document's type and dates where a file came from the wallet.
func freezeOpening(ctx context.Context, tx *gorm.DB, vlt *vault.Vault, actor *core.Actor, callID int64, now time.Time) (n, withdrawn int, err error) {
	ob, err := bids.ReadBids(ctx, tx, vlt, actor, callID, now)
	if err != nil {
		return 0, 0, err
	}
	for _, b := range ob.Bids {
		lots := map[string]string{}
		for k, v := range b.Content.Lots {
			lots[k] = v.StringFixed(2)
		}
		raw, err := json.Marshal(lots)
		if err != nil {
			return 0, 0, fmt.Errorf("encode lots: %w", err)
		}
		if err := tx.Exec(`INSERT INTO opening_bids (bid_id, call_id, org_id, org_name, state, version, call_version, kind, receipt_at,
			content_sha256, needs_reconfirmation, lots) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, b.BidID, callID, b.OrgID, b.OrgName, string(b.State),
			b.Version, b.CallVersion, b.Kind, b.ReceiptAt, b.ContentSHA256, b.NeedsReconfirmation, string(raw)).Error; err != nil {
			return 0, 0, fmt.Errorf("freeze bid %d: %w", b.BidID, err)
		}
		if b.State == rules.BidWithdrawn {
			withdrawn++
		}
	}
	// The file names come opened from ReadBids (bid_version_files keeps them sealed); the
	// frozen opening is the Kreis's record after the opening and holds them plain.
	var bidIDs []int64
	var keys, names []string
	for _, b := range ob.Bids {
		for _, f := range b.Files {
			bidIDs, keys, names = append(bidIDs, b.BidID), append(keys, f.DocKey), append(names, f.Name)
		}
	}
	if _, err := tx.Statement.ConnPool.ExecContext(tx.Statement.Context, `INSERT INTO opening_files (bid_id, doc_key, file_id, name, size, sha256, doc_type, issued_on, valid_until)
		SELECT f.bid_id, f.doc_key, f.file_id, n.name, f.size, f.sha256, od.doc_type, od.issued_on, od.valid_until
		FROM opening_bids o JOIN bid_version_files f ON f.bid_id = o.bid_id AND f.version = o.version
		JOIN unnest($2::bigint[], $3::text[], $4::text[]) AS n(bid_id, doc_key, name) ON n.bid_id = f.bid_id AND n.doc_key = f.doc_key
		LEFT JOIN bid_draft_files d ON d.bid_id = f.bid_id AND d.doc_key = f.doc_key AND d.file_id = f.file_id
		LEFT JOIN org_documents od ON od.id = d.source_doc_id
		WHERE o.call_id = $1`, callID, bidIDs, keys, names); err != nil {
		return 0, 0, fmt.Errorf("freeze bid files: %w", err)
	}
	return len(ob.Bids), withdrawn, nil
}

// notifyLeads queues an e-mail to every lead of the Kreis.
func notifyLeads(tx *gorm.DB, tenantID int64, subject, body, kind string) error {
	var to []string
	if err := tx.Raw(`SELECT DISTINCT u.email FROM tenant_memberships m JOIN users u ON u.id = m.user_id
		WHERE m.tenant_id = ? AND m.role = 'lead' ORDER BY 1`, tenantID).Scan(&to).Error; err != nil {
		return fmt.Errorf("load leads: %w", err)
	}
	for _, addr := range to {
		tid := tenantID
		if err := postbox.EnqueueMail(tx, postbox.Mail{TenantID: &tid, ToAddr: addr, Subject: subject, Body: body, Kind: kind}); err != nil {
			return err
		}
	}
	return nil
}
