package postbox

import (
	"fmt"
	"time"

	"filippo.io/age"
	"gorm.io/gorm"

	"kimibv/models/vault"
)

// inboxEnvelope is what the Postfach seals of a message: subject and body, encrypted
// together with the receiving organisation's data key. Kind, call, document, times and
// the read mark stay plain: the Postfach lists and counts by them.
type inboxEnvelope struct {
	Subject string `json:"subject"`
	Body    string `json:"body"`
}

// InboxRow is a Postfach message to write with InsertInbox.
type InboxRow struct {
	OrgID      int64
	CallID     *int64
	Kind       string
	Subject    string
	Body       string
	DocumentID *int64
	CreatedAt  *time.Time // nil: the transaction's time
}

// InsertInbox writes the messages with one statement, each sealed with its
// organisation's key (created when missing), with the vault bound to tx (BindVault).
// It returns the new ids in the order of msgs.
func InsertInbox(tx *gorm.DB, msgs []InboxRow) ([]int64, error) {
	if len(msgs) == 0 {
		return nil, nil
	}
	v, err := vault.BoundVault(tx)
	if err != nil {
		return nil, fmt.Errorf("postfach: %w", err)
	}
	orgIDs := make([]int64, 0, len(msgs))
	for _, m := range msgs {
		if m.Subject == "" || m.Kind == "" {
			return nil, fmt.Errorf("postfach: kind and subject are required")
		}
		orgIDs = append(orgIDs, m.OrgID)
	}
	keys, err := v.OrgKeys(tx, orgIDs, true)
	if err != nil {
		return nil, fmt.Errorf("postfach: %w", err)
	}
	n := len(msgs)
	ord, orgs, callRows, kinds := make([]int64, n), make([]int64, n), make([]*int64, n), make([]string, n)
	sealed, docs, times := make([][]byte, n), make([]*int64, n), make([]*time.Time, n)
	for i, m := range msgs {
		s, err := vault.SealJSON(keys[m.OrgID].Recipient(), inboxEnvelope{Subject: m.Subject, Body: m.Body})
		if err != nil {
			return nil, fmt.Errorf("postfach: %w", err)
		}
		ord[i], orgs[i], callRows[i], kinds[i], sealed[i], docs[i], times[i] = int64(i), m.OrgID, m.CallID, m.Kind, s, m.DocumentID, m.CreatedAt
	}
	rows, err := tx.Statement.ConnPool.QueryContext(tx.Statement.Context, `WITH ins AS (
			INSERT INTO inbox_messages (org_id, call_id, kind, subject, body, sealed, document_id, created_at)
			SELECT o, c, k, '', '', s, d, coalesce(t, now())
			FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::bytea[], $5::bigint[], $6::timestamptz[], $7::bigint[]) AS u(o, c, k, s, d, t, n)
			ORDER BY n
			RETURNING id)
		SELECT id FROM ins ORDER BY id`, orgs, callRows, kinds, sealed, docs, times, ord)
	if err != nil {
		return nil, fmt.Errorf("postfach: %w", err)
	}
	defer rows.Close()
	ids := make([]int64, 0, n)
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("postfach: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postfach: %w", err)
	}
	return ids, nil
}

// OpenInboxMessages fills the subject and body of messages (of any organisations) from
// their sealed envelopes with the vault bound to db; messages written before sealing
// have them in plain text. It only reads and checks no rights: the Postfach use cases
// (Inbox, InboxMessageOf) call it after their checks, tests to read what was written.
func OpenInboxMessages(db *gorm.DB, msgs []InboxMessage) error {
	keys := map[int64]*age.X25519Identity{}
	for i := range msgs {
		m := &msgs[i]
		if m.Sealed == nil {
			continue
		}
		key := keys[m.OrgID]
		if key == nil {
			v, err := vault.BoundVault(db)
			if err != nil {
				return err
			}
			if key, err = v.DataKey(db, vault.OrgScope(m.OrgID), false); err != nil {
				return fmt.Errorf("open postfach of org %d: %w", m.OrgID, err)
			}
			keys[m.OrgID] = key
		}
		var e inboxEnvelope
		if err := vault.OpenJSON(key, m.Sealed, &e); err != nil {
			return fmt.Errorf("open postfach message %d: %w", m.ID, err)
		}
		m.Subject, m.Body, m.Sealed = e.Subject, e.Body, nil
	}
	return nil
}
