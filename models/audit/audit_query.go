package audit

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"kimibv/models/core"
)

// DefaultAuditPageSize is the number of entries per page of the audit list.
const DefaultAuditPageSize = 50

// germanDateLayout accepts dates as entered in German forms (TT.MM.JJJJ, also without leading zeros).
const germanDateLayout = "2.1.2006"

// AuditQuery is the filter of a Kreis's audit list as entered (German dates, ids as text)
// plus the keyset cursor of the page.
type AuditQuery struct {
	Actor      string // user id of the actor, "" for everybody
	Action     string // action name from the entries present, "" for all
	ObjectType string // object type from the entries present, "" for all
	ObjectID   string // object id, only together with ObjectType
	From, To   string // period TT.MM.JJJJ, Europe/Berlin, both days inclusive
	Cursor     string // keyset cursor of the next page (from AuditPage.Next)
	Limit      int    // page size; 0 means DefaultAuditPageSize
}

// AuditRow is one entry of the audit list with the actor's name.
type AuditRow struct {
	Chain      string
	Seq        int64
	CreatedAt  time.Time
	ActorID    *int64
	ActorName  string
	Action     string
	ObjectType string
	ObjectID   string
	Details    string
	Hash       string
	// DetailsHidden: the reader is a named evaluator of the procedure whose chain holds the
	// entry, so Details is empty (ListAudit).
	DetailsHidden bool
	// Shown is the entry as people read it, filled by the readers (ListAudit, Show).
	Shown Shown `gorm:"-"`
}

// msgDetailsHidden stands in the protocol for the details hidden from committee members.
const msgDetailsHidden = "Für Mitglieder des Bewertungsgremiums dieses Verfahrens ausgeblendet. Was Sie sehen dürfen, zeigen Ihnen Ihre Bewertungsseiten."

// ActionLabel returns the German label of the entry's action.
func (r AuditRow) ActionLabel() string { return ActionLabel(r.Action) }

// ObjectLabel returns the German object type, e.g. "Person".
func (r AuditRow) ObjectLabel() string { return ObjectTypeLabel(r.ObjectType) }

// ShortHash returns the first 12 hex digits of the entry's hash.
func (r AuditRow) ShortHash() string { return ShortHash(r.Hash) }

func ShortHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// DetailLine is one key and value of an entry's details, for display.
type DetailLine struct {
	Key, Value string
}

// maxDetailRunes bounds a detail value in the list; longer texts are shortened.
const maxDetailRunes = 300

func shorten(s string) string {
	if utf8.RuneCountInString(s) <= maxDetailRunes {
		return s
	}
	return string([]rune(s)[:maxDetailRunes]) + " …"
}

// AuditActorOption is a person who appears as actor in a Kreis's audit entries.
type AuditActorOption struct {
	ID   int64
	Name string
}

// AuditChoice is an action or object type present in the entries, with its German label.
type AuditChoice struct {
	Value, Label string
}

// AuditOptions are the filter choices: the actors, actions and object types present.
type AuditOptions struct {
	Actors      []AuditActorOption
	Actions     []AuditChoice
	ObjectTypes []AuditChoice
}

// hasChoice reports whether value is one of choices.
func hasChoice(choices []AuditChoice, value string) bool {
	return slices.ContainsFunc(choices, func(c AuditChoice) bool { return c.Value == value })
}

// AuditPage is one page of a Kreis's audit list with the verification of its chain.
type AuditPage struct {
	Entries      []AuditRow
	Next         string // cursor of the next (older) page, "" on the last page
	First        bool   // this is the newest page (no cursor given)
	Options      AuditOptions
	Verification Verification
}

// ShortHead returns the shortened head hash of the verified chain.
func (p AuditPage) ShortHead() string { return ShortHash(p.Verification.HeadHash) }

// AuditFilterOptions loads the filter choices of the Kreis's audit list (one query). They
// name actors, actions and object types only — nothing a gate of rules.md R5 and R6 protects —
// so they are the same for every reader.
func AuditFilterOptions(ctx context.Context, db *gorm.DB, actor *core.Actor, tenantID int64) (AuditOptions, error) {
	if !actor.CanReadTenantAudit(tenantID) {
		return AuditOptions{}, fmt.Errorf("audit options: %w", core.ErrNotFound)
	}
	var rows []struct {
		Kind, Value, Label string
	}
	err := db.WithContext(ctx).Raw(`
		WITH k AS (SELECT a.actor_id, a.action, a.object_type FROM audit_log a WHERE `+kreisEntriesSQL+`)
		SELECT 'actor' AS kind, x.actor_id::text AS value, COALESCE(u.name, '') AS label
			FROM (SELECT DISTINCT actor_id FROM k WHERE actor_id IS NOT NULL) x
			LEFT JOIN users u ON u.id = x.actor_id
		UNION ALL SELECT DISTINCT 'action', action, '' FROM k
		UNION ALL SELECT DISTINCT 'object', object_type, '' FROM k WHERE object_type <> ''`,
		tenantID, tenantID).Scan(&rows).Error
	if err != nil {
		return AuditOptions{}, fmt.Errorf("audit options: %w", err)
	}
	var o AuditOptions
	for _, r := range rows {
		switch r.Kind {
		case "actor":
			id, _ := strconv.ParseInt(r.Value, 10, 64)
			o.Actors = append(o.Actors, AuditActorOption{ID: id, Name: r.Label})
		case "action":
			o.Actions = append(o.Actions, AuditChoice{Value: r.Value, Label: ActionLabel(r.Value)})
		case "object":
			o.ObjectTypes = append(o.ObjectTypes, AuditChoice{Value: r.Value, Label: ObjectTypeLabel(r.Value)})
		}
	}
	slices.SortFunc(o.Actors, func(a, b AuditActorOption) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
	byLabel := func(a, b AuditChoice) int {
		return cmp.Or(cmp.Compare(a.Label, b.Label), cmp.Compare(a.Value, b.Value))
	}
	slices.SortFunc(o.Actions, byLabel)
	slices.SortFunc(o.ObjectTypes, byLabel)
	return o, nil
}

// auditCursor is the position after the last entry of a page: the sort key of that entry.
type auditCursor struct {
	At    time.Time
	Chain string
	Seq   int64
}

func (c auditCursor) String() string {
	return strconv.FormatInt(c.At.UnixMicro(), 10) + "." + strconv.FormatInt(c.Seq, 10) + "." + c.Chain
}

func parseAuditCursor(s string) (auditCursor, bool) {
	parts := strings.SplitN(s, ".", 3)
	if len(parts) != 3 || parts[2] == "" {
		return auditCursor{}, false
	}
	micros, err1 := strconv.ParseInt(parts[0], 10, 64)
	seq, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil || seq < 1 {
		return auditCursor{}, false
	}
	return auditCursor{At: time.UnixMicro(micros).UTC(), Chain: parts[2], Seq: seq}, true
}

// parseGermanDate reads a TT.MM.JJJJ date as midnight in Europe/Berlin.
func parseGermanDate(s string) (time.Time, bool) {
	t, err := time.ParseInLocation(germanDateLayout, strings.TrimSpace(s), core.Berlin())
	if err != nil || t.Year() < 1000 {
		return time.Time{}, false
	}
	return t, true
}

// auditConditions validates q against the options present and returns the SQL conditions.
func auditConditions(q AuditQuery, o AuditOptions) ([]string, []any, *auditCursor, error) {
	v := &core.ValidationError{}
	var where []string
	var args []any
	if q.Actor != "" {
		id, err := strconv.ParseInt(q.Actor, 10, 64)
		if err != nil || !slices.ContainsFunc(o.Actors, func(a AuditActorOption) bool { return a.ID == id }) {
			v.Add("actor", "invalid", "Bitte wählen Sie eine Person aus der Liste aus.")
		} else {
			where, args = append(where, "a.actor_id = ?"), append(args, id)
		}
	}
	if q.Action != "" {
		if !hasChoice(o.Actions, q.Action) {
			v.Add("action", "invalid", "Bitte wählen Sie eine Aktion aus der Liste aus.")
		} else {
			where, args = append(where, "a.action = ?"), append(args, q.Action)
		}
	}
	if q.ObjectType != "" {
		if !hasChoice(o.ObjectTypes, q.ObjectType) {
			v.Add("object_type", "invalid", "Bitte wählen Sie eine Objektart aus der Liste aus.")
		} else {
			where, args = append(where, "a.object_type = ?"), append(args, q.ObjectType)
		}
	}
	if id := strings.TrimSpace(q.ObjectID); id != "" {
		core.CheckText(v, "object_id", "die Kennung", id, false, 100)
		if q.ObjectType == "" {
			v.Add("object_id", "type_required", "Bitte wählen Sie zur Kennung auch die Objektart aus.")
		}
		where, args = append(where, "a.object_id = ?"), append(args, id)
	}
	var from, to time.Time
	var fromOK, toOK bool
	if strings.TrimSpace(q.From) != "" {
		if from, fromOK = parseGermanDate(q.From); !fromOK {
			v.Add("from", "invalid", "Bitte geben Sie das Datum „von“ im Format TT.MM.JJJJ an, zum Beispiel 01.03.2026.")
		} else {
			where, args = append(where, "a.created_at >= ?"), append(args, from.UTC())
		}
	}
	if strings.TrimSpace(q.To) != "" {
		if to, toOK = parseGermanDate(q.To); !toOK {
			v.Add("to", "invalid", "Bitte geben Sie das Datum „bis“ im Format TT.MM.JJJJ an, zum Beispiel 31.03.2026.")
		} else {
			// Inclusive: everything before the start of the following day in Berlin.
			end := time.Date(to.Year(), to.Month(), to.Day()+1, 0, 0, 0, 0, core.Berlin())
			where, args = append(where, "a.created_at < ?"), append(args, end.UTC())
		}
	}
	if fromOK && toOK && to.Before(from) {
		v.Add("to", "before_from", "Das Datum „bis“ darf nicht vor dem Datum „von“ liegen.")
	}
	var cur *auditCursor
	if q.Cursor != "" {
		c, ok := parseAuditCursor(q.Cursor)
		if !ok {
			v.Add("cursor", "invalid", "Die Seitenangabe ist ungültig. Bitte beginnen Sie wieder bei den neuesten Einträgen.")
		} else {
			cur = &c
			where, args = append(where, "(a.created_at, a.chain, a.seq) < (?, ?, ?)"), append(args, c.At, c.Chain, c.Seq)
		}
	}
	if err := v.OrNil(); err != nil {
		return nil, nil, nil, err
	}
	return where, args, cur, nil
}

// kreisEntriesSQL selects the entries a Kreis's protocol shows: those recorded for the
// Kreis and, once a call of the Kreis is opened, its sealed bid trails (SealedBidChain).
// Its two arguments are the Kreis, twice. Entries of a sealed trail carry no Kreis, so
// before the opening nothing here — list, filters, counts — reveals a bid.
const kreisEntriesSQL = `(a.tenant_id = ? OR a.chain IN (` + openedTrailsOfKreisSQL + `))`

// kreisRowsSQL selects the Kreis's entries (kreisEntriesSQL) with the actor's name, the
// details hidden from a reader who is a named evaluator of the entry's procedure. Its
// arguments are the reader and the Kreis twice.
func kreisRowsSQL() string {
	return `SELECT a.chain, a.seq, a.created_at, a.actor_id, COALESCE(u.name, '') AS actor_name, a.action,
			a.object_type, a.object_id, CASE WHEN h.hidden THEN '' ELSE a.details END AS details, a.hash, h.hidden AS details_hidden
		FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
		CROSS JOIN LATERAL (SELECT EXISTS (SELECT 1 FROM call_committee k
			WHERE k.user_id = ? AND k.role = 'evaluator' AND (a.chain = 'call:' || k.call_id OR ` + SealedTrailOfCallSQL("a.chain", "k.call_id::text") + `)) AS hidden) h -- CallChain, SealedBidChain
		WHERE ` + kreisEntriesSQL
}

// ListAudit returns one page of the Kreis's audit entries (kreisEntriesSQL),
// newest first, filtered by q, with keyset pagination: every page costs the same few
// queries however far back it lies. It verifies the Kreis's chain as well. Bad filter
// input is a *ValidationError with German messages.
//
// The protocol opens no door that the gates of rules.md R5 and R6 close. A reader who is a
// named evaluator of a procedure — a Kreis administrator on the committee, or a lead
// named before the separation of duties was enforced — gets that procedure's entries
// (its chain) without their details: sheets carry scores and reasons, the consolidation
// and the formal check speak of bids the reader may be tied to. Action, time, actor,
// object and hash stay visible, so the chain can still be followed; the details are
// hidden whether or not the reader has submitted their sheets — their evaluator pages
// show what they may see, and the lead's consolidation shows the scores to those
// outside the committee. Everybody else reads every detail.
func ListAudit(ctx context.Context, db *gorm.DB, actor *core.Actor, tenantID int64, q AuditQuery) (*AuditPage, error) {
	opts, err := AuditFilterOptions(ctx, db, actor, tenantID)
	if err != nil {
		return nil, err
	}
	where, args, cur, err := auditConditions(q, opts)
	if err != nil {
		return nil, err
	}
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultAuditPageSize
	}
	sql := kreisRowsSQL()
	for _, w := range where {
		sql += " AND " + w
	}
	sql += ` ORDER BY a.created_at DESC, a.chain DESC, a.seq DESC LIMIT ?`
	var rows []AuditRow
	if err := db.WithContext(ctx).Raw(sql, append(append([]any{actor.UserID, tenantID, tenantID}, args...), limit+1)...).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	page := &AuditPage{Options: opts, First: cur == nil}
	if len(rows) > limit {
		rows = rows[:limit]
		last := rows[limit-1]
		page.Next = auditCursor{At: last.CreatedAt, Chain: last.Chain, Seq: last.Seq}.String()
	}
	names, err := LoadNames(ctx, db, rows, actor, tenantID)
	if err != nil {
		return nil, err
	}
	for i := range rows {
		rows[i].Shown = rows[i].Show(names)
	}
	page.Entries = rows
	if page.Verification, err = VerifyChain(ctx, db, TenantChain(tenantID)); err != nil {
		return nil, err
	}
	return page, nil
}
