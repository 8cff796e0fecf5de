package templates

import (
	"html"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

var (
	reTag       = regexp.MustCompile(`<[a-zA-Z][^>]*>`)
	reTagAttr   = regexp.MustCompile(`\s([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?`)
	reTagName   = regexp.MustCompile(`^<([a-zA-Z][a-zA-Z0-9]*)`)
	allowedTags = map[string]bool{"p": true, "em": true, "strong": true, "a": true, "ul": true, "ol": true, "li": true, "code": true, "pre": true,
		"blockquote": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "br": true, "hr": true, "table": true, "thead": true,
		"tbody": true, "tr": true, "th": true, "td": true, "del": true, "span": true}
)

// FuzzMarkdownNoActiveContent parses every tag of the output: only harmless elements, no
// event-handler attribute (on…=), no style, and no link or source whose scheme — after
// entity decoding and removal of whitespace and control characters, as browsers do — is
// javascript:, vbscript: or data:. The output must be valid UTF-8. A relative address that
// merely reads "javascript" (no colon) is harmless and allowed.
func FuzzMarkdownNoActiveContent(f *testing.F) {
	for _, s := range []string{"[x](jav&#x61;script:alert(1))", "[x](&#106;avascript:alert(1))", "<a href=\"javascript:x\" onclick=\"y\">z</a>",
		"![bild](javascript:alert(1))", "[x](\x01javascript:alert(1))", "<svg/onload=alert(1)>", "*<b onmouseover=x>*", "[x](data:text/html,<script>)",
		"| a | b |\n|---|---|\n| <script> | [l](vbscript:x) |", "<scr<script>ipt>alert(1)</script>", "`<img src=x onerror=y>`", "[a](//evil.example)",
		"<script>x</script>", "[a](javascript:b)", "<img onerror=x>", "*a* <b>c</b>", "```\n<x>\n```", "<!-- x -->", "<a href='javascript:x'>y</a>", "[](jAvAsCript)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := string(Markdown(in))
		if !utf8.ValidString(out) {
			t.Fatalf("%q produced invalid UTF-8", in)
		}
		for _, tag := range reTag.FindAllString(out, -1) {
			name := strings.ToLower(reTagName.FindStringSubmatch(tag)[1])
			if !allowedTags[name] {
				t.Fatalf("%q produced element %s: %q", in, name, tag)
			}
			for _, a := range reTagAttr.FindAllStringSubmatch(tag[len(name)+1:], -1) {
				attr := strings.ToLower(a[1])
				val := html.UnescapeString(a[2] + a[3] + a[4])
				if strings.HasPrefix(attr, "on") || attr == "style" || attr == "srcdoc" || attr == "formaction" {
					t.Fatalf("%q produced attribute %s in %q", in, attr, tag)
				}
				if attr == "href" || attr == "src" || attr == "action" || attr == "xlink:href" {
					scheme := strings.ToLower(strings.Map(func(r rune) rune {
						if r <= ' ' || r == 0x7f {
							return -1
						}
						return r
					}, val))
					for _, bad := range []string{"javascript:", "vbscript:", "data:"} {
						if strings.HasPrefix(scheme, bad) {
							t.Fatalf("%q produced %s=%q", in, attr, val)
						}
					}
				}
			}
		}
	})
}
