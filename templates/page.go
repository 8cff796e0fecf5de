package templates

import (
	"net/url"

	"kimibv/models/core"
)

// Page is the typed envelope every page receives.
type Page struct {
	Title     string         // document title (without the site name)
	Path      string         // request path, for navigation state
	CSRF      string         // token for the hidden _csrf field
	User      *core.Actor    // nil when anonymous
	Nav       []NavItem      // the user's areas (Kreise, organisations, operator)
	Flash     string         // one-time success message after a redirect
	Form      *Form          // the submitted form with field errors (422 re-render)
	Data      any            // page-specific data
	RequestID string         // shown on error pages for support
	Status    int            // HTTP status of the answer
	Crumbs    []NavItem      // breadcrumb trail
	Meta      map[string]any // small extras (e.g. links for feeds)
}

// NavItem is a link in the navigation or breadcrumb.
type NavItem struct {
	Label   string
	Href    string
	Context string // read to screen readers after the label (e.g. whose Postfach)
	Count   int    // unread messages, shown as a badge when positive
}

// Form carries submitted values and validation failures for re-rendering.
type Form struct {
	Values url.Values
	Errors []core.FieldError
	labels map[string]string // field name → label text, read from a first rendering (Render)
}

// Label returns the label of the field name as the page shows it (<label for="f-name">),
// or "" when the control has none. The error summary names each field with it; Render
// executes a page with errors twice so that the summary at the top knows the labels.
func (f *Form) Label(name string) string {
	if f == nil {
		return ""
	}
	return f.labels[name]
}

// NewForm wraps submitted values (nil allowed) and the failures of err, if it is a validation error.
func NewForm(values url.Values, err error) *Form {
	f := &Form{Values: values}
	if v, ok := core.AsValidation(err); ok {
		f.Errors = v.Fields
	}
	if f.Values == nil {
		f.Values = url.Values{}
	}
	return f
}

// Get returns the submitted value of name.
func (f *Form) Get(name string) string {
	if f == nil {
		return ""
	}
	return f.Values.Get(name)
}

// Has reports whether a checkbox or multi-value field contains value.
func (f *Form) Has(name, value string) bool {
	if f == nil {
		return false
	}
	for _, v := range f.Values[name] {
		if v == value {
			return true
		}
	}
	return false
}

// Error returns the first message for field, or "".
func (f *Form) Error(field string) string {
	if f == nil {
		return ""
	}
	for _, e := range f.Errors {
		if e.Field == field {
			return e.Message
		}
	}
	return ""
}
