package app

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"

	"kimibv/models/core"
	"kimibv/models/decision"
	"kimibv/models/rules"
	"kimibv/templates"
)

// decisionPage is the data of the lead's decision pages.
type decisionPage struct {
	V         *decision.DecisionView
	Base      string // /verwaltung/:kreis/verfahren/:call/entscheidung
	CallHref  string // the lead's page of the call
	Objection *decision.Objection
	F         fmtr
}

// proposalRow is one bid's line of the proposal form.
type proposalRow struct {
	OrgName  string
	Rank     int
	Total    decimal.Decimal
	Excluded bool
	Reasons  []string
	Cells    []proposalCell
}

// proposalCell is the posts input of one bid and lot.
type proposalCell struct {
	Field     string
	Label     string
	Requested decimal.Decimal
	ResultFTE decimal.Decimal
}

// Rows lists the result's bids with one input per requested lot.
func (d decisionPage) Rows() []proposalRow {
	var out []proposalRow
	for _, r := range d.V.Result.Rows {
		row := proposalRow{OrgName: d.V.Bidders[r.BidID].OrgName, Rank: r.Rank, Total: r.Total, Excluded: r.Excluded, Reasons: r.ExclusionReasons}
		for _, lot := range d.V.Content.Lots {
			if req, ok := r.Requested[lot.Key]; ok && req.IsPositive() {
				row.Cells = append(row.Cells, proposalCell{Field: rules.FTEField(r.BidID, lot.Key),
					Label: fmt.Sprintf("%s – Los %s (VZÄ)", row.OrgName, lot.Name), Requested: req, ResultFTE: r.Allocation[lot.Key]})
			}
		}
		out = append(out, row)
	}
	return out
}

// LotName names a lot key.
func (d decisionPage) LotName(key string) string {
	if l, ok := d.V.Content.Lot(key); ok {
		return l.Name
	}
	return key
}

// BodyOptions are the select's value/label pairs.
func (d decisionPage) BodyOptions() []string {
	out := []string{"", "Bitte wählen"}
	for _, b := range rules.DecisionBodies {
		out = append(out, string(b), b.Label())
	}
	return out
}

// loadDecisionPage loads the decision view of :call.
func (a *App) loadDecisionPage(c echo.Context) (decisionPage, error) {
	id, err := callID(c)
	if err != nil {
		return decisionPage{}, err
	}
	v, err := decision.LoadDecision(c.Request().Context(), a.db, actor(c), id, a.now())
	if err != nil {
		return decisionPage{}, err
	}
	if v.TenantID != tenant(c).ID {
		return decisionPage{}, echo.ErrNotFound
	}
	call := fmt.Sprintf("%s/%d", callsBase(c), v.CallID)
	return decisionPage{V: v, Base: call + "/entscheidung", CallHref: call}, nil
}

// decision shows the result, the proposal, the record form, notices and objections.
func (a *App) decision(c echo.Context) error {
	d, err := a.loadDecisionPage(c)
	if err != nil {
		return err
	}
	return a.show(c, "decision", "Entscheidung – "+d.V.Ref, d)
}

// proposalForm shows the proposal form prefilled from the saved proposal or the result.
func (a *App) proposalForm(c echo.Context) error {
	d, err := a.loadDecisionPage(c)
	if err != nil {
		return err
	}
	p := a.page(c, "Entscheidungsvorschlag – "+d.V.Ref, d)
	vals := url.Values{}
	fte := rules.ProposalFromResult(d.V.Result)
	if d.V.Decision != nil {
		vals.Set("justification", d.V.Decision.Justification)
		vals.Set("deviation_reason", d.V.Decision.DeviationReason)
		fte = d.V.Decision.SelectedFTE()
	}
	for bid, lots := range fte {
		for lot, f := range lots {
			vals.Set(rules.FTEField(bid, lot), rules.FormatFTE(f))
		}
	}
	p.Form = templates.NewForm(vals, nil)
	return a.render(c, http.StatusOK, "decision_proposal", p)
}

// saveProposal stores the proposal.
func (a *App) saveProposal(c echo.Context) error {
	d, err := a.loadDecisionPage(c)
	if err != nil {
		return err
	}
	in := decision.ProposalInput{CallID: d.V.CallID, FTE: map[string]string{}, Justification: c.FormValue("justification"), DeviationReason: c.FormValue("deviation_reason")}
	for _, r := range d.Rows() {
		for _, cell := range r.Cells {
			in.FTE[cell.Field] = c.FormValue(cell.Field)
		}
	}
	err = decision.SaveProposal(c.Request().Context(), a.db, actor(c), in, a.now())
	if _, ok := core.AsValidation(err); ok {
		return a.invalid(c, "decision_proposal", "Entscheidungsvorschlag – "+d.V.Ref, d, formValues(c), err)
	}
	if err != nil {
		return err
	}
	return a.redirect(c, d.Base, "Der Entscheidungsvorschlag wurde gespeichert.")
}

// recordDecision records the deciding body's resolution.
func (a *App) recordDecision(c echo.Context) error {
	d, err := a.loadDecisionPage(c)
	if err != nil {
		return err
	}
	in := rules.RecordInput{CallID: d.V.CallID, Body: c.FormValue("body"), BodyName: c.FormValue("body_name"), DecidedOn: c.FormValue("decided_on"),
		ResolutionNumber: c.FormValue("resolution_number"), VoteResult: c.FormValue("vote_result"), CouncilURL: c.FormValue("council_url")}
	if ask, err := a.confirmRecord(c, d, in); ask {
		return err
	}
	err = decision.RecordDecision(c.Request().Context(), a.db, actor(c), a.docs, in, a.now())
	if _, ok := core.AsValidation(err); ok {
		return a.invalid(c, "decision", "Entscheidung – "+d.V.Ref, d, formValues(c), err)
	}
	if err != nil {
		return err
	}
	return a.redirect(c, d.Base, "Die Entscheidung wurde aufgezeichnet; der Vergabevermerk ist ausgestellt.")
}

// issueNotices sends the notices and starts the standstill.
func (a *App) issueNotices(c echo.Context) error {
	d, err := a.loadDecisionPage(c)
	if err != nil {
		return err
	}
	if d.V.State == rules.CallDecided {
		act := finalAct{Title: "Mitteilungen versenden", Button: "Mitteilungen jetzt versenden", Back: d.Base,
			Intro: "Sie versenden die Mitteilungen über das Ergebnis von " + d.V.Title + " (" + d.V.Ref + ") an alle Träger, die sich beworben haben.",
			Final: []string{"Jeder Träger erhält seine Mitteilung mit den eigenen Bewertungen und der Rechtsbehelfsbelehrung in sein Postfach und per E-Mail; versandte Mitteilungen lassen sich nicht zurückholen.",
				"Die Stillhaltefrist beginnt; nach ihrem Ende wird die Vergabe endgültig, wenn keine Rüge offen ist."}}
		if ask, err := a.askConfirmation(c, act); ask {
			return err
		}
	}
	if err := decision.IssueNotices(c.Request().Context(), a.db, actor(c), a.docs, d.V.CallID, a.now()); err != nil {
		return err
	}
	return a.redirect(c, d.Base, "Die Mitteilungen wurden versandt. Die Stillhaltefrist läuft.")
}

// confirmRecord asks before a valid decision is recorded (askConfirmation); an invalid
// input or a call in the wrong state goes on to RecordDecision, which refuses.
func (a *App) confirmRecord(c echo.Context, d decisionPage, in rules.RecordInput) (bool, error) {
	if d.V.State != rules.CallOpened || d.V.Decision == nil {
		return false, nil
	}
	date, err := rules.CheckRecord(in, a.now())
	if err != nil {
		return false, nil
	}
	act := finalAct{Title: "Entscheidung aufzeichnen", Button: "Entscheidung endgültig aufzeichnen", Back: d.Base,
		Intro: "Sie zeichnen den Beschluss zu " + d.V.Title + " (" + d.V.Ref + ") auf.",
		Final: []string{"Die Verteilung der Stellen und die Begründung des Entscheidungsvorschlags – der Vorschlag kann danach nicht mehr geändert werden.",
			"Die Angaben zum Beschluss unten; der Vergabevermerk wird mit ihnen ausgestellt.",
			"Die Kreistagsmitglieder sehen danach die Vergabedokumentation."},
		Rows: [][2]string{{"Gremium", rules.DecisionBody(in.Body).Label()}, {"Datum", date.German()}, {"Beschluss-/Vorlagennummer", in.ResolutionNumber}}}
	if in.BodyName != "" {
		act.Rows = append(act.Rows, [2]string{"Bezeichnung des Ausschusses", in.BodyName})
	}
	if in.VoteResult != "" {
		act.Rows = append(act.Rows, [2]string{"Abstimmungsergebnis", in.VoteResult})
	}
	return a.askConfirmation(c, act)
}

// withObjection selects the objection of :obj (404 unless it belongs to the call).
func (d *decisionPage) withObjection(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("obj"), 10, 64)
	if err != nil {
		return echo.ErrNotFound
	}
	for i := range d.V.Objections {
		if d.V.Objections[i].ID == id {
			d.Objection = &d.V.Objections[i]
			return nil
		}
	}
	return echo.ErrNotFound
}

// objectionForm shows an objection with the answer form.
func (a *App) objectionForm(c echo.Context) error {
	d, err := a.loadDecisionPage(c)
	if err != nil {
		return err
	}
	if err := d.withObjection(c); err != nil {
		return err
	}
	return a.show(c, "objection_answer", "Rüge beantworten – "+d.V.Ref, d)
}

// answerObjection records the lead's answer.
func (a *App) answerObjection(c echo.Context) error {
	d, err := a.loadDecisionPage(c)
	if err != nil {
		return err
	}
	if err := d.withObjection(c); err != nil {
		return err
	}
	err = decision.AnswerObjection(c.Request().Context(), a.db, actor(c), decision.ObjectionAnswer{CallID: d.V.CallID, ObjectionID: d.Objection.ID,
		Answer: c.FormValue("answer"), Outcome: c.FormValue("outcome")}, a.now())
	if _, ok := core.AsValidation(err); ok {
		return a.invalid(c, "objection_answer", "Rüge beantworten – "+d.V.Ref, d, formValues(c), err)
	}
	if err != nil {
		return err
	}
	return a.redirect(c, d.Base, "Die Antwort wurde dem Träger zugestellt.")
}

// vermerkPDF sends the latest Vergabevermerk of the call.
func (a *App) vermerkPDF(c echo.Context) error {
	id, err := callID(c)
	if err != nil {
		return err
	}
	doc, err := decision.LatestVermerk(c.Request().Context(), a.db, actor(c), id)
	if err != nil {
		return err
	}
	if doc.TenantID != tenant(c).ID {
		return echo.ErrNotFound
	}
	return a.sendPDF(c, doc)
}

// standstillOver reports whether the standstill of the view has ended at now.
func (d decisionPage) StandstillOver(now time.Time) bool {
	return d.V.Decision != nil && d.V.Decision.StandstillEndsAt != nil && now.After(*d.V.Decision.StandstillEndsAt)
}
