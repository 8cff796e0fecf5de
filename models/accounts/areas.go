package accounts

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"kimibv/models/core"
)

// Area is a part of the application the actor may enter (for navigation).
type Area struct {
	Label   string
	Href    string
	Context string // whose area it is, for screen readers (e.g. the organisation of a Postfach)
	Unread  int    // unread Postfach messages (the organisations' Postfach entries)
}

// ActorAreas lists the actor's Kreis areas and organisations with their names, and each
// organisation's Postfach with its number of unread messages, in one query.
func ActorAreas(ctx context.Context, db *gorm.DB, a *core.Actor) ([]Area, error) {
	var out []Area
	if a == nil {
		return nil, nil
	}
	if len(a.Tenants) > 0 || len(a.Orgs) > 0 {
		var rows []struct {
			Kind, Key, Name string
			Council         bool
			Unread          int
		}
		err := db.WithContext(ctx).Raw(`
			SELECT 't' AS kind, t.slug AS key, t.name,
				EXISTS (SELECT 1 FROM tenant_memberships m WHERE m.tenant_id = t.id AND m.user_id = ? AND m.role = 'council') AS council, 0 AS unread
			FROM tenants t WHERE t.id IN (SELECT tenant_id FROM tenant_memberships WHERE user_id = ?)
			UNION ALL
			SELECT 'o', o.id::text, o.name, false, (SELECT count(*) FROM inbox_messages i WHERE i.org_id = o.id AND i.read_at IS NULL)
			FROM organizations o WHERE o.id IN (SELECT org_id FROM organization_members WHERE user_id = ?)
			ORDER BY 1 DESC, 3`, a.UserID, a.UserID, a.UserID).Scan(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("actor areas: %w", err)
		}
		for _, r := range rows {
			if r.Kind == "t" {
				out = append(out, Area{Label: r.Name, Href: "/verwaltung/" + r.Key})
				if r.Council { // council members' own area (rules.md R25)
					out = append(out, Area{Label: "Kreistag " + r.Name, Href: "/kreistag/" + r.Key})
				}
			} else {
				out = append(out, Area{Label: r.Name, Href: "/traeger/" + r.Key},
					Area{Label: "Postfach", Href: "/traeger/" + r.Key + "/postfach", Context: r.Name, Unread: r.Unread})
			}
		}
	}
	if a.PlatformAdmin {
		out = append(out, Area{Label: "Betrieb", Href: "/betrieb"})
	}
	return out, nil
}
