package app_test

import (
	"net/http"
	"testing"
	"time"

	"kimibv/models/audit"
	"kimibv/models/demo"
)

// conditional sends a GET with the given validator header.
func (c *client) conditional(path, header, value string) *response {
	req, _ := http.NewRequest(http.MethodGet, c.base+path, nil)
	req.Header.Set(header, value)
	return c.do(req)
}

// TestPublicCallCaching: anonymous visitors get a weak ETag and Last-Modified on the call
// page and the list and 304 on a match; a new audit entry, an amendment-like row change or
// the running countdown changes the validator (a change made past the instance once its
// notification arrives); logged-in users get private, no-store and never 304.
func TestPublicCallCaching(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	var call struct {
		ID  int64
		Ref string
	}
	ta.store.DB.Raw(`SELECT id, ref FROM calls WHERE state = 'published' AND deadline > now() + interval '2 days' ORDER BY id LIMIT 1`).Scan(&call)
	if call.Ref == "" {
		t.Fatal("no open published call in the demo")
	}
	page := "/ausschreibungen/" + call.Ref
	anon := ta.client()

	for _, path := range []string{page, "/ausschreibungen"} {
		r := anon.get(path).wantStatus(t, 200)
		etag, lm := r.Header.Get("ETag"), r.Header.Get("Last-Modified")
		if len(etag) < 10 || etag[:3] != `W/"` || lm == "" || r.Header.Get("Cache-Control") != "public, no-cache" {
			t.Fatalf("%s: ETag %q, Last-Modified %q, Cache-Control %q", path, etag, lm, r.Header.Get("Cache-Control"))
		}
		if s := anon.conditional(path, "If-None-Match", etag); s.Status != 304 || s.Body != "" {
			t.Errorf("%s: If-None-Match → %d, want 304 without body", path, s.Status)
		}
		if s := anon.conditional(path, "If-None-Match", `W/"call-other"`); s.Status != 200 {
			t.Errorf("%s: other ETag → %d, want 200", path, s.Status)
		}
		if s := anon.conditional(path, "If-Modified-Since", lm); s.Status != 304 {
			t.Errorf("%s: If-Modified-Since → %d, want 304", path, s.Status)
		}
		old := time.Now().Add(-72 * time.Hour).UTC().Format(http.TimeFormat)
		if s := anon.conditional(path, "If-Modified-Since", old); s.Status != 200 {
			t.Errorf("%s: If-Modified-Since 3 days ago → %d, want 200", path, s.Status)
		}
	}

	// A new entry on the call's chain (an answered question, a closing, …) changes the page.
	etag := anon.get(page).Header.Get("ETag")
	if _, err := audit.Audit(ta.store.DB, audit.Event{Chain: audit.CallChain(call.ID), Action: "question.answered"}); err != nil {
		t.Fatal(err)
	}
	// Written past the instance: the change arrives by notification.
	if !eventually(notifyWithin, func() bool { return anon.conditional(page, "If-None-Match", etag).Status == 200 }) {
		t.Error("after a new chain entry: still 304")
	}
	// The countdown next to the deadline is part of the page: an hour later it is new.
	etag = anon.get(page).Header.Get("ETag")
	ta.clock.Advance(time.Hour)
	r := anon.conditional(page, "If-None-Match", etag).wantStatus(t, 200)
	if r.Header.Get("ETag") == etag {
		t.Error("ETag unchanged although the countdown moved")
	}

	// The list changes with any listed column of any call.
	list := anon.get("/ausschreibungen").Header.Get("ETag")
	if err := ta.store.DB.Exec(`UPDATE calls SET title = title || ' (neu)' WHERE id = ?`, call.ID).Error; err != nil {
		t.Fatal(err)
	}
	if !eventually(notifyWithin, func() bool { return anon.conditional("/ausschreibungen", "If-None-Match", list).Status == 200 }) {
		t.Fatal("list: still 304 after a listed column changed")
	}
	anon.conditional("/ausschreibungen", "If-None-Match", list).wantStatus(t, 200).wantContains(t, " (neu)")

	// Logged in: no validators, never 304.
	user := ta.client()
	user.login("awo@traeger.example", demo.Password)
	etag = anon.get(page).Header.Get("ETag")
	for _, path := range []string{page, "/ausschreibungen"} {
		r := user.conditional(path, "If-None-Match", etag).wantStatus(t, 200)
		if r.Header.Get("ETag") != "" || r.Header.Get("Cache-Control") != "private, no-store" {
			t.Errorf("%s logged in: ETag %q, Cache-Control %q", path, r.Header.Get("ETag"), r.Header.Get("Cache-Control"))
		}
	}
	anon.get("/ausschreibungen/999999").wantStatus(t, 404)
}
