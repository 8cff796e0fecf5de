package opendata

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/rules"
)

// OCDSProcedures loads the public input of the open-data export for every published (or
// later) call of every Kreis (idOrRef "") or for one call by number or readable reference
// (a draft or an unknown call is ErrNotFound). It reads from one consistent snapshot in
// a constant number of queries whatever the number of calls, versions and answers: calls
// with their Kreis, the versions, the published answers, the Beteiligung, the award
// stages. Nothing else is read — no users, no committee, no questions as asked, no bids.
func OCDSProcedures(ctx context.Context, db *gorm.DB, idOrRef string) ([]OCDSProcedure, error) {
	var out []OCDSProcedure
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		out, err = loadOCDSProcedures(tx, idOrRef)
		return err
	}, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	return out, err
}

func loadOCDSProcedures(tx *gorm.DB, idOrRef string) ([]OCDSProcedure, error) {
	id, _ := strconv.ParseInt(idOrRef, 10, 64)
	args := []any{id, idOrRef, id, idOrRef}
	var callRows []struct {
		ID                                             int64
		Ref                                            string
		State                                          rules.CallState
		CancelledAt                                    *time.Time
		CancelReason                                   string
		Slug, Name, TenantState, Address, ContactEmail string
	}
	if err := tx.Raw(`SELECT c.id, c.ref, c.state, c.cancelled_at, c.cancel_reason,
			t.slug, t.name, t.state AS tenant_state, t.address, t.contact_email
		FROM calls c JOIN tenants t ON t.id = c.tenant_id
		WHERE `+calls.PublicCallSQL+` ORDER BY c.published_at, c.id`, args...).Scan(&callRows).Error; err != nil {
		return nil, fmt.Errorf("load calls for open data: %w", err)
	}
	if idOrRef != "" && len(callRows) == 0 {
		return nil, fmt.Errorf("open data of call %q: %w", idOrRef, core.ErrNotFound)
	}
	out := make([]OCDSProcedure, len(callRows))
	index := map[int64]*OCDSProcedure{}
	for i, c := range callRows {
		out[i] = OCDSProcedure{CallID: c.ID, Ref: c.Ref, State: c.State, CancelledAt: c.CancelledAt, CancelReason: c.CancelReason,
			Kreis: OCDSKreis{Slug: c.Slug, Name: c.Name, State: c.TenantState, Address: c.Address, ContactEmail: c.ContactEmail}}
		index[c.ID] = &out[i]
	}
	var versions []struct {
		CallID      int64
		Version     int
		Reason      string
		PublishedAt time.Time
		Content     []byte
		NoticePDFAt *time.Time `gorm:"column:notice_pdf_at"`
	}
	if err := tx.Raw(`SELECT v.call_id, v.version, v.reason, v.published_at, v.content,
			-- The Bekanntmachung is issued in the version's own transaction: it is public with the version.
			CASE WHEN EXISTS (SELECT 1 FROM issued_documents d WHERE d.call_id = v.call_id AND d.kind = 'bekanntmachung'
				AND d.object_type = 'call_version' AND d.object_id = v.call_id::text || ':' || v.version::text)
				THEN v.published_at END AS notice_pdf_at
		FROM call_versions v JOIN calls c ON c.id = v.call_id
		WHERE `+calls.PublicCallSQL+` ORDER BY v.call_id, v.version`, args...).Scan(&versions).Error; err != nil {
		return nil, fmt.Errorf("load versions for open data: %w", err)
	}
	for _, v := range versions {
		p := index[v.CallID]
		if p == nil {
			continue
		}
		content, err := rules.DecodeCallContent(v.Content)
		if err != nil {
			return nil, err
		}
		p.Versions = append(p.Versions, OCDSVersion{Version: v.Version, Reason: v.Reason, PublishedAt: v.PublishedAt, Content: content,
			NoticePDFAt: v.NoticePDFAt})
	}
	qas, err := calls.PublicQAsOf(tx, args)
	if err != nil {
		return nil, err
	}
	for _, qa := range qas {
		if p := index[qa.CallID]; p != nil {
			p.QA = append(p.QA, qa.PublicQA)
		}
	}
	cons, err := consultationsOf(tx, args)
	if err != nil {
		return nil, err
	}
	for id, c := range cons {
		if p := index[id]; p != nil {
			p.Consultation = c
		}
	}
	// AwardStages: the decision once the notices are out (pending during the
	// standstill) and the final award; one more query for all procedures.
	stages, err := awardStagesOf(tx, args)
	if err != nil {
		return nil, err
	}
	for _, st := range stages {
		if p := index[st.callID]; p != nil {
			p.AwardStages = append(p.AwardStages, st.OCDSAwardStage)
		}
	}
	// Contracts: the forwarding contracts of awarded procedures; one more query.
	contracts, err := contractsOf(tx, args)
	if err != nil {
		return nil, err
	}
	for id, ks := range contracts {
		if p := index[id]; p != nil {
			p.Contracts = ks
		}
	}
	return out, nil
}
