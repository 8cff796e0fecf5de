package app

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"kimibv/models/core"
	"kimibv/models/evaluation"
)

// refusal turns a German refusal of the evaluation use cases (core.Refusal, a deadline
// or state conflict) into a page with its message and the fitting status.
func refusal(err error) error {
	var r *core.Refusal
	if errors.As(err, &r) {
		code := http.StatusConflict
		if errors.Is(err, core.ErrForbidden) {
			code = http.StatusForbidden
		}
		return &echo.HTTPError{Code: code, Message: r.Message, Internal: err}
	}
	return bidRefusal(err)
}

// procBase is the lead's address of a call.
func procBase(c echo.Context, callID int64) string {
	return fmt.Sprintf("/verwaltung/%s/verfahren/%d", tenant(c).Slug, callID)
}

// openingPage is the opening page and HTML Öffnungsprotokoll.
type openingPage struct {
	View *evaluation.OpeningView
	Base string
	Back string // the lead's call page, or the openers' list for openers who do not lead
}

// opening shows the opening page: status, named openers, confirmations, the confirm
// button and — after the opening — the Öffnungsprotokoll.
func (a *App) opening(c echo.Context) error {
	id, err := callID(c)
	if err != nil {
		return err
	}
	v, err := evaluation.Opening(c.Request().Context(), a.db, actor(c), core.CallScope{Tenant: tenant(c).ID, Call: id}, a.now())
	if err != nil {
		return err
	}
	return a.show(c, "call_opening", "Öffnung – "+v.Call.Ref, openingPage{View: v, Base: procBase(c, id), Back: openingBack(c, id)})
}

// confirmOpening records the opener's confirmation.
func (a *App) confirmOpening(c echo.Context) error {
	id, v, err := a.callVault(c)
	if err != nil {
		return err
	}
	if ask, err := a.confirmOpeningFirst(c, id); ask {
		return err
	}
	opened, err := evaluation.ConfirmOpening(c.Request().Context(), a.db, v, actor(c), core.CallScope{Tenant: tenant(c).ID, Call: id}, a.now(), a.docs)
	if err != nil {
		return refusal(err)
	}
	msg := "Ihre Bestätigung wurde gespeichert. Die Interessenbekundungen werden geöffnet, sobald eine zweite öffnungsberechtigte Person bestätigt."
	if opened {
		msg = "Die Interessenbekundungen sind geöffnet. Das Öffnungsprotokoll steht unten."
	}
	return a.redirect(c, procBase(c, id)+"/oeffnung", msg)
}

// confirmOpeningFirst asks before an opener confirms the opening (askConfirmation); when
// the opener may not confirm now, ConfirmOpening refuses with the reason.
func (a *App) confirmOpeningFirst(c echo.Context, id int64) (bool, error) {
	v, err := evaluation.Opening(c.Request().Context(), a.db, actor(c), core.CallScope{Tenant: tenant(c).ID, Call: id}, a.now())
	if err != nil || !v.CanConfirm {
		return false, nil
	}
	act := finalAct{Title: "Öffnung bestätigen", Button: "Öffnung endgültig bestätigen", Back: procBase(c, id) + "/oeffnung",
		Intro: "Sie bestätigen die Öffnung der Interessenbekundungen zu " + v.Call.Title + " (" + v.Call.Ref + ").",
		Final: []string{"Ihre Bestätigung wird mit Ihrem Namen und der Uhrzeit im Protokoll festgehalten; Sie können sie nicht zurücknehmen.",
			"Mit der zweiten Bestätigung einer anderen öffnungsberechtigten Person werden alle Interessenbekundungen entschlüsselt und das Öffnungsprotokoll ausgestellt.",
			"Ab dann sehen die Verfahrensleitung und das Gremium die Träger, ihre Angaben und Unterlagen; das Siegel lässt sich nicht wiederherstellen."}}
	return a.askConfirmation(c, act)
}

// openingsPage lists the calls an opener is named for.
type openingsPage struct {
	Calls []evaluation.OpenerCallRow
	Base  string
}

// openings lists the opener's calls with links to their opening pages.
func (a *App) openings(c echo.Context) error {
	rows, err := evaluation.OpenerCalls(c.Request().Context(), a.db, actor(c), tenant(c).ID, a.now())
	if err != nil {
		return err
	}
	return a.show(c, "openings", "Öffnungen", openingsPage{Calls: rows, Base: "/verwaltung/" + tenant(c).Slug + "/verfahren"})
}

// openingBack is where "Zurück" leads: the call page for its lead, else the openers' list.
func openingBack(c echo.Context, callID int64) string {
	if actor(c).HasTenantRole(tenant(c).ID, core.RoleLead) {
		return procBase(c, callID)
	}
	return "/verwaltung/" + tenant(c).Slug + "/oeffnungen"
}
