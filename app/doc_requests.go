package app

import (
	"io"
	"net/url"

	"github.com/labstack/echo/v4"

	"kimibv/models/core"
	"kimibv/models/evaluation"
)

// bidRequestsPage is the provider's page for answering document requests.
type bidRequestsPage struct {
	View *evaluation.ProviderRequestsView
	Base string
	Open *evaluation.DocumentRequest // the latest request while it accepts uploads
}

func (a *App) loadBidRequests(c echo.Context) (bidRequestsPage, error) {
	id, err := bidID(c)
	if err != nil {
		return bidRequestsPage{}, err
	}
	o := org(c)
	v, err := evaluation.ProviderRequests(c.Request().Context(), a.db, actor(c), core.BidScope{Org: o.ID, Bid: id})
	if err != nil {
		return bidRequestsPage{}, err
	}
	p := bidRequestsPage{View: v, Base: bidBase(o.ID, id) + "/nachforderung"}
	if n := len(v.Requests); n > 0 && v.Requests[n-1].Open(a.now()) {
		p.Open = &v.Requests[n-1]
	}
	return p, nil
}

// bidRequests shows the document requests of the organisation's bid with the upload form.
func (a *App) bidRequests(c echo.Context) error {
	p, err := a.loadBidRequests(c)
	if err != nil {
		return err
	}
	return a.show(c, "bid_requests", "Nachforderung – "+p.View.CallRef, p)
}

// answerRequest streams one requested document into storage.
func (a *App) answerRequest(c echo.Context) error {
	b, err := a.ownBidParams(c)
	if err != nil {
		return err
	}
	req, err := pathID(c, "req")
	if err != nil {
		return err
	}
	values, err := a.readUpload(c, "datei", a.cfg.MaxFileBytes, func(vals url.Values, filename string, file io.Reader) error {
		if file == nil {
			file = eofReader{}
		}
		_, err := evaluation.AnswerDocumentRequest(c.Request().Context(), a.db, b.vault, actor(c), core.BidScope{Org: b.org.ID, Bid: b.id},
			evaluation.RequestUpload{RequestID: req, DocKey: vals.Get("doc"), FileName: filename, File: file, MaxBytes: a.cfg.MaxFileBytes}, a.now())
		return err
	})
	if _, ok := core.AsValidation(err); ok {
		p, lerr := a.loadBidRequests(c)
		if lerr != nil {
			return lerr
		}
		return a.invalid(c, "bid_requests", "Nachforderung – "+p.View.CallRef, p, values, err)
	}
	if err != nil {
		return refusal(err)
	}
	return a.redirect(c, b.base()+"/nachforderung", "Die Unterlage ist eingegangen. Eingang und Prüfsumme stehen unten.")
}

// eofReader is an empty upload (no file chosen): StoreFile refuses it in German.
type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }
