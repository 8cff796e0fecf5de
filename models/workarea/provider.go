package workarea

import (
	"fmt"
	"sort"
	"time"

	"gorm.io/gorm"

	"kimibv/models/core"
)

// providerRow is one thing due for an organisation: a bid draft, a document request, the
// unread Postfach messages or a notice.
type providerRow struct {
	Kind      string
	OrgID     int64
	ID        int64 // the bid or the notice
	Ref       string
	Title     string
	Due       *time.Time
	N         int
	Reconfirm bool
	Unread    bool
}

// providerSQL selects what is due for the organisations @o in one statement: the open
// bids before their deadline, document requests not yet answered before theirs, the
// unread Postfach messages and the notices while an objection is possible or unread.
const providerSQL = `SELECT 'bid' AS kind, b.org_id, b.id, c.ref, c.title, c.deadline AS due, 0 AS n,
		b.needs_reconfirmation AS reconfirm, b.state = 'draft' AS unread
	FROM bids b JOIN calls c ON c.id = b.call_id
	WHERE b.org_id IN @o AND c.state = 'published' AND c.deadline > @now
	AND (b.state = 'draft' OR b.needs_reconfirmation OR (b.state = 'submitted' AND b.draft_rev > b.submitted_rev))
UNION ALL
SELECT 'request', b.org_id, b.bid_id, c.ref, c.title, dl.deadline, count(*), false, false
	FROM document_requests r JOIN opening_bids b ON b.bid_id = r.bid_id JOIN calls c ON c.id = b.call_id
	JOIN document_request_deadlines dl ON dl.call_id = r.call_id
	WHERE b.org_id IN @o AND dl.deadline > @now AND NOT EXISTS (SELECT 1 FROM document_request_files f WHERE f.request_id = r.id)
	GROUP BY b.org_id, b.bid_id, c.ref, c.title, dl.deadline
UNION ALL
SELECT 'consultation', i.org_id, s.id, c.ref, c.title, s.ends_at,
		(SELECT count(*) FROM consultation_statements x WHERE x.consultation_id = s.id AND x.org_id = i.org_id), false, false
	FROM consultation_invitees i JOIN consultations s ON s.id = i.consultation_id JOIN calls c ON c.id = s.call_id
	WHERE i.org_id IN @o AND s.ends_at > @now AND c.state = 'draft'
UNION ALL
SELECT 'unread', m.org_id, 0, '', '', NULL, count(*), false, false
	FROM inbox_messages m WHERE m.org_id IN @o AND m.read_at IS NULL GROUP BY m.org_id
UNION ALL
SELECT 'notice', n.org_id, n.id, c.ref, c.title, d.standstill_ends_at, 0, false, coalesce(m.read_at IS NULL, false)
	FROM notices n JOIN decisions d ON d.call_id = n.call_id JOIN calls c ON c.id = n.call_id
	LEFT JOIN inbox_messages m ON m.id = n.inbox_message_id
	WHERE n.org_id IN @o AND (d.standstill_ends_at > @now OR m.read_at IS NULL)
	AND NOT EXISTS (SELECT 1 FROM objections x WHERE x.notice_id = n.id)`

// providerSections lists, per organisation of the actor, the bids to finish before their
// deadline, the document requests to answer, the unread Postfach messages and the
// notices (one statement). Only the organisation's own bids are read.
func providerSections(db *gorm.DB, actor *core.Actor, orgs map[int64]scope, now time.Time) ([]Section, error) {
	ids := make([]int64, 0, len(orgs))
	for id := range orgs {
		if actor.InOrg(id) {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return orgs[ids[i]].Name < orgs[ids[j]].Name })
	var rows []providerRow
	if err := db.Raw(providerSQL+` ORDER BY 1, 6 NULLS LAST, 3`, map[string]any{"o": ids, "now": now}).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("work area of the providers: %w", err)
	}
	set := newSections(ids, orgs, core.RoleOrgMember, func(s scope) string { return "/traeger/" + s.Key },
		"Es ist nichts fällig: keine offene Interessenbekundung, keine Nachforderung, keine ungelesene Nachricht.")
	for id, sec := range set.by {
		sec.Heading = orgs[id].Name
	}
	for _, r := range rows {
		sec := set.by[r.OrgID]
		detail := r.Title + " (" + r.Ref + ")"
		bid := fmt.Sprintf("%s/bewerbungen/%d", sec.Home, r.ID)
		var it Item
		switch r.Kind {
		case "bid":
			it = Item{Label: "Interessenbekundung fertigstellen und einreichen", Detail: detail, Due: r.Due, Href: bid, Link: "Zur Interessenbekundung", Urgent: true}
			if r.Reconfirm {
				it.Label = "Interessenbekundung erneut bestätigen (die Ausschreibung wurde wesentlich geändert)"
			} else if !r.Unread {
				it.Label = "Gespeicherte Änderungen einreichen (noch nicht eingereicht)"
			}
		case "request":
			it = Item{Label: "Nachgeforderte Unterlagen einreichen (" + core.Quantity(int(r.N), "Nachforderung", "Nachforderungen") + ")", Detail: detail, Due: r.Due,
				Href: bid + "/nachforderung", Link: "Zur Nachforderung", Urgent: true}
		case "consultation":
			it = Item{Label: "Zum Entwurf Stellung nehmen (Beteiligung, bisher " + core.Quantity(int(r.N), "Stellungnahme", "Stellungnahmen") + ")",
				Detail: detail, Due: r.Due, DueAs: "Beteiligung endet am", Href: fmt.Sprintf("/beteiligungen/%d", r.ID), Link: "Zur Beteiligung", Urgent: r.N == 0}
		case "unread":
			it = Item{Label: core.Quantity(int(r.N), "ungelesene Nachricht", "ungelesene Nachrichten") + " im Postfach", Href: sec.Home + "/postfach", Link: "Zum Postfach", Urgent: true}
		case "notice":
			it = Item{Label: "Mitteilung über das Ergebnis lesen", Detail: detail, Href: fmt.Sprintf("%s/mitteilungen/%d", sec.Home, r.ID), Link: "Zur Mitteilung", Urgent: r.Unread}
			if r.Due != nil && r.Due.After(now) {
				it.Label += "; eine Rüge ist bis zum Ende der Stillhaltefrist möglich"
				it.Due, it.DueAs = r.Due, "Stillhaltefrist endet am"
			}
		}
		sec.Items = append(sec.Items, it)
	}
	return set.list(), nil
}

// operatorSection shows the operator the number of Kreise and organisations and the
// platform's mails that failed (one statement).
func operatorSection(db *gorm.DB) (Section, error) {
	var r struct{ Tenants, Orgs, FailedMails int }
	if err := db.Raw(`SELECT (SELECT count(*) FROM tenants) AS tenants, (SELECT count(*) FROM organizations) AS orgs,
		(SELECT count(*) FROM outbox o WHERE o.tenant_id IS NULL AND o.sent_at IS NULL AND (o.failed_at IS NOT NULL OR o.uncertain_at IS NOT NULL)) AS failed_mails`).
		Scan(&r).Error; err != nil {
		return Section{}, fmt.Errorf("work area of the operator: %w", err)
	}
	sec := Section{Role: "operator", Heading: "Betrieb der Plattform", Home: "/betrieb"}
	if r.FailedMails > 0 {
		sec.Items = append(sec.Items, Item{Label: fmt.Sprintf("%d E-Mail(s) der Plattform nicht zugestellt oder zu prüfen", r.FailedMails),
			Href: "/betrieb/postausgang", Link: "Zum Postausgang", Urgent: true})
	}
	sec.Items = append(sec.Items, Item{Label: "Kreise und kreisfreie Städte verwalten", Detail: fmt.Sprintf("%d Kreise, %d registrierte Träger", r.Tenants, r.Orgs),
		Href: "/betrieb", Link: "Zum Betrieb"})
	return sec, nil
}
