package app_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"kimibv/models/dbtest"
	"kimibv/models/demo"
	"kimibv/models/ocdstest"
)

// forwardingUsers creates a user with the demo password in organisation org with role and
// returns a logged-in client.
func forwardingUser(t *testing.T, ta *testApp, email string, org int64, role string) *client {
	t.Helper()
	u := dbtest.NewUser(t, ta.store.DB, 0, email, "Person "+email)
	if err := ta.store.DB.Exec(`INSERT INTO organization_members (org_id, user_id, role) VALUES (?, ?, ?)`, org, u.ID, role).Error; err != nil {
		t.Fatal(err)
	}
	c := ta.client()
	c.login(email, demo.Password)
	return c
}

// TestForwardingFromContractToPayment: after the final award the lead issues the contract
// (PDF into the provider's Postfach); nothing can be drawn before the provider's
// administrator accepts it; a plain member cannot accept; the provider reports its post
// and draws what the filled post justifies, an over-limit or overlapping request changes
// nothing; the lead approves, refuses with a reason and records the payment; the other
// provider, the council and the public get 404 or the login; a double issue is refused.
func TestForwardingFromContractToPayment(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	p := dbtest.SeedProcedure(t, ta.store.DB, dbtest.ProcedureSpec{Seq: 61, Bids: 3, Criteria: 2, Evaluators: 2, Final: true})
	mine, other := p.OrgIDs[0], p.OrgIDs[1]
	admin := forwardingUser(t, ta, "fw-admin@traeger.example", mine, "org_admin")
	member := forwardingUser(t, ta, "fw-member@traeger.example", mine, "org_member")
	stranger := forwardingUser(t, ta, "fw-other@traeger.example", other, "org_admin")
	lead := ta.client()
	lead.login("leitung@musterland.example", demo.Password)
	council := ta.client()
	council.login("kreistag@musterland.example", demo.Password)

	leadBase := fmt.Sprintf("/verwaltung/musterland/verfahren/%d/weiterleitung", p.CallID)
	orgBase := fmt.Sprintf("/traeger/%d/weiterleitung/%d", mine, p.CallID)
	lead.get(leadBase).wantStatus(t, 200).wantContains(t, p.OrgNames[0], p.OrgNames[1], "Weiterleitungsvertrag ausstellen")
	admin.get(orgBase).wantStatus(t, 404)

	// Issue: a confirmation page first, then the contract with its Postfach message.
	res := lead.post(leadBase+fmt.Sprintf("/traeger/%d", mine), nil).wantStatus(t, 200)
	res.wantContains(t, "Weiterleitungsvertrag ausstellen", "lässt sich nicht zurückholen")
	if n := ta.count(`SELECT count(*) FROM forwarding_contracts`); n != 0 {
		t.Fatalf("the confirmation page issued %d contracts", n)
	}
	lead.postConfirmed(leadBase+fmt.Sprintf("/traeger/%d", mine), nil).wantStatus(t, 303)
	lead.post(leadBase+fmt.Sprintf("/traeger/%d", mine), nil).wantStatus(t, 409)
	if n := ta.count(`SELECT count(*) FROM forwarding_contracts WHERE org_id = ?`, mine); n != 1 {
		t.Fatalf("%d contracts after a double issue, want 1", n)
	}
	if n := ta.count(`SELECT count(*) FROM inbox_messages WHERE org_id = ? AND kind = 'forwarding' AND document_id IS NOT NULL`, mine); n != 1 {
		t.Errorf("%d Postfach messages with the contract, want 1", n)
	}
	admin.get(orgBase).wantStatus(t, 200).wantContains(t, "Weiterleitungsvertrag", "Nr. 12 VV zu § 44 LHO", "Annahme ausstehend", "Nord, Stelle 1")
	pdf := admin.get(orgBase+"/vertrag.pdf").wantStatus(t, 200)
	if !strings.HasPrefix(pdf.Body, "%PDF") {
		t.Errorf("contract PDF: %q", pdf.Body[:min(20, len(pdf.Body))])
	}
	for _, c := range []*client{stranger, council, lead} {
		c.get(orgBase).wantStatus(t, 404)
		c.get(orgBase+"/vertrag.pdf").wantStatus(t, 404)
	}
	stranger.get(fmt.Sprintf("/traeger/%d/weiterleitung/%d", other, p.CallID)).wantStatus(t, 404)
	ta.client().get(orgBase).wantStatus(t, 303)
	for _, c := range []*client{admin, stranger, council} {
		c.get(leadBase).wantStatus(t, 404)
	}

	// Report a post: refused input changes nothing.
	reports := func() int64 { return ta.count(`SELECT count(*) FROM post_reports`) }
	admin.post(orgBase+"/stellen", url.Values{"post": {"L1/1"}, "state": {"filled"}, "fte": {"1,00"}, "start": {"2027-01-15"}}).wantStatus(t, 422).
		wantContains(t, "Qualifikation")
	admin.post(orgBase+"/stellen", url.Values{"post": {"L9/1"}, "state": {"vacant"}, "vacant_since": {"2027-01-01"}}).wantStatus(t, 404)
	stranger.post(fmt.Sprintf("/traeger/%d/weiterleitung/%d/stellen", other, p.CallID), url.Values{"post": {"L1/1"}, "state": {"vacant"}, "vacant_since": {"2027-01-01"}}).wantStatus(t, 404)
	if reports() != 0 {
		t.Fatal("a refused report was stored")
	}
	member.post(orgBase+"/stellen", url.Values{"post": {"L1/1"}, "state": {"filled"}, "fte": {"1,00"}, "start": {"2027-01-15"}, "qualified": {"1"}}).wantStatus(t, 303)

	// Draw before the acceptance: refused; a member cannot accept.
	draws := func() int64 { return ta.count(`SELECT count(*) FROM drawdowns`) }
	feb := url.Values{"period_from": {"2027-02-01"}, "period_to": {"2027-02-28"}, "amount": {"4.755,62"}}
	admin.post(orgBase+"/abrufe", feb).wantStatus(t, 409).wantContains(t, "angenommen")
	member.post(orgBase+"/annahme", url.Values{"name": {"Mia Mitglied"}}).wantStatus(t, 404)
	admin.post(orgBase+"/annahme", url.Values{"name": {""}}).wantStatus(t, 422)
	admin.postConfirmed(orgBase+"/annahme", url.Values{"name": {"Anna Admin"}}).wantStatus(t, 303)
	admin.post(orgBase+"/annahme", url.Values{"name": {"Anna Admin"}}).wantStatus(t, 409)
	admin.get(orgBase).wantStatus(t, 200).wantContains(t, "Angenommen am", "Anna Admin", "Mittel abrufen")

	// Limits: the contract grants 1 VZÄ × 62.000 € × 28/365 = 4.756,16 € for February; one cent
	// more is refused; before the post was filled nothing is justified.
	admin.post(orgBase+"/abrufe", url.Values{"period_from": {"2027-02-01"}, "period_to": {"2027-02-28"}, "amount": {"4.756,17"}}).wantStatus(t, 422).
		wantContains(t, "die der Vertrag für diesen Zeitraum gewährt", "4.756,16 €")
	admin.post(orgBase+"/abrufe", url.Values{"period_from": {"2027-01-01"}, "period_to": {"2027-01-10"}, "amount": {"1,00"}}).wantStatus(t, 422).
		wantContains(t, "rechtfertigen")
	if draws() != 0 {
		t.Fatal("a refused draw-down was stored")
	}
	admin.post(orgBase+"/abrufe", url.Values{"period_from": {"2027-02-01"}, "period_to": {"2027-02-28"}, "amount": {"4.756,16"}}).wantStatus(t, 303)
	admin.post(orgBase+"/abrufe", url.Values{"period_from": {"2027-02-01"}, "period_to": {"2027-02-28"}, "amount": {"4.756,16"}}).wantStatus(t, 422).
		wantContains(t, "überschneiden")
	admin.post(orgBase+"/abrufe", url.Values{"period_from": {"2027-03-01"}, "period_to": {"2027-03-31"}, "amount": {"100,00"}}).wantStatus(t, 303)
	if draws() != 2 {
		t.Fatalf("%d draw-downs, want 2", draws())
	}
	var ids []int64
	ta.store.DB.Raw(`SELECT id FROM drawdowns ORDER BY period_from`).Scan(&ids)

	// The lead decides: a refusal needs a reason; payment only after approval.
	lead.get(leadBase).wantStatus(t, 200).wantContains(t, "4.756,16 €", "Bewilligen", "Nord")
	stranger.post(fmt.Sprintf("%s/abrufe/%d", leadBase, ids[0]), url.Values{"decision": {"approve"}}).wantStatus(t, 404)
	lead.post(fmt.Sprintf("%s/abrufe/%d/zahlung", leadBase, ids[0]), nil).wantStatus(t, 409)
	lead.post(fmt.Sprintf("%s/abrufe/%d", leadBase, ids[1]), url.Values{"decision": {"refuse"}}).wantStatus(t, 422)
	lead.post(fmt.Sprintf("%s/abrufe/%d", leadBase, ids[1]), url.Values{"decision": {"vielleicht"}}).wantStatus(t, 422)
	lead.post(fmt.Sprintf("%s/abrufe/%d", leadBase, ids[0]), url.Values{"decision": {"approve"}}).wantStatus(t, 303)
	lead.post(fmt.Sprintf("%s/abrufe/%d", leadBase, ids[0]), url.Values{"decision": {"approve"}}).wantStatus(t, 409)
	lead.post(fmt.Sprintf("%s/abrufe/%d", leadBase, ids[1]), url.Values{"decision": {"refuse"}, "reason": {"Bitte zuerst den Februar abrechnen."}}).wantStatus(t, 303)
	lead.post(fmt.Sprintf("%s/abrufe/%d/zahlung", leadBase, ids[0]), nil).wantStatus(t, 303)
	lead.post("/verwaltung/musterland/verfahren/999999/weiterleitung/abrufe/"+fmt.Sprint(ids[0]), url.Values{"decision": {"approve"}}).wantStatus(t, 404)
	admin.get(orgBase).wantStatus(t, 200).wantContains(t, "Ausgezahlt", "Abgelehnt", "Bitte zuerst den Februar abrechnen.", "Ausgezahlt insgesamt: 4.756,16 €")

	// The refused period may be requested again.
	admin.post(orgBase+"/abrufe", url.Values{"period_from": {"2027-03-01"}, "period_to": {"2027-03-31"}, "amount": {"5.265,75"}}).wantStatus(t, 303)

	// A post vacant for longer than the Kreis's setting (3 months) is flagged for the lead.
	lead.get("/arbeitsbereich").wantStatus(t, 200)
	if strings.Contains(lead.get("/arbeitsbereich").Body, "Stelle zu lange unbesetzt") {
		t.Fatal("flagged before any post was vacant")
	}
	since := ta.clock.Now().AddDate(0, -4, 0).Format("2006-01-02")
	member.post(orgBase+"/stellen", url.Values{"post": {"L1/1"}, "state": {"vacant"}, "vacant_since": {since}, "planned": {"2027-06-01"}}).wantStatus(t, 303)
	lead.get("/arbeitsbereich").wantStatus(t, 200).wantContains(t, "Stelle zu lange unbesetzt", p.OrgNames[0], leadBase)
	lead.get(leadBase).wantStatus(t, 200).wantContains(t, "zu lange unbesetzt", "01.06.2027")

	// The open record and the OCDS release show posts and payments, never people.
	rec := ta.client().get("/vergaben/"+p.Ref).wantStatus(t, 200).wantContains(t, "Besetzung der Stellen", p.OrgNames[0], "angenommen")
	ocds := ta.client().get(fmt.Sprintf("/ocds/%d/releases.json", p.CallID)).wantStatus(t, 200)
	ocdstest.Load(t).Package(t, "contracts", []byte(ocds.Body))
	ocds.wantContains(t, `"contracts"`, `"implementation"`, `"transactions"`, `"amount": 4756.16`, "verwendungsnachweis-1", `"status": "active"`)
	for _, s := range []string{"Anna Admin", "fw-admin@traeger.example", "Person fw-"} {
		if strings.Contains(rec.Body, s) || strings.Contains(ocds.Body, s) {
			t.Errorf("award record or OCDS shows %q", s)
		}
	}

	// Everything is in the trail with German labels.
	for _, action := range []string{"forwarding.issued", "forwarding.accepted", "forwarding.post_reported", "forwarding.drawdown_requested",
		"forwarding.drawdown_approved", "forwarding.drawdown_refused", "forwarding.drawdown_paid"} {
		if ta.count(`SELECT count(*) FROM audit_log WHERE action = ?`, action) == 0 {
			t.Errorf("no %s in the trail", action)
		}
	}
}

// untilAwarded gives every state before the final award outcome o (access table).
func untilAwarded(o string) map[string]string {
	m := allStates(o)
	delete(m, "awarded")
	return m
}

// TestKreisChoosesTheFormOfTheForwardingAndTheVacancyMonths: the Kreis administrator sets
// Zuwendungsbescheid and 2 months; an invalid number changes nothing.
func TestKreisChoosesTheFormOfTheForwardingAndTheVacancyMonths(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	admin := ta.client()
	admin.login("admin@musterland.example", demo.Password)
	page := admin.get("/verwaltung/musterland/einstellungen").wantStatus(t, 200).wantContains(t, "Form der Weiterleitung", "Weiterleitungsvertrag")
	var form url.Values
	for _, f := range postForms(page.Body) {
		if f.Action == "/verwaltung/musterland/einstellungen" {
			form = f.Fields
		}
	}
	if form == nil {
		t.Fatal("no settings form")
	}
	form.Set("forwarding_form", "bescheid")
	form.Set("vacancy_months", "25")
	admin.post("/verwaltung/musterland/einstellungen", form).wantStatus(t, 422).wantContains(t, "1 bis 24")
	var got struct {
		ForwardingForm    string
		VacancyFlagMonths int
	}
	ta.store.DB.Raw(`SELECT forwarding_form, vacancy_flag_months FROM tenants WHERE slug = 'musterland'`).Scan(&got)
	if got.ForwardingForm != "vertrag" || got.VacancyFlagMonths != 3 {
		t.Fatalf("refused settings changed the Kreis: %+v", got)
	}
	form.Set("vacancy_months", "2")
	admin.post("/verwaltung/musterland/einstellungen", form).wantStatus(t, 303)
	ta.store.DB.Raw(`SELECT forwarding_form, vacancy_flag_months FROM tenants WHERE slug = 'musterland'`).Scan(&got)
	if got.ForwardingForm != "bescheid" || got.VacancyFlagMonths != 2 {
		t.Fatalf("settings %+v, want bescheid and 2 months", got)
	}
}
