package app

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"kimibv/models/core"
	"kimibv/static"
)

// routes is the one route table: every address with its middleware on one screen.
func (a *App) routes(e *echo.Echo) {
	// An address with invalid characters is not redirected but refused by rejectInvalidInput.
	e.Pre(middleware.RemoveTrailingSlashWithConfig(middleware.TrailingSlashConfig{RedirectCode: http.StatusMovedPermanently,
		Skipper: func(c echo.Context) bool { return !validText(c.Request().URL.Path) }}))
	e.Use(middleware.Recover(), middleware.RequestID(), a.accessLog, a.securityHeaders,
		middleware.BodyLimit(strconv.FormatInt(a.cfg.MaxBodyBytes, 10)+"B"),
		middleware.GzipWithConfig(middleware.GzipConfig{Skipper: skipGzip, MinLength: 1024}),
		a.rejectInvalidInput) // NUL, broken UTF-8, over-long address parts: 400 before any handler (input_check.go)
	a.streamed = map[string]bool{}

	// Benchmark aids, only with KIMIBV_BENCH=1 (app/bench.go).
	a.benchRoutes(e)

	e.GET("/healthz", a.healthz)
	e.GET("/readyz", a.readyz)
	e.GET("/static/*", echo.WrapHandler(http.StripPrefix("/static/", static.Handler(time.Hour))))

	// Everything below has sessions, the current user and CSRF protection.
	w := e.Group("", a.loadSession, a.loadActor, a.csrf())
	lead, opener, evaluator, council, tadmin := core.RoleLead, core.RoleOpener, core.RoleEvaluator, core.RoleCouncil, core.RoleTenantAdmin
	_, _, _, _, _ = lead, opener, evaluator, council, tadmin

	// Public pages.
	w.GET("/", a.home)
	w.GET("/impressum", a.staticPage("impressum", "Impressum"))
	w.GET("/datenschutz", a.staticPage("datenschutz", "Datenschutzerklärung"))
	w.GET("/barrierefreiheit", a.staticPage("barrierefreiheit", "Erklärung zur Barrierefreiheit"))
	w.GET("/anmelden", a.loginForm)
	w.POST("/anmelden", a.login, newLoginThrottle(func() time.Time { return a.now() }).middleware) // per client address (login_throttle.go)
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
	w.GET("/betrieb/postausgang", a.operatorPostausgang, a.requireLogin, a.requirePlatformAdmin)
	w.POST("/betrieb/postausgang/:mail/erneut", a.operatorRetryMail, a.requireLogin, a.requirePlatformAdmin)
	anyKreisRole, kreisAdmin := a.requireTenantRole(core.TenantRoles...), a.requireTenantRole(tadmin)
	w.GET("/verwaltung/:kreis", a.tenantHome, a.requireLogin, anyKreisRole)
	w.GET("/verwaltung/:kreis/nutzer", a.tenantUsers, a.requireLogin, kreisAdmin)
	w.POST("/verwaltung/:kreis/einladungen", a.inviteToTenant, a.requireLogin, kreisAdmin)
	w.GET("/verwaltung/:kreis/nutzer/:user", a.tenantUser, a.requireLogin, kreisAdmin)
	w.POST("/verwaltung/:kreis/nutzer/:user", a.setTenantRoles, a.requireLogin, kreisAdmin)
	w.GET("/verwaltung/:kreis/einstellungen", a.tenantSettingsForm, a.requireLogin, kreisAdmin)
	w.POST("/verwaltung/:kreis/einstellungen", a.updateTenantSettings, a.requireLogin, kreisAdmin)
	w.GET("/verwaltung/:kreis/protokoll", a.auditList, a.requireLogin, a.requireTenantRole(tadmin, lead))

	// Calls for interest (rules.md R1, R12).
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

	// Questions, following, amendments, cancellation (rules.md R13, R1, R22).
	w.GET("/ausschreibungen/:id/fragen", a.callQuestions)
	w.POST("/ausschreibungen/:id/fragen", a.askQuestion, a.requireLogin)
	w.POST("/ausschreibungen/:id/folgen", a.followCall, a.requireLogin)
	w.POST("/ausschreibungen/:id/entfolgen", a.unfollowCall, a.requireLogin)
	w.GET("/ausschreibungen/:id/fassungen", a.callVersions)
	w.GET("/ausschreibungen/:id/fassungen/:a/:b", a.callDiff)
	w.GET("/traeger/:org/postfach", a.postfach, a.requireLogin, a.requireOrgMember(false))
	w.GET("/traeger/:org/postfach/:id", a.postfachMessage, a.requireLogin, a.requireOrgMember(false))
	w.GET("/verwaltung/:kreis/verfahren/:call/fragen", a.leadQuestions, a.requireLogin, callLead)
	w.GET("/verwaltung/:kreis/verfahren/:call/fragen/:q", a.leadQuestion, a.requireLogin, callLead)
	w.POST("/verwaltung/:kreis/verfahren/:call/fragen/:q/antwort", a.answerQuestion, a.requireLogin, callLead)
	w.POST("/verwaltung/:kreis/verfahren/:call/fragen/:q/zuordnen", a.assignQuestion, a.requireLogin, callLead)
	w.GET("/verwaltung/:kreis/verfahren/:call/aenderung", a.amendForm, a.requireLogin, callLead)
	w.POST("/verwaltung/:kreis/verfahren/:call/aenderung", a.amend, a.requireLogin, callLead)
	w.GET("/verwaltung/:kreis/verfahren/:call/aufhebung", a.cancelForm, a.requireLogin, callLead)
	w.POST("/verwaltung/:kreis/verfahren/:call/aufhebung", a.cancelCall, a.requireLogin, callLead)

	// Document wallet and uploads (rules.md R17). Upload routes sit outside group w: its CSRF
	// middleware would parse the whole multipart body; uploadCSRF checks the same token
	// from the first part instead, and the handlers stream the file into storage.
	upload := func(path string, h echo.HandlerFunc, mw ...echo.MiddlewareFunc) {
		a.streamed[http.MethodPost+" "+path] = true
		e.POST(path, h, append([]echo.MiddlewareFunc{a.loadSession, a.loadActor, a.uploadCSRF, a.requireLogin}, mw...)...)
	}
	w.GET("/traeger/:org/dokumente", a.wallet, a.requireLogin, orgMember)
	upload("/traeger/:org/dokumente", a.walletUpload, orgMember)
	w.GET("/traeger/:org/dokumente/:doc/datei.pdf", a.walletDownload, a.requireLogin, orgMember)
	w.GET("/traeger/:org/dokumente/:doc/ersetzen", a.walletReplaceForm, a.requireLogin, orgMember)
	upload("/traeger/:org/dokumente/:doc/ersetzen", a.walletReplace, orgMember)
	w.POST("/traeger/:org/dokumente/:doc/loeschen", a.walletDelete, a.requireLogin, orgMember)

	// Issued documents. The public check takes a pasted hash or a streamed PDF upload
	// (multipart, so uploadCSRF as for the wallet, but open to everyone).
	w.GET("/dokumentenpruefung", a.documentCheckForm)
	a.streamed[http.MethodPost+" /dokumentenpruefung"] = true
	e.POST("/dokumentenpruefung", a.documentCheck, a.loadSession, a.loadActor, a.uploadCSRF)
	w.GET("/ausschreibungen/:id/bekanntmachung.pdf", a.bekanntmachungPDF)

	// Bids (rules.md R3, R4).
	bidList := "/traeger/:org/bewerbungen"
	w.GET(bidList, a.orgBids, a.requireLogin, orgMember)
	w.POST(bidList, a.startBid, a.requireLogin, orgMember)
	w.GET(bidList+"/:bid", a.bidOverview, a.requireLogin, orgMember)
	w.GET(bidList+"/:bid/pruefen", a.bidCheck, a.requireLogin, orgMember)
	w.POST(bidList+"/:bid/einreichen", a.submitBid, a.requireLogin, orgMember)
	w.POST(bidList+"/:bid/zurueckziehen", a.withdrawBid, a.requireLogin, orgMember)
	w.GET(bidList+"/:bid/fassungen/:v", a.bidReceipt, a.requireLogin, orgMember)
	w.GET(bidList+"/:bid/dateien/:file", a.bidFileDownload, a.requireLogin, orgMember)
	upload(bidList+"/:bid/unterlagen/:key", a.uploadBidFile, orgMember)
	w.POST(bidList+"/:bid/unterlagen/:key/mappe", a.attachWalletDoc, a.requireLogin, orgMember)
	w.POST(bidList+"/:bid/unterlagen/:key/entfernen", a.removeBidFile, a.requireLogin, orgMember)
	w.GET(bidList+"/:bid/:step", a.bidStep, a.requireLogin, orgMember)
	w.POST(bidList+"/:bid/:step", a.saveBidStep, a.requireLogin, orgMember)

	// Opening, formal check, committee (rules.md R15, R16, R5, R6).
	proc := "/verwaltung/:kreis/verfahren/:call"
	openerOrLead, callOpener, evaluate := a.requireTenantRole(opener, lead), a.requireTenantRole(opener), a.requireTenantRole(evaluator)
	w.GET("/verwaltung/:kreis/oeffnungen", a.openings, a.requireLogin, callOpener)
	w.GET(proc+"/oeffnung", a.opening, a.requireLogin, openerOrLead)
	w.POST(proc+"/oeffnung", a.confirmOpening, a.requireLogin, callOpener)
	w.GET(proc+"/pruefung", a.formalChecks, a.requireLogin, callLead)
	w.GET(proc+"/pruefung/:bid", a.formalCheck, a.requireLogin, callLead)
	w.POST(proc+"/pruefung/:bid", a.saveFormalCheck, a.requireLogin, callLead)
	w.POST(proc+"/pruefung/:bid/nachforderung", a.requestDocuments, a.requireLogin, callLead)
	w.POST(proc+"/pruefung/:bid/korrektur", a.correctExclusion, a.requireLogin, callLead)
	w.GET(proc+"/pruefung/:bid/dateien/:key", a.formalFile, a.requireLogin, callLead)
	w.GET(proc+"/pruefung/:bid/antworten/:answer", a.answerFile, a.requireLogin, callLead)
	w.GET(proc+"/gremium", a.committee, a.requireLogin, callLead)
	w.POST(proc+"/gremium", a.addEvaluator, a.requireLogin, callLead)
	w.GET("/verwaltung/:kreis/bewertung", a.evaluationHome, a.requireLogin, evaluate)
	w.GET("/verwaltung/:kreis/bewertung/:call", a.evaluationCall, a.requireLogin, evaluate)
	w.GET("/verwaltung/:kreis/bewertung/:call/erklaerung", a.declarationsForm, a.requireLogin, evaluate)
	w.POST("/verwaltung/:kreis/bewertung/:call/erklaerung", a.declare, a.requireLogin, evaluate)
	w.GET("/verwaltung/:kreis/bewertung/:call/:bid", a.sheet, a.requireLogin, evaluate)
	w.POST("/verwaltung/:kreis/bewertung/:call/:bid", a.saveSheet, a.requireLogin, evaluate)
	w.GET("/verwaltung/:kreis/bewertung/:call/:bid/dateien/:key", a.sheetFile, a.requireLogin, evaluate)
	w.GET(bidList+"/:bid/nachforderung", a.bidRequests, a.requireLogin, orgMember)
	upload(bidList+"/:bid/nachforderung/:req", a.answerRequest, orgMember)

	// Consolidation (rules.md R19).
	w.GET(proc+"/konsolidierung", a.consolidation, a.requireLogin, callLead)
	w.POST(proc+"/konsolidierung/abschliessen", a.closeConsolidation, a.requireLogin, callLead)
	w.GET(proc+"/konsolidierung/:bid", a.consolidationBid, a.requireLogin, callLead)
	w.POST(proc+"/konsolidierung/:bid", a.setConsolidation, a.requireLogin, callLead)
	w.GET(proc+"/ergebnis", a.consolidationResult, a.requireLogin, callLead)
	w.GET(proc+"/bewertungsmatrix.xlsx", a.matrixXLSX, a.requireLogin, callLead)

	// Decision, notices, objections (rules.md R20, R10, R21).
	decide := proc + "/entscheidung"
	w.GET(decide, a.decision, a.requireLogin, callLead)
	w.GET(decide+"/vorschlag", a.proposalForm, a.requireLogin, callLead)
	w.POST(decide+"/vorschlag", a.saveProposal, a.requireLogin, callLead)
	w.POST(decide+"/beschluss", a.recordDecision, a.requireLogin, callLead)
	w.POST(decide+"/mitteilungen", a.issueNotices, a.requireLogin, callLead)
	w.GET(decide+"/ruegen/:obj", a.objectionForm, a.requireLogin, callLead)
	w.POST(decide+"/ruegen/:obj", a.answerObjection, a.requireLogin, callLead)
	w.GET(decide+"/vergabevermerk.pdf", a.vermerkPDF, a.requireLogin, callLead)
	w.GET("/traeger/:org/mitteilungen", a.orgNotices, a.requireLogin, orgMember)
	w.GET("/traeger/:org/mitteilungen/:id", a.orgNotice, a.requireLogin, orgMember)
	w.POST("/traeger/:org/mitteilungen/:id/ruege", a.lodgeObjection, a.requireLogin, orgMember)
	w.GET("/traeger/:org/mitteilungen/:id/mitteilung.pdf", a.noticePDF, a.requireLogin, orgMember)
	w.GET("/verwaltung/:kreis/postausgang", a.postausgang, a.requireLogin, kreisAdmin)
	w.POST("/verwaltung/:kreis/postausgang/:mail/erneut", a.retryMail, a.requireLogin, kreisAdmin)

	// Issued documents of the bids and the evaluation: Eingangsbestätigung (members of the bidding
	// organisation), Postfach attachments, Öffnungsprotokoll (leads, openers) and
	// Bewertungsmatrix (leads); everybody else gets 404 from the use case.
	w.GET(bidList+"/:bid/fassungen/:v/eingangsbestaetigung.pdf", a.receiptPDF, a.requireLogin, orgMember)
	w.GET("/traeger/:org/postfach/:id/dokument.pdf", a.postfachDocument, a.requireLogin, a.requireOrgMember(false))
	w.GET(proc+"/oeffnungsprotokoll.pdf", a.oeffnungsprotokollPDF, a.requireLogin, openerOrLead)
	w.GET(proc+"/bewertungsmatrix.pdf", a.bewertungsmatrixPDF, a.requireLogin, callLead)

	// Award record (rules.md R24).
	w.GET("/vergaben", a.awardList)
	w.GET("/vergaben/:id", a.awardRecord)
	w.GET(proc+"/vergabeakte.zip", a.vergabeakte, a.requireLogin, callLead)

	// Council view (rules.md R25).
	councilOnly := a.requireTenantRole(council)
	w.GET("/kreistag/:kreis", a.councilHome, a.requireLogin, councilOnly)
	w.GET("/kreistag/:kreis/verfahren/:call", a.councilProcedure, a.requireLogin, councilOnly)
	w.GET("/kreistag/:kreis/verfahren/:call/anhang", a.councilAnnex, a.requireLogin, councilOnly)
	w.POST("/kreistag/:kreis/verfahren/:call/erklaerung", a.councilDeclare, a.requireLogin, councilOnly)

	// Open data (OCDS). Outside group w: public JSON needs no session and sets no cookie.
	e.GET("/ocds/releases.json", a.ocdsAll)
	e.GET("/ocds/:id/releases.json", a.ocdsOne)
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
