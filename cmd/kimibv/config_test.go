package main

import (
	"os"
	"strings"
	"testing"
)

func TestReadmeDocumentsEveryVariable(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range settings() {
		row := "| `" + s.Name + "` |"
		if !strings.Contains(string(b), row) {
			t.Errorf("README configuration table lacks %s", s.Name)
		}
		if s.Default != "" && !strings.Contains(string(b), row+" `"+s.Default+"` |") {
			t.Errorf("README states another default for %s (want %q)", s.Name, s.Default)
		}
	}
}

func TestLoadConfigDefaultsSecretsFromFilesAndErrors(t *testing.T) {
	for _, s := range settings() {
		t.Setenv(s.Name, "")
	}
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/db", []byte("postgres://x@localhost/kimibv\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DATABASE_URL_FILE", dir+"/db")
	c, err := loadConfig()
	if err != nil {
		t.Fatal(err)
	}
	if c.DatabaseURL != "postgres://x@localhost/kimibv" || c.Listen != ":8080" || c.MaxBodyBytes != 110<<20 || c.SMTPPort != 587 {
		t.Fatalf("defaults/secret file: %+v", c)
	}
	t.Setenv("KIMIBV_SESSION_IDLE", "zwei Stunden")
	t.Setenv("KIMIBV_ENV", "staging")
	t.Setenv("KIMIBV_SMTP_TLS", "ssl")
	_, err = loadConfig()
	if err == nil {
		t.Fatal("invalid settings accepted")
	}
	for _, name := range []string{"KIMIBV_SESSION_IDLE", "KIMIBV_ENV", "KIMIBV_SMTP_TLS"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s: %v", name, err)
		}
	}
	t.Setenv("DATABASE_URL_FILE", dir+"/missing")
	if _, err := loadConfig(); err == nil {
		t.Fatal("missing secret file accepted")
	}
}

// TestMetricsListenerIsOffByDefaultAndNeverThePublicAddress: without
// KIMIBV_METRICS_LISTEN there is no metrics listener; the public address is refused for it.
func TestMetricsListenerIsOffByDefaultAndNeverThePublicAddress(t *testing.T) {
	for _, s := range settings() {
		t.Setenv(s.Name, "")
	}
	t.Setenv("DATABASE_URL", "postgres://x@localhost/kimibv")
	c, err := loadConfig()
	if err != nil || c.MetricsListen != "" {
		t.Fatalf("default metrics listener %q, %v", c.MetricsListen, err)
	}
	t.Setenv("KIMIBV_METRICS_LISTEN", "127.0.0.1:9090")
	if c, err = loadConfig(); err != nil || c.MetricsListen != "127.0.0.1:9090" {
		t.Fatalf("metrics listener %q, %v", c.MetricsListen, err)
	}
	t.Setenv("KIMIBV_LISTEN", "127.0.0.1:9090")
	if _, err = loadConfig(); err == nil || !strings.Contains(err.Error(), "KIMIBV_METRICS_LISTEN") {
		t.Fatalf("metrics on the public address accepted: %v", err)
	}
}
