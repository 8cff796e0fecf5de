package app_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"kimibv/models/demo"
)

// passwordOnlyActors are the matrix actors whose roles need the second factor (rules.md
// R29), each with a second client that logged in with the password alone.
var passwordOnlyActors = []string{"lead", "opener", "tadmin", "operator", "bh_lead"}

// loginPasswordOnlyClients adds "<actor>/pw" clients that logged in with the password only.
func (e *matrixEnv) loginPasswordOnlyClients(t *testing.T) {
	t.Helper()
	for _, a := range matrixActors {
		if !slices.Contains(passwordOnlyActors, a.id) {
			continue
		}
		c := e.ta.client()
		if !c.loginPasswordOnly(a.email, demo.Password) {
			t.Fatalf("the password login of %s did not ask for the second factor", a.id)
		}
		e.clients[a.id+"/pw"] = c
	}
}

// checkPasswordOnly requests every route the actor's second-factor session may use (want
// ok) with its password-only session: a GET and a POST of an empty form must lead to the
// code page or the enrolment (303) or be refused. That they change nothing is checked with
// the state's other requests (TestAccessMatrix compares the tables before and after).
// Routes open to every logged-in user (the own account, the work area) stay open.
func (e *matrixEnv) checkPasswordOnly(t *testing.T, state, who, route, path string, exp access, method string) int {
	t.Helper()
	if exp.public || exp.fixed != "" || slices.Contains(exp.allow, "prov_other") { // public, or every logged-in user
		return 0
	}
	c := e.clients[who+"/pw"]
	var res *response
	if method == http.MethodGet {
		res = c.get(path)
	} else {
		req, _ := http.NewRequest(http.MethodPost, c.base+path, forgedForm(c.csrfToken(), e.fileField(route)))
		req.Header.Set("Content-Type", forgedContentType)
		req.Header.Set("X-CSRF-Token", c.csrfToken())
		res = c.do(req)
	}
	loc := res.Header.Get("Location")
	asked := res.Status == http.StatusSeeOther && (strings.HasPrefix(loc, "/anmelden/zweiter-faktor") || strings.HasPrefix(loc, "/konto/zweiter-faktor"))
	if !asked && res.Status != http.StatusForbidden && res.Status != http.StatusNotFound {
		t.Errorf("[%s] %s password only %s %s: status %d (Location %q), want the second factor's page or a refusal", state, who, method, path, res.Status, loc)
	}
	return 1
}
