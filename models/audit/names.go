package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"kimibv/models/core"
)

// Names resolves the ids that trail entries refer to — persons, providers, procedures,
// bids and issued documents — so that the protocol names objects instead of showing ids.
// It is loaded for the entries a reader may already see (LoadNames), so it reveals no
// more than they do: a bid is only referred to by entries that the seal admits.
//
// Providers are named only where the reader may know them (mayName): the seal and the
// gates of the access matrix decide who learns which provider bid, and when.
type Names struct {
	users, orgs, docs map[int64]string
	docCalls          map[int64]int64
	calls             map[int64]callName
	bids              map[int64]bidName
	tenants           map[int64]string
	lead              bool // the reader leads the Kreis's procedures
}

type callName struct {
	Ref, State string
	Opened     bool
}

// mayName reports whether the reader may learn the providers of the procedure callID
// (0: no procedure): a lead from the opening on (the opening record names them), every
// other reader of the Kreis once the decision is public (decision.AwardRecordStates).
func (n *Names) mayName(callID int64) bool {
	if callID == 0 {
		return true
	}
	c, ok := n.calls[callID]
	if !ok {
		return false
	}
	switch c.State {
	case "decided", "notified", "awarded":
		return true
	case "cancelled": // after an opening, the public record of the cancellation names them
		return c.Opened
	}
	return c.Opened && n.lead
}

type bidName struct {
	OrgName string
	CallID  int64
}

// refKinds are the detail keys whose values are ids, with the kind of object they name.
var refKinds = map[string]string{"bid": "bid", "bid_id": "bid", "org_id": "org", "orgs": "org", "user_id": "user", "u": "user", "openers": "user", "evaluators": "user",
	"call": "call", "call_id": "call", "copied_from": "call"}

// idSet collects ids by kind.
type idSet map[string]map[int64]bool

func (s idSet) add(kind string, id int64) {
	if id <= 0 {
		return
	}
	if s[kind] == nil {
		s[kind] = map[int64]bool{}
	}
	s[kind][id] = true
}

func (s idSet) list(kind string) []int64 {
	out := make([]int64, 0, len(s[kind]))
	for id := range s[kind] {
		out = append(out, id)
	}
	return out
}

// collectRefs adds the ids an entry refers to: its actor, its object, its chain and the
// reference keys of its details.
func collectRefs(ids idSet, r AuditRow) {
	if r.ActorID != nil {
		ids.add("user", *r.ActorID)
	}
	collectObject(ids, r.ObjectType, r.ObjectID)
	collectChain(ids, r.Chain)
	var m map[string]any
	if r.DetailsHidden || json.Unmarshal([]byte(r.Details), &m) != nil {
		return
	}
	collectDetailRefs(ids, m)
}

func collectDetailRefs(ids idSet, m map[string]any) {
	for k, v := range m {
		switch x := v.(type) {
		case map[string]any:
			if k == "ties" {
				for org := range x {
					ids.add("org", asID(org))
				}
			}
			collectDetailRefs(ids, x)
		case []any:
			for _, e := range x {
				if sub, ok := e.(map[string]any); ok {
					collectDetailRefs(ids, sub)
				} else if s, ok := e.(string); ok && k == "ties" {
					org, _, _ := strings.Cut(s, ":")
					ids.add("org", asID(org))
				} else if kind, ok := refKinds[k]; ok {
					ids.add(kind, asID(e))
				}
			}
		case string:
			switch k {
			case "object":
				typ, id, _ := strings.Cut(x, ":")
				collectObject(ids, typ, id)
			case "chain", "trail":
				collectChain(ids, x)
			case "ties":
				org, _, _ := strings.Cut(x, ":")
				ids.add("org", asID(org))
			default:
				if kind, ok := refKinds[k]; ok {
					ids.add(kind, asID(x))
				}
			}
		default:
			if kind, ok := refKinds[k]; ok {
				ids.add(kind, asID(x))
			}
		}
	}
}

func collectObject(ids idSet, typ, id string) {
	first, _, _ := strings.Cut(id, ":")
	n, _ := strconv.ParseInt(first, 10, 64)
	switch typ {
	case "user":
		ids.add("user", n)
	case "organization":
		ids.add("org", n)
	case "call", "call_version":
		ids.add("call", n)
	case "bid", "bid_version":
		ids.add("bid", n)
	case "issued_document":
		ids.add("doc", n)
	case "tenant":
		ids.add("tenant", n)
	}
}

func collectChain(ids idSet, chain string) {
	parts := strings.Split(chain, ":")
	if len(parts) < 2 {
		return
	}
	n, _ := strconv.ParseInt(parts[1], 10, 64)
	switch parts[0] {
	case "call":
		ids.add("call", n)
	case "bids":
		ids.add("call", n)
		if len(parts) == 3 {
			b, _ := strconv.ParseInt(parts[2], 10, 64)
			ids.add("bid", b)
		}
	}
}

// asID reads an id from a JSON number or text.
func asID(v any) int64 {
	switch x := v.(type) {
	case float64:
		return int64(x)
	case string:
		n, _ := strconv.ParseInt(x, 10, 64)
		return n
	}
	return 0
}

// LoadNames resolves the ids the rows refer to, in one query, for reader in the Kreis
// tenantID (see mayName).
func LoadNames(ctx context.Context, db *gorm.DB, rows []AuditRow, reader *core.Actor, tenantID int64) (*Names, error) {
	ids := idSet{}
	for _, r := range rows {
		collectRefs(ids, r)
	}
	n := &Names{users: map[int64]string{}, orgs: map[int64]string{}, docs: map[int64]string{}, tenants: map[int64]string{},
		docCalls: map[int64]int64{}, calls: map[int64]callName{}, bids: map[int64]bidName{},
		lead: reader != nil && reader.HasTenantRole(tenantID, core.RoleLead)}
	var found []struct {
		Kind, Name, Ref, State string
		ID, CallID             int64
		Opened                 bool
	}
	// One query for every kind, so that a page of the protocol costs the same however
	// many kinds of object its entries name.
	err := db.WithContext(ctx).Raw(`SELECT 'user' AS kind, id, name, '' AS ref, '' AS state, 0 AS call_id, false AS opened FROM users WHERE id IN ?
		UNION ALL SELECT 'org', id, name, '', '', 0, false FROM organizations WHERE id IN ?
		UNION ALL SELECT 'doc', id, title, '', '', coalesce(call_id, 0), false FROM issued_documents WHERE id IN ?
		UNION ALL SELECT 'tenant', id, name, '', '', 0, false FROM tenants WHERE id IN ?
		UNION ALL SELECT 'call', id, '', ref, state, 0, opened_at IS NOT NULL FROM calls WHERE id IN ?
		UNION ALL SELECT 'bid', b.id, o.name, '', '', b.call_id, false FROM bids b JOIN organizations o ON o.id = b.org_id WHERE b.id IN ?`,
		ids.list("user"), ids.list("org"), ids.list("doc"), ids.list("tenant"), ids.list("call"), ids.list("bid")).Scan(&found).Error
	if err != nil {
		return nil, fmt.Errorf("audit names: %w", err)
	}
	for _, r := range found {
		switch r.Kind {
		case "user":
			n.users[r.ID] = r.Name
		case "org":
			n.orgs[r.ID] = r.Name
		case "doc":
			n.docs[r.ID], n.docCalls[r.ID] = r.Name, r.CallID
		case "tenant":
			n.tenants[r.ID] = r.Name
		case "call":
			n.calls[r.ID] = callName{Ref: r.Ref, State: r.State, Opened: r.Opened}
		case "bid":
			n.bids[r.ID] = bidName{OrgName: r.Name, CallID: r.CallID}
		}
	}
	return n, nil
}

// User names a person ("eine Person" when unknown).
func (n *Names) User(id int64) string {
	if s := n.users[id]; s != "" {
		return s
	}
	return "eine Person"
}

// Org names a provider in an entry of the procedure callID (0: of none), where the
// reader may know it (mayName).
func (n *Names) Org(id, callID int64) string {
	if s := n.orgs[id]; s != "" && n.mayName(callID) {
		return s
	}
	return "ein Träger"
}

// Call names a procedure by its reference ("Verfahren KI 32-2026-01").
func (n *Names) Call(id int64) string {
	if c, ok := n.calls[id]; ok && c.Ref != "" {
		return "Verfahren " + c.Ref
	}
	return "ein Verfahren"
}

// CallRef returns the reference of a procedure that is published (or later), "" otherwise:
// only those have a public page to link to.
func (n *Names) CallRef(id int64) string {
	if c, ok := n.calls[id]; ok && c.State != "draft" {
		return c.Ref
	}
	return ""
}

// Bid names a bid by its provider ("Interessenbekundung von …").
func (n *Names) Bid(id int64) string {
	if b, ok := n.bids[id]; ok && n.mayName(b.CallID) {
		return "Interessenbekundung von " + b.OrgName
	}
	return "eine Interessenbekundung"
}

// Chain names an audit chain in German: the Kreis's protocol, a procedure's protocol or
// the sealed receipt trail of one bid.
func (n *Names) Chain(chain string) string {
	parts := strings.Split(chain, ":")
	id := func(i int) int64 {
		if len(parts) <= i {
			return 0
		}
		v, _ := strconv.ParseInt(parts[i], 10, 64)
		return v
	}
	switch parts[0] {
	case "kreis":
		return "Protokoll des Kreises"
	case ChainPlatform:
		return "Protokoll der Plattform"
	case "call":
		return "Protokoll: " + n.Call(id(1))
	case "bids":
		if len(parts) == 3 {
			return "Eingangskette: " + n.Bid(id(2))
		}
		return "Eingangskette: " + n.Call(id(1))
	}
	return "Protokoll"
}

// Object names the object of an entry of the procedure callID: "Verfahren
// musterland-2026-01", "Fassung 2 der Interessenbekundung von …", "Dokument „…“"; the kind
// alone when it has no name or the reader may not know it.
func (n *Names) Object(typ, id string, callID int64) string {
	first, second, _ := strings.Cut(id, ":")
	num, _ := strconv.ParseInt(first, 10, 64)
	switch typ {
	case "":
		return ""
	case "user":
		return n.User(num)
	case "organization":
		return n.Org(num, callID)
	case "call":
		return n.Call(num)
	case "call_version":
		return "Fassung " + second + " der Ausschreibung (" + n.Call(num) + ")"
	case "bid":
		return n.Bid(num)
	case "bid_version":
		if b, ok := n.bids[num]; ok && n.mayName(b.CallID) {
			return "Fassung " + second + " der Interessenbekundung von " + b.OrgName
		}
		return "Fassung " + second + " einer Interessenbekundung"
	case "issued_document":
		if s := n.docs[num]; s != "" && n.mayName(n.docCalls[num]) {
			return "Dokument „" + s + "“"
		}
	case "tenant":
		if s := n.tenants[num]; s != "" {
			return s
		}
	}
	return ObjectTypeLabel(typ)
}

// CallOfChain returns the procedure a chain belongs to ("call:N", "bids:N:…"), 0 for others.
func CallOfChain(chain string) int64 {
	parts := strings.Split(chain, ":")
	if len(parts) < 2 || (parts[0] != "call" && parts[0] != "bids") {
		return 0
	}
	id, _ := strconv.ParseInt(parts[1], 10, 64)
	return id
}
