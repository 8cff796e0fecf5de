package app

import (
	"html/template"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"

	"kimibv/models/calls"
	"kimibv/models/consultation"
	"kimibv/models/rules"
	"kimibv/templates"
)

// fmtr formats domain values for the call templates (German numbers, times with zone).
type fmtr struct{}

// Euro writes "57.000,00 €".
func (fmtr) Euro(d decimal.Decimal) string { return rules.FormatEuro(d) }

// FTE writes "2,00".
func (fmtr) FTE(d decimal.Decimal) string { return rules.FormatFTE(d) }

// Num writes a number with up to two decimals ("50" or "50,5").
func (fmtr) Num(d decimal.Decimal) string {
	if d.Equal(d.Truncate(0)) {
		return rules.FormatGermanDecimal(d, 0)
	}
	return rules.FormatGermanDecimal(d, 2)
}

// Size writes a file size ("240 KB", "2,5 MB").
func (fmtr) Size(n int64) string { return rules.FormatFileSize(n) }

// DT writes a local time, with the zone where the wall time is ambiguous.
func (fmtr) DT(t time.Time) string { return rules.FormatDateTimeZone(t) }

// DTp is DT for an optional time.
func (fmtr) DTp(t *time.Time) string {
	if t == nil {
		return ""
	}
	return rules.FormatDateTimeZone(*t)
}

// Min writes a minimum score or "keine".
func (fmtr) Min(p *int) string {
	if p == nil {
		return "keine"
	}
	return strconv.Itoa(*p)
}

// callPage is the data of the public call page and of the lead's preview.
type callPage struct {
	View            *calls.CallView
	DescriptionHTML template.HTML
	Countdown       string
	Href            string // public address of the call
	EditHref        string // lead's editor (preview only)
	Now             time.Time
	F               fmtr
	Extras          *calls.CallExtras // questions, amendments, following; nil in the preview
	Consultation    int64             // the Beteiligung before publication (rules.md R31), 0 for none
}

// newCallPage prepares a view for the template; Markdown is rendered here, by the one
// audited function.
func newCallPage(v *calls.CallView, now time.Time) callPage {
	p := callPage{View: v, DescriptionHTML: templates.Markdown(v.Content.Description), Now: now,
		Href: "/ausschreibungen/" + v.Call.Ref}
	if d := v.Content.Timeline.Deadline; !d.IsZero() {
		p.Countdown = rules.Countdown(d, now)
	}
	return p
}

// publicCall shows a call by number or reference.
// Anonymous visitors get an ETag and Last-Modified from decision.CallStamp (kept in
// memory, see validators) and 304 on a match without the call being read (see revalidate).
func (a *App) publicCall(c echo.Context) error {
	stamp, err := a.callStamp(c.Request().Context(), c.Param("id"), a.now())
	if err != nil {
		return err
	}
	if done, err := a.revalidate(c, "call", stamp.Tag, stamp.Modified); done {
		return err
	}
	v, err := calls.PublicCall(c.Request().Context(), a.db, strconv.FormatInt(stamp.ID, 10))
	if err != nil {
		return err
	}
	p := newCallPage(v, a.now())
	if p.Extras, err = calls.LoadCallExtras(c.Request().Context(), a.db, actor(c), calls.HeaderOf(v.Call), a.now()); err != nil {
		return err
	}
	if p.Consultation, err = consultation.OfPublishedCall(c.Request().Context(), a.db, v.Call.ID); err != nil {
		return err
	}
	return a.show(c, "call", v.Content.Title, p)
}

// callListPage is the data of the public list.
type callListPage struct {
	List   *calls.PublicCallList
	Drafts []consultation.Header // drafts in Beteiligung (rules.md R31), on the first page
	States []rules.CallState
	Prev   string
	Next   string
	F      fmtr
}

// publicCalls lists published calls of all Kreise with filters and pages.
// Anonymous visitors get validators from decision.PublicCallsStamp (kept in memory, see
// validators and revalidate).
func (a *App) publicCalls(c echo.Context) error {
	stamp, err := a.callsStamp(c.Request().Context())
	if err != nil {
		return err
	}
	if done, err := a.revalidate(c, "calls", stamp.Tag, stamp.Modified); done {
		return err
	}
	page, _ := strconv.Atoi(c.QueryParam("seite"))
	f := calls.PublicCallFilter{Kreis: c.QueryParam("kreis"), Page: page}
	for _, s := range rules.PublicCallStates {
		if string(s) == c.QueryParam("status") {
			f.State = s
		}
	}
	list, err := calls.PublicCalls(c.Request().Context(), a.db, f)
	if err != nil {
		return err
	}
	data := callListPage{List: list, States: rules.PublicCallStates}
	if list.Page <= 1 && f.State == "" {
		if data.Drafts, err = consultation.Running(c.Request().Context(), a.db, f.Kreis); err != nil {
			return err
		}
	}
	data.Prev, data.Next = pageLinks("/ausschreibungen", url.Values{"kreis": {f.Kreis}, "status": {string(f.State)}}, list.ListPage)
	p := a.page(c, "Ausschreibungen", data)
	p.Form = templates.NewForm(url.Values{"kreis": {f.Kreis}, "status": {string(f.State)}}, nil)
	p.Meta = map[string]any{"feed": "/ausschreibungen.atom"}
	return a.render(c, 200, "calls", p)
}
