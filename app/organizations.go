package app

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"kimibv/models/accounts"
	"kimibv/models/core"
	"kimibv/templates"
)

// orgData is the organisation overview and the members page.
type orgData struct {
	orgFormData
	Org         *accounts.Organization
	Members     []accounts.OrgMember
	Invitations []accounts.Invitation
	IsAdmin     bool
	Me          int64
	Roles       []core.Role
}

// orgPath returns the address of the organisation's page below /traeger/:org.
func orgPath(o *accounts.Organization, sub string) string {
	return fmt.Sprintf("/traeger/%d%s", o.ID, sub)
}

// loadOrgData loads the members (and for administrators the open invitations).
func (a *App) loadOrgData(c echo.Context) (orgData, error) {
	o, act := org(c), actor(c)
	d := orgData{Org: o, IsAdmin: act.IsOrgAdmin(o.ID), Me: act.UserID, Roles: core.OrgRoles}
	ctx := c.Request().Context()
	var err error
	if d.Members, err = accounts.OrgMembers(ctx, a.db, o.ID); err != nil {
		return d, err
	}
	if d.IsAdmin {
		if d.Invitations, err = accounts.OrgOpenInvitations(ctx, a.db, o.ID, a.now()); err != nil {
			return d, err
		}
	}
	return d, nil
}

// orgOverview shows the organisation's profile, members and next steps.
func (a *App) orgOverview(c echo.Context) error {
	d, err := a.loadOrgData(c)
	if err != nil {
		return err
	}
	return a.show(c, "org", d.Org.Name, d)
}

// orgProfileForm shows the profile form filled with the stored values.
func (a *App) orgProfileForm(c echo.Context) error {
	o := org(c)
	values := url.Values{"org_name": {o.Name}, "legal_form": {o.LegalForm}, "register_court": {o.RegisterCourt},
		"register_number": {o.RegisterNumber}, "street": {o.Street}, "postal_code": {o.PostalCode}, "city": {o.City},
		"association": {o.Association}, "org_email": {o.Email}, "phone": {o.Phone}}
	p := a.page(c, "Profil bearbeiten", orgData{Org: o})
	p.Form = templates.NewForm(values, nil)
	return a.render(c, http.StatusOK, "org_profile", p)
}

// orgProfile saves the profile.
func (a *App) orgProfile(c echo.Context) error {
	o := org(c)
	_, err := accounts.UpdateOrganization(c.Request().Context(), a.db, actor(c), o.ID, orgInput(c))
	if _, ok := core.AsValidation(err); ok {
		return a.invalid(c, "org_profile", "Profil bearbeiten", orgData{Org: o}, formValues(c), err)
	}
	if err != nil {
		return err
	}
	return a.redirect(c, orgPath(o, ""), "Das Profil der Organisation ist gespeichert.")
}

// orgMembers lists the members; administrators also invite and manage them here.
func (a *App) orgMembers(c echo.Context) error {
	d, err := a.loadOrgData(c)
	if err != nil {
		return err
	}
	return a.show(c, "org_members", "Mitglieder", d)
}

// membersInvalid re-renders the members page with the field errors of err (422).
func (a *App) membersInvalid(c echo.Context, err error) error {
	d, lerr := a.loadOrgData(c)
	if lerr != nil {
		return lerr
	}
	return a.invalid(c, "org_members", "Mitglieder", d, formValues(c), err)
}

// orgInvite invites a colleague by e-mail.
func (a *App) orgInvite(c echo.Context) error {
	o := org(c)
	inv, err := accounts.InviteToOrg(c.Request().Context(), a.db, actor(c), o.ID, c.FormValue("email"), core.Role(c.FormValue("role")), a.cfg.BaseURL, a.now())
	if _, ok := core.AsValidation(err); ok {
		return a.membersInvalid(c, err)
	}
	if err != nil {
		return err
	}
	return a.redirect(c, orgPath(o, "/mitglieder"), "Die Einladung an "+inv.Email+" ist verschickt. Sie ist sieben Tage lang gültig.")
}

// memberID parses the :user parameter; anything else is 404.
func memberID(c echo.Context) (int64, error) { return pathID(c, "user") }

// orgSetRole changes a member's role.
func (a *App) orgSetRole(c echo.Context) error {
	o := org(c)
	uid, err := memberID(c)
	if err != nil {
		return err
	}
	err = accounts.SetOrgMemberRole(c.Request().Context(), a.db, actor(c), o.ID, uid, core.Role(c.FormValue("role")))
	if _, ok := core.AsValidation(err); ok {
		return a.membersInvalid(c, err)
	}
	if err != nil {
		return err
	}
	return a.redirect(c, orgPath(o, "/mitglieder"), "Die Rolle ist geändert.")
}

// orgRemoveMember removes a member; whoever removes themselves goes to the account page.
func (a *App) orgRemoveMember(c echo.Context) error {
	o := org(c)
	uid, err := memberID(c)
	if err != nil {
		return err
	}
	err = accounts.RemoveOrgMember(c.Request().Context(), a.db, actor(c), o.ID, uid)
	if _, ok := core.AsValidation(err); ok {
		return a.membersInvalid(c, err)
	}
	if err != nil {
		return err
	}
	if uid == actor(c).UserID {
		return a.redirect(c, "/konto", "Sie gehören der Organisation "+o.Name+" nicht mehr an.")
	}
	return a.redirect(c, orgPath(o, "/mitglieder"), "Die Person gehört der Organisation nicht mehr an.")
}
