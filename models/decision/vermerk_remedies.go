package decision

import (
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// VermerkRemedy is a return to a step after an upheld objection with the result it
// superseded (rules.md R34), as the Vergabevermerk records it.
type VermerkRemedy struct {
	ReturnedAt time.Time
	Step       string
	Reason     string
	Decision   string // body, date and number of the superseded decision
	Ranking    []VermerkRank
	Objections []VermerkObjection
}

// loadVermerkRemedies reads the remedies of the call with their superseded rounds (the
// award record's rounds, with the objections' reasons and answers added).
func loadVermerkRemedies(tx *gorm.DB, out *VermerkData, callID int64) error {
	rec := &AwardRecord{CallID: callID, OpenedAt: out.OpenedAt, Content: out.Content}
	remedies, err := LoadRemedies(tx, callID)
	if err != nil {
		return err
	}
	if err := loadAwardRounds(tx, rec, remedies); err != nil {
		return err
	}
	for _, round := range rec.Rounds {
		m := VermerkRemedy{ReturnedAt: round.Remedy.ReturnedAt, Step: round.Remedy.StepLabel(), Reason: round.Remedy.Reason}
		if d := round.Decision; d != nil {
			m.Decision = fmt.Sprintf("%s, %s, %s", d.BodyLabel(), d.DecidedOn.German(), d.ResolutionNumber)
		}
		for _, b := range round.Bidders {
			r := VermerkRank{OrgName: b.OrgName, Rank: b.Rank, Total: "–", Excluded: b.Excluded, Reasons: b.ExclusionReasons}
			if b.HasResult {
				r.Total = strings.ReplaceAll(b.Total.StringFixed(2), ".", ",")
			}
			var parts []string
			for _, s := range b.Selected {
				parts = append(parts, fmt.Sprintf("Los %s: %s VZÄ", s.Lot, s.FTE))
			}
			r.Selected = strings.Join(parts, "; ")
			m.Ranking = append(m.Ranking, r)
		}
		objs, err := loadObjections(tx, `o.call_id = ? AND o.superseded_by = ?`, callID, round.Remedy.ID)
		if err != nil {
			return err
		}
		for _, o := range objs {
			m.Objections = append(m.Objections, VermerkObjection{OrgName: o.OrgName, LodgedAt: o.LodgedAt, Reason: o.Reason, Outcome: o.OutcomeLabel(), Answer: o.Answer, AnsweredAt: o.AnsweredAt})
		}
		out.Remedies = append(out.Remedies, m)
	}
	return nil
}
