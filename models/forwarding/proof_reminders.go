package forwarding

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"kimibv/models/rules"
	"kimibv/models/store"
)

// Kinds of proof reminders (proof_reminders.kind).
const (
	ReminderKindBefore = "before"
	ReminderKindAfter  = "after"
)

// dueReminder names the reminder due at now for a Förderjahr without a proof: "before"
// from four weeks before the deadline until the deadline, "after" from one week after it
// (rules.md R38); "" when none is due.
func dueReminder(due, now time.Time) string {
	switch {
	case !now.Before(rules.ReminderAfter(due)):
		return ReminderKindAfter
	case !now.Before(rules.ReminderBefore(due)) && now.Before(due):
		return ReminderKindBefore
	}
	return ""
}

// SendProofReminders sends the reminders of the Verwendungsnachweise due at now
// (rules.md R38) by Postfach and mail to the providers of accepted contracts whose proof
// of a year is missing. Each reminder is recorded first (proof_reminders), so a reminder
// goes out once per contract, year and kind however often the job runs. It returns the
// number sent.
func SendProofReminders(ctx context.Context, db *gorm.DB, now time.Time) (int, error) {
	ks, err := loadContracts(db.WithContext(ctx), `WHERE k.accepted_at IS NOT NULL`)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, k := range ks {
		for _, y := range k.ProofYears() {
			kind := dueReminder(y.ProofDue, now)
			if y.Proof != nil || kind == "" {
				continue
			}
			err := store.InTx(ctx, db, func(tx *gorm.DB) error {
				res := tx.Exec(`INSERT INTO proof_reminders (contract_id, year_no, kind, sent_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
					k.ID, y.No, kind, now)
				if res.Error != nil {
					return fmt.Errorf("record proof reminder: %w", res.Error)
				}
				if res.RowsAffected == 0 {
					return nil
				}
				sent++
				return notifyOrg(tx, k, reminderSubject(kind, k.Terms.CallRef, y.No), reminderBody(kind, y), now)
			})
			if err != nil {
				return sent, err
			}
		}
	}
	return sent, nil
}

// reminderSubject is the subject of a proof reminder.
func reminderSubject(kind, ref string, year int) string {
	if kind == ReminderKindAfter {
		return fmt.Sprintf("Verwendungsnachweis überfällig: %s, %d. Förderjahr", ref, year)
	}
	return fmt.Sprintf("Erinnerung Verwendungsnachweis: %s, %d. Förderjahr", ref, year)
}

// reminderBody is the text of a proof reminder.
func reminderBody(kind string, y ProofYear) string {
	due := y.DueDay()
	if kind == ReminderKindAfter {
		return fmt.Sprintf("Der Verwendungsnachweis für das %d. Förderjahr (%s bis %s) war bis zum %s einzureichen und ist noch nicht eingegangen. Bitte reichen Sie ihn umgehend ein (Nr. 6 ANBest-P).\n",
			y.No, y.Period.From.German(), y.Period.To.German(), due)
	}
	return fmt.Sprintf("Der Verwendungsnachweis für das %d. Förderjahr (%s bis %s) ist bis zum %s einzureichen (Nr. 6.1 ANBest-P).\n",
		y.No, y.Period.From.German(), y.Period.To.German(), due)
}
