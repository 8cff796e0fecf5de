package ocdstest

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Schema URLs as the package schema refers to them.
const (
	releaseURL = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"
	packageURL = "https://standard.open-contracting.org/schema/1__1__5/release-package-schema.json"
)

// Validator checks packages against the schema and the codelists used by kimibv.
type Validator struct {
	Dir       string
	schema    *jsonschema.Schema
	codelists map[string][]string // codelist file name → codes
}

// Dir returns the directory of the OCDS 1.1.5 schema: ../shared/ocds/1.1.5 relative to
// the repository root (the directory holding go.mod), "" when it does not exist.
func Dir(t testing.TB) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			dir := filepath.Join(d, "..", "shared", "ocds", "1.1.5")
			if _, err := os.Stat(filepath.Join(dir, "release-package-schema.json")); err != nil {
				return ""
			}
			return dir
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

// Load compiles the schema with format assertions. Without the schema directory the test
// is skipped with a message — except under CI=true, where that is a failure.
func Load(t testing.TB) *Validator {
	t.Helper()
	dir := Dir(t)
	if dir == "" {
		msg := "OCDS 1.1.5 schema not found at ../shared/ocds/1.1.5 next to the repository; open-data validation needs it"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	c.AssertFormat()
	for url, file := range map[string]string{releaseURL: "release-schema.json", packageURL: "release-package-schema.json"} {
		f, err := os.Open(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if err := c.AddResource(url, doc); err != nil {
			t.Fatalf("add %s: %v", file, err)
		}
	}
	sch, err := c.Compile(packageURL)
	if err != nil {
		t.Fatalf("compile OCDS package schema: %v", err)
	}
	v := &Validator{Dir: dir, schema: sch, codelists: map[string][]string{}}
	for _, name := range []string{"releaseTag", "tenderStatus", "partyRole", "initiationType", "method", "procurementCategory",
		"awardCriteria", "submissionMethod", "documentType", "awardStatus", "currency", "milestoneType", "milestoneStatus"} {
		v.codelists[name] = readCodes(t, filepath.Join(dir, "codelists", name+".csv"))
	}
	return v
}

// readCodes returns the Code column of a codelist CSV.
func readCodes(t testing.TB, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("codelist %s: %v", path, err)
	}
	col := slices.Index(rows[0], "Code")
	if col < 0 {
		t.Fatalf("codelist %s has no Code column", path)
	}
	var codes []string
	for _, r := range rows[1:] {
		codes = append(codes, r[col])
	}
	return codes
}

// Check validates body against the package schema (and through it every release against
// the release schema) and the codes against their codelists.
func (v *Validator) Check(body []byte) error {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	if err := v.schema.Validate(inst); err != nil {
		return fmt.Errorf("does not validate against the OCDS 1.1.5 release package schema:\n%w", err)
	}
	var pkg map[string]any
	if err := json.Unmarshal(body, &pkg); err != nil {
		return err
	}
	if bad := v.codeViolations(pkg); len(bad) > 0 {
		return fmt.Errorf("codes outside their codelists: %s", strings.Join(bad, "; "))
	}
	return nil
}

// Package fails the test unless body passes Check; it returns the decoded package.
func (v *Validator) Package(t testing.TB, name string, body []byte) map[string]any {
	t.Helper()
	if err := v.Check(body); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var pkg map[string]any
	if err := json.Unmarshal(body, &pkg); err != nil {
		t.Fatal(err)
	}
	return pkg
}

// codeViolations lists the codes of pkg that are not in their codelist.
func (v *Validator) codeViolations(pkg map[string]any) []string {
	var out []string
	check := func(list, where string, code any) {
		if code == nil {
			return // absent optional field; the schema enforces required ones
		}
		s, ok := code.(string)
		if !ok || !slices.Contains(v.codelists[list], s) {
			out = append(out, fmt.Sprintf("%s %v is not in codelist %s", where, code, list))
		}
	}
	releases, _ := pkg["releases"].([]any)
	for _, x := range releases {
		r := x.(map[string]any)
		id := fmt.Sprint(r["id"])
		for _, tag := range list(r["tag"]) {
			check("releaseTag", id+" tag", tag)
		}
		check("initiationType", id+" initiationType", r["initiationType"])
		for _, p := range list(r["parties"]) {
			for _, role := range list(obj(p)["roles"]) {
				check("partyRole", id+" party role", role)
			}
		}
		if pl := obj(r["planning"]); pl != nil {
			for _, d := range list(pl["documents"]) {
				check("documentType", id+" planning documentType", obj(d)["documentType"])
			}
			for _, m := range list(pl["milestones"]) {
				check("milestoneType", id+" milestone type", obj(m)["type"])
				check("milestoneStatus", id+" milestone status", obj(m)["status"])
			}
		}
		if t := obj(r["tender"]); t != nil {
			check("tenderStatus", id+" tender.status", t["status"])
			check("method", id+" procurementMethod", t["procurementMethod"])
			check("procurementCategory", id+" mainProcurementCategory", t["mainProcurementCategory"])
			check("awardCriteria", id+" awardCriteria", t["awardCriteria"])
			for _, m := range list(t["submissionMethod"]) {
				check("submissionMethod", id+" submissionMethod", m)
			}
			for _, l := range list(t["lots"]) {
				check("tenderStatus", id+" lot status", obj(l)["status"])
			}
			for _, d := range list(t["documents"]) {
				check("documentType", id+" documentType", obj(d)["documentType"])
			}
			checkValue(check, id+" tender.value", t["value"])
		}
		for _, a := range list(r["awards"]) {
			check("awardStatus", id+" award status", obj(a)["status"])
			checkValue(check, id+" award value", obj(a)["value"])
		}
	}
	return out
}

// checkValue checks a Value's currency when present.
func checkValue(check func(list, where string, code any), where string, v any) {
	if o := obj(v); o != nil {
		check("currency", where+" currency", o["currency"])
	}
}

func list(v any) []any { l, _ := v.([]any); return l }

func obj(v any) map[string]any { o, _ := v.(map[string]any); return o }
