package calls

import (
	"fmt"
	"time"

	"gorm.io/gorm"

	"kimibv/models/core"
	"kimibv/models/rules"
)

// LockDraftTx locks the Kreis's call of callID FOR UPDATE and returns it with its draft
// content; a call that is no longer a draft is ErrCallNotDraft, another Kreis's
// ErrNotFound. models/consultation freezes the draft for the Beteiligung with it.
func LockDraftTx(tx *gorm.DB, tenantID, callID int64) (*rules.Call, rules.CallContent, error) {
	call, content, _, err := lockDraft(tx, tenantID, callID)
	return call, content, err
}

// checkConsultation adds to v why the call cannot be published yet because of its
// Beteiligung (rules.md R31, rules.CheckConsultationDone): still running, statements
// without response or no Abwägung. The tables belong to models/consultation, a higher
// layer; the publication reads them here so that no path publishes around the rule.
func checkConsultation(tx *gorm.DB, callID int64, now time.Time, v *core.ValidationError) error {
	var row struct {
		Exists     bool
		EndsAt     *time.Time
		Unanswered int
		Weighed    bool
	}
	if err := tx.Raw(`SELECT true AS exists, c.ends_at, c.weighed_at IS NOT NULL AS weighed,
			(SELECT count(*) FROM consultation_statements s WHERE s.consultation_id = c.id AND s.response IS NULL) AS unanswered
		FROM consultations c WHERE c.call_id = ?`, callID).Scan(&row).Error; err != nil {
		return fmt.Errorf("load consultation of call %d: %w", callID, err)
	}
	s := rules.ConsultationState{Exists: row.Exists, Unanswered: row.Unanswered, Weighed: row.Weighed}
	if row.EndsAt != nil {
		s.Ends = *row.EndsAt
	}
	rules.CheckConsultationDone(v, s, now)
	return nil
}
