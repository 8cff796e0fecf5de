package decision

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"kimibv/models/audit"
	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/rules"
	"kimibv/models/vault"
)

// AwardRecordStates are the states whose procedures have a public award record: the
// award is final (awarded) or the procedure was cancelled; decided and notified records
// are shown too, marked as not yet final ("noch nicht bestandskräftig"), because the
// deciding body's resolution is public once taken.
var AwardRecordStates = []rules.CallState{rules.CallDecided, rules.CallNotified, rules.CallAwarded, rules.CallCancelled}

// AwardRecord is the public award record (Vergabedokumentation) of one procedure. It holds
// only public information: organisations (legal entities) but no person, no bid
// document, no answer text, no evaluator.
type AwardRecord struct {
	CallID       int64
	Ref          string
	State        rules.CallState
	TenantSlug   string
	TenantName   string
	Title        string
	PublishedAt  *time.Time
	CancelledAt  *time.Time
	CancelReason string
	OpenedAt     *time.Time
	Content      rules.CallContent
	Versions     []calls.VersionInfo
	QA           []calls.PublicQA
	Bidders      []AwardBidder // empty until the decision is recorded
	Lots         []rules.LotResult
	Decision     *rules.Decision // nil until recorded; allocations with organisation names
	Objections   []AwardObjection
	Timeline     []TimelineEntry
	Chain        audit.Verification
	Checked      time.Time // when Chain was verified (database clock)
}

// Final reports whether the award is final (bestandskräftig).
func (r *AwardRecord) Final() bool { return r.State == rules.CallAwarded }

// StateLabel names the state in German.
func (r *AwardRecord) StateLabel() string { return rules.DecisionStateLabel(r.State) }

// Amendments are the versions after the first.
func (r *AwardRecord) Amendments() []calls.VersionInfo {
	if len(r.Versions) < 2 {
		return nil
	}
	return r.Versions[1:]
}

// AwardBidder is a bidding organisation with its formal check, consolidated scores and result.
type AwardBidder struct {
	BidID            int64
	OrgName          string
	Withdrawn        bool
	Formal           string // admitted, excluded, …
	FormalReason     string
	Correction       string
	Rank             int
	Excluded         bool
	ExclusionReasons []string
	Total            decimal.Decimal
	Scores           []AwardScore // per criterion in published order
	Selected         []AwardAllocation
	HasResult        bool
}

// FormalLabel names the formal outcome in German.
func (b AwardBidder) FormalLabel() string { return rules.FormalLabel(b.Formal) }

// AwardScore is a consolidated score and its points for one criterion.
type AwardScore struct {
	Criterion string
	Score     string
	Points    string
}

// AwardAllocation is the posts a bid received in a lot by the decision.
type AwardAllocation struct {
	Lot       string
	FTE       string
	ResultFTE string
	Deviates  bool
}

// AwardObjection is the fact and outcome of an objection (never its text).
type AwardObjection struct {
	OrgName    string
	LodgedAt   time.Time
	Outcome    *string
	AnsweredAt *time.Time
}

// OutcomeLabel names the outcome in German.
func (o AwardObjection) OutcomeLabel() string { return Objection{Outcome: o.Outcome}.OutcomeLabel() }

// TimelineEntry is one public step of the procedure from its audit chain.
type TimelineEntry struct {
	Seq   int64
	At    time.Time
	Label string
	Hash  string
}

// publicTimelineLabels is the whitelist of audit actions shown in the public timeline,
// with their public German labels; document.issued adds the document kind only.
var publicTimelineLabels = map[string]string{
	"call.published":       "Ausschreibung veröffentlicht",
	"call.amended":         "Änderung bekannt gemacht",
	"question.answered":    "Frage öffentlich beantwortet",
	"call.closed":          "Frist abgelaufen, Verfahren geschlossen",
	"call.opened":          "Interessenbekundungen geöffnet (Vier-Augen-Prinzip)",
	"consolidation.closed": "Bewertung abgeschlossen, Ergebnis berechnet",
	"decision.recorded":    "Entscheidung aufgezeichnet",
	"notices.issued":       "Mitteilungen versandt, Wartefrist begonnen",
	"objection.lodged":     "Rüge erhoben",
	"objection.answered":   "Rüge beantwortet",
	"call.awarded":         "Vergabe endgültig",
	"call.cancelled":       "Verfahren aufgehoben",
	"document.issued":      "Dokument ausgestellt",
}

// PublicTimelineActions lists the whitelisted actions.
func PublicTimelineActions() []string {
	out := make([]string, 0, len(publicTimelineLabels))
	for k := range publicTimelineLabels {
		out = append(out, k)
	}
	return out
}

// AwardStamp is what HTTP caching needs of a record: the call and its chain head.
type AwardStamp struct {
	CallID   int64
	HeadHash string
	HeadAt   time.Time
}

// awardStates as SQL strings.
func awardStateArgs() []string {
	out := make([]string, len(AwardRecordStates))
	for i, s := range AwardRecordStates {
		out[i] = string(s)
	}
	return out
}

// AwardRecordStamp finds a public award record by number or reference in one query and
// returns its chain head (ETag) and the time of the last entry (Last-Modified).
func AwardRecordStamp(ctx context.Context, db *gorm.DB, idOrRef string) (AwardStamp, error) {
	id, _ := strconv.ParseInt(idOrRef, 10, 64)
	var rows []struct {
		CallID   int64
		HeadHash string
		HeadAt   *time.Time
	}
	err := db.WithContext(ctx).Raw(`SELECT c.id AS call_id, coalesce(h.head_hash, '') AS head_hash, l.created_at AS head_at
		FROM calls c LEFT JOIN audit_chains h ON h.chain = 'call:' || c.id::text
		LEFT JOIN audit_log l ON l.chain = h.chain AND l.seq = h.head_seq
		WHERE (c.id = ? OR c.ref = ?) AND c.state IN ?`, id, idOrRef, awardStateArgs()).Scan(&rows).Error
	if err != nil {
		return AwardStamp{}, fmt.Errorf("award record stamp: %w", err)
	}
	if len(rows) == 0 {
		return AwardStamp{}, fmt.Errorf("award record %q: %w", idOrRef, core.ErrNotFound)
	}
	s := AwardStamp{CallID: rows[0].CallID, HeadHash: rows[0].HeadHash}
	if rows[0].HeadAt != nil {
		s.HeadAt = *rows[0].HeadAt
	}
	return s, nil
}

// LoadAwardRecord reads the public award record of a call in a state of
// AwardRecordStates (else ErrNotFound) from one consistent snapshot with a constant
// number of queries whatever the number of bids, criteria and entries.
func LoadAwardRecord(ctx context.Context, db *gorm.DB, idOrRef string) (*AwardRecord, error) {
	var out *AwardRecord
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		out, err = loadAwardRecord(ctx, tx, idOrRef, AwardRecordStates)
		return err
	}, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	return out, err
}

func loadAwardRecord(ctx context.Context, tx *gorm.DB, idOrRef string, states []rules.CallState) (*AwardRecord, error) {
	id, _ := strconv.ParseInt(idOrRef, 10, 64)
	st := make([]string, len(states))
	for i, s := range states {
		st[i] = string(s)
	}
	var head []struct {
		ID, CurrentVersion                 int64
		Ref, State, Slug, Name, Title      string
		CancelReason                       string
		PublishedAt, CancelledAt, OpenedAt *time.Time
		Lots                               *string
		Checked                            time.Time
	}
	if err := tx.Raw(`SELECT c.id, c.current_version, c.ref, c.state, t.slug, t.name, c.title, c.cancel_reason, c.published_at,
			c.cancelled_at, c.opened_at, r.lots::text AS lots, clock_timestamp() AS checked
		FROM calls c JOIN tenants t ON t.id = c.tenant_id LEFT JOIN call_results r ON r.call_id = c.id
		WHERE (c.id = ? OR c.ref = ?) AND c.state IN ?`, id, idOrRef, st).Scan(&head).Error; err != nil {
		return nil, fmt.Errorf("load award record: %w", err)
	}
	if len(head) == 0 {
		return nil, fmt.Errorf("award record %q: %w", idOrRef, core.ErrNotFound)
	}
	h := head[0]
	r := &AwardRecord{CallID: h.ID, Ref: h.Ref, State: rules.CallState(h.State), TenantSlug: h.Slug, TenantName: h.Name, Title: h.Title,
		PublishedAt: h.PublishedAt, CancelledAt: h.CancelledAt, CancelReason: h.CancelReason, OpenedAt: h.OpenedAt, Checked: h.Checked}
	var versions []struct {
		calls.VersionInfo
		Content []byte
	}
	if err := tx.Raw(`SELECT version, reason, material, content_sha256, deadline, published_at, CASE WHEN version = ? THEN content END AS content
		FROM call_versions WHERE call_id = ? ORDER BY version`, h.CurrentVersion, h.ID).Scan(&versions).Error; err != nil {
		return nil, fmt.Errorf("load versions: %w", err)
	}
	for _, v := range versions {
		r.Versions = append(r.Versions, v.VersionInfo)
		if v.Content != nil {
			c, err := rules.DecodeCallContent(v.Content)
			if err != nil {
				return nil, err
			}
			r.Content = c
		}
	}
	qas, err := calls.PublicQAsOf(tx, []any{h.ID, "", h.ID, ""})
	if err != nil {
		return nil, err
	}
	for _, qa := range qas {
		r.QA = append(r.QA, qa.PublicQA)
	}
	if err := loadAwardDecision(tx, r, h.Lots); err != nil {
		return nil, err
	}
	var entries []struct {
		Seq       int64
		CreatedAt time.Time
		Action    string
		Kind      string
		Hash      string
	}
	if err := tx.Raw(`SELECT seq, created_at, action, coalesce(details::jsonb->>'kind', '') AS kind, hash FROM audit_log
		WHERE chain = ? AND action IN ? ORDER BY seq`, audit.CallChain(h.ID), PublicTimelineActions()).Scan(&entries).Error; err != nil {
		return nil, fmt.Errorf("load timeline: %w", err)
	}
	for _, e := range entries {
		label := publicTimelineLabels[e.Action]
		if e.Action == "document.issued" {
			if k := vault.DocKind(e.Kind).Label(); k != "" {
				label += ": " + k
			}
		}
		r.Timeline = append(r.Timeline, TimelineEntry{Seq: e.Seq, At: e.CreatedAt, Label: label, Hash: e.Hash})
	}
	r.Chain, err = audit.VerifyChain(ctx, tx, audit.CallChain(h.ID))
	return r, err
}

// loadAwardDecision reads the recorded decision with bidders, scores and objections (four
// queries); nothing of the bids is read before the decision is recorded (rules.md R2
// holds a fortiori: a decision needs the opening).
func loadAwardDecision(tx *gorm.DB, r *AwardRecord, lots *string) error {
	d, err := loadDecisionRow(tx, r.CallID, nil)
	if err != nil || d == nil || !d.Recorded() || r.OpenedAt == nil {
		return err
	}
	r.Decision = d
	if lots != nil {
		if err := jsonUnmarshalString(*lots, &r.Lots); err != nil {
			return fmt.Errorf("awarded lots: %w", err)
		}
	}
	var bidders []struct {
		BidID                    int64
		OrgName, State, Formal   string
		FormalReason, Correction string
		HasResult, Excluded      bool
		Rank                     int
		Total                    decimal.Decimal
		Points, Reasons          *string
	}
	if err := tx.Raw(`SELECT ob.bid_id, ob.org_name, ob.state, coalesce(f.outcome, '') AS formal, coalesce(f.reason, '') AS formal_reason,
			coalesce(fc.reason, '') AS correction, rr.bid_id IS NOT NULL AS has_result, coalesce(rr.excluded, false) AS excluded,
			coalesce(rr.rank, 0) AS rank, coalesce(rr.total, 0) AS total, rr.points::text AS points, rr.reasons::text AS reasons
		FROM opening_bids ob LEFT JOIN formal_checks f ON f.bid_id = ob.bid_id LEFT JOIN formal_corrections fc ON fc.bid_id = ob.bid_id
		LEFT JOIN result_rows rr ON rr.call_id = ob.call_id AND rr.bid_id = ob.bid_id
		WHERE ob.call_id = ? ORDER BY rr.position NULLS LAST, ob.org_name`, r.CallID).Scan(&bidders).Error; err != nil {
		return fmt.Errorf("load bidders: %w", err)
	}
	var cons []struct {
		BidID        int64
		CriterionKey string
		Score        decimal.Decimal
	}
	if err := tx.Raw(`SELECT bid_id, criterion_key, score FROM consolidated_scores WHERE call_id = ?`, r.CallID).Scan(&cons).Error; err != nil {
		return fmt.Errorf("load consolidated scores: %w", err)
	}
	scores := map[int64]map[string]decimal.Decimal{}
	for _, s := range cons {
		if scores[s.BidID] == nil {
			scores[s.BidID] = map[string]decimal.Decimal{}
		}
		scores[s.BidID][s.CriterionKey] = s.Score
	}
	alloc := map[int64][]AwardAllocation{}
	names := map[int64]string{}
	for _, b := range bidders {
		names[b.BidID] = b.OrgName
	}
	for i, a := range d.Allocations {
		d.Allocations[i].OrgName = names[a.BidID]
		lot := a.LotKey
		if l, ok := r.Content.Lot(a.LotKey); ok {
			lot = l.Name
		}
		if a.FTE.IsPositive() || a.ResultFTE.IsPositive() {
			alloc[a.BidID] = append(alloc[a.BidID], AwardAllocation{Lot: lot, FTE: rules.FormatFTE(a.FTE), ResultFTE: rules.FormatFTE(a.ResultFTE), Deviates: a.Deviates()})
		}
	}
	for _, b := range bidders {
		ab := AwardBidder{BidID: b.BidID, OrgName: b.OrgName, Withdrawn: b.State == "withdrawn", Formal: b.Formal, FormalReason: b.FormalReason,
			Correction: b.Correction, HasResult: b.HasResult, Excluded: b.Excluded, Rank: b.Rank, Total: b.Total, Selected: alloc[b.BidID]}
		var points map[string]decimal.Decimal
		if b.Points != nil {
			if err := jsonUnmarshalString(*b.Points, &points); err != nil {
				return fmt.Errorf("points of bid %d: %w", b.BidID, err)
			}
		}
		if b.Reasons != nil {
			if err := jsonUnmarshalString(*b.Reasons, &ab.ExclusionReasons); err != nil {
				return fmt.Errorf("exclusion reasons of bid %d: %w", b.BidID, err)
			}
		}
		for _, c := range r.Content.Criteria {
			s, ok := scores[b.BidID][c.Key]
			if !ok && points == nil {
				continue
			}
			as := AwardScore{Criterion: c.Key + " " + c.Name, Score: "–", Points: "–"}
			if ok {
				as.Score = rules.FormatScore(s)
			}
			if p, ok := points[c.Key]; ok {
				as.Points = rules.FormatGermanDecimal(p, 2)
			}
			ab.Scores = append(ab.Scores, as)
		}
		r.Bidders = append(r.Bidders, ab)
	}
	if err := tx.Raw(`SELECT g.name AS org_name, o.lodged_at, o.outcome, o.answered_at FROM objections o
		JOIN organizations g ON g.id = o.org_id WHERE o.call_id = ? ORDER BY o.id`, r.CallID).Scan(&r.Objections).Error; err != nil {
		return fmt.Errorf("load objections: %w", err)
	}
	return nil
}

// jsonUnmarshalString decodes a JSON text column.
func jsonUnmarshalString(s string, dst any) error {
	if err := json.Unmarshal([]byte(s), dst); err != nil {
		return fmt.Errorf("decode %T: %w", dst, err)
	}
	return nil
}
