package models_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"kimibv/models/audit"
	"kimibv/models/calls"
	"kimibv/models/consultation"
	"kimibv/models/core"
	"kimibv/models/dbtest"
	"kimibv/models/ocdstest"
	"kimibv/models/rules"
)

// berlin writes t as the datetime-local form value (Europe/Berlin wall time, minutes).
func berlin(t time.Time) string { return t.In(core.Berlin()).Format("2006-01-02T15:04") }

func TestConsultationFromOpeningToPublication(t *testing.T) {
	t.Parallel()
	f := newCallFixture(t)
	ctx := context.Background()
	call := f.draftWithCommittee(t)
	scope := core.CallScope{Tenant: f.tenantID, Call: call.ID}
	awo, awoUser := (&qaFixture{db: f.db}).orgOf(t, "awo@traeger.example")
	caritas, caritasUser := (&qaFixture{db: f.db}).orgOf(t, "caritas@traeger.example")
	diakonie, diakonieUser := (&qaFixture{db: f.db}).orgOf(t, "diakonie@traeger.example")
	docs := dbtest.FakeDocuments{}
	start, end := f.now.Add(-time.Hour), f.now.Add(3*24*time.Hour)

	// Another Kreis's lead cannot open it; a period too short and a forged organisation are refused.
	if _, err := consultation.Open(ctx, f.db, f.otherLed, scope, consultation.OpenInput{StartsAt: berlin(start), EndsAt: berlin(end), Orgs: []int64{awo}}, docs, "", f.now); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("other Kreis: %v", err)
	}
	_, err := consultation.Open(ctx, f.db, f.lead, scope, consultation.OpenInput{StartsAt: berlin(start), EndsAt: berlin(f.now.Add(2 * time.Hour)), Orgs: []int64{awo, 999999}}, docs, "", f.now)
	wantCodes(t, err, "ends_at:too_short", "orgs:invalid")
	id, err := consultation.Open(ctx, f.db, f.lead, scope, consultation.OpenInput{StartsAt: berlin(start), EndsAt: berlin(end), Orgs: []int64{awo, caritas}}, docs, "https://x", f.now)
	if err != nil {
		t.Fatal(err)
	}
	if n := dbtest.Count(t, f.db, `SELECT count(*) FROM issued_documents WHERE kind = 'beteiligungsentwurf' AND object_id = ?`, fmt.Sprint(id)); n != 1 {
		t.Fatalf("draft PDFs: %d", n)
	}
	if n := dbtest.Count(t, f.db, `SELECT count(*) FROM inbox_messages WHERE kind = 'consultation_opened' AND call_id = ?`, call.ID); n != 2 {
		t.Fatalf("invitations in the Postfach: %d", n)
	}
	if _, err := consultation.Open(ctx, f.db, f.lead, scope, consultation.OpenInput{StartsAt: berlin(start), EndsAt: berlin(end), Orgs: []int64{awo}}, docs, "", f.now); !errors.Is(err, core.ErrConflict) {
		t.Fatalf("second consultation: %v", err)
	}

	// Statements: invited organisations state and revise; a non-invited one and a stranger are refused.
	s1, err := consultation.Submit(ctx, f.db, awoUser, consultation.OrgScope{Org: awo, Consultation: id}, consultation.StatementInput{Section: "kriterium:k1", Body: "Die Gewichtung ist zu niedrig."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := consultation.Submit(ctx, f.db, awoUser, consultation.OrgScope{Org: awo, Consultation: id}, consultation.StatementInput{Section: "kriterium:k1", Body: "Die Gewichtung des Konzepts ist zu niedrig."}); err != nil {
		t.Fatal(err)
	}
	if _, err := consultation.Submit(ctx, f.db, caritasUser, consultation.OrgScope{Org: caritas, Consultation: id}, consultation.StatementInput{Section: "zeitplan", Body: "Vier Wochen Frist wären angemessen."}); err != nil {
		t.Fatal(err)
	}
	_, err = consultation.Submit(ctx, f.db, diakonieUser, consultation.OrgScope{Org: diakonie, Consultation: id}, consultation.StatementInput{Section: "zeitplan", Body: "Text"})
	if !errors.Is(err, core.ErrForbidden) || !strings.Contains(err.Error(), "nicht eingeladen") {
		t.Fatalf("non-invited: %v", err)
	}
	if _, err := consultation.Submit(ctx, f.db, awoUser, consultation.OrgScope{Org: caritas, Consultation: id}, consultation.StatementInput{Section: "zeitplan", Body: "Text"}); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("as another organisation: %v", err)
	}
	_, err = consultation.Submit(ctx, f.db, awoUser, consultation.OrgScope{Org: awo, Consultation: id}, consultation.StatementInput{Section: "kriterium:k99", Body: "Text"})
	wantCodes(t, err, "section:invalid")
	var body string
	var revisions int
	f.db.Raw(`SELECT body, revisions FROM consultation_statements WHERE id = ?`, s1).Row().Scan(&body, &revisions)
	if body != "Die Gewichtung des Konzepts ist zu niedrig." || revisions != 1 {
		t.Fatalf("revision: %q %d", body, revisions)
	}

	// Publishing while it runs is refused; responses need a reason that is not boilerplate.
	if _, err := calls.Publish(ctx, f.db, f.lead, scope, rules.DefaultCallRules(), f.now, docs); err == nil || !strings.Contains(err.Error(), "consultation") {
		t.Fatalf("published during the consultation: %v", err)
	}
	err = consultation.Respond(ctx, f.db, f.lead, scope, s1, consultation.ResponseInput{Outcome: rules.OutcomeAdopted, Reason: "s. o."})
	wantCodes(t, err, "reason:boilerplate")
	if err := consultation.Respond(ctx, f.db, f.otherLed, core.CallScope{Tenant: f.tenantID, Call: call.ID}, s1, consultation.ResponseInput{Outcome: rules.OutcomeAdopted, Reason: "Gewichtung wird erhöht, weil das Konzept zentral ist."}); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("other Kreis responds: %v", err)
	}
	if err := consultation.Respond(ctx, f.db, f.lead, scope, s1, consultation.ResponseInput{Outcome: rules.OutcomePartly, Reason: "Die Gewichtung des Konzepts wird von 30 auf 35 Punkte angehoben."}); err != nil {
		t.Fatal(err)
	}

	// After the end (database clock) nothing of a statement changes.
	late := core.WithClockOffset(ctx, 4*24*time.Hour)
	_, err = consultation.Submit(late, f.db, awoUser, consultation.OrgScope{Org: awo, Consultation: id}, consultation.StatementInput{Section: "kriterium:k1", Body: "Geändert nach dem Ende."})
	if !errors.Is(err, core.ErrDeadlinePassed) || !strings.Contains(err.Error(), "geendet") {
		t.Fatalf("after the end: %v", err)
	}
	f.db.Raw(`SELECT body FROM consultation_statements WHERE id = ?`, s1).Scan(&body)
	if body != "Die Gewichtung des Konzepts ist zu niedrig." {
		t.Fatalf("changed after the end: %q", body)
	}

	after := end.Add(time.Hour)
	if _, err := calls.Publish(ctx, f.db, f.lead, scope, rules.DefaultCallRules(), after, docs); err == nil || !strings.Contains(err.Error(), "consultation") {
		t.Fatalf("published with an unanswered statement: %v", err)
	}
	if err := consultation.Weigh(ctx, f.db, f.lead, scope, docs, "", after); !errors.Is(err, core.ErrConflict) {
		t.Fatalf("weighed with an unanswered statement: %v", err)
	}
	v, err := consultation.OfCall(ctx, f.db, scope)
	if err != nil || v.Unanswered != 1 {
		t.Fatalf("view: %+v %v", v, err)
	}
	for _, s := range v.Statements {
		if !s.Answered() {
			if err := consultation.Respond(ctx, f.db, f.lead, scope, s.ID, consultation.ResponseInput{Outcome: rules.OutcomeRejected, Reason: "Die Frist von drei Wochen genügt nach den Erfahrungen früherer Verfahren."}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := calls.Publish(ctx, f.db, f.lead, scope, rules.DefaultCallRules(), after, docs); err == nil || !strings.Contains(err.Error(), "consultation") {
		t.Fatalf("published without the Abwägung: %v", err)
	}
	if err := consultation.Weigh(ctx, f.db, f.lead, scope, docs, "", after); err != nil {
		t.Fatal(err)
	}
	if _, err := calls.Publish(ctx, f.db, f.lead, scope, rules.DefaultCallRules(), after, docs); err != nil {
		t.Fatalf("publish after the Abwägung: %v", err)
	}
	want := []string{"consultation.opened", "consultation.statement_submitted", "consultation.statement_revised", "consultation.statement_answered", "consultation.weighed", "call.published"}
	got := strings.Join(auditActions(t, f.db, audit.CallChain(call.ID)), " ")
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Fatalf("trail lacks %s: %s", w, got)
		}
	}
	if n := dbtest.Count(t, f.db, `SELECT count(*) FROM inbox_messages WHERE kind = 'consultation_weighed' AND call_id = ?`, call.ID); n != 2 {
		t.Fatalf("Abwägung messages: %d", n)
	}
}

func TestConsultationReminderGoesOutOnceADayBeforeTheEnd(t *testing.T) {
	t.Parallel()
	f := newCallFixture(t)
	ctx := context.Background()
	call := f.draftWithCommittee(t)
	awo, _ := (&qaFixture{db: f.db}).orgOf(t, "awo@traeger.example")
	end := f.now.Add(3 * 24 * time.Hour)
	if _, err := consultation.Open(ctx, f.db, f.lead, core.CallScope{Tenant: f.tenantID, Call: call.ID},
		consultation.OpenInput{StartsAt: berlin(f.now), EndsAt: berlin(end), Orgs: []int64{awo}}, dbtest.FakeDocuments{}, "", f.now); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		at   time.Time
		want int
	}{{f.now, 0}, {end.Add(-23 * time.Hour), 1}, {end.Add(-22 * time.Hour), 0}, {end.Add(time.Hour), 0}} {
		n, err := consultation.RemindClosing(ctx, f.db, "", tc.at)
		if err != nil || n != tc.want {
			t.Fatalf("at %s: %d %v, want %d", tc.at, n, err, tc.want)
		}
	}
	if n := dbtest.Count(t, f.db, `SELECT count(*) FROM inbox_messages WHERE kind = 'consultation_closing' AND call_id = ?`, call.ID); n != 1 {
		t.Fatalf("reminders: %d", n)
	}
}

func TestOCDSStatesTheBeteiligungAsPlanning(t *testing.T) {
	t.Parallel()
	v := ocdstest.Load(t)
	db := dbtest.NewDemo(t).DB
	var ref string
	db.Raw(`SELECT k.ref FROM consultations c JOIN calls k ON k.id = c.call_id WHERE k.state <> 'draft'`).Scan(&ref)
	if ref == "" {
		t.Fatal("the demo has no published procedure with a Beteiligung")
	}
	body, _ := ocdsPackageJSON(t, db, ref)
	rels := releasesByID(t, v.Package(t, ref, body))
	planning := rels["ocds-t3st01-"+ref+"-planning"]
	if planning == nil || planning["tender"] != nil || fmt.Sprint(planning["tag"]) != "[planning]" {
		t.Fatalf("planning release: %v", planning)
	}
	m := planning["planning"].(map[string]any)["milestones"].([]any)[0].(map[string]any)
	if m["type"] != "engagement" || m["status"] != "scheduled" || m["dueDate"] == nil {
		t.Fatalf("milestone at the opening: %v", m)
	}
	tender := rels["ocds-t3st01-"+ref+"-tender-v1"]
	pl := tender["planning"].(map[string]any)
	m = pl["milestones"].([]any)[0].(map[string]any)
	if m["status"] != "met" || m["dateMet"] == nil || !strings.Contains(fmt.Sprint(pl["documents"]), "abwaegung.pdf") {
		t.Fatalf("planning with the published call: %v", pl)
	}
}
