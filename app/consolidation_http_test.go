package app_test

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"kimibv/models/accounts"
	"kimibv/models/audit"
	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/dbtest"
	"kimibv/models/evaluation"
	"kimibv/models/rules"
)

// consolidationEnv opens the demo call, admits AWO's bid, lets gremium1–3 declare no tie
// and gremium1 (4 points per criterion) and gremium2 (2 points) submit their sheets;
// gremium3's sheet (3 points) is submitted by submitLast.
type consolidationEnv struct {
	*evalEnv
	cc     rules.CallContent
	actors map[string]*core.Actor
	tenant int64
	now    time.Time
}

func newConsolidationEnv(t *testing.T) *consolidationEnv {
	e := &consolidationEnv{evalEnv: newEvalEnv(t), actors: map[string]*core.Actor{}}
	db, ctx := e.ta.store.DB, context.Background()
	e.cc, e.tenant = e.content(t), e.ta.count(`SELECT tenant_id FROM calls WHERE id = ?`, e.callID)
	for _, who := range []string{"leitung", "oeffnung1", "oeffnung2", "gremium1", "gremium2", "gremium3"} {
		id := e.ta.count(`SELECT id FROM users WHERE email = ?`, who+"@musterland.example")
		a, err := accounts.LoadActor(ctx, db, id)
		if err != nil {
			t.Fatal(err)
		}
		e.actors[who] = a
	}
	e.passDeadline(t)
	e.now = time.Now()
	if _, err := calls.CloseDueCalls(ctx, db, e.now); err != nil {
		t.Fatal(err)
	}
	for _, op := range []string{"oeffnung1", "oeffnung2"} {
		if _, err := evaluation.ConfirmOpening(ctx, db, dbtest.Vault(t), e.actors[op], core.CallScope{Tenant: e.tenant, Call: e.callID}, e.now, dbtest.FakeDocuments{}); err != nil {
			t.Fatal(err)
		}
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
	for _, ev := range []string{"gremium1", "gremium2", "gremium3"} {
		if err := evaluation.DeclareTies(ctx, db, e.actors[ev], core.CallScope{Tenant: e.tenant, Call: e.callID}, map[int64]evaluation.DeclarationInput{e.awoOrg: {Tie: rules.TieNone}}, e.now); err != nil {
			t.Fatal(err)
		}
	}
	e.sheet(t, "gremium1", 4)
	e.sheet(t, "gremium2", 2)
	return e
}

// sheet submits an evaluator's sheet with the same score for every criterion.
func (e *consolidationEnv) sheet(t *testing.T, who string, score int) {
	in := evaluation.SheetInput{Scores: map[string]string{}, Reasons: map[string]string{}, Submit: true}
	for _, cr := range e.cc.Criteria {
		in.Scores[cr.Key] = fmt.Sprint(score)
		in.Reasons[cr.Key] = fmt.Sprintf("Begründung von %s zu %s: Stufe %d.", who, cr.Key, score)
	}
	if err := evaluation.SaveSheet(context.Background(), e.ta.store.DB, e.actors[who], core.CallScope{Tenant: e.tenant, Call: e.callID}, e.bidID, in, e.now); err != nil {
		t.Fatal(err)
	}
}

// form is the consolidation form with score and a reason of its own for every criterion.
func (e *consolidationEnv) form(score string) url.Values {
	f := url.Values{}
	for _, cr := range e.cc.Criteria {
		f.Set("score_"+cr.Key, score)
		f.Set("reason_"+cr.Key, "Zu "+cr.Name+" sind Ziele, Maßnahmen und Zuständigkeiten nachvollziehbar beschrieben.")
	}
	return f
}

func TestConsolidationHTTP(t *testing.T) {
	t.Parallel()
	e := newConsolidationEnv(t)
	ta, lead := e.ta, e.as(t, "leitung")
	page, bidPage := e.base+"/konsolidierung", fmt.Sprintf("%s/konsolidierung/%d", e.base, e.bidID)
	stored := func() int64 { return ta.count(`SELECT count(*) FROM consolidated_scores WHERE call_id = ?`, e.callID) }
	closed := func() int64 { return ta.count(`SELECT count(*) FROM call_results WHERE call_id = ?`, e.callID) }

	// Before all sheets are in: the matrix names the missing sheet; nothing can be stored or closed.
	lead.get(page).wantStatus(t, 200).wantContains(t, "Bewertungsbogen noch nicht abgegeben von", "Ayşe Yıldız", "2 – große Abweichung")
	lead.post(bidPage, e.form("3")).wantStatus(t, 422).wantContains(t, "Konsolidieren können Sie erst, wenn alle Bögen vorliegen")
	lead.post(page+"/abschliessen", nil).wantStatus(t, 422).wantContains(t, "Bewertungsbogen noch nicht abgegeben von")
	if stored() != 0 || closed() != 0 {
		t.Fatal("stored before all sheets were in")
	}
	e.sheet(t, "gremium3", 3)

	// Other Kreis and non-leads: 404, nothing stored.
	other := fmt.Sprintf("/verwaltung/beispielhausen/verfahren/%d/konsolidierung", e.callID)
	e.as(t, "beispielhausen").get(other).wantStatus(t, 404)
	e.as(t, "beispielhausen").post(other+fmt.Sprintf("/%d", e.bidID), e.form("3")).wantStatus(t, 404)
	e.as(t, "beispielhausen").get(page).wantStatus(t, 404)
	e.as(t, "gremium1").get(page).wantStatus(t, 404)
	e.as(t, "gremium1").post(bidPage, e.form("3")).wantStatus(t, 404)
	e.as(t, "oeffnung1").post(page+"/abschliessen", nil).wantStatus(t, 404)
	e.as(t, "gremium1").get(e.base+"/bewertungsmatrix.xlsx").wantStatus(t, 404)

	// Out of scale, bad format and a missing reason: 422 with German messages, nothing stored.
	// The reason is prefilled with the members' reasons without their names (numbered in the committee's order), for the lead to edit.
	lead.get(bidPage).wantStatus(t, 200).wantContains(t, `value="3"`, "Begründung von gremium2 zu K1: Stufe 2.",
		"Mitglied 1: Begründung von gremium3 zu K1: Stufe 3.\nMitglied 2: Begründung von gremium2 zu K1: Stufe 2.\nMitglied 3: Begründung von gremium1 zu K1: Stufe 4.</textarea>")
	lead.post(bidPage, e.form("9")).wantStatus(t, 422).wantContains(t, "Die konsolidierte Bewertung muss zwischen 0 und 4 liegen.")
	lead.post(bidPage, e.form("drei")).wantStatus(t, 422).wantContains(t, `href="#f-score_K1"`)
	f := e.form("3")
	f.Set("score_K2", "3,5")
	f.Set("reason_K2", "")
	lead.post(bidPage, f).wantStatus(t, 422).wantContains(t, "K2: Bitte begründen Sie die konsolidierte Bewertung und warum sie vom Mittelwert 3 abweicht.", `value="3,5"`)
	// Every criterion needs a reason of its own, also at the mean; a reference to the mean is no reason (§ 39 VwVfG).
	f.Set("reason_K2", "Die Rollenklarheit ist besser belegt, als gremium2 annimmt.")
	f.Set("reason_K1", "")
	lead.post(bidPage, f).wantStatus(t, 422).wantContains(t, "K1: Bitte begründen Sie die konsolidierte Bewertung. Die Begründung steht in der Mitteilung an den Träger.")
	f.Set("reason_K1", "entspricht dem Mittelwert der Bewertungen des Gremiums")
	lead.post(bidPage, f).wantStatus(t, 422).wantContains(t, "K1: Ein Verweis wie „entspricht dem Mittelwert“ ist keine Begründung.", `href="#f-reason_K1"`)
	if stored() != 0 || ta.count(`SELECT count(*) FROM audit_log WHERE chain = ? AND action = 'consolidation.scores_set'`, audit.CallChain(e.callID)) != 0 {
		t.Fatal("invalid consolidation stored or audited")
	}
	f.Set("reason_K1", "Fallaufnahme und Hilfeplanung sind vollständig beschrieben.")
	lead.post(bidPage, f).wantStatus(t, 303)
	if n := stored(); n != int64(len(e.cc.Criteria)) {
		t.Fatalf("%d consolidated scores stored", n)
	}

	// Close, then the result; a second close (another tab) is a conflict.
	lead.post(page+"/abschliessen", nil).wantStatus(t, 303)
	if closed() != 1 || ta.count(`SELECT count(*) FROM audit_log WHERE chain = ? AND action = 'consolidation.closed'`, audit.CallChain(e.callID)) != 1 {
		t.Fatal("result not stored or not audited")
	}
	lead.get(e.base+"/ergebnis").wantStatus(t, 200).wantContains(t, "Arbeiterwohlfahrt Kreisverband Musterland e. V.", "Nicht verteilt", "77,50")
	lead.post(page+"/abschliessen", nil).wantStatus(t, 409).wantContains(t, "bereits abgeschlossen")
	lead.post(bidPage, e.form("3")).wantStatus(t, 409).wantContains(t, "bereits abgeschlossen")
	if closed() != 1 || ta.count(`SELECT count(*) FROM consolidated_scores WHERE call_id = ? AND score = 3.5`, e.callID) != 1 {
		t.Fatal("closed consolidation changed")
	}

	// The Bewertungsmatrix as XLSX: every evaluator's score and reason, consolidated score, points, total, rank, allocation.
	res := lead.get(e.base+"/bewertungsmatrix.xlsx").wantStatus(t, 200)
	x, err := excelize.OpenReader(bytes.NewReader([]byte(res.Body)))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	var all strings.Builder
	for _, sh := range x.GetSheetList() {
		rows, err := x.GetRows(sh)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			all.WriteString(strings.Join(r, "|") + "\n")
		}
	}
	text := all.String()
	for _, want := range []string{"Greta Gremm", "Ayşe Yıldız", "Begründung von gremium1 zu K1: Stufe 4.", "Begründung von gremium2 zu K6: Stufe 2.", "Begründung von gremium3 zu K3: Stufe 3.",
		"|4|", "|2|", "Die Rollenklarheit ist besser belegt", "3.50", "17.50", "77.50", "Rang 1", "VZÄ Los", "Nicht verteilt"} {
		if !strings.Contains(text, want) {
			t.Errorf("XLSX lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(text)
	}
}
