package templates

import (
	"strings"
	"testing"
)

func TestMarkdownEscapesRawHTMLAndNeutralisesLinks(t *testing.T) {
	cases := []struct {
		in          string
		want, never []string
	}{
		{"<script>alert(1)</script>", []string{"&lt;script&gt;alert(1)&lt;/script&gt;"}, []string{"<script"}},
		{"Text <img src=x onerror=alert(1)> mehr", []string{"&lt;img src=x onerror=alert(1)&gt;", "Text", "mehr"}, []string{"<img"}},
		{"<div onclick=\"x()\">\nHallo\n</div>", []string{"&lt;div onclick=&#34;x()&#34;&gt;", "Hallo"}, []string{"<div"}},
		{"[klick](javascript:alert(1))", []string{"klick"}, []string{"href", "javascript"}},
		{"[klick](JaVaScRiPt:alert(1))", []string{"klick"}, []string{"href"}},
		{"[klick](java\tscript:alert(1))", []string{"klick"}, []string{"href"}},
		{"[x](data:text/html;base64,PHNjcmlwdD4=)", []string{"x"}, []string{"href", "data:"}},
		{"![bild](data:image/png;base64,AAAA)", []string{"bild"}, []string{"<img", "data:"}},
		{"<javascript:alert(1)>", []string{"javascript:alert(1)"}, []string{"href"}},
		{"[Seite](jAvAsCript)", []string{`<a href="jAvAsCript">Seite</a>`}, nil}, // no colon: a relative address, harmless
		{"[Land NRW](https://www.land.nrw/)", []string{`<a href="https://www.land.nrw/">Land NRW</a>`}, nil},
		{"[Mail](mailto:ki@musterland.example)", []string{`href="mailto:ki@musterland.example"`}, nil},
		{"## Gegenstand\n\n- **fett** und _kursiv_\n- Äöü ß", []string{"<h2", "<strong>fett</strong>", "<em>kursiv</em>", "Äöü ß"}, nil},
	}
	for _, c := range cases {
		got := string(Markdown(c.in))
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%q: output lacks %q:\n%s", c.in, w, got)
			}
		}
		for _, n := range c.never {
			if strings.Contains(strings.ToLower(got), strings.ToLower(n)) {
				t.Errorf("%q: output contains %q:\n%s", c.in, n, got)
			}
		}
	}
}

func TestSafeURL(t *testing.T) {
	for u, ok := range map[string]bool{
		"https://x.de": true, "http://x.de": true, "mailto:a@b.de": true, "/ausschreibungen": true, "#k1": true, "seite?x=1:2": true,
		"javascript:x": false, " javascript:x": false, "JAVASCRIPT:x": false, "data:text/html,x": false, "vbscript:x": false,
		"file:///etc/passwd": false, "&#106;avascript:x": false, "": false,
	} {
		if SafeURL(u) != ok {
			t.Errorf("SafeURL(%q) = %v", u, !ok)
		}
	}
}
