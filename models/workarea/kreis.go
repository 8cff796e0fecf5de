package workarea

import (
	"fmt"
	"time"

	"gorm.io/gorm"

	"kimibv/models/core"
)

// callRow is a procedure with what is due on it for one role.
type callRow struct {
	ID            int64
	TenantID      int64
	Ref           string
	Title         string
	Deadline      *time.Time
	Confirmations int
	Confirmed     bool
	Undeclared    int
	SheetsOpen    int
	DecidedAt     *time.Time
	Declared      bool
}

// openerSections lists the openings due (deadline passed, not yet confirmed by the actor)
// and the coming ones of the procedures the actor is named for. Only the call, its
// deadline and the confirmations are read: nothing about bids (rules.md R2).
func openerSections(db *gorm.DB, actor *core.Actor, tenants map[int64]scope, now time.Time) ([]Section, error) {
	ids := withRole(actor, tenants, core.RoleOpener)
	if len(ids) == 0 {
		return nil, nil
	}
	var rows []callRow
	if err := db.Raw(`SELECT c.id, c.tenant_id, c.ref, c.title, c.deadline,
		(SELECT count(*) FROM openings o WHERE o.call_id = c.id) AS confirmations,
		EXISTS (SELECT 1 FROM openings o WHERE o.call_id = c.id AND o.user_id = @u) AS confirmed
		FROM calls c JOIN call_committee k ON k.call_id = c.id AND k.user_id = @u AND k.role = 'opener'
		WHERE c.tenant_id IN @t AND c.state IN ('published', 'closed') ORDER BY c.deadline, c.id`,
		map[string]any{"u": actor.UserID, "t": ids}).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("work area of the opener: %w", err)
	}
	set := newSections(ids, tenants, core.RoleOpener, func(s scope) string { return "/verwaltung/" + s.Key + "/oeffnungen" },
		"Es ist keine Öffnung fällig.")
	for _, r := range rows {
		sec := set.by[r.TenantID]
		href := fmt.Sprintf("/verwaltung/%s/verfahren/%d/oeffnung", tenants[r.TenantID].Key, r.ID)
		detail := r.Title + " (" + r.Ref + ")"
		switch {
		case r.Deadline == nil || r.Deadline.After(now):
			sec.Items = append(sec.Items, Item{Label: "Öffnung nach Ablauf der Frist", Detail: detail, Due: r.Deadline, DueAs: "Möglich ab", Href: href, Link: "Öffnungsseite ansehen"})
		case r.Confirmed:
			sec.Items = append(sec.Items, Item{Label: "Ihre Bestätigung liegt vor; es fehlt die zweite öffnungsberechtigte Person", Detail: detail, Href: href, Link: "Öffnungsseite ansehen"})
		default:
			sec.Items = append(sec.Items, Item{Label: fmt.Sprintf("Öffnung bestätigen (%d von 2 Bestätigungen)", min(r.Confirmations, 2)), Detail: detail,
				Due: r.Deadline, DueAs: "Frist abgelaufen am", Href: href, Link: "Zur Öffnung", Urgent: true})
		}
	}
	return set.list(), nil
}

// evaluatorSections lists, per opened procedure on whose committee the actor sits, the
// declarations (COI) and score sheets due. The counts come from the opening's snapshot.
func evaluatorSections(db *gorm.DB, actor *core.Actor, tenants map[int64]scope, _ time.Time) ([]Section, error) {
	ids := withRole(actor, tenants, core.RoleEvaluator)
	if len(ids) == 0 {
		return nil, nil
	}
	var rows []callRow
	if err := db.Raw(`SELECT c.id, c.tenant_id, c.ref, c.title,
		(SELECT count(*) FROM opening_bids b WHERE b.call_id = c.id AND b.state = 'submitted' AND NOT EXISTS (
			SELECT 1 FROM coi_declarations d WHERE d.call_id = c.id AND d.org_id = b.org_id AND d.evaluator_id = @u)) AS undeclared,
		(SELECT count(*) FROM opening_bids b JOIN formal_checks f ON f.bid_id = b.bid_id AND f.outcome = 'admitted'
			WHERE b.call_id = c.id AND b.state = 'submitted'
			AND NOT EXISTS (SELECT 1 FROM coi_declarations d WHERE d.call_id = c.id AND d.org_id = b.org_id AND d.evaluator_id = @u AND d.tie <> 'none')
			AND NOT EXISTS (SELECT 1 FROM score_sheets s WHERE s.bid_id = b.bid_id AND s.evaluator_id = @u AND s.submitted_at IS NOT NULL)) AS sheets_open
		FROM calls c JOIN call_committee k ON k.call_id = c.id AND k.user_id = @u AND k.role = 'evaluator'
		WHERE c.tenant_id IN @t AND c.state = 'opened' AND NOT EXISTS (SELECT 1 FROM call_results r WHERE r.call_id = c.id)
		ORDER BY c.opened_at, c.id`, map[string]any{"u": actor.UserID, "t": ids}).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("work area of the evaluator: %w", err)
	}
	set := newSections(ids, tenants, core.RoleEvaluator, func(s scope) string { return "/verwaltung/" + s.Key + "/bewertung" },
		"Es ist keine Erklärung und kein Bewertungsbogen fällig.")
	for _, r := range rows {
		sec := set.by[r.TenantID]
		base := fmt.Sprintf("%s/%d", sec.Home, r.ID)
		detail := r.Title + " (" + r.Ref + ")"
		switch {
		case r.Undeclared > 0:
			sec.Items = append(sec.Items, Item{Label: "Erklärung zu Interessenkonflikten abgeben", Detail: detail, Href: base + "/erklaerung", Link: "Zur Erklärung", Urgent: true})
		case r.SheetsOpen > 0:
			sec.Items = append(sec.Items, Item{Label: fmt.Sprintf("%d Bewertungsbogen/-bögen abgeben", r.SheetsOpen), Detail: detail, Href: base, Link: "Zu den Bewertungsbögen", Urgent: true})
		}
	}
	return set.list(), nil
}

// councilSections lists the recorded decisions about which the member has not declared
// their ties yet (the new award records).
func councilSections(db *gorm.DB, actor *core.Actor, tenants map[int64]scope, _ time.Time) ([]Section, error) {
	ids := withRole(actor, tenants, core.RoleCouncil)
	if len(ids) == 0 {
		return nil, nil
	}
	var rows []callRow
	if err := db.Raw(`SELECT c.id, c.tenant_id, c.ref, c.title, d.recorded_at AS decided_at
		FROM calls c JOIN decisions d ON d.call_id = c.id AND d.recorded_at IS NOT NULL
		WHERE c.tenant_id IN @t AND NOT EXISTS (SELECT 1 FROM council_declarations x WHERE x.call_id = c.id AND x.user_id = @u)
		ORDER BY d.recorded_at DESC, c.id DESC`, map[string]any{"u": actor.UserID, "t": ids}).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("work area of the council: %w", err)
	}
	set := newSections(ids, tenants, core.RoleCouncil, func(s scope) string { return "/kreistag/" + s.Key },
		"Es gibt keine neue Vergabedokumentation; Ihre Erklärungen sind vollständig.")
	for _, r := range rows {
		sec := set.by[r.TenantID]
		sec.Items = append(sec.Items, Item{Label: "Neue Vergabedokumentation lesen und Erklärung zu Verbindungen abgeben", Detail: r.Title + " (" + r.Ref + ")",
			Href: fmt.Sprintf("%s/verfahren/%d", sec.Home, r.ID), Link: "Zum Verfahren", Urgent: true})
	}
	return set.list(), nil
}

// adminSections shows each administered Kreis's users, open invitations and mails that
// failed or need a review.
func adminSections(db *gorm.DB, actor *core.Actor, tenants map[int64]scope, now time.Time) ([]Section, error) {
	ids := withRole(actor, tenants, core.RoleTenantAdmin)
	if len(ids) == 0 {
		return nil, nil
	}
	var rows []struct {
		TenantID           int64
		Users, Invitations int
		FailedMails        int
	}
	if err := db.Raw(`SELECT t.id AS tenant_id,
		(SELECT count(DISTINCT m.user_id) FROM tenant_memberships m WHERE m.tenant_id = t.id) AS users,
		(SELECT count(*) FROM invitations i WHERE i.tenant_id = t.id AND i.accepted_at IS NULL AND i.expires_at > @now) AS invitations,
		(SELECT count(*) FROM outbox o WHERE o.tenant_id = t.id AND o.sent_at IS NULL AND (o.failed_at IS NOT NULL OR o.uncertain_at IS NOT NULL)) AS failed_mails
		FROM tenants t WHERE t.id IN @t`, map[string]any{"t": ids, "now": now}).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("work area of the Kreis administration: %w", err)
	}
	set := newSections(ids, tenants, core.RoleTenantAdmin, kreisHome, "")
	for _, r := range rows {
		sec := set.by[r.TenantID]
		if r.FailedMails > 0 {
			sec.Items = append(sec.Items, Item{Label: fmt.Sprintf("%d E-Mail(s) nicht zugestellt oder zu prüfen", r.FailedMails),
				Href: sec.Home + "/postausgang", Link: "Zum Postausgang", Urgent: true})
		}
		users := fmt.Sprintf("%d Personen mit Rollen im Kreis", r.Users)
		if r.Invitations > 0 {
			users += ", " + core.Quantity(int(r.Invitations), "offene Einladung", "offene Einladungen")
		}
		sec.Items = append(sec.Items, Item{Label: "Nutzerinnen und Nutzer verwalten", Detail: users, Href: sec.Home + "/nutzer", Link: "Zu den Nutzern"})
	}
	return set.list(), nil
}
