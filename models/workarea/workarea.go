package workarea

import (
	"context"
	"fmt"
	"sort"
	"time"

	"gorm.io/gorm"

	"kimibv/models/core"
	"kimibv/models/rules"
)

// Item is one thing due: what, until when and where to do it.
type Item struct {
	Label  string     // what is due, e.g. "Öffnung bestätigen"
	Detail string     // the procedure or document it concerns
	Due    *time.Time // the deadline, if any
	DueAs  string     // how the date is named ("Frist" unless set)
	Href   string     // the one link that leads to the task
	Link   string     // the link's text
	Urgent bool       // due now (not only upcoming)
}

// Procedure is one of the lead's procedures with its stage.
type Procedure struct {
	ID    int64
	Ref   string
	Title string
	Href  string
	Stage rules.Stage
	Task  string // the address of the next step's page
}

// Section is the part of the work area for one role in one Kreis or organisation.
type Section struct {
	Role       string // core.Role or "operator"
	Heading    string
	Home       string // the area's start page
	Items      []Item
	Procedures []Procedure
	Finished   int    // the lead's procedures that are awarded or cancelled
	Empty      string // what to say when nothing is due
}

// Area is the whole work area of one user.
type Area struct {
	Sections []Section
}

// Due counts the sections' items and procedures that need the user now.
func (a *Area) Due() int {
	n := 0
	for _, s := range a.Sections {
		for _, it := range s.Items {
			if it.Urgent {
				n++
			}
		}
		n += len(s.Procedures)
	}
	return n
}

// scope is one Kreis or organisation the actor has a role in.
type scope struct {
	ID   int64
	Key  string // the Kreis's slug or the organisation's id
	Name string
}

// Load builds the work area of actor at now: a fixed number of statements whatever the
// number of Kreise, organisations and procedures (one for the names, one per kind of
// section the actor has).
func Load(ctx context.Context, db *gorm.DB, actor *core.Actor, now time.Time) (*Area, error) {
	if actor == nil {
		return nil, fmt.Errorf("work area: %w", core.ErrNotFound)
	}
	db = db.WithContext(ctx)
	tenants, orgs, err := scopes(db, actor)
	if err != nil {
		return nil, err
	}
	area := &Area{}
	for _, part := range []func(*gorm.DB, *core.Actor, map[int64]scope, time.Time) ([]Section, error){
		leadSections, openerSections, evaluatorSections, councilSections, adminSections,
	} {
		secs, err := part(db, actor, tenants, now)
		if err != nil {
			return nil, err
		}
		area.Sections = append(area.Sections, secs...)
	}
	if len(orgs) > 0 {
		secs, err := providerSections(db, actor, orgs, now)
		if err != nil {
			return nil, err
		}
		area.Sections = append(area.Sections, secs...)
	}
	if actor.PlatformAdmin {
		sec, err := operatorSection(db)
		if err != nil {
			return nil, err
		}
		area.Sections = append(area.Sections, sec)
	}
	return area, nil
}

// scopes loads the names of the actor's Kreise and organisations in one statement.
func scopes(db *gorm.DB, actor *core.Actor) (tenants, orgs map[int64]scope, err error) {
	tenants, orgs = map[int64]scope{}, map[int64]scope{}
	if len(actor.Tenants) == 0 && len(actor.Orgs) == 0 {
		return tenants, orgs, nil
	}
	var rows []struct {
		Kind      string
		ID        int64
		Key, Name string
	}
	if err := db.Raw(`SELECT 't' AS kind, id, slug AS key, name FROM tenants WHERE id IN (SELECT tenant_id FROM tenant_memberships WHERE user_id = @u)
		UNION ALL SELECT 'o', id, id::text, name FROM organizations WHERE id IN (SELECT org_id FROM organization_members WHERE user_id = @u)`,
		map[string]any{"u": actor.UserID}).Scan(&rows).Error; err != nil {
		return nil, nil, fmt.Errorf("work area scopes: %w", err)
	}
	for _, r := range rows {
		if r.Kind == "t" {
			tenants[r.ID] = scope{r.ID, r.Key, r.Name}
		} else {
			orgs[r.ID] = scope{r.ID, r.Key, r.Name}
		}
	}
	return tenants, orgs, nil
}

// withRole returns the ids of the Kreise in which the actor holds role, sorted by name.
func withRole(actor *core.Actor, tenants map[int64]scope, role core.Role) []int64 {
	var ids []int64
	for id := range tenants {
		if actor.HasTenantRole(id, role) {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return tenants[ids[i]].Name < tenants[ids[j]].Name })
	return ids
}

// sectionSet is one section per Kreis or organisation, in the order of ids.
type sectionSet struct {
	ids []int64
	by  map[int64]*Section
}

// newSections starts a section of role for each of ids, home and empty built from its scope.
func newSections(ids []int64, scopes map[int64]scope, role core.Role, home func(scope) string, empty string) sectionSet {
	set := sectionSet{ids: ids, by: map[int64]*Section{}}
	for _, id := range ids {
		s := scopes[id]
		set.by[id] = &Section{Role: string(role), Heading: role.Label() + " – " + s.Name, Home: home(s), Empty: empty}
	}
	return set
}

// list returns the sections in order.
func (set sectionSet) list() []Section {
	out := make([]Section, 0, len(set.ids))
	for _, id := range set.ids {
		out = append(out, *set.by[id])
	}
	return out
}

// kreisHome is the Kreis's start page for its staff.
func kreisHome(s scope) string { return "/verwaltung/" + s.Key }
