package decision

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"kimibv/models/core"
	"kimibv/models/vault"
)

// CouncilVermerk returns the latest Vergabevermerk of the call for a council member of the
// Kreis. The Vergabevermerk holds everything the non-public annex holds (scores with
// reasons, declarations), so it follows the annex's rule: only once the decision is
// recorded, and only to a member who declared no tie to any bidder (§ 31 GO NRW).
// Everything else is ErrNotFound.
func CouncilVermerk(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.CallScope) (*vault.IssuedDocument, error) {
	v, err := LoadCouncilProcedure(ctx, db, actor, scope)
	if err != nil {
		return nil, err
	}
	if v.Annex == nil {
		return nil, fmt.Errorf("Vergabevermerk of call %d for the council: %w", scope.Call, core.ErrNotFound)
	}
	var d []vault.IssuedDocument
	if err := db.WithContext(ctx).Raw(`SELECT * FROM issued_documents WHERE call_id = ? AND tenant_id = ? AND kind = 'vergabevermerk'
		ORDER BY id DESC LIMIT 1`, scope.Call, scope.Tenant).Scan(&d).Error; err != nil {
		return nil, fmt.Errorf("load Vergabevermerk: %w", err)
	}
	if len(d) == 0 {
		return nil, fmt.Errorf("Vergabevermerk of call %d: %w", scope.Call, core.ErrNotFound)
	}
	if err := vault.OpenDocument(db.WithContext(ctx), &d[0]); err != nil {
		return nil, err
	}
	return &d[0], nil
}
