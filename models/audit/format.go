package audit

import (
	"cmp"
	"encoding/json"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"kimibv/models/core"
)

// Shown is an entry as people read it: every part named in German, times in German
// time, numbers with a decimal comma, objects by their names — no JSON, no internal ids.
type Shown struct {
	Actor      string // the person's name, "System" for the system
	Object     string // the object named ("Verfahren KI 32-2026-01", "Interessenbekundung von …")
	ObjectHref string // the public page of a procedure, "" for other objects
	ChainName  string // "Protokoll des Kreises", "Protokoll: Verfahren …", "Eingangskette: …"
	Lines      []DetailLine
}

// Show names every part of r with n (nil: no names known).
func (r AuditRow) Show(n *Names) Shown {
	if n == nil {
		n = &Names{}
	}
	call := CallOfChain(r.Chain)
	s := Shown{Actor: "System", Object: n.Object(r.ObjectType, r.ObjectID, call), ChainName: n.Chain(r.Chain), Lines: r.detailLines(n, call)}
	if r.ActorID != nil {
		s.Actor = r.ActorName
		if s.Actor == "" {
			s.Actor = n.User(*r.ActorID)
		}
	}
	if r.ObjectType == "call" || r.ObjectType == "call_version" {
		first, _, _ := strings.Cut(r.ObjectID, ":")
		id, _ := strconv.ParseInt(first, 10, 64)
		if ref := n.CallRef(id); ref != "" {
			s.ObjectHref = "/ausschreibungen/" + ref
		}
	}
	return s
}

// detailLines formats the entry's details as labelled lines, sorted by label. Hidden
// details (DetailsHidden) are one explaining line; undecodable ones one neutral line.
func (r AuditRow) detailLines(n *Names, call int64) []DetailLine {
	if r.DetailsHidden {
		return []DetailLine{{Key: "", Value: msgDetailsHidden}}
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(r.Details), &m); err != nil {
		return []DetailLine{{Key: "", Value: "Die Einzelheiten dieses Eintrags lassen sich nicht lesen."}}
	}
	var out []DetailLine
	f := detailFormatter{n: n, call: call}
	for k, v := range m {
		if k == "password_hash" {
			continue // that a password hash changed is said by the action; its value is not shown
		}
		f.add(&out, detailLabel(k), k, v)
	}
	slices.SortStableFunc(out, func(a, b DetailLine) int { return cmp.Compare(a.Key, b.Key) })
	return out
}

// detailFormatter formats detail values with the names of the objects they refer to.
// call is the procedure of the entry, which decides whether providers are named.
type detailFormatter struct {
	n    *Names
	call int64
}

// add appends the line(s) of one detail: nested objects become one line per leaf, their
// labels joined with " – ".
func (f detailFormatter) add(out *[]DetailLine, label, key string, v any) {
	if m, ok := v.(map[string]any); ok && !isCompact(m) {
		for k, sub := range m {
			if key == "ties" { // declared ties by provider: {"<org>": "<tie>"}
				f.add(out, label+" – "+f.n.Org(asID(k), f.call), "tie", sub)
				continue
			}
			f.add(out, label+" – "+detailLabel(k), k, sub)
		}
		return
	}
	*out = append(*out, DetailLine{Key: label, Value: shorten(f.value(key, v))})
}

// isCompact reports whether a map is shown on one line (e.g. a trail head in a list).
func isCompact(m map[string]any) bool {
	for _, v := range m {
		if _, nested := v.(map[string]any); nested {
			return false
		}
	}
	return len(m) <= 3 && m["trail"] != nil
}

// value formats one detail value; key tells what an id refers to.
func (f detailFormatter) value(key string, v any) string {
	switch x := v.(type) {
	case nil:
		return "–"
	case bool:
		if x {
			return "ja"
		}
		return "nein"
	case []any:
		if len(x) == 0 {
			return "–"
		}
		if key == "question_ids" { // the questions are anonymous; their ids say nothing to a reader
			if len(x) == 1 {
				return "eine Frage"
			}
			return strconv.Itoa(len(x)) + " Fragen"
		}
		parts := make([]string, 0, len(x))
		for _, e := range x {
			parts = append(parts, f.value(key, e))
		}
		return strings.Join(parts, ", ")
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			if k == "trail" {
				parts = append(parts, f.n.Chain(x[k].(string)))
				continue
			}
			parts = append(parts, detailLabel(k)+": "+f.value(k, x[k]))
		}
		return strings.Join(parts, ", ")
	}
	if s, ok := f.reference(key, v); ok {
		return s
	}
	if r, ok := v.(string); ok && key == "ties" { // a council member's tie, "<org>:<tie>"
		if org, tie, found := strings.Cut(r, ":"); found {
			return f.n.Org(asID(org), f.call) + " (" + f.value("tie", tie) + ")"
		}
	}
	if r, ok := v.(string); ok && valueLabels[key][r] != "" {
		return valueLabels[key][r]
	}
	if r, ok := v.(string); ok && roleKeys[key] && (core.Role(r).IsTenantRole() || core.Role(r).IsOrgRole()) {
		return core.Role(r).Label()
	}
	switch x := v.(type) {
	case float64:
		return germanNumber(strconv.FormatFloat(x, 'f', -1, 64))
	case string:
		return germanText(x)
	}
	return "–"
}

// reference names the object an id refers to, for the reference keys (refKinds, object, chain).
func (f detailFormatter) reference(key string, v any) (string, bool) {
	if s, ok := v.(string); ok {
		switch key {
		case "object":
			typ, id, _ := strings.Cut(s, ":")
			return f.n.Object(typ, id, f.call), true
		case "chain", "trail":
			return f.n.Chain(s), true
		}
	}
	kind, ok := refKinds[key]
	if !ok {
		return "", false
	}
	id := asID(v)
	if id == 0 {
		return "", false
	}
	switch kind {
	case "bid":
		return f.n.Bid(id), true
	case "org":
		return f.n.Org(id, f.call), true
	case "user":
		return f.n.User(id), true
	case "call":
		return f.n.Call(id), true
	}
	return "", false
}

// roleKeys are the detail keys whose values are roles.
var roleKeys = map[string]bool{"role": true, "roles": true, "before": true, "after": true}

var (
	decimalText = regexp.MustCompile(`^-?[0-9]+\.[0-9]+$`)
	hexHash     = regexp.MustCompile(`^[0-9a-f]{40,128}$`)
	dateText    = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
)

// germanNumber writes a decimal number with a decimal comma ("73.75" → "73,75").
func germanNumber(s string) string { return strings.Replace(s, ".", ",", 1) }

// germanText formats a text value: decimals with a comma, times and dates in German
// (Europe/Berlin), hashes shortened; other text as it is.
func germanText(s string) string {
	switch {
	case decimalText.MatchString(s):
		return germanNumber(s)
	case hexHash.MatchString(s):
		return ShortHash(s) + "…"
	case dateText.MatchString(s):
		if t, err := time.Parse("2006-01-02", s); err == nil {
			return t.Format("02.01.2006")
		}
	case len(s) >= 20 && s[4] == '-' && s[10] == 'T':
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return core.FormatDateTime(t)
		}
	}
	return s
}
