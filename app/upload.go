package app

import (
	"crypto/subtle"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"kimibv/models/rules"
)

// Upload routes stream multipart bodies straight into storage. The global CSRF middleware
// cannot protect them: its "form:_csrf" lookup makes Go parse the whole multipart form
// first (into memory up to 32 MiB and temporary files beyond). Upload routes therefore use
// uploadCSRF, which applies the same policy — Sec-Fetch-Site same-origin/none passes,
// cross-site is refused, otherwise the double-submit token must match the kimibv_csrf
// cookie — but takes the token from the X-CSRF-Token header, the _csrf query parameter or,
// as plain HTML forms send it, from the FIRST multipart part, which must be named _csrf
// (the form puts the hidden field first). readUpload checks that part before it reads
// anything else.

// ctxUploadCSRF holds the cookie token that the first multipart part must match.
const ctxUploadCSRF = "upload_csrf"

// csrfCookie is the name of the double-submit cookie set by the global CSRF middleware.
const csrfCookie = "kimibv_csrf"

// maxFormFieldBytes limits one ordinary field of an upload form; maxFormFields their number.
const (
	maxFormFieldBytes = 16 << 10
	maxFormFields     = 50
)

// uploadCSRF is the CSRF check of upload routes (see above).
func (a *App) uploadCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		forbidden := &echo.HTTPError{Code: http.StatusForbidden, Message: msgCSRF}
		cookie, _ := r.Cookie(csrfCookie)
		if cookie != nil && cookie.Value != "" {
			c.Set(ctxCSRF, cookie.Value) // for a form re-rendered with errors
		}
		switch r.Header.Get(echo.HeaderSecFetchSite) {
		case "same-origin", "none":
			if cookie == nil {
				c.Set(ctxCSRF, middleware.CSRFUsingSecFetchSite)
			}
			return next(c)
		case "cross-site":
			return forbidden
		}
		if cookie == nil || cookie.Value == "" {
			return forbidden
		}
		tok := r.Header.Get(echo.HeaderXCSRFToken)
		if tok == "" {
			tok = r.URL.Query().Get("_csrf")
		}
		if tok != "" {
			if subtle.ConstantTimeCompare([]byte(tok), []byte(cookie.Value)) != 1 {
				return forbidden
			}
			return next(c)
		}
		c.Set(ctxUploadCSRF, cookie.Value)
		return next(c)
	}
}

// uploadFunc receives the form fields read before the file part and the file part itself
// (name as the client sent it, content as a stream); file is nil when the form had none.
type uploadFunc func(values url.Values, filename string, file io.Reader) error

// readUpload reads a multipart/form-data request part by part without buffering files:
// ordinary fields (before the file) are collected, the part named fileField is handed to
// fn as a stream, everything after it is left unread. The form must place its fields
// before the file input. It refuses early (without reading the body) when Content-Length
// shows that the body exceeds maxFile plus room for the fields, and returns the fields read.
func (a *App) readUpload(c echo.Context, fileField string, maxFile int64, fn uploadFunc) (url.Values, error) {
	r := c.Request()
	values := url.Values{}
	if r.ContentLength > maxFile+1<<20 {
		return values, rules.FileError(fileField, "too_large", maxFile)
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
	if ct != echo.MIMEMultipartForm {
		if _, pending := c.Get(ctxUploadCSRF).(string); pending {
			return values, &echo.HTTPError{Code: http.StatusForbidden, Message: msgCSRF}
		}
		return values, &echo.HTTPError{Code: http.StatusBadRequest}
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return values, &echo.HTTPError{Code: http.StatusBadRequest, Internal: err}
	}
	expected, pending := c.Get(ctxUploadCSRF).(string)
	for n := 0; ; n++ {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return values, uploadReadError(err)
		}
		name := part.FormName()
		if pending {
			// The first part must carry the token; nothing else is read before it matches.
			tok, err := readField(part)
			if err != nil || name != "_csrf" || subtle.ConstantTimeCompare([]byte(tok), []byte(expected)) != 1 {
				return values, &echo.HTTPError{Code: http.StatusForbidden, Message: msgCSRF}
			}
			pending = false
			continue
		}
		if name == fileField && part.FileName() != "" {
			if err := fn(values, part.FileName(), part); err != nil {
				return values, streamError(err)
			}
			return values, nil
		}
		if part.FileName() != "" || n > maxFormFields {
			return values, &echo.HTTPError{Code: http.StatusBadRequest, Message: "Das Formular enthält unerwartete Dateien oder Felder."}
		}
		v, err := readField(part)
		if err != nil {
			return values, err
		}
		if name != "_csrf" {
			values.Add(name, v)
		}
	}
	if pending {
		return values, &echo.HTTPError{Code: http.StatusForbidden, Message: msgCSRF}
	}
	return values, fn(values, "", nil)
}

// readField reads one ordinary form field of at most maxFormFieldBytes; a NUL byte or
// broken UTF-8 is refused with 400 as rejectInvalidInput refuses it in other forms.
func readField(p *multipart.Part) (string, error) {
	b, err := io.ReadAll(io.LimitReader(p, maxFormFieldBytes+1))
	if err != nil {
		return "", uploadReadError(err)
	}
	if len(b) > maxFormFieldBytes {
		return "", &echo.HTTPError{Code: http.StatusRequestEntityTooLarge, Message: "Ein Formularfeld ist zu lang."}
	}
	if !validText(string(b)) {
		return "", invalidChars() // the rule of rejectInvalidInput, for the fields it leaves to this stream
	}
	return string(b), nil
}

// uploadReadError maps a failure to read the request body: the body limit becomes 413,
// anything else (a broken or aborted upload) 400.
func uploadReadError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &echo.HTTPError{Code: http.StatusRequestEntityTooLarge, Internal: err}
	}
	return &echo.HTTPError{Code: http.StatusBadRequest, Message: "Die Übertragung wurde unterbrochen. Bitte versuchen Sie es noch einmal.", Internal: err}
}

// streamError maps a failure to read the file part inside a use case like uploadReadError;
// domain errors (validation, not found) pass unchanged.
func streamError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, multipart.ErrMessageTooLarge) {
		return uploadReadError(err)
	}
	return err
}
