package audit

import (
	"fmt"
	"strconv"
	"strings"

	"gorm.io/gorm"
)

// sealedChainPrefix starts the name of every sealed bid trail.
const sealedChainPrefix = "bids:"

// SealedBidChain names the sealed trail of one bid of a call: every action on the bid
// (started, draft saved, file added or removed, submitted, re-confirmed, withdrawn), its
// Eingangsbestätigungen and re-confirmation requests, from the first draft on.
//
// Each bid has its own trail, so submissions to one call never wait for each other's
// audit entry (rules.md R3: a rush at the deadline must not queue timely bids behind one
// lock). Trails written before per-bid trails existed are named by the call alone
// ("bids:<call>"); every reader below admits both forms.
//
// The seal is a property of the data, not of each screen (rules.md R2):
//   - entries of a sealed trail carry no Kreis (Audit drops the tenant), so no reader that
//     selects a Kreis's entries — protocol, filter lists, counts — can see them;
//   - the procedure's own chain (CallChain), from which the public page derives its
//     validators and the Kreis its protocol, never receives a bid event;
//   - documents issued on a sealed trail (issued_documents.chain) are sealed with it;
//   - the opening appends the heads of the call's trails to the procedure's chain
//     (bids.trail_joined, JoinSealedTrail); from then on SealedTrailVisibleSQL admits the
//     trails and their documents to the Kreis's readers.
func SealedBidChain(callID, bidID int64) string {
	return sealedChainPrefix + strconv.FormatInt(callID, 10) + ":" + strconv.FormatInt(bidID, 10)
}

// IsSealedChain reports whether chain is a sealed bid trail.
func IsSealedChain(chain string) bool { return strings.HasPrefix(chain, sealedChainPrefix) }

// sealedCallOfSQL is the call id (as text) a sealed trail named in column belongs to:
// the second part of "bids:<call>:<bid>" and of the older "bids:<call>".
func sealedCallOfSQL(column string) string { return `split_part(` + column + `, ':', 2)` }

// SealedTrailVisibleSQL is the one condition through which readers of the Kreis admit an
// entry or a document by its chain column: a chain that is not a sealed trail, or a
// sealed trail of a call that has been opened. It takes no arguments.
func SealedTrailVisibleSQL(chainColumn string) string {
	return `(` + chainColumn + ` NOT LIKE '` + sealedChainPrefix + `%' OR EXISTS (SELECT 1 FROM calls sc
		WHERE sc.id::text = ` + sealedCallOfSQL(chainColumn) + ` AND sc.opened_at IS NOT NULL))`
}

// SealedTrailOfCallSQL is the condition "the chain in chainColumn is a sealed trail of the
// call whose id (as text) is the SQL expression callIDText".
func SealedTrailOfCallSQL(chainColumn, callIDText string) string {
	return `(` + chainColumn + ` LIKE '` + sealedChainPrefix + `%' AND ` + sealedCallOfSQL(chainColumn) + ` = ` + callIDText + `)`
}

// openedTrailsOfKreisSQL selects the names of the sealed trails of a Kreis's opened calls;
// its one argument is the Kreis.
const openedTrailsOfKreisSQL = `SELECT ac.chain FROM audit_chains ac JOIN calls oc ON oc.id::text = split_part(ac.chain, ':', 2)
	WHERE ac.chain LIKE '` + sealedChainPrefix + `%' AND oc.tenant_id = ? AND oc.opened_at IS NOT NULL`

// TrailHead is the head of one sealed trail as the opening joins it.
type TrailHead struct {
	Trail    string `gorm:"column:chain"`
	Entries  int64  `gorm:"column:head_seq"`
	HeadHash string `gorm:"column:head_hash"`
}

// SealedTrailsOfCall lists the heads of the call's sealed trails in name order; with
// lock, their head rows are locked FOR UPDATE until the end of tx.
func SealedTrailsOfCall(tx *gorm.DB, callID int64, lock bool) ([]TrailHead, error) {
	q := `SELECT chain, head_seq, head_hash FROM audit_chains WHERE ` + SealedTrailOfCallSQL("chain", "(?::bigint)::text") + ` ORDER BY chain`
	if lock {
		q += ` FOR UPDATE`
	}
	var heads []TrailHead
	if err := tx.Raw(q, callID).Scan(&heads).Error; err != nil {
		return nil, fmt.Errorf("sealed trails of call %d: %w", callID, err)
	}
	return heads, nil
}

// JoinSealedTrail appends, inside the opening's transaction, the heads of all sealed
// trails of the call to the procedure's chain (bids.trail_joined: every trail with its
// entries and head hash, and their total). It locks the trails' head rows, so no bid
// event can slip in between the join and the commit; no new trail can begin, because
// the opening comes after the deadline.
func JoinSealedTrail(tx *gorm.DB, actorID, tenantID, callID int64) error {
	heads, err := SealedTrailsOfCall(tx, callID, true)
	if err != nil {
		return err
	}
	var total int64
	trails := make([]any, 0, len(heads))
	for _, h := range heads {
		total += h.Entries
		trails = append(trails, map[string]any{"trail": h.Trail, "entries": h.Entries, "head_hash": h.HeadHash})
	}
	_, err = Audit(tx, Event{Chain: CallChain(callID), ActorID: actorID, TenantID: tenantID, Action: "bids.trail_joined",
		ObjectType: "call", ObjectID: strconv.FormatInt(callID, 10),
		Details: map[string]any{"trails": trails, "entries": total}})
	return err
}
