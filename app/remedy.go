package app

import (
	"github.com/labstack/echo/v4"

	"kimibv/models/core"
	"kimibv/models/decision"
	"kimibv/models/rules"
)

// remedyForm shows the form (the lead of the call's Kreis only; the use case decides
// whether a return is possible and says why not).
func (a *App) remedyForm(c echo.Context) error {
	d, err := a.loadDecisionPage(c)
	if err != nil {
		return err
	}
	return a.show(c, "remedy", "Rückverweisung – "+d.V.Ref, d)
}

// returnToStep returns the procedure to the chosen step (decision.ReturnToStep) after the
// confirmation page; an invalid input or a procedure that cannot be returned goes on to
// the use case without confirmation, which refuses and changes nothing.
func (a *App) returnToStep(c echo.Context) error {
	d, err := a.loadDecisionPage(c)
	if err != nil {
		return err
	}
	in := decision.RemedyInput{CallID: d.V.CallID, Step: c.FormValue("step"), Reason: c.FormValue("reason")}
	if step, ok := rules.ParseRemedyStep(in.Step); ok && d.V.State == rules.CallNotified {
		v := &core.ValidationError{}
		rules.CheckRemedyReason(v, "reason", in.Reason)
		if v.OrNil() == nil {
			act := finalAct{Title: "Verfahren zurückverweisen", Button: "Endgültig zurückverweisen", Back: d.Base + "/rueckverweisung",
				Intro: "Sie verweisen das Verfahren " + d.V.Title + " (" + d.V.Ref + ") an den Schritt „" + step.Label() + "“ zurück.",
				Final: []string{"Die Ergebnisse dieses Schritts und aller folgenden Schritte – bis zur Entscheidung und den Mitteilungen – werden als ersetzt gekennzeichnet; sie bleiben in der Vergabeakte und im Vergabevermerk sichtbar, zählen aber nicht mehr.",
					"Die Träger mit einer Mitteilung werden benachrichtigt. Die Schritte werden neu durchgeführt; neue Mitteilungen gehen hinaus und die Stillhaltefrist beginnt neu."},
				Rows: [][2]string{{"Zurück an", step.Label()}, {"Begründung", in.Reason}}}
			if ask, err := a.askConfirmation(c, act); ask {
				return err
			}
		}
	}
	_, err = decision.ReturnToStep(c.Request().Context(), a.db, actor(c), in, a.now())
	if _, ok := core.AsValidation(err); ok {
		return a.invalid(c, "remedy", "Rückverweisung – "+d.V.Ref, d, formValues(c), err)
	}
	if err != nil {
		return conflictPage(err)
	}
	return a.redirect(c, d.CallHref, "Das Verfahren ist an den Schritt zurückverwiesen. Die bisherigen Ergebnisse sind als ersetzt gekennzeichnet; die Träger wurden benachrichtigt.")
}

// CanReturn reports whether the page offers the return to a step: the notices are sent,
// an objection is upheld and none is open (rules.RemedyBlocked).
func (d decisionPage) CanReturn() bool {
	f := rules.RemedyFacts{State: d.V.State}
	for _, o := range d.V.Objections {
		switch {
		case !o.Answered():
			f.OpenObjections++
		case *o.Outcome == decision.ObjectionUpheld:
			f.UpheldObjections++
		}
	}
	return rules.RemedyBlocked(f, rules.RemedyDecision) == nil
}
