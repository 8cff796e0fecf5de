package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"kimibv/models/accounts"
	"kimibv/models/bids"
	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/dbtest"
	"kimibv/models/demo"
	"kimibv/models/evaluation"
	"kimibv/models/rules"
)

// matrixActors are the actors of the access matrix in the order of the report. Each maps
// to a demo account (or one created in Beispielhausen through the use cases).
var matrixActors = []struct{ id, email string }{
	{"anon", ""},
	{"prov_other", "diakonie@traeger.example"},
	{"prov_bid", "awo@traeger.example"},
	{"lead", "leitung@musterland.example"},
	{"opener", "oeffnung1@musterland.example"},
	{"eval_tied", "gremium1@musterland.example"},
	{"eval", "gremium2@musterland.example"},
	{"council", "kreistag@musterland.example"},
	{"tadmin", "admin@musterland.example"},
	{"bh_lead", "admin@beispielhausen.example"},
	{"bh_opener", "oeffnung@beispielhausen.example"},
	{"bh_eval", "gremium@beispielhausen.example"},
	{"bh_council", "kreistag@beispielhausen.example"},
	{"operator", "betrieb@kimibv.example"},
}

// matrixEnv is the demo app with the open demo call, advanced state by state through
// the use cases, and one logged-in client per matrix actor.
type matrixEnv struct {
	*consolidationEnv
	clients map[string]*client
	ids     map[string]string // path parameter values by name
	routes  []routeKey
}

// routeKey is one registered route.
type routeKey struct{ Method, Path string }

func newMatrixEnv(t *testing.T) *matrixEnv {
	e := &matrixEnv{consolidationEnv: &consolidationEnv{evalEnv: newEvalEnv(t), actors: map[string]*core.Actor{}}, clients: map[string]*client{}}
	ta, db, ctx := e.ta, e.ta.store.DB, context.Background()
	e.cc, e.tenant = e.content(t), ta.count(`SELECT tenant_id FROM calls WHERE id = ?`, e.callID)
	for _, who := range []string{"leitung", "oeffnung1", "oeffnung2", "gremium1", "gremium2", "gremium3"} {
		e.actors[who] = e.loadActor(t, who+"@musterland.example")
	}
	// Beispielhausen: its administrator (also lead) grants the other roles.
	bh := ta.count(`SELECT id FROM tenants WHERE slug = 'beispielhausen'`)
	bhAdmin := e.loadActor(t, "admin@beispielhausen.example")
	for email, role := range map[string]core.Role{"oeffnung@beispielhausen.example": core.RoleOpener,
		"gremium@beispielhausen.example": core.RoleEvaluator, "kreistag@beispielhausen.example": core.RoleCouncil} {
		u := dbtest.NewUser(t, db, bhAdmin.UserID, email, "Bea "+string(role))
		if err := accounts.SetTenantRoles(ctx, db, bhAdmin, bh, u.ID, []core.Role{role}); err != nil {
			t.Fatal(err)
		}
	}
	// The second opener, logged in now: the hostile corpus sends failed logins later.
	e.clients["opener2"] = ta.client()
	e.clients["opener2"].login("oeffnung2@musterland.example", demo.Password)
	for _, a := range matrixActors {
		c := ta.client()
		if a.email != "" {
			c.login(a.email, demo.Password)
		}
		e.clients[a.id] = c
	}
	e.routes = ta.routes() // the route table straight from the router
	// AWO keeps one standing document in its wallet.
	awo := e.loadActor(t, "awo@traeger.example")
	pdf := "%PDF-1.4\n1 0 obj <</Type/Catalog/Pages 2 0 R>> endobj\n2 0 obj <</Type/Pages/Kids[] /Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"
	if _, err := bids.AddWalletDocument(ctx, db, dbtest.Vault(t), awo, e.awoOrg, bids.WalletInput{DocType: string(rules.DocSatzung),
		IssuedOn: "01.01.2020", FileName: "satzung.pdf", File: strings.NewReader(pdf), MaxBytes: 1 << 20}, time.Now()); err != nil {
		t.Fatal(err)
	}
	e.publishMatrixReport(t) // a status report to the council (council_info_test.go)
	e.fillIDs(t)
	return e
}

func (e *matrixEnv) loadActor(t *testing.T, email string) *core.Actor {
	t.Helper()
	a, err := accounts.LoadActor(context.Background(), e.ta.store.DB, e.ta.count(`SELECT id FROM users WHERE email = ?`, email))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// fillIDs takes the path parameter values from the demo.
func (e *matrixEnv) fillIDs(t *testing.T) {
	ta := e.ta
	n := func(q string, args ...any) string { return fmt.Sprint(ta.count(q, args...)) }
	awoUser := ta.count(`SELECT id FROM users WHERE email = 'awo@traeger.example'`)
	e.ids = map[string]string{
		"kreis": "musterland", "call": fmt.Sprint(e.callID), "id": fmt.Sprint(e.callID), "bid": fmt.Sprint(e.bidID),
		"org": fmt.Sprint(e.awoOrg),
		"a":   "1", "b": n(`SELECT current_version FROM calls WHERE id = ?`, e.callID), "v": "1",
		"user":         n(`SELECT id FROM users WHERE email = 'gremium2@musterland.example'`),
		"q":            n(`SELECT COALESCE(max(id), 0) FROM questions WHERE call_id = ?`, e.callID),
		"consultation": n(`SELECT COALESCE(max(id), 0) FROM consultations`), "st": n(`SELECT COALESCE(max(id), 0) FROM consultation_statements WHERE file_id IS NOT NULL AND consultation_id = (SELECT max(id) FROM consultations)`),
		"doc":  n(`SELECT COALESCE(max(id), 0) FROM org_documents WHERE org_id = ?`, e.awoOrg),
		"file": n(`SELECT file_id FROM bid_version_files WHERE bid_id = ? ORDER BY doc_key LIMIT 1`, e.bidID),
		"key":  e.cc.RequiredDocs[0].Key, "step": string(rules.StepAnswers), "schritt": rules.CallStepSchedule, "req": "999999", "draw": "999999", "proof": "999999", "obj": "999999", "notice": "999999", "mail": "999999", "answer": "999999",
		"token":  "ungueltiges-token-0000000000000000",
		"msg":    n(`SELECT COALESCE(max(id), 0) FROM inbox_messages WHERE org_id = ? AND document_id IS NOT NULL`, e.awoOrg),
		"member": fmt.Sprint(awoUser), "*": "css/app.css", "inv": "999999", "session": "999999",
		"report": n(`SELECT COALESCE(max(id), 0) FROM council_reports WHERE call_id = ?`, e.callID),
		"anlage": n(`SELECT COALESCE(max(f.file_id), 0) FROM council_report_files f JOIN council_reports r ON r.id = f.report_id WHERE r.call_id = ?`, e.callID),
		"dist":   n(`SELECT COALESCE(max(d.id), 0) FROM council_distributions d JOIN council_reports r ON r.id = d.report_id WHERE r.call_id = ?`, e.callID),
		"jahr":   string(e.cc.FundingPeriod.From)[:4], // the first year of the contract issued after the final award
	}
	for _, k := range []string{"q", "doc", "file", "msg", "st", "anlage"} {
		if e.ids[k] == "0" {
			t.Fatalf("demo has no %s for the access matrix", k)
		}
	}
}

// submitForm posts the form with action found on page as actor, with the page's values
// overridden by set, and fails unless it redirects.
func (e *matrixEnv) submitForm(t *testing.T, actor, page, action string, set url.Values) {
	t.Helper()
	c := e.clients[actor]
	for _, f := range postForms(c.get(page).Body) {
		if f.Action != action {
			continue
		}
		vals := url.Values{}
		for k, v := range f.Fields {
			vals[k] = v
		}
		for k, v := range set {
			vals[k] = v
		}
		if res := c.postConfirmed(action, vals); res.Status != http.StatusSeeOther {
			t.Fatalf("%s POST %s: %d %s", actor, action, res.Status, regexp.MustCompile(`(?s)<ul class="kern-list">.*?</ul>`).FindString(res.Body))
		}
		return
	}
	t.Fatalf("%s: no form %s on %s", actor, action, page)
}

func berlin(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// reprove renews the password proof of the named clients' sessions, as the
// re-authentication page would: on a busy machine a long check outlasts the 15 minutes of
// rules.md R29 between the harness's login and the acts that need a fresh proof.
func (e *matrixEnv) reprove(t *testing.T, names ...string) {
	t.Helper()
	for _, n := range names {
		dbtest.SetSessionProofs(t, e.ta.store.DB, e.clients[n].sessionCookie(), "proved_at = now()")
	}
}

// advance moves the demo call to the next procedure state through the use cases.
func (e *matrixEnv) advance(t *testing.T, to string) {
	ctx, db := context.Background(), e.ta.store.DB
	switch to {
	case "closed":
		e.passDeadline(t)
		e.now = time.Now()
		if _, err := calls.CloseDueCalls(ctx, db, e.now); err != nil {
			t.Fatal(err)
		}
	case "opened":
		// Through the form, so that the Öffnungsprotokoll is issued as in production.
		e.reprove(t, "opener", "opener2")
		e.clients["opener"].postConfirmed(e.base+"/oeffnung", nil).wantStatus(t, http.StatusSeeOther)
		e.clients["opener2"].postConfirmed(e.base+"/oeffnung", nil).wantStatus(t, http.StatusSeeOther)
		if e.ta.count(`SELECT count(*) FROM calls WHERE id = ? AND state = 'opened'`, e.callID) != 1 {
			t.Fatal("call not opened")
		}
		met := map[string]rules.ItemAssessment{}
		for i := range e.cc.Eligibility {
			met[fmt.Sprintf("E%d", i+1)] = rules.ItemAssessment{Met: true}
		}
		for _, d := range e.cc.RequiredDocs {
			met[d.Key] = rules.ItemAssessment{Met: true}
		}
		if err := evaluation.SaveFormalCheck(ctx, db, e.actors["leitung"], core.CallScope{Tenant: e.tenant, Call: e.callID}, e.bidID, evaluation.FormalInput{Items: met, Decision: rules.DecideAdmit}, e.now); err != nil {
			t.Fatal(err)
		}
		// gremium1 declares a tie to the bidder (COI exclusion); gremium2 and 3 none.
		for _, ev := range []string{"gremium1", "gremium2", "gremium3"} {
			tie := evaluation.DeclarationInput{Tie: rules.TieNone}
			if ev == "gremium1" {
				tie = evaluation.DeclarationInput{Tie: rules.TieMembership, Note: "Mitglied im Vorstand"}
			}
			if err := evaluation.DeclareTies(ctx, db, e.actors[ev], core.CallScope{Tenant: e.tenant, Call: e.callID}, map[int64]evaluation.DeclarationInput{e.awoOrg: tie}, e.now); err != nil {
				t.Fatal(err)
			}
		}
		// gremium3 submits; gremium2 (the matrix's evaluator) has not yet: independence.
		e.sheet(t, "gremium3", 3)
	case "consolidated":
		e.sheet(t, "gremium2", 2)
		src := evaluation.EvaluationSource{}
		in := evaluation.ConsolidationInput{CallID: e.callID, BidID: e.bidID, Scores: map[string]string{}, Reasons: map[string]string{}}
		for _, cr := range e.cc.Criteria {
			in.Scores[cr.Key] = "3"
			in.Reasons[cr.Key] = "Ziele, Maßnahmen und Zuständigkeiten sind nachvollziehbar beschrieben."
		}
		if err := evaluation.SetConsolidatedScores(ctx, db, src, e.actors["leitung"], in, e.now); err != nil {
			t.Fatal(err)
		}
		e.clients["lead"].post(e.base+"/konsolidierung/abschliessen", nil).wantStatus(t, http.StatusSeeOther)
	case "decided":
		e.reprove(t, "lead")
		dec := e.base + "/entscheidung"
		e.submitForm(t, "lead", dec+"/vorschlag", dec+"/vorschlag", url.Values{"justification": {"Die AWO erfüllt alle Kriterien."}})
		e.submitForm(t, "lead", dec, dec+"/beschluss", url.Values{"body": {"kreistag"}, "decided_on": {e.ta.clock.Now().In(berlin(t)).Format("02.01.2006")},
			"resolution_number": {"V/2026/017"}, "vote_result": {"einstimmig"}})
	case "notified":
		e.submitForm(t, "lead", e.base+"/entscheidung", e.base+"/entscheidung/mitteilungen", nil)
		e.ids["notice"] = fmt.Sprint(e.ta.count(`SELECT max(id) FROM notices WHERE org_id = ?`, e.awoOrg))
	case "awarded":
		e.ta.clock.Advance(15 * 24 * time.Hour)
		e.ta.raceJob(t, ctx, "finalize-awards")
		if e.ta.count(`SELECT count(*) FROM calls WHERE id = ? AND state = 'awarded'`, e.callID) != 1 {
			t.Fatal("award not final after the finalize-awards job")
		}
		e.clients["lead"].postConfirmed(fmt.Sprintf("%s/weiterleitung/traeger/%d", e.base, e.awoOrg), nil).wantStatus(t, http.StatusSeeOther)
	default:
		t.Fatalf("unknown state %s", to)
	}
}
