package app

import (
	"fmt"

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

// register creates the organisation with its first user and logs that user in.
func (a *App) register(c echo.Context) error {
	values := formValues(c)
	confirm := c.FormValue("password_confirm")
	reg := accounts.Registration{
		Org:             orgInput(c),
		User:            accounts.NewUserInput{Name: c.FormValue("name"), Email: c.FormValue("email"), Password: c.FormValue("password"), PasswordConfirm: &confirm},
		PrivacyAccepted: c.FormValue("privacy") != "",
	}
	ctx := c.Request().Context()
	o, u, err := accounts.RegisterProvider(ctx, a.db, reg)
	if _, ok := core.AsValidation(err); ok {
		return a.invalid(c, "register", "Träger registrieren", orgFormData{}, withoutPasswords(values), err)
	}
	if err != nil {
		return err
	}
	if err := a.sessions.RenewToken(ctx); err != nil {
		return err
	}
	a.sessions.Put(ctx, sessionUserKey, u.ID)
	return a.redirect(c, fmt.Sprintf("/traeger/%d", o.ID), "Ihre Organisation ist registriert. Sie sind angemeldet und verwalten die Organisation.")
}
