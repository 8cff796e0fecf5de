package postbox

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"kimibv/models/vault"
)

// Mail is an e-mail queued in the outbox in the transaction of the action that causes it.
type Mail struct {
	ID        int64
	TenantID  *int64
	ToAddr    string
	Subject   string
	Body      string
	Kind      string
	Attempts  int
	NextTryAt time.Time
	LastError string
	SendingAt *time.Time
	SentAt    *time.Time
	FailedAt  *time.Time
	CreatedAt time.Time
	// Sealed holds recipient, subject and body (mailEnvelope) encrypted with the platform
	// key 'mail'; the columns to_addr, subject and body are empty. SendOutbox opens it
	// just before delivery and fills ToAddr, Subject and Body.
	Sealed []byte
}

// TableName maps Mail to the outbox table.
func (Mail) TableName() string { return "outbox" }

// mailEnvelope is what the outbox seals of a mail.
type mailEnvelope struct {
	To      string `json:"to"`
	Subject string `json:"subject"`
	Body    string `json:"body"`
}

// Kinds of mail that concern a bid before the opening: their recipients are the bidding
// organisation's people, so even that such a mail exists tells who bid. They are queued
// without a Kreis (the Kreis's Postausgang never lists them) and every review shows them
// only as a sealed message, without recipient and subject.
var bidMailKinds = map[string]bool{InboxReceipt: true, InboxReconfirm: true, InboxCancellation: true}

// BidMailKind reports whether mails of kind concern a bid (see bidMailKinds).
func BidMailKind(kind string) bool { return bidMailKinds[kind] }

// EnqueueMail writes m sealed to the outbox inside tx with the vault bound to tx
// (BindVault); the sender job delivers it after commit.
func EnqueueMail(tx *gorm.DB, m Mail) error {
	if m.ToAddr == "" || m.Subject == "" {
		return fmt.Errorf("enqueue mail: recipient and subject are required")
	}
	return queueMails(tx, m.TenantID, m.Kind, []string{m.ToAddr}, m.Subject, m.Body)
}

// queueMails writes one sealed mail per address in to with one statement. A mail of a
// bid kind (BidMailKind) is stored without tenantID.
func queueMails(tx *gorm.DB, tenantID *int64, kind string, to []string, subject, body string) error {
	if len(to) == 0 {
		return nil
	}
	if subject == "" {
		return fmt.Errorf("enqueue mail: subject is required")
	}
	v, err := vault.BoundVault(tx)
	if err != nil {
		return fmt.Errorf("enqueue mail: %w", err)
	}
	key, err := v.DataKey(tx, vault.MailScope(), true)
	if err != nil {
		return fmt.Errorf("enqueue mail: %w", err)
	}
	sealed := make([][]byte, 0, len(to))
	for _, addr := range to {
		if addr == "" {
			return fmt.Errorf("enqueue mail: recipient is required")
		}
		s, err := vault.SealJSON(key.Recipient(), mailEnvelope{To: addr, Subject: subject, Body: body})
		if err != nil {
			return fmt.Errorf("enqueue mail: %w", err)
		}
		sealed = append(sealed, s)
	}
	if BidMailKind(kind) {
		tenantID = nil
	}
	if _, err := tx.Statement.ConnPool.ExecContext(tx.Statement.Context, `INSERT INTO outbox (tenant_id, to_addr, subject, body, kind, sealed)
		SELECT $1, '', '', '', $2, s FROM unnest($3::bytea[]) AS s`, tenantID, kind, sealed); err != nil {
		return fmt.Errorf("enqueue mail: %w", err)
	}
	return nil
}

// QueueMailsTo queues one sealed mail to each address the query selects (e.g. every
// member of an organisation).
func QueueMailsTo(tx *gorm.DB, tenantID *int64, kind, subject, body, query string, args ...any) error {
	var to []string
	if err := tx.Raw(query, args...).Scan(&to).Error; err != nil {
		return fmt.Errorf("mail recipients: %w", err)
	}
	return queueMails(tx, tenantID, kind, to, subject, body)
}

// OpenMails fills the recipient, subject and body of mails read from the outbox from
// their sealed envelopes with the vault bound to db. It only reads and checks no rights:
// SendOutbox opens each mail itself just before delivery; tests read what was queued.
func OpenMails(db *gorm.DB, mails []Mail) error {
	for i := range mails {
		if mails[i].Sealed == nil {
			continue
		}
		v, err := vault.BoundVault(db)
		if err != nil {
			return err
		}
		if err := openMail(db, v, &mails[i]); err != nil {
			return err
		}
	}
	return nil
}

// openMail fills m's recipient, subject and body from its sealed envelope (a mail
// queued before sealing has them in plain text).
func openMail(db *gorm.DB, v *vault.Vault, m *Mail) error {
	if m.Sealed == nil {
		return nil
	}
	key, err := v.DataKey(db, vault.MailScope(), false)
	if err != nil {
		return fmt.Errorf("open mail %d: %w", m.ID, err)
	}
	var e mailEnvelope
	if err := vault.OpenJSON(key, m.Sealed, &e); err != nil {
		return fmt.Errorf("open mail %d: %w", m.ID, err)
	}
	m.ToAddr, m.Subject, m.Body, m.Sealed = e.To, e.Subject, e.Body, nil
	return nil
}

// outboxMaxAttempts is how often delivery is tried before a mail is marked failed.
const outboxMaxAttempts = 8

// outboxReclaimAfter is when a claim that was never resolved counts as abandoned: the
// sender died between handing the mail to the SMTP server and recording the outcome.
// Such a mail is NOT sent again automatically (nobody knows whether the server accepted
// it, and a receiving server need not de-duplicate by Message-ID); it is marked
// uncertain ("needs review") for the Kreis administrator (see OutboxProblems).
const outboxReclaimAfter = 10 * time.Minute

// OutboxBackoff is the wait before the next attempt after attempts failures (1, 2, 4 … min, at most 4 h).
func OutboxBackoff(attempts int) time.Duration {
	d := time.Minute
	for i := 1; i < attempts && d < 4*time.Hour; i++ {
		d *= 2
	}
	if d > 4*time.Hour {
		d = 4 * time.Hour
	}
	return d
}

// Deliverer sends one mail; an error schedules a retry.
type Deliverer func(ctx context.Context, m Mail) error

// SendOutbox claims up to batch due mails (skipping rows other instances hold), commits
// the claim, delivers them, and records success or the error with back-off. It returns
// how many were sent.
func SendOutbox(ctx context.Context, db *gorm.DB, deliver Deliverer, batch int) (int, error) {
	if err := markAbandonedClaims(ctx, db); err != nil {
		return 0, err
	}
	var claimed []Mail
	// The claim (the attempt) is committed before the SMTP conversation starts.
	err := db.WithContext(ctx).Raw(`UPDATE outbox SET sending_at = now(), attempts = attempts + 1
		WHERE id IN (SELECT id FROM outbox
			WHERE sent_at IS NULL AND failed_at IS NULL AND uncertain_at IS NULL AND sending_at IS NULL AND next_try_at <= now()
			ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED)
		RETURNING *`, batch).Scan(&claimed).Error
	if err != nil {
		return 0, fmt.Errorf("claim outbox: %w", err)
	}
	v, verr := vault.BoundVault(db)
	sent := 0
	for _, m := range claimed {
		// The mail is opened only here, just before delivery, and never written back.
		derr := verr
		if m.Sealed == nil || verr == nil {
			derr = openMail(db.WithContext(ctx), v, &m)
		}
		if derr == nil {
			derr = deliver(ctx, m)
		}
		note, sealedErr := deliveryError(db.WithContext(ctx), v, derr)
		var q *gorm.DB
		switch {
		case derr == nil:
			sent++
			q = db.WithContext(ctx).Exec(`UPDATE outbox SET sent_at = now(), sending_at = NULL, uncertain_at = NULL, last_error = '', sealed_error = NULL WHERE id = ?`, m.ID)
		case errors.Is(derr, ErrDeliveryUncertain):
			q = db.WithContext(ctx).Exec(`UPDATE outbox SET uncertain_at = now(), last_error = ?, sealed_error = ? WHERE id = ?`, note, sealedErr, m.ID)
		case m.Attempts >= outboxMaxAttempts:
			q = db.WithContext(ctx).Exec(`UPDATE outbox SET failed_at = now(), sending_at = NULL, last_error = ?, sealed_error = ? WHERE id = ?`, note, sealedErr, m.ID)
		default:
			q = db.WithContext(ctx).Exec(`UPDATE outbox SET sending_at = NULL, last_error = ?, sealed_error = ?, next_try_at = now() + make_interval(secs => ?) WHERE id = ?`,
				note, sealedErr, OutboxBackoff(m.Attempts).Seconds(), m.ID)
		}
		if q.Error != nil {
			return sent, fmt.Errorf("record delivery of mail %d: %w", m.ID, q.Error)
		}
	}
	return sent, nil
}

// deliveryNote is last_error after a failed attempt; the error itself, which may quote
// the recipient, is stored sealed (sealed_error) and shown only in the review.
const deliveryNote = "Zustellung fehlgeschlagen (Einzelheiten verschlüsselt gespeichert)."

// deliveryError returns the plain note and the sealed text of a delivery error (nil, ""
// for success). Without a usable key the text is not stored at all.
func deliveryError(db *gorm.DB, v *vault.Vault, derr error) (string, []byte) {
	if derr == nil {
		return "", nil
	}
	if v == nil {
		return deliveryNote, nil
	}
	sealed, err := v.SealTo(db, vault.MailScope(), []byte(derr.Error()))
	if err != nil {
		return deliveryNote, nil
	}
	return deliveryNote, sealed
}
