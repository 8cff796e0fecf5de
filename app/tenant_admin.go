package app

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"kimibv/models/accounts"
	"kimibv/models/core"
	"kimibv/templates"
)

// tenantHomeData is the start page of a Kreis's area: what the user can do there.
type tenantHomeData struct {
	Tenant       *accounts.Tenant
	Roles        []core.Role
	CanManage    bool
	CanReadAudit bool
}

// tenantUsersData is the list of a Kreis's people with the invitation form.
type tenantUsersData struct {
	Tenant      *accounts.Tenant
	Members     []accounts.TenantMember
	Invitations []accounts.Invitation
	AllRoles    []core.Role
	Me          int64
}

// tenantUserData is the roles form of one person of a Kreis.
type tenantUserData struct {
	Tenant   *accounts.Tenant
	Member   *accounts.TenantMember
	AllRoles []core.Role
	Self     bool
}

// tenantSettingsData is the form for the Kreis's texts.
type tenantSettingsData struct {
	Tenant          *accounts.Tenant
	MaxLegalRemedy  int
	MaxLetterhead   int
	MaxAddressLines int
}

// tenantPage renders a page of the Kreis area with breadcrumbs and the given form state.
func (a *App) tenantPage(c echo.Context, status int, name, title string, data any, form *templates.Form) error {
	t := tenant(c)
	p := a.page(c, title, data)
	p.Form = form
	p.Crumbs = []templates.NavItem{{Label: t.Name, Href: "/verwaltung/" + t.Slug}, {Label: title}}
	return a.render(c, status, name, p)
}

// tenantHome shows the Kreis's start page for any Kreis role.
func (a *App) tenantHome(c echo.Context) error {
	t, act := tenant(c), actor(c)
	var roles []core.Role
	for _, r := range core.TenantRoles {
		if act.HasTenantRole(t.ID, r) {
			roles = append(roles, r)
		}
	}
	p := a.page(c, t.Name, tenantHomeData{Tenant: t, Roles: roles, CanManage: act.CanManageTenant(t.ID), CanReadAudit: act.CanReadTenantAudit(t.ID)})
	return a.render(c, http.StatusOK, "kreis_start", p)
}

// tenantUsers lists the Kreis's people, the open invitations and the invitation form.
func (a *App) tenantUsers(c echo.Context) error {
	return a.tenantUsersPage(c, http.StatusOK, templates.NewForm(nil, nil))
}

func (a *App) tenantUsersPage(c echo.Context, status int, form *templates.Form) error {
	ctx, t, act := c.Request().Context(), tenant(c), actor(c)
	members, err := accounts.TenantMembers(ctx, a.db, act, t.ID)
	if err != nil {
		return err
	}
	invs, err := accounts.PendingTenantInvitations(ctx, a.db, act, t.ID, a.now())
	if err != nil {
		return err
	}
	data := tenantUsersData{Tenant: t, Members: members, Invitations: invs, AllRoles: core.TenantRoles, Me: act.UserID}
	return a.tenantPage(c, status, "kreis_nutzer", "Personen und Rollen", data, form)
}

// formRoles reads the checked roles of a form.
func formRoles(values url.Values) []core.Role {
	out := make([]core.Role, 0, len(values["roles"]))
	for _, r := range values["roles"] {
		out = append(out, core.Role(r))
	}
	return out
}

// inviteToTenant invites a person by e-mail with one or more Kreis roles.
func (a *App) inviteToTenant(c echo.Context) error {
	t, values := tenant(c), formValues(c)
	inv, err := accounts.InviteToTenant(c.Request().Context(), a.db, actor(c), t.ID,
		accounts.TenantInvite{Email: values.Get("email"), Roles: formRoles(values)}, a.cfg.BaseURL, a.now())
	if v, ok := core.AsValidation(err); ok {
		return a.tenantUsersPage(c, http.StatusUnprocessableEntity, templates.NewForm(values, v))
	}
	if err != nil {
		return err
	}
	return a.redirect(c, "/verwaltung/"+t.Slug+"/nutzer", "Die Einladung an "+inv.Email+" wird per E-Mail verschickt. Der Link ist sieben Tage gültig.")
}

// tenantMember loads the person named by :user in the current Kreis (404 for anybody else).
func (a *App) tenantMember(c echo.Context) (*accounts.TenantMember, error) {
	id, err := strconv.ParseInt(c.Param("user"), 10, 64)
	if err != nil || id <= 0 {
		return nil, echo.ErrNotFound
	}
	return accounts.TenantMemberByID(c.Request().Context(), a.db, actor(c), tenant(c).ID, id)
}

// tenantUser shows the roles form of one person.
func (a *App) tenantUser(c echo.Context) error {
	m, err := a.tenantMember(c)
	if err != nil {
		return err
	}
	values := url.Values{}
	for _, r := range m.RoleList() {
		values.Add("roles", string(r))
	}
	return a.tenantUserPage(c, http.StatusOK, m, templates.NewForm(values, nil))
}

func (a *App) tenantUserPage(c echo.Context, status int, m *accounts.TenantMember, form *templates.Form) error {
	data := tenantUserData{Tenant: tenant(c), Member: m, AllRoles: core.TenantRoles, Self: m.UserID == actor(c).UserID}
	return a.tenantPage(c, status, "kreis_person", "Rollen von "+m.Name, data, form)
}

// setTenantRoles saves the roles of one person; no role at all removes the person from the Kreis.
func (a *App) setTenantRoles(c echo.Context) error {
	m, err := a.tenantMember(c)
	if err != nil {
		return err
	}
	t, values := tenant(c), formValues(c)
	roles := formRoles(values)
	err = accounts.SetTenantRoles(c.Request().Context(), a.db, actor(c), t.ID, m.UserID, roles)
	if v, ok := core.AsValidation(err); ok {
		return a.tenantUserPage(c, http.StatusUnprocessableEntity, m, templates.NewForm(values, v))
	}
	if err != nil {
		return err
	}
	msg := "Die Rollen von " + m.Name + " wurden gespeichert."
	if len(roles) == 0 {
		msg = m.Name + " gehört nicht mehr zu " + t.Name + "."
	}
	return a.redirect(c, "/verwaltung/"+t.Slug+"/nutzer", msg)
}

// tenantSettingsForm shows the form for the Kreis's texts with the current values.
func (a *App) tenantSettingsForm(c echo.Context) error {
	t := tenant(c)
	s := accounts.SettingsOf(t)
	values := url.Values{"authority": {s.Authority}, "address": {s.Address}, "contact_email": {s.ContactEmail},
		"legal_remedy_text": {s.LegalRemedyText}, "letterhead": {s.Letterhead}, "signing_office": {s.SigningOffice},
		"phone": {s.Phone}, "court": {s.Court}, "court_address": {s.CourtAddress},
		"forwarding_form": {s.ForwardingForm}, "vacancy_months": {s.VacancyMonths}}
	return a.tenantSettingsPage(c, http.StatusOK, templates.NewForm(values, nil))
}

func (a *App) tenantSettingsPage(c echo.Context, status int, form *templates.Form) error {
	data := tenantSettingsData{Tenant: tenant(c), MaxLegalRemedy: accounts.MaxLegalRemedyText, MaxLetterhead: accounts.MaxLetterhead,
		MaxAddressLines: accounts.MaxAddressLines}
	return a.tenantPage(c, status, "kreis_einstellungen", "Einstellungen und Texte", data, form)
}

// updateTenantSettings saves the Kreis's texts.
func (a *App) updateTenantSettings(c echo.Context) error {
	t, values := tenant(c), formValues(c)
	in := accounts.TenantSettings{Authority: values.Get("authority"), Address: values.Get("address"), ContactEmail: values.Get("contact_email"),
		LegalRemedyText: values.Get("legal_remedy_text"), Letterhead: values.Get("letterhead"), SigningOffice: values.Get("signing_office"),
		Phone: values.Get("phone"), Court: values.Get("court"), CourtAddress: values.Get("court_address"),
		ForwardingForm: values.Get("forwarding_form"), VacancyMonths: values.Get("vacancy_months")}
	changed, err := accounts.UpdateTenantSettings(c.Request().Context(), a.db, actor(c), t.ID, in)
	if v, ok := core.AsValidation(err); ok {
		return a.tenantSettingsPage(c, http.StatusUnprocessableEntity, templates.NewForm(values, v))
	}
	if err != nil {
		return err
	}
	msg := "Die Einstellungen wurden gespeichert."
	if len(changed) == 0 {
		msg = "Sie haben nichts geändert; die Einstellungen bleiben, wie sie waren."
	}
	return a.redirect(c, "/verwaltung/"+t.Slug+"/einstellungen", msg)
}
