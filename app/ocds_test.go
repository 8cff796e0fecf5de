package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"kimibv/models/ocdstest"
	"kimibv/models/opendata"
)

// TestOCDSRoutesServeValidPackagesForEveryDemoProcedure validates every package the
// demonstration produces, by number and by reference, and checks headers and links.
func TestOCDSRoutesServeValidPackagesForEveryDemoProcedure(t *testing.T) {
	t.Parallel()
	v := ocdstest.Load(t)
	ta := newTestApp(t, true)
	c := ta.client()

	all := c.get("/ocds/releases.json").wantStatus(t, http.StatusOK)
	if ct := all.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("content type %q", ct)
	}
	if all.Header.Get("Set-Cookie") != "" || all.Header.Get("ETag") == "" || all.Header.Get("Last-Modified") == "" {
		t.Fatalf("headers %v", all.Header)
	}
	pkg := v.Package(t, "/ocds/releases.json", []byte(all.Body))
	if pkg["uri"] != "http://kimibv.test/ocds/releases.json" || pkg["publisher"].(map[string]any)["name"] != "Testbetrieb" {
		t.Errorf("package head %v %v", pkg["uri"], pkg["publisher"])
	}

	var callRows []struct {
		ID  int64
		Ref string
	}
	ta.store.DB.Raw(`SELECT id, ref FROM calls WHERE state <> 'draft' ORDER BY id`).Scan(&callRows)
	if len(callRows) < 2 {
		t.Fatalf("demo has %d public calls", len(callRows))
	}
	releases := 0
	for _, call := range callRows {
		byRef := c.get("/ocds/"+call.Ref+"/releases.json").wantStatus(t, http.StatusOK)
		one := v.Package(t, call.Ref, []byte(byRef.Body))
		byID := c.get(fmt.Sprintf("/ocds/%d/releases.json", call.ID)).wantStatus(t, http.StatusOK)
		if byID.Body != byRef.Body {
			t.Errorf("%s: package by number differs from package by reference", call.Ref)
		}
		for _, r := range one["releases"].([]any) {
			if ocid := r.(map[string]any)["ocid"]; ocid != opendata.DefaultOCIDPrefix+"-"+call.Ref {
				t.Errorf("ocid %v", ocid)
			}
		}
		releases += len(one["releases"].([]any))
		c.get("/ausschreibungen/"+call.Ref).wantStatus(t, http.StatusOK).
			wantContains(t, `href="/ocds/`+call.Ref+`/releases.json"`)
	}
	if n := len(pkg["releases"].([]any)); n != releases {
		t.Errorf("whole package %d releases, procedures together %d", n, releases)
	}
	c.get("/ausschreibungen").wantStatus(t, http.StatusOK).wantContains(t, `href="/ocds/releases.json"`)

	var draft string
	ta.store.DB.Raw(`SELECT ref FROM calls WHERE state = 'draft' LIMIT 1`).Scan(&draft)
	c.get("/ocds/"+draft+"/releases.json").wantStatus(t, http.StatusNotFound)
	c.get("/ocds/unbekannt-2026-01/releases.json").wantStatus(t, http.StatusNotFound)

	// The same export later: same body (stable ocids and release ids), same ETag.
	ta.clock.Advance(48 * time.Hour)
	if again := c.get("/ocds/releases.json"); again.Body != all.Body || again.Header.Get("ETag") != all.Header.Get("ETag") {
		t.Error("export changed without a change of the data")
	}
}

// TestOCDSConditionalRequests answers 304 to a matching ETag or an unchanged date.
func TestOCDSConditionalRequests(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	c := ta.client()
	path := "/ocds/" + ta.demoRef() + "/releases.json"
	first := c.get(path).wantStatus(t, http.StatusOK)
	etag, modified := first.Header.Get("ETag"), first.Header.Get("Last-Modified")
	var pkg struct{ PublishedDate string }
	if err := json.Unmarshal([]byte(first.Body), &pkg); err != nil {
		t.Fatal(err)
	}
	if lm, _ := http.ParseTime(modified); lm.Format(time.RFC3339) != pkg.PublishedDate {
		t.Errorf("Last-Modified %s, publishedDate %s", modified, pkg.PublishedDate)
	}
	for name, h := range map[string][2]string{
		"etag":        {"If-None-Match", etag},
		"strong form": {"If-None-Match", strings.TrimPrefix(etag, "W/")},
		"list":        {"If-None-Match", `"x", ` + etag},
		"date":        {"If-Modified-Since", modified},
	} {
		req, _ := http.NewRequest(http.MethodGet, c.base+path, nil)
		req.Header.Set(h[0], h[1])
		if res := c.do(req); res.Status != http.StatusNotModified || res.Body != "" {
			t.Errorf("%s: status %d", name, res.Status)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, c.base+path, nil)
	req.Header.Set("If-None-Match", `"anders"`)
	c.do(req).wantStatus(t, http.StatusOK)
	req, _ = http.NewRequest(http.MethodGet, c.base+path, nil)
	req.Header.Set("If-Modified-Since", "Mon, 02 Jan 2006 15:04:05 GMT")
	c.do(req).wantStatus(t, http.StatusOK)
}
