package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"kimibv/models/accounts"
	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/dbtest"
	"kimibv/models/evaluation"
	"kimibv/models/rules"
)

// wantLacks fails the test if the body contains any s.
func (r *response) wantLacks(t *testing.T, ss ...string) *response {
	t.Helper()
	for _, s := range ss {
		if strings.Contains(r.Body, s) {
			t.Fatalf("body contains %q", s)
		}
	}
	return r
}

// msgCommitteeMember is the refusal of the lead's and openers' pages to a committee member.
const msgCommitteeMember = "Sie gehören dem Bewertungsgremium dieses Verfahrens an."

// rolesOf returns a user's Kreis roles in Musterland, sorted.
func rolesOf(ta *testApp, userID int64) string {
	var roles []string
	ta.store.DB.Raw(`SELECT m.role FROM tenant_memberships m JOIN tenants t ON t.id = m.tenant_id
		WHERE t.slug = 'musterland' AND m.user_id = ? ORDER BY m.role`, userID).Scan(&roles)
	return strings.Join(roles, ",")
}

// TestRoleCombinationsKeepTheCommitteeGatesHTTP: people who hold several roles, logged in
// with real sessions, on the opened demo call with its three evaluators. The Kreis
// administration cannot make a committee member of a running procedure its lead or an
// opener, nor can an invitation to open be accepted after the naming, but a Kreis
// administrator may join the committee. Combinations that predate the rule (set
// directly in the database) do not open the gates: an evaluator who also opens sees
// nothing before declaring and never the bid they are tied to, an evaluator who also
// leads never reaches the consolidation of their own procedure, and a committee member
// reading the Kreis protocol sees no scores of that procedure.
func TestRoleCombinationsKeepTheCommitteeGatesHTTP(t *testing.T) {
	t.Parallel()
	e := newEvalEnv(t)
	ta, db, ctx := e.ta, e.ta.store.DB, context.Background()
	id := func(who string) int64 {
		return ta.count(`SELECT id FROM users WHERE email = ?`, who+"@musterland.example")
	}
	actor := func(who string) *core.Actor {
		a, err := accounts.LoadActor(ctx, db, id(who))
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	tenantID := ta.count(`SELECT tenant_id FROM calls WHERE id = ?`, e.callID)
	e.passDeadline(t)
	now := time.Now()
	if _, err := calls.CloseDueCalls(ctx, db, now); err != nil {
		t.Fatal(err)
	}
	for _, op := range []string{"oeffnung1", "oeffnung2"} {
		if _, err := evaluation.ConfirmOpening(ctx, db, dbtest.Vault(t), actor(op), core.CallScope{Tenant: tenantID, Call: e.callID}, now, dbtest.FakeDocuments{}); err != nil {
			t.Fatal(err)
		}
	}
	cc := e.content(t)
	met := map[string]rules.ItemAssessment{}
	for i := range cc.Eligibility {
		met[fmt.Sprintf("E%d", i+1)] = rules.ItemAssessment{Met: true}
	}
	for _, d := range cc.RequiredDocs {
		met[d.Key] = rules.ItemAssessment{Met: true}
	}
	if err := evaluation.SaveFormalCheck(ctx, db, actor("leitung"), core.CallScope{Tenant: tenantID, Call: e.callID}, e.bidID, evaluation.FormalInput{Items: met, Decision: rules.DecideAdmit}, now); err != nil {
		t.Fatal(err)
	}
	admin, lead := e.as(t, "admin"), e.as(t, "leitung")
	adminID, g1, g2 := id("admin"), id("gremium1"), id("gremium2")
	eval := fmt.Sprintf("/verwaltung/musterland/bewertung/%d", e.callID)
	sheet := fmt.Sprintf("%s/%d", eval, e.bidID)
	var key string
	db.Raw(`SELECT doc_key FROM bid_version_files WHERE bid_id = ? ORDER BY doc_key LIMIT 1`, e.bidID).Scan(&key)
	if key == "" {
		t.Fatal("the demo bid has no file")
	}
	file := sheet + "/dateien/" + key
	protocol := "/verwaltung/musterland/protokoll?action=sheet.submitted"
	scoreKey := "Stufen – Kriterium " + strings.TrimPrefix(cc.Criteria[0].Key, "K") // the sheet's scores in the protocol

	t.Run("the Kreis administration cannot make a committee member lead or opener", func(t *testing.T) {
		audit := ta.count(`SELECT count(*) FROM audit_log WHERE action = 'tenant.roles_changed'`)
		for _, extra := range []string{"lead", "opener"} {
			admin.post(fmt.Sprintf("/verwaltung/musterland/nutzer/%d", g2), url.Values{"roles": {"evaluator", extra}}).
				wantStatus(t, http.StatusUnprocessableEntity).
				wantContains(t, "gehört dem Bewertungsgremium des laufenden Verfahrens", "Es wurde nichts geändert.")
		}
		if got := rolesOf(ta, g2); got != "evaluator" {
			t.Fatalf("roles of gremium2 changed to %s", got)
		}
		if n := ta.count(`SELECT count(*) FROM audit_log WHERE action = 'tenant.roles_changed'`); n != audit {
			t.Fatal("a refused role change was audited")
		}
	})

	t.Run("a Kreis administrator may join the committee but then not open", func(t *testing.T) {
		admin.post(fmt.Sprintf("/verwaltung/musterland/nutzer/%d", adminID), url.Values{"roles": {"tenant_admin", "evaluator"}}).wantStatus(t, http.StatusSeeOther)
		lead.post(e.base+"/gremium", url.Values{"user": {fmt.Sprint(adminID)}}).wantStatus(t, http.StatusSeeOther)
		admin.post(fmt.Sprintf("/verwaltung/musterland/nutzer/%d", adminID), url.Values{"roles": {"tenant_admin", "evaluator", "opener"}}).
			wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, "Öffnungsberechtigte Person")
		if got := rolesOf(ta, adminID); got != "evaluator,tenant_admin" {
			t.Fatalf("administrator's roles: %s", got)
		}
	})

	t.Run("an invitation to open cannot be accepted once the invitee sits on the committee", func(t *testing.T) {
		const addr = "zweirollen@musterland.example"
		var tokens []string
		for _, role := range []string{"evaluator", "opener"} {
			admin.post("/verwaltung/musterland/einladungen", url.Values{"email": {addr}, "roles": {role}}).wantStatus(t, http.StatusSeeOther)
			tokens = append(tokens, ta.acctToken(addr, "http://kimibv.test/einladung"))
		}
		zora := ta.client()
		zora.post("/einladung/"+tokens[0], url.Values{"name": {"Zora Zweirollen"}, "password": {acctNewPassword}, "password_confirm": {acctNewPassword}}).
			wantStatus(t, http.StatusSeeOther)
		zoraID := ta.count(`SELECT id FROM users WHERE email = ?`, addr)
		lead.post(e.base+"/gremium", url.Values{"user": {fmt.Sprint(zoraID)}}).wantStatus(t, http.StatusSeeOther)
		zora.post("/einladung/"+tokens[1], nil).wantStatus(t, http.StatusUnprocessableEntity).
			wantContains(t, "Sie gehören dem Bewertungsgremium des laufenden Verfahrens", "Es wurde nichts geändert.")
		if got := rolesOf(ta, zoraID); got != "evaluator" {
			t.Fatalf("roles after the refused acceptance: %s", got)
		}
	})

	// Combinations granted before the rule existed: gremium1 also opens, gremium2 also leads.
	if err := db.Exec(`INSERT INTO tenant_memberships (tenant_id, user_id, role) VALUES (?, ?, 'opener'), (?, ?, 'lead')`, tenantID, g1, tenantID, g2).Error; err != nil {
		t.Fatal(err)
	}
	g1c, g2c := e.as(t, "gremium1"), e.as(t, "gremium2")

	t.Run("an undeclared evaluator who also opens sees no bid", func(t *testing.T) {
		if res := g1c.get(eval).wantStatus(t, http.StatusSeeOther); res.Header.Get("Location") != eval+"/erklaerung" {
			t.Fatalf("redirect to %q", res.Header.Get("Location"))
		}
		g1c.get(sheet).wantStatus(t, http.StatusForbidden).wantContains(t, "Bitte erklären Sie zuerst")
		g1c.get(file).wantStatus(t, http.StatusForbidden)
		g1c.get(e.base+"/oeffnung").wantStatus(t, http.StatusForbidden).wantContains(t, msgCommitteeMember)
		g1c.get(e.base+"/oeffnungsprotokoll.pdf").wantStatus(t, http.StatusForbidden)
	})

	for who, tie := range map[string]string{"gremium1": rules.TieMembership, "gremium2": rules.TieNone, "gremium3": rules.TieNone} {
		in := evaluation.DeclarationInput{Tie: tie}
		if tie != rules.TieNone {
			in.Note = "Mitglied im Vorstand"
		}
		if err := evaluation.DeclareTies(ctx, db, actor(who), core.CallScope{Tenant: tenantID, Call: e.callID}, map[int64]evaluation.DeclarationInput{e.awoOrg: in}, now); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("a tied evaluator who also opens never reaches the bid", func(t *testing.T) {
		g1c.get(eval).wantStatus(t, http.StatusOK).wantLacks(t, sheet)
		g1c.get(sheet).wantStatus(t, http.StatusNotFound)
		g1c.get(file).wantStatus(t, http.StatusNotFound)
	})

	// gremium3 submits: from now on there are others' scores to protect.
	submit := func(who string, score int) {
		in := evaluation.SheetInput{Scores: map[string]string{}, Reasons: map[string]string{}, Submit: true}
		for _, cr := range cc.Criteria {
			in.Scores[cr.Key], in.Reasons[cr.Key] = fmt.Sprint(score), fmt.Sprintf("Begründung von %s zu %s.", who, cr.Key)
		}
		if err := evaluation.SaveSheet(ctx, db, actor(who), core.CallScope{Tenant: tenantID, Call: e.callID}, e.bidID, in, now); err != nil {
			t.Fatal(err)
		}
	}
	submit("gremium3", 3)

	t.Run("an evaluator who also leads reaches no consolidation of their procedure", func(t *testing.T) {
		for _, path := range []string{"/konsolidierung", fmt.Sprintf("/konsolidierung/%d", e.bidID), "/ergebnis", "/pruefung", "/gremium"} {
			g2c.get(e.base+path).wantStatus(t, http.StatusForbidden).wantContains(t, msgCommitteeMember).wantLacks(t, "Begründung von gremium3")
		}
		g2c.get(e.base+"/bewertungsmatrix.xlsx").wantStatus(t, http.StatusForbidden)
		form := url.Values{}
		for _, cr := range cc.Criteria {
			form.Set("score_"+cr.Key, "3")
		}
		g2c.post(fmt.Sprintf("%s/konsolidierung/%d", e.base, e.bidID), form).wantStatus(t, http.StatusForbidden)
		g2c.get(sheet).wantStatus(t, http.StatusOK).wantLacks(t, "Begründung von gremium3")
		if n := ta.count(`SELECT count(*) FROM consolidated_scores WHERE call_id = ?`, e.callID); n != 0 {
			t.Fatalf("%d consolidated scores stored", n)
		}
	})

	t.Run("committee members read the protocol without the procedure's scores", func(t *testing.T) {
		lead.get(protocol).wantStatus(t, http.StatusOK).wantContains(t, "Bewertungsbogen abgegeben", scoreKey)
		for _, c := range []*client{admin, g2c} {
			c.get(protocol).wantStatus(t, http.StatusOK).
				wantContains(t, "Bewertungsbogen abgegeben", "Für Mitglieder des Bewertungsgremiums dieses Verfahrens ausgeblendet").
				wantLacks(t, scoreKey)
		}
	})

	submit("gremium2", 2)

	t.Run("after the own sheet the evaluator who also leads still does not consolidate", func(t *testing.T) {
		g2c.get(fmt.Sprintf("%s/konsolidierung/%d", e.base, e.bidID)).wantStatus(t, http.StatusForbidden).wantContains(t, msgCommitteeMember)
		g2c.get(protocol).wantStatus(t, http.StatusOK).wantLacks(t, scoreKey)
		lead.get(fmt.Sprintf("%s/konsolidierung/%d", e.base, e.bidID)).wantStatus(t, http.StatusOK).wantContains(t, "Begründung von gremium3")
	})
}
