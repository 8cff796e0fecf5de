package app

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"kimibv/models/accounts"
	"kimibv/models/core"
)

// invitationData is the invitation page: what the invitation is about and what the
// visitor can do (Mode "accept", "wrong_account", "login" or "create").
type invitationData struct {
	Inv      *accounts.InvitationView
	Token    string
	Mode     string
	LoginURL string
}

// invitationPage loads a usable invitation and decides what the visitor may do with it.
func (a *App) invitationPage(c echo.Context) (*invitationData, error) {
	tok := c.Param("token")
	iv, err := accounts.InvitationByToken(c.Request().Context(), a.db, tok, a.now())
	if err != nil {
		return nil, err
	}
	d := &invitationData{Inv: iv, Token: tok, LoginURL: "/anmelden?next=" + url.QueryEscape("/einladung/"+tok)}
	act := actor(c)
	switch {
	case act != nil && core.NormalizeEmail(act.Email) == iv.Email:
		d.Mode = "accept"
	case act != nil:
		d.Mode = "wrong_account"
	case iv.UserExists:
		d.Mode = "login"
	default:
		d.Mode = "create"
	}
	return d, nil
}

// invitationInvalid answers 404 with an explanation of the unusable invitation link.
func (a *App) invitationInvalid(c echo.Context) error {
	return a.render(c, http.StatusNotFound, "link_invalid", a.page(c, "Einladung ungültig oder abgelaufen", linkInvalidData{
		Heading: "Einladung ungültig oder abgelaufen",
		Message: "Diese Einladung ist ungültig, wurde bereits angenommen oder ist abgelaufen. Eine Einladung ist sieben Tage lang gültig. Bitte bitten Sie die einladende Person, Sie erneut einzuladen.",
		Next:    "/", NextLbl: "Zur Startseite",
	}))
}

// invitationWithdrawn answers 404 explaining that the invitation was withdrawn.
func (a *App) invitationWithdrawn(c echo.Context) error {
	return a.render(c, http.StatusNotFound, "link_invalid", a.page(c, "Einladung zurückgezogen", linkInvalidData{
		Heading: "Einladung zurückgezogen",
		Message: "Diese Einladung wurde von der einladenden Stelle zurückgezogen und kann nicht mehr angenommen werden. Wenn Sie meinen, dass das ein Irrtum ist, wenden Sie sich bitte an die Person, die Sie eingeladen hat.",
		Next:    "/", NextLbl: "Zur Startseite",
	}))
}

// invitation shows the invitation with the matching next step.
func (a *App) invitation(c echo.Context) error {
	d, err := a.invitationPage(c)
	if errors.Is(err, accounts.ErrInvitationWithdrawn) {
		return a.invitationWithdrawn(c)
	}
	if errors.Is(err, core.ErrNotFound) {
		return a.invitationInvalid(c)
	}
	if err != nil {
		return err
	}
	return a.show(c, "invitation", "Einladung", d)
}

// acceptInvitation grants the invited roles, creating the account first if needed; a
// newly created user is logged in.
func (a *App) acceptInvitation(c echo.Context) error {
	d, err := a.invitationPage(c)
	if errors.Is(err, accounts.ErrInvitationWithdrawn) {
		return a.invitationWithdrawn(c)
	}
	if errors.Is(err, core.ErrNotFound) {
		return a.invitationInvalid(c)
	}
	if err != nil {
		return err
	}
	if d.Mode == "login" {
		return c.Redirect(http.StatusSeeOther, d.LoginURL)
	}
	ctx := c.Request().Context()
	values := formValues(c)
	var newUser *accounts.NewUserInput
	if d.Mode == "create" {
		confirm := values.Get("password_confirm")
		newUser = &accounts.NewUserInput{Name: values.Get("name"), Password: values.Get("password"), PasswordConfirm: &confirm}
	}
	userID, err := accounts.AcceptInvitation(ctx, a.db, d.Token, actor(c), newUser, a.now())
	if _, ok := core.AsValidation(err); ok {
		return a.invalid(c, "invitation", "Einladung", d, withoutPasswords(values), err)
	}
	if err != nil {
		return err
	}
	if newUser != nil {
		if err := a.openSession(c, userID, 0, false); err != nil { // a new account's epoch is 0
			return err
		}
	}
	return a.redirect(c, d.Inv.Home(), "Sie haben die Einladung angenommen. Willkommen bei "+d.Inv.TargetName+".")
}
