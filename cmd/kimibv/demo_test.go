package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"kimibv/models/dbtest"
	"kimibv/models/store"
	"kimibv/models/vault"
)

// TestDemoLinksFollowTheBaseURL loads the demonstration with `kimibv demo` and
// KIMIBV_BASE_URL set: every link in its e-mails and Postfach messages begins with that
// address (none with the default http://localhost:8080), and each kind of message the
// demonstration sends with a link has one.
func TestDemoLinksFollowTheBaseURL(t *testing.T) {
	const base = "https://kimibv.kreis-musterland.example"
	url := dbtest.NewURL(t)
	t.Setenv("DATABASE_URL", url)
	t.Setenv("KIMIBV_ENV", "development")
	t.Setenv("KIMIBV_LOG_LEVEL", "error")
	keyFile := filepath.Join(t.TempDir(), "master-key")
	t.Setenv("KIMIBV_MASTER_KEY_FILE", keyFile)
	t.Setenv("KIMIBV_BASE_URL", base+"/")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"demo", "--defer-procedures"}, &out); err != nil {
		t.Fatalf("kimibv demo: %v\n%s", err, out.String())
	}
	st, err := store.Open(context.Background(), url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// Mails and Postfach messages are sealed at rest: read them with the demo's master key.
	vlt, err := vault.LoadVault(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := vault.BindVault(st.DB, vlt); err != nil {
		t.Fatal(err)
	}
	var msgs []struct{ Kind, Body string }
	for _, m := range dbtest.Mails(t, st.DB, "") {
		msgs = append(msgs, struct{ Kind, Body string }{m.Kind, m.Body})
	}
	for _, m := range dbtest.Inbox(t, st.DB, "") {
		msgs = append(msgs, struct{ Kind, Body string }{m.Kind, m.Body})
	}
	linked := map[string]bool{}
	for _, m := range msgs {
		for _, link := range regexp.MustCompile(`https?://[^\s)]+`).FindAllString(m.Body, -1) {
			if !strings.HasPrefix(link, base+"/") {
				t.Errorf("%s message links to %s, not to %s", m.Kind, link, base)
			}
			linked[m.Kind] = true
		}
	}
	for _, kind := range []string{"invitation", "own_answered", "answer_published", "amendment", "bid_receipt"} {
		if !linked[kind] {
			t.Errorf("no %s message with a link among %d messages", kind, len(msgs))
		}
	}
}
