package app

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"kimibv/models/accounts"
	"kimibv/models/bids"
	"kimibv/models/core"
	"kimibv/models/rules"
	"kimibv/models/vault"
)

// walletData is the document wallet page: the list and the upload form.
type walletData struct {
	Org      *accounts.Organization
	Entries  []bids.WalletEntry
	Types    []rules.DocType
	MaxFile  string // e.g. "20 MB"
	Base     string // /traeger/<id>/dokumente
	Replace  *bids.WalletEntry
	ErrorDoc int64 // document whose delete failed (shown with the error)
}

// TypeOptions returns value/label pairs of the document types for the select.
func (d walletData) TypeOptions() []string {
	out := []string{"", "Bitte auswählen"}
	for _, t := range d.Types {
		out = append(out, string(t), t.Label())
	}
	return out
}

func (a *App) walletData(c echo.Context) (walletData, error) {
	o := org(c)
	entries, err := bids.ListWallet(c.Request().Context(), a.db, actor(c), o.ID, a.now())
	return walletData{Org: o, Entries: entries, Types: rules.DocTypes, MaxFile: rules.FormatMB(a.cfg.MaxFileBytes),
		Base: fmt.Sprintf("/traeger/%d/dokumente", o.ID)}, err
}

// walletTitle is the page title of the wallet.
func walletTitle(o *accounts.Organization) string { return "Dokumentenmappe – " + o.Name }

// wallet shows the organisation's standing documents and the upload form.
func (a *App) wallet(c echo.Context) error {
	data, err := a.walletData(c)
	if err != nil {
		return err
	}
	return a.show(c, "wallet", walletTitle(data.Org), data)
}

// vault returns the configured Vault or a 503 error when none is configured.
func (a *App) vault() (*vault.Vault, error) {
	if a.cfg.Vault == nil {
		return nil, &echo.HTTPError{Code: http.StatusServiceUnavailable, Message: "Die Dokumentenablage ist nicht eingerichtet (Hauptschlüssel fehlt)."}
	}
	return a.cfg.Vault, nil
}

// walletInput builds the use case input from the streamed form.
func walletInput(values url.Values, filename string, file io.Reader, maxBytes int64) bids.WalletInput {
	return bids.WalletInput{DocType: values.Get("doc_type"), IssuedOn: values.Get("issued_on"), ValidUntil: values.Get("valid_until"),
		Note: strings.TrimSpace(values.Get("note")), FileName: filename, File: file, MaxBytes: maxBytes}
}

// walletUpload adds a document; the file streams from the request into storage.
func (a *App) walletUpload(c echo.Context) error {
	v, err := a.vault()
	if err != nil {
		return err
	}
	o := org(c)
	values, err := a.readUpload(c, "datei", a.cfg.MaxFileBytes, func(values url.Values, filename string, file io.Reader) error {
		_, err := bids.AddWalletDocument(c.Request().Context(), a.db, v, actor(c), o.ID, walletInput(values, filename, file, a.cfg.MaxFileBytes), a.now())
		return err
	})
	if _, ok := core.AsValidation(err); ok {
		data, derr := a.walletData(c)
		if derr != nil {
			return derr
		}
		return a.invalid(c, "wallet", walletTitle(o), data, values, err)
	}
	if err != nil {
		return err
	}
	return a.redirect(c, fmt.Sprintf("/traeger/%d/dokumente", o.ID), "Das Dokument wurde in die Dokumentenmappe aufgenommen.")
}

// walletDocID parses :doc (404 for anything but a positive number).
func walletDocID(c echo.Context) (int64, error) { return pathID(c, "doc") }

// replaceData loads the wallet page data with the document to replace.
func (a *App) replaceData(c echo.Context) (walletData, error) {
	id, err := walletDocID(c)
	if err != nil {
		return walletData{}, err
	}
	data, err := a.walletData(c)
	if err != nil {
		return data, err
	}
	for i := range data.Entries {
		if data.Entries[i].ID == id {
			data.Replace = &data.Entries[i]
			return data, nil
		}
	}
	return data, fmt.Errorf("wallet document %d: %w", id, core.ErrNotFound)
}

// walletReplaceForm shows the form that replaces a document.
func (a *App) walletReplaceForm(c echo.Context) error {
	data, err := a.replaceData(c)
	if err != nil {
		return err
	}
	return a.show(c, "wallet_replace", data.Replace.DocType.Label()+" ersetzen", data)
}

// walletReplace replaces a document's file and dates; the file streams into storage.
func (a *App) walletReplace(c echo.Context) error {
	v, err := a.vault()
	if err != nil {
		return err
	}
	id, err := walletDocID(c)
	if err != nil {
		return err
	}
	o := org(c)
	values, err := a.readUpload(c, "datei", a.cfg.MaxFileBytes, func(values url.Values, filename string, file io.Reader) error {
		_, err := bids.ReplaceWalletDocument(c.Request().Context(), a.db, v, actor(c), o.ID, id, walletInput(values, filename, file, a.cfg.MaxFileBytes), a.now())
		return err
	})
	if _, ok := core.AsValidation(err); ok {
		data, derr := a.replaceData(c)
		if derr != nil {
			return derr
		}
		return a.invalid(c, "wallet_replace", data.Replace.DocType.Label()+" ersetzen", data, values, err)
	}
	if err != nil {
		return err
	}
	return a.redirect(c, fmt.Sprintf("/traeger/%d/dokumente", o.ID), "Das Dokument wurde ersetzt.")
}

// walletDelete removes a document (an ordinary small form, protected by the global CSRF check).
func (a *App) walletDelete(c echo.Context) error {
	id, err := walletDocID(c)
	if err != nil {
		return err
	}
	o := org(c)
	err = bids.DeleteWalletDocument(c.Request().Context(), a.db, actor(c), o.ID, id)
	if _, ok := core.AsValidation(err); ok {
		data, derr := a.walletData(c)
		if derr != nil {
			return derr
		}
		data.ErrorDoc = id
		return a.invalid(c, "wallet", walletTitle(o), data, url.Values{}, err)
	}
	if err != nil {
		return err
	}
	return a.redirect(c, fmt.Sprintf("/traeger/%d/dokumente", o.ID), "Das Dokument wurde aus der Dokumentenmappe entfernt.")
}

// walletDownload streams a document to a member of its organisation (others get 404).
func (a *App) walletDownload(c echo.Context) error {
	v, err := a.vault()
	if err != nil {
		return err
	}
	id, err := walletDocID(c)
	if err != nil {
		return err
	}
	r, f, err := bids.OpenWalletDocument(c.Request().Context(), a.db, v, actor(c), org(c).ID, id)
	if err != nil {
		return err
	}
	defer r.Close()
	return a.sendFile(c, f, r)
}

// sendFile streams a stored file as a download (attachment, never rendered inline, no caching).
func (a *App) sendFile(c echo.Context, f vault.File, r io.Reader) error {
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, f.ContentType)
	h.Set(echo.HeaderContentLength, strconv.FormatInt(f.Size, 10))
	h.Set(echo.HeaderContentDisposition, contentDisposition(f.Name))
	h.Set("Cache-Control", "private, no-store")
	c.Response().WriteHeader(http.StatusOK)
	if _, err := io.Copy(c.Response(), r); err != nil {
		// Headers are out: abort the connection so the client sees an incomplete download.
		a.log.Error("file download aborted", "file", f.ID, "err", err)
		panic(http.ErrAbortHandler)
	}
	return nil
}

// contentDisposition builds an attachment header with an ASCII fallback and the UTF-8 name.
func contentDisposition(name string) string {
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '%' {
			return '_'
		}
		return r
	}, name)
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii, url.PathEscape(name))
}
