package audit

import (
	"fmt"
	"strconv"
	"strings"

	"gorm.io/gorm"
)

// sealedChainPrefix starts the name of every sealed bid trail.
const sealedChainPrefix = "bids:"

// SealedBidChain names the sealed trail of one call's bids: every bid action (started,
// draft saved, file added or removed, submitted, re-confirmed, withdrawn), every
// Eingangsbestätigung and every re-confirmation request, from the first draft on.
//
// The seal is a property of the data, not of each screen (rules.md R2):
//   - entries of a sealed trail carry no Kreis (Audit drops the tenant), so no reader that
//     selects a Kreis's entries — protocol, filter lists, counts — can see them;
//   - the procedure's own chain (CallChain), from which the public page derives its
//     validators and the Kreis its protocol, never receives a bid event;
//   - documents issued on a sealed trail (issued_documents.chain) are sealed with it;
//   - the opening appends the trail's head to the procedure's chain (bids.trail_joined,
//     JoinSealedTrail); from then on SealedTrailVisibleSQL admits the trail and its
//     documents to the Kreis's readers, and the trail shows everything that happened.
func SealedBidChain(callID int64) string { return sealedChainPrefix + strconv.FormatInt(callID, 10) }

// IsSealedChain reports whether chain is a sealed bid trail.
func IsSealedChain(chain string) bool { return strings.HasPrefix(chain, sealedChainPrefix) }

// SealedTrailVisibleSQL is the one condition through which readers of the Kreis admit an
// entry or a document by its chain column: a chain that is not a sealed trail, or the
// sealed trail of a call that has been opened. It takes no arguments.
func SealedTrailVisibleSQL(chainColumn string) string {
	return `(` + chainColumn + ` NOT LIKE '` + sealedChainPrefix + `%' OR EXISTS (SELECT 1 FROM calls sc
		WHERE '` + sealedChainPrefix + `' || sc.id::text = ` + chainColumn + ` AND sc.opened_at IS NOT NULL))`
}

// openedTrailsOfKreisSQL selects the names of the sealed trails of a Kreis's opened calls;
// its one argument is the Kreis.
const openedTrailsOfKreisSQL = `SELECT '` + sealedChainPrefix + `' || oc.id::text FROM calls oc WHERE oc.tenant_id = ? AND oc.opened_at IS NOT NULL`

// JoinSealedTrail appends, inside the opening's transaction, the head of the call's sealed
// trail to the procedure's chain (bids.trail_joined: entries and head hash). It locks the
// trail's head row, so no bid event can slip in between the join and the commit.
func JoinSealedTrail(tx *gorm.DB, actorID, tenantID, callID int64) error {
	var head struct {
		HeadSeq  int64
		HeadHash string
	}
	trail := SealedBidChain(callID)
	if err := tx.Raw(`INSERT INTO audit_chains (chain) VALUES (?)
		ON CONFLICT (chain) DO UPDATE SET chain = EXCLUDED.chain
		RETURNING head_seq, head_hash`, trail).Scan(&head).Error; err != nil {
		return fmt.Errorf("lock sealed trail %s: %w", trail, err)
	}
	_, err := Audit(tx, Event{Chain: CallChain(callID), ActorID: actorID, TenantID: tenantID, Action: "bids.trail_joined",
		ObjectType: "call", ObjectID: strconv.FormatInt(callID, 10),
		Details: map[string]any{"trail": trail, "entries": head.HeadSeq, "head_hash": head.HeadHash}})
	return err
}
