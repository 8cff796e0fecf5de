package main

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenVaultRefusesProductionWithoutKeyAndCreatesOneInDevelopment(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if _, err := openVault(config{Env: "production"}, log); err == nil || !strings.Contains(err.Error(), "KIMIBV_MASTER_KEY_FILE") {
		t.Fatalf("production without key: err = %v", err)
	}
	missing := filepath.Join(t.TempDir(), "missing.key")
	if _, err := openVault(config{Env: "production", MasterKeyFile: missing}, log); err == nil {
		t.Fatal("production generated or accepted a missing key file")
	}
	if _, err := os.Stat(missing); err == nil {
		t.Fatal("production created a key file")
	}
	dev := filepath.Join(t.TempDir(), "sub", ".master-key")
	v1, err := openVault(config{Env: "development", MasterKeyFile: dev}, log)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(dev)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("development key file: %v, mode %v", err, st.Mode())
	}
	v2, err := openVault(config{Env: "production", MasterKeyFile: dev}, log)
	if err != nil || v2.Recipient() != v1.Recipient() {
		t.Fatalf("the created key is not reused: %v", err)
	}
	bad := filepath.Join(t.TempDir(), "bad.key")
	_ = os.WriteFile(bad, []byte("not a key\n"), 0o600)
	if _, err := openVault(config{Env: "production", MasterKeyFile: bad}, log); err == nil {
		t.Fatal("a malformed key file was accepted")
	}
}
