package browsertest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"kimibv/models/rules"
)

// evaluators are the demo committee's evaluators.
var evaluators = []string{"gremium1", "gremium2", "gremium3"}

// sheetScores is the score every criterion gets, per evaluator and bidder (gremium1 declares
// a tie to the Caritas and scores no sheet for it). Means: AWO 3,67, Caritas 3, Diakonie 2,67.
var sheetScores = map[string]map[string]int{
	"gremium1": {"awo": 4, "diakonie": 3},
	"gremium2": {"awo": 4, "caritas": 3, "diakonie": 2},
	"gremium3": {"awo": 3, "caritas": 3, "diakonie": 3},
}

// TestOpeningScoringAndConsolidationLeadToTheResult runs the demo call (three submitted bids, deadline passed) through
// the browser: two openers confirm in their own sessions, the lead admits every bid, the
// three evaluators declare (gremium1 a tie to the Caritas, whose bid it then does not see) and
// submit their sheets, the lead consolidates (means, one deviation with a reason) and closes;
// the result shows ranks and the allocation. Every page reached is audited by axe-core.
func TestOpeningScoringAndConsolidationLeadToTheResult(t *testing.T) {
	t.Parallel()
	f := newFlow(t)
	began := time.Now()
	defer f.report(began)
	f.passDeadline()

	// Opening: one confirmation does not open; the second, in another session, does.
	op1 := f.as("oeffnung1", "oeffnung1@musterland.example")
	op1.openOK("/verwaltung/musterland/oeffnungen")
	op1.wantText("Frist abgelaufen") // shown past the deadline, not a stale "Veröffentlicht" (the page writes nothing)
	if len(op1.links(f.proc+"/oeffnung")) == 0 {
		t.Errorf("the openings list does not link the call past its deadline")
	}
	op1.openOK(f.proc + "/oeffnung")
	op1.submitConfirmed("/oeffnung", "")
	if f.count(`SELECT count(*) FROM openings WHERE call_id = ?`, f.callID) != 1 || f.count(`SELECT count(*) FROM calls WHERE id = ? AND opened_at IS NULL`, f.callID) != 1 {
		t.Fatal("after the first confirmation: want one confirmation and the call still sealed")
	}
	op2 := f.as("oeffnung2", "oeffnung2@musterland.example")
	op2.openOK(f.proc + "/oeffnung")
	op2.submitConfirmed("/oeffnung", "")
	if f.count(`SELECT count(*) FROM calls WHERE id = ? AND state = 'opened' AND opened_at IS NOT NULL`, f.callID) != 1 {
		t.Fatal("the second confirmation did not open the call")
	}
	op2.openOK(f.proc + "/oeffnung")
	op2.wantText("Öffnungsprotokoll", f.names["awo"], f.names["caritas"], f.names["diakonie"],
		f.text(`SELECT content_sha256 FROM opening_bids WHERE bid_id = ?`, f.bids["diakonie"]))
	if pdf := op2.download(f.proc + "/oeffnungsprotokoll.pdf"); !strings.HasPrefix(string(pdf), "%PDF-") {
		t.Error("the Öffnungsprotokoll is not a PDF")
	}

	// Formal check: the lead admits every bid with all requirements met.
	lead := f.as("leitung", "leitung@musterland.example")
	lead.openOK(f.proc)
	lead.openOK(f.proc + "/pruefung")
	lead.wantText(f.names["awo"], f.names["caritas"], f.names["diakonie"])
	met := map[string]string{"decision": "admit"}
	for i := range f.content.Eligibility {
		met[fmt.Sprintf("met_E%d", i+1)] = "1"
	}
	for _, d := range f.content.RequiredDocs {
		met["met_"+d.Key] = "1"
	}
	for _, who := range []string{"awo", "caritas", "diakonie"} {
		check := fmt.Sprintf("%s/pruefung/%d", f.proc, f.bids[who])
		lead.openOK(check)
		lead.fill(check, met)
		lead.submitOK(check, "")
	}
	if n := f.count(`SELECT count(*) FROM formal_checks WHERE call_id = ? AND outcome = 'admitted'`, f.callID); n != 3 {
		t.Fatalf("%d bids admitted, want 3", n)
	}

	// Committee: declarations, then sheets.
	eval := fmt.Sprintf("/verwaltung/musterland/bewertung/%d", f.callID)
	for _, ev := range evaluators {
		g := f.as(ev, ev+"@musterland.example")
		g.openOK("/verwaltung/musterland/bewertung")
		g.openOK(eval) // leads to the declarations first
		if p := g.path(); !strings.HasSuffix(p, "/erklaerung") {
			t.Fatalf("%s: the evaluation of the call led to %s, want the declarations first", ev, p)
		}
		decl := map[string]string{}
		for _, org := range f.orgs {
			decl[fmt.Sprintf("tie_%d", org)] = rules.TieNone
		}
		if ev == "gremium1" {
			decl[fmt.Sprintf("tie_%d", f.orgs["caritas"])] = rules.TieMembership
			decl[fmt.Sprintf("note_%d", f.orgs["caritas"])] = "Ehrenamtliches Mitglied im Caritasrat seit 2021."
		}
		g.fill(eval+"/erklaerung", decl)
		g.submitOK(eval+"/erklaerung", "")
		g.openOK(eval)
		linked := map[string]bool{}
		for _, l := range g.links(eval + "/") {
			linked[l] = true
		}
		for who, bid := range f.bids {
			sheet := fmt.Sprintf("%s/%d", eval, bid)
			_, scores := sheetScores[ev][who]
			if got := linked[sheet]; got != scores {
				t.Errorf("%s: link to the sheet of %s shown: %v, want %v", ev, who, got, scores)
			}
			if !scores {
				if s := g.open(sheet); s != 404 {
					t.Errorf("%s: the sheet of %s (declared tie) answered %d, want 404", ev, who, s)
				}
				continue
			}
			g.openOK(sheet)
			g.wantText(f.content.Criteria[0].Name, "Antwort des Trägers")
			form := map[string]string{}
			for _, cr := range f.content.Criteria {
				form["score_"+cr.Key] = fmt.Sprint(sheetScores[ev][who])
				form["reason_"+cr.Key] = fmt.Sprintf("%s: Die Darstellung von %s zu %s entspricht Stufe %d.", ev, who, cr.Key, sheetScores[ev][who])
			}
			if ev == "gremium2" && who == "awo" { // a missing reason: the error summary, nothing stored
				last := "reason_" + f.content.Criteria[len(f.content.Criteria)-1].Key
				form[last] = ""
				g.fill(sheet, form)
				if s := g.submit(sheet, "[value=submit]"); s != 422 {
					t.Fatalf("sheet without a reason: status %d, want 422", s)
				}
				g.wantText("Begründung")
				if n := f.count(`SELECT count(*) FROM score_sheets WHERE bid_id = ? AND evaluator_id = (SELECT id FROM users WHERE email = 'gremium2@musterland.example') AND submitted_at IS NOT NULL`, bid); n != 0 {
					t.Fatal("a sheet without a reason was submitted")
				}
				form[last] = "gremium2: nachgetragene Begründung."
			}
			g.fill(sheet, form)
			g.submitConfirmed(sheet, "[value=submit]")
		}
	}
	if n := f.count(`SELECT count(*) FROM score_sheets WHERE call_id = ? AND submitted_at IS NOT NULL`, f.callID); n != 8 {
		t.Fatalf("%d submitted sheets, want 8 (3 bids × 3 evaluators less the declared tie)", n)
	}
	lead.openOK(f.proc + "/gremium")
	lead.wantText("Ehrenamtliches Mitglied im Caritasrat seit 2021.")

	// Consolidation: the mean is the default and the members' reasons without names the proposed reason; a deviation needs a reason.
	lead.openOK(f.proc + "/konsolidierung")
	k1 := f.content.Criteria[0].Key
	for _, who := range []string{"awo", "caritas", "diakonie"} {
		page := fmt.Sprintf("%s/konsolidierung/%d", f.proc, f.bids[who])
		lead.openOK(page)
		if who == "awo" {
			v, _ := eval2(lead, `document.getElementById('f-score_`+k1+`').value`)
			if v != "3,67" {
				t.Errorf("the consolidated score of %s defaults to %q, want the mean 3,67", k1, v)
			}
			if r, _ := eval2(lead, `document.getElementById('f-reason_`+k1+`').value`); !strings.HasPrefix(r, "Mitglied 1: ") || strings.Contains(r, "Gremm") {
				t.Errorf("the reason of %s is not prefilled with the members' reasons without names: %q", k1, r)
			}
			lead.fill(page, map[string]string{"score_" + k1: "3,5", "reason_" + k1: ""})
			if s := lead.submit(page, ""); s != 422 {
				t.Fatalf("deviation without a reason: status %d, want 422", s)
			}
			lead.wantText("vom Mittelwert 3,67 abweicht")
			lead.fill(page, map[string]string{"score_" + k1: "3,5", "reason_" + k1: "Die Vernetzung ist im Konzept konkreter belegt, als gremium3 annimmt."})
		}
		lead.submitOK(page, "")
	}
	lead.openOK(f.proc + "/konsolidierung")
	lead.submitOK("/konsolidierung/abschliessen", "")
	if f.count(`SELECT count(*) FROM call_results WHERE call_id = ?`, f.callID) != 1 {
		t.Fatal("closing stored no result")
	}
	lead.openOK(f.proc + "/ergebnis")
	lead.wantText("Rangfolge und Punkte", "Verteilung der Stellen je Los", "Bewertungsmatrix als PDF")
	body := lead.main()
	ia, ic, id := strings.Index(body, f.names["awo"]), strings.Index(body, f.names["caritas"]), strings.Index(body, f.names["diakonie"])
	if ia < 0 || ic < 0 || id < 0 || ia > ic || ic > id {
		t.Errorf("the result does not rank AWO, Caritas, Diakonie in this order:\n%s", body)
	}
	for who, want := range map[string]int64{"awo": 1, "caritas": 2, "diakonie": 3} {
		if r := f.count(`SELECT rank FROM result_rows WHERE bid_id = ?`, f.bids[who]); r != want {
			t.Errorf("%s has rank %d, want %d", who, r, want)
		}
	}
	// Totals with the lead's 3,5 in K1 for the AWO (21,88 instead of 22,94 points); the AWO
	// fills Nord and Mitte, the Caritas Süd, so the Diakonie (Nord) gets nothing.
	lead.wantText("90,70", "75,00", "66,76", "Los Nord\t2,00\t2,00\t0,00", "Los Süd\t1,00\t1,00\t0,00")
	for who, want := range map[string]string{"awo": "3.00", "caritas": "1.00", "diakonie": "0"} {
		got := f.text(`SELECT coalesce(sum(a.value::numeric), 0)::text FROM result_rows r, jsonb_each_text(r.allocation) a WHERE r.bid_id = ?`, f.bids[who])
		if got != want && !(want == "0" && got == "0.00") {
			t.Errorf("%s is allocated %s VZÄ, want %s", who, got, want)
		}
	}
	if pdf := lead.download(f.proc + "/bewertungsmatrix.pdf"); !strings.HasPrefix(string(pdf), "%PDF-") {
		t.Error("the Bewertungsmatrix is not a PDF")
	}
}

// eval2 evaluates a JavaScript expression returning a string in the person's tab.
func eval2(p *person, expr string) (string, error) { return eval[string](p.tab, expr) }
