package browsertest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kimibv/models/decision"
	"kimibv/models/rules"
)

// decideAndNotify proposes the result's allocation, records it with number and sends the
// notices, through the use cases.
func (f *flow) decideAndNotify(number string) {
	t := f.t
	t.Helper()
	ctx, db, lead, now := context.Background(), f.store.DB, f.actor("leitung@musterland.example"), f.clock.Now()
	alloc := map[string]string{}
	var rows []struct {
		BidID      int64
		Key, Value string
	}
	db.Raw(`SELECT bid_id, key, value FROM result_rows, jsonb_each_text(allocation) WHERE call_id = ?`, f.callID).Scan(&rows)
	for _, r := range rows {
		alloc[rules.FTEField(r.BidID, r.Key)] = strings.Replace(r.Value, ".", ",", 1)
	}
	if err := decision.SaveProposal(ctx, db, lead, decision.ProposalInput{CallID: f.callID, FTE: alloc, Justification: "Auswahl nach der Rangfolge der Bewertung."}, now); err != nil {
		t.Fatal(err)
	}
	if err := decision.RecordDecision(ctx, db, lead, issuers(), rules.RecordInput{CallID: f.callID, Body: "kreistag",
		DecidedOn: rules.NewDate(now).German(), ResolutionNumber: number, VoteResult: "einstimmig"}, now); err != nil {
		t.Fatal(err)
	}
	if err := decision.IssueNotices(ctx, db, lead, issuers(), f.callID, now); err != nil {
		t.Fatal(err)
	}
}

// TestLeadReturnsToScoringAndTheCommitteeRescores: after the Diakonie's objection is upheld,
// the lead returns the procedure to the scoring in the browser (form, confirmation); the
// call page shows the scoring as the current step; an evaluator scores the AWO again in
// the browser; after the new result, decision and notices the public award record shows the
// first result as superseded with the reason, then the one that counts.
func TestLeadReturnsToScoringAndTheCommitteeRescores(t *testing.T) {
	t.Parallel()
	f := newFlow(t)
	began := time.Now()
	defer f.report(began)
	f.closeConsolidation()
	f.decideAndNotify("KT/4711/2026")
	ctx, db := context.Background(), f.store.DB
	notice := f.count(`SELECT id FROM notices WHERE call_id = ? AND org_id = ?`, f.callID, f.orgs["diakonie"])
	obj, err := decision.LodgeObjection(ctx, db, f.actor(providerEmails["diakonie"]), f.orgs["diakonie"], notice,
		"Die Bewertung beruht auf einer überholten Fassung unseres Konzepts.", f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := decision.AnswerObjection(ctx, db, f.actor("leitung@musterland.example"), decision.ObjectionAnswer{CallID: f.callID, ObjectionID: obj,
		Answer: "Der Rüge wird abgeholfen; die Bewertung wird wiederholt.", Outcome: decision.ObjectionUpheld}, f.clock.Now()); err != nil {
		t.Fatal(err)
	}

	// The lead returns the procedure to the scoring.
	decide, reason := f.proc+"/entscheidung", "Das Gremium hat eine überholte Fassung des Konzepts der Diakonie bewertet; die Bewertung wird wiederholt."
	lead := f.as("leitung", "leitung@musterland.example")
	lead.openOK(decide)
	if len(lead.links(decide+"/rueckverweisung")) == 0 {
		t.Fatal("the decision page does not offer the return after the upheld objection")
	}
	lead.openOK(decide + "/rueckverweisung")
	lead.fill(decide+"/rueckverweisung", map[string]string{"step": string(rules.RemedyScoring), "reason": reason})
	lead.submitConfirmed(decide+"/rueckverweisung", "")
	if s := f.text(`SELECT state FROM calls WHERE id = ?`, f.callID); s != "opened" {
		t.Fatalf("state %s after the return, want opened", s)
	}
	lead.openOK(f.proc)
	lead.wantText(fmt.Sprintf("Schritt %d von %d: %s", int(rules.StepScoring)+1, len(rules.ProcedureSteps), rules.StepScoring.Label()))

	// gremium2 scores the AWO again in the browser; the others through the use cases.
	g := f.as("gremium2", "gremium2@musterland.example")
	sheet := fmt.Sprintf("/verwaltung/musterland/bewertung/%d/%d", f.callID, f.bids["awo"])
	g.openOK(sheet)
	form := map[string]string{}
	for _, cr := range f.content.Criteria {
		form["score_"+cr.Key] = "4"
		form["reason_"+cr.Key] = fmt.Sprintf("gremium2 (erneut): Die aktuelle Fassung zu %s entspricht Stufe 4.", cr.Key)
	}
	g.fill(sheet, form)
	g.submitConfirmed(sheet, "[value=submit]")
	if n := f.count(`SELECT count(*) FROM score_sheets WHERE call_id = ? AND submitted_at IS NOT NULL`, f.callID); n != 1 {
		t.Fatalf("%d current submitted sheets after the browser's, want 1 (the old ones are superseded)", n)
	}
	f.scoreAndConsolidate(f.clock.Now(), "gremium2/awo")
	f.clock.Advance(time.Hour)
	f.decideAndNotify("KT/4712/2026")

	// The public award record: the first result superseded with the reason, then the new one.
	anon := f.as("öffentlich", "")
	anon.openOK(fmt.Sprintf("/vergaben/%d", f.callID))
	anon.wantText("Ergebnis 1 – ersetzt", reason, "KT/4711/2026", "Ergebnis 2 – geltend", "KT/4712/2026")
	if m := anon.main(); strings.Index(m, "Ergebnis 1 – ersetzt") > strings.Index(m, "Ergebnis 2 – geltend") {
		t.Error("the superseded result is not shown first")
	}
	if dir := os.Getenv("KIMIBV_SCREENSHOT_DIR"); dir != "" {
		screenshot(t, anon.tab, "", "vergabe-rueckverweisung.png")
		if err := os.WriteFile(filepath.Join(dir, "vergabevermerk-rueckverweisung.pdf"), lead.download(decide+"/vergabevermerk.pdf"), 0o644); err != nil {
			t.Error(err)
		}
	}
}
