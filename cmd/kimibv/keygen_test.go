package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kimibv/models/vault"
)

func TestKeygenCreatesOnceAndNeverOverwrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys", "master.key")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"keygen", path}, &out); err != nil {
		t.Fatal(err)
	}
	first, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v", st.Mode().Perm())
	}
	if _, err := vault.LoadVault(path); err != nil {
		t.Fatalf("generated key does not load: %v", err)
	}
	out.Reset()
	if err := run(context.Background(), []string{"keygen", path}, &out); err != nil {
		t.Fatal(err)
	}
	second, _ := os.ReadFile(path)
	if !bytes.Equal(first, second) || !strings.Contains(out.String(), "unchanged") {
		t.Fatal("keygen overwrote an existing master key")
	}
	if err := run(context.Background(), []string{"keygen"}, &out); err == nil {
		t.Fatal("keygen without a file accepted")
	}
}
