package models_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gorm.io/gorm"

	"kimibv/models/core"
	"kimibv/models/dbtest"
	"kimibv/models/fixture"
	"kimibv/models/store"
	"kimibv/models/vault"
)

// fileFixture is a database with a user, an organisation and a call to own files.
type fileFixture struct {
	st                    *store.Store
	url                   string
	vault                 *vault.Vault
	userID, orgID, callID int64
}

func newFileFixture(t *testing.T) *fileFixture {
	t.Helper()
	url := dbtest.NewURL(t)
	st, err := store.Open(context.Background(), url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	v, _, err := vault.GenerateVault()
	if err != nil {
		t.Fatal(err)
	}
	fx := &fileFixture{st: st, url: url, vault: v}
	db := st.DB
	mustScan(t, db, &fx.userID, `INSERT INTO users (email, name, password_hash) VALUES ('a@example.org', 'A', 'x') RETURNING id`)
	mustScan(t, db, &fx.orgID, `INSERT INTO organizations (name, legal_form, street, postal_code, city, email)
		VALUES ('Verein e. V.', 'e. V.', 'Weg 1', '12345', 'Stadt', 'v@example.org') RETURNING id`)
	var tenantID int64
	mustScan(t, db, &tenantID, `INSERT INTO tenants (slug, name, kind) VALUES ('musterland', 'Kreis Musterland', 'kreis') RETURNING id`)
	mustScan(t, db, &fx.callID, `INSERT INTO calls (tenant_id, ref, ref_year, ref_seq, created_by)
		VALUES (?, 'musterland-2026-01', 2026, 1, ?) RETURNING id`, tenantID, fx.userID)
	return fx
}

func mustScan(t *testing.T, db *gorm.DB, dst any, q string, args ...any) {
	t.Helper()
	if err := db.Raw(q, args...).Scan(dst).Error; err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func (fx *fileFixture) count(t *testing.T, q string, args ...any) int64 {
	t.Helper()
	var n int64
	mustScan(t, fx.st.DB, &n, q, args...)
	return n
}

// store stores content in one transaction and returns the file or the error.
func (fx *fileFixture) store(t *testing.T, in vault.FileInput) (vault.File, error) {
	t.Helper()
	var f vault.File
	err := store.InTx(context.Background(), fx.st.DB, func(tx *gorm.DB) error {
		var err error
		f, err = vault.StoreFile(context.Background(), tx, fx.vault, in)
		return err
	})
	return f, err
}

func (fx *fileFixture) read(t *testing.T, v *vault.Vault, id int64) ([]byte, error) {
	t.Helper()
	r, _, err := vault.OpenFile(context.Background(), fx.st.DB, v, id)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestStoreFileRoundTrip(t *testing.T) {
	t.Parallel()
	fx := newFileFixture(t)
	cases := []struct {
		name    string
		content []byte
		pdf     bool
		callID  int64
	}{
		{"1 byte", []byte{'x'}, false, 0},
		{"exactly 1 MiB", randomBytes(t, vault.ChunkSize), false, fx.callID},
		{"1 MiB + 1", randomBytes(t, vault.ChunkSize+1), false, 0},
		{"3 MiB - 100 (call key)", randomBytes(t, 3*vault.ChunkSize-100), false, fx.callID},
		{"PDF of exactly 1 MiB", fixture.MinimalPDF(vault.ChunkSize), true, 0},
		{"PDF of 1 MiB + 1 (call key)", fixture.MinimalPDF(vault.ChunkSize + 1), true, fx.callID},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ct := "application/octet-stream"
			if tc.pdf {
				ct = ""
			}
			f, err := fx.store(t, vault.FileInput{CallID: tc.callID, OrgID: fx.orgID, Kind: "test", Name: "Prüfung.bin",
				Reader: bytes.NewReader(tc.content), CreatedBy: fx.userID, ContentType: ct})
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(tc.content)
			if f.Size != int64(len(tc.content)) || f.SHA256 != hex.EncodeToString(sum[:]) || !f.Encrypted {
				t.Errorf("metadata size=%d sha=%s encrypted=%v", f.Size, f.SHA256, f.Encrypted)
			}
			got, err := fx.read(t, fx.vault, f.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tc.content) {
				t.Fatalf("round trip: got %d bytes, want %d", len(got), len(tc.content))
			}
			// Chunks hold at most ChunkSize bytes each and are not the plaintext.
			var maxLen, chunks int64
			mustScan(t, fx.st.DB, &maxLen, `SELECT coalesce(max(length(data)), 0) FROM file_chunks WHERE file_id = ?`, f.ID)
			mustScan(t, fx.st.DB, &chunks, `SELECT count(*) FROM file_chunks WHERE file_id = ?`, f.ID)
			if maxLen > vault.ChunkSize || chunks < int64(len(tc.content)/vault.ChunkSize) {
				t.Errorf("chunks: %d, largest %d bytes", chunks, maxLen)
			}
			var first []byte
			if err := fx.st.SQL.QueryRow(`SELECT data FROM file_chunks WHERE file_id = $1 AND seq = 0`, f.ID).Scan(&first); err != nil {
				t.Fatal(err)
			}
			n := min(len(first), len(tc.content), 64)
			if (n >= 16 && bytes.Contains(first, tc.content[:n])) || !bytes.HasPrefix(first, []byte("age-encryption.org/v1")) {
				t.Errorf("first chunk is not age ciphertext of the content")
			}
		})
	}
	if fx.count(t, `SELECT count(*) FROM call_keys WHERE call_id = ?`, fx.callID) != 1 ||
		fx.count(t, `SELECT count(*) FROM org_keys WHERE org_id = ?`, fx.orgID) != 1 {
		t.Error("want exactly one data key per call and organisation")
	}
}

func TestStoreFileRefusesAndLeavesNothing(t *testing.T) {
	t.Parallel()
	fx := newFileFixture(t)
	big := fixture.MinimalPDF(21 << 20)
	cases := []struct {
		name    string
		content []byte
		code    string
	}{
		{"21 MiB over the 20 MiB limit", big, "too_large"},
		{"0 bytes", nil, "empty"},
		{"HTML polyglot", []byte("<html><script>x</script>%PDF-1.4 %%EOF"), "not_pdf"},
		{"truncated", fixture.MinimalPDF(3 << 20)[:2<<20], "truncated"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var kept vault.File
			err := store.InTx(context.Background(), fx.st.DB, func(tx *gorm.DB) error {
				_, err := vault.StoreFile(context.Background(), tx, fx.vault, vault.FileInput{OrgID: fx.orgID, Kind: "test",
					Name: "x.pdf", Reader: bytes.NewReader(tc.content), MaxBytes: 20 << 20, Field: "dok"})
				v, ok := core.AsValidation(err)
				if !ok || v.Codes()[0] != "dok:"+tc.code {
					t.Fatalf("err = %v, want validation %s", err, tc.code)
				}
				// The transaction stays usable and commits what else it did.
				kept, err = vault.StoreFile(context.Background(), tx, fx.vault, vault.FileInput{OrgID: fx.orgID, Kind: "test",
					Name: "ok.pdf", Reader: bytes.NewReader(fixture.MinimalPDF(500))})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if n := fx.count(t, `SELECT count(*) FROM files WHERE id <> ? AND name = 'x.pdf'`, kept.ID); n != 0 {
				t.Errorf("%d refused file rows left behind", n)
			}
			if n := fx.count(t, `SELECT count(*) FROM file_chunks WHERE file_id NOT IN (SELECT id FROM files WHERE name = 'ok.pdf')`); n != 0 {
				t.Errorf("%d chunks of the refused file left behind", n)
			}
		})
	}
}

// failingReader returns an error after n bytes (a client that disconnects mid-upload).
type failingReader struct{ r io.Reader }

func (f failingReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if errors.Is(err, io.EOF) {
		return n, io.ErrUnexpectedEOF
	}
	return n, err
}

func TestStoreFileAbortedUpload(t *testing.T) {
	t.Parallel()
	fx := newFileFixture(t)
	_, err := fx.store(t, vault.FileInput{OrgID: fx.orgID, Kind: "test", Name: "x.pdf",
		Reader: failingReader{bytes.NewReader(fixture.MinimalPDF(2 << 20))}})
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("err = %v", err)
	}
	if n := fx.count(t, `SELECT count(*) FROM files`) + fx.count(t, `SELECT count(*) FROM file_chunks`); n != 0 {
		t.Errorf("%d rows left behind", n)
	}
}

func TestEncryptionAtRest(t *testing.T) {
	t.Parallel()
	fx := newFileFixture(t)
	marker := "GEHEIMER-BIETERTEXT-7f3a9c"
	content := fixture.MinimalPDF(3000)
	copy(content[20:], marker)
	f, err := fx.store(t, vault.FileInput{CallID: fx.callID, OrgID: fx.orgID, Kind: "bid", Name: "Konzept.pdf", Reader: bytes.NewReader(content)})
	if err != nil {
		t.Fatal(err)
	}
	var sealed []byte
	err = store.InTx(context.Background(), fx.st.DB, func(tx *gorm.DB) error {
		sealed, err = fx.vault.SealBytes(tx, fx.callID, []byte(`{"antwort":"`+marker+`"}`))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := fx.st.DB.Exec(`CREATE TABLE sealed_answers (data bytea)`).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := fx.st.SQL.Exec(`INSERT INTO sealed_answers VALUES ($1)`, sealed); err != nil {
		t.Fatal(err)
	}
	if plain, err := fx.vault.OpenBytes(fx.st.DB, fx.callID, sealed); err != nil || !strings.Contains(string(plain), marker) {
		t.Fatalf("OpenBytes = %q, %v", plain, err)
	}

	t.Run("database scan finds no plaintext", func(t *testing.T) {
		if found := scanDatabase(t, fx.st.DB, marker); len(found) != 0 {
			t.Errorf("plaintext found in %v", found)
		}
		// The scan itself works: an unencrypted copy is found.
		if _, err := fx.st.SQL.Exec(`CREATE TABLE plain_control (data bytea)`); err != nil {
			t.Fatal(err)
		}
		if _, err := fx.st.SQL.Exec(`INSERT INTO plain_control VALUES ($1)`, content); err != nil {
			t.Fatal(err)
		}
		if found := scanDatabase(t, fx.st.DB, marker); len(found) != 1 || found[0] != "plain_control.data" {
			t.Errorf("control: scan found %v", found)
		}
		fx.st.DB.Exec(`DROP TABLE plain_control`)
	})

	t.Run("pg_dump contains no plaintext", func(t *testing.T) {
		pgDump := findPgDump()
		if pgDump == "" {
			t.Skip("pg_dump not found; the column scan above covers the same property")
		}
		out := filepath.Join(t.TempDir(), "dump.sql")
		cmd := exec.Command(pgDump, "--no-owner", "--file", out, fx.url)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("pg_dump: %v\n%s", err, b)
		}
		dump, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(dump, []byte("COPY public.file_chunks")) {
			t.Fatal("dump lacks file_chunks")
		}
		// bytea is dumped as hex: look for both forms.
		if bytes.Contains(dump, []byte(marker)) || bytes.Contains(dump, []byte(hex.EncodeToString([]byte(marker)))) {
			t.Error("the dump reveals bid content")
		}
	})

	t.Run("wrong master key cannot decrypt", func(t *testing.T) {
		other, _, _ := vault.GenerateVault()
		if _, err := fx.read(t, other, f.ID); err == nil {
			t.Fatal("another master key decrypted the file")
		}
		if _, err := other.OpenBytes(fx.st.DB, fx.callID, sealed); err == nil {
			t.Fatal("another master key decrypted the answers")
		}
		if got, err := fx.read(t, fx.vault, f.ID); err != nil || !bytes.Equal(got, content) {
			t.Fatalf("right key: %v", err)
		}
	})

	t.Run("tampered chunk is detected", func(t *testing.T) {
		if err := fx.st.DB.Exec(`UPDATE file_chunks SET data = overlay(data placing '\x00'::bytea from 300 for 1) WHERE file_id = ?`, f.ID).Error; err != nil {
			t.Fatal(err)
		}
		if _, err := fx.read(t, fx.vault, f.ID); err == nil {
			t.Fatal("a modified ciphertext was read without error")
		}
	})
}

// scanDatabase returns "table.column" of every text, bytea or jsonb column containing s.
func scanDatabase(t *testing.T, db *gorm.DB, s string) []string {
	t.Helper()
	var cols []struct{ TableName, ColumnName, DataType string }
	mustScan(t, db, &cols, `SELECT table_name, column_name, data_type FROM information_schema.columns
		WHERE table_schema = 'public' AND data_type IN ('text', 'bytea', 'jsonb', 'character varying', 'json', 'ARRAY')
		ORDER BY table_name, column_name`)
	var found []string
	for _, c := range cols {
		expr := `position(convert_to(?, 'UTF8') in "` + c.ColumnName + `") > 0`
		if c.DataType != "bytea" {
			expr = `strpos("` + c.ColumnName + `"::text, ?) > 0`
		}
		var n int64
		mustScan(t, db, &n, `SELECT count(*) FROM "`+c.TableName+`" WHERE `+expr, s)
		if n > 0 {
			found = append(found, c.TableName+"."+c.ColumnName)
		}
	}
	return found
}

func findPgDump() string {
	if p, err := exec.LookPath("pg_dump"); err == nil {
		return p
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_dump")
	if len(matches) > 0 {
		return matches[len(matches)-1]
	}
	return ""
}

func TestCopyAndDeleteFile(t *testing.T) {
	t.Parallel()
	fx := newFileFixture(t)
	content := fixture.MinimalPDF(5000)
	src, err := fx.store(t, vault.FileInput{OrgID: fx.orgID, Kind: "wallet", Name: "Satzung.pdf", Reader: bytes.NewReader(content)})
	if err != nil {
		t.Fatal(err)
	}
	var dst vault.File
	err = store.InTx(context.Background(), fx.st.DB, func(tx *gorm.DB) error {
		dst, err = vault.CopyFile(context.Background(), tx, fx.vault, src.ID, vault.FileInput{CallID: fx.callID, OrgID: fx.orgID, Kind: "bid"})
		if err != nil {
			return err
		}
		return vault.DeleteFile(tx, src.ID)
	})
	if err != nil {
		t.Fatal(err)
	}
	if dst.SHA256 != src.SHA256 || dst.Name != "Satzung.pdf" || *dst.CallID != fx.callID {
		t.Errorf("copy = %+v", dst)
	}
	if got, err := fx.read(t, fx.vault, dst.ID); err != nil || !bytes.Equal(got, content) {
		t.Fatalf("read copy: %v", err)
	}
	if _, err := fx.read(t, fx.vault, src.ID); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("deleted file: err = %v", err)
	}
	if n := fx.count(t, `SELECT count(*) FROM file_chunks WHERE file_id = ?`, src.ID); n != 0 {
		t.Errorf("%d chunks of the deleted file remain", n)
	}
}
