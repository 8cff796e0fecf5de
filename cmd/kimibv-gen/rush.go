package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"gorm.io/gorm"

	"kimibv/models/accounts"
	"kimibv/models/demo"
	"kimibv/models/rules"
	"kimibv/models/store"
	"kimibv/models/vault"
)

// RushSet is what kimibv-rush reads: the call and the organisations with their drafts.
type RushSet struct {
	CallID int64    `json:"call"`
	Orgs   []genOrg `json:"orgs"`
}

// rushSetup creates a Kreis with one published call (deadline four weeks ahead; the rush
// moves it) and n organisations, each with a complete draft: every criterion answered,
// every declaration confirmed and all eight required documents stored (encrypted with
// the call's key; the drafts share one stored file per document).
func rushSetup(ctx context.Context, st *store.Store, vlt *vault.Vault, args []string) error {
	fs := flag.NewFlagSet("rush", flag.ContinueOnError)
	n := fs.Int("orgs", 500, "organisations with complete drafts")
	prefix := fs.String("prefix", "rush", "slug prefix (must be new)")
	out := fs.String("out", "rush.json", "file for the rush set")
	if err := fs.Parse(args); err != nil {
		return err
	}
	start := time.Now()
	hash, err := accounts.HashPassword(demo.Password)
	if err != nil {
		return err
	}
	o := volumeOpts{Prefix: *prefix, Kreise: 1, Calls: 1, Bids: 0, Evaluators: 2, Jobs: 1}
	if _, err := genKreis(ctx, st, vlt, o, 0, nil, hash); err != nil {
		return err
	}
	var callID int64
	if err := st.Pool.QueryRow(ctx, `SELECT c.id FROM calls c JOIN tenants t ON t.id = c.tenant_id WHERE t.slug = $1`, *prefix+"-01").Scan(&callID); err != nil {
		return fmt.Errorf("rush call: %w", err)
	}
	orgs, err := createOrgs(ctx, st, *prefix, "org", *n, hash)
	if err != nil {
		return err
	}
	var raw []byte
	if err := st.Pool.QueryRow(ctx, `SELECT content FROM call_versions WHERE call_id = $1 AND version = 1`, callID).Scan(&raw); err != nil {
		return err
	}
	content, err := rules.DecodeCallContent(raw)
	if err != nil {
		return err
	}
	d := completeDraft(&content, 0)
	have := map[string]bool{}
	for _, rd := range content.RequiredDocs {
		have[rd.Key] = true
	}
	if missing := rules.BidMissing(&content, d, have); len(missing) > 0 {
		return fmt.Errorf("generated draft is incomplete: %s", missing[0].Message)
	}
	plain, _ := json.Marshal(d)
	err = store.InTx(ctx, st.DB, func(tx *gorm.DB) error {
		files := map[string]int64{}
		for _, rd := range content.RequiredDocs {
			f, err := vault.StoreFile(ctx, tx, vlt, vault.FileInput{CallID: callID, Kind: "bid", Name: rd.Key + ".pdf",
				Reader: bytes.NewReader(smallPDF(rd.Name))})
			if err != nil {
				return err
			}
			files[rd.Key] = f.ID
		}
		sealed, err := vlt.SealBytes(tx, callID, plain)
		if err != nil {
			return err
		}
		for i := range orgs {
			g := &orgs[i]
			if err := tx.Raw(`INSERT INTO bids (call_id, org_id, draft, updated_by, updated_at, created_by) VALUES (?, ?, ?, ?, now(), ?) RETURNING id`,
				callID, g.OrgID, sealed, g.UserID, g.UserID).Scan(&g.BidID).Error; err != nil {
				return fmt.Errorf("bid: %w", err)
			}
			for key, fid := range files {
				if err := tx.Exec(`INSERT INTO bid_draft_files (bid_id, doc_key, file_id, added_at) VALUES (?, ?, ?, now())`, g.BidID, key, fid).Error; err != nil {
					return fmt.Errorf("bid file: %w", err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	b, _ := json.MarshalIndent(RushSet{CallID: callID, Orgs: orgs}, "", " ")
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		return err
	}
	fmt.Printf("rush set: call %d with %d complete drafts in %s (%s)\n", callID, len(orgs), time.Since(start).Round(time.Millisecond), *out)
	return nil
}

// smallPDF is a minimal valid PDF naming the document.
func smallPDF(title string) []byte {
	return []byte("%PDF-1.4\n% " + strings.ReplaceAll(title, "\n", " ") + "\n" + strings.Repeat("0123456789abcdef", 64) + "\n%%EOF\n")
}
