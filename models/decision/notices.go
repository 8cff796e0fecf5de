package decision

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"kimibv/models/accounts"
	"kimibv/models/audit"
	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/evaluation"
	"kimibv/models/postbox"
	"kimibv/models/rules"
	"kimibv/models/store"
)

// Notice kinds (notices.kind) and the Postfach kinds of the decision.
const (
	NoticeSelected    = "selected"
	NoticeNotSelected = "not_selected"
	NoticeExcluded    = "excluded"
)

// NoticeKindLabel names a notice kind in German.
func NoticeKindLabel(kind string) string {
	switch kind {
	case NoticeSelected:
		return "Auswahl"
	case NoticeNotSelected:
		return "Nicht ausgewählt"
	case NoticeExcluded:
		return "Ausgeschlossen"
	}
	return kind
}

// NoticeContent is one organisation's Mitteilung, frozen when issued. It holds only the
// organisation's own scores and reasons; of the others only the selected providers'
// names, posts and total points (rules.md R9, R10).
type NoticeContent struct {
	CallRef          string
	CallTitle        string
	Authority        string
	OrgName          string
	Kind             string
	Lots             []NoticeLot // selected: posts per lot
	FundingPerFTE    decimal.Decimal
	FundingPeriod    rules.Period
	NextSteps        string
	Reasons          []string // not selected or excluded: why
	Scores           []NoticeScore
	Total            decimal.Decimal
	Rank             int
	Selected         []SelectedProvider
	Body             string
	DecidedOn        rules.Date
	ResolutionNumber string
	Justification    string
	LegalRemedy      string
	StandstillEndsAt time.Time
	Letter           accounts.LetterParties // sender and recipient address of the letter
}

// NoticeLot is the posts of a lot in a notice, with the yearly funding.
type NoticeLot struct {
	Name    string
	FTE     decimal.Decimal
	PerYear decimal.Decimal
}

// NoticeScore is the organisation's own consolidated score of one criterion.
type NoticeScore struct {
	Criterion string
	Weight    int
	Score     decimal.Decimal
	Points    decimal.Decimal
	Reason    string
}

// SelectedProvider is a selected provider as other bidders learn of it.
type SelectedProvider struct {
	OrgName string
	Total   decimal.Decimal
	FTE     decimal.Decimal
}

// KindLabel names the notice kind.
func (n *NoticeContent) KindLabel() string { return NoticeKindLabel(n.Kind) }

// noticeInputs is what BuildNotice needs of the call beyond one bid's row.
type noticeInputs struct {
	content     rules.CallContent
	authority   string
	remedy      string
	decision    *rules.Decision
	selected    []SelectedProvider
	consolidate map[int64][]rules.ConsolidatedScore
	reasons     map[int64]map[string]string // bid → criterion key → stated reason (rules.StatedReason)
	standstill  time.Time
}

// buildNotice assembles the notice of the bid of row for organisation orgName. Pure.
func buildNotice(in noticeInputs, row rules.ResultRow, orgName, ref string) NoticeContent {
	c, d := in.content, in.decision
	n := NoticeContent{CallRef: ref, CallTitle: c.Title, Authority: in.authority, OrgName: orgName, FundingPerFTE: c.FundingTotalPerFTE(),
		FundingPeriod: c.FundingPeriod, Total: row.Total, Rank: row.Rank, Selected: in.selected, Body: d.BodyLabel(),
		DecidedOn: d.DecidedOn, ResolutionNumber: d.ResolutionNumber, Justification: d.Justification, LegalRemedy: in.remedy,
		StandstillEndsAt: in.standstill}
	scores := map[string]rules.ConsolidatedScore{}
	for _, s := range in.consolidate[row.BidID] {
		scores[s.CriterionKey] = s
	}
	for _, cr := range c.Criteria {
		if s, ok := scores[cr.Key]; ok {
			n.Scores = append(n.Scores, NoticeScore{Criterion: cr.Name, Weight: cr.Weight, Score: s.Score, Points: row.Points[cr.Key], Reason: in.reasons[row.BidID][cr.Key]})
		}
	}
	mine := d.SelectedFTE()[row.BidID]
	switch {
	case len(mine) > 0:
		n.Kind = NoticeSelected
		for _, lot := range c.Lots {
			if f, ok := mine[lot.Key]; ok {
				n.Lots = append(n.Lots, NoticeLot{Name: lot.Name, FTE: f, PerYear: f.Mul(c.FundingTotalPerFTE())})
			}
		}
		n.NextSteps = "Nach Ablauf der Stillhaltefrist wird die Auswahl endgültig. Sie erhalten dann den Zuwendungsbescheid über die Weiterleitung der Mittel. " +
			"Bitte bereiten Sie die Besetzung der Stellen vor und benennen Sie uns die Ansprechperson für das Case Management."
	case row.Excluded:
		n.Kind = NoticeExcluded
		n.Reasons = append(n.Reasons, row.ExclusionReasons...)
	default:
		n.Kind = NoticeNotSelected
		n.Reasons = append(n.Reasons, fmt.Sprintf("Ihre Interessenbekundung erreichte %s Punkte und Rang %d. Die verfügbaren Stellen wurden an die besser bewerteten Träger vergeben.",
			rules.FormatGermanDecimal(row.Total, 2), row.Rank))
		if len(row.Allocation) > 0 && d.Deviates {
			n.Reasons = append(n.Reasons, "Die Entscheidung weicht vom Ergebnis der Bewertung ab: "+d.DeviationReason)
		}
	}
	return n
}

// Text renders the notice as plain German text for the Postfach.
func (n *NoticeContent) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Mitteilung über das Ergebnis des Interessenbekundungsverfahrens %s (%s)\n\n", n.CallTitle, n.CallRef)
	fmt.Fprintf(&b, "An: %s\n\nDer %s hat am %s (Nr. %s) entschieden.\n\n", n.OrgName, n.Body, n.DecidedOn.German(), n.ResolutionNumber)
	switch n.Kind {
	case NoticeSelected:
		b.WriteString("Ihre Interessenbekundung wurde ausgewählt:\n")
		for _, l := range n.Lots {
			fmt.Fprintf(&b, "- Los %s: %s VZÄ, %s je Jahr\n", l.Name, rules.FormatFTE(l.FTE), rules.FormatEuro(l.PerYear))
		}
		fmt.Fprintf(&b, "\nFörderzeitraum %s bis %s, %s je VZÄ und Jahr.\n\nNächste Schritte: %s\n", n.FundingPeriod.From.German(), n.FundingPeriod.To.German(), rules.FormatEuro(n.FundingPerFTE), n.NextSteps)
	default:
		b.WriteString("Ihre Interessenbekundung wurde nicht ausgewählt. Gründe:\n")
		for _, r := range n.Reasons {
			fmt.Fprintf(&b, "- %s\n", r)
		}
	}
	if len(n.Scores) > 0 {
		fmt.Fprintf(&b, "\nIhre Bewertung (Rang %d, %s Punkte):\n", n.Rank, rules.FormatGermanDecimal(n.Total, 2))
		for _, s := range n.Scores {
			fmt.Fprintf(&b, "- %s (Gewichtung %d): Punktwert %s, %s Punkte. Begründung: %s\n", s.Criterion, s.Weight, rules.FormatGermanDecimal(s.Score, 2), rules.FormatGermanDecimal(s.Points, 2), s.Reason)
		}
	}
	if len(n.Selected) > 0 {
		b.WriteString("\nAusgewählte Träger:\n")
		for _, s := range n.Selected {
			fmt.Fprintf(&b, "- %s: %s Punkte, %s VZÄ\n", s.OrgName, rules.FormatGermanDecimal(s.Total, 2), rules.FormatFTE(s.FTE))
		}
	}
	fmt.Fprintf(&b, "\nDie Stillhaltefrist endet am %s. Bis dahin können Sie im Portal eine Rüge erheben.\n", core.FormatDateTime(n.StandstillEndsAt))
	if n.LegalRemedy != "" {
		fmt.Fprintf(&b, "\nRechtsbehelfsbelehrung\n%s\n", n.LegalRemedy)
	}
	return b.String()
}

// IssueNotices issues, once the decision is recorded (rules.md R10), one notice per bidding
// organisation (Postfach message and e-mail to its members), fixes the end of the
// standstill period and moves the call to 'notified'. Audited as notices.issued.
func IssueNotices(ctx context.Context, db *gorm.DB, actor *core.Actor, docs Documents, callID int64, now time.Time) error {
	return store.InTx(ctx, db, func(tx *gorm.DB) error { return IssueNoticesTx(tx, actor, docs, callID, now) })
}

// IssueNoticesTx is IssueNotices inside the caller's transaction tx: it checks, locks, writes and
// audits as IssueNotices does, but neither opens nor commits a transaction, so use cases compose.
func IssueNoticesTx(tx *gorm.DB, actor *core.Actor, docs Documents, callID int64, now time.Time) error {
	c, content, err := loadDecisionCall(tx, actor, callID, true)
	if err != nil {
		return err
	}
	if c.State != rules.CallDecided {
		if c.State == rules.CallOpened {
			return fmt.Errorf("%w: Mitteilungen gehen erst nach der aufgezeichneten Entscheidung hinaus", core.ErrConflict)
		}
		if c.State == rules.CallNotified || c.State == rules.CallAwarded {
			return fmt.Errorf("%w: die Mitteilungen sind bereits versandt", core.ErrConflict)
		}
		return decisionStateConflict(c.State)
	}
	v := &DecisionView{CallID: c.ID, TenantID: c.TenantID, Ref: c.Ref, Title: c.Title, State: c.State, Content: content}
	if err := v.loadParts(tx); err != nil {
		return err
	}
	var tenant struct{ Name, Authority, LegalRemedyText string }
	if err := tx.Raw(`SELECT name, authority, legal_remedy_text FROM tenants WHERE id = ?`, c.TenantID).Scan(&tenant).Error; err != nil {
		return fmt.Errorf("load tenant: %w", err)
	}
	cons, err := evaluation.LoadConsolidated(tx, c.ID)
	if err != nil {
		return err
	}
	snap, err := evaluation.EvaluationSource{}.Snapshot(tx, c.ID)
	if err != nil {
		return fmt.Errorf("load score sheets for the notices: %w", err)
	}
	in := noticeInputs{content: content, authority: firstNonEmpty(content.Authority, tenant.Authority, tenant.Name), remedy: tenant.LegalRemedyText,
		decision: v.Decision, consolidate: map[int64][]rules.ConsolidatedScore{}, reasons: statedReasons(rules.BuildMatrix(content, snap, cons)),
		standstill: rules.StandstillEnd(now, v.Decision.StandstillDays)}
	for _, s := range cons {
		in.consolidate[s.BidID] = append(in.consolidate[s.BidID], s)
	}
	in.selected = selectedProviders(v)
	for _, row := range v.Result.Rows {
		b := v.Bidders[row.BidID]
		n := buildNotice(in, row, b.OrgName, c.Ref)
		if n.Letter, err = accounts.LetterPartiesOf(tx, c.TenantID, b.OrgID, in.authority); err != nil {
			return err
		}
		docID, err := issueNoticePDF(tx, docs, c.TenantID, c.ID, b.OrgID, actor.UserID, &n)
		if err != nil {
			return err
		}
		if err := storeNotice(tx, c, b.OrgID, row.BidID, docID, n, now); err != nil {
			return err
		}
	}
	if err := tx.Exec(`UPDATE decisions SET notified_by = ?, notified_at = ?, standstill_ends_at = ? WHERE call_id = ?`,
		actor.UserID, now, in.standstill, c.ID).Error; err != nil {
		return fmt.Errorf("set notified: %w", err)
	}
	if err := tx.Exec(`UPDATE calls SET state = 'notified', updated_at = ? WHERE id = ?`, now, c.ID).Error; err != nil {
		return fmt.Errorf("set call notified: %w", err)
	}
	_, err = audit.Audit(tx, audit.Event{Chain: audit.CallChain(c.ID), ActorID: actor.UserID, TenantID: c.TenantID, Action: "notices.issued",
		ObjectType: "call", ObjectID: strconv.FormatInt(c.ID, 10),
		Details: map[string]any{"notices": len(v.Result.Rows), "standstill_ends_at": in.standstill.UTC().Format(time.RFC3339)}})
	return err
}

// statedReasons is the reason each notice states per bid and criterion: the lead's
// reason of the consolidated score (§ 39 VwVfG), or for a consolidation stored before
// reasons were required the evaluators' reasons anonymised (rules.StatedReason).
func statedReasons(m rules.Matrix) map[int64]map[string]string {
	out := map[int64]map[string]string{}
	for _, b := range m.Bids {
		out[b.BidID] = map[string]string{}
		for _, cell := range b.Cells {
			out[b.BidID][cell.Criterion.Key] = rules.StatedReason(cell, m.Evaluators)
		}
	}
	return out
}

// selectedProviders lists the organisations the decision gives posts, by total descending.
func selectedProviders(v *DecisionView) []SelectedProvider {
	fte := v.Decision.SelectedFTE()
	var out []SelectedProvider
	for _, row := range v.Result.Rows { // rows are ranked
		if lots, ok := fte[row.BidID]; ok {
			sum := decimal.Zero
			for _, f := range lots {
				sum = sum.Add(f)
			}
			out = append(out, SelectedProvider{OrgName: v.Bidders[row.BidID].OrgName, Total: row.Total, FTE: sum})
		}
	}
	return out
}

// storeNotice writes the notice, its Postfach message and the members' e-mails.
func storeNotice(tx *gorm.DB, c *calls.LeadCallRow, orgID, bidID, docID int64, n NoticeContent, now time.Time) error {
	raw, err := json.Marshal(n)
	if err != nil {
		return fmt.Errorf("encode notice: %w", err)
	}
	subject := "Mitteilung zum Interessenbekundungsverfahren " + c.Ref
	ids, err := postbox.InsertInbox(tx, []postbox.InboxRow{{OrgID: orgID, CallID: &c.ID, Kind: postbox.InboxNotice, Subject: subject, Body: n.Text(),
		DocumentID: audit.OptionalID(docID), CreatedAt: &now}})
	if err != nil {
		return fmt.Errorf("store notice message: %w", err)
	}
	msgID := ids[0]
	if err := tx.Exec(`INSERT INTO notices (call_id, org_id, bid_id, kind, content, inbox_message_id, document_id, issued_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, orgID, bidID, n.Kind, string(raw), msgID, audit.OptionalID(docID), now).Error; err != nil {
		return fmt.Errorf("store notice: %w", err)
	}
	body := fmt.Sprintf("Guten Tag,\n\nim Interessenbekundungsverfahren „%s“ (%s) liegt für %s eine Mitteilung über das Ergebnis in Ihrem Postfach im Portal.\n\n"+
		"Die Stillhaltefrist endet am %s.\n", c.Title, c.Ref, n.OrgName, core.FormatDateTime(n.StandstillEndsAt))
	return mailOrgMembers(tx, c.TenantID, orgID, subject, body, "notice")
}

// mailOrgMembers queues one sealed e-mail to every member of the organisation.
func mailOrgMembers(tx *gorm.DB, tenantID, orgID int64, subject, body, kind string) error {
	if err := postbox.QueueMailsTo(tx, &tenantID, kind, subject, body,
		`SELECT u.email FROM users u JOIN organization_members m ON m.user_id = u.id WHERE m.org_id = ? ORDER BY u.email`, orgID); err != nil {
		return fmt.Errorf("queue mail to organisation %d: %w", orgID, err)
	}
	return nil
}

// firstNonEmpty returns the first non-blank string.
func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if strings.TrimSpace(x) != "" {
			return x
		}
	}
	return ""
}
