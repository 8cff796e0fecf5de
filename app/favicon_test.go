package app_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestFaviconIsServedAndLinked asks for the favicon where browsers look for it without
// being told (/favicon.ico) and where every page links it (the SVG).
func TestFaviconIsServedAndLinked(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, false)
	c := ta.client()
	ico := c.get("/favicon.ico").wantStatus(t, http.StatusOK)
	if !strings.HasPrefix(ico.Body, "\x00\x00\x01\x00") || !strings.Contains(ico.Header.Get("Cache-Control"), "max-age=") {
		t.Errorf("/favicon.ico: not an icon file or not cacheable (%q, %d bytes)", ico.Header.Get("Cache-Control"), len(ico.Body))
	}
	svg := c.get("/static/favicon.svg").wantStatus(t, http.StatusOK)
	if ct := svg.Header.Get("Content-Type"); ct != "image/svg+xml" || !strings.Contains(svg.Body, "<svg") {
		t.Errorf("/static/favicon.svg: Content-Type %q", ct)
	}
	c.get("/").wantStatus(t, http.StatusOK).wantContains(t, `<link rel="icon" href="/favicon.ico"`, `<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">`)
}
