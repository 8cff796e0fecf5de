// Package templates holds the embedded HTML templates and the renderer that parses
// the layout and partials once and clones them for every page.
package templates

import (
	"bytes"
	"embed"
	"fmt"
	"html"
	"html/template"
	"io"
	"io/fs"
	"path"
	"regexp"
	"strings"
)

//go:embed layout.html partials/*.html pages/*.html
var files embed.FS

// Renderer executes pages; each page is the layout and partials cloned with the page parsed in.
type Renderer struct {
	pages map[string]*template.Template
}

// NewRenderer parses every template; a template error fails here, at start-up.
func NewRenderer() (*Renderer, error) {
	base, err := template.New("layout.html").Funcs(funcs()).ParseFS(files, "layout.html", "partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	names, err := fs.Glob(files, "pages/*.html")
	if err != nil {
		return nil, fmt.Errorf("list pages: %w", err)
	}
	r := &Renderer{pages: make(map[string]*template.Template, len(names))}
	for _, n := range names {
		t, err := base.Clone()
		if err != nil {
			return nil, fmt.Errorf("clone layout: %w", err)
		}
		if _, err := t.ParseFS(files, n); err != nil {
			return nil, fmt.Errorf("parse %s: %w", n, err)
		}
		r.pages[strings.TrimSuffix(path.Base(n), ".html")] = t
	}
	return r, nil
}

// Pages lists the names of all pages, for tests that render each one.
func (r *Renderer) Pages() []string {
	out := make([]string, 0, len(r.pages))
	for n := range r.pages {
		out = append(out, n)
	}
	return out
}

// Render writes page with the envelope p.
func (r *Renderer) Render(w io.Writer, page string, p *Page) error {
	t, ok := r.pages[page]
	if !ok {
		return fmt.Errorf("unknown page %q", page)
	}
	if p != nil && p.Form != nil && len(p.Form.Errors) > 0 {
		// A first pass finds the labels of the fields for the error summary (Form.Label).
		var first bytes.Buffer
		if err := t.ExecuteTemplate(&first, "layout.html", p); err != nil {
			return fmt.Errorf("render %s: %w", page, err)
		}
		p.Form.labels = fieldLabels(first.String())
	}
	if err := t.ExecuteTemplate(w, "layout.html", p); err != nil {
		return fmt.Errorf("render %s: %w", page, err)
	}
	return nil
}

// fieldLabel matches a label of a form control (id f-<name>) and its content.
var fieldLabel = regexp.MustCompile(`(?s)<label[^>]*\bfor="f-([^"]+)"[^>]*>(.*?)</label>`)

// fieldTags matches the tags inside a label; fieldOptional its "– optional" marker.
var (
	fieldTags     = regexp.MustCompile(`<[^>]*>`)
	fieldOptional = regexp.MustCompile(`(?s)<span class="kern-label__optional">.*?</span>`)
)

// fieldLabels returns the label text of every form control in a rendered page by field name.
func fieldLabels(page string) map[string]string {
	out := map[string]string{}
	for _, m := range fieldLabel.FindAllStringSubmatch(page, -1) {
		text := fieldTags.ReplaceAllString(fieldOptional.ReplaceAllString(m[2], ""), "")
		if text = strings.Join(strings.Fields(html.UnescapeString(text)), " "); text != "" {
			out[m[1]] = text
		}
	}
	return out
}
