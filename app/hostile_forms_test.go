package app_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// htmlForm is a POST form found on a page: its action and fields with their current values
// (hidden fields, prefilled inputs, the selected option, checked boxes) and file inputs.
type htmlForm struct {
	Action    string
	Multipart bool
	Fields    url.Values
	Editable  []string // text-like fields the user types into (the corpus targets)
	Hidden    []string
	Files     []string
}

var (
	reForm     = regexp.MustCompile(`(?s)<form\b([^>]*)>(.*?)</form>`)
	reAttr     = regexp.MustCompile(`([a-zA-Z_:-]+)(?:="([^"]*)")?`)
	reControl  = regexp.MustCompile(`(?s)<input\b([^>]*)>|<textarea\b([^>]*)>(.*?)</textarea>|<select\b([^>]*)>(.*?)</select>`)
	reOption   = regexp.MustCompile(`(?s)<option\b([^>]*)>`)
	reSelected = regexp.MustCompile(`\bselected\b`)
)

func attrs(tag string) map[string]string {
	m := map[string]string{}
	for _, a := range reAttr.FindAllStringSubmatch(tag, -1) {
		m[strings.ToLower(a[1])] = html.UnescapeString(a[2])
	}
	return m
}

// postForms extracts the POST forms of a page.
func postForms(page string) []htmlForm {
	var out []htmlForm
	for _, fm := range reForm.FindAllStringSubmatch(page, -1) {
		fa := attrs(fm[1])
		if !strings.EqualFold(fa["method"], "post") || !strings.HasPrefix(fa["action"], "/") {
			continue
		}
		f := htmlForm{Action: fa["action"], Multipart: fa["enctype"] == "multipart/form-data", Fields: url.Values{}}
		for _, m := range reControl.FindAllStringSubmatch(fm[2], -1) {
			kind, tag, inner := "input", m[1], ""
			switch {
			case strings.HasPrefix(m[0], "<textarea"):
				kind, tag, inner = "textarea", m[2], m[3]
			case strings.HasPrefix(m[0], "<select"):
				kind, tag, inner = "select", m[4], m[5]
			}
			a := attrs(tag)
			name := a["name"]
			if name == "" || name == "_csrf" {
				continue
			}
			c := []string{"", kind, "", inner}
			switch c[1] {
			case "textarea":
				f.Fields.Set(name, html.UnescapeString(strings.TrimPrefix(c[3], "\n")))
				f.Editable = append(f.Editable, name)
			case "select":
				val := ""
				for i, o := range reOption.FindAllStringSubmatch(c[3], -1) {
					oa := attrs(o[1])
					if i == 0 || reSelected.MatchString(o[1]) {
						val = oa["value"]
					}
				}
				f.Fields.Set(name, val)
				f.Editable = append(f.Editable, name)
			default:
				switch a["type"] {
				case "checkbox", "radio":
					if _, checked := a["checked"]; checked {
						f.Fields.Add(name, a["value"])
					} else if a["type"] == "radio" && f.Fields.Get(name) == "" {
						f.Fields.Set(name, a["value"])
					}
				case "file":
					f.Files = append(f.Files, name)
				case "hidden":
					f.Fields.Add(name, a["value"])
					f.Hidden = append(f.Hidden, name)
				case "submit", "button":
				default:
					f.Fields.Set(name, a["value"])
					f.Editable = append(f.Editable, name)
				}
			}
		}
		sort.Strings(f.Editable)
		out = append(out, f)
	}
	return out
}

// submit posts the form with values as c (multipart when the form is, fields first and
// every file input with a small PDF named fileName).
func (c *client) submit(f htmlForm, values url.Values, fileName string) *response {
	c.t.Helper()
	if !f.Multipart {
		return c.post(f.Action, values)
	}
	var b strings.Builder
	part := func(name, value string) {
		fmt.Fprintf(&b, "--corpusboundary\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n", name, value)
	}
	part("_csrf", c.csrfToken())
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range values[k] {
			part(k, v)
		}
	}
	for _, name := range f.Files {
		fmt.Fprintf(&b, "--corpusboundary\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\nContent-Type: application/pdf\r\n\r\n",
			name, strings.NewReplacer(`"`, "%22", "\r", "", "\n", "").Replace(fileName))
		b.WriteString("%PDF-1.4\n1 0 obj <</Type/Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n\r\n")
	}
	b.WriteString("--corpusboundary--\r\n")
	req, _ := http.NewRequest(http.MethodPost, c.base+f.Action, strings.NewReader(b.String()))
	req.Header.Set("Content-Type", "multipart/form-data; boundary=corpusboundary")
	return c.do(req)
}
