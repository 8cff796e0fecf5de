package ocdstest_test

import (
	"strings"
	"testing"

	"kimibv/models/ocdstest"
)

const good = `{"uri":"https://x.test/ocds/releases.json","version":"1.1","publishedDate":"2026-01-01T00:00:00Z",
 "publisher":{"name":"Test"},"releases":[{"ocid":"ocds-abc123-1","id":"r1","date":"2026-01-01T00:00:00Z",
 "tag":["tender"],"initiationType":"tender","parties":[{"id":"k","name":"Kreis","roles":["buyer"]}],
 "tender":{"id":"t","status":"active","procurementMethod":"open","value":{"amount":1,"currency":"EUR"}}}]}`

// TestValidatorRejectsWhatOCDSForbids makes sure the validator is not a no-op: the
// referenced release schema, formats and codelists are all checked.
func TestValidatorRejectsWhatOCDSForbids(t *testing.T) {
	t.Parallel()
	v := ocdstest.Load(t)
	if err := v.Check([]byte(good)); err != nil {
		t.Fatalf("valid package refused: %v", err)
	}
	for name, bad := range map[string][2]string{
		"no uri":           {`"uri":"https://x.test/ocds/releases.json",`, ``},
		"release date":     {`"date":"2026-01-01T00:00:00Z"`, `"date":"gestern"`},
		"release no ocid":  {`"ocid":"ocds-abc123-1",`, ``},
		"tag":              {`"tag":["tender"]`, `"tag":["angebot"]`},
		"tender status":    {`"status":"active"`, `"status":"offen"`},
		"party role":       {`"roles":["buyer"]`, `"roles":["kaeufer"]`},
		"currency":         {`"currency":"EUR"`, `"currency":"Euro"`},
		"method":           {`"procurementMethod":"open"`, `"procurementMethod":"ibv"`},
		"amount as string": {`"amount":1`, `"amount":"1"`},
	} {
		body := strings.Replace(good, bad[0], bad[1], 1)
		if body == good {
			t.Fatalf("%s: replacement did not apply", name)
		}
		if err := v.Check([]byte(body)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
