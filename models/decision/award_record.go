package decision

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"kimibv/models/audit"
	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/rules"
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
	Ties         []AwardTie      // orders of equal bids the lead decided when closing the consolidation
	Decision     *rules.Decision // nil until recorded; allocations with organisation names
	Objections   []AwardObjection
	Rounds       []AwardRound // the results that remedies superseded, in order (rules.md R34)
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
	Scores           []AwardScore   // per criterion in published order
	Requested        []AwardRequest // posts asked for per lot; only for bids admitted to the scoring
	RankByDecision   bool           // the rank within a tie was decided by the lead (see AwardRecord.Ties)
	Selected         []AwardAllocation
	HasResult        bool
}

// AwardRequest is the posts (VZÄ) a bid asked for in a lot: with the ranks and the lots'
// posts it lets anyone recompute the allocation.
type AwardRequest struct {
	Lot string
	FTE string
}

// AwardTie is an order of bids equal after every published tie-break that the lead
// decided, with the reason (rules.TieResolution); OrgNames in the decided order.
type AwardTie struct {
	Rank     int
	OrgNames []string
	Reason   string
}

// FormalLabel names the formal outcome in German.
func (b AwardBidder) FormalLabel() string { return rules.FormalLabel(b.Formal) }

// AwardScore is a consolidated score and its points for one criterion. Where the score
// deviates from the evaluators' mean, Mean and the lead's mandatory Reason are public too
// (rules.md R6); otherwise both stay empty (the reason then is the notice's, for the
// provider only).
type AwardScore struct {
	Criterion string
	Score     string
	Points    string
	Deviates  bool
	Mean      string
	Reason    string
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
	"notices.issued":       "Mitteilungen versandt, Stillhaltefrist begonnen",
	"objection.lodged":     "Rüge erhoben",
	"objection.answered":   "Rüge beantwortet",
	"remedy.returned":      "Nach abgeholfener Rüge an einen Verfahrensschritt zurückverwiesen",
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
