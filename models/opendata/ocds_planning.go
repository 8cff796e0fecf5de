package opendata

import (
	"fmt"
	"time"

	"gorm.io/gorm"

	"kimibv/models/calls"
	"kimibv/models/rules"
)

// OCDSConsultation is the public information about the Beteiligung on a procedure's
// draft (rules.md R31): the period, when it was opened and when the Abwägung was issued.
type OCDSConsultation struct {
	ID                         int64
	StartsAt, EndsAt, OpenedAt time.Time
	WeighedAt                  *time.Time
	Statements                 int
}

// OCDSPlanning is the planning section of a release: the Beteiligung as a milestone of
// type engagement with its documents.
type OCDSPlanning struct {
	Rationale  string          `json:"rationale,omitempty"`
	Documents  []OCDSDocument  `json:"documents,omitempty"`
	Milestones []OCDSMilestone `json:"milestones,omitempty"`
}

// OCDSMilestone is an OCDS milestone.
type OCDSMilestone struct {
	ID           string `json:"id"`
	Title        string `json:"title"`
	Type         string `json:"type"`
	Description  string `json:"description,omitempty"`
	DueDate      string `json:"dueDate,omitempty"`
	DateMet      string `json:"dateMet,omitempty"`
	DateModified string `json:"dateModified,omitempty"`
	Status       string `json:"status"`
}

// planningRelease is the release of tag planning at the opening of the Beteiligung: no
// tender yet, only the planning section.
func (p *OCDSProcedure) planningRelease(o OCDSOptions) *OCDSRelease {
	c := p.Consultation
	kreis := p.kreisParty(o, 0)
	return &OCDSRelease{OCID: o.OCID(p.Ref), ID: o.OCID(p.Ref) + "-planning", Date: ocdsTime(c.OpenedAt), Tag: []string{"planning"},
		InitiationType: "tender", Language: "de", Parties: []OCDSParty{kreis}, Buyer: &OCDSOrgRef{ID: kreis.ID, Name: kreis.Name},
		Planning: p.planning(o, c.OpenedAt), at: c.OpenedAt}
}

// planning is the planning section as known at time at; nil without a Beteiligung.
func (p *OCDSProcedure) planning(o OCDSOptions, at time.Time) *OCDSPlanning {
	c := p.Consultation
	if c == nil {
		return nil
	}
	page := fmt.Sprintf("%s/beteiligungen/%d", o.BaseURL, c.ID)
	period := rules.FormatDateTimeZone(c.StartsAt) + " bis " + rules.FormatDateTimeZone(c.EndsAt)
	pl := &OCDSPlanning{Rationale: "Beteiligung der Wohlfahrtsverbände und weiterer Träger am Entwurf der Ausschreibung vom " + period + ".",
		Documents: []OCDSDocument{
			{ID: "consultation-page", DocumentType: "hearingNotice", Title: "Beteiligung zum Entwurf: Stellungnahmen und Antworten", URL: page,
				DatePublished: ocdsTime(c.OpenedAt), Format: "text/html", Language: "de"},
			{ID: "consultation-draft-pdf", DocumentType: "plannedProcurementNotice", Title: "Entwurf zur Beteiligung (PDF)", URL: page + "/entwurf.pdf",
				DatePublished: ocdsTime(c.OpenedAt), Format: "application/pdf", Language: "de"},
		}}
	m := OCDSMilestone{ID: "consultation", Title: "Beteiligung zum Entwurf", Type: "engagement", Description: "Zeitraum: " + period,
		DueDate: ocdsTime(c.EndsAt), DateModified: ocdsTime(at), Status: "scheduled"}
	if c.WeighedAt != nil && !c.WeighedAt.After(at) {
		m.Status, m.DateMet = "met", ocdsTime(*c.WeighedAt)
		m.Description += fmt.Sprintf("; %d Stellungnahmen, jede mit begründeter Antwort", c.Statements)
		pl.Documents = append(pl.Documents, OCDSDocument{ID: "consultation-abwaegung-pdf", DocumentType: "evaluationReports",
			Title: "Abwägung der Stellungnahmen (PDF)", URL: page + "/abwaegung.pdf", DatePublished: ocdsTime(*c.WeighedAt),
			Format: "application/pdf", Language: "de"})
	}
	pl.Milestones = []OCDSMilestone{m}
	return pl
}

// consultationsOf loads the Beteiligung of the procedures selected by args (PublicCallSQL).
func consultationsOf(tx *gorm.DB, args []any) (map[int64]*OCDSConsultation, error) {
	var rows []struct {
		CallID int64
		OCDSConsultation
	}
	if err := tx.Raw(`SELECT s.call_id, s.id, s.starts_at, s.ends_at, s.opened_at, s.weighed_at,
			(SELECT count(*) FROM consultation_statements x WHERE x.consultation_id = s.id) AS statements
		FROM consultations s JOIN calls c ON c.id = s.call_id WHERE `+calls.PublicCallSQL, args...).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("load consultations for open data: %w", err)
	}
	out := map[int64]*OCDSConsultation{}
	for i := range rows {
		out[rows[i].CallID] = &rows[i].OCDSConsultation
	}
	return out, nil
}
