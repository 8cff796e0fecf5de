package models_test

import (
	"go/build"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestPackagesImportOnlyLowerLayers reads the imports of every domain package (without its
// tests) and fails when one imports a package on its own or a higher line, a package outside
// the layer list, or GORM below the storage layer.
func TestPackagesImportOnlyLowerLayers(t *testing.T) {
	// The domain packages lowest first, as models/doc.go and the README draw them.
	layers := []string{"core", "rules", "store", "audit", "vault", "postbox", "accounts", "sso", "calls", "consultation", "bids", "evaluation", "decision", "council", "forwarding", "opendata", "workarea"}
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	helpers := []string{"dbtest", "demo", "fixture", "ocdstest", "testdata"}
	for _, e := range entries {
		if e.IsDir() && !slices.Contains(layers, e.Name()) && !slices.Contains(helpers, e.Name()) {
			t.Errorf("models/%s is neither a layer nor a test helper: add it to the layers in models/doc.go, the README and this test", e.Name())
		}
	}
	for level, name := range layers {
		pkg, err := build.Default.ImportDir(filepath.Join(".", name), 0)
		if err != nil {
			t.Fatalf("read models/%s: %v", name, err)
		}
		for _, imp := range pkg.Imports {
			if strings.HasPrefix(imp, "gorm.io/") && level < slices.Index(layers, "store") {
				t.Errorf("models/%s imports %s: the pure rules must not know the database", name, imp)
			}
			if imp == "kimibv" || strings.HasPrefix(imp, "kimibv/app") || strings.HasPrefix(imp, "kimibv/cmd") || strings.HasPrefix(imp, "kimibv/templates") {
				t.Errorf("models/%s imports %s: the domain must not import the application", name, imp)
			}
			dep, ok := strings.CutPrefix(imp, "kimibv/models/")
			if !ok {
				continue
			}
			switch at := slices.Index(layers, dep); {
			case at < 0:
				t.Errorf("models/%s imports models/%s, which is not a layer", name, dep)
			case at >= level:
				t.Errorf("models/%s imports models/%s, which is not below it", name, dep)
			}
		}
	}
}
