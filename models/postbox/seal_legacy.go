package postbox

import (
	"context"
	"fmt"
	"log/slog"

	"gorm.io/gorm"

	"kimibv/models/store"
	"kimibv/models/vault"
)

// sealBatch is how many rows SealLegacyAtRest seals per transaction.
const sealBatch = 200

// SealLegacyAtRest seals what was stored in plain text before migration 00060 (or by an
// older instance still running during an upgrade): names of bid files (files,
// bid_version_files: the call's key), Postfach messages (the organisation's key), queued
// and sent e-mails with their delivery errors (the platform key 'mail'; a mail about a bid
// also loses its Kreis, see BidMailKind) and the PDFs of documents addressed to an
// organisation (its key). Sealing needs the master key, which
// SQL does not have; `kimibv serve` therefore calls this after migrating and before
// serving. It is idempotent and safe with several instances starting at once (each
// batch locks its rows; a row sealed meanwhile no longer matches). It also creates the
// platform key 'mail' if missing. It returns how many rows it sealed.
func SealLegacyAtRest(ctx context.Context, db *gorm.DB, vlt *vault.Vault, log *slog.Logger) (int, error) {
	if vlt == nil {
		return 0, vault.ErrNoVault
	}
	// The platform key is created here, once, rather than by the first of many mails
	// queued at the same moment (they would wait for each other's uncommitted key).
	if err := store.InTx(ctx, db, func(tx *gorm.DB) error { _, err := vlt.DataKey(tx, vault.MailScope(), true); return err }); err != nil {
		return 0, fmt.Errorf("platform key: %w", err)
	}
	steps := []struct {
		name string
		run  func(tx *gorm.DB) (int, error)
	}{
		{"bid file names", func(tx *gorm.DB) (int, error) { return sealFileNames(tx, vlt) }},
		{"bid version file names", func(tx *gorm.DB) (int, error) { return sealVersionFileNames(tx, vlt) }},
		{"postfach messages", func(tx *gorm.DB) (int, error) { return sealInboxRows(tx, vlt) }},
		{"outbox mails", func(tx *gorm.DB) (int, error) { return sealOutboxRows(tx, vlt) }},
		{"Kreis of mails about a bid", detachBidMails},
		{"issued documents", func(tx *gorm.DB) (int, error) { return sealDocumentRows(tx, vlt) }},
	}
	total := 0
	for _, st := range steps {
		for {
			var n int
			err := store.InTx(ctx, db, func(tx *gorm.DB) error {
				var err error
				n, err = st.run(tx)
				return err
			})
			if err != nil {
				return total, fmt.Errorf("seal %s: %w", st.name, err)
			}
			total += n
			if n > 0 && log != nil {
				log.Info("sealed plain rows at rest", "what", st.name, "rows", n)
			}
			if n < sealBatch {
				break
			}
		}
	}
	return total, nil
}

func sealFileNames(tx *gorm.DB, vlt *vault.Vault) (int, error) {
	var rows []struct {
		ID     int64
		CallID int64
		Name   string
	}
	if err := tx.Raw(`SELECT id, call_id, name FROM files WHERE call_id IS NOT NULL AND name_sealed IS NULL
		ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED`, sealBatch).Scan(&rows).Error; err != nil {
		return 0, fmt.Errorf("load: %w", err)
	}
	for _, r := range rows {
		sealed, err := vlt.SealBytes(tx, r.CallID, []byte(r.Name))
		if err != nil {
			return 0, err
		}
		if err := tx.Exec(`UPDATE files SET name = '', name_sealed = ? WHERE id = ?`, sealed, r.ID).Error; err != nil {
			return 0, fmt.Errorf("file %d: %w", r.ID, err)
		}
	}
	return len(rows), nil
}

func sealVersionFileNames(tx *gorm.DB, vlt *vault.Vault) (int, error) {
	var rows []struct {
		BidID   int64
		Version int
		DocKey  string
		CallID  int64
		Name    string
	}
	if err := tx.Raw(`SELECT f.bid_id, f.version, f.doc_key, v.call_id, f.name FROM bid_version_files f
		JOIN bid_versions v ON v.bid_id = f.bid_id AND v.version = f.version WHERE f.name_sealed IS NULL
		ORDER BY f.bid_id, f.version, f.doc_key LIMIT ? FOR UPDATE OF f SKIP LOCKED`, sealBatch).Scan(&rows).Error; err != nil {
		return 0, fmt.Errorf("load: %w", err)
	}
	for _, r := range rows {
		sealed, err := vlt.SealBytes(tx, r.CallID, []byte(r.Name))
		if err != nil {
			return 0, err
		}
		if err := tx.Exec(`UPDATE bid_version_files SET name = '', name_sealed = ? WHERE bid_id = ? AND version = ? AND doc_key = ?`,
			sealed, r.BidID, r.Version, r.DocKey).Error; err != nil {
			return 0, fmt.Errorf("bid %d version %d file %s: %w", r.BidID, r.Version, r.DocKey, err)
		}
	}
	return len(rows), nil
}

func sealInboxRows(tx *gorm.DB, vlt *vault.Vault) (int, error) {
	var rows []struct {
		ID            int64
		OrgID         int64
		Subject, Body string
	}
	if err := tx.Raw(`SELECT id, org_id, subject, body FROM inbox_messages WHERE sealed IS NULL
		ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED`, sealBatch).Scan(&rows).Error; err != nil {
		return 0, fmt.Errorf("load: %w", err)
	}
	for _, r := range rows {
		keys, err := vlt.OrgKeys(tx, []int64{r.OrgID}, true)
		if err != nil {
			return 0, err
		}
		sealed, err := vault.SealJSON(keys[r.OrgID].Recipient(), inboxEnvelope{Subject: r.Subject, Body: r.Body})
		if err != nil {
			return 0, err
		}
		if err := tx.Exec(`UPDATE inbox_messages SET subject = '', body = '', sealed = ? WHERE id = ?`, sealed, r.ID).Error; err != nil {
			return 0, fmt.Errorf("message %d: %w", r.ID, err)
		}
	}
	return len(rows), nil
}

func sealOutboxRows(tx *gorm.DB, vlt *vault.Vault) (int, error) {
	var rows []struct {
		ID                               int64
		ToAddr, Subject, Body, LastError string
	}
	if err := tx.Raw(`SELECT id, to_addr, subject, body, last_error FROM outbox WHERE sealed IS NULL
		ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED`, sealBatch).Scan(&rows).Error; err != nil {
		return 0, fmt.Errorf("load: %w", err)
	}
	if len(rows) == 0 {
		return 0, nil
	}
	key, err := vlt.DataKey(tx, vault.MailScope(), true)
	if err != nil {
		return 0, err
	}
	for _, r := range rows {
		sealed, err := vault.SealJSON(key.Recipient(), mailEnvelope{To: r.ToAddr, Subject: r.Subject, Body: r.Body})
		if err != nil {
			return 0, err
		}
		if err := tx.Exec(`UPDATE outbox SET to_addr = '', subject = '', body = '', sealed = ? WHERE id = ?`, sealed, r.ID).Error; err != nil {
			return 0, fmt.Errorf("mail %d: %w", r.ID, err)
		}
		// A delivery error of the old sender may quote the recipient: sealed as well.
		if note := r.LastError; note != "" && note != uncertainNote && note != deliveryNote {
			sealedErr, err := vault.SealWith(key.Recipient(), []byte(note))
			if err != nil {
				return 0, err
			}
			if err := tx.Exec(`UPDATE outbox SET last_error = ?, sealed_error = ? WHERE id = ?`, deliveryNote, sealedErr, r.ID).Error; err != nil {
				return 0, fmt.Errorf("mail %d: %w", r.ID, err)
			}
		}
	}
	return len(rows), nil
}

// detachBidMails removes the Kreis from mails about a bid queued before they were queued
// without one (BidMailKind): otherwise the Kreis's Postausgang could list them.
func detachBidMails(tx *gorm.DB) (int, error) {
	kinds := make([]string, 0, len(bidMailKinds))
	for k := range bidMailKinds {
		kinds = append(kinds, k)
	}
	res := tx.Exec(`UPDATE outbox SET tenant_id = NULL WHERE id IN (SELECT id FROM outbox WHERE tenant_id IS NOT NULL AND kind IN ?
		ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED)`, kinds, sealBatch)
	if res.Error != nil {
		return 0, fmt.Errorf("detach: %w", res.Error)
	}
	return int(res.RowsAffected), nil
}

func sealDocumentRows(tx *gorm.DB, vlt *vault.Vault) (int, error) {
	var rows []struct {
		ID             int64
		RecipientOrgID int64
		Content        []byte
	}
	if err := tx.Raw(`SELECT id, recipient_org_id, content FROM issued_documents WHERE NOT sealed AND recipient_org_id IS NOT NULL
		ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED`, sealBatch).Scan(&rows).Error; err != nil {
		return 0, fmt.Errorf("load: %w", err)
	}
	for _, r := range rows {
		sealed, err := vlt.SealTo(tx, vault.OrgScope(r.RecipientOrgID), r.Content)
		if err != nil {
			return 0, err
		}
		if err := tx.Exec(`UPDATE issued_documents SET content = ?, sealed = true WHERE id = ?`, sealed, r.ID).Error; err != nil {
			return 0, fmt.Errorf("document %d: %w", r.ID, err)
		}
	}
	return len(rows), nil
}
