package models_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"kimibv/models/audit"
)

// auditActionLiteral matches the action names the code writes: a string literal of an
// object kind, a dot and a verb ("call.published", "bid.submitted").
var auditActionLiteral = regexp.MustCompile(`"((?:auth|user|tenant|invitation|organization|wallet|call|bids?|question|opening|formal|coi|committee|sheet|consolidation|decision|notices|objection|outbox|council|document)\.[a-z_]+)"`)

// TestEveryActionTheCodeCanWriteHasALabel reads the application's source (models and
// app, without tests) and checks that every action name in it has a German label, so
// that no protocol shows an action's internal name.
func TestEveryActionTheCodeCanWriteHasALabel(t *testing.T) {
	t.Parallel()
	found := 0
	for _, root := range []string{".", "../app"} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, m := range auditActionLiteral.FindAllStringSubmatch(string(src), -1) {
				found++
				if !audit.HasActionLabel(m[1]) {
					t.Errorf("%s: action %q has no German label (models/audit/audit_actions.go)", path, m[1])
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if found < 50 {
		t.Fatalf("only %d action names found in the source; the scan is broken", found)
	}
}
