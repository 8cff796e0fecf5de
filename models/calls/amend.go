package calls

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/models/postbox"
	"kimibv/models/rules"
	"kimibv/models/store"
)

// AmendInput is the lead's amendment: the edited content (the draft editor's input), the
// mandatory reason and the version the edit started from (0: the current one), which
// detects a second submission or an amendment published meanwhile.
type AmendInput struct {
	Content     rules.CallDraftInput
	Reason      string
	BaseVersion int
}

// AmendmentPreview is what an amendment would publish: the versions compared, the
// readable changes and whether it is material.
type AmendmentPreview struct {
	Version  int // the new version's number
	Prev     rules.CallContent
	Next     rules.CallContent
	Changes  []rules.Change
	Material bool
	Sections []string // the material parts changed
}

// PreviewAmendment checks an amendment like Amend but changes nothing; the confirmation
// step shows its changes.
func PreviewAmendment(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.CallScope, in AmendInput, callRules rules.CallRules, now time.Time) (*AmendmentPreview, error) {
	var p *AmendmentPreview
	err := store.InTx(ctx, db, func(tx *gorm.DB) error {
		call, err := LockPublishedCall(tx, actor, scope)
		if err != nil {
			return err
		}
		p, err = prepareAmendment(tx, call, in, callRules, now)
		return err
	})
	return p, err
}

// Amend publishes an amendment (Änderungsbekanntmachung): version N+1 with reason and the
// material flag, the call's denormalised fields, the audit entry call.amended, a message
// to the followers and, for a material amendment, the re-confirmation mark on submitted
// bids, and the Bekanntmachung of the new version (docs), all in one transaction. A cancelled call cannot be amended (core.StateConflict, nothing changes).
func Amend(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.CallScope, in AmendInput, callRules rules.CallRules, baseURL string, now time.Time,
	docs Documents) (*rules.CallVersion, error) {
	tenantID, callID := scope.Tenant, scope.Call
	var ver rules.CallVersion
	err := store.InTx(ctx, db, func(tx *gorm.DB) error {
		call, err := LockPublishedCall(tx, actor, core.CallScope{Tenant: tenantID, Call: callID})
		if err != nil {
			return err
		}
		p, err := prepareAmendment(tx, call, in, callRules, now)
		if err != nil {
			return err
		}
		now = now.UTC().Truncate(time.Second)
		raw, err := p.Next.Canonical()
		if err != nil {
			return err
		}
		sum, err := p.Next.SHA256()
		if err != nil {
			return err
		}
		reason := strings.TrimSpace(in.Reason)
		ver = rules.CallVersion{CallID: call.ID, Version: p.Version, Content: raw, ContentSHA256: sum, Reason: reason, Material: p.Material,
			Deadline: p.Next.Timeline.Deadline, PublishedBy: actor.UserID, PublishedAt: now}
		if err := tx.Create(&ver).Error; err != nil {
			return fmt.Errorf("insert version %d: %w", p.Version, err)
		}
		res := tx.Exec(`UPDATE calls SET current_version = ?, title = ?, deadline = ?, questions_until = ?, updated_at = ?
			WHERE id = ? AND state = 'published' AND current_version = ?`,
			p.Version, p.Next.Title, p.Next.Timeline.Deadline, p.Next.Timeline.QuestionsUntil, now, call.ID, p.Version-1)
		if res.Error != nil {
			return fmt.Errorf("update call: %w", res.Error)
		}
		if res.RowsAffected != 1 {
			return staleAmendment()
		}
		labels := make([]string, 0, len(p.Changes))
		for _, c := range p.Changes {
			labels = append(labels, c.Heading())
		}
		if _, err := audit.Audit(tx, audit.Event{Chain: audit.CallChain(call.ID), ActorID: actor.UserID, TenantID: tenantID, Action: "call.amended",
			ObjectType: "call", ObjectID: fmt.Sprint(call.ID), Details: map[string]any{"version": p.Version, "reason": reason,
				"material": p.Material, "content_sha256": sum, "changes": labels,
				"deadline": p.Next.Timeline.Deadline.UTC().Format(time.RFC3339)}}); err != nil {
			return err
		}
		if p.Material {
			if err := markBidsForReconfirmation(tx, call.ID, p.Version, baseURL); err != nil {
				return err
			}
		}
		if _, err := postbox.NotifyFollowers(tx, call.ID, postbox.InboxAmendment, "Änderungsbekanntmachung: "+ShortTitle(p.Next.Title),
			amendmentBody(call, p, reason, baseURL)); err != nil {
			return err
		}
		call.CurrentVersion, call.Title = p.Version, p.Next.Title
		return issueBekanntmachung(tx, docs, call, &ver, &p.Next)
	})
	if err != nil {
		return nil, err
	}
	return &ver, nil
}

// markBidsForReconfirmation marks every already submitted bid of the call as needing
// re-confirmation after the material amendment to version (rules.md R1).
//
// markBidsReconfirm flags the submitted bids and notifies their organisations. Amend
// calls it inside its transaction for material amendments only; the message links to the
// changes under baseURL.
func markBidsForReconfirmation(tx *gorm.DB, callID int64, version int, baseURL string) error {
	return markBidsReconfirm(tx, callID, version, baseURL)
}

// staleAmendment explains that another amendment was published meanwhile.
func staleAmendment() error {
	return &core.StateConflict{Message: "Inzwischen wurde eine andere Fassung veröffentlicht, zum Beispiel in einem anderen Fenster. Bitte öffnen Sie die Änderung neu; es wurde nichts geändert."}
}

// prepareAmendment builds and checks the next version against the locked call's current one.
func prepareAmendment(tx *gorm.DB, call *rules.Call, in AmendInput, callRules rules.CallRules, now time.Time) (*AmendmentPreview, error) {
	if call.State != rules.CallPublished {
		return nil, rules.StateConflictFor(call.State, "Eine Änderungsbekanntmachung")
	}
	if in.BaseVersion != 0 && in.BaseVersion != call.CurrentVersion {
		return nil, staleAmendment()
	}
	var rows []struct{ Content []byte }
	if err := tx.Raw(`SELECT content FROM call_versions WHERE call_id = ? ORDER BY version`, call.ID).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("load versions: %w", err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("call %d has no version: %w", call.ID, core.ErrNotFound)
	}
	var used []string
	var prev rules.CallContent
	for _, r := range rows {
		c, err := rules.DecodeCallContent(r.Content)
		if err != nil {
			return nil, err
		}
		used = append(used, contentKeys(c)...)
		prev = c
	}
	var com rules.Committee
	var members []struct {
		UserID int64
		Role   string
	}
	if err := tx.Raw(`SELECT user_id, role FROM call_committee WHERE call_id = ?`, call.ID).Scan(&members).Error; err != nil {
		return nil, fmt.Errorf("load committee: %w", err)
	}
	for _, m := range members {
		if m.Role == rules.CommitteeOpener {
			com.Openers = append(com.Openers, m.UserID)
		} else {
			com.Evaluators = append(com.Evaluators, m.UserID)
		}
	}
	next, material, v := BuildAmendment(prev, used, in, com, callRules, now)
	if err := v.OrNil(); err != nil {
		return nil, err
	}
	return &AmendmentPreview{Version: call.CurrentVersion + 1, Prev: prev, Next: next, Changes: rules.DiffVersions(prev, next),
		Material: material, Sections: rules.MaterialSections(prev, next)}, nil
}

// BuildAmendment turns the edited input into the next version's content and checks it:
// reason, formats, rules.md R1 (CheckAmendment) and the publication rules (ValidateForPublication
// without the minimum period after publication). New list rows get keys never used in any
// earlier version (usedKeys). A question deadline that has passed may stay as it was.
func BuildAmendment(prev rules.CallContent, usedKeys []string, in AmendInput, com rules.Committee, callRules rules.CallRules, now time.Time) (rules.CallContent, bool, *core.ValidationError) {
	v := &core.ValidationError{}
	core.CheckText(v, "reason", "die Begründung der Änderung", strings.TrimSpace(in.Reason), true, rules.MaxReason)
	draft := in.Content
	assignAmendmentKeys(&draft, prev, usedKeys)
	next, fv := draft.Content(now)
	next.Timeline.Publication = prev.Timeline.Publication
	unchangedTime := map[string]bool{
		"questions_until":  next.Timeline.QuestionsUntil.Equal(prev.Timeline.QuestionsUntil),
		"deadline":         next.Timeline.Deadline.Equal(prev.Timeline.Deadline),
		"planned_opening":  next.Timeline.PlannedOpening.Equal(prev.Timeline.PlannedOpening),
		"planned_decision": next.Timeline.PlannedDecision.Equal(prev.Timeline.PlannedDecision),
	}
	merge := func(src *core.ValidationError) {
		if src == nil {
			return
		}
		for _, f := range src.Fields {
			if (f.Code == "past" && unchangedTime[f.Field]) || f.Field == "evaluators" || f.Field == "openers" || v.Has(f.Field) {
				continue
			}
			v.Fields = append(v.Fields, f)
		}
	}
	merge(fv)
	material, av := rules.CheckAmendment(prev, next, now, callRules.MinAmendmentLead)
	merge(av)
	merge(rules.ValidateForPublication(&next, com, now, rules.CallRules{MinAmendmentLead: callRules.MinAmendmentLead}))
	if len(v.Fields) == 0 && len(rules.DiffVersions(prev, next)) == 0 {
		v.Add("reason", "unchanged", "Die geänderte Fassung unterscheidet sich nicht von der geltenden. Bitte ändern Sie mindestens eine Angabe.")
	}
	return next, material, v
}

// contentKeys lists the keys of a version's lots, documents and criteria.
func contentKeys(c rules.CallContent) []string {
	var out []string
	for _, l := range c.Lots {
		out = append(out, l.Key)
	}
	for _, d := range c.RequiredDocs {
		out = append(out, d.Key)
	}
	for _, cr := range c.Criteria {
		out = append(out, cr.Key)
	}
	return out
}

// assignAmendmentKeys keeps the keys of rows that exist in prev and gives every other
// non-empty row a key never used in the call, so a removed criterion's key is not reused.
func assignAmendmentKeys(in *rules.CallDraftInput, prev rules.CallContent, used []string) {
	current := contentKeys(prev)
	used = slices.Clone(used)
	fresh := func(prefix, key string) string {
		if key != "" && slices.Contains(current, key) && strings.HasPrefix(key, prefix) {
			return key
		}
		k := rules.NextKey(prefix, used)
		used = append(used, k)
		return k
	}
	for i, l := range in.Lots {
		if strings.TrimSpace(l.Name+l.Region+l.FTE+l.MinFTEPerSite) != "" {
			in.Lots[i].Key = fresh("L", l.Key)
		}
	}
	for i, d := range in.RequiredDocs {
		if strings.TrimSpace(d.Name+d.Note) != "" {
			in.RequiredDocs[i].Key = fresh("U", d.Key)
		}
	}
	for i, c := range in.Criteria {
		if strings.TrimSpace(c.Name+c.Description+c.Weight+c.MinScore) != "" {
			in.Criteria[i].Key = fresh("K", c.Key)
		}
	}
}

// amendmentBody is the followers' message about an amendment.
func amendmentBody(call *rules.Call, p *AmendmentPreview, reason, baseURL string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Für die Ausschreibung „%s“ (%s) wurde die Fassung %d veröffentlicht (Änderungsbekanntmachung).\n\nBegründung: %s\n\nÄnderungen:\n",
		p.Next.Title, call.Ref, p.Version, reason)
	for _, c := range p.Changes {
		b.WriteString("- " + c.String() + "\n")
	}
	if p.Material {
		b.WriteString("\nDie Änderung betrifft " + rules.JoinGerman(p.Sections) + ". Bereits abgegebene Interessenbekundungen müssen erneut bestätigt werden.\n")
	}
	fmt.Fprintf(&b, "\nAbgabefrist: %s\n\nAlle Änderungen: %s/ausschreibungen/%s/fassungen/%d/%d\n",
		rules.TimeText(p.Next.Timeline.Deadline), baseURL, call.Ref, p.Version-1, p.Version)
	return b.String()
}

// markBidsReconfirm marks the submitted bids of a call after a material amendment to
// version and tells the organisations in their Postfach and by e-mail. One audit entry
// per bid (bid.reconfirmation_required) on the bid's sealed trail (audit.SealedBidChain).
// The message links to the changes under baseURL (a relative address is no link in an e-mail).
func markBidsReconfirm(tx *gorm.DB, callID int64, version int, baseURL string) error {
	var rows []struct {
		ID    int64
		OrgID int64
	}
	if err := tx.Raw(`UPDATE bids SET needs_reconfirmation = true, reconfirm_call_version = ?
		WHERE call_id = ? AND state = 'submitted' RETURNING id, org_id`, version, callID).Scan(&rows).Error; err != nil {
		return fmt.Errorf("mark bids for re-confirmation: %w", err)
	}
	if len(rows) == 0 {
		return nil
	}
	orgs := make([]int64, 0, len(rows))
	for _, r := range rows {
		orgs = append(orgs, r.OrgID)
		if _, err := audit.Audit(tx, audit.Event{Chain: audit.SealedBidChain(callID, r.ID), Action: "bid.reconfirmation_required", ObjectType: "bid",
			ObjectID: strconv.FormatInt(r.ID, 10), Details: map[string]any{"org_id": r.OrgID, "call_version": version}}); err != nil {
			return err
		}
	}
	var ref string
	if err := tx.Raw(`SELECT ref FROM calls WHERE id = ?`, callID).Scan(&ref).Error; err != nil {
		return fmt.Errorf("call ref: %w", err)
	}
	body := fmt.Sprintf("Die Ausschreibung %s wurde wesentlich geändert (Fassung %d). Ihre eingereichte Interessenbekundung bezieht sich auf eine frühere Fassung. "+
		"Bitte prüfen Sie die Änderungen (%s/ausschreibungen/%s/fassungen/%d/%d) und bestätigen Sie Ihre Interessenbekundung erneut oder überarbeiten Sie sie bis zum Ablauf der Frist. "+
		"Ohne erneute Bestätigung wird sie bei der Öffnung als „nicht bestätigt“ gekennzeichnet.", ref, version, baseURL, ref, version-1, version)
	_, err := postbox.NotifyOrgIDs(tx, callID, orgs, postbox.Notice{Kind: postbox.InboxReconfirm, Subject: "Bitte bestätigen Sie Ihre Interessenbekundung erneut: " + ref, Body: body})
	return err
}
