package app

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"kimibv/models/accounts"
	"kimibv/models/core"
	"kimibv/templates"
)

// resetFinal is the confirmation page of a re-enrolment (rules.md R29).
func resetFinal(name, back string) finalAct {
	return finalAct{Title: "Zweiten Faktor neu einrichten lassen",
		Intro:  "Der zweite Faktor von " + name + " wird gelöscht, samt aller Wiederherstellungscodes.",
		Final:  []string{"Alle Sitzungen der Person enden.", "Bei der nächsten Anmeldung richtet die Person den zweiten Faktor neu ein.", "Die Neueinrichtung steht im Protokoll des Kreises."},
		Button: "Neu einrichten lassen", Back: back}
}

// resetTenantSecondFactor lets the Kreis administration reset a staff member's second factor.
func (a *App) resetTenantSecondFactor(c echo.Context) error {
	m, err := a.tenantMember(c)
	if err != nil {
		return err
	}
	back := "/verwaltung/" + tenant(c).Slug + "/nutzer/" + c.Param("user")
	if asked, err := a.askConfirmation(c, resetFinal(m.Name, back)); asked {
		return err
	}
	if err := accounts.ResetSecondFactor(c.Request().Context(), a.db, actor(c), tenant(c).ID, m.UserID); err != nil {
		return err
	}
	return a.redirect(c, back, "Der zweite Faktor von "+m.Name+" ist zurückgesetzt; die Person richtet ihn bei der nächsten Anmeldung neu ein.")
}

// operatorResetSecondFactor lets the operator reset a Kreis administrator's second factor,
// named by the Kreis's short name and the e-mail address.
func (a *App) operatorResetSecondFactor(c echo.Context) error {
	values := formValues(c)
	ctx := c.Request().Context()
	tenantID, userID, err := a.kreisAdminByEmail(ctx, values.Get("reset_kreis"), values.Get("reset_email"))
	if v, ok := core.AsValidation(err); ok {
		return a.operatorPage(c, http.StatusUnprocessableEntity, templates.NewForm(values, v))
	}
	if err != nil {
		return err
	}
	if asked, err := a.askConfirmation(c, resetFinal(strings.TrimSpace(values.Get("reset_email")), "/betrieb")); asked {
		return err
	}
	err = accounts.ResetSecondFactor(ctx, a.db, actor(c), tenantID, userID)
	if errors.Is(err, core.ErrNotFound) {
		return a.operatorPage(c, http.StatusUnprocessableEntity, templates.NewForm(values, notKreisAdmin()))
	}
	if err != nil {
		return err
	}
	return a.redirect(c, "/betrieb", "Der zweite Faktor ist zurückgesetzt; die Person richtet ihn bei der nächsten Anmeldung neu ein.")
}

// kreisAdminByEmail resolves the Kreis and the account of the operator's reset form.
func (a *App) kreisAdminByEmail(ctx context.Context, slug, email string) (int64, int64, error) {
	t, err := accounts.TenantBySlug(ctx, a.db, strings.TrimSpace(slug))
	if errors.Is(err, core.ErrNotFound) {
		return 0, 0, notKreisAdmin()
	}
	if err != nil {
		return 0, 0, err
	}
	var id int64
	if err := a.db.WithContext(ctx).Raw(`SELECT u.id FROM users u JOIN tenant_memberships m ON m.user_id = u.id
		WHERE u.email = ? AND m.tenant_id = ? AND m.role = ?`, core.NormalizeEmail(email), t.ID, core.RoleTenantAdmin).Scan(&id).Error; err != nil {
		return 0, 0, err
	}
	if id == 0 {
		return 0, 0, notKreisAdmin()
	}
	return t.ID, id, nil
}

// notKreisAdmin is the refusal of a reset form naming no Kreis administrator.
func notKreisAdmin() error {
	v := &core.ValidationError{}
	v.Add("reset_email", "unknown", "Unter diesem Kürzel gibt es keine Kreisadministration mit dieser E-Mail-Adresse.")
	return v
}

// setTenantSecondFactor extends the second factor to the Kreis's evaluators and council
// members, or limits it again to openers, leads and administrators.
func (a *App) setTenantSecondFactor(c echo.Context) error {
	t := tenant(c)
	on := c.FormValue("second_factor_all_staff") == "on"
	if err := accounts.SetTenantSecondFactorAllStaff(c.Request().Context(), a.db, actor(c), t.ID, on); err != nil {
		return err
	}
	msg := "Der zweite Faktor ist jetzt nur für Öffnungsberechtigte, Verfahrensleitung und Kreisadministration vorgeschrieben."
	if on {
		msg = "Der zweite Faktor ist jetzt auch für das Bewertungsgremium und die Kreistagsmitglieder vorgeschrieben."
	}
	return a.redirect(c, "/verwaltung/"+t.Slug+"/einstellungen", msg)
}

// setOrgSecondFactor lets an organisation's administrators require the second factor of all members.
func (a *App) setOrgSecondFactor(c echo.Context) error {
	o := org(c)
	on := c.FormValue("second_factor_required") == "on"
	if err := accounts.SetOrgSecondFactor(c.Request().Context(), a.db, actor(c), o.ID, on); err != nil {
		return err
	}
	msg := "Der zweite Faktor ist für die Mitglieder Ihrer Organisation nicht mehr vorgeschrieben."
	if on {
		msg = "Der zweite Faktor ist jetzt für alle Mitglieder Ihrer Organisation vorgeschrieben; wer ihn noch nicht eingerichtet hat, richtet ihn bei der nächsten Anmeldung ein."
	}
	return a.redirect(c, orgPath(o, "/mitglieder"), msg)
}
