package app

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"kimibv/models/core"
	"kimibv/models/evaluation"
	"kimibv/models/rules"
	"kimibv/templates"
)

// evalBase is the evaluator's address of a call.
func evalBase(c echo.Context, callID int64) string {
	return fmt.Sprintf("/verwaltung/%s/bewertung/%d", tenant(c).Slug, callID)
}

// evaluationHomePage lists the evaluator's calls.
type evaluationHomePage struct {
	Calls []evaluation.EvaluatorCallRow
	Base  string
}

// evaluationHome lists the calls on whose committee the evaluator sits.
func (a *App) evaluationHome(c echo.Context) error {
	rows, err := evaluation.EvaluatorCalls(c.Request().Context(), a.db, actor(c), tenant(c).ID)
	if err != nil {
		return err
	}
	return a.show(c, "evaluation", "Bewertung", evaluationHomePage{Calls: rows, Base: "/verwaltung/" + tenant(c).Slug + "/bewertung"})
}

// evaluationCallPage lists the bids the evaluator scores.
type evaluationCallPage struct {
	View *evaluation.EvaluatorCallView
	Base string
	Home string
}

// evaluationCall shows the bids to score; before the declarations it sends the evaluator
// to the declaration form.
func (a *App) evaluationCall(c echo.Context) error {
	id, v, err := a.callVault(c)
	if err != nil {
		return err
	}
	ev, err := evaluation.EvaluatorCall(c.Request().Context(), a.db, v, actor(c), core.CallScope{Tenant: tenant(c).ID, Call: id}, a.now())
	var r *core.Refusal
	if errors.As(err, &r) {
		return c.Redirect(303, evalBase(c, id)+"/erklaerung")
	}
	if err != nil {
		return err
	}
	return a.show(c, "evaluation_call", "Bewertung – "+ev.Call.Ref, evaluationCallPage{View: ev, Base: evalBase(c, id), Home: "/verwaltung/" + tenant(c).Slug + "/bewertung"})
}

// declarationPage is the declaration form.
type declarationPage struct {
	View *evaluation.DeclarationView
	Base string
	Ties []string
}

// TieLabel returns the German label of a tie kind.
func (declarationPage) TieLabel(t string) string { return rules.TieLabel(t) }

func (a *App) loadDeclarations(c echo.Context) (declarationPage, error) {
	id, err := callID(c)
	if err != nil {
		return declarationPage{}, err
	}
	v, err := evaluation.CoiDeclarations(c.Request().Context(), a.db, actor(c), core.CallScope{Tenant: tenant(c).ID, Call: id})
	if err != nil {
		return declarationPage{}, err
	}
	return declarationPage{View: v, Base: evalBase(c, id), Ties: rules.TieKinds}, nil
}

// declarationsForm shows the declaration form (or the declarations made).
func (a *App) declarationsForm(c echo.Context) error {
	p, err := a.loadDeclarations(c)
	if err != nil {
		return err
	}
	return a.show(c, "coi_declare", "Erklärung zu Interessenkonflikten", p)
}

// declare records the declarations for every bidding organisation.
func (a *App) declare(c echo.Context) error {
	p, err := a.loadDeclarations(c)
	if err != nil {
		return err
	}
	values := formValues(c)
	in := map[int64]evaluation.DeclarationInput{}
	for _, b := range p.View.Bidders {
		k := strconv.FormatInt(b.OrgID, 10)
		in[b.OrgID] = evaluation.DeclarationInput{Tie: values.Get("tie_" + k), Note: strings.TrimSpace(values.Get("note_" + k))}
	}
	err = evaluation.DeclareTies(c.Request().Context(), a.db, actor(c), core.CallScope{Tenant: tenant(c).ID, Call: p.View.Call.ID}, in, a.now())
	if _, ok := core.AsValidation(err); ok {
		return a.invalid(c, "coi_declare", "Erklärung zu Interessenkonflikten", p, values, err)
	}
	if err != nil {
		return refusal(err)
	}
	return a.redirect(c, p.Base, "Ihre Erklärungen wurden gespeichert. Bei erklärten Verbindungen sind Sie von der Bewertung des betreffenden Trägers ausgeschlossen.")
}

// sheetPage is the score sheet of one bid.
type sheetPage struct {
	View *evaluation.SheetView
	Base string // the sheet's address
	List string
}

// Scale lists the values of the call's scale.
func (p sheetPage) Scale() []rules.ScaleLevel { return p.View.Content.Scale }

func (a *App) loadSheet(c echo.Context) (sheetPage, error) {
	p, err := a.callBidParams(c)
	if err != nil {
		return sheetPage{}, err
	}
	sv, err := evaluation.EvaluatorSheet(c.Request().Context(), a.db, p.vault, actor(c), core.CallScope{Tenant: tenant(c).ID, Call: p.call}, p.bid, a.now())
	if err != nil {
		return sheetPage{}, refusal(err)
	}
	return sheetPage{View: sv, Base: fmt.Sprintf("%s/%d", evalBase(c, p.call), p.bid), List: evalBase(c, p.call)}, nil
}

// sheet shows the criteria beside the provider's answers with the own scores.
func (a *App) sheet(c echo.Context) error {
	p, err := a.loadSheet(c)
	if err != nil {
		return err
	}
	values := url.Values{}
	for _, cr := range p.View.Content.Criteria {
		values.Set("score_"+cr.Key, p.View.ScoreOf(cr.Key))
		values.Set("reason_"+cr.Key, p.View.ReasonOf(cr.Key))
	}
	pg := a.page(c, "Bewertungsbogen – "+p.View.Bid.OrgName, p)
	pg.Form = templates.NewForm(values, nil)
	return a.render(c, 200, "score_sheet", pg)
}

// saveSheet stores the sheet as a draft or submits it.
func (a *App) saveSheet(c echo.Context) error {
	p, err := a.loadSheet(c)
	if err != nil {
		return err
	}
	values := formValues(c)
	in := evaluation.SheetInput{Scores: map[string]string{}, Reasons: map[string]string{}, Submit: values.Get("action") == "submit"}
	for name := range values { // every score_ and reason_ field: CheckSheet refuses those of no criterion
		if key, ok := strings.CutPrefix(name, "score_"); ok {
			in.Scores[key] = values.Get(name)
		} else if key, ok := strings.CutPrefix(name, "reason_"); ok {
			in.Reasons[key] = values.Get(name)
		}
	}
	if ask, err := a.confirmSheet(c, p, in); ask {
		return err
	}
	err = evaluation.SaveSheet(c.Request().Context(), a.db, actor(c), core.CallScope{Tenant: tenant(c).ID, Call: p.View.Call.ID}, p.View.Bid.BidID, in, a.now())
	if _, ok := core.AsValidation(err); ok {
		return a.invalid(c, "score_sheet", "Bewertungsbogen – "+p.View.Bid.OrgName, p, values, err)
	}
	if err != nil {
		return refusal(err)
	}
	if in.Submit {
		return a.redirect(c, p.Base, "Der Bewertungsbogen ist abgegeben und kann nicht mehr geändert werden. Sie sehen jetzt die abgegebenen Bewertungen der anderen Mitglieder.")
	}
	return a.redirect(c, p.Base, "Der Entwurf wurde gespeichert.")
}

// confirmSheet asks before a complete sheet is submitted for good (askConfirmation); a
// draft, an incomplete sheet or one already submitted goes on to SaveSheet, which saves
// the draft or refuses.
func (a *App) confirmSheet(c echo.Context, p sheetPage, in evaluation.SheetInput) (bool, error) {
	if !in.Submit || p.View.Submitted() {
		return false, nil
	}
	if _, err := evaluation.CheckSheet(p.View.Content.Criteria, p.View.Content.ScaleMax(), in); err != nil {
		return false, nil
	}
	act := finalAct{Title: "Bewertungsbogen endgültig abgeben", Button: "Bogen endgültig abgeben", Back: p.Base,
		Intro: "Sie geben Ihren Bewertungsbogen zur Interessenbekundung von " + p.View.Bid.OrgName + " ab.",
		Final: []string{"Ihre Punkte und Begründungen zu allen Kriterien – niemand kann sie danach ändern.",
			"Sie sehen danach die abgegebenen Bewertungen der anderen Mitglieder des Gremiums."}}
	for _, cr := range p.View.Content.Criteria {
		act.Rows = append(act.Rows, [2]string{cr.Name, strings.TrimSpace(in.Scores[cr.Key]) + " Punkte – " + strings.TrimSpace(in.Reasons[cr.Key])})
	}
	return a.askConfirmation(c, act)
}

// sheetFile streams a document of the bid being scored (through ReadBids' gate).
func (a *App) sheetFile(c echo.Context) error {
	p, err := a.loadSheet(c)
	if err != nil {
		return err
	}
	key, err := docKey(c)
	if err != nil {
		return err
	}
	r, f, err := p.View.Opened().OpenFile(c.Request().Context(), p.View.Bid.BidID, key)
	if err != nil {
		return err
	}
	defer r.Close()
	return a.sendFile(c, f, r)
}
