package dbtest

import (
	"testing"

	"gorm.io/gorm"

	"kimibv/models/postbox"
)

// Mails returns the outbox rows matching cond (SQL after WHERE, e.g. "kind = ?"), oldest
// first, opened: the outbox stores recipient, subject and body sealed, so a test filters
// them in Go, not in SQL. db must be bound to the test vault (New, NewDemo do that).
func Mails(t testing.TB, db *gorm.DB, cond string, args ...any) []postbox.Mail {
	t.Helper()
	if cond == "" {
		cond = "true"
	}
	var mails []postbox.Mail
	if err := db.Raw(`SELECT * FROM outbox WHERE `+cond+` ORDER BY id`, args...).Scan(&mails).Error; err != nil {
		t.Fatal(err)
	}
	if err := postbox.OpenMails(db, mails); err != nil {
		t.Fatal(err)
	}
	return mails
}

// MailsTo returns the opened mails to addr (see Mails).
func MailsTo(t testing.TB, db *gorm.DB, addr string, cond string, args ...any) []postbox.Mail {
	t.Helper()
	var out []postbox.Mail
	for _, m := range Mails(t, db, cond, args...) {
		if m.ToAddr == addr {
			out = append(out, m)
		}
	}
	return out
}

// Inbox returns the Postfach messages matching cond (SQL after WHERE), oldest first,
// opened: subject and body are sealed with the organisation's key.
func Inbox(t testing.TB, db *gorm.DB, cond string, args ...any) []postbox.InboxMessage {
	t.Helper()
	if cond == "" {
		cond = "true"
	}
	var msgs []postbox.InboxMessage
	if err := db.Raw(`SELECT * FROM inbox_messages WHERE `+cond+` ORDER BY id`, args...).Scan(&msgs).Error; err != nil {
		t.Fatal(err)
	}
	if err := postbox.OpenInboxMessages(db, msgs); err != nil {
		t.Fatal(err)
	}
	return msgs
}
