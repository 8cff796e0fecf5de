package decision

import (
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"kimibv/models/audit"
	"kimibv/models/rules"
	"kimibv/models/vault"
)

// VermerkData is everything the Vergabevermerk (decision record, rules.md R20) shows; its
// canonical JSON is the document's Prüfwert. It is read at issue time from the frozen
// records of the procedure (opening, formal check, committee, sheets, consolidation,
// result, decision, notices, objections, award).
type VermerkData struct {
	Stage            string // "Entscheidung" or "Endgültige Vergabe"
	Kreis            string
	Authority        string
	Letterhead       string
	Ref              string
	Title            string
	FileRef          string
	LegalBasis       string
	FundingSource    string
	WhyIBV           string
	Content          rules.CallContent
	Applicants       []VermerkApplicant
	OpenedAt         *time.Time
	Openers          []string
	Formal           []VermerkFormal
	Requests         []VermerkRequest
	Committee        []string
	Declarations     []VermerkCOI
	EvaluatorScores  []VermerkScore
	Consolidated     []VermerkConsolidated
	Ranking          []VermerkRank
	Justification    string
	Deviates         bool
	DeviationReason  string
	Allocations      []VermerkAllocation
	Body             string
	DecidedOn        string
	ResolutionNumber string
	VoteResult       string
	CouncilURL       string
	RecordedAt       *time.Time
	RecordedBy       string
	Notices          []VermerkNotice
	StandstillDays   int
	StandstillEndsAt *time.Time
	Objections       []VermerkObjection
	AwardedAt        *time.Time
	Remedies         []VermerkRemedy `json:",omitempty"` // returns to a step with the results they superseded (rules.md R34)
}

// VermerkApplicant is an applicant with its receipt time.
type VermerkApplicant struct {
	OrgName   string
	State     string
	Version   int
	ReceiptAt time.Time
	SHA256    string
}

// VermerkFormal is the formal check outcome of one bid.
type VermerkFormal struct {
	OrgName    string
	Outcome    string
	Reason     string
	Correction string
}

// VermerkRequest is a document request.
type VermerkRequest struct {
	OrgName     string
	Docs        string
	Message     string
	RequestedAt time.Time
	Answers     int
}

// VermerkCOI is an evaluator's declaration about one bidder.
type VermerkCOI struct {
	Evaluator string
	OrgName   string
	Tie       string
	Note      string
}

// VermerkScore is one evaluator's score with its reason.
type VermerkScore struct {
	Evaluator string
	OrgName   string
	Criterion string
	Score     int
	Reason    string
}

// VermerkConsolidated is a consolidated score.
type VermerkConsolidated struct {
	OrgName   string
	Criterion string
	Score     string
	Mean      string
	Reason    string
	SetBy     string
}

// VermerkRank is a bid's line of the ranking.
type VermerkRank struct {
	OrgName  string
	Rank     int
	Total    string
	Excluded bool
	Reasons  []string
	Selected string // posts of the decision, "" if none
}

// VermerkAllocation is a decision allocation with the result's value.
type VermerkAllocation struct {
	OrgName   string
	Lot       string
	FTE       string
	ResultFTE string
	Deviates  bool
}

// VermerkNotice is an issued notice.
type VermerkNotice struct {
	OrgName  string
	Kind     string
	IssuedAt time.Time
}

// VermerkObjection is an objection with its outcome.
type VermerkObjection struct {
	OrgName    string
	LodgedAt   time.Time
	Reason     string
	Outcome    string
	Answer     string
	AnsweredAt *time.Time
}

// whyIBV is the standard reason for running an IBV.
const whyIBV = "Die Landesmittel für das Kommunale Integrationsmanagement (Baustein 2) werden an freie Träger weitergeleitet " +
	"(Nr. 12 VV zu § 44 LHO). Da mehrere Träger für die Aufgabe in Betracht kommen, wählt der Kreis in einem transparenten " +
	"Interessenbekundungsverfahren nach vorab veröffentlichten Kriterien aus (Gleichbehandlung, Subsidiarität)."

// loadVermerk reads the Vergabevermerk data of a call with a recorded decision.
func loadVermerk(tx *gorm.DB, v *DecisionView, stage string) (*VermerkData, error) {
	c, d := v.Content, v.Decision
	var t struct{ Name, Authority, Letterhead string }
	if err := tx.Raw(`SELECT name, authority, letterhead FROM tenants WHERE id = ?`, v.TenantID).Scan(&t).Error; err != nil {
		return nil, fmt.Errorf("load tenant: %w", err)
	}
	out := &VermerkData{Stage: stage, Kreis: t.Name, Authority: firstNonEmpty(c.Authority, t.Authority, t.Name), Letterhead: t.Letterhead,
		Ref: v.Ref, Title: c.Title, FileRef: c.FileRef, LegalBasis: c.LegalBasis, FundingSource: c.FundingSource, WhyIBV: whyIBV, Content: c,
		Justification: d.Justification, Deviates: d.Deviates, DeviationReason: d.DeviationReason, Body: d.BodyLabel(),
		DecidedOn: d.DecidedOn.German(), ResolutionNumber: d.ResolutionNumber, VoteResult: d.VoteResult, CouncilURL: d.CouncilURL,
		RecordedAt: d.RecordedAt, RecordedBy: d.RecordedByName, StandstillDays: d.StandstillDays, StandstillEndsAt: d.StandstillEndsAt,
		AwardedAt: d.AwardedAt}
	q := []struct {
		what string
		sql  string
		dst  any
	}{
		{"applicants", `SELECT org_name, state, version, receipt_at, content_sha256 AS sha256 FROM opening_bids WHERE call_id = ? ORDER BY receipt_at, bid_id`, &out.Applicants},
		{"openers", `SELECT u.name FROM openings o JOIN users u ON u.id = o.user_id WHERE o.call_id = ? ORDER BY o.confirmed_at`, &out.Openers},
		{"formal check", `SELECT ob.org_name, f.outcome, f.reason, coalesce(fc.reason, '') AS correction FROM formal_checks f
			JOIN opening_bids ob ON ob.bid_id = f.bid_id LEFT JOIN formal_corrections fc ON fc.bid_id = f.bid_id
			WHERE f.call_id = ? ORDER BY ob.org_name`, &out.Formal},
		{"document requests", `SELECT ob.org_name, array_to_string(r.doc_keys, ', ') AS docs, r.message, r.requested_at,
			(SELECT count(*) FROM document_request_files x WHERE x.request_id = r.id) AS answers
			FROM document_requests r JOIN opening_bids ob ON ob.bid_id = r.bid_id WHERE r.call_id = ? ORDER BY r.requested_at, r.id`, &out.Requests},
		{"committee", `SELECT u.name FROM call_committee m JOIN users u ON u.id = m.user_id WHERE m.call_id = ? AND m.role = 'evaluator' ORDER BY u.name`, &out.Committee},
		{"declarations", `SELECT u.name AS evaluator, o.name AS org_name, d.tie, d.note FROM coi_declarations d
			JOIN users u ON u.id = d.evaluator_id JOIN organizations o ON o.id = d.org_id WHERE d.call_id = ? ORDER BY u.name, o.name`, &out.Declarations},
		{"scores", `SELECT u.name AS evaluator, ob.org_name, s.criterion_key AS criterion, s.score, s.reason FROM scores s
			JOIN score_sheets sh ON sh.id = s.sheet_id JOIN users u ON u.id = sh.evaluator_id JOIN opening_bids ob ON ob.bid_id = sh.bid_id
			WHERE sh.call_id = ? AND sh.submitted_at IS NOT NULL ORDER BY ob.org_name, s.criterion_key, u.name`, &out.EvaluatorScores},
		{"consolidated", `SELECT ob.org_name, s.criterion_key AS criterion, to_char(s.score, 'FM990.00') AS score, to_char(s.mean, 'FM990.00') AS mean,
			s.reason, u.name AS set_by FROM consolidated_scores s JOIN opening_bids ob ON ob.bid_id = s.bid_id JOIN users u ON u.id = s.set_by
			WHERE s.call_id = ? ORDER BY ob.org_name, s.criterion_key`, &out.Consolidated},
		{"notices", `SELECT o.name AS org_name, n.kind, n.issued_at FROM notices n JOIN organizations o ON o.id = n.org_id WHERE n.call_id = ? ORDER BY o.name`, &out.Notices},
	}
	for _, x := range q {
		if err := tx.Raw(x.sql, v.CallID).Scan(x.dst).Error; err != nil {
			return nil, fmt.Errorf("load %s for the Vergabevermerk: %w", x.what, err)
		}
	}
	if len(out.Openers) > 0 {
		var opened struct{ OpenedAt *time.Time }
		if err := tx.Raw(`SELECT opened_at FROM calls WHERE id = ?`, v.CallID).Scan(&opened).Error; err != nil {
			return nil, fmt.Errorf("load opening time: %w", err)
		}
		out.OpenedAt = opened.OpenedAt
	}
	for i := range out.Declarations {
		out.Declarations[i].Tie = rules.TieLabel(out.Declarations[i].Tie)
	}
	critName := func(k string) string {
		if cr, ok := c.Criterion(k); ok {
			return k + " " + cr.Name
		}
		return k
	}
	for i := range out.EvaluatorScores {
		out.EvaluatorScores[i].Criterion = critName(out.EvaluatorScores[i].Criterion)
	}
	for i := range out.Consolidated {
		out.Consolidated[i].Criterion = critName(out.Consolidated[i].Criterion)
	}
	for i := range out.Notices {
		out.Notices[i].Kind = NoticeKindLabel(out.Notices[i].Kind)
	}
	sel := d.SelectedFTE()
	for _, row := range v.Result.Rows {
		r := VermerkRank{OrgName: v.Bidders[row.BidID].OrgName, Rank: row.Rank, Total: rules.FormatGermanDecimal(row.Total, 2), Excluded: row.Excluded, Reasons: row.ExclusionReasons}
		var parts []string
		for _, lot := range c.Lots {
			if f, ok := sel[row.BidID][lot.Key]; ok {
				parts = append(parts, fmt.Sprintf("Los %s: %s VZÄ", lot.Name, rules.FormatFTE(f)))
			}
		}
		r.Selected = strings.Join(parts, "; ")
		if !row.Excluded && r.Selected == "" {
			r.Reasons = append(r.Reasons, "nicht ausgewählt: die Stellen wurden an besser bewertete Träger vergeben")
		}
		out.Ranking = append(out.Ranking, r)
	}
	for _, a := range d.Allocations {
		name := a.LotKey
		if lot, ok := c.Lot(a.LotKey); ok {
			name = lot.Name
		}
		out.Allocations = append(out.Allocations, VermerkAllocation{OrgName: a.OrgName, Lot: name, FTE: rules.FormatFTE(a.FTE), ResultFTE: rules.FormatFTE(a.ResultFTE), Deviates: a.Deviates()})
	}
	for _, o := range v.Objections {
		out.Objections = append(out.Objections, VermerkObjection{OrgName: o.OrgName, LodgedAt: o.LodgedAt, Reason: o.Reason, Outcome: o.OutcomeLabel(), Answer: o.Answer, AnsweredAt: o.AnsweredAt})
	}
	if err := loadVermerkRemedies(tx, out, v.CallID); err != nil {
		return nil, err
	}
	return out, nil
}

// Stages of the Vergabevermerk: issued when the decision is recorded and again, complete
// with notices, standstill and objections, when the award becomes final.
const (
	VermerkStageDecision = "Entscheidung"
	VermerkStageFinal    = "Endgültige Vergabe"
)

// Documents renders the documents of the decision stage as PDF: the Vergabevermerk and
// the Mitteilungen. app/pdfdoc implements it.
type Documents interface {
	Vergabevermerk(meta vault.DocMeta, d *VermerkData) ([]byte, error)
	Mitteilung(meta vault.DocMeta, n *NoticeContent) ([]byte, error)
}

// issueVermerk issues the Vergabevermerk of the call's current stage inside tx.
func issueVermerk(tx *gorm.DB, docs Documents, v *DecisionView, actorID int64, stage string) error {
	if err := v.loadParts(tx); err != nil {
		return err
	}
	data, err := loadVermerk(tx, v, stage)
	if err != nil {
		return err
	}
	_, err = vault.IssueDocument(tx, vault.IssueInput{TenantID: v.TenantID, CallID: v.CallID, ActorID: actorID, Kind: vault.DocVergabevermerk,
		Title: "Vergabevermerk (" + stage + "): " + v.Content.Title, Chain: audit.CallChain(v.CallID), ObjectType: "call",
		ObjectID: fmt.Sprint(v.CallID), CanonicalData: data, Render: func(m vault.DocMeta) ([]byte, error) { return docs.Vergabevermerk(m, data) }})
	return err
}

// issueNoticePDF issues an organisation's Mitteilung and returns the document id.
func issueNoticePDF(tx *gorm.DB, docs Documents, tenantID, callID, orgID, actorID int64, n *NoticeContent) (int64, error) {
	d, err := vault.IssueDocument(tx, vault.IssueInput{TenantID: tenantID, CallID: callID, ActorID: actorID, Kind: vault.DocMitteilung,
		Title: "Mitteilung zum Verfahren " + n.CallRef, Chain: audit.CallChain(callID), ObjectType: "call", ObjectID: fmt.Sprint(callID),
		RecipientOrgID: orgID, CanonicalData: n, Render: func(m vault.DocMeta) ([]byte, error) { return docs.Mitteilung(m, n) }})
	return d.ID, err
}
