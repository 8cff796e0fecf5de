package app

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/templates"
)

// leadQuestionsPage is the data of the lead's question list and answer form.
type leadQuestionsPage struct {
	Call      *calls.CallHeader
	Base      string // this call's admin address
	Questions []calls.AskedQuestion
	Answers   []calls.PublicQA
	Question  *calls.AskedQuestion  // the question being answered
	Others    []calls.AskedQuestion // other open questions that can be merged into it
	F         fmtr
}

// loadLeadQuestions loads the call, all its questions and the published answers.
func (a *App) loadLeadQuestions(c echo.Context) (leadQuestionsPage, error) {
	id, err := callID(c)
	if err != nil {
		return leadQuestionsPage{}, err
	}
	ctx, act, t := c.Request().Context(), actor(c), tenant(c)
	h, err := calls.LeadCallHeader(ctx, a.db, act, core.CallScope{Tenant: t.ID, Call: id})
	if err != nil {
		return leadQuestionsPage{}, err
	}
	d := leadQuestionsPage{Call: h, Base: fmt.Sprintf("%s/%d", callsBase(c), h.ID)}
	if d.Questions, err = calls.LeadQuestions(ctx, a.db, act, core.CallScope{Tenant: t.ID, Call: h.ID}); err != nil {
		return d, err
	}
	if d.Answers, err = calls.PublicQAs(ctx, a.db, h.ID); err != nil {
		return d, err
	}
	return d, nil
}

// withQuestion selects the question of :q (404 unless it belongs to the call) and the
// other open questions.
func (d *leadQuestionsPage) withQuestion(c echo.Context) error {
	qid, err := strconv.ParseInt(c.Param("q"), 10, 64)
	if err != nil {
		return echo.ErrNotFound
	}
	for i := range d.Questions {
		q := &d.Questions[i]
		switch {
		case q.ID == qid:
			d.Question = q
		case !q.IsAnswered():
			d.Others = append(d.Others, *q)
		}
	}
	if d.Question == nil {
		return echo.ErrNotFound
	}
	return nil
}

// leadQuestions lists every question of the call with the asking organisation.
func (a *App) leadQuestions(c echo.Context) error {
	d, err := a.loadLeadQuestions(c)
	if err != nil {
		return err
	}
	return a.show(c, "lead_questions", "Fragen – "+d.Call.Ref, d)
}

// leadQuestion shows the answer form for one question.
func (a *App) leadQuestion(c echo.Context) error {
	d, err := a.loadLeadQuestions(c)
	if err != nil {
		return err
	}
	if err := d.withQuestion(c); err != nil {
		return err
	}
	p := a.page(c, fmt.Sprintf("Frage %d beantworten", d.Question.ID), d)
	p.Form = templates.NewForm(url.Values{"question": {d.Question.Body}}, nil)
	return a.render(c, http.StatusOK, "lead_question", p)
}

// answerQuestion publishes the answer to the question of :q and the merged duplicates.
func (a *App) answerQuestion(c echo.Context) error {
	d, err := a.loadLeadQuestions(c)
	if err != nil {
		return err
	}
	if err := d.withQuestion(c); err != nil {
		return err
	}
	form := formValues(c)
	in := calls.AnswerInput{QuestionIDs: append([]int64{d.Question.ID}, ids(form["merge"])...),
		Question: form.Get("question"), Answer: form.Get("answer")}
	qa, err := calls.AnswerQuestions(c.Request().Context(), a.db, actor(c), core.CallScope{Tenant: tenant(c).ID, Call: d.Call.ID}, in, a.cfg.BaseURL, a.now())
	if _, ok := core.AsValidation(err); ok {
		return a.invalid(c, "lead_question", fmt.Sprintf("Frage %d beantworten", d.Question.ID), d, form, err)
	}
	if err != nil {
		return conflictPage(err)
	}
	return a.redirect(c, d.Base+"/fragen", fmt.Sprintf("Die Antwort ist als Frage %d veröffentlicht. Die fragenden Organisationen und die Folgenden wurden benachrichtigt.", qa.Seq))
}

// assignQuestion merges the question of :q into an already published answer.
func (a *App) assignQuestion(c echo.Context) error {
	d, err := a.loadLeadQuestions(c)
	if err != nil {
		return err
	}
	if err := d.withQuestion(c); err != nil {
		return err
	}
	answerID, _ := strconv.ParseInt(c.FormValue("answer_id"), 10, 64)
	err = calls.AssignToAnswer(c.Request().Context(), a.db, actor(c), core.CallScope{Tenant: tenant(c).ID, Call: d.Call.ID}, d.Question.ID, answerID, a.cfg.BaseURL, a.now())
	if _, ok := core.AsValidation(err); ok {
		return a.invalid(c, "lead_question", fmt.Sprintf("Frage %d beantworten", d.Question.ID), d, formValues(c), err)
	}
	if err != nil {
		return conflictPage(err)
	}
	return a.redirect(c, d.Base+"/fragen", "Die Frage wurde der veröffentlichten Antwort zugeordnet. Die fragende Organisation wurde benachrichtigt.")
}
