package app

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"
)

// confirmField is the form field that carries the confirmation of an irreversible act.
const confirmField = "bestaetigung"

// finalAct describes an irreversible act (a score sheet's final submission, the opening,
// the decision, the notices, a bid's withdrawal) for its confirmation page, which says
// what becomes final. The page works without JavaScript: it sends the submitted fields
// again with the confirmation.
type finalAct struct {
	Title  string      // the page's heading, e.g. "Bewertungsbogen endgültig abgeben"
	Intro  string      // one sentence on the act
	Final  []string    // what becomes final, one line each
	Rows   [][2]string // the submitted values to review (label, value), optional
	Button string      // the confirming button's label
	Back   string      // where "Abbrechen" leads
	Action string      // the address the form posts to (the request's path)
	Carry  url.Values  // the submitted fields, sent again with the confirmation
	Token  string      // the confirmation for exactly this act and these fields
	Forged bool        // a confirmation was sent that does not belong to this act
}

// askConfirmation answers a POST of an irreversible act that lacks its confirmation with
// the confirmation page (200; 422 when a confirmation was sent that does not belong to
// this act and these fields) and reports true: the caller returns err and changes
// nothing. It reports false when the request carries the right confirmation. The
// confirmation is keyed with the session's form token over the address and the other
// fields, so it cannot be guessed, taken from another act or reused with changed values.
func (a *App) askConfirmation(c echo.Context, act finalAct) (bool, error) {
	values := formValues(c)
	sent := values.Get(confirmField)
	values.Del(confirmField)
	csrf, _ := c.Get(ctxCSRF).(string)
	act.Action, act.Carry = c.Request().URL.Path, values
	act.Token = confirmToken(csrf, act.Action, values)
	if sent != "" && csrf != "" && hmac.Equal([]byte(sent), []byte(act.Token)) {
		return false, nil
	}
	status := http.StatusOK
	if sent != "" {
		act.Forged, status = true, http.StatusUnprocessableEntity
	}
	return true, a.render(c, status, "confirm_final", a.page(c, act.Title, act))
}

// confirmToken is the HMAC-SHA256, keyed with the session's form token, of the address
// and the fields (sorted, line breaks as the browser sends them normalised).
func confirmToken(key, action string, values url.Values) string {
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(action))
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, v := range values[k] {
			mac.Write([]byte{0})
			mac.Write([]byte(k))
			mac.Write([]byte{1})
			mac.Write([]byte(strings.ReplaceAll(v, "\r\n", "\n")))
		}
	}
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// Fields lists the carried fields as name/value pairs in a stable order (for hidden inputs).
func (f finalAct) Fields() [][2]string {
	keys := make([]string, 0, len(f.Carry))
	for k := range f.Carry {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var out [][2]string
	for _, k := range keys {
		for _, v := range f.Carry[k] {
			out = append(out, [2]string{k, v})
		}
	}
	return out
}
