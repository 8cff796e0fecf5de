package models_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"gorm.io/gorm"

	"kimibv/models/audit"
	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/dbtest"
	"kimibv/models/rules"
	"kimibv/models/store"
	"kimibv/models/vault"
)

func TestCanonicalJSONSortsKeysAndKeepsText(t *testing.T) {
	t.Parallel()
	type inner struct {
		Z string `json:"z"`
		A int    `json:"a"`
	}
	got, err := vault.CanonicalJSON(map[string]any{"b": inner{Z: "<ä & ß>", A: 12345678901234567}, "a": []any{1.5, "x"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"a":[1.5,"x"],"b":{"a":12345678901234567,"z":"<ä & ß>"}}`; string(got) != want {
		t.Fatalf("canonical json\n got %s\nwant %s", got, want)
	}
}

func TestNormalizeSHA256(t *testing.T) {
	t.Parallel()
	h := strings.Repeat("ab", 32)
	for in, ok := range map[string]bool{h: true, " " + strings.ToUpper(h) + "\n": true, "sha256:" + h: true,
		h[:63]: false, h + "0": false, strings.Repeat("g", 64): false, "": false} {
		got, good := vault.NormalizeSHA256(in)
		if good != ok || (ok && got != h) {
			t.Errorf("NormalizeSHA256(%q) = %q, %v", in, got, good)
		}
	}
}

// fakePDF is a deterministic stand-in renderer that prints the meta it was given.
func fakePDF(m vault.DocMeta) ([]byte, error) {
	return fmt.Appendf(nil, "%%PDF-1.4\n%s %s %s %s\n%%%%EOF\n", m.Title, m.ContentSHA256, m.ChainHead, m.IssuedAt.Format("2006-01-02T15:04:05Z")), nil
}

func TestIssueDocumentStoresHashesAuditsAndIsImmutable(t *testing.T) {
	t.Parallel()
	f := newCallFixture(t)
	ctx := context.Background()
	chain := audit.TenantChain(f.tenantID)
	var before string
	f.db.Raw(`SELECT head_hash FROM audit_chains WHERE chain = ?`, chain).Scan(&before)
	data := map[string]any{"titel": "Prüfung", "betrag": "57000.00"}
	var doc vault.IssuedDocument
	var seen vault.DocMeta
	err := store.InTx(ctx, f.db, func(tx *gorm.DB) error {
		var err error
		doc, err = vault.IssueDocument(tx, vault.IssueInput{TenantID: f.tenantID, ActorID: f.lead.UserID, Kind: vault.DocMitteilung,
			Title: "Mitteilung Test", Chain: chain, ObjectType: "test", ObjectID: "1", CanonicalData: data,
			Render: func(m vault.DocMeta) ([]byte, error) { seen = m; return fakePDF(m) }})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	canon, _ := vault.CanonicalJSON(data)
	if seen.ContentSHA256 != vault.SHA256Hex(canon) || doc.ContentSHA256 != seen.ContentSHA256 {
		t.Errorf("Prüfwert %s, want SHA-256 of %s", seen.ContentSHA256, canon)
	}
	if seen.ChainHead != before || doc.ChainHead != before {
		t.Errorf("chain head given %s, stored %s, want the head before issuing %s", seen.ChainHead, doc.ChainHead, before)
	}
	if seen.IssuedAt.IsZero() || seen.IssuedAt.Nanosecond() != 0 || !doc.CreatedAt.Equal(seen.IssuedAt) {
		t.Errorf("issue time %v / stored %v", seen.IssuedAt, doc.CreatedAt)
	}
	if doc.FileSHA256 != vault.SHA256Hex(doc.Content) || doc.Size != int64(len(doc.Content)) {
		t.Error("file hash or size wrong")
	}
	if n := f.count(t, `SELECT count(*) FROM audit_log WHERE chain = ? AND action = 'document.issued' AND object_id = ?
		AND details LIKE '%'||?||'%' AND details LIKE '%'||?||'%'`, chain, fmt.Sprint(doc.ID), doc.FileSHA256, doc.ContentSHA256); n != 1 {
		t.Errorf("document.issued entries with both hashes: %d", n)
	}
	for _, q := range []string{`UPDATE issued_documents SET title = 'x' WHERE id = ?`, `DELETE FROM issued_documents WHERE id = ?`} {
		if err := f.db.Exec(q, doc.ID).Error; err == nil || !strings.Contains(err.Error(), "unveränderlich") {
			t.Errorf("%s: %v", q, err)
		}
	}
	for _, h := range []string{doc.FileSHA256, doc.ContentSHA256} {
		got, err := vault.DocumentByHash(ctx, f.db, h)
		if err != nil {
			t.Fatalf("by hash %s: %v", h, err)
		}
		if got.ID != doc.ID || got.Kreis != "Kreis Musterland" || got.KindLabel() != "Mitteilung" || got.ByFile != (h == doc.FileSHA256) {
			t.Errorf("found %+v", got)
		}
	}
	if _, err := vault.DocumentByHash(ctx, f.db, strings.Repeat("0", 64)); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("unknown hash: %v", err)
	}
	dl, err := vault.DocumentForDownload(ctx, f.db, doc.ID)
	if err != nil || string(dl.Content) != string(doc.Content) {
		t.Fatalf("download: %v", err)
	}
	if _, err := vault.DocumentForDownload(ctx, f.db, doc.ID+1000); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}
}

func TestIssueDocumentRefusesNonPDFAndUnknownKind(t *testing.T) {
	t.Parallel()
	f := newCallFixture(t)
	for name, in := range map[string]vault.IssueInput{
		"no pdf":  {TenantID: f.tenantID, Kind: vault.DocMitteilung, Title: "x", Chain: "t", Render: func(vault.DocMeta) ([]byte, error) { return []byte("<html>"), nil }},
		"kind":    {TenantID: f.tenantID, Kind: "brief", Title: "x", Chain: "t", Render: fakePDF},
		"title":   {TenantID: f.tenantID, Kind: vault.DocMitteilung, Title: " ", Chain: "t", Render: fakePDF},
		"failing": {TenantID: f.tenantID, Kind: vault.DocMitteilung, Title: "x", Chain: "t", Render: func(vault.DocMeta) ([]byte, error) { return nil, errors.New("boom") }},
	} {
		err := store.InTx(context.Background(), f.db, func(tx *gorm.DB) error { _, err := vault.IssueDocument(tx, in); return err })
		if err == nil {
			t.Errorf("%s: issued", name)
		}
	}
	if n := f.count(t, `SELECT count(*) FROM issued_documents WHERE kind = 'mitteilung'`); n != 0 {
		t.Errorf("%d documents stored", n)
	}
}

func TestPublishIssuesBekanntmachungOrRollsBackEntirely(t *testing.T) {
	t.Parallel()
	f := newCallFixture(t)
	ctx := context.Background()
	call := f.draftWithCommittee(t)
	failing := dbtest.FailingDocuments{Err: errors.New("font missing")}
	auditBefore := f.count(t, `SELECT count(*) FROM audit_log`)
	if _, err := calls.Publish(ctx, f.db, f.lead, core.CallScope{Tenant: f.tenantID, Call: call.ID}, rules.DefaultCallRules(), f.now, failing); err == nil || !strings.Contains(err.Error(), "font missing") {
		t.Fatalf("publish with failing renderer: %v", err)
	}
	if n := f.count(t, `SELECT count(*) FROM calls WHERE id = ? AND state = 'draft' AND current_version = 0`, call.ID); n != 1 {
		t.Error("call left the draft state")
	}
	if n := f.count(t, `SELECT count(*) FROM call_versions WHERE call_id = ?`, call.ID) + f.count(t, `SELECT count(*) FROM issued_documents WHERE call_id = ?`, call.ID); n != 0 {
		t.Errorf("%d versions/documents written", n)
	}
	if n := f.count(t, `SELECT count(*) FROM audit_log`); n != auditBefore {
		t.Errorf("audit grew from %d to %d", auditBefore, n)
	}
	ok := &capturingDocuments{}
	ver, err := calls.Publish(ctx, f.db, f.lead, core.CallScope{Tenant: f.tenantID, Call: call.ID}, rules.DefaultCallRules(), f.now, ok)
	if err != nil {
		t.Fatal(err)
	}
	if ok.got.Version != 1 || ok.got.Ref != call.Ref || ok.got.Kreis != "Kreis Musterland" || ok.got.Content.Timeline.Publication.IsZero() {
		t.Errorf("renderer got %+v", ok.got)
	}
	doc, err := calls.BekanntmachungPDF(ctx, f.db, call.Ref, 0)
	if err != nil {
		t.Fatal(err)
	}
	canon, _ := vault.CanonicalJSON(ok.got)
	if doc.ContentSHA256 != vault.SHA256Hex(canon) || doc.ContentSHA256 != ok.meta.ContentSHA256 || doc.ObjectID != calls.CallVersionObjectID(call.ID, ver.Version) {
		t.Errorf("stored %+v", doc.ObjectID)
	}
	// The head printed is the chain's head after call.published and before document.issued.
	var published string
	f.db.Raw(`SELECT hash FROM audit_log WHERE chain = ? AND action = 'call.published'`, audit.CallChain(call.ID)).Scan(&published)
	if doc.ChainHead != published {
		t.Errorf("chain head %s, want the call.published entry %s", doc.ChainHead, published)
	}
	if _, err := calls.BekanntmachungPDF(ctx, f.db, call.Ref, 2); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("version 2: %v", err)
	}
	if _, err := calls.BekanntmachungPDF(ctx, f.db, fmt.Sprint(call.ID), 1); err != nil {
		t.Errorf("by id and version 1: %v", err)
	}
}

// capturingDocuments renders fake PDFs and keeps the Bekanntmachung it was asked for.
type capturingDocuments struct {
	dbtest.FakeDocuments
	got  *calls.BekanntmachungData
	meta vault.DocMeta
}

// Bekanntmachung keeps d and meta and renders a fake PDF.
func (c *capturingDocuments) Bekanntmachung(meta vault.DocMeta, d *calls.BekanntmachungData) ([]byte, error) {
	c.got, c.meta = d, meta
	return fakePDF(meta)
}
