package bids

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/rules"
	"kimibv/models/store"
	"kimibv/models/vault"
)

// BidVersion is an immutable submitted version of a bid (rules.md R4).
type BidVersion struct {
	BidID         int64
	Version       int
	CallID        int64
	OrgID         int64
	CallVersion   int
	Kind          string
	Content       []byte
	ContentSHA256 string `gorm:"column:content_sha256"`
	SubmittedBy   int64
	ReceiptAt     *time.Time
}

// TableName maps BidVersion to bid_versions.
func (BidVersion) TableName() string { return "bid_versions" }

// Version kinds.
const (
	VersionSubmission     = "submission"
	VersionReconfirmation = "reconfirmation"
)

// draftFile is a file of the working copy with its metadata (the name is not needed
// and stays sealed).
type draftFile struct {
	DocKey string
	FileID int64
	Size   int64
	SHA256 string `gorm:"column:sha256"`
}

func loadDraftFiles(tx *gorm.DB, bidID int64) ([]draftFile, error) {
	var out []draftFile
	err := tx.Raw(`SELECT d.doc_key, d.file_id, f.size, f.sha256 FROM bid_draft_files d JOIN files f ON f.id = d.file_id
		WHERE d.bid_id = ? ORDER BY d.doc_key`, bidID).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("load bid files: %w", err)
	}
	return out, nil
}

// buildBidContent assembles what a version freezes from the working copy, restricted to
// what the call version asks for.
func buildBidContent(c *rules.CallContent, call *bidCall, orgID int64, d *rules.BidDraft, files []draftFile) rules.BidContent {
	bc := rules.BidContent{CallID: call.ID, CallVersion: call.CurrentVersion, OrgID: orgID, Lots: map[string]decimal.Decimal{},
		Answers: map[string]string{}, Declarations: map[string]bool{}, Ties: d.Ties, Contact: d.Contact, Documents: map[string]string{}}
	for _, l := range c.Lots {
		if v := d.Lots[l.Key]; v.Sign() > 0 {
			bc.Lots[l.Key] = v
		}
	}
	for _, cr := range c.Criteria {
		if a := d.Answers[cr.Key]; strings.TrimSpace(a) != "" {
			bc.Answers[cr.Key] = a
		}
	}
	for _, x := range rules.Declarations(c) {
		bc.Declarations[x.Key] = d.Declarations[x.Key]
	}
	for _, f := range files {
		if _, ok := RequiredDoc(c, f.DocKey); ok {
			bc.Documents[f.DocKey] = f.SHA256
		}
	}
	return bc
}

func RequiredDoc(c *rules.CallContent, key string) (rules.RequiredDoc, bool) {
	for _, d := range c.RequiredDocs {
		if d.Key == key {
			return d, true
		}
	}
	return rules.RequiredDoc{}, false
}

// incompleteError lists the missing items as one validation error (a forged POST; the
// check page shows them with links).
func incompleteError(missing []rules.Missing) error {
	v := &core.ValidationError{}
	for _, m := range missing {
		v.Add(m.Field, "missing", m.Message)
	}
	return v
}

// Received is the moment a submission's complete request was read by the server, on the
// server's monotonic clock. Handlers take it as soon as the request is read (ReceivedAt);
// SubmitBid turns it into database time.
type Received struct{ at time.Time }

// ReceivedAt makes a Received from t, a time.Now() reading (with its monotonic part) taken
// when the request had been read completely.
func ReceivedAt(t time.Time) Received { return Received{at: t} }

// waited is how long the request has waited in the server so far.
func (r Received) waited() time.Duration { return time.Since(r.at) }

// SubmitBid freezes the working copy as the next version in one transaction: it locks the
// bid (FOR UPDATE; a second tab waits and then finds the revision submitted: conflict),
// checks completeness against the call's current version and the deadline, stores the
// canonical encoding encrypted with its SHA-256 and the files with theirs, and records
// bid.submitted (bid.reconfirmed for an unchanged re-confirmation).
//
// The receipt time is the arrival (rules.md R3): the database clock at the transaction's
// first statement minus the time the request waited in the server since received, before
// any lock wait. A submission that arrived at or before the deadline counts however long
// it then waits for locks; one that arrived later is refused with a DeadlineError and
// leaves nothing behind. The database checks the arrival again at COMMIT (trigger
// bid_versions_deadline). A request that waited longer than rules.SubmissionQueueLimit
// before its transaction began is refused with core.ErrOverloaded.
//
// rev is the draft revision the provider checked; a changed draft is a conflict.
func SubmitBid(ctx context.Context, db *gorm.DB, vlt *vault.Vault, actor *core.Actor, scope core.BidScope, rev int, received Received) (*BidVersion, error) {
	var ver *BidVersion
	err := store.InTx(ctx, db, func(tx *gorm.DB) (err error) {
		ver, err = SubmitBidTx(tx, vlt, actor, scope, rev, received)
		return err
	})
	if err != nil {
		// Refused late attempts are counted (without content) for the Öffnungsprotokoll; the
		// refused transaction is gone, so the count needs its own.
		if err = CommitRefused(err, submitAction); errors.Is(err, core.ErrDeadlinePassed) {
			if lerr := calls.RecordLateAttempt(ctx, db, scope.Bid); lerr != nil {
				return nil, lerr
			}
		}
		return nil, err
	}
	return ver, nil
}

// submitAction names the submission in German refusals.
const submitAction = "Die Einreichung"

// SubmitBidTx is SubmitBid inside the caller's transaction tx, whose first statement it
// must be (the arrival is taken from the database clock at that statement): it freezes the
// working copy as the next version and records bid.submitted. The deadline check at COMMIT
// belongs to the caller's transaction (map its error with CommitRefused).
func SubmitBidTx(tx *gorm.DB, vlt *vault.Vault, actor *core.Actor, scope core.BidScope, rev int, received Received) (*BidVersion, error) {
	orgID, bidID := scope.Org, scope.Bid
	if !actor.InOrg(orgID) {
		return nil, fmt.Errorf("bid of org %d: %w", orgID, core.ErrNotFound)
	}
	arrival, err := arrivalOf(tx, received)
	if err != nil {
		return nil, err
	}
	b, call, err := lockBidArrivedAt(tx, actor, orgID, bidID, submitAction, arrival)
	if err != nil {
		return nil, err
	}
	if rev != b.DraftRev {
		if b.SubmittedRev == b.DraftRev && b.CurrentVersion > 0 && !b.NeedsReconfirmation {
			return nil, alreadySubmitted(b)
		}
		return nil, &core.StateConflict{Message: "Die Angaben wurden inzwischen geändert, zum Beispiel von einer anderen Person Ihrer Organisation. Bitte prüfen Sie sie erneut; es wurde nichts eingereicht."}
	}
	if b.SubmittedRev == b.DraftRev && !b.NeedsReconfirmation {
		return nil, alreadySubmitted(b)
	}
	content, err := calls.VersionContent(tx, call.ID, call.CurrentVersion)
	if err != nil {
		return nil, err
	}
	d, err := openDraft(tx, vlt, b)
	if err != nil {
		return nil, err
	}
	files, err := loadDraftFiles(tx, b.ID)
	if err != nil {
		return nil, err
	}
	have := map[string]bool{}
	for _, f := range files {
		have[f.DocKey] = true
	}
	if missing := rules.BidMissing(&content, d, have); len(missing) > 0 {
		return nil, incompleteError(missing)
	}
	canonical, err := rules.CanonicalBid(buildBidContent(&content, call, b.OrgID, d, files))
	if err != nil {
		return nil, err
	}
	sealed, err := vlt.SealBytes(tx, b.CallID, canonical)
	if err != nil {
		return nil, err
	}
	kind := VersionSubmission
	if b.NeedsReconfirmation && b.SubmittedRev == b.DraftRev {
		kind = VersionReconfirmation
	}
	ver := BidVersion{BidID: b.ID, Version: b.CurrentVersion + 1, CallID: b.CallID, OrgID: b.OrgID, CallVersion: call.CurrentVersion,
		Kind: kind, Content: sealed, ContentSHA256: rules.BidSHA256(canonical), SubmittedBy: actor.UserID, ReceiptAt: &arrival}
	if err := insertVersion(tx, &ver, content.RequiredDocs); err != nil {
		return nil, err
	}
	if err := owe(tx, ver.BidID, ver.Version); err != nil { // issued after the commit (IssueBidReceipt)
		return nil, err
	}
	if err := tx.Exec(`UPDATE bids SET state = 'submitted', current_version = ?, submitted_rev = draft_rev,
		reconfirmed_version = CASE WHEN needs_reconfirmation THEN ? ELSE reconfirmed_version END, needs_reconfirmation = false
		WHERE id = ?`, ver.Version, ver.Version, b.ID).Error; err != nil {
		return nil, fmt.Errorf("update bid %d: %w", b.ID, err)
	}
	act := "bid.submitted"
	if kind == VersionReconfirmation {
		act = "bid.reconfirmed"
	}
	if err := bidAudit(tx, actor, b, act, map[string]any{"version": ver.Version, "call_version": ver.CallVersion,
		"content_sha256": ver.ContentSHA256, "files": len(files)}); err != nil {
		return nil, err
	}
	return &ver, nil
}

// arrivalOf is the arrival of a request received at r by the database clock: the clock
// now (the first statement of the transaction, before any lock wait) minus the time the
// request has waited in the server. A wait over rules.SubmissionQueueLimit is an overload.
func arrivalOf(tx *gorm.DB, r Received) (time.Time, error) {
	waited := r.waited()
	if waited > rules.SubmissionQueueLimit {
		return time.Time{}, fmt.Errorf("submission waited %s in the server: %w", waited, core.ErrOverloaded)
	}
	// The demonstration's shifted clock (core.WithClockOffset) is handed to the COMMIT
	// trigger as a transaction-local setting, so that it checks the arrival on that clock.
	var at time.Time
	if err := tx.Raw(`SELECT clock_timestamp() + make_interval(secs => ?) - make_interval(secs => ?)
		FROM (SELECT set_config('kimibv.clock_offset', ?, true)) s`, core.ClockOffsetSeconds(tx.Statement.Context), max(waited, 0).Seconds(),
		clockOffsetSetting(tx)).Scan(&at).Error; err != nil {
		return time.Time{}, fmt.Errorf("arrival time: %w", err)
	}
	return at.UTC().Truncate(time.Microsecond), nil
}

// insertVersion writes the version row (with its receipt time, the arrival) and its files
// (those of the required documents).
func insertVersion(tx *gorm.DB, v *BidVersion, docs []rules.RequiredDoc) error {
	if err := tx.Create(v).Error; err != nil {
		return fmt.Errorf("insert bid version: %w", err)
	}
	keys := make([]string, 0, len(docs))
	for _, d := range docs {
		keys = append(keys, d.Key)
	}
	if len(keys) == 0 {
		return nil
	}
	// The name is copied as stored: sealed with the call's key (the same key as the file's).
	if err := tx.Exec(`INSERT INTO bid_version_files (bid_id, version, doc_key, file_id, sha256, size, name, name_sealed)
		SELECT d.bid_id, ?, d.doc_key, f.id, f.sha256, f.size, f.name, f.name_sealed FROM bid_draft_files d JOIN files f ON f.id = d.file_id
		WHERE d.bid_id = ? AND d.doc_key IN ?`, v.Version, v.BidID, keys).Error; err != nil {
		return fmt.Errorf("insert bid version files: %w", err)
	}
	return nil
}

func alreadySubmitted(b *Bid) error {
	return &core.StateConflict{Message: fmt.Sprintf("Diese Angaben sind bereits als Fassung %d eingereicht, zum Beispiel aus einem anderen Fenster. "+
		"Es wurde keine weitere Fassung angelegt.", b.CurrentVersion)}
}

// clockOffsetSetting is the shift of the database clock as the COMMIT trigger reads it
// (migration 00073: "" or a number of seconds).
func clockOffsetSetting(tx *gorm.DB) string {
	if d := core.ClockOffsetSeconds(tx.Statement.Context); d != 0 {
		return strconv.FormatFloat(d, 'f', 6, 64)
	}
	return ""
}
