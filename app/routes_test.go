package app_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// routeTable lists every route of the router as "METHOD path handler status", sorted:
// status is what an anonymous request gets (a POST comes with Sec-Fetch-Site:
// same-origin, so the CSRF check lets it through to the login check), which shows which
// routes need a login. Catch-all routes of echo groups show as echo_route_not_found.
func routeTable(t *testing.T, ta *testApp) []string {
	// Path parameters get these values (else 1): on a database without the demo they
	// name nothing that exists.
	params := map[string]string{"kreis": "musterland", "step": "antworten", "token": "ungueltig", "*": "css/app.css"}
	param, closureSuffix := regexp.MustCompile(`:[a-z]+|\*`), regexp.MustCompile(`(\.func\d+)+$`)
	c := ta.client()
	var out []string
	for _, r := range ta.echo.Routes() {
		// The handler's name without package, receiver and the compiler's numbering of
		// closures, e.g. "account" or "staticPage".
		name := strings.TrimSuffix(closureSuffix.ReplaceAllString(r.Name, ""), "-fm")
		name = name[strings.LastIndex(name, ".")+1:]
		line := r.Method + " " + r.Path + " " + name
		if r.Method == http.MethodGet || r.Method == http.MethodPost {
			path := param.ReplaceAllStringFunc(r.Path, func(p string) string {
				if v, ok := params[strings.TrimPrefix(p, ":")]; ok {
					return v
				}
				return "1"
			})
			req, _ := http.NewRequest(r.Method, ta.server.URL+path, nil)
			if r.Method == http.MethodPost {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Sec-Fetch-Site", "same-origin")
			}
			line += fmt.Sprintf(" %d", c.do(req).Status)
		}
		out = append(out, line)
	}
	sort.Strings(out)
	return out
}

// TestRouteTableUnchanged compares the route table (method, path, handler and what an
// anonymous request gets) with testdata/routes.golden. After an intended change of the
// routes, KIMIBV_UPDATE_GOLDEN=1 rewrites the file.
func TestRouteTableUnchanged(t *testing.T) {
	ta := newTestApp(t, false)
	got := routeTable(t, ta)
	file := filepath.Join("testdata", "routes.golden")
	if os.Getenv("KIMIBV_UPDATE_GOLDEN") == "1" {
		if err := os.WriteFile(file, []byte(strings.Join(got, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	wantSet, gotSet := map[string]bool{}, map[string]bool{}
	for _, l := range want {
		wantSet[l] = true
	}
	for _, l := range got {
		gotSet[l] = true
		if !wantSet[l] {
			t.Errorf("new or changed route: %s", l)
		}
	}
	for _, l := range want {
		if !gotSet[l] {
			t.Errorf("route gone or changed: %s", l)
		}
	}
}

// TestRouteAnonymousOutcomes: an anonymous request to a page that needs a login is sent
// to the login page with the address to return to; unknown addresses, also under the
// areas that need a login or a role, are 404, as are public pages of things that do not
// exist.
func TestRouteAnonymousOutcomes(t *testing.T) {
	ta := newTestApp(t, false)
	c := ta.client()
	for _, tt := range []struct {
		method, path string
		status       int
		location     string
	}{
		{"GET", "/konto", 303, "/anmelden?next=%2Fkonto"},
		{"GET", "/betrieb", 303, "/anmelden?next=%2Fbetrieb"},
		{"GET", "/verwaltung/musterland/verfahren", 303, "/anmelden?next=%2Fverwaltung%2Fmusterland%2Fverfahren"},
		{"GET", "/verwaltung/gibtsnicht/nutzer", 303, "/anmelden?next=%2Fverwaltung%2Fgibtsnicht%2Fnutzer"},
		{"GET", "/traeger/1/bewerbungen", 303, "/anmelden?next=%2Ftraeger%2F1%2Fbewerbungen"},
		{"GET", "/kreistag/musterland", 303, "/anmelden?next=%2Fkreistag%2Fmusterland"},
		{"POST", "/ausschreibungen/1/folgen", 303, "/anmelden?next=%2Fausschreibungen%2F1%2Ffolgen"},
		{"POST", "/traeger/1/dokumente", 303, "/anmelden?next=%2Ftraeger%2F1%2Fdokumente"},
		{"GET", "/verwaltung/musterland/gibtsnicht", 404, ""},
		{"GET", "/verwaltung/musterland/verfahren/1/gibtsnicht", 404, ""},
		{"GET", "/traeger/1/gibtsnicht", 404, ""},
		{"GET", "/betrieb/gibtsnicht", 404, ""},
		{"GET", "/kreistag/musterland/gibtsnicht", 404, ""},
		{"POST", "/verwaltung/musterland/nutzer", 404, ""},
		{"GET", "/gibtsnicht", 404, ""},
		{"GET", "/ausschreibungen/999999", 404, ""},
		{"GET", "/vergaben/999999", 404, ""},
		{"GET", "/ausschreibungen", 200, ""},
	} {
		req, _ := http.NewRequest(tt.method, ta.server.URL+tt.path, nil)
		if tt.method == http.MethodPost {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", "same-origin")
		}
		r := c.do(req)
		if r.Status != tt.status || r.Header.Get("Location") != tt.location {
			t.Errorf("%s %s: %d %q, want %d %q", tt.method, tt.path, r.Status, r.Header.Get("Location"), tt.status, tt.location)
		}
	}
}
