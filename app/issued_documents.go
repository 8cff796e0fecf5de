package app

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"kimibv/models/bids"
	"kimibv/models/core"
	"kimibv/models/evaluation"
)

// checkURL is the public document check's address printed in every PDF's footer.
func (a *App) checkURL() string { return a.cfg.BaseURL + "/dokumentenpruefung" }

// receiptPDF serves the Eingangsbestätigung of a bid version to members of the bidding
// organisation (GET /traeger/:org/bewerbungen/:bid/fassungen/:v/eingangsbestaetigung.pdf).
// A PDF still being issued by this process is waited for; one still owed is announced.
func (a *App) receiptPDF(c echo.Context) error {
	id, err := bidID(c)
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(c.Param("v"))
	if err != nil || n <= 0 {
		return echo.ErrNotFound
	}
	o, ctx := org(c), c.Request().Context()
	a.awaitReceipt(ctx, id, n)
	doc, err := bids.ReceiptPDF(ctx, a.db, actor(c), core.BidScope{Org: o.ID, Bid: id}, n)
	if errors.Is(err, core.ErrNotFound) {
		if owed, oerr := bids.ReceiptOwed(ctx, a.db, actor(c), core.BidScope{Org: o.ID, Bid: id}, n); oerr == nil && owed {
			return &echo.HTTPError{Code: http.StatusServiceUnavailable, Message: msgReceiptOwed}
		}
	}
	if err != nil {
		return err
	}
	return a.sendPDF(c, doc)
}

// msgReceiptOwed answers a request for an Eingangsbestätigung whose PDF is not issued yet.
const msgReceiptOwed = "Ihre Interessenbekundung ist eingegangen; die Eingangsbestätigung als PDF wird gerade erstellt. " +
	"Bitte versuchen Sie es in einer Minute erneut. Sie erhalten sie außerdem in Ihr Postfach und per E-Mail."

// postfachDocument serves the document a Postfach message refers to, to members of the
// organisation (GET /traeger/:org/postfach/:id/dokument.pdf).
func (a *App) postfachDocument(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	doc, err := bids.InboxDocument(c.Request().Context(), a.db, actor(c), org(c).ID, id)
	if err != nil {
		return err
	}
	return a.sendPDF(c, doc)
}

// oeffnungsprotokollPDF serves the Öffnungsprotokoll of an opened call to the Kreis's
// leads and openers (GET /verwaltung/:kreis/verfahren/:call/oeffnungsprotokoll.pdf).
func (a *App) oeffnungsprotokollPDF(c echo.Context) error {
	id, err := callID(c)
	if err != nil {
		return err
	}
	doc, err := evaluation.OeffnungsprotokollPDF(c.Request().Context(), a.db, actor(c), core.CallScope{Tenant: tenant(c).ID, Call: id})
	if err != nil {
		return err
	}
	return a.sendPDF(c, doc)
}

// bewertungsmatrixPDF serves the Bewertungsmatrix issued at closing to the Kreis's leads
// (GET /verwaltung/:kreis/verfahren/:call/bewertungsmatrix.pdf).
func (a *App) bewertungsmatrixPDF(c echo.Context) error {
	id, err := callID(c)
	if err != nil {
		return err
	}
	doc, err := evaluation.BewertungsmatrixPDF(c.Request().Context(), a.db, actor(c), core.CallScope{Tenant: tenant(c).ID, Call: id})
	if err != nil {
		return err
	}
	return a.sendPDF(c, doc)
}
