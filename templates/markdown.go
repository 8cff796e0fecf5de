package templates

import (
	"bytes"
	"html"
	"html/template"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// markdownEngine renders CommonMark (no extensions: tables and HTML are not needed) with
// raw HTML escaped instead of passed through or dropped.
type markdownEngine struct{ md goldmark.Markdown }

func newMarkdown() *markdownEngine {
	return &markdownEngine{md: goldmark.New(
		goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(linkGuard{}, 100))),
		goldmark.WithRendererOptions(
			gmhtml.WithHardWraps(),
			renderer.WithNodeRenderers(util.Prioritized(escapeRawHTML{}, 100)),
		),
	)}
}

// Markdown renders user-written Markdown (e.g. a Leistungsbeschreibung) as HTML. It is the
// one audited place that turns user text into template.HTML:
//   - raw HTML (blocks and inline tags, also <script> and event handlers) is written as
//     escaped text, so it is visible but never executed and never silently lost;
//   - links and images whose address is not http(s):, mailto:, a relative path or an
//     anchor (javascript:, data:, vbscript:, file: …) are replaced by their text;
//   - images are always replaced by their description (calls carry no images; the CSP
//     would block foreign ones anyway);
//   - goldmark's own HTML renderer is in safe mode, so nothing unescaped gets through.
//
// Invalid UTF-8 is replaced; the function never fails (fuzzed in markdown_test.go).
func Markdown(src string) template.HTML {
	return newMarkdown().render(src)
}

func (m *markdownEngine) render(src string) template.HTML {
	src = strings.ToValidUTF8(src, "\uFFFD")
	var buf bytes.Buffer
	if err := m.md.Convert([]byte(src), &buf); err != nil {
		return template.HTML("<p>" + html.EscapeString(src) + "</p>") //nolint:gosec // escaped above
	}
	return template.HTML(buf.String()) //nolint:gosec // safe renderer, raw HTML escaped, links checked
}

// escapeRawHTML renders raw HTML nodes as escaped text.
type escapeRawHTML struct{}

// RegisterFuncs implements renderer.NodeRenderer.
func (escapeRawHTML) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindHTMLBlock, renderHTMLBlockEscaped)
	reg.Register(ast.KindRawHTML, renderRawHTMLEscaped)
}

func renderHTMLBlockEscaped(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	n := node.(*ast.HTMLBlock)
	if !entering {
		return ast.WalkContinue, nil
	}
	_, _ = w.WriteString("<p>")
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		if i > 0 {
			_, _ = w.WriteString("<br>\n")
		}
		_, _ = w.WriteString(html.EscapeString(strings.TrimRight(string(seg.Value(source)), "\r\n")))
	}
	if n.HasClosure() {
		_, _ = w.WriteString("<br>\n" + html.EscapeString(strings.TrimRight(string(n.ClosureLine.Value(source)), "\r\n")))
	}
	_, _ = w.WriteString("</p>\n")
	return ast.WalkSkipChildren, nil
}

func renderRawHTMLEscaped(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	n := node.(*ast.RawHTML)
	for i := 0; i < n.Segments.Len(); i++ {
		seg := n.Segments.At(i)
		_, _ = w.WriteString(html.EscapeString(string(seg.Value(source))))
	}
	return ast.WalkSkipChildren, nil
}

// linkGuard replaces links with unsafe addresses and all images by their text.
type linkGuard struct{}

// Transform implements parser.ASTTransformer.
func (linkGuard) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	var replace []ast.Node
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch l := n.(type) {
		case *ast.Link:
			if !SafeURL(string(l.Destination)) {
				replace = append(replace, n)
			}
		case *ast.AutoLink:
			if !SafeURL(string(l.URL(reader.Source()))) {
				replace = append(replace, n)
			}
		case *ast.Image:
			replace = append(replace, n)
		}
		return ast.WalkContinue, nil
	})
	for _, n := range replace {
		parent := n.Parent()
		if parent == nil {
			continue
		}
		if al, ok := n.(*ast.AutoLink); ok {
			parent.ReplaceChild(parent, n, ast.NewString(al.Label(reader.Source())))
			continue
		}
		for c := n.FirstChild(); c != nil; {
			next := c.NextSibling()
			parent.InsertBefore(parent, n, c)
			c = next
		}
		parent.RemoveChild(parent, n)
	}
}

// SafeURL reports whether a link address is harmless: http(s), mailto, a relative path or
// an anchor. Control characters and whitespace that browsers ignore are removed first.
func SafeURL(u string) bool {
	u = strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f {
			return -1
		}
		return r
	}, strings.ToLower(html.UnescapeString(u)))
	if u == "" {
		return false
	}
	i := strings.IndexAny(u, ":/?#")
	if i < 0 || u[i] != ':' {
		return true // no scheme: relative address or anchor
	}
	scheme := u[:i]
	return scheme == "http" || scheme == "https" || scheme == "mailto"
}
