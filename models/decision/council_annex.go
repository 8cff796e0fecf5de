package decision

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"gorm.io/gorm"

	"kimibv/models/audit"
	"kimibv/models/rules"
)

// CouncilAnnex is the non-public annex of a procedure for council members without a tie:
// the evaluators' scores with reasons, the lead's consolidated scores with the reasons the
// notices state, the requested and allocated posts per bid and lot, conflict-of-interest declarations and the
// exclusions they caused, the formal check with its checklist and corrections, the
// document requests and the procedure's audit trail. Bid documents stay with the Kreis.
type CouncilAnnex struct {
	Scores       []VermerkScore
	Consolidated []AnnexConsolidated // the lead's scores with the reasons the notices state
	Allocation   []AnnexAllocation   // requested, allocated and decided posts per admitted bid and lot
	Declarations []AnnexCOI
	Formal       []AnnexFormal
	Requests     []VermerkRequest
	Trail        []AnnexEntry
}

// AnnexCOI is an evaluator's declaration about one bidder; Excluded marks the resulting
// exclusion (the evaluator neither saw nor scored that bid, rules.md R5).
type AnnexCOI struct {
	Evaluator string
	OrgName   string
	Tie       string
	Note      string
}

// TieLabel names the tie; Excluded reports the resulting exclusion.
func (c AnnexCOI) TieLabel() string { return rules.TieLabel(c.Tie) }

// Excluded reports whether the declaration excluded the evaluator from the bid.
func (c AnnexCOI) Excluded() bool { return c.Tie != rules.TieNone }

// AnnexFormal is the formal check of one bid in detail.
type AnnexFormal struct {
	OrgName     string
	Outcome     string
	Reason      string
	DecidedAt   *time.Time
	Items       []rules.CheckItem
	Correction  string
	CorrectedAt *time.Time
}

// OutcomeLabel names the outcome in German.
func (f AnnexFormal) OutcomeLabel() string { return rules.FormalLabel(f.Outcome) }

// AnnexEntry is an entry of the procedure's audit trail.
type AnnexEntry struct {
	Seq       int64
	CreatedAt time.Time
	Action    string
	ActorName string
	Hash      string
}

// ActionLabel names the action in German.
func (e AnnexEntry) ActionLabel() string { return audit.ActionLabel(e.Action) }

// ShortHash abbreviates the entry's hash.
func (e AnnexEntry) ShortHash() string { return audit.ShortHash(e.Hash) }

// loadCouncilAnnex reads the annex of record r in seven queries.
func loadCouncilAnnex(tx *gorm.DB, r *AwardRecord) (*CouncilAnnex, error) {
	callID, c := r.CallID, &r.Content
	a := &CouncilAnnex{}
	if err := loadAnnexResult(tx, a, r); err != nil {
		return nil, err
	}
	var formal []struct {
		OrgName, Outcome, Reason, Items, Correction string
		DecidedAt, CorrectedAt                      *time.Time
	}
	q := []struct {
		what string
		sql  string
		dst  any
	}{
		{"scores", `SELECT u.name AS evaluator, ob.org_name, s.criterion_key AS criterion, s.score, s.reason FROM scores s
			JOIN score_sheets sh ON sh.id = s.sheet_id JOIN users u ON u.id = sh.evaluator_id JOIN opening_bids ob ON ob.bid_id = sh.bid_id
			WHERE sh.call_id = ? AND sh.submitted_at IS NOT NULL ORDER BY ob.org_name, s.criterion_key, u.name`, &a.Scores},
		{"declarations", `SELECT u.name AS evaluator, o.name AS org_name, d.tie, d.note FROM coi_declarations d
			JOIN users u ON u.id = d.evaluator_id JOIN organizations o ON o.id = d.org_id WHERE d.call_id = ? ORDER BY u.name, o.name`, &a.Declarations},
		{"formal checks", `SELECT ob.org_name, f.outcome, f.reason, f.items::text AS items, f.decided_at, coalesce(fc.reason, '') AS correction,
			fc.corrected_at FROM formal_checks f JOIN opening_bids ob ON ob.bid_id = f.bid_id LEFT JOIN formal_corrections fc ON fc.bid_id = f.bid_id
			WHERE f.call_id = ? ORDER BY ob.org_name`, &formal},
		{"document requests", `SELECT ob.org_name, array_to_string(r.doc_keys, ', ') AS docs, r.message, r.requested_at,
			(SELECT count(*) FROM document_request_files x WHERE x.request_id = r.id) AS answers
			FROM document_requests r JOIN opening_bids ob ON ob.bid_id = r.bid_id WHERE r.call_id = ? ORDER BY r.requested_at, r.id`, &a.Requests},
		{"audit trail", `WITH c AS (SELECT (?::bigint)::text AS id)
			SELECT l.seq, l.created_at, l.action, coalesce(u.name, 'System') AS actor_name, l.hash FROM audit_log l
			LEFT JOIN users u ON u.id = l.actor_id WHERE l.chain IN (SELECT 'call:' || c.id FROM c -- CallChain and the SealedBidChains
				UNION ALL SELECT ac.chain FROM audit_chains ac, c WHERE ` + audit.SealedTrailOfCallSQL("ac.chain", "c.id") + `)
			ORDER BY l.created_at, l.chain, l.seq`, &a.Trail},
	}
	for _, x := range q {
		if err := tx.Raw(x.sql, callID).Scan(x.dst).Error; err != nil {
			return nil, fmt.Errorf("load %s for the council annex: %w", x.what, err)
		}
	}
	for i := range a.Scores {
		if cr, ok := c.Criterion(a.Scores[i].Criterion); ok {
			a.Scores[i].Criterion += " " + cr.Name
		}
	}
	labels := map[string]string{}
	for i, e := range c.Eligibility {
		labels[fmt.Sprintf("E%d", i+1)] = e
	}
	for _, d := range c.RequiredDocs {
		labels[d.Key] = d.Name
	}
	for _, f := range formal {
		af := AnnexFormal{OrgName: f.OrgName, Outcome: f.Outcome, Reason: f.Reason, DecidedAt: f.DecidedAt, Correction: f.Correction, CorrectedAt: f.CorrectedAt}
		items := map[string]rules.ItemAssessment{}
		if err := json.Unmarshal([]byte(f.Items), &items); err != nil {
			return nil, fmt.Errorf("decode the formal checklist of %s for the council annex: %w", f.OrgName, err)
		}
		keys := make([]string, 0, len(items))
		for k := range items {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			label := labels[k]
			if label == "" {
				label = k
			}
			af.Items = append(af.Items, rules.CheckItem{Key: k, Label: label, Met: items[k].Met, Remark: items[k].Remark})
		}
		a.Formal = append(a.Formal, af)
	}
	return a, nil
}
