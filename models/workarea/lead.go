package workarea

import (
	"fmt"
	"time"

	"gorm.io/gorm"

	"kimibv/models/core"
	"kimibv/models/forwarding"
	"kimibv/models/rules"
)

// maxProcedures bounds the lead's procedures shown per Kreis (the most urgent first).
const maxProcedures = 50

// stageRow is a procedure with the facts of its stage (rules.StageFacts). Before the
// opening the counts of bids are zero by construction: opening_bids is the opening's
// snapshot (rules.md R2).
type stageRow struct {
	ID             int64
	TenantID       int64
	Ref            string
	Title          string
	State          rules.CallState
	Deadline       *time.Time
	Confirmations  int
	FormalOpen     int
	SheetsOpen     int
	Consolidated   bool
	Recorded       bool
	StandstillEnds *time.Time
	OpenObjections int
	OpenQuestions  int
	Finished       bool
	// The Beteiligung on the draft (rules.md R31), zero values without one.
	ConsultationID   int64
	ConsultationEnds *time.Time
	Weighed          bool
	Unanswered       int
}

// stageSQL selects the stage facts of the calls of the Kreise @t.
const stageSQL = `SELECT c.id, c.tenant_id, c.ref, c.title, c.state, c.deadline,
	(SELECT count(*) FROM openings o WHERE o.call_id = c.id) AS confirmations,
	(SELECT count(*) FROM opening_bids b WHERE b.call_id = c.id AND b.state = 'submitted' AND NOT EXISTS (
		SELECT 1 FROM formal_checks f WHERE f.bid_id = b.bid_id AND f.outcome IN ('admitted', 'excluded'))) AS formal_open,
	(SELECT count(*) FROM call_committee k JOIN opening_bids b ON b.call_id = k.call_id AND b.state = 'submitted'
		JOIN formal_checks f ON f.bid_id = b.bid_id AND f.outcome = 'admitted'
		WHERE k.call_id = c.id AND k.role = 'evaluator'
		AND NOT EXISTS (SELECT 1 FROM coi_declarations d WHERE d.call_id = c.id AND d.evaluator_id = k.user_id AND d.org_id = b.org_id AND d.tie <> 'none')
		AND NOT EXISTS (SELECT 1 FROM score_sheets s WHERE s.bid_id = b.bid_id AND s.evaluator_id = k.user_id AND s.submitted_at IS NOT NULL)) AS sheets_open,
	EXISTS (SELECT 1 FROM call_results r WHERE r.call_id = c.id) AS consolidated,
	coalesce(d.recorded_at IS NOT NULL, false) AS recorded, d.standstill_ends_at,
	(SELECT count(*) FROM objections x WHERE x.call_id = c.id AND x.answered_at IS NULL) AS open_objections,
	(SELECT count(*) FROM questions q WHERE q.call_id = c.id AND q.answer_id IS NULL) AS open_questions,
	c.state IN ('awarded', 'cancelled') AS finished,
	s.id AS consultation_id, s.ends_at AS consultation_ends, s.weighed_at IS NOT NULL AS weighed,
	(SELECT count(*) FROM consultation_statements x WHERE x.consultation_id = s.id AND x.response IS NULL) AS unanswered
	FROM calls c LEFT JOIN decisions d ON d.call_id = c.id LEFT JOIN consultations s ON s.call_id = c.id
	WHERE c.tenant_id IN @t`

// leadSections lists each led Kreis's running procedures with their stage, the step due
// and who must act (one statement).
func leadSections(db *gorm.DB, actor *core.Actor, tenants map[int64]scope, now time.Time) ([]Section, error) {
	ids := withRole(actor, tenants, core.RoleLead)
	if len(ids) == 0 {
		return nil, nil
	}
	var rows []stageRow
	if err := db.Raw(stageSQL+` ORDER BY c.state IN ('awarded', 'cancelled'), c.deadline NULLS LAST, c.id`,
		map[string]any{"t": ids}).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("work area of the lead: %w", err)
	}
	set := newSections(ids, tenants, core.RoleLead, func(s scope) string { return "/verwaltung/" + s.Key + "/verfahren" },
		"Es läuft kein Verfahren. Legen Sie ein neues Verfahren an, wenn Stellen zu vergeben sind.")
	for _, r := range rows {
		sec := set.by[r.TenantID]
		if r.Finished {
			sec.Finished++
			continue
		}
		if len(sec.Procedures) >= maxProcedures {
			continue
		}
		base := fmt.Sprintf("%s/%d", sec.Home, r.ID)
		st := rules.ProcedureStage(r.facts(), now)
		sec.Procedures = append(sec.Procedures, Procedure{ID: r.ID, Ref: r.Ref, Title: r.Title, Href: base, Stage: st, Task: base + StepPath(st)})
		if it, ok := r.consultationItem(base, now); ok {
			sec.Items = append(sec.Items, it)
		}
	}
	// Posts vacant longer than the Kreis's setting (rules.md R36).
	vacant, err := forwarding.FlaggedVacancies(db, ids, now)
	if err != nil {
		return nil, err
	}
	for _, v := range vacant {
		sec := set.by[v.TenantID]
		sec.Items = append(sec.Items, Item{Label: "Stelle zu lange unbesetzt", Urgent: true,
			Detail: fmt.Sprintf("%s, %s, Stelle %d – unbesetzt seit %s (%s)", v.OrgName, v.Lot, v.No, v.VacantSince.German(), v.CallRef),
			Href:   fmt.Sprintf("%s/%d/weiterleitung", sec.Home, v.CallID), Link: "Weiterleitung ansehen"})
	}
	return set.list(), nil
}

// consultationItem is what the Beteiligung on a draft asks of the lead: the statements
// without response, and after the end the Abwägung; nothing once it is issued.
func (r stageRow) consultationItem(base string, now time.Time) (Item, bool) {
	if r.ConsultationID == 0 || r.Weighed || r.State != rules.CallDraft || r.ConsultationEnds == nil {
		return Item{}, false
	}
	it := Item{Detail: r.Title + " (" + r.Ref + ")", Href: base + "/beteiligung", Link: "Zur Beteiligung"}
	open := core.Quantity(r.Unanswered, "Stellungnahme", "Stellungnahmen") + " ohne Antwort"
	if now.After(*r.ConsultationEnds) {
		it.Label, it.Urgent = "Beteiligung beendet: "+open+"; danach die Abwägung veröffentlichen", true
		return it, true
	}
	it.Label, it.Due, it.DueAs, it.Urgent = "Beteiligung läuft: "+open, r.ConsultationEnds, "Beteiligung endet am", r.Unanswered > 0
	return it, true
}

// facts are the row's stage facts.
func (r stageRow) facts() rules.StageFacts {
	return rules.StageFacts{State: r.State, Deadline: r.Deadline, Confirmations: r.Confirmations, FormalOpen: r.FormalOpen,
		SheetsOpen: r.SheetsOpen, Consolidated: r.Consolidated, Recorded: r.Recorded, StandstillEnds: r.StandstillEnds,
		OpenObjections: r.OpenObjections, OpenQuestions: r.OpenQuestions}
}

// StepPath is the page (below the lead's address of the call) where the stage's next
// step is done.
func StepPath(st rules.Stage) string {
	switch {
	case st.Cancelled || st.Complete:
		return ""
	case st.Step == rules.StepDeadline && st.Who == rules.WhoLead:
		return "/fragen"
	case st.Step == rules.StepOpening:
		return "/oeffnung"
	case st.Step == rules.StepFormalCheck:
		return "/pruefung"
	case st.Step == rules.StepScoring:
		return "/gremium"
	case st.Step == rules.StepConsolidation:
		return "/konsolidierung"
	case st.Step >= rules.StepDecision:
		return "/entscheidung"
	}
	return ""
}

// Stage loads the stage of one call of the Kreis (for the lead's call page); the caller
// has checked the lead's right.
func Stage(db *gorm.DB, scope core.CallScope, now time.Time) (rules.Stage, error) {
	var rows []stageRow
	if err := db.Raw(stageSQL+` AND c.id = @c`, map[string]any{"t": []int64{scope.Tenant}, "c": scope.Call}).Scan(&rows).Error; err != nil {
		return rules.Stage{}, fmt.Errorf("stage of call %d: %w", scope.Call, err)
	}
	if len(rows) == 0 {
		return rules.Stage{}, fmt.Errorf("stage of call %d: %w", scope.Call, core.ErrNotFound)
	}
	return rules.ProcedureStage(rows[0].facts(), now), nil
}
