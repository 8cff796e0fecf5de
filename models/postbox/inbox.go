package postbox

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/models/rules"
	"kimibv/models/store"
)

// Kinds of Postfach messages.
const (
	InboxAnswerPublished = "answer_published" // a new public answer to a question on a followed call
	InboxOwnAnswered     = "own_answered"     // the organisation's own question was answered
	InboxAmendment       = "amendment"        // an amendment (Änderungsbekanntmachung) was published
	InboxCancellation    = "cancellation"     // the call was cancelled (Aufhebung)
	InboxReconfirm       = "bid_reconfirm"    // the call changed materially: re-confirm the bid
	InboxReceipt         = "bid_receipt"      // the Eingangsbestätigung of a submitted bid
	InboxNotice          = "notice"           // the Mitteilung
	InboxObjectionReply  = "objection_reply"  // the lead answered the organisation's objection
	InboxAwardFinal      = "award_final"      // the award became final
	InboxRemedy          = "remedy"           // an upheld objection returned the procedure to a step
	// The Beteiligung on a draft call (models/consultation).
	InboxConsultationOpened  = "consultation_opened"  // the organisation is invited to state its view
	InboxConsultationClosing = "consultation_closing" // the consultation ends in a day
	InboxConsultationWeighed = "consultation_weighed" // the Abwägung was published
	InboxForwarding          = "forwarding"           // the forwarding contract and the draw-downs
)

// InboxKindLabel returns the German name of a message kind.
func InboxKindLabel(kind string) string {
	switch kind {
	case InboxAnswerPublished:
		return "Neue Antwort"
	case InboxOwnAnswered:
		return "Ihre Frage wurde beantwortet"
	case InboxAmendment:
		return "Änderungsbekanntmachung"
	case InboxCancellation:
		return "Aufhebung"
	case InboxNotice: // the kinds of the decision stage
		return "Mitteilung über das Ergebnis"
	case InboxObjectionReply:
		return "Antwort auf Ihre Rüge"
	case InboxAwardFinal:
		return "Vergabe endgültig"
	case InboxRemedy:
		return "Rückverweisung"
	case InboxConsultationOpened:
		return "Einladung zur Beteiligung"
	case InboxConsultationClosing:
		return "Beteiligung endet morgen"
	case InboxConsultationWeighed:
		return "Abwägung veröffentlicht"
	case InboxForwarding:
		return "Weiterleitung der Mittel"
	}
	return "Mitteilung"
}

// InboxMessage is a message in an organisation's Postfach.
type InboxMessage struct {
	ID         int64
	OrgID      int64
	CallID     *int64
	Kind       string
	Subject    string
	Body       string
	DocumentID *int64
	ReadAt     *time.Time
	CreatedAt  time.Time
	Sealed     []byte // subject and body sealed with the organisation's key (inboxEnvelope)
	CallRef    string `gorm:"->;-:migration"`
	CallTitle  string `gorm:"->;-:migration"`
}

// KindLabel returns the German name of the message's kind.
func (m *InboxMessage) KindLabel() string { return InboxKindLabel(m.Kind) }

// Follow lets organisation orgID (the actor must be a member) follow a published call.
// Following twice is harmless. A cancelled call cannot be followed any more.
func Follow(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.OrgCallScope, now time.Time) error {
	return store.InTx(ctx, db, func(tx *gorm.DB) error { return FollowTx(tx, actor, scope, now) })
}

// FollowTx is Follow inside the caller's transaction tx: it checks, locks, writes and
// audits as Follow does, but neither opens nor commits a transaction, so use cases compose.
func FollowTx(tx *gorm.DB, actor *core.Actor, scope core.OrgCallScope, now time.Time) error {
	orgID, callID := scope.Org, scope.Call
	if !actor.InOrg(orgID) {
		return fmt.Errorf("follow as org %d: %w", orgID, core.ErrNotFound)
	}
	var row struct{ State rules.CallState }
	res := tx.Raw(`SELECT state FROM calls WHERE id = ? AND state <> 'draft' FOR SHARE`, callID).Scan(&row)
	if res.Error != nil {
		return fmt.Errorf("load call %d: %w", callID, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("call %d: %w", callID, core.ErrNotFound)
	}
	if row.State != rules.CallPublished {
		return rules.StateConflictFor(row.State, "Das Folgen")
	}
	ins := tx.Exec(`INSERT INTO follows (org_id, call_id, created_by, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT DO NOTHING`, orgID, callID, actor.UserID, now)
	if ins.Error != nil {
		return fmt.Errorf("follow call: %w", ins.Error)
	}
	if ins.RowsAffected == 0 {
		return nil
	}
	_, err := audit.Audit(tx, audit.Event{Chain: audit.ChainPlatform, ActorID: actor.UserID, Action: "call.followed",
		ObjectType: "organization", ObjectID: fmt.Sprint(orgID), Details: map[string]any{"call_id": callID}})
	return err
}

// Unfollow ends organisation orgID's following of a call; not following is harmless.
func Unfollow(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.OrgCallScope) error {
	return store.InTx(ctx, db, func(tx *gorm.DB) error { return UnfollowTx(tx, actor, scope) })
}

// UnfollowTx is Unfollow inside the caller's transaction tx: it checks, locks, writes and
// audits as Unfollow does, but neither opens nor commits a transaction, so use cases compose.
func UnfollowTx(tx *gorm.DB, actor *core.Actor, scope core.OrgCallScope) error {
	orgID, callID := scope.Org, scope.Call
	if !actor.InOrg(orgID) {
		return fmt.Errorf("unfollow as org %d: %w", orgID, core.ErrNotFound)
	}
	del := tx.Exec(`DELETE FROM follows WHERE org_id = ? AND call_id = ?`, orgID, callID)
	if del.Error != nil {
		return fmt.Errorf("unfollow call: %w", del.Error)
	}
	if del.RowsAffected == 0 {
		return nil
	}
	_, err := audit.Audit(tx, audit.Event{Chain: audit.ChainPlatform, ActorID: actor.UserID, Action: "call.unfollowed",
		ObjectType: "organization", ObjectID: fmt.Sprint(orgID), Details: map[string]any{"call_id": callID}})
	return err
}

// FollowingOrgs returns which of the actor's organisations follow the call.
func FollowingOrgs(ctx context.Context, db *gorm.DB, actor *core.Actor, callID int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	if actor == nil || len(actor.Orgs) == 0 {
		return out, nil
	}
	var ids []int64
	if err := db.WithContext(ctx).Raw(`SELECT org_id FROM follows WHERE call_id = ? AND org_id IN ?`, callID, ActorOrgIDs(actor)).
		Scan(&ids).Error; err != nil {
		return nil, fmt.Errorf("load follows: %w", err)
	}
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

func ActorOrgIDs(a *core.Actor) []int64 {
	ids := make([]int64, 0, len(a.Orgs))
	for id := range a.Orgs {
		ids = append(ids, id)
	}
	return ids
}

// Notice is one notification: kind, subject and body of the Postfach message and the e-mail.
type Notice struct {
	Kind, Subject, Body string
}

// NotifyFollowers writes, inside tx, one Postfach message per organisation that follows
// the call and one outbox e-mail per member of those organisations (a member of several
// of them gets one e-mail), all sealed (NotifyOrgs), and returns the number of e-mails
// queued.
func NotifyFollowers(tx *gorm.DB, callID int64, kind, subject, body string) (int64, error) {
	return NotifyOrgs(tx, callID, `SELECT org_id FROM follows WHERE call_id = @call`, nil, Notice{kind, subject, body})
}

// NotifyFollowersExcept is NotifyFollowers that leaves out the organisations except
// (they get a message of their own, e.g. "your question was answered").
func NotifyFollowersExcept(tx *gorm.DB, callID int64, except []int64, n Notice) (int64, error) {
	if len(except) == 0 {
		except = []int64{0}
	}
	return NotifyOrgs(tx, callID, `SELECT org_id FROM follows WHERE call_id = @call AND org_id NOT IN @orgs`, except, n)
}

// NotifyOrgIDs notifies exactly the organisations orgs about a call.
func NotifyOrgIDs(tx *gorm.DB, callID int64, orgs []int64, n Notice) (int64, error) {
	if len(orgs) == 0 {
		return 0, nil
	}
	return NotifyOrgs(tx, callID, `SELECT id AS org_id FROM organizations WHERE id IN @orgs`, orgs, n)
}

// NotifyOrgs notifies the organisations selected by orgsSQL: each gets a Postfach
// message sealed with its key, each of their members one sealed e-mail (a member of
// several of them gets one). Three statements whatever the number of organisations.
func NotifyOrgs(tx *gorm.DB, callID int64, orgsSQL string, orgs []int64, n Notice) (int64, error) {
	if n.Subject == "" || n.Kind == "" {
		return 0, fmt.Errorf("notify: kind and subject are required")
	}
	var targets []int64
	if err := tx.Raw(`SELECT DISTINCT org_id FROM (`+orgsSQL+`) t ORDER BY org_id`, map[string]any{"call": callID, "orgs": orgs}).
		Scan(&targets).Error; err != nil {
		return 0, fmt.Errorf("notify organisations of call %d: %w", callID, err)
	}
	if len(targets) == 0 {
		return 0, nil
	}
	msgs := make([]InboxRow, 0, len(targets))
	for _, org := range targets {
		msgs = append(msgs, InboxRow{OrgID: org, CallID: &callID, Kind: n.Kind, Subject: n.Subject, Body: n.Body})
	}
	if _, err := InsertInbox(tx, msgs); err != nil {
		return 0, err
	}
	var to []string
	if err := tx.Raw(`SELECT u.email FROM users u WHERE u.id IN (SELECT m.user_id FROM organization_members m WHERE m.org_id IN ?)
		ORDER BY u.email`, targets).Scan(&to).Error; err != nil {
		return 0, fmt.Errorf("notify organisations of call %d: %w", callID, err)
	}
	var tenantID int64
	if err := tx.Raw(`SELECT tenant_id FROM calls WHERE id = ?`, callID).Scan(&tenantID).Error; err != nil {
		return 0, fmt.Errorf("notify organisations of call %d: %w", callID, err)
	}
	if err := queueMails(tx, &tenantID, n.Kind, to, n.Subject, n.Body); err != nil {
		return 0, err
	}
	return int64(len(to)), nil
}

// Inbox lists organisation orgID's Postfach, newest first (at most limit messages), and
// the number of unread messages. The actor must be a member.
func Inbox(ctx context.Context, db *gorm.DB, actor *core.Actor, orgID int64, limit int) ([]InboxMessage, int64, error) {
	if !actor.InOrg(orgID) {
		return nil, 0, fmt.Errorf("inbox of org %d: %w", orgID, core.ErrNotFound)
	}
	var msgs []InboxMessage
	err := db.WithContext(ctx).Raw(`SELECT m.*, coalesce(c.ref, '') AS call_ref, coalesce(c.title, '') AS call_title
		FROM inbox_messages m LEFT JOIN calls c ON c.id = m.call_id
		WHERE m.org_id = ? ORDER BY m.created_at DESC, m.id DESC LIMIT ?`, orgID, limit).Scan(&msgs).Error
	if err != nil {
		return nil, 0, fmt.Errorf("load inbox: %w", err)
	}
	if err := OpenInboxMessages(db.WithContext(ctx), msgs); err != nil {
		return nil, 0, err
	}
	var unread int64
	if err := db.WithContext(ctx).Raw(`SELECT count(*) FROM inbox_messages WHERE org_id = ? AND read_at IS NULL`, orgID).Scan(&unread).Error; err != nil {
		return nil, 0, fmt.Errorf("count unread: %w", err)
	}
	return msgs, unread, nil
}

// InboxMessageOf returns message id of organisation orgID without changing it (reading
// never marks it read: see MarkInboxRead). Another organisation's message is ErrNotFound.
func InboxMessageOf(ctx context.Context, db *gorm.DB, actor *core.Actor, orgID, id int64) (*InboxMessage, error) {
	if !actor.InOrg(orgID) {
		return nil, fmt.Errorf("inbox of org %d: %w", orgID, core.ErrNotFound)
	}
	var m InboxMessage
	res := db.WithContext(ctx).Raw(`SELECT m.*, coalesce(c.ref, '') AS call_ref, coalesce(c.title, '') AS call_title
		FROM inbox_messages m LEFT JOIN calls c ON c.id = m.call_id WHERE m.id = ? AND m.org_id = ?`, id, orgID).Scan(&m)
	if res.Error != nil {
		return nil, fmt.Errorf("load inbox message %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, fmt.Errorf("inbox message %d: %w", id, core.ErrNotFound)
	}
	one := []InboxMessage{m}
	if err := OpenInboxMessages(db.WithContext(ctx), one); err != nil {
		return nil, err
	}
	return &one[0], nil
}

// MarkInboxRead marks message id of organisation orgID read at now (the first time), or
// every unread message of the organisation when id is 0. Another organisation's message
// is ErrNotFound. Read marks are the organisation's own bookkeeping, not an act of the
// procedure, so they are not audited.
func MarkInboxRead(ctx context.Context, db *gorm.DB, actor *core.Actor, orgID, id int64, now time.Time) error {
	if !actor.InOrg(orgID) {
		return fmt.Errorf("inbox of org %d: %w", orgID, core.ErrNotFound)
	}
	if id == 0 {
		if err := db.WithContext(ctx).Exec(`UPDATE inbox_messages SET read_at = ? WHERE org_id = ? AND read_at IS NULL`, now, orgID).Error; err != nil {
			return fmt.Errorf("mark inbox of org %d read: %w", orgID, err)
		}
		return nil
	}
	res := db.WithContext(ctx).Exec(`UPDATE inbox_messages SET read_at = coalesce(read_at, ?) WHERE id = ? AND org_id = ?`, now, id, orgID)
	if res.Error != nil {
		return fmt.Errorf("mark inbox message %d read: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("inbox message %d: %w", id, core.ErrNotFound)
	}
	return nil
}
