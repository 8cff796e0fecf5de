package app

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"kimibv/models/accounts"
	"kimibv/models/core"
	"kimibv/templates"
)

// orgFormData offers the choices of the organisation form (registration and profile).
type orgFormData struct{}

// LegalFormField is the select of legal forms.
func (orgFormData) LegalFormField(f *templates.Form) templates.Field {
	return choiceField(f, "legal_form", "Rechtsform", "", true, accounts.LegalForms)
}

// AssociationField is the select of umbrella associations.
func (orgFormData) AssociationField(f *templates.Form) templates.Field {
	return choiceField(f, "association", "Spitzenverband", "Dem Ihre Organisation als Mitglied angehört.", false, accounts.Associations)
}

// choiceField builds a select whose values are their labels, with an empty first choice.
func choiceField(f *templates.Form, name, label, hint string, required bool, values []string) templates.Field {
	fl := templates.Field{Name: name, Label: label, Hint: hint, Required: required, Value: f.Get(name), Error: f.Error(name)}
	fl.Options = append(fl.Options, templates.Option{Value: "", Label: "Bitte auswählen", Selected: fl.Value == ""})
	for _, v := range values {
		fl.Options = append(fl.Options, templates.Option{Value: v, Label: v, Selected: v == fl.Value})
	}
	return fl
}

// orgInput reads the organisation fields of a form.
func orgInput(c echo.Context) accounts.OrgInput {
	return accounts.OrgInput{Name: c.FormValue("org_name"), LegalForm: c.FormValue("legal_form"), RegisterCourt: c.FormValue("register_court"),
		RegisterNumber: c.FormValue("register_number"), Street: c.FormValue("street"), PostalCode: c.FormValue("postal_code"),
		City: c.FormValue("city"), Association: c.FormValue("association"), Email: c.FormValue("org_email"), Phone: c.FormValue("phone")}
}

// registerForm shows the provider self-registration.
func (a *App) registerForm(c echo.Context) error {
	return a.show(c, "register", "Träger registrieren", orgFormData{})
}

// register creates the organisation with its first user, whose account stays unconfirmed
// until the link mailed to it is used.
func (a *App) register(c echo.Context) error {
	values := formValues(c)
	confirm := c.FormValue("password_confirm")
	reg := accounts.Registration{
		Org:             orgInput(c),
		User:            accounts.NewUserInput{Name: c.FormValue("name"), Email: c.FormValue("email"), Password: c.FormValue("password"), PasswordConfirm: &confirm},
		PrivacyAccepted: c.FormValue("privacy") != "",
	}
	_, u, err := accounts.RegisterProvider(c.Request().Context(), a.db, reg, a.cfg.BaseURL, a.now())
	if _, ok := core.AsValidation(err); ok {
		return a.invalid(c, "register", "Träger registrieren", orgFormData{}, withoutPasswords(values), err)
	}
	if err != nil {
		return err
	}
	return a.redirect(c, "/anmelden", "Ihre Organisation ist registriert. Wir haben Ihnen eine E-Mail an "+u.Email+
		" geschickt. Bitte bestätigen Sie Ihre E-Mail-Adresse über den Link darin (48 Stunden gültig); danach können Sie sich anmelden.")
}

// confirmLinkInvalid answers 404 with an explanation of the unusable confirmation link.
func (a *App) confirmLinkInvalid(c echo.Context) error {
	return a.render(c, http.StatusNotFound, "link_invalid", a.page(c, "Link ungültig oder abgelaufen", linkInvalidData{
		Heading: "Link ungültig oder abgelaufen",
		Message: "Dieser Link zur Bestätigung der E-Mail-Adresse ist ungültig, wurde bereits verwendet oder ist abgelaufen (er ist 48 Stunden gültig). " +
			"Melden Sie sich mit Ihrer E-Mail-Adresse und Ihrem Passwort an: Ist Ihre Adresse noch nicht bestätigt, schicken wir Ihnen einen neuen Link.",
		Next: "/anmelden", NextLbl: "Zur Anmeldung",
	}))
}

// confirmEmailForm shows the button that confirms the address of a valid link (a GET
// changes nothing: mail scanners that open links do not confirm anything).
func (a *App) confirmEmailForm(c echo.Context) error {
	ok, err := accounts.EmailConfirmationValid(c.Request().Context(), a.db, c.Param("token"), a.now())
	if err != nil {
		return err
	}
	if !ok {
		return a.confirmLinkInvalid(c)
	}
	return a.show(c, "register_confirm", "E-Mail-Adresse bestätigen", resetData{Token: c.Param("token")})
}

// confirmEmail confirms the address with the one-time token.
func (a *App) confirmEmail(c echo.Context) error {
	_, err := accounts.ConfirmEmail(c.Request().Context(), a.db, c.Param("token"), a.now())
	if errors.Is(err, core.ErrNotFound) {
		return a.confirmLinkInvalid(c)
	}
	if err != nil {
		return err
	}
	return a.redirect(c, "/anmelden", "Ihre E-Mail-Adresse ist bestätigt. Sie können sich jetzt anmelden.")
}
