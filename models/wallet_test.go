package models_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"kimibv/models/accounts"
	"kimibv/models/audit"
	"kimibv/models/bids"
	"kimibv/models/core"
	"kimibv/models/dbtest"
	"kimibv/models/fixture"
	"kimibv/models/rules"
	"kimibv/models/store"
	"kimibv/models/vault"
)

func day(s string) *time.Time {
	t, ok := rules.ParseDateDE(s)
	if !ok {
		panic(s)
	}
	return &t
}

func TestDocumentExpiry(t *testing.T) {
	t.Parallel()
	// 10.03.2026 00:30 in Berlin is still 09.03. 23:30 UTC: the calendar day counts in Berlin.
	now := time.Date(2026, 3, 9, 23, 30, 0, 0, time.UTC)
	tests := []struct {
		name       string
		typ        rules.DocType
		issued     *time.Time
		validUntil *time.Time
		want       rules.ExpiryFlag
		until      string
	}{
		{"Freistellung valid for a year", rules.DocFreistellung, day("2025-01-01"), day("2027-03-10"), rules.FlagCurrent, "10.03.2027"},
		{"Freistellung ends today: still valid, expiring", rules.DocFreistellung, day("2021-01-01"), day("2026-03-10"), rules.FlagExpiring, "10.03.2026"},
		{"Freistellung ended yesterday", rules.DocFreistellung, day("2021-01-01"), day("2026-03-09"), rules.FlagExpired, "09.03.2026"},
		{"Freistellung ends in 8 weeks minus a day", rules.DocFreistellung, nil, day("2026-05-04"), rules.FlagExpiring, "04.05.2026"},
		{"Freistellung ends in exactly 8 weeks: current", rules.DocFreistellung, nil, day("2026-05-05"), rules.FlagCurrent, "05.05.2026"},
		{"Freistellung without end date", rules.DocFreistellung, day("2025-01-01"), nil, rules.FlagExpired, ""},
		{"Register extract from today", rules.DocRegister, day("2026-03-10"), nil, rules.FlagCurrent, "09.09.2026"},
		{"Register extract 6 months minus a day old", rules.DocRegister, day("2025-09-11"), nil, rules.FlagExpiring, "10.03.2026"},
		{"Register extract exactly 6 months old", rules.DocRegister, day("2025-09-10"), nil, rules.FlagExpired, "09.03.2026"},
		{"Register extract turns 6 months in exactly 8 weeks: expiring", rules.DocRegister, day("2025-11-05"), nil, rules.FlagExpiring, "04.05.2026"},
		{"Register extract turns 6 months in 8 weeks and a day: current", rules.DocRegister, day("2025-11-06"), nil, rules.FlagCurrent, "05.05.2026"},
		{"Register extract 3 months old", rules.DocRegister, day("2025-12-10"), nil, rules.FlagCurrent, "09.06.2026"},
		{"Register extract without date", rules.DocRegister, nil, nil, rules.FlagExpired, ""},
		{"Satzung never expires", rules.DocSatzung, nil, nil, rules.FlagCurrent, ""},
		{"Vertretungsnachweis never expires", rules.DocVertretung, day("2001-01-01"), nil, rules.FlagCurrent, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, until := rules.DocumentExpiry(tc.typ, tc.issued, tc.validUntil, now)
			if got != tc.want {
				t.Errorf("flag = %q, want %q", got, tc.want)
			}
			gotUntil := ""
			if until != nil {
				gotUntil = until.Format("02.01.2006")
			}
			if gotUntil != tc.until {
				t.Errorf("current until %q, want %q", gotUntil, tc.until)
			}
		})
	}
	if rules.ExpiryLabel(rules.DocRegister, rules.FlagExpired) != "älter als 6 Monate" ||
		rules.ExpiryLabel(rules.DocFreistellung, rules.FlagExpired) != "abgelaufen" ||
		rules.ExpiryLabel(rules.DocSatzung, rules.FlagExpiring) != "läuft bald ab" {
		t.Error("labels")
	}
}

// walletFixture is the demo with two provider organisations and their administrators.
type walletFixture struct {
	st             *store.Store
	vault          *vault.Vault
	awo, caritas   *core.Actor
	awoOrg, carOrg int64
}

func newWalletFixture(t *testing.T) *walletFixture {
	t.Helper()
	st := dbtest.NewDemo(t)
	// The demo's organisation keys (Postfach, receipts) are wrapped to the test master key.
	fx := &walletFixture{st: st, vault: dbtest.Vault(t)}
	load := func(email string) (*core.Actor, int64) {
		var id int64
		mustScan(t, st.DB, &id, `SELECT id FROM users WHERE email = ?`, email)
		a, err := accounts.LoadActor(context.Background(), st.DB, id)
		if err != nil {
			t.Fatal(err)
		}
		for org := range a.Orgs {
			return a, org
		}
		t.Fatalf("%s has no organisation", email)
		return nil, 0
	}
	fx.awo, fx.awoOrg = load("awo@traeger.example")
	fx.caritas, fx.carOrg = load("caritas@traeger.example")
	return fx
}

var walletNow = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)

func satzung(name string, size int) bids.WalletInput {
	return bids.WalletInput{DocType: "satzung", FileName: name, File: bytes.NewReader(fixture.MinimalPDF(size))}
}

func TestWalletUseCases(t *testing.T) {
	t.Parallel()
	fx := newWalletFixture(t)
	ctx := context.Background()
	count := func(q string, args ...any) int64 {
		var n int64
		mustScan(t, fx.st.DB, &n, q, args...)
		return n
	}
	audits := func(action string) int64 {
		return count(`SELECT count(*) FROM audit_log WHERE chain = 'platform' AND action = ?`, action)
	}

	t.Run("validation before the file is read", func(t *testing.T) {
		r := &countingReader{r: bytes.NewReader(fixture.MinimalPDF(5000))}
		_, err := bids.AddWalletDocument(ctx, fx.st.DB, fx.vault, fx.awo, fx.awoOrg, bids.WalletInput{DocType: "freistellungsbescheid",
			IssuedOn: "2026-04-01", ValidUntil: "31.02.2027", FileName: "f.pdf", File: r}, walletNow)
		v, ok := core.AsValidation(err)
		if !ok {
			t.Fatalf("err = %v", err)
		}
		want := []string{"issued_on:future", "valid_until:invalid"}
		if got := v.Codes(); len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
			t.Errorf("codes = %v, want %v", got, want)
		}
		if r.n != 0 {
			t.Errorf("%d bytes of the file were read although the form was invalid", r.n)
		}
		_, err = bids.AddWalletDocument(ctx, fx.st.DB, fx.vault, fx.awo, fx.awoOrg, bids.WalletInput{DocType: "lebenslauf"}, walletNow)
		if v, _ := core.AsValidation(err); v == nil || len(v.Codes()) != 2 {
			t.Errorf("unknown type without file: %v", err)
		}
		if n := count(`SELECT count(*) FROM files WHERE kind = 'wallet'`) + count(`SELECT count(*) FROM org_documents`); n != 0 {
			t.Errorf("%d rows written", n)
		}
	})

	var freist bids.WalletDocument
	t.Run("add, list with flags, read", func(t *testing.T) {
		var err error
		freist, err = bids.AddWalletDocument(ctx, fx.st.DB, fx.vault, fx.awo, fx.awoOrg, bids.WalletInput{DocType: "freistellungsbescheid",
			IssuedOn: "15.01.2021", ValidUntil: "2026-04-30", Note: "Finanzamt Musterstadt", FileName: "../Freistellung\u202e.pdf",
			File: bytes.NewReader(fixture.MinimalPDF(3000))}, walletNow)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := bids.AddWalletDocument(ctx, fx.st.DB, fx.vault, fx.awo, fx.awoOrg, satzung("Satzung.pdf", 2000), walletNow); err != nil {
			t.Fatal(err)
		}
		list, err := bids.ListWallet(ctx, fx.st.DB, fx.awo, fx.awoOrg, walletNow)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].DocType != rules.DocFreistellung || list[0].FileName != "Freistellung.pdf" ||
			list[0].FlagLabel() != "läuft bald ab" || list[0].UploaderName == "" || list[0].Size != 3000 || list[1].Flag != rules.FlagCurrent {
			t.Fatalf("list = %+v", list)
		}
		r, f, err := bids.OpenWalletDocument(ctx, fx.st.DB, fx.vault, fx.awo, fx.awoOrg, freist.ID)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		if err != nil || !bytes.Equal(b, fixture.MinimalPDF(3000)) || f.Name != "Freistellung.pdf" {
			t.Fatalf("read: %v", err)
		}
		if audits("wallet.document_added") != 2 {
			t.Error("want two wallet.document_added entries")
		}
		if count(`SELECT count(*) FROM files WHERE org_id = ? AND call_id IS NULL AND encrypted`, fx.awoOrg) != 2 {
			t.Error("wallet files are not stored encrypted with the organisation's key")
		}
	})

	t.Run("another organisation sees nothing", func(t *testing.T) {
		if _, _, err := bids.OpenWalletDocument(ctx, fx.st.DB, fx.vault, fx.caritas, fx.awoOrg, freist.ID); !errors.Is(err, core.ErrNotFound) {
			t.Errorf("foreign org read: %v", err)
		}
		if _, _, err := bids.OpenWalletDocument(ctx, fx.st.DB, fx.vault, fx.caritas, fx.carOrg, freist.ID); !errors.Is(err, core.ErrNotFound) {
			t.Errorf("document id under own org: %v", err)
		}
		if _, err := bids.ListWallet(ctx, fx.st.DB, fx.caritas, fx.awoOrg, walletNow); !errors.Is(err, core.ErrNotFound) {
			t.Errorf("foreign list: %v", err)
		}
		if err := bids.DeleteWalletDocument(ctx, fx.st.DB, fx.caritas, fx.carOrg, freist.ID); !errors.Is(err, core.ErrNotFound) {
			t.Errorf("foreign delete: %v", err)
		}
		if _, err := bids.ReplaceWalletDocument(ctx, fx.st.DB, fx.vault, fx.caritas, fx.carOrg, freist.ID, satzung("x.pdf", 900), walletNow); !errors.Is(err, core.ErrNotFound) {
			t.Errorf("foreign replace: %v", err)
		}
		if _, _, err := bids.OpenWalletDocument(ctx, fx.st.DB, fx.vault, nil, fx.awoOrg, freist.ID); !errors.Is(err, core.ErrNotFound) {
			t.Errorf("anonymous read: %v", err)
		}
	})

	t.Run("replace keeps the document and drops the old file", func(t *testing.T) {
		oldFile := freist.FileID
		in := bids.WalletInput{IssuedOn: "2026-02-01", ValidUntil: "2031-01-31", FileName: "Neu.pdf", File: bytes.NewReader(fixture.MinimalPDF(4000))}
		doc, err := bids.ReplaceWalletDocument(ctx, fx.st.DB, fx.vault, fx.awo, fx.awoOrg, freist.ID, in, walletNow)
		if err != nil {
			t.Fatal(err)
		}
		if doc.ID != freist.ID || doc.FileID == oldFile || doc.DocType != rules.DocFreistellung {
			t.Errorf("replaced = %+v", doc)
		}
		if count(`SELECT count(*) FROM files WHERE id = ?`, oldFile)+count(`SELECT count(*) FROM file_chunks WHERE file_id = ?`, oldFile) != 0 {
			t.Error("old file left behind")
		}
		list, _ := bids.ListWallet(ctx, fx.st.DB, fx.awo, fx.awoOrg, walletNow)
		if list[0].Flag != rules.FlagCurrent || list[0].FileName != "Neu.pdf" {
			t.Errorf("after replace: %+v", list[0])
		}
		if audits("wallet.document_replaced") != 1 {
			t.Error("no wallet.document_replaced entry")
		}
		// A non-PDF replacement changes nothing.
		bad := bids.WalletInput{IssuedOn: "2026-02-01", ValidUntil: "2031-01-31", FileName: "x.pdf", File: bytes.NewReader([]byte("<html>"))}
		if _, err := bids.ReplaceWalletDocument(ctx, fx.st.DB, fx.vault, fx.awo, fx.awoOrg, freist.ID, bad, walletNow); err == nil {
			t.Fatal("HTML accepted")
		}
		if count(`SELECT count(*) FROM org_documents WHERE id = ? AND file_id = ?`, freist.ID, doc.FileID) != 1 {
			t.Error("a refused replacement changed the document")
		}
	})

	t.Run("delete", func(t *testing.T) {
		if err := bids.DeleteWalletDocument(ctx, fx.st.DB, fx.awo, fx.awoOrg, freist.ID); err != nil {
			t.Fatal(err)
		}
		if count(`SELECT count(*) FROM org_documents WHERE id = ?`, freist.ID) != 0 || audits("wallet.document_removed") != 1 {
			t.Error("not deleted or not audited")
		}
		if err := bids.DeleteWalletDocument(ctx, fx.st.DB, fx.awo, fx.awoOrg, freist.ID); !errors.Is(err, core.ErrNotFound) {
			t.Errorf("second delete: %v", err)
		}
		if v, err := audit.VerifyChain(ctx, fx.st.DB, audit.ChainPlatform); err != nil || !v.OK {
			t.Errorf("platform chain: %+v %v", v, err)
		}
	})

	t.Run("a user removed from the organisation mid-request gets 404", func(t *testing.T) {
		stale := *fx.awo // the actor was loaded before the removal
		if err := fx.st.DB.Exec(`DELETE FROM organization_members WHERE user_id = ? AND org_id = ?`, fx.awo.UserID, fx.awoOrg).Error; err != nil {
			t.Fatal(err)
		}
		before := count(`SELECT count(*) FROM files WHERE kind = 'wallet'`)
		if _, err := bids.AddWalletDocument(ctx, fx.st.DB, fx.vault, &stale, fx.awoOrg, satzung("s.pdf", 900), walletNow); !errors.Is(err, core.ErrNotFound) {
			t.Errorf("err = %v", err)
		}
		if count(`SELECT count(*) FROM files WHERE kind = 'wallet'`) != before {
			t.Error("a file was stored")
		}
	})
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}
