package app

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"kimibv/models"
	"kimibv/static"
)

// routes is the one route table: every address with its middleware on one screen.
func (a *App) routes(e *echo.Echo) {
	e.Pre(middleware.RemoveTrailingSlashWithConfig(middleware.TrailingSlashConfig{RedirectCode: http.StatusMovedPermanently}))
	e.Use(middleware.Recover(), middleware.RequestID(), a.accessLog, a.securityHeaders,
		middleware.BodyLimit(strconv.FormatInt(a.cfg.MaxBodyBytes, 10)+"B"),
		middleware.GzipWithConfig(middleware.GzipConfig{Skipper: skipGzip, MinLength: 1024}))

	e.GET("/healthz", a.healthz)
	e.GET("/readyz", a.readyz)
	e.GET("/static/*", echo.WrapHandler(http.StripPrefix("/static/", static.Handler(time.Hour))))

	// Everything below has sessions, the current user and CSRF protection.
	w := e.Group("", a.loadSession, a.loadActor, a.csrf())
	lead, opener, evaluator, council, tadmin := models.RoleLead, models.RoleOpener, models.RoleEvaluator, models.RoleCouncil, models.RoleTenantAdmin
	_, _, _, _, _ = lead, opener, evaluator, council, tadmin

	// Public pages.
	w.GET("/", a.home)
	w.GET("/impressum", a.staticPage("impressum", "Impressum"))
	w.GET("/datenschutz", a.staticPage("datenschutz", "Datenschutzerklärung"))
	w.GET("/barrierefreiheit", a.staticPage("barrierefreiheit", "Erklärung zur Barrierefreiheit"))
	w.GET("/anmelden", a.loginForm)
	w.POST("/anmelden", a.login)
	w.POST("/abmelden", a.logout)

	// Accounts and provider organisations.
	w.GET("/konto", a.account, a.requireLogin)
	w.GET("/konto/passwort", a.passwordForm, a.requireLogin)
	w.POST("/konto/passwort", a.changePassword, a.requireLogin)
	w.GET("/passwort-vergessen", a.forgotForm)
	w.POST("/passwort-vergessen", a.forgot)
	w.GET("/passwort-zuruecksetzen/:token", a.resetForm)
	w.POST("/passwort-zuruecksetzen/:token", a.reset)
	w.GET("/registrieren", a.registerForm)
	w.POST("/registrieren", a.register)
	w.GET("/einladung/:token", a.invitation)
	w.POST("/einladung/:token", a.acceptInvitation)
	orgMember, orgAdmin := a.requireOrgMember(false), a.requireOrgMember(true)
	w.GET("/traeger/:org", a.orgOverview, a.requireLogin, orgMember)
	w.GET("/traeger/:org/profil", a.orgProfileForm, a.requireLogin, orgAdmin)
	w.POST("/traeger/:org/profil", a.orgProfile, a.requireLogin, orgAdmin)
	w.GET("/traeger/:org/mitglieder", a.orgMembers, a.requireLogin, orgMember)
	w.POST("/traeger/:org/mitglieder/einladen", a.orgInvite, a.requireLogin, orgAdmin)
	w.POST("/traeger/:org/mitglieder/:user/rolle", a.orgSetRole, a.requireLogin, orgAdmin)
	w.POST("/traeger/:org/mitglieder/:user/entfernen", a.orgRemoveMember, a.requireLogin, orgAdmin)

	// Operator and Kreis administration.
	w.GET("/betrieb", a.operatorHome, a.requireLogin, a.requirePlatformAdmin)
	w.POST("/betrieb/kreise", a.createTenant, a.requireLogin, a.requirePlatformAdmin)
	anyKreisRole, kreisAdmin := a.requireTenantRole(models.TenantRoles...), a.requireTenantRole(tadmin)
	w.GET("/verwaltung/:kreis", a.tenantHome, a.requireLogin, anyKreisRole)
	w.GET("/verwaltung/:kreis/nutzer", a.tenantUsers, a.requireLogin, kreisAdmin)
	w.POST("/verwaltung/:kreis/einladungen", a.inviteToTenant, a.requireLogin, kreisAdmin)
	w.GET("/verwaltung/:kreis/nutzer/:user", a.tenantUser, a.requireLogin, kreisAdmin)
	w.POST("/verwaltung/:kreis/nutzer/:user", a.setTenantRoles, a.requireLogin, kreisAdmin)
	w.GET("/verwaltung/:kreis/einstellungen", a.tenantSettingsForm, a.requireLogin, kreisAdmin)
	w.POST("/verwaltung/:kreis/einstellungen", a.updateTenantSettings, a.requireLogin, kreisAdmin)
	w.GET("/verwaltung/:kreis/protokoll", a.auditList, a.requireLogin, a.requireTenantRole(tadmin, lead))

	// Calls for interest (issue 3).
	w.GET("/ausschreibungen", a.publicCalls)
	w.GET("/ausschreibungen.atom", a.callFeed)
	w.GET("/ausschreibungen/:id", a.publicCall)
	w.GET("/ausschreibungen/:id/termine.ics", a.callICS)
	callLead := a.requireTenantRole(lead)
	w.GET("/verwaltung/:kreis/verfahren", a.leadCalls, a.requireLogin, callLead)
	w.POST("/verwaltung/:kreis/verfahren", a.createCall, a.requireLogin, callLead)
	w.GET("/verwaltung/:kreis/verfahren/:call", a.editCall, a.requireLogin, callLead)
	w.POST("/verwaltung/:kreis/verfahren/:call", a.saveCall, a.requireLogin, callLead)
	w.GET("/verwaltung/:kreis/verfahren/:call/vorschau", a.previewCall, a.requireLogin, callLead)
	w.GET("/verwaltung/:kreis/verfahren/:call/veroeffentlichen", a.publishConfirm, a.requireLogin, callLead)
	w.POST("/verwaltung/:kreis/verfahren/:call/veroeffentlichen", a.publishCall, a.requireLogin, callLead)
}

// skipGzip leaves PDFs, archives and images uncompressed.
func skipGzip(c echo.Context) bool {
	p := c.Request().URL.Path
	for _, ext := range []string{".pdf", ".zip", ".png", ".woff2", ".woff", ".xlsx"} {
		if len(p) > len(ext) && p[len(p)-len(ext):] == ext {
			return true
		}
	}
	return false
}
