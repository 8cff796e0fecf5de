package bids

import (
	"context"
	"fmt"
	"io"
	"time"

	"gorm.io/gorm"

	"kimibv/models/accounts"
	"kimibv/models/core"
	"kimibv/models/rules"
	"kimibv/models/vault"
)

// OpenedBids is what ReadBids returns after the opening: every bid with at least one
// submitted version, its latest version decrypted and verified against its hash.
type OpenedBids struct {
	CallID   int64
	Status   rules.SealStatus
	Bids     []OpenedBid
	Withheld int // submitted bids the evaluator gate left out (not admitted, or a declared tie)
	db       *gorm.DB
	vault    *vault.Vault
}

// OpenedBid is one bid as the opening and the evaluation see it.
type OpenedBid struct {
	BidID               int64
	OrgID               int64
	OrgName             string
	State               rules.BidState
	Version             int
	CallVersion         int
	Kind                string
	ReceiptAt           time.Time
	ContentSHA256       string
	Content             rules.BidContent
	NeedsReconfirmation bool
	Files               []vault.BidFileRow
}

// OpenFile streams a file of an opened bid. It exists only on the result of ReadBids, so
// a bid file can be read by Kreis roles only after the sealing check has passed.
func (o *OpenedBids) OpenFile(ctx context.Context, bidID int64, docKey string) (io.ReadCloser, vault.File, error) {
	for _, b := range o.Bids {
		if b.BidID != bidID {
			continue
		}
		for _, f := range b.Files {
			if f.DocKey == docKey {
				return vault.OpenFile(ctx, o.db, o.vault, f.FileID)
			}
		}
	}
	return nil, vault.File{}, fmt.Errorf("file %s of bid %d: %w", docKey, bidID, core.ErrNotFound)
}

// sealedCall is what the sealing check needs of a call.
type sealedCall struct {
	ID       int64
	TenantID int64
	State    rules.CallState
	Deadline *time.Time
	OpenedAt *time.Time
}

// ReadBids is the ONE function through which Kreis roles and the operator read bid data
// of a call — existence, number, organisations' names, content and files (rules.md R2).
//
//   - anonymous users, providers and users of another Kreis: ErrNotFound (rules.md R9; providers
//     read their own bid with OwnBid);
//   - the operator: ErrSealed before the opening and ErrForbidden after it (never content);
//   - every role of the call's Kreis before the two-person opening (calls.opened_at, set by
//     the second opener, rules.md R15): ErrSealed — whether the deadline runs or has passed. The only
//     thing they learn is CallBidStatus ("Frist läuft" / "Frist abgelaufen – ungeöffnet");
//   - after the opening: the lead and the openers get the bids; named evaluators of the call
//     get, once they have declared for every bidder (else a Refusal wrapping ErrForbidden),
//     only the admitted bids without a declared tie (rules.md R5) — also when they lead or
//     open as well (evaluatorGated); council members and Kreis administrators get
//     ErrForbidden here.
func ReadBids(ctx context.Context, db *gorm.DB, vlt *vault.Vault, actor *core.Actor, callID int64, now time.Time) (*OpenedBids, error) {
	db = db.WithContext(ctx)
	var c sealedCall
	res := db.Raw(`SELECT id, tenant_id, state, deadline, opened_at FROM calls WHERE id = ? AND state <> 'draft'`, callID).Scan(&c)
	if res.Error != nil {
		return nil, fmt.Errorf("load call %d: %w", callID, res.Error)
	}
	if res.RowsAffected == 0 || actor == nil {
		return nil, fmt.Errorf("bids of call %d: %w", callID, core.ErrNotFound)
	}
	switch {
	case actor.PlatformAdmin && c.OpenedAt == nil:
		return nil, fmt.Errorf("bids of call %d: %w", callID, core.ErrSealed)
	case actor.PlatformAdmin:
		return nil, fmt.Errorf("bids of call %d for the operator: %w", callID, core.ErrForbidden)
	case !actor.InTenant(c.TenantID):
		return nil, fmt.Errorf("bids of call %d: %w", callID, core.ErrNotFound)
	case c.OpenedAt == nil:
		return nil, fmt.Errorf("bids of call %d (%s): %w", callID, rules.CallSealStatus(c.Deadline, nil, now), core.ErrSealed)
	}
	// Evaluators pass the conflict-of-interest gate (rules.md R5) and see only the admitted
	// bids they have declared no tie to; other Kreis roles get ErrForbidden. The gate
	// holds for the person: a named evaluator is gated whatever other roles they hold.
	var allowed map[int64]bool // nil: every bid (lead, opener outside the committee)
	gated, err := evaluatorGated(db, actor, c.TenantID, callID)
	if err != nil {
		return nil, err
	}
	if gated {
		if allowed, err = EvaluatorBids(db, actor, core.CallScope{Tenant: c.TenantID, Call: callID}); err != nil {
			return nil, err
		}
	}
	out := &OpenedBids{CallID: callID, Status: rules.SealOpened, db: db, vault: vlt}
	var rows []struct {
		BidVersion
		OrgName             string
		State               rules.BidState
		NeedsReconfirmation bool
	}
	if err := db.Raw(`SELECT v.*, o.name AS org_name, b.state, b.needs_reconfirmation FROM bids b
		JOIN bid_versions v ON v.bid_id = b.id AND v.version = b.current_version
		JOIN organizations o ON o.id = b.org_id
		WHERE b.call_id = ? AND b.current_version > 0 ORDER BY v.receipt_at, b.id`, callID).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("load bids: %w", err)
	}
	for _, r := range rows {
		if allowed != nil && !allowed[r.BidID] {
			out.Withheld++
			continue
		}
		plain, err := vlt.OpenBytes(db, callID, r.Content)
		if err != nil {
			return nil, err
		}
		if rules.BidSHA256(plain) != r.ContentSHA256 {
			return nil, fmt.Errorf("bid %d version %d: content does not match its SHA-256", r.BidID, r.Version)
		}
		bc, err := rules.DecodeBid(plain)
		if err != nil {
			return nil, err
		}
		ob := OpenedBid{BidID: r.BidID, OrgID: r.OrgID, OrgName: r.OrgName, State: r.State, Version: r.Version, CallVersion: r.CallVersion,
			Kind: r.Kind, ContentSHA256: r.ContentSHA256, Content: bc, NeedsReconfirmation: r.NeedsReconfirmation}
		if r.ReceiptAt != nil {
			ob.ReceiptAt = *r.ReceiptAt
		}
		out.Bids = append(out.Bids, ob)
	}
	// The files of every returned bid's current version in one query (not one per bid).
	var files []struct {
		BidID int64
		vault.BidFileRow
	}
	if len(out.Bids) > 0 {
		if err := db.Raw(`SELECT f.bid_id, f.doc_key, f.file_id, f.name, f.name_sealed, f.size, f.sha256 FROM bid_version_files f
			JOIN bids b ON b.id = f.bid_id AND b.current_version = f.version WHERE b.call_id = ? ORDER BY f.bid_id, f.doc_key`, callID).Scan(&files).Error; err != nil {
			return nil, fmt.Errorf("load bid files: %w", err)
		}
	}
	named := make([]vault.BidFileRow, len(files))
	for i := range files {
		named[i] = files[i].BidFileRow
	}
	if err := vault.OpenBidFileNames(db, vlt, callID, named); err != nil { // sealed with the call's key like the files
		return nil, err
	}
	byBid := map[int64][]vault.BidFileRow{}
	for i, f := range files {
		byBid[f.BidID] = append(byBid[f.BidID], named[i])
	}
	for i := range out.Bids {
		out.Bids[i].Files = byBid[out.Bids[i].BidID]
	}
	return out, nil
}

// CallBidStatus is the status of a call's bids as the Kreis's users may know it before
// the opening: "Frist läuft" or "Frist abgelaufen – ungeöffnet" (or "Geöffnet") — no
// count, no names. It reads only the call, never the bids. Users outside the Kreis get
// ErrNotFound.
func CallBidStatus(ctx context.Context, db *gorm.DB, actor *core.Actor, callID int64, now time.Time) (rules.SealStatus, error) {
	var c sealedCall
	res := db.WithContext(ctx).Raw(`SELECT id, tenant_id, state, deadline, opened_at FROM calls WHERE id = ? AND state <> 'draft'`, callID).Scan(&c)
	if res.Error != nil {
		return "", fmt.Errorf("load call %d: %w", callID, res.Error)
	}
	if res.RowsAffected == 0 || !actor.InTenant(c.TenantID) {
		return "", fmt.Errorf("call %d: %w", callID, core.ErrNotFound)
	}
	return rules.CallSealStatus(c.Deadline, c.OpenedAt, now), nil
}

// evaluatorGated is the gate decision of ReadBids: the conflict-of-interest gate is a
// property of the person in the procedure, not of a role. A named evaluator of the call
// is gated whatever other roles of the Kreis they hold (as opener or lead they would
// otherwise read tied and undeclared bids); leads and openers outside the committee are
// not; everybody else is (and EvaluatorBids refuses non-members).
func evaluatorGated(db *gorm.DB, actor *core.Actor, tenantID, callID int64) (bool, error) {
	if !actor.HasTenantRole(tenantID, core.RoleLead) && !actor.HasTenantRole(tenantID, core.RoleOpener) {
		return true, nil
	}
	return accounts.NamedEvaluator(db, callID, actor.UserID)
}

// EvaluatorBids is the evaluator branch of ReadBids: the actor must be a named evaluator
// of the call with the evaluator role of its Kreis and have declared for every bidding
// organisation; the result are the bids they may see — admitted by the formal check and
// without a declared tie.
func EvaluatorBids(db *gorm.DB, actor *core.Actor, scope core.CallScope) (map[int64]bool, error) {
	tenantID, callID := scope.Tenant, scope.Call
	if !actor.HasTenantRole(tenantID, core.RoleEvaluator) {
		return nil, fmt.Errorf("bids of call %d: %w", callID, core.ErrForbidden)
	}
	var named int64
	if err := db.Raw(`SELECT count(*) FROM call_committee WHERE call_id = ? AND user_id = ? AND role = 'evaluator'`, callID, actor.UserID).
		Scan(&named).Error; err != nil {
		return nil, fmt.Errorf("check evaluator: %w", err)
	}
	if named == 0 {
		return nil, fmt.Errorf("bids of call %d for a non-member: %w", callID, core.ErrForbidden)
	}
	var rows []struct {
		BidID  int64
		OrgID  int64
		Formal rules.FormalOutcome
		Tie    *string
	}
	if err := db.Raw(`SELECT o.bid_id, o.org_id, `+FormalOutcomeSQL+` AS formal, d.tie
		FROM opening_bids o LEFT JOIN formal_checks f ON f.bid_id = o.bid_id LEFT JOIN formal_corrections k ON k.bid_id = o.bid_id
		LEFT JOIN coi_declarations d ON d.call_id = o.call_id AND d.org_id = o.org_id AND d.evaluator_id = ?
		WHERE o.call_id = ? AND o.state = 'submitted'`, actor.UserID, callID).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("load declarations: %w", err)
	}
	declared := map[int64]string{}
	var bidders []int64
	for _, r := range rows {
		bidders = append(bidders, r.OrgID)
		if r.Tie != nil {
			declared[r.OrgID] = *r.Tie
		}
	}
	out := map[int64]bool{}
	for _, r := range rows {
		if !rules.EvaluatorMaySee(declared, bidders, r.OrgID) {
			if len(declared) < len(bidders) {
				return nil, errDeclareFirst()
			}
			continue
		}
		if r.Formal == rules.FormalAdmitted {
			out[r.BidID] = true
		}
	}
	return out, nil
}

// errDeclareFirst is the refusal before the declarations are complete.
func errDeclareFirst() error {
	return core.Forbidden("Bitte erklären Sie zuerst für jeden Träger, der sich beworben hat, ob Sie mit ihm verbunden sind. Vorher sehen Sie nichts von den Interessenbekundungen.")
}

// FormalOutcomeSQL is the effective formal outcome of an opened bid o with its check f
// and correction k: a correction re-admits; 'requested' counts as pending.
const FormalOutcomeSQL = `CASE WHEN k.bid_id IS NOT NULL THEN 'admitted'
	WHEN f.outcome IN ('admitted', 'excluded') THEN f.outcome ELSE 'pending' END`
