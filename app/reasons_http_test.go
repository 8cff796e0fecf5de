package app_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"kimibv/models/decision"
	"kimibv/models/demo"
	"kimibv/models/rules"
)

// meanBoilerplate is the text notices used to give instead of a reason.
const meanBoilerplate = "Mittelwert der Bewertungen des Gremiums"

// TestNoticeStatesTheLeadsReasonPerCriterion runs a procedure from the consolidation to
// the notices through HTTP: the lead gives every criterion a reason of its own (one score
// above the members' mean); the provider's notice page and its PDF state that reason per
// criterion and never the mean boilerplate; the public award record shows the requested
// posts and the reason of the deviation only; the council annex shows every reason and
// the requested, allocated and decided posts.
func TestNoticeStatesTheLeadsReasonPerCriterion(t *testing.T) {
	t.Parallel()
	e := newConsolidationEnv(t)
	e.sheet(t, "gremium3", 3) // members 4, 2, 3: the mean is 3 for every criterion
	ta, lead := e.ta, e.as(t, "leitung")
	page := e.base + "/entscheidung"
	reasons := map[string]string{}
	form := url.Values{}
	for i, cr := range e.cc.Criteria {
		reasons[cr.Key] = fmt.Sprintf("Zu %s beschreibt die Interessenbekundung Ziele und Maßnahmen; Kennung %d fehlt noch.", cr.Key, 7100+i)
		form.Set("score_"+cr.Key, "3")
		form.Set("reason_"+cr.Key, reasons[cr.Key])
	}
	deviation := "Abweichend vom Mittelwert: Die unabhängige Beschwerdestelle ist verbindlich geregelt und mit Antwortfrist belegt."
	form.Set("score_K2", "3,5")
	form.Set("reason_K2", deviation)
	reasons["K2"] = deviation
	lead.post(fmt.Sprintf("%s/konsolidierung/%d", e.base, e.bidID), form).wantStatus(t, 303)
	lead.post(e.base+"/konsolidierung/abschliessen", nil).wantStatus(t, 303)

	var alloc, requested []struct{ Key, Value string }
	ta.store.DB.Raw(`SELECT key, value FROM result_rows, jsonb_each_text(allocation) WHERE bid_id = ?`, e.bidID).Scan(&alloc)
	ta.store.DB.Raw(`SELECT key, value FROM result_rows, jsonb_each_text(requested) WHERE bid_id = ? ORDER BY key`, e.bidID).Scan(&requested)
	if len(requested) == 0 {
		t.Fatal("the result stored no requested posts")
	}
	proposal := url.Values{"justification": {"Einzige zugelassene Interessenbekundung."}}
	for _, a := range alloc {
		proposal.Set(rules.FTEField(e.bidID, a.Key), strings.Replace(a.Value, ".", ",", 1))
	}
	lead.post(page+"/vorschlag", proposal).wantStatus(t, 303)
	lead.postConfirmed(page+"/beschluss", url.Values{"body": {"kreistag"}, "decided_on": {rules.NewDate(ta.clock.Now()).German()},
		"resolution_number": {"KT/0816/2026"}, "vote_result": {"einstimmig"}}).wantStatus(t, 303)
	lead.postConfirmed(page+"/mitteilungen", url.Values{}).wantStatus(t, 303)

	// The provider's notice, page and PDF: a real reason per criterion, never the boilerplate.
	awo := e.as(t, "awo")
	notice := ta.count(`SELECT id FROM notices WHERE call_id = ? AND org_id = ?`, e.callID, e.awoOrg)
	nPath := fmt.Sprintf("/traeger/%d/mitteilungen/%d", e.awoOrg, notice)
	html := awo.get(nPath).wantStatus(t, 200).Body
	pdfText := strings.Join(strings.Fields(checkPDF(t, []byte(awo.get(nPath+"/mitteilung.pdf").wantStatus(t, 200).Body))), " ")
	for _, cr := range e.cc.Criteria {
		if !strings.Contains(html, reasons[cr.Key]) {
			t.Errorf("the notice page lacks the reason of %s: %q", cr.Key, reasons[cr.Key])
		}
		if !strings.Contains(pdfText, reasons[cr.Key]) {
			t.Errorf("the notice PDF lacks the reason of %s: %q", cr.Key, reasons[cr.Key])
		}
	}
	for what, text := range map[string]string{"page": html, "PDF": pdfText} {
		if strings.Contains(text, meanBoilerplate) {
			t.Errorf("the notice %s gives the mean boilerplate as a reason", what)
		}
	}
	if t.Failed() {
		t.Log(pdfText)
	}

	// The public award record: requested posts of the admitted bid, the deviation with its reason, no other reason.
	var ref string
	ta.store.DB.Raw(`SELECT ref FROM calls WHERE id = ?`, e.callID).Scan(&ref)
	var wantRequested []string
	for _, r := range requested {
		lot, _ := e.cc.Lot(r.Key)
		wantRequested = append(wantRequested, fmt.Sprintf("Los %s: %s<br>", lot.Name, rules.FormatFTE(decimal.RequireFromString(r.Value))))
	}
	rec := ta.client().get("/vergaben/"+ref).wantStatus(t, 200).
		wantContains(t, append(wantRequested, "Angefragt (VZÄ)", "Stellen je Los", "Punktwert 3,5 statt Mittelwert 3. Begründung der Verfahrensleitung: "+deviation)...)
	if strings.Contains(rec.Body, reasons["K1"]) {
		t.Error("the public award record shows a reason that only the notice states")
	}

	// The council annex: every reason, the deviation marked, requested/allocated/decided posts.
	council := ta.client()
	council.login("kreistag@musterland.example", demo.Password)
	decl := url.Values{}
	var orgs []int64
	ta.store.DB.Raw(`SELECT org_id FROM opening_bids WHERE call_id = ?`, e.callID).Scan(&orgs)
	for _, o := range orgs {
		decl.Set(decision.CouncilTieField(o), rules.TieNone)
	}
	base := fmt.Sprintf("/kreistag/musterland/verfahren/%d", e.callID)
	council.post(base+"/erklaerung", decl).wantStatus(t, 303)
	annex := council.get(base).wantStatus(t, 200).wantContains(t, "Konsolidierte Bewertungen mit Begründung", "Angefragte Stellen und Zuteilung je Los",
		"Begründung der Abweichung:</strong> "+deviation, "3 <strong>(abweichend)</strong>")
	for _, cr := range e.cc.Criteria {
		annex.wantContains(t, reasons[cr.Key])
	}
	for _, r := range requested {
		lot, _ := e.cc.Lot(r.Key)
		annex.wantContains(t, fmt.Sprintf(`<td class="kern-table__cell">%s</td><td class="kern-table__cell">%s</td>`, lot.Name, rules.FormatFTE(decimal.RequireFromString(r.Value))))
	}
}
