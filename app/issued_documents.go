package app

import (
	"errors"
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
// A receipt whose PDF is still missing is issued first (idempotent).
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
	doc, err := bids.ReceiptPDF(ctx, a.db, actor(c), core.BidScope{Org: o.ID, Bid: id}, n)
	if err == nil {
		return a.sendPDF(c, doc)
	}
	if !errors.Is(err, core.ErrNotFound) {
		return err
	}
	v, verr := a.vault()
	if verr != nil {
		return err
	}
	if _, rerr := bids.OwnReceipt(ctx, a.db, v, actor(c), core.BidScope{Org: o.ID, Bid: id}, n); rerr != nil {
		return rerr
	}
	if ierr := bids.IssueBidReceipt(ctx, a.db, v, id, n, a.cfg.BaseURL, a.docs); ierr != nil {
		return ierr
	}
	if doc, err = bids.ReceiptPDF(ctx, a.db, actor(c), core.BidScope{Org: o.ID, Bid: id}, n); err != nil {
		return err
	}
	return a.sendPDF(c, doc)
}

// postfachDocument serves the document a Postfach message refers to, to members of the
// organisation (GET /traeger/:org/postfach/:id/dokument.pdf).
func (a *App) postfachDocument(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return echo.ErrNotFound
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
