package dbtest

import (
	"embed"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

//go:embed oparl/*.json
var oparlFiles embed.FS

// OParlServer starts a small OParl 1.1 server for a test: System, Body, Paper,
// Consultation, Meeting and AgendaItem shaped as the specification's examples (with the
// server's own address as their ids), plus broken ones under /broken/ (not JSON, a name
// that is no text, a Body where a Paper is expected), /slow/paper (answers after two
// seconds), /big/paper (2 MiB) and /missing (404).
func OParlServer(t testing.TB) *httptest.Server {
	t.Helper()
	var srv *httptest.Server
	file := func(name string) string {
		b, err := oparlFiles.ReadFile("oparl/" + name + ".json")
		if err != nil {
			t.Errorf("oparl fixture %s: %v", name, err)
		}
		return strings.ReplaceAll(string(b), "BASE", srv.URL)
	}
	objects := map[string]string{"/oparl/v1/system": "system", "/bodies/1": "body", "/paper/749": "paper",
		"/consultation/47594": "consultation", "/meeting/243": "meeting", "/agendaitem/15569": "agendaitem", "/broken/body": "body"}
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch p := r.URL.Path; {
		case objects[p] != "":
			_, _ = w.Write([]byte(file(objects[p])))
		case p == "/broken/json":
			_, _ = w.Write([]byte(`{"id": "` + srv.URL + `/broken/json", "type": `))
		case p == "/broken/paper":
			_, _ = w.Write([]byte(`{"id": "` + srv.URL + `/broken/paper", "type": "https://schema.oparl.org/1.1/Paper", "name": 42}`))
		case p == "/slow/paper":
			select {
			case <-time.After(2 * time.Second):
			case <-r.Context().Done():
				return
			}
			_, _ = w.Write([]byte(file("paper")))
		case p == "/big/paper":
			_, _ = w.Write([]byte(`{"id": "` + srv.URL + `/big/paper", "name": "` + strings.Repeat("x", 2<<20) + `"}`))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}
