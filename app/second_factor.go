package app

import (
	"bytes"
	"errors"
	"image/png"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"kimibv/models/accounts"
	"kimibv/models/core"
)

// secondFactorData is the data of the code page, the enrolment and the re-authentication.
type secondFactorData struct {
	Next          string
	Status        accounts.SecondFactorStatus
	ManualKey     string   // the pending secret in groups of four, to type instead of scanning
	RecoveryCodes []string // shown once after the confirmation
}

// msgCodeLocked is shown for a code while the account is locked after repeated failures.
const msgCodeLocked = "Nach mehreren Fehlversuchen ist Ihr Konto vorübergehend gesperrt. Bitte versuchen Sie es in einigen Minuten erneut."

// secondFactorForm shows the code page after the password (R29).
func (a *App) secondFactorForm(c echo.Context) error {
	act, next := actor(c), safeNext(c.QueryParam("next"))
	if !act.PasswordOnly {
		return c.Redirect(http.StatusSeeOther, afterLogin(next))
	}
	if !act.SecondFactorEnrolled {
		return c.Redirect(http.StatusSeeOther, secondFactorEnrolPath)
	}
	return a.show(c, "second_factor_code", "Anmeldung bestätigen", secondFactorData{Next: next})
}

// secondFactor checks the code; a wrong code counts towards the lock-out and the login throttle.
func (a *App) secondFactor(c echo.Context) error {
	values := formValues(c)
	data := secondFactorData{Next: safeNext(values.Get("next"))}
	values.Del("code")
	if err := a.checkCode(c, c.FormValue("code")); err != nil {
		return a.invalidCode(c, "second_factor_code", "Anmeldung bestätigen", data, values, err)
	}
	return a.redirect(c, afterLogin(data.Next), "Sie sind angemeldet.")
}

// checkCode verifies a code of the logged-in user and marks the session on success.
func (a *App) checkCode(c echo.Context, code string) error {
	if err := accounts.VerifySecondFactor(c.Request().Context(), a.db, actor(c).UserID, code, a.now()); err != nil {
		return err
	}
	return a.markSession(c, true)
}

// invalidCode shows page again with the refusal of a code (422); other errors pass.
func (a *App) invalidCode(c echo.Context, page, title string, data any, values map[string][]string, err error) error {
	if errors.Is(err, core.ErrLocked) {
		v := &core.ValidationError{}
		v.Add("code", "locked", msgCodeLocked)
		err = v
	}
	var v *core.ValidationError
	if !errors.As(err, &v) {
		return err
	}
	return a.invalid(c, page, title, data, values, v)
}

// secondFactorEnrolment shows the state of the second factor and, during an enrolment,
// the QR code, the manual key and the field for the first code.
func (a *App) secondFactorEnrolment(c echo.Context) error {
	act := actor(c)
	if act.SecondFactorEnrolled && act.PasswordOnly {
		return c.Redirect(http.StatusSeeOther, secondFactorCodePath)
	}
	data, err := a.enrolmentData(c)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return a.show(c, "second_factor_enrol", "Zweiter Faktor", data)
}

// enrolmentData loads the status and, while an enrolment waits, its manual key.
func (a *App) enrolmentData(c echo.Context) (secondFactorData, error) {
	ctx, act := c.Request().Context(), actor(c)
	st, err := accounts.SecondFactorStatusOf(ctx, a.db, act.UserID)
	if err != nil {
		return secondFactorData{}, err
	}
	data := secondFactorData{Status: st, Next: safeNext(c.QueryParam("next"))}
	if st.Pending {
		key, err := accounts.PendingSecondFactorKey(ctx, a.db, act)
		if err != nil {
			return data, err
		}
		data.ManualKey = groupsOfFour(key.Secret())
	}
	return data, nil
}

// groupsOfFour writes s in groups of four characters for reading aloud and typing.
func groupsOfFour(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// startEnrolment creates a new secret awaiting its first code.
func (a *App) startEnrolment(c echo.Context) error {
	if err := accounts.StartSecondFactor(c.Request().Context(), a.db, actor(c), a.now()); err != nil {
		return err
	}
	to := secondFactorEnrolPath
	if next := safeNext(c.FormValue("next")); next != "/" {
		to += "?next=" + url.QueryEscape(next)
	}
	return a.redirect(c, to, "")
}

// secondFactorQRCode serves the pending enrolment's QR code to its own user only, never cached.
func (a *App) secondFactorQRCode(c echo.Context) error {
	key, err := accounts.PendingSecondFactorKey(c.Request().Context(), a.db, actor(c))
	if err != nil {
		return err
	}
	img, err := key.Image(240, 240)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	return c.Blob(http.StatusOK, "image/png", buf.Bytes())
}

// confirmEnrolment checks the first code, confirms the factor, marks the session and
// shows the recovery codes once.
func (a *App) confirmEnrolment(c echo.Context) error {
	values := formValues(c)
	values.Del("code")
	codes, err := accounts.ConfirmSecondFactor(c.Request().Context(), a.db, actor(c), c.FormValue("code"), a.now())
	if err != nil {
		var v *core.ValidationError
		if errors.As(err, &v) {
			data, derr := a.enrolmentData(c)
			if derr != nil {
				return derr
			}
			c.Response().Header().Set("Cache-Control", "no-store")
			return a.invalid(c, "second_factor_enrol", "Zweiter Faktor", data, values, v)
		}
		return err
	}
	if err := a.markSession(c, true); err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return a.show(c, "second_factor_recovery", "Wiederherstellungscodes", secondFactorData{RecoveryCodes: codes, Next: afterLogin(values.Get("next"))})
}

// reauthenticateForm asks for the password or a code before an act that needs a fresh proof.
func (a *App) reauthenticateForm(c echo.Context) error {
	return a.show(c, "reauthenticate", "Identität bestätigen", secondFactorData{Next: safeNext(c.QueryParam("next"))})
}

// reauthenticate accepts the password or, for an enrolled user, a code as fresh proof;
// a wrong answer counts towards the lock-out and the login throttle.
func (a *App) reauthenticate(c echo.Context) error {
	values := formValues(c)
	data := secondFactorData{Next: safeNext(values.Get("next"))}
	values.Del("proof")
	ctx, act, proof := c.Request().Context(), actor(c), c.FormValue("proof")
	var err error
	if act.SecondFactorEnrolled && isCodeLike(proof) {
		err = a.checkCode(c, proof)
	} else if _, err = accounts.Authenticate(ctx, a.db, act.Email, proof, a.now()); err == nil {
		err = a.markSession(c, false)
	}
	if errors.Is(err, core.ErrInvalidCredentials) {
		v := &core.ValidationError{}
		v.Add("proof", "wrong", "Das Passwort oder der Code ist nicht korrekt.")
		err = v
	}
	if err != nil {
		return a.invalidCode(c, "reauthenticate", "Identität bestätigen", data, values, err)
	}
	return a.redirect(c, afterLogin(data.Next), "Ihre Identität ist bestätigt. Bitte senden Sie das Formular erneut ab.")
}

// isCodeLike reports whether s looks like a TOTP code (six digits, spaces allowed).
func isCodeLike(s string) bool {
	s = strings.ReplaceAll(strings.TrimSpace(s), " ", "")
	return len(s) == 6 && strings.Trim(s, "0123456789") == ""
}
