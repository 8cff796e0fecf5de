package app

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"kimibv/models/calls"
	"kimibv/models/core"
)

// callQAPage is the data of the public questions page; the call page carries the same
// Extras so that both include the partial "call_extras".
type callQAPage struct {
	Extras *calls.CallExtras
	Href   string // public address of the call
	F      fmtr
}

// loadCallQA loads the call of :id and its questions, versions and the visitor's own data.
func (a *App) loadCallQA(c echo.Context) (callQAPage, error) {
	ctx := c.Request().Context()
	h, err := calls.PublishedCallHeader(ctx, a.db, c.Param("id"))
	if err != nil {
		return callQAPage{}, err
	}
	x, err := calls.LoadCallExtras(ctx, a.db, actor(c), h, a.now())
	if err != nil {
		return callQAPage{}, err
	}
	return callQAPage{Extras: x, Href: "/ausschreibungen/" + h.Ref}, nil
}

// callQuestions shows all published answers, the form to ask and the visitor's own questions.
func (a *App) callQuestions(c echo.Context) error {
	d, err := a.loadCallQA(c)
	if err != nil {
		return err
	}
	return a.show(c, "call_questions", "Fragen und Antworten – "+d.Extras.Call.Title, d)
}

// askQuestion records a provider's question; after the question deadline the form is shown
// again with the German message and nothing is stored.
func (a *App) askQuestion(c echo.Context) error {
	d, err := a.loadCallQA(c)
	if err != nil {
		return err
	}
	orgID := formOrg(c, "org", actor(c))
	_, err = calls.AskQuestion(c.Request().Context(), a.db, actor(c), core.OrgCallScope{Call: d.Extras.Call.ID, Org: orgID}, c.FormValue("question"), a.now())
	if _, ok := core.AsValidation(err); ok {
		return a.invalid(c, "call_questions", "Fragen und Antworten – "+d.Extras.Call.Title, d, formValues(c), err)
	}
	if err != nil {
		return conflictPage(err)
	}
	return a.redirect(c, d.Href+"/fragen#eigene-fragen",
		"Ihre Frage ist eingegangen. Die Antwort wird für alle veröffentlicht, ohne Ihre Organisation zu nennen.")
}

// formOrg reads an organisation id from field name; with none given and exactly one
// organisation, that one is meant. Anything else is 0, which the use cases refuse with 404.
func formOrg(c echo.Context, name string, act *core.Actor) int64 {
	return chosenOrg(c.FormValue(name), act)
}

// chosenOrg parses the organisation chosen in a form (s), or the actor's only one when s is empty.
func chosenOrg(s string, act *core.Actor) int64 {
	if s != "" {
		id, _ := strconv.ParseInt(s, 10, 64)
		return id
	}
	if act != nil && len(act.Orgs) == 1 {
		for id := range act.Orgs {
			return id
		}
	}
	return 0
}

// conflictPage turns a core.StateConflict into a 409 page with its German explanation.
func conflictPage(err error) error {
	if sc, ok := asStateConflict(err); ok {
		return &echo.HTTPError{Code: http.StatusConflict, Message: sc.Message, Internal: err}
	}
	return err
}

// asStateConflict extracts a *core.StateConflict from err.
func asStateConflict(err error) (*core.StateConflict, bool) {
	var sc *core.StateConflict
	ok := errors.As(err, &sc)
	return sc, ok
}
