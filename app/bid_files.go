package app

import (
	"io"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"kimibv/models/accounts"
	"kimibv/models/bids"
	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/rules"
)

// receiptTime formats a receipt time ("" when unknown).
func receiptTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return rules.FormatDateTimeSeconds(*t)
}

// docKey returns the :key parameter (a required-document key like "U1"; 404 otherwise).
func docKey(c echo.Context) (string, error) {
	k := c.Param("key")
	if len(k) < 2 || len(k) > 5 || k[0] != 'U' {
		return "", echo.ErrNotFound
	}
	if _, err := strconv.Atoi(k[1:]); err != nil {
		return "", echo.ErrNotFound
	}
	return k, nil
}

// ownBidDocParams is ownBidParams plus the :key of a required document (404 for a malformed key).
func (a *App) ownBidDocParams(c echo.Context) (ownBid, string, error) {
	b, err := a.ownBidParams(c)
	if err != nil {
		return ownBid{}, "", err
	}
	key, err := docKey(c)
	if err != nil {
		return ownBid{}, "", err
	}
	return b, key, nil
}

// documentsStepFailed re-renders the documents step with a field error (422).
func (a *App) documentsStepFailed(c echo.Context, values url.Values, err error) error {
	p, perr := a.loadBidPage(c, rules.StepDocuments)
	if perr != nil {
		return perr
	}
	return a.invalid(c, "bid_step", rules.StepDocuments.Label()+" – Interessenbekundung", p, values, err)
}

// uploadBidFile stores the upload for one required document; the file streams into storage.
func (a *App) uploadBidFile(c echo.Context) error {
	b, key, err := a.ownBidDocParams(c)
	if err != nil {
		return err
	}
	values, err := a.readUpload(c, "doc_"+key, a.cfg.MaxFileBytes, func(_ url.Values, filename string, file io.Reader) error {
		return bids.AddBidFile(c.Request().Context(), a.db, b.vault, actor(c), core.BidScope{Org: b.org.ID, Bid: b.id},
			bids.BidFileInput{DocKey: key, FileName: filename, File: file, MaxFile: a.cfg.MaxFileBytes, MaxBid: a.cfg.MaxBidBytes}, a.now())
	})
	if _, ok := core.AsValidation(err); ok {
		return a.documentsStepFailed(c, values, err)
	}
	if err != nil {
		return bidRefusal(err)
	}
	return a.redirect(c, b.base()+"/unterlagen#f-doc_"+key, "Die Datei wurde gespeichert.")
}

// attachWalletDoc puts a copy of a wallet document under a required document.
func (a *App) attachWalletDoc(c echo.Context) error {
	b, key, err := a.ownBidDocParams(c)
	if err != nil {
		return err
	}
	docID, _ := strconv.ParseInt(c.FormValue("wallet_"+key), 10, 64)
	if docID <= 0 {
		ve := &core.ValidationError{}
		ve.Add("wallet_"+key, "required", "Bitte wählen Sie ein Dokument aus der Dokumentenmappe aus.")
		return a.documentsStepFailed(c, formValues(c), ve)
	}
	err = bids.AttachWalletDocument(c.Request().Context(), a.db, b.vault, actor(c), core.BidScope{Org: b.org.ID, Bid: b.id}, key, docID, a.cfg.MaxBidBytes, a.now())
	if _, ok := core.AsValidation(err); ok {
		return a.documentsStepFailed(c, formValues(c), err)
	}
	if err != nil {
		return bidRefusal(err)
	}
	return a.redirect(c, b.base()+"/unterlagen#f-doc_"+key, "Das Dokument aus der Dokumentenmappe wurde beigefügt.")
}

// removeBidFile removes the file of a required document from the working copy.
func (a *App) removeBidFile(c echo.Context) error {
	id, err := bidID(c)
	if err != nil {
		return err
	}
	key, err := docKey(c)
	if err != nil {
		return err
	}
	o := org(c)
	if err := bids.RemoveBidFile(c.Request().Context(), a.db, actor(c), core.BidScope{Org: o.ID, Bid: id}, key, a.now()); err != nil {
		return bidRefusal(err)
	}
	return a.redirect(c, bidBase(o.ID, id)+"/unterlagen", "Die Datei wurde entfernt.")
}

// bidFileDownload streams a file of the organisation's own bid.
func (a *App) bidFileDownload(c echo.Context) error {
	b, err := a.ownBidParams(c)
	if err != nil {
		return err
	}
	fileID, err := pathID(c, "file")
	if err != nil {
		return err
	}
	r, f, err := bids.OpenOwnBidFile(c.Request().Context(), a.db, b.vault, actor(c), core.BidScope{Org: b.org.ID, Bid: b.id}, fileID)
	if err != nil {
		return err
	}
	defer r.Close()
	return a.sendFile(c, f, r)
}

// receiptPage is the Eingangsbestätigung of one version.
type receiptPage struct {
	Org     *accounts.Organization
	Receipt *bids.Receipt
	Base    string
	Time    string
	HasPDF  bool // the Eingangsbestätigung PDF is issued
}

// bidReceipt shows the Eingangsbestätigung of a version; a PDF still being issued is
// waited for a few seconds, a missing one is announced (the receipts job issues it).
func (a *App) bidReceipt(c echo.Context) error {
	b, err := a.ownBidParams(c)
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(c.Param("v"))
	if err != nil || n <= 0 {
		return echo.ErrNotFound
	}
	ctx := c.Request().Context()
	r, err := bids.OwnReceipt(ctx, a.db, b.vault, actor(c), core.BidScope{Org: b.org.ID, Bid: b.id}, n)
	if err != nil {
		return err
	}
	a.awaitReceipt(ctx, b.id, n)
	hasPDF, err := bids.ReceiptHasPDF(ctx, a.db, b.id, n)
	if err != nil {
		return err
	}
	return a.show(c, "bid_receipt", "Eingangsbestätigung", receiptPage{Org: b.org, Receipt: r,
		Base: b.base(), Time: receiptTime(r.Version.ReceiptAt), HasPDF: hasPDF})
}

// BidOrgs lists the actor's organisations that may express interest on the public call
// page: the call is published and its deadline has not passed.
func (p callPage) BidOrgs() []calls.OrgChoice {
	if p.Extras == nil || p.View == nil || p.View.Call.State != rules.CallPublished {
		return nil
	}
	d := p.View.Content.Timeline.Deadline
	if d.IsZero() || p.Now.After(d) {
		return nil
	}
	return p.Extras.Orgs
}

// leadBidStatus is the only thing the lead learns about bids before the opening.
func (a *App) leadBidStatus(c echo.Context, callID int64) string {
	st, err := bids.CallBidStatus(c.Request().Context(), a.db, actor(c), callID, a.now())
	if err != nil {
		a.log.Warn("bid status", "call", callID, "err", err)
		return ""
	}
	return st.Label()
}
