package app

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"kimibv/models/accounts"
	"kimibv/models/core"
)

// resetData is the reset form's data: the token from the link.
type resetData struct{ Token string }

// linkInvalidData explains why a link from an e-mail cannot be used (404 page).
type linkInvalidData struct {
	Heading string
	Message string
	Next    string // the address of the next step
	NextLbl string
}

// msgResetRequested is the same answer whether or not the address has an account.
const msgResetRequested = "Wenn für diese E-Mail-Adresse ein Konto besteht, haben wir Ihnen einen Link zum Zurücksetzen des Passworts geschickt. " +
	"Der Link ist eine Stunde lang gültig. Bitte sehen Sie auch im Spam-Ordner nach."

// forgotForm shows the form to request a reset link.
func (a *App) forgotForm(c echo.Context) error {
	return a.show(c, "password_forgot", "Passwort vergessen", nil)
}

// forgot queues a reset link and answers neutrally.
func (a *App) forgot(c echo.Context) error {
	values := formValues(c)
	err := accounts.RequestPasswordReset(c.Request().Context(), a.db, values.Get("email"), a.cfg.BaseURL, a.now())
	if _, ok := core.AsValidation(err); ok {
		return a.invalid(c, "password_forgot", "Passwort vergessen", nil, values, err)
	}
	if err != nil {
		return err
	}
	return a.redirect(c, "/anmelden", msgResetRequested)
}

// resetLinkInvalid answers 404 with an explanation of the unusable reset link.
func (a *App) resetLinkInvalid(c echo.Context) error {
	return a.render(c, http.StatusNotFound, "link_invalid", a.page(c, "Link ungültig oder abgelaufen", linkInvalidData{
		Heading: "Link ungültig oder abgelaufen",
		Message: "Dieser Link zum Zurücksetzen des Passworts ist ungültig, wurde bereits verwendet oder ist abgelaufen. Ein Link ist eine Stunde lang gültig und kann nur einmal verwendet werden.",
		Next:    "/passwort-vergessen", NextLbl: "Neuen Link anfordern",
	}))
}

// resetForm shows the form for the new password if the link is valid.
func (a *App) resetForm(c echo.Context) error {
	tok := c.Param("token")
	ok, err := accounts.PasswordResetValid(c.Request().Context(), a.db, tok, a.now())
	if err != nil {
		return err
	}
	if !ok {
		return a.resetLinkInvalid(c)
	}
	return a.show(c, "password_reset", "Neues Passwort festlegen", resetData{Token: tok})
}

// reset sets the new password with the one-time token.
func (a *App) reset(c echo.Context) error {
	tok := c.Param("token")
	values := formValues(c)
	err := accounts.ResetPassword(c.Request().Context(), a.db, tok, values.Get("password"), values.Get("password_confirm"), a.now())
	if errors.Is(err, core.ErrNotFound) {
		return a.resetLinkInvalid(c)
	}
	if _, ok := core.AsValidation(err); ok {
		return a.invalid(c, "password_reset", "Neues Passwort festlegen", resetData{Token: tok}, withoutPasswords(values), err)
	}
	if err != nil {
		return err
	}
	return a.redirect(c, "/anmelden", "Ihr neues Passwort ist gespeichert. Bitte melden Sie sich damit an.")
}
