package models

import (
	"fmt"
	"time"

	"gorm.io/gorm"
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
}

// TableName maps Mail to the outbox table.
func (Mail) TableName() string { return "outbox" }

// EnqueueMail writes m to the outbox inside tx; the sender job delivers it after commit.
func EnqueueMail(tx *gorm.DB, m Mail) error {
	if m.ToAddr == "" || m.Subject == "" {
		return fmt.Errorf("enqueue mail: recipient and subject are required")
	}
	m.ID = 0
	if err := tx.Omit("NextTryAt", "CreatedAt").Create(&m).Error; err != nil {
		return fmt.Errorf("enqueue mail: %w", err)
	}
	return nil
}
