package council

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/models/rules"
	"kimibv/models/store"
)

// OParlSystem returns the address of the Kreis's OParl system ("" none).
func OParlSystem(ctx context.Context, db *gorm.DB, tenantID int64) (string, error) {
	var u string
	if err := db.WithContext(ctx).Raw(`SELECT oparl_system_url FROM tenants WHERE id = ?`, tenantID).Scan(&u).Error; err != nil {
		return "", fmt.Errorf("load OParl system: %w", err)
	}
	return u, nil
}

// SetOParlSystem sets the address of the Kreis's OParl system ("" clears it); only the
// Kreis administrator; audited as council.oparl_configured on the Kreis's chain.
func SetOParlSystem(ctx context.Context, db *gorm.DB, actor *core.Actor, tenantID int64, raw string) error {
	if err := requireTenantAdmin(actor, tenantID); err != nil {
		return err
	}
	u, err := CheckOParlSystem(raw)
	if err != nil {
		return err
	}
	return store.InTx(ctx, db, func(tx *gorm.DB) error {
		if err := tx.Exec(`UPDATE tenants SET oparl_system_url = ? WHERE id = ?`, u, tenantID).Error; err != nil {
			return fmt.Errorf("set OParl system: %w", err)
		}
		_, err := audit.Audit(tx, audit.Event{Chain: audit.TenantChain(tenantID), ActorID: actor.UserID, TenantID: tenantID,
			Action: "council.oparl_configured", ObjectType: "tenant", ObjectID: strconv.FormatInt(tenantID, 10), Details: map[string]any{"oparl_system_url": u}})
		return err
	})
}

// RecordResolution keeps the resolution fetched from the OParl system for a procedure
// whose decision is recorded (a later fetch replaces it); only a lead of the Kreis;
// audited as council.resolution_fetched. The decision's own entries are not touched.
func RecordResolution(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.CallScope, r *Resolution, now time.Time) error {
	if err := requireLead(actor, scope.Tenant); err != nil {
		return err
	}
	return store.InTx(ctx, db, func(tx *gorm.DB) error {
		c, err := loadCall(tx, scope.Tenant, scope.Call)
		if err != nil {
			return err
		}
		if c.State != rules.CallDecided && c.State != rules.CallNotified && c.State != rules.CallAwarded {
			return fmt.Errorf("%w: Den Beschluss aus dem Ratsinformationssystem übernehmen Sie, nachdem die Entscheidung aufgezeichnet ist", core.ErrConflict)
		}
		if err := tx.Exec(`INSERT INTO council_resolutions (call_id, tenant_id, oparl_url, paper_reference, paper_name, paper_date, meeting_name,
				meeting_start, agenda_number, agenda_name, result, resolution_text, web_url, fetched_by, fetched_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (call_id) DO UPDATE SET oparl_url = EXCLUDED.oparl_url, paper_reference = EXCLUDED.paper_reference,
				paper_name = EXCLUDED.paper_name, paper_date = EXCLUDED.paper_date, meeting_name = EXCLUDED.meeting_name,
				meeting_start = EXCLUDED.meeting_start, agenda_number = EXCLUDED.agenda_number, agenda_name = EXCLUDED.agenda_name,
				result = EXCLUDED.result, resolution_text = EXCLUDED.resolution_text, web_url = EXCLUDED.web_url,
				fetched_by = EXCLUDED.fetched_by, fetched_at = EXCLUDED.fetched_at`,
			c.ID, c.TenantID, r.URL, r.PaperReference, r.PaperName, r.PaperDate, r.MeetingName, r.MeetingStart, r.AgendaNumber,
			r.AgendaName, r.Result, r.ResolutionText, r.WebURL, actor.UserID, now).Error; err != nil {
			return fmt.Errorf("store resolution: %w", err)
		}
		_, err = audit.Audit(tx, audit.Event{Chain: audit.CallChain(c.ID), ActorID: actor.UserID, TenantID: c.TenantID, Action: "council.resolution_fetched",
			ObjectType: "call", ObjectID: strconv.FormatInt(c.ID, 10), Details: map[string]any{"oparl_url": r.URL, "resolution_number": r.PaperReference, "result": r.Result}})
		return err
	})
}

// loadResolution reads the kept resolution of a procedure (nil: none).
func loadResolution(tx *gorm.DB, callID int64) (*Resolution, error) {
	var rs []Resolution
	if err := tx.Raw(`SELECT oparl_url AS url, paper_reference, paper_name, paper_date, meeting_name, meeting_start, agenda_number, agenda_name,
		result, resolution_text, web_url FROM council_resolutions WHERE call_id = ?`, callID).Scan(&rs).Error; err != nil {
		return nil, fmt.Errorf("load resolution: %w", err)
	}
	if len(rs) == 0 {
		return nil, nil
	}
	return &rs[0], nil
}
