package app

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"kimibv/models/core"
	"kimibv/models/council"
	"kimibv/models/rules"
)

// councilInfoPage is the data of a procedure's status reports and council questions, for
// the council (/kreistag/…/sachstand) and for the lead (/verwaltung/…/kreistag).
type councilInfoPage struct {
	I       *council.Info
	Base    string // this page's address
	Back    string // the page above it
	Stages  [][2]string
	Waiting []council.ReportFile // the lead's attachments for the next report
	F       fmtr
}

// loadCouncilInfo reads the council information of :call (council.LoadInfo admits the
// Kreis's council members and leads; the route decides which of them).
func (a *App) loadCouncilInfo(c echo.Context, base, back string) (councilInfoPage, error) {
	id, err := callID(c)
	if err != nil {
		return councilInfoPage{}, err
	}
	in, err := council.LoadInfo(c.Request().Context(), a.db, actor(c), core.CallScope{Tenant: tenant(c).ID, Call: id})
	if err != nil {
		return councilInfoPage{}, err
	}
	p := councilInfoPage{I: in, Base: fmt.Sprintf(base, id), Back: fmt.Sprintf(back, id)}
	for _, s := range rules.CouncilStages {
		if rules.CouncilStageReached(s, in.State, in.Opened) {
			p.Stages = append(p.Stages, [2]string{s, rules.CouncilStageLabel(s)})
		}
	}
	return p, nil
}

// reached reports whether the procedure reached stage (the stages the lead may pick).
func (p councilInfoPage) reached(stage string) bool {
	for _, s := range p.Stages {
		if s[0] == stage {
			return true
		}
	}
	return false
}

// councilInfoData loads the council's page of :call.
func (a *App) councilInfoData(c echo.Context) (councilInfoPage, error) {
	k := "/kreistag/" + tenant(c).Slug
	return a.loadCouncilInfo(c, k+"/verfahren/%d/sachstand", k)
}

// leadCouncilData loads the lead's page of :call.
func (a *App) leadCouncilData(c echo.Context) (councilInfoPage, error) {
	p, err := a.loadCouncilInfo(c, callsBase(c)+"/%d/kreistag", callsBase(c)+"/%d")
	if err != nil {
		return p, err
	}
	p.Waiting, err = council.WaitingReportFiles(c.Request().Context(), a.db, actor(c), core.CallScope{Tenant: tenant(c).ID, Call: p.I.CallID})
	return p, err
}

// councilInfo shows a council member the reports and answers of a procedure with their
// distribution record, the own open questions and the form for a new one.
func (a *App) councilInfo(c echo.Context) error {
	p, err := a.councilInfoData(c)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "private, no-store")
	return a.show(c, "council_info", "Sachstand – "+p.I.Title, p)
}

// councilAsk records a council member's question (Anfrage).
func (a *App) councilAsk(c echo.Context) error {
	p, err := a.councilInfoData(c)
	if err != nil {
		return err
	}
	_, err = council.AskQuestion(c.Request().Context(), a.db, actor(c), core.CallScope{Tenant: tenant(c).ID, Call: p.I.CallID}, c.FormValue("question"), a.now())
	if _, ok := core.AsValidation(err); ok {
		return a.invalid(c, "council_info", "Sachstand – "+p.I.Title, p, formValues(c), err)
	}
	if err != nil {
		return err
	}
	return a.redirect(c, p.Base, "Ihre Anfrage ist bei der Verfahrensleitung eingegangen. Die Antwort geht allen Mitgliedern des Kreistags zur selben Zeit zu.")
}

// councilMarkRead records that the member opened a report or an answer (the page itself
// never writes) and shows it.
func (a *App) councilMarkRead(c echo.Context) error {
	id, err := callID(c)
	if err != nil {
		return err
	}
	dist, err := pathID(c, "dist")
	if err != nil {
		return err
	}
	if err := council.MarkRead(c.Request().Context(), a.db, actor(c), core.CallScope{Tenant: tenant(c).ID, Call: id}, dist, a.now()); err != nil {
		return err
	}
	return a.redirect(c, fmt.Sprintf("/kreistag/%s/verfahren/%d/sachstand#v%d", tenant(c).Slug, id, dist), "Als gelesen vermerkt. Die Verteilung zeigt, wer geöffnet hat.")
}

// councilReportPDF sends a Sachstandsbericht to a council member or a lead of the Kreis.
func (a *App) councilReportPDF(c echo.Context) error {
	id, err := callID(c)
	if err != nil {
		return err
	}
	rid, err := pathID(c, "report")
	if err != nil {
		return err
	}
	doc, err := council.ReportPDF(c.Request().Context(), a.db, actor(c), core.CallScope{Tenant: tenant(c).ID, Call: id}, rid)
	if err != nil {
		return err
	}
	return a.sendPDF(c, doc)
}

// leadCouncil shows the lead the form for a status report, the open council questions and
// everything distributed so far with who has read it.
func (a *App) leadCouncil(c echo.Context) error {
	p, err := a.leadCouncilData(c)
	if err != nil {
		return err
	}
	return a.show(c, "lead_council", "Kreistag informieren – "+p.I.Ref, p)
}

// publishCouncilReport issues a status report to the whole council after the confirmation.
func (a *App) publishCouncilReport(c echo.Context) error {
	p, err := a.leadCouncilData(c)
	if err != nil {
		return err
	}
	in := council.ReportInput{TenantID: tenant(c).ID, CallID: p.I.CallID, Stage: c.FormValue("stage"), Title: c.FormValue("title"), Body: c.FormValue("body")}
	// Only a report the use case would accept is confirmed first; anything else goes on to
	// PublishReport, which refuses it with the field's message.
	if label := rules.CouncilStageLabel(in.Stage); p.reached(in.Stage) && strings.TrimSpace(in.Title) != "" && strings.TrimSpace(in.Body) != "" {
		act := finalAct{Title: "Sachstandsbericht verteilen", Button: "Bericht jetzt an alle Mitglieder verteilen", Back: p.Base,
			Intro: fmt.Sprintf("Sie verteilen einen Sachstandsbericht zu %s (%s) an alle %d Mitglieder des Kreistags.", p.I.Title, p.I.Ref, p.I.Members),
			Final: []string{"Der Bericht wird als PDF mit Prüfwert ausgestellt und geht allen Mitgliedern zur selben Zeit mit demselben Inhalt zu; er lässt sich nicht zurückholen oder ändern.",
				"Vor der Öffnung darf ein Bericht nichts über Interessenbekundungen enthalten, auch nicht, ob welche eingegangen sind."},
			Rows: [][2]string{{"Stand", label}, {"Betreff", in.Title}, {"Text", in.Body}}}
		for _, f := range p.Waiting {
			act.Rows = append(act.Rows, [2]string{"Anlage", f.Name + " (" + rules.FormatFileSize(f.Size) + ")"})
		}
		if ask, err := a.askConfirmation(c, act); ask {
			return err
		}
	}
	_, err = council.PublishReport(c.Request().Context(), a.db, actor(c), a.docs, in, a.now())
	if _, ok := core.AsValidation(err); ok {
		return a.invalid(c, "lead_council", "Kreistag informieren – "+p.I.Ref, p, formValues(c), err)
	}
	if err != nil {
		return err
	}
	return a.redirect(c, p.Base, "Der Sachstandsbericht ist ausgestellt und an alle Mitglieder des Kreistags verteilt.")
}

// answerCouncilQuestion answers a council question after the confirmation and distributes
// question and answer to every member.
func (a *App) answerCouncilQuestion(c echo.Context) error {
	p, err := a.leadCouncilData(c)
	if err != nil {
		return err
	}
	qid, err := pathID(c, "q")
	if err != nil {
		return err
	}
	field := "answer_" + strconv.FormatInt(qid, 10) // one answer form per open question
	answer := c.FormValue(field)
	for _, q := range p.I.Open {
		if q.ID == qid && strings.TrimSpace(answer) != "" {
			act := finalAct{Title: "Anfrage beantworten", Button: "Antwort jetzt an alle Mitglieder verteilen", Back: p.Base,
				Intro: fmt.Sprintf("Sie beantworten die Anfrage (%s) zu %s (%s).", q.Faction(), p.I.Title, p.I.Ref),
				Final: []string{fmt.Sprintf("Frage und Antwort gehen allen %d Mitgliedern des Kreistags zur selben Zeit zu, mit der fragenden Fraktion; die Antwort lässt sich nicht ändern.", p.I.Members)},
				Rows:  [][2]string{{"Anfrage", q.Question}, {"Antwort", answer}}}
			if ask, err := a.askConfirmation(c, act); ask {
				return err
			}
		}
	}
	err = council.AnswerQuestion(c.Request().Context(), a.db, actor(c), core.CallScope{Tenant: tenant(c).ID, Call: p.I.CallID}, qid, answer, a.now())
	if ve, ok := core.AsValidation(err); ok {
		named := &core.ValidationError{}
		for _, f := range ve.Fields {
			named.Add(field, f.Code, f.Message)
		}
		return a.invalid(c, "lead_council", "Kreistag informieren – "+p.I.Ref, p, formValues(c), named)
	}
	if err != nil {
		return err
	}
	return a.redirect(c, p.Base, "Die Antwort ist mit der Anfrage an alle Mitglieder des Kreistags verteilt.")
}

// fetchResolution reads the resolution behind the OParl address the lead gave from the
// Kreis's council information system and keeps it; a failed fetch shows its German
// message and keeps everything as it was.
func (a *App) fetchResolution(c echo.Context) error {
	p, err := a.leadCouncilData(c)
	if err != nil {
		return err
	}
	ctx, t := c.Request().Context(), tenant(c)
	system, err := council.OParlSystem(ctx, a.db, t.ID)
	if err != nil {
		return err
	}
	res, err := council.NewOParlClient().Fetch(ctx, system, c.FormValue("oparl_url"))
	if err == nil {
		err = council.RecordResolution(ctx, a.db, actor(c), core.CallScope{Tenant: t.ID, Call: p.I.CallID}, res, a.now())
	}
	if _, ok := core.AsValidation(err); ok {
		return a.invalid(c, "lead_council", "Kreistag informieren – "+p.I.Ref, p, formValues(c), err)
	}
	if err != nil {
		return err
	}
	return a.redirect(c, p.Base+"#beschluss", "Der Beschluss ist aus dem Ratsinformationssystem übernommen.")
}
