package council_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"kimibv/models/core"
	"kimibv/models/council"
	"kimibv/models/dbtest"
)

// TestOParlFetchReadsTheResolutionOrSaysWhyNot fetches from a small OParl 1.1 server:
// a Paper and an AgendaItem give the same resolution; addresses off the system's host,
// broken, slow, oversized and missing objects give a German message and nothing else.
func TestOParlFetchReadsTheResolutionOrSaysWhyNot(t *testing.T) {
	t.Parallel()
	srv := dbtest.OParlServer(t)
	other := dbtest.OParlServer(t)
	system := srv.URL + "/oparl/v1/system"
	c := council.NewOParlClient()
	c.Timeout = 300 * time.Millisecond
	want := council.Resolution{PaperReference: "KT/0042/2026", PaperName: "Auswahl der Träger für das Kommunale Integrationsmanagement",
		PaperDate: "2026-03-04", MeetingName: "12. Sitzung des Kreistags", MeetingStart: "2026-03-12T17:00:00+01:00", AgendaNumber: "7.2",
		AgendaName: "Kommunales Integrationsmanagement: Auswahl der Träger", Result: "Beschlossen",
		ResolutionText: "Der Kreistag beschließt die Auswahl der Träger gemäß Vorlage KT/0042/2026.", WebURL: srv.URL + "/vo0050.asp?__kvonr=42"}
	for _, path := range []string{"/paper/749", "/agendaitem/15569"} {
		r, err := c.Fetch(context.Background(), system, srv.URL+path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		want.URL = srv.URL + path
		if *r != want {
			t.Errorf("%s:\n got  %+v\n want %+v", path, *r, want)
		}
	}
	for _, tc := range []struct{ system, url, msg string }{
		{"", srv.URL + "/paper/749", "noch kein Ratsinformationssystem"},
		{system, other.URL + "/paper/749", "gehört nicht zum Ratsinformationssystem"},
		{system, "file:///etc/passwd", "gehört nicht zum Ratsinformationssystem"},
		{system, "https://user@" + strings.TrimPrefix(srv.URL, "http://") + "/paper/749", "gehört nicht zum Ratsinformationssystem"},
		{system, srv.URL + "/broken/json", "keine gültige Drucksache"},
		{system, srv.URL + "/broken/paper", "keine gültige Drucksache"},
		{system, srv.URL + "/broken/body", "keine gültige Drucksache"},
		{system, srv.URL + "/slow/paper", "nicht rechtzeitig"},
		{system, srv.URL + "/big/paper", "Antwort zu groß"},
		{system, srv.URL + "/missing", "Status 404"},
	} {
		start := time.Now()
		r, err := c.Fetch(context.Background(), tc.system, tc.url)
		ve, ok := core.AsValidation(err)
		if r != nil || !ok || !ve.Has("oparl_url") || !strings.Contains(ve.Fields[0].Message, tc.msg) {
			t.Errorf("%s: %v %v, want %q", tc.url, r, err, tc.msg)
		}
		if !strings.Contains(ve.Error(), "bleiben unverändert") && !strings.Contains(ve.Error(), "Kreisverwaltung") {
			t.Errorf("%s: the message does not say the entries stay: %v", tc.url, err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%s took %v", tc.url, d)
		}
	}
}

// TestOnlyAKreisAdministratorSetsTheOParlSystem: an address must be http(s) with a host.
func TestOnlyAKreisAdministratorSetsTheOParlSystem(t *testing.T) {
	t.Parallel()
	for raw, ok := range map[string]bool{"https://ratsinfo.example.de/oparl/v1/system": true, "": true, "ftp://x/y": false,
		"ratsinfo.example.de": false, "https://a:b@ratsinfo.example.de/": false, "https://" + strings.Repeat("a", 500) + ".de/": false} {
		if _, err := council.CheckOParlSystem(raw); (err == nil) != ok {
			t.Errorf("CheckOParlSystem(%q): %v", raw, err)
		}
	}
}
