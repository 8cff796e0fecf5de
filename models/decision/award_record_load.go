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
	"kimibv/models/core"
	"kimibv/models/rules"
	"kimibv/models/vault"
)

// LoadAwardRecord reads the public award record of a call in a state of
// AwardRecordStates (else ErrNotFound) from one consistent snapshot with a constant
// number of queries whatever the number of bids, criteria and entries, and verifies the
// procedure's chain.
func LoadAwardRecord(ctx context.Context, db *gorm.DB, idOrRef string) (*AwardRecord, error) {
	return LoadAwardRecordChecked(ctx, db, idOrRef, nil)
}

// LoadAwardRecordChecked is LoadAwardRecord taking the chain's verification from checks
// when that head was verified recently (see ChainChecks; nil verifies every time). It
// reads three queries — the call with its versions, answers, timeline and objections, the
// decision with its allocations, the bidders with their scores — and the verification's.
func LoadAwardRecordChecked(ctx context.Context, db *gorm.DB, idOrRef string, checks *ChainChecks) (*AwardRecord, error) {
	var out *AwardRecord
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		out, err = loadAwardRecord(ctx, tx, idOrRef, AwardRecordStates, checks)
		return err
	}, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	return out, err
}

// awardHead is the first query of a record: the call, its Kreis, its versions, public
// answers, public timeline, objections (JSON) and its chain's head.
type awardHead struct {
	ID, CurrentVersion                 int64
	Ref, State, Slug, Name, Title      string
	CancelReason, HeadHash             string
	PublishedAt, CancelledAt, OpenedAt *time.Time
	Lots, Ties, Versions, QA, Timeline *string
	Objects, Remedies                  *string
	Content                            []byte
	Checked                            time.Time
}

func loadAwardRecord(ctx context.Context, tx *gorm.DB, idOrRef string, states []rules.CallState, checks *ChainChecks) (*AwardRecord, error) {
	id, _ := strconv.ParseInt(idOrRef, 10, 64)
	st := make([]string, len(states))
	for i, s := range states {
		st[i] = string(s)
	}
	var head []awardHead
	if err := tx.Raw(`SELECT c.id, c.current_version, c.ref, c.state, t.slug, t.name, c.title, c.cancel_reason, c.published_at,
			c.cancelled_at, c.opened_at, r.lots::text AS lots, r.ties::text AS ties, clock_timestamp() AS checked, coalesce(ch.head_hash, '') AS head_hash,
			(SELECT content FROM call_versions WHERE call_id = c.id AND version = c.current_version) AS content,
			(SELECT json_agg(json_build_object('Version', v.version, 'Reason', v.reason, 'Material', v.material,
				'ContentSHA256', v.content_sha256, 'Deadline', v.deadline, 'PublishedAt', v.published_at) ORDER BY v.version)
				FROM call_versions v WHERE v.call_id = c.id)::text AS versions,
			(SELECT json_agg(json_build_object('ID', a.id, 'Seq', a.seq, 'Question', a.question, 'Answer', a.answer,
				'AnsweredAt', a.answered_at) ORDER BY a.seq) FROM qa_answers a WHERE a.call_id = c.id)::text AS qa,
			(SELECT json_agg(json_build_object('Seq', l.seq, 'At', l.created_at, 'Action', l.action,
				'Kind', coalesce(l.details::jsonb->>'kind', ''), 'Hash', l.hash) ORDER BY l.seq)
				FROM audit_log l WHERE l.chain = ch.chain AND l.action IN ?)::text AS timeline,
			(SELECT json_agg(json_build_object('OrgName', g.name, 'LodgedAt', o.lodged_at, 'Outcome', o.outcome,
				'AnsweredAt', o.answered_at) ORDER BY o.id) FROM objections o JOIN organizations g ON g.id = o.org_id
				WHERE o.call_id = c.id)::text AS objects,
			(SELECT json_agg(json_build_object('ID', m.id, 'Step', m.step, 'Reason', m.reason, 'ReturnedAt', m.returned_at,
				'PreviousState', m.previous_state) ORDER BY m.id) FROM remedies m WHERE m.call_id = c.id)::text AS remedies
		FROM calls c JOIN tenants t ON t.id = c.tenant_id LEFT JOIN call_results r ON r.call_id = c.id
		LEFT JOIN audit_chains ch ON ch.chain = 'call:' || c.id::text
		WHERE (c.id = ? OR c.ref = ?) AND c.state IN ?`, PublicTimelineActions(), id, idOrRef, st).Scan(&head).Error; err != nil {
		return nil, fmt.Errorf("load award record: %w", err)
	}
	if len(head) == 0 {
		return nil, fmt.Errorf("award record %q: %w", idOrRef, core.ErrNotFound)
	}
	h := head[0]
	r := &AwardRecord{CallID: h.ID, Ref: h.Ref, State: rules.CallState(h.State), TenantSlug: h.Slug, TenantName: h.Name, Title: h.Title,
		PublishedAt: h.PublishedAt, CancelledAt: h.CancelledAt, CancelReason: h.CancelReason, OpenedAt: h.OpenedAt, Checked: h.Checked}
	if err := decodeAwardHead(h, r); err != nil {
		return nil, err
	}
	if err := loadAwardDecision(tx, currentRound, r, h.Lots, h.Ties, h.Objects); err != nil {
		return nil, err
	}
	var remedies []Remedy
	if err := jsonUnmarshalOptional(h.Remedies, &remedies, "remedies"); err != nil {
		return nil, err
	}
	if err := loadAwardRounds(tx, r, remedies); err != nil {
		return nil, err
	}
	chain := audit.CallChain(h.ID)
	if v, at, ok := checks.lookup(chain, h.HeadHash); ok {
		r.Chain, r.Checked = v, at
		return r, nil
	}
	v, err := audit.VerifyChain(ctx, tx, chain)
	if err != nil {
		return nil, err
	}
	r.Chain = v
	checks.keep(chain, h.HeadHash, v, r.Checked)
	return r, nil
}

// decodeAwardHead fills the record's content, versions, answers and timeline.
func decodeAwardHead(h awardHead, r *AwardRecord) error {
	if h.Content != nil {
		c, err := rules.DecodeCallContent(h.Content)
		if err != nil {
			return err
		}
		r.Content = c
	}
	if err := jsonUnmarshalOptional(h.Versions, &r.Versions, "versions"); err != nil {
		return err
	}
	if err := jsonUnmarshalOptional(h.QA, &r.QA, "answers"); err != nil {
		return err
	}
	var entries []struct {
		Seq                int64
		At                 time.Time
		Action, Kind, Hash string
	}
	if err := jsonUnmarshalOptional(h.Timeline, &entries, "timeline"); err != nil {
		return err
	}
	for _, e := range entries {
		label := publicTimelineLabels[e.Action]
		if e.Action == "document.issued" {
			if k := vault.DocKind(e.Kind).Label(); k != "" {
				label += ": " + k
			}
		}
		r.Timeline = append(r.Timeline, TimelineEntry{Seq: e.Seq, At: e.At, Label: label, Hash: e.Hash})
	}
	return nil
}

// awardDecisionSQL reads a call's decision with its allocations (tables as q names them).
const awardDecisionSQL = `SELECT d.call_id, d.justification, d.deviates, d.deviation_reason, d.standstill_days, d.prepared_at,
		coalesce(d.body, '') AS body, d.body_name, coalesce(to_char(d.decided_on, 'YYYY-MM-DD'), '') AS decided_on, d.resolution_number,
		d.vote_result, d.council_url, d.recorded_at, coalesce(u.name, '') AS recorded_by_name, d.notified_at, d.standstill_ends_at, d.awarded_at,
		(SELECT json_agg(json_build_object('BidID', a.bid_id, 'LotKey', a.lot_key, 'FTE', a.fte, 'ResultFTE', a.result_fte)
			ORDER BY a.bid_id, a.lot_key) FROM decision_allocations a WHERE a.call_id = d.call_id)::text AS allocations_json
		FROM decisions d LEFT JOIN users u ON u.id = d.recorded_by WHERE d.call_id = ?`

// awardBiddersSQL reads the bidders of the opening with formal check, consolidated scores and result.
const awardBiddersSQL = `SELECT ob.bid_id, ob.org_name, ob.state, coalesce(f.outcome, '') AS formal, coalesce(f.reason, '') AS formal_reason,
			coalesce(fc.reason, '') AS correction, rr.bid_id IS NOT NULL AS has_result, coalesce(rr.excluded, false) AS excluded,
			coalesce(rr.rank, 0) AS rank, coalesce(rr.total, 0) AS total, rr.points::text AS points, rr.reasons::text AS reasons,
			coalesce(rr.excluded_formally, false) AS excluded_formally, coalesce(rr.rank_by_decision, false) AS rank_by_decision,
			rr.requested::text AS requested,
			(SELECT json_object_agg(cs.criterion_key, json_build_object('Score', cs.score, 'Mean', cs.mean,
				'Reason', CASE WHEN cs.score <> cs.mean THEN cs.reason ELSE '' END)) FROM consolidated_scores cs
				WHERE cs.call_id = ob.call_id AND cs.bid_id = ob.bid_id)::text AS scores
		FROM opening_bids ob LEFT JOIN formal_checks f ON f.bid_id = ob.bid_id LEFT JOIN formal_corrections fc ON fc.bid_id = ob.bid_id
		LEFT JOIN result_rows rr ON rr.call_id = ob.call_id AND rr.bid_id = ob.bid_id
		WHERE ob.call_id = ? ORDER BY rr.position NULLS LAST, ob.org_name`

// loadAwardDecision reads the recorded decision with its allocations, then the bidders
// with formal check, consolidated scores and result (two queries); nothing of the bids is
// read before the decision is recorded (rules.md R2 holds a fortiori: a decision needs
// the opening). objections is the JSON of the head query; q names the round's tables
// (currentRound: the rows that count).
func loadAwardDecision(tx *gorm.DB, q func(string) string, r *AwardRecord, lots, ties, objections *string) error {
	var rows []struct {
		rules.Decision
		AllocationsJSON *string
	}
	if err := tx.Raw(q(awardDecisionSQL), r.CallID).Scan(&rows).Error; err != nil {
		return fmt.Errorf("load decision: %w", err)
	}
	if len(rows) == 0 || !rows[0].Recorded() || r.OpenedAt == nil {
		return nil
	}
	d := rows[0].Decision
	if err := jsonUnmarshalOptional(rows[0].AllocationsJSON, &d.Allocations, "decision allocations"); err != nil {
		return err
	}
	r.Decision = &d
	if err := jsonUnmarshalOptional(lots, &r.Lots, "awarded lots"); err != nil {
		return err
	}
	if err := jsonUnmarshalOptional(objections, &r.Objections, "objections"); err != nil {
		return err
	}
	if err := loadAwardBidders(tx, q, r, &d); err != nil {
		return err
	}
	return decodeAwardTies(r, ties)
}

// decodeAwardTies fills the ties the lead decided (the result's ties with a resolution)
// with the organisation names in the decided order.
func decodeAwardTies(r *AwardRecord, ties *string) error {
	var all []rules.Tie
	if err := jsonUnmarshalOptional(ties, &all, "result ties"); err != nil {
		return err
	}
	names := map[int64]string{}
	for _, b := range r.Bidders {
		names[b.BidID] = b.OrgName
	}
	for _, t := range all {
		if t.Resolution == nil {
			continue
		}
		at := AwardTie{Rank: t.Rank, Reason: t.Resolution.Reason}
		for _, id := range t.Resolution.Order {
			at.OrgNames = append(at.OrgNames, names[id])
		}
		r.Ties = append(r.Ties, at)
	}
	return nil
}

// loadAwardBidders reads the bidders of the opening with formal check, consolidated
// scores and result in one query and joins the decision's allocations to them.
func loadAwardBidders(tx *gorm.DB, q func(string) string, r *AwardRecord, d *rules.Decision) error {
	var bidders []struct {
		BidID                    int64
		OrgName, State, Formal   string
		FormalReason, Correction string
		HasResult, Excluded      bool
		ExcludedFormally         bool
		RankByDecision           bool
		Rank                     int
		Total                    decimal.Decimal
		Points, Reasons, Scores  *string
		Requested                *string
	}
	if err := tx.Raw(q(awardBiddersSQL), r.CallID).Scan(&bidders).Error; err != nil {
		return fmt.Errorf("load bidders: %w", err)
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
			Correction: b.Correction, HasResult: b.HasResult, Excluded: b.Excluded, Rank: b.Rank, Total: b.Total, Selected: alloc[b.BidID],
			RankByDecision: b.RankByDecision}
		var points map[string]decimal.Decimal
		var scores map[string]struct {
			Score, Mean decimal.Decimal
			Reason      string
		}
		if b.HasResult && !b.ExcludedFormally {
			if err := awardRequests(&ab, b.Requested, &r.Content); err != nil {
				return err
			}
		}
		if err := jsonUnmarshalOptional(b.Points, &points, fmt.Sprintf("points of bid %d", b.BidID)); err != nil {
			return err
		}
		if err := jsonUnmarshalOptional(b.Reasons, &ab.ExclusionReasons, fmt.Sprintf("exclusion reasons of bid %d", b.BidID)); err != nil {
			return err
		}
		if err := jsonUnmarshalOptional(b.Scores, &scores, fmt.Sprintf("consolidated scores of bid %d", b.BidID)); err != nil {
			return err
		}
		for _, c := range r.Content.Criteria {
			s, ok := scores[c.Key]
			if !ok && points == nil {
				continue
			}
			as := AwardScore{Criterion: c.Key + " " + c.Name, Score: "–", Points: "–"}
			if ok {
				as.Score = rules.FormatScore(s.Score)
				if as.Deviates = rules.NeedsReason(s.Score, s.Mean); as.Deviates {
					as.Mean, as.Reason = rules.FormatScore(s.Mean), s.Reason
				}
			}
			if p, ok := points[c.Key]; ok {
				as.Points = rules.FormatGermanDecimal(p, 2)
			}
			ab.Scores = append(ab.Scores, as)
		}
		r.Bidders = append(r.Bidders, ab)
	}
	return nil
}

// awardRequests fills the posts the bid asked for per lot, in the lots' published order,
// from the result row's JSON.
func awardRequests(ab *AwardBidder, raw *string, c *rules.CallContent) error {
	var req map[string]decimal.Decimal
	if err := jsonUnmarshalOptional(raw, &req, fmt.Sprintf("requested posts of bid %d", ab.BidID)); err != nil {
		return err
	}
	for _, l := range c.Lots {
		if f, ok := req[l.Key]; ok && f.IsPositive() {
			ab.Requested = append(ab.Requested, AwardRequest{Lot: l.Name, FTE: rules.FormatFTE(f)})
		}
	}
	return nil
}

// jsonUnmarshalOptional decodes a JSON text column into dst unless it is NULL; what
// names the data in the error.
func jsonUnmarshalOptional(s *string, dst any, what string) error {
	if s == nil {
		return nil
	}
	if err := json.Unmarshal([]byte(*s), dst); err != nil {
		return fmt.Errorf("%s: decode %T: %w", what, dst, err)
	}
	return nil
}
