package app

import (
	"errors"
	"mime"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
)

// msgInvalidChars answers a request with a NUL byte or broken UTF-8 in its address, a
// header or a form field.
const msgInvalidChars = "Die Anfrage enthält ungültige Zeichen (zum Beispiel ein Steuerzeichen oder eine fehlerhafte Zeichenkodierung). " +
	"Bitte prüfen Sie die Adresse und Ihre Eingaben."

// msgAddressTooLong answers a request whose address has an over-long part.
const msgAddressTooLong = "Die Adresse ist zu lang. Bitte prüfen Sie die Adresse."

// maxAddressPart is the longest accepted path segment, query parameter name or value in
// bytes; no address of the application comes near it.
const maxAddressPart = 2000

// multipartMemory is the part of a multipart form Go keeps in memory (the rest goes to
// temporary files): echo's default, so that the later c.FormValue finds the same form.
const multipartMemory = 32 << 20

// validText reports whether s is UTF-8 without NUL: what PostgreSQL accepts in a text
// value (it refuses both with "invalid byte sequence", which would otherwise be a 500).
func validText(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// invalidChars is the 400 answer for text that is not validText.
func invalidChars() error {
	return &echo.HTTPError{Code: http.StatusBadRequest, Message: msgInvalidChars}
}

// rejectInvalidInput refuses, before any handler or database query, a request with a NUL
// byte or broken UTF-8 in a decoded path segment, a query parameter (name or value), a
// header value or an ordinary form field, and one with a path segment or query part
// longer than maxAddressPart: a German 400 page instead of a database error.
//
// Cookie headers are left to Go's parser, which drops cookie values with anything but
// printable ASCII: a stray cookie of another site must not lock a visitor out. File
// contents are not text and are not looked at. The multipart bodies of the upload routes
// (a.streamed) are read as streams by readUpload, which applies the same rule to each
// field as it reads it; reading them here would buffer the files.
//
// Once the form is read, the request is complete: its arrival is noted here (receivedAt),
// before the handler waits for a database connection or a lock.
func (a *App) rejectInvalidInput(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := a.checkRequestText(c); err != nil {
			return err
		}
		c.Set(receivedKey, time.Now())
		return next(c)
	}
}

// receivedKey holds the moment the request had been read completely (a time.Time with
// its monotonic reading), set by rejectInvalidInput.
const receivedKey = "kimibv.received"

// receivedAt is the moment c's request had been read completely; the submission's
// receipt time is derived from it (bids.Received).
func receivedAt(c echo.Context) time.Time {
	if t, ok := c.Get(receivedKey).(time.Time); ok {
		return t
	}
	return time.Now()
}

// checkRequestText applies the rule of rejectInvalidInput to c's request.
func (a *App) checkRequestText(c echo.Context) error {
	r := c.Request()
	if err := checkAddress(c); err != nil {
		return err
	}
	for name, vs := range r.Header {
		if name == "Cookie" {
			continue
		}
		for _, v := range vs {
			if !validText(v) {
				return invalidChars()
			}
		}
	}
	return a.checkFormText(c)
}

// checkAddress checks every decoded path segment and query parameter of c's address. The
// trailing-slash redirect runs before rejectInvalidInput and skips an address it refuses,
// so that bad input in the path or the query is refused, never redirected.
func checkAddress(c echo.Context) error {
	for _, seg := range strings.Split(c.Request().URL.Path, "/") {
		if err := checkAddressPart(seg); err != nil {
			return err
		}
	}
	for k, vs := range c.QueryParams() {
		if err := checkAddressPart(k); err != nil {
			return err
		}
		for _, v := range vs {
			if err := checkAddressPart(v); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkAddressPart checks one decoded path segment or query parameter name or value.
func checkAddressPart(s string) error {
	if len(s) > maxAddressPart {
		return &echo.HTTPError{Code: http.StatusBadRequest, Message: msgAddressTooLong}
	}
	if !validText(s) {
		return invalidChars()
	}
	return nil
}

// checkFormText parses an url-encoded or (unless the route streams it) multipart body
// and checks every field name and value. A body over the limit is 413; any other parse
// failure is left to the handler, which sees the same partial form as before.
func (a *App) checkFormText(c echo.Context) error {
	r := c.Request()
	if r.Body == nil || r.Method == http.MethodGet || r.Method == http.MethodHead {
		return nil
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
	var err error
	switch {
	case ct == echo.MIMEApplicationForm:
		err = r.ParseForm()
	case ct == echo.MIMEMultipartForm && !a.streamed[r.Method+" "+c.Path()]:
		err = r.ParseMultipartForm(multipartMemory)
	default:
		return nil
	}
	var he *echo.HTTPError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &he):
		return he
	case errors.As(err, &mbe):
		return &echo.HTTPError{Code: http.StatusRequestEntityTooLarge, Internal: err}
	}
	for k, vs := range r.PostForm {
		if !validText(k) {
			return invalidChars()
		}
		for _, v := range vs {
			if !validText(v) {
				return invalidChars()
			}
		}
	}
	return nil
}
