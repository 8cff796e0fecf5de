package app

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"kimibv/models/calls"
	"kimibv/models/consultation"
	"kimibv/models/core"
	"kimibv/models/rules"
	"kimibv/models/vault"
	"kimibv/templates"
)

// consultationPage is the data of the public page of a Beteiligung: the draft as it was
// put to the invitees, the statements with the Kreis's responses, the statement form for
// the user's invited organisations and, after publication, what changed.
type consultationPage struct {
	V       *consultation.View
	Body    callPage // the frozen draft, laid out as the call page's body
	Href    string
	Own     []consultation.Invitee // the user's invited organisations
	Running bool
	Ended   bool
	Changes []diffSection // consultation version → published version 1
	MaxFile string        // the attachment's size limit, e.g. "20 MB"
	F       fmtr
}

// consultationID parses :consultation.
func consultationID(c echo.Context) (int64, error) { return pathID(c, "consultation") }

// loadConsultationPage loads the public page's data.
func (a *App) loadConsultationPage(c echo.Context) (*consultationPage, error) {
	id, err := consultationID(c)
	if err != nil {
		return nil, err
	}
	ctx, now := c.Request().Context(), a.now()
	v, err := consultation.Public(ctx, a.db, id)
	if err != nil {
		return nil, err
	}
	d := &consultationPage{V: v, Href: fmt.Sprintf("/beteiligungen/%d", id), Running: v.Running(now), Ended: v.Ended(now),
		MaxFile: rules.FormatMB(a.cfg.MaxFileBytes)}
	d.Body = newCallPage(&calls.CallView{Call: calls.CallRow{Call: rules.Call{ID: v.CallID, Ref: v.Ref, Title: v.Title, State: v.State}}, Content: v.Content}, now)
	d.Body.Countdown = "" // the draft's dates are proposals, no running deadline
	if d.Own, err = consultation.InvitedOrgs(ctx, a.db, actor(c), id); err != nil {
		return nil, err
	}
	changes, err := consultation.ChangesSincePublication(ctx, a.db, id)
	if err != nil {
		return nil, err
	}
	d.Changes = groupChanges(changes)
	return d, nil
}

// publicConsultation shows a Beteiligung to everyone.
func (a *App) publicConsultation(c echo.Context) error {
	d, err := a.loadConsultationPage(c)
	if err != nil {
		return err
	}
	p := a.page(c, "Beteiligung: "+d.V.Title, d)
	p.Form = templates.NewForm(url.Values{"section": {c.QueryParam("abschnitt")}}, nil)
	return a.render(c, http.StatusOK, "consultation", p)
}

// submitStatement stores or revises the statement of one of the user's organisations,
// with its optional PDF attachment streamed into storage (an upload route, see upload.go).
func (a *App) submitStatement(c echo.Context) error {
	d, err := a.loadConsultationPage(c)
	if err != nil {
		return err
	}
	vlt, err := a.vault()
	if err != nil {
		return err
	}
	form, err := a.readUpload(c, "anhang", a.cfg.MaxFileBytes, func(values url.Values, filename string, file io.Reader) error {
		in := consultation.StatementInput{Section: values.Get("section"), Body: values.Get("body"), RemoveAttachment: values.Get("anhang_entfernen") != ""}
		if file != nil {
			in.Attachment = &consultation.AttachmentInput{Vault: vlt, Name: filename, File: file, MaxBytes: a.cfg.MaxFileBytes}
		}
		scope := consultation.OrgScope{Org: chosenOrg(values.Get("org"), actor(c)), Consultation: d.V.ID}
		_, err := consultation.Submit(c.Request().Context(), a.db, actor(c), scope, in)
		return err
	})
	if _, ok := core.AsValidation(err); ok {
		status := http.StatusUnprocessableEntity
		if errors.Is(err, core.ErrForbidden) {
			status = http.StatusForbidden
		}
		p := a.page(c, "Beteiligung: "+d.V.Title, d)
		p.Form = templates.NewForm(form, err)
		return a.render(c, status, "consultation", p)
	}
	if err != nil {
		return err
	}
	return a.redirect(c, d.Href+"#stellungnahmen",
		"Ihre Stellungnahme ist eingegangen. Sie ist mit dem Namen Ihrer Organisation öffentlich; bis zum Ende der Beteiligung können Sie sie ändern.")
}

// statementAttachment sends the PDF attached to a statement; like the statement it is public.
func (a *App) statementAttachment(c echo.Context) error {
	id, err := consultationID(c)
	if err != nil {
		return err
	}
	st, err := pathID(c, "st")
	if err != nil {
		return err
	}
	vlt, err := a.vault()
	if err != nil {
		return err
	}
	r, f, err := consultation.OpenAttachment(c.Request().Context(), a.db, vlt, id, st)
	if err != nil {
		return err
	}
	defer r.Close()
	return a.sendFile(c, f, r)
}

// consultationDraftPDF sends the PDF of the draft put to the Beteiligung.
func (a *App) consultationDraftPDF(c echo.Context) error {
	return a.consultationPDF(c, consultation.DocEntwurf)
}

// consultationAbwaegungPDF sends the Abwägung of a Beteiligung.
func (a *App) consultationAbwaegungPDF(c echo.Context) error {
	return a.consultationPDF(c, consultation.DocAbwaegung)
}

func (a *App) consultationPDF(c echo.Context, kind vault.DocKind) error {
	id, err := consultationID(c)
	if err != nil {
		return err
	}
	doc, err := consultation.PDF(c.Request().Context(), a.db, id, kind)
	if err != nil {
		return err
	}
	return a.sendPDF(c, doc)
}

// consultationEvent writes the period of the call's Beteiligung (rules.md R31), if it had
// one, as an event of the call's calendar file.
func (a *App) consultationEvent(c echo.Context, callID int64, stamp time.Time, host string, line func(string)) error {
	id, err := consultation.OfPublishedCall(c.Request().Context(), a.db, callID)
	if err != nil || id == 0 {
		return err
	}
	v, err := consultation.Public(c.Request().Context(), a.db, id)
	if err != nil {
		return err
	}
	link := fmt.Sprintf("%s/beteiligungen/%d", a.cfg.BaseURL, id)
	line("BEGIN:VEVENT")
	line(fmt.Sprintf("UID:%s-beteiligung@%s", v.Ref, host))
	line("DTSTAMP:" + icsTime(stamp))
	line("DTSTART:" + icsTime(v.StartsAt))
	line("DTEND:" + icsTime(v.EndsAt))
	line("SUMMARY:" + icsEscape("Beteiligung zum Entwurf: "+v.Title))
	line("DESCRIPTION:" + icsEscape(fmt.Sprintf("Stellungnahmen der eingeladenen Organisationen vom %s bis %s. %s",
		rules.FormatDateTimeZone(v.StartsAt), rules.FormatDateTimeZone(v.EndsAt), link)))
	line("URL:" + link)
	line("END:VEVENT")
	return nil
}
