package templates

import (
	"fmt"
	"html/template"
	"strings"
	"time"

	"kimibv/models/core"
	"kimibv/models/rules"
)

// Field is what the "input" partials need to render one labelled form control.
type Field struct {
	Name, Label, Type, Value, Hint, Error, Autocomplete, Inputmode string
	Required, Checked                                              bool
	Rows                                                           int
	Options                                                        []Option
}

// Option is one choice of a select or radio group.
type Option struct {
	Value, Label string
	Selected     bool
}

// ID returns the element id of the field's control.
func (f Field) ID() string { return "f-" + f.Name }

// Describedby lists the ids of the hint and error texts for aria-describedby.
func (f Field) Describedby() string {
	var ids []string
	if f.Hint != "" {
		ids = append(ids, f.ID()+"-hint")
	}
	if f.Error != "" {
		ids = append(ids, f.ID()+"-error")
	}
	return strings.Join(ids, " ")
}

// fld builds a Field from the form and options "type=email", "hint=…", "required",
// "autocomplete=…", "rows=5", "inputmode=…", "value=…" (a default when nothing was submitted).
func fld(form *Form, name, label string, opts ...string) Field {
	f := Field{Name: name, Label: label, Type: "text", Value: form.Get(name), Error: form.Error(name)}
	for _, o := range opts {
		k, v, _ := strings.Cut(o, "=")
		switch k {
		case "type":
			f.Type = v
		case "hint":
			f.Hint = v
		case "required":
			f.Required = true
		case "autocomplete":
			f.Autocomplete = v
		case "inputmode":
			f.Inputmode = v
		case "rows":
			_, _ = fmt.Sscan(v, &f.Rows)
		case "value":
			if form == nil || len(form.Values) == 0 {
				f.Value = v
			}
		}
	}
	if f.Type == "checkbox" {
		f.Checked = form.Get(name) != ""
	}
	// HTML allows only YYYY-MM-DD (date) and YYYY-MM-DDThh:mm (datetime-local); a browser
	// shows nothing else either, and the field's error names the problem.
	if _, err := time.Parse(time.DateOnly, f.Value); f.Type == "date" && err != nil {
		f.Value = ""
	}
	if _, err := time.Parse("2006-01-02T15:04", f.Value); f.Type == "datetime-local" && err != nil {
		if _, err := time.Parse("2006-01-02T15:04:05", f.Value); err != nil {
			f.Value = ""
		}
	}
	return f
}

// withOptions attaches choices (value/label pairs) to a field and marks the submitted one.
func withOptions(f Field, pairs ...string) Field {
	for i := 0; i+1 < len(pairs); i += 2 {
		f.Options = append(f.Options, Option{Value: pairs[i], Label: pairs[i+1], Selected: pairs[i] == f.Value})
	}
	return f
}

// requiredIf returns the fld option "required" when cond holds ("" is ignored by fld).
func requiredIf(cond bool) string {
	if cond {
		return "required"
	}
	return ""
}

// genitive returns the genitive with article of a Kreis or kreisfreie Stadt from its kind
// ("kreis" or "kreisfreie_stadt") and name: "Kreis Musterland" → "des Kreises Musterland",
// "Rhein-Kreis Neuss" → "des Rhein-Kreises Neuss", "Stadt Beispielhausen" → "der Stadt
// Beispielhausen", "Bielefeld" (kreisfreie Stadt) → "der Stadt Bielefeld".
func genitive(kind, name string) string {
	name = strings.TrimSpace(name)
	first, rest, _ := strings.Cut(name, " ")
	lower := strings.ToLower(first)
	switch {
	case strings.HasSuffix(lower, "stadt") || strings.HasPrefix(lower, "städteregion"):
		return "der " + name
	case strings.HasSuffix(lower, "kreis"):
		return strings.TrimSpace("des " + first + "es " + rest)
	case kind == "kreisfreie_stadt":
		return "der Stadt " + name
	}
	return "des Kreises " + name
}

// plural returns singular for n == 1 and plural otherwise, with the number in front:
// plural 1 "Bewertungsbogen" "Bewertungsbögen" → "1 Bewertungsbogen".
func plural(n int, singular, pluralForm string) string { return core.Quantity(n, singular, pluralForm) }

func funcs() template.FuncMap {
	return template.FuncMap{
		"fld":            fld,
		"outcomeChoices": rules.OutcomeChoices, // the responses to a statement of the Beteiligung
		"withOptions":    withOptions,
		"requiredIf":     requiredIf,
		"genitive":       genitive,
		"plural":         plural,
		"dt":             core.FormatDateTime,
		"date":           core.FormatDate,
		"points":         rules.FormatPoints, // exactly two decimals, as in the PDFs ("75,00")
		"roleLabel":      func(r core.Role) string { return r.Label() },
		"year":           func() int { return time.Now().In(core.Berlin()).Year() },
		"add":            func(a, b int) int { return a + b },
		"hasPrefix":      strings.HasPrefix,
		"deref": func(p *time.Time) time.Time {
			if p == nil {
				return time.Time{}
			}
			return *p
		},
	}
}
