package council

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
	"kimibv/models/rules"
	"kimibv/models/store"
)

// Faction is a Fraktion or Gruppe of a Kreis's council.
type Faction struct {
	ID   int64
	Name string
	Kind string
}

// KindLabel names the kind in German.
func (f Faction) KindLabel() string { return rules.FactionKindLabel(f.Kind) }

// Member is a council member of the Kreis with the faction (FactionID 0: none).
type Member struct {
	UserID      int64
	Name        string
	Email       string
	FactionID   int64
	FactionName string
}

// requireTenantAdmin admits the Kreis administrator; everybody else gets ErrNotFound.
func requireTenantAdmin(actor *core.Actor, tenantID int64) error {
	if !actor.HasTenantRole(tenantID, core.RoleTenantAdmin) {
		return fmt.Errorf("council factions of Kreis %d: %w", tenantID, core.ErrNotFound)
	}
	return nil
}

// Factions lists the Kreis's factions and its council members with their faction.
func Factions(ctx context.Context, db *gorm.DB, actor *core.Actor, tenantID int64) ([]Faction, []Member, error) {
	if err := requireTenantAdmin(actor, tenantID); err != nil {
		return nil, nil, err
	}
	tx := db.WithContext(ctx)
	var fs []Faction
	if err := tx.Raw(`SELECT id, name, kind FROM council_factions WHERE tenant_id = ? ORDER BY name, id`, tenantID).Scan(&fs).Error; err != nil {
		return nil, nil, fmt.Errorf("load factions: %w", err)
	}
	ms, err := members(tx, tenantID)
	return fs, ms, err
}

// members reads every council member of the Kreis with the current faction.
func members(tx *gorm.DB, tenantID int64) ([]Member, error) {
	var ms []Member
	if err := tx.Raw(`SELECT u.id AS user_id, u.name, u.email, coalesce(f.id, 0) AS faction_id, coalesce(f.name, '') AS faction_name
		FROM tenant_memberships m JOIN users u ON u.id = m.user_id
		LEFT JOIN council_member_factions mf ON mf.tenant_id = m.tenant_id AND mf.user_id = m.user_id
		LEFT JOIN council_factions f ON f.id = mf.faction_id
		WHERE m.tenant_id = ? AND m.role = 'council' ORDER BY u.name, u.id`, tenantID).Scan(&ms).Error; err != nil {
		return nil, fmt.Errorf("load council members: %w", err)
	}
	return ms, nil
}

// CreateFaction adds a Fraktion or Gruppe to the Kreis's council; audited as
// council.faction_created on the Kreis's chain. A second faction of the same name is refused.
func CreateFaction(ctx context.Context, db *gorm.DB, actor *core.Actor, tenantID int64, name, kind string, now time.Time) (int64, error) {
	if err := requireTenantAdmin(actor, tenantID); err != nil {
		return 0, err
	}
	name = strings.TrimSpace(name)
	ve := &core.ValidationError{}
	core.CheckText(ve, "name", "den Namen der Fraktion oder Gruppe", name, true, 120)
	if !slices.Contains(rules.FactionKinds, kind) {
		ve.Add("kind", "invalid", "Bitte wählen Sie, ob es sich um eine Fraktion oder eine Gruppe handelt.")
	}
	if err := ve.OrNil(); err != nil {
		return 0, err
	}
	var id int64
	err := store.InTx(ctx, db, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Raw(`SELECT count(*) FROM council_factions WHERE tenant_id = ? AND lower(name) = lower(?)`, tenantID, name).Scan(&n).Error; err != nil {
			return fmt.Errorf("look for faction: %w", err)
		}
		if n > 0 {
			v := &core.ValidationError{}
			v.Add("name", "taken", "Eine Fraktion oder Gruppe dieses Namens gibt es bereits.")
			return v
		}
		if err := tx.Raw(`INSERT INTO council_factions (tenant_id, name, kind, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
			tenantID, name, kind, now).Scan(&id).Error; err != nil {
			return fmt.Errorf("create faction: %w", err)
		}
		_, err := audit.Audit(tx, audit.Event{Chain: audit.TenantChain(tenantID), ActorID: actor.UserID, TenantID: tenantID,
			Action: "council.faction_created", ObjectType: "council_faction", ObjectID: strconv.FormatInt(id, 10),
			Details: map[string]any{"faction": name, "faction_kind": kind}})
		return err
	})
	return id, err
}

// AssignFaction sets the faction of a council member (factionID 0: none); audited as
// council.faction_assigned on the Kreis's chain. A person who is no council member of the
// Kreis, or a faction of another Kreis, is ErrNotFound.
func AssignFaction(ctx context.Context, db *gorm.DB, actor *core.Actor, tenantID, userID, factionID int64) error {
	if err := requireTenantAdmin(actor, tenantID); err != nil {
		return err
	}
	return store.InTx(ctx, db, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Raw(`SELECT count(*) FROM tenant_memberships WHERE tenant_id = ? AND user_id = ? AND role = 'council'`, tenantID, userID).Scan(&n).Error; err != nil {
			return fmt.Errorf("find council member: %w", err)
		}
		if n == 0 {
			return fmt.Errorf("council member %d: %w", userID, core.ErrNotFound)
		}
		name := ""
		if factionID != 0 {
			if err := tx.Raw(`SELECT name FROM council_factions WHERE id = ? AND tenant_id = ?`, factionID, tenantID).Scan(&name).Error; err != nil {
				return fmt.Errorf("find faction: %w", err)
			}
			if name == "" {
				return fmt.Errorf("faction %d: %w", factionID, core.ErrNotFound)
			}
		}
		if err := tx.Exec(`DELETE FROM council_member_factions WHERE tenant_id = ? AND user_id = ?`, tenantID, userID).Error; err != nil {
			return fmt.Errorf("clear faction: %w", err)
		}
		if factionID != 0 {
			if err := tx.Exec(`INSERT INTO council_member_factions (tenant_id, user_id, faction_id) VALUES (?, ?, ?)`, tenantID, userID, factionID).Error; err != nil {
				return fmt.Errorf("set faction: %w", err)
			}
		}
		_, err := audit.Audit(tx, audit.Event{Chain: audit.TenantChain(tenantID), ActorID: actor.UserID, TenantID: tenantID,
			Action: "council.faction_assigned", ObjectType: "user", ObjectID: strconv.FormatInt(userID, 10),
			Details: map[string]any{"faction": name}})
		return err
	})
}
