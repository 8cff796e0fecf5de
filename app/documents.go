package app

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/rules"
	"kimibv/models/vault"
)

// documentCheckData is the document check page: the form, and after a check its result.
type documentCheckData struct {
	Checked  bool                 // a check ran (result section shown)
	Found    *vault.DocumentCheck // nil: not issued by kimibv
	Hash     string               // the hash looked up
	ByUpload bool                 // the hash was computed from an uploaded file
	MaxFile  string
}

// documentCheckForm shows the public document check (GET /dokumentenpruefung).
func (a *App) documentCheckForm(c echo.Context) error {
	return a.show(c, "document_check", "Dokumentenprüfung", documentCheckData{MaxFile: rules.FormatMB(rules.MaxCheckedPDF)})
}

// documentCheck looks up a pasted SHA-256 or the hash of an uploaded PDF (streamed, never
// stored) among the issued documents (POST /dokumentenpruefung, multipart, uploadCSRF).
func (a *App) documentCheck(c echo.Context) error {
	data := documentCheckData{MaxFile: rules.FormatMB(rules.MaxCheckedPDF)}
	values, err := a.readUpload(c, "datei", rules.MaxCheckedPDF, func(values url.Values, _ string, file io.Reader) error {
		if file != nil {
			h, err := rules.HashPDF(file, "datei", rules.MaxCheckedPDF)
			data.Hash, data.ByUpload = h, true
			return err
		}
		v := &core.ValidationError{}
		raw := values.Get("pruefwert")
		h, ok := vault.NormalizeSHA256(raw)
		switch {
		case raw == "":
			v.Add("pruefwert", "missing", "Bitte geben Sie einen Prüfwert ein oder wählen Sie eine PDF-Datei aus.")
		case !ok:
			v.Add("pruefwert", "invalid", "Der Prüfwert muss aus 64 Zeichen 0–9 und a–f bestehen (SHA-256), wie er in der Fußzeile des Dokuments steht.")
		}
		data.Hash = h
		return v.OrNil()
	})
	var verr *core.ValidationError
	if errors.As(err, &verr) {
		for i, f := range verr.Fields {
			if f.Code == "too_large" {
				verr.Fields[i].Message = "Die Datei ist größer als " + data.MaxFile + ". So große Dokumente stellt kimibv nicht aus. " +
					"Geben Sie stattdessen den Prüfwert aus der Fußzeile des Dokuments ein."
			}
		}
		return a.invalid(c, "document_check", "Dokumentenprüfung", data, values, err)
	}
	if err != nil {
		return err
	}
	data.Checked = true
	found, err := vault.DocumentByHash(c.Request().Context(), a.db, data.Hash)
	switch {
	case errors.Is(err, core.ErrNotFound):
	case err != nil:
		return err
	default:
		data.Found = found
	}
	return a.show(c, "document_check", "Ergebnis der Dokumentenprüfung", data)
}

// bekanntmachungPDF serves the Bekanntmachung of a published call: the current version,
// or ?fassung=N (GET /ausschreibungen/:id/bekanntmachung.pdf).
func (a *App) bekanntmachungPDF(c echo.Context) error {
	version := 0
	if f := c.QueryParam("fassung"); f != "" {
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return echo.NewHTTPError(http.StatusNotFound)
		}
		version = n
	}
	doc, err := calls.BekanntmachungPDF(c.Request().Context(), a.db, c.Param("id"), version)
	if err != nil {
		return err
	}
	return a.sendPDF(c, doc)
}

// sendPDF sends an issued document inline as application/pdf. The Content-Disposition
// carries a safe ASCII filename and, for browsers that read it, the German name as
// filename* (RFC 6266/8187). The ETag is the file hash: issued documents never change,
// so a matching If-None-Match answers 304. The public kinds may be cached, all others not.
func (a *App) sendPDF(c echo.Context, doc *vault.IssuedDocument) error {
	h := c.Response().Header()
	h.Set(echo.HeaderContentDisposition, pdfDisposition(doc))
	etag := `"` + doc.FileSHA256 + `"`
	h.Set("ETag", etag)
	h.Set("X-Content-Type-Options", "nosniff")
	if doc.RecipientOrgID == nil && (doc.Kind == vault.DocBekanntmachung || doc.Kind == vault.DocVergabedokumentation) {
		h.Set("Cache-Control", "public, max-age=300")
	} else {
		h.Set("Cache-Control", "private, no-store")
	}
	if inm := c.Request().Header.Get("If-None-Match"); inm != "" && strings.Contains(inm, etag) {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, "application/pdf", doc.Content)
}

// pdfDisposition returns the Content-Disposition of an issued PDF: inline, the ASCII
// filename (e.g. bekanntmachung-12.pdf) and as filename* the UTF-8 name with the German
// kind (e.g. Eingangsbestätigung-12.pdf), percent-encoded except RFC 8187 attr-chars.
func pdfDisposition(doc *vault.IssuedDocument) string {
	name := doc.Kind.Label()
	if name == "" {
		name = "Dokument"
	}
	name = strings.ReplaceAll(name, " ", "-") + "-" + strconv.FormatInt(doc.ID, 10) + ".pdf"
	var enc strings.Builder
	for _, b := range []byte(name) {
		switch {
		case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z', b >= '0' && b <= '9', strings.IndexByte("!#$&+-.^_`|~", b) >= 0:
			enc.WriteByte(b)
		default:
			fmt.Fprintf(&enc, "%%%02X", b)
		}
	}
	return `inline; filename="` + doc.FileName() + `"; filename*=UTF-8''` + enc.String()
}
