package evaluation

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"kimibv/models/audit"
	"kimibv/models/bids"
	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/rules"
	"kimibv/models/store"
	"kimibv/models/vault"
)

// SheetScoreRow is one criterion of a sheet as stored (score nil: not yet scored).
type SheetScoreRow struct {
	CriterionKey string
	Score        *int
	Reason       string
}

// SheetView is what an evaluator sees when scoring one bid: the criteria with their
// descriptions and scale, the provider's answers and documents (through ReadBids), the
// own sheet and — only once it is submitted — the other evaluators' submitted scores.
type SheetView struct {
	Call        calls.CallHeader
	Content     rules.CallContent
	Bid         bids.OpenedBid
	Own         map[string]SheetScoreRow
	SubmittedAt *time.Time
	Others      []rules.ScoreSheet // empty until the own sheet is submitted
	OtherNames  map[int64]string
	opened      *bids.OpenedBids
}

// Submitted reports whether the evaluator's own sheet is final.
func (v *SheetView) Submitted() bool { return v.SubmittedAt != nil }

// ScoreOf returns the own score of a criterion as form text ("" when unscored).
func (v *SheetView) ScoreOf(key string) string {
	if s, ok := v.Own[key]; ok && s.Score != nil {
		return strconv.Itoa(*s.Score)
	}
	return ""
}

// ReasonOf returns the own reason of a criterion.
func (v *SheetView) ReasonOf(key string) string { return v.Own[key].Reason }

// Opened returns the sealed-read result, through which the bid's files are downloaded.
func (v *SheetView) Opened() *bids.OpenedBids { return v.opened }

// EvaluatorSheet loads the sheet page of one bid for an evaluator. The bid is read
// through ReadBids, so the conflict-of-interest gate applies: a bid the evaluator may not
// see (tie, not admitted, other call) is ErrNotFound, undeclared bidders a Refusal.
func EvaluatorSheet(ctx context.Context, db *gorm.DB, vlt *vault.Vault, actor *core.Actor, scope core.CallScope, bidID int64, now time.Time) (*SheetView, error) {
	tenantID, callID := scope.Tenant, scope.Call
	tx := db.WithContext(ctx)
	h, err := evaluatorCall(tx, actor, tenantID, callID, false)
	if err != nil {
		return nil, err
	}
	ob, err := bids.ReadBids(ctx, db, vlt, actor, callID, now)
	if err != nil {
		return nil, err
	}
	v := &SheetView{Call: *h, opened: ob, Own: map[string]SheetScoreRow{}, OtherNames: map[int64]string{}}
	found := false
	for _, b := range ob.Bids {
		if b.BidID == bidID {
			v.Bid, found = b, true
		}
	}
	if !found {
		return nil, fmt.Errorf("bid %d for evaluator: %w", bidID, core.ErrNotFound)
	}
	if v.Content, err = calls.VersionContent(tx, callID, h.CurrentVersion); err != nil {
		return nil, err
	}
	var rows []struct {
		SubmittedAt *time.Time
		SheetScoreRow
	}
	if err := tx.Raw(`SELECT s.submitted_at, x.criterion_key, x.score, x.reason FROM score_sheets s LEFT JOIN scores x ON x.sheet_id = s.id
		WHERE s.bid_id = ? AND s.evaluator_id = ?`, bidID, actor.UserID).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("load own sheet: %w", err)
	}
	for _, r := range rows {
		v.SubmittedAt = r.SubmittedAt
		if r.CriterionKey != "" {
			v.Own[r.CriterionKey] = r.SheetScoreRow
		}
	}
	if !rules.MaySeeOthersScores(v.Submitted()) {
		return v, nil
	}
	all, err := SubmittedSheets(tx, callID)
	if err != nil {
		return nil, err
	}
	for _, s := range all {
		if s.BidID == bidID && s.EvaluatorID != actor.UserID {
			v.Others = append(v.Others, s)
		}
	}
	var names []struct {
		ID   int64
		Name string
	}
	if err := tx.Raw(`SELECT u.id, u.name FROM call_committee k JOIN users u ON u.id = k.user_id WHERE k.call_id = ? AND k.role = 'evaluator'`, callID).
		Scan(&names).Error; err != nil {
		return nil, fmt.Errorf("load evaluators: %w", err)
	}
	for _, n := range names {
		v.OtherNames[n.ID] = n.Name
	}
	return v, nil
}

// SheetInput is an evaluator's sheet form: per criterion key a score (text, "" for not
// yet scored in a draft) and a reason; Submit makes the sheet final.
type SheetInput struct {
	Scores  map[string]string
	Reasons map[string]string
	Submit  bool
}

// CheckSheet validates a sheet against the criteria and the scale (pure): a score must be
// a whole number from 0 to scaleMax; submitting needs every criterion scored with a
// written reason (rules.md R6); a score or reason for a key that is no published
// criterion refuses the whole sheet (a forged or stale form is not silently trimmed).
// It returns the parsed scores (nil: unscored).
func CheckSheet(criteria []rules.Criterion, scaleMax int, in SheetInput) (map[string]*int, error) {
	v := &core.ValidationError{}
	out := map[string]*int{}
	checkSheetKeys(v, criteria, in)
	for _, cr := range criteria {
		raw := strings.TrimSpace(in.Scores[cr.Key])
		if raw != "" {
			n, err := strconv.Atoi(raw)
			if err != nil || n < 0 || n > scaleMax {
				v.Add("score_"+cr.Key, "scale", fmt.Sprintf("Bitte vergeben Sie für „%s“ eine ganze Zahl von 0 bis %d (veröffentlichte Skala).", cr.Name, scaleMax))
			} else {
				out[cr.Key] = &n
			}
		} else if in.Submit {
			v.Add("score_"+cr.Key, "required", fmt.Sprintf("Bitte bewerten Sie „%s“.", cr.Name))
		}
		core.CheckText(v, "reason_"+cr.Key, "eine Begründung für „"+cr.Name+"“", in.Reasons[cr.Key], in.Submit, 4000)
	}
	return out, v.OrNil()
}

// checkSheetKeys adds an error for every score and reason whose key is no criterion.
func checkSheetKeys(v *core.ValidationError, criteria []rules.Criterion, in SheetInput) {
	known := map[string]bool{}
	for _, cr := range criteria {
		known[cr.Key] = true
	}
	for _, f := range []struct {
		prefix, what string
		m            map[string]string
	}{{"score_", "eine Bewertung", in.Scores}, {"reason_", "eine Begründung", in.Reasons}} {
		for _, key := range slices.Sorted(maps.Keys(f.m)) {
			if known[key] {
				continue
			}
			shown := []rune(key)
			if len(shown) > 40 {
				shown = append(shown[:39], '…')
			}
			v.Add(f.prefix+key, "unknown_criterion", fmt.Sprintf("Der Bewertungsbogen enthält %s zu „%s“. Das ist kein veröffentlichtes Kriterium dieser Ausschreibung; "+
				"es wurde nichts gespeichert. Bitte laden Sie den Bewertungsbogen neu und bewerten Sie nur die veröffentlichten Kriterien.", f.what, string(shown)))
		}
	}
}

// SaveSheet stores the evaluator's sheet for one bid as a draft or submits it (final).
// The bid must be one the evaluator may see (ReadBids' gate, checked in the same
// transaction): a tied, not admitted or foreign bid is ErrNotFound. A submitted sheet
// cannot change (conflict; the database refuses it too). Audited as sheet.saved or
// sheet.submitted.
func SaveSheet(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.CallScope, bidID int64, in SheetInput, now time.Time) error {
	return store.InTx(ctx, db, func(tx *gorm.DB) error { return SaveSheetTx(tx, actor, scope, bidID, in, now) })
}

// SaveSheetTx is SaveSheet inside the caller's transaction tx: it checks, locks, writes and
// audits as SaveSheet does, but neither opens nor commits a transaction, so use cases compose.
func SaveSheetTx(tx *gorm.DB, actor *core.Actor, scope core.CallScope, bidID int64, in SheetInput, now time.Time) error {
	tenantID, callID := scope.Tenant, scope.Call
	h, err := evaluatorCall(tx, actor, tenantID, callID, false)
	if err != nil {
		return err
	}
	allowed, err := bids.EvaluatorBids(tx, actor, scope)
	if err != nil {
		return err
	}
	if !allowed[bidID] {
		return fmt.Errorf("bid %d for evaluator: %w", bidID, core.ErrNotFound)
	}
	if err := tx.Exec(`INSERT INTO score_sheets (call_id, bid_id, evaluator_id, call_version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (bid_id, evaluator_id, superseded_by) DO NOTHING`, callID, bidID, actor.UserID, h.CurrentVersion, now, now).Error; err != nil {
		return fmt.Errorf("start sheet: %w", err)
	}
	var sheet struct {
		ID          int64
		SubmittedAt *time.Time
	}
	if err := tx.Raw(`SELECT id, submitted_at FROM score_sheets WHERE bid_id = ? AND evaluator_id = ? FOR UPDATE`, bidID, actor.UserID).Scan(&sheet).Error; err != nil {
		return fmt.Errorf("lock sheet: %w", err)
	}
	if sheet.SubmittedAt != nil {
		return core.Conflict("Sie haben diesen Bewertungsbogen bereits abgegeben. Ein abgegebener Bogen ist endgültig; es wurde nichts geändert.")
	}
	content, err := calls.VersionContent(tx, callID, h.CurrentVersion)
	if err != nil {
		return err
	}
	scores, err := CheckSheet(content.Criteria, content.ScaleMax(), in)
	if err != nil {
		return err
	}
	if err := tx.Exec(`DELETE FROM scores WHERE sheet_id = ?`, sheet.ID).Error; err != nil {
		return fmt.Errorf("replace draft scores: %w", err)
	}
	sheetScores := map[string]any{}
	for _, cr := range content.Criteria {
		reason := strings.TrimSpace(in.Reasons[cr.Key])
		if scores[cr.Key] == nil && reason == "" {
			continue
		}
		if err := tx.Exec(`INSERT INTO scores (sheet_id, criterion_key, score, reason) VALUES (?, ?, ?, ?)`, sheet.ID, cr.Key, scores[cr.Key], reason).Error; err != nil {
			return fmt.Errorf("store score: %w", err)
		}
		if scores[cr.Key] != nil {
			sheetScores[cr.Key] = *scores[cr.Key]
		}
	}
	action := "sheet.saved"
	if in.Submit {
		action = "sheet.submitted"
		if err := tx.Exec(`UPDATE score_sheets SET submitted_at = ?, updated_at = ? WHERE id = ?`, now, now, sheet.ID).Error; err != nil {
			return fmt.Errorf("submit sheet: %w", err)
		}
	} else if err := tx.Exec(`UPDATE score_sheets SET updated_at = ? WHERE id = ?`, now, sheet.ID).Error; err != nil {
		return fmt.Errorf("save sheet: %w", err)
	}
	details := map[string]any{"bid": bidID}
	if in.Submit {
		details["scores"] = sheetScores
	}
	_, err = audit.Audit(tx, audit.Event{Chain: audit.CallChain(callID), ActorID: actor.UserID, TenantID: tenantID, Action: action, ObjectType: "score_sheet",
		ObjectID: strconv.FormatInt(sheet.ID, 10), Details: details})
	return err
}
