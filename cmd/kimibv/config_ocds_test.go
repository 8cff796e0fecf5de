package main

import (
	"strings"
	"testing"
)

func TestOCIDPrefixDefaultAndValidation(t *testing.T) {
	for _, s := range settings() {
		t.Setenv(s.Name, "")
	}
	t.Setenv("DATABASE_URL", "postgres://x@localhost/kimibv")
	c, err := loadConfig()
	if err != nil || c.OCIDPrefix != "ocds-kimibv" {
		t.Fatalf("default prefix %q, %v", c.OCIDPrefix, err)
	}
	t.Setenv("KIMIBV_OCID_PREFIX", "ocds-a1b2c3")
	if c, err := loadConfig(); err != nil || c.OCIDPrefix != "ocds-a1b2c3" {
		t.Fatalf("prefix %q, %v", c.OCIDPrefix, err)
	}
	for _, bad := range []string{"ocds a1b2c3", "-ocds", "ocds/x", strings.Repeat("x", 41)} {
		t.Setenv("KIMIBV_OCID_PREFIX", bad)
		if _, err := loadConfig(); err == nil || !strings.Contains(err.Error(), "KIMIBV_OCID_PREFIX") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
