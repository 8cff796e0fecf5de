package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"kimibv/models/evaluation"
)

// reConfirmation finds the confirmation of a confirmation page.
var reConfirmation = regexp.MustCompile(`name="bestaetigung" value="([^"]*)"`)

// confirmationOf returns the confirmation a confirmation page carries ("" if none).
func confirmationOf(res *response) string {
	if m := reConfirmation.FindStringSubmatch(res.Body); m != nil {
		return m[1]
	}
	return ""
}

// postConfirmed posts form as post does; when the answer is a confirmation page, it
// confirms as the user would, sending the page's form again, and returns that answer.
func (c *client) postConfirmed(path string, form url.Values) *response {
	c.t.Helper()
	res := c.post(path, form)
	if res.Status != http.StatusOK || confirmationOf(res) == "" {
		return res
	}
	for _, f := range postForms(res.Body) {
		if f.Action == path && f.Fields.Has("bestaetigung") {
			return c.post(path, f.Fields)
		}
	}
	c.t.Fatalf("POST %s: the confirmation page has no form to %s", path, path)
	return nil
}

// TestIrreversibleActsChangeNothingWithoutTheirConfirmation sends each irreversible act —
// a bid's withdrawal, the opening, a score sheet's final submission, the decision and
// the notices — without its confirmation, with a forged one, with one from another
// session and with one for other values: each answers with the confirmation page that
// says what becomes final, and neither the data nor the audit trail changes. Only the
// confirmation of the page itself carries the act out.
func TestIrreversibleActsChangeNothingWithoutTheirConfirmation(t *testing.T) {
	t.Parallel()
	e := newMatrixEnv(t)
	ta := e.ta
	unchanged := func(what, query string, want int64, args ...any) {
		t.Helper()
		if got := ta.count(query, args...); got != want {
			t.Fatalf("%s: %d, want %d", what, got, want)
		}
	}
	trail := func() int64 { return ta.count(`SELECT count(*) FROM audit_log`) }
	forged := url.Values{"bestaetigung": {"gefaelscht"}}

	// Withdrawal of the AWO's bid.
	awo, bid := e.clients["prov_bid"], fmt.Sprintf("/traeger/%d/bewerbungen/%d", e.awoOrg, e.bidID)
	before := trail()
	page := awo.post(bid+"/zurueckziehen", nil).wantStatus(t, 200).wantContains(t, "Interessenbekundung zurückziehen",
		"Eine erneute Einreichung ist danach nicht möglich", "Endgültig zurückziehen")
	if confirmationOf(page) == "" {
		t.Fatal("the withdrawal's confirmation page carries no confirmation")
	}
	awo.post(bid+"/zurueckziehen", forged).wantStatus(t, 422).wantContains(t, "Die Bestätigung gehört nicht zu diesem Vorgang. Es wurde nichts verändert.")
	unchanged("withdrawn bids", `SELECT count(*) FROM bids WHERE id = ? AND state <> 'submitted'`, 0, e.bidID)
	unchanged("audit entries", `SELECT count(*) FROM audit_log`, before)

	// The opening: a confirmation from another opener's session does not count.
	e.advance(t, "closed")
	op := e.clients["opener"]
	before = trail()
	op.post(e.base+"/oeffnung", nil).wantStatus(t, 200).wantContains(t, "Öffnung endgültig bestätigen", "entschlüsselt")
	other := confirmationOf(e.clients["opener2"].post(e.base+"/oeffnung", nil).wantStatus(t, 200))
	op.post(e.base+"/oeffnung", url.Values{"bestaetigung": {other}}).wantStatus(t, 422)
	op.post(e.base+"/oeffnung", forged).wantStatus(t, 422)
	unchanged("opening confirmations", `SELECT count(*) FROM openings WHERE call_id = ?`, 0, e.callID)
	unchanged("audit entries", `SELECT count(*) FROM audit_log`, before)
	e.advance(t, "opened") // both openers confirm through their confirmation pages

	// The score sheet: the confirmation holds for the values shown, not for changed ones.
	ev := e.clients["eval"]
	sheet := fmt.Sprintf("/verwaltung/musterland/bewertung/%d/%d", e.callID, e.bidID)
	form := url.Values{"action": {"submit"}}
	for _, cr := range e.cc.Criteria {
		form.Set("score_"+cr.Key, "3")
		form.Set("reason_"+cr.Key, "Nachvollziehbar\r\ndargestellt.")
	}
	before = trail()
	page = ev.post(sheet, form).wantStatus(t, 200).wantContains(t, "Bewertungsbogen endgültig abgeben", e.cc.Criteria[0].Name, "3 Punkte")
	changed := url.Values{"bestaetigung": {confirmationOf(page)}}
	for k, v := range form {
		changed[k] = v
	}
	changed.Set("score_"+e.cc.Criteria[0].Key, "4")
	ev.post(sheet, changed).wantStatus(t, 422)
	changed.Set("score_"+e.cc.Criteria[0].Key, "3")
	changed.Set("bestaetigung", "gefaelscht")
	ev.post(sheet, changed).wantStatus(t, 422)
	unchanged("gremium2's sheets", `SELECT count(*) FROM score_sheets s JOIN users u ON u.id = s.evaluator_id WHERE u.email = 'gremium2@musterland.example'`, 0)
	unchanged("audit entries", `SELECT count(*) FROM audit_log`, before)
	ev.postConfirmed(sheet, form).wantStatus(t, 303)
	unchanged("gremium2's submitted sheets", `SELECT count(*) FROM score_sheets s JOIN users u ON u.id = s.evaluator_id
		WHERE u.email = 'gremium2@musterland.example' AND s.submitted_at IS NOT NULL`, 1)

	// The decision and the notices.
	in := evaluation.ConsolidationInput{CallID: e.callID, BidID: e.bidID, Scores: map[string]string{}, Reasons: map[string]string{}}
	for _, cr := range e.cc.Criteria {
		in.Scores[cr.Key], in.Reasons[cr.Key] = "3", "Ziele, Maßnahmen und Zuständigkeiten sind nachvollziehbar beschrieben."
	}
	if err := evaluation.SetConsolidatedScores(context.Background(), ta.store.DB, evaluation.EvaluationSource{}, e.actors["leitung"], in, e.now); err != nil {
		t.Fatal(err)
	}
	e.clients["lead"].post(e.base+"/konsolidierung/abschliessen", nil).wantStatus(t, http.StatusSeeOther)
	lead, dec := e.clients["lead"], e.base+"/entscheidung"
	e.submitForm(t, "lead", dec+"/vorschlag", dec+"/vorschlag", url.Values{"justification": {"Die AWO erfüllt alle Kriterien."}})
	rec := url.Values{"body": {"kreistag"}, "decided_on": {ta.clock.Now().In(berlin(t)).Format("02.01.2006")}, "resolution_number": {"V/2026/017"}, "vote_result": {"einstimmig"}}
	before = trail()
	lead.post(dec+"/beschluss", rec).wantStatus(t, 200).wantContains(t, "Entscheidung endgültig aufzeichnen", "V/2026/017", "Vergabevermerk")
	lead.post(dec+"/beschluss", forged).wantStatus(t, 422)
	unchanged("decided calls", `SELECT count(*) FROM calls WHERE id = ? AND state <> 'opened'`, 0, e.callID)
	unchanged("audit entries", `SELECT count(*) FROM audit_log`, before)
	lead.postConfirmed(dec+"/beschluss", rec).wantStatus(t, 303)
	unchanged("decided calls", `SELECT count(*) FROM calls WHERE id = ? AND state = 'decided'`, 1, e.callID)
	// The recorded decision is the council members' new record, due in their work area.
	e.clients["council"].get("/arbeitsbereich").wantStatus(t, 200).wantContains(t, "Neue Vergabedokumentation lesen",
		fmt.Sprintf(`href="/kreistag/musterland/verfahren/%d"`, e.callID))

	before = trail()
	lead.post(dec+"/mitteilungen", nil).wantStatus(t, 200).wantContains(t, "Mitteilungen jetzt versenden", "Stillhaltefrist")
	lead.post(dec+"/mitteilungen", forged).wantStatus(t, 422)
	unchanged("notices", `SELECT count(*) FROM notices WHERE call_id = ?`, 0, e.callID)
	unchanged("audit entries", `SELECT count(*) FROM audit_log`, before)
	lead.postConfirmed(dec+"/mitteilungen", nil).wantStatus(t, 303)
	unchanged("notified calls", `SELECT count(*) FROM calls WHERE id = ? AND state = 'notified'`, 1, e.callID)
}
