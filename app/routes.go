package app

import (
	"compress/gzip"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"kimibv/models/core"
	"kimibv/static"
)

// routes is the one route table: every address with its middleware on one screen.
func (a *App) routes(e *echo.Echo) {
	// An address with invalid characters in its path or query is not redirected but refused
	// by rejectInvalidInput.
	e.Pre(middleware.RemoveTrailingSlashWithConfig(middleware.TrailingSlashConfig{RedirectCode: http.StatusMovedPermanently,
		Skipper: func(c echo.Context) bool { return checkAddress(c) != nil }}))
	e.Use(middleware.Recover(), middleware.RequestID(), a.accessLog, a.securityHeaders,
		middleware.BodyLimit(strconv.FormatInt(a.cfg.MaxBodyBytes, 10)+"B"),
		// Level 1 (as nginx's default): HTML compresses nearly as well, and the default
		// level clears 640 KB of match tables for every response.
		middleware.GzipWithConfig(middleware.GzipConfig{Skipper: skipGzip, MinLength: 1024, Level: gzip.BestSpeed}),
		a.rejectInvalidInput, // NUL, broken UTF-8, over-long address parts: 400 before any handler (input_check.go)
		a.forgetAfterWrites)  // a write of this instance drops the public pages' kept validators (validators.go)
	a.streamed = map[string]bool{}

	// Benchmark aids, only with KIMIBV_BENCH=1 (app/bench.go).
	a.benchRoutes(e)
	// An anonymous visitor's public page from memory, before sessions (answer_from_memory.go).
	e.Use(a.answerFromMemory)

	e.GET("/healthz", a.healthz)
	e.GET("/readyz", a.readyz)
	e.GET("/static/*", echo.WrapHandler(http.StripPrefix("/static/", static.Handler(time.Hour))))
	e.GET("/favicon.ico", echo.WrapHandler(static.Handler(24*time.Hour))) // browsers ask for it at the root

	// Everything below has sessions, the current user and CSRF protection. Each area adds
	// its middleware once, after that of w, in the order written; a route may add more.
	w := e.Group("", a.loadSession, a.loadActor, a.csrf())
	user := newArea(w, "", a.requireLogin)
	orgMember := newArea(w, "/traeger/:org", a.requireLogin, a.requireOrgMember(false))
	orgAdmin := newArea(w, "/traeger/:org", a.requireLogin, a.requireOrgMember(true))
	bid := newArea(w, "/traeger/:org/bewerbungen/:bid", a.requireLogin, a.requireOrgMember(false))
	operator := newArea(w, "/betrieb", a.requireLogin, a.requirePlatformAdmin)
	kreis := newArea(w, "/verwaltung/:kreis", a.requireLogin) // each route names the Kreis roles it admits
	kreisAdmin := newArea(w, "/verwaltung/:kreis", a.requireLogin, a.requireTenantRole(core.RoleTenantAdmin))
	lead := newArea(w, "/verwaltung/:kreis/verfahren", a.requireLogin, a.requireTenantRole(core.RoleLead))
	evaluator := newArea(w, "/verwaltung/:kreis/bewertung", a.requireLogin, a.requireTenantRole(core.RoleEvaluator))
	council := newArea(w, "/kreistag/:kreis", a.requireLogin, a.requireTenantRole(core.RoleCouncil))
	opener, openerOrLead := a.requireTenantRole(core.RoleOpener), a.requireTenantRole(core.RoleOpener, core.RoleLead)
	leadOrAdmin := a.requireTenantRole(core.RoleLead, core.RoleTenantAdmin)
	// Uploads sit outside group w: its CSRF middleware would parse the whole multipart body;
	// uploadCSRF checks the same token from the first part instead, and the handler streams
	// the file into storage (a.streamed, see input_check.go).
	anyUpload := newArea(e, "", a.loadSession, a.loadActor, a.uploadCSRF)
	userUpload := newArea(e, "", a.loadSession, a.loadActor, a.uploadCSRF, a.requireLogin)
	leadUpload := newArea(e, "/verwaltung/:kreis/verfahren", a.loadSession, a.loadActor, a.uploadCSRF, a.requireLogin, a.requireTenantRole(core.RoleLead))
	orgUpload := newArea(e, "/traeger/:org", a.loadSession, a.loadActor, a.uploadCSRF, a.requireLogin, a.requireOrgMember(false))
	upload := func(r area, path string, h echo.HandlerFunc) {
		a.streamed[http.MethodPost+" "+r.prefix+path] = true
		r.POST(path, h)
	}

	// Public pages, login and registration.
	w.GET("/", a.home)
	w.GET("/impressum", a.staticPage("impressum", "Impressum"))
	w.GET("/datenschutz", a.staticPage("datenschutz", "Datenschutzerklärung"))
	w.GET("/barrierefreiheit", a.staticPage("barrierefreiheit", "Erklärung zur Barrierefreiheit"))
	w.GET("/anmelden", a.loginForm)
	w.POST("/anmelden", a.login, a.throttleLogins)               // per client address, shared by all instances (login_throttle.go)
	w.POST("/anmelden/sso/:kreis", a.ssoStart, a.throttleLogins) // single sign-on of Kreis staff (sso.go, R28)
	w.GET(ssoCallbackPath, a.ssoCallback, a.throttleLogins)
	w.POST("/abmelden", a.logout)
	// The second factor and the re-authentication (second_factor.go, rules.md R29); wrong
	// codes count like refused logins.
	user.GET("/anmelden/zweiter-faktor", a.secondFactorForm)
	user.POST("/anmelden/zweiter-faktor", a.secondFactor, a.throttleLogins)
	user.GET("/anmelden/bestaetigen", a.reauthenticateForm)
	user.POST("/anmelden/bestaetigen", a.reauthenticate, a.throttleLogins)
	user.GET("/konto/zweiter-faktor", a.secondFactorEnrolment)
	user.POST("/konto/zweiter-faktor", a.startEnrolment)
	user.GET("/konto/zweiter-faktor/qr.png", a.secondFactorQRCode)
	user.POST("/konto/zweiter-faktor/bestaetigen", a.confirmEnrolment, a.throttleLogins)
	w.GET("/passwort-vergessen", a.forgotForm)
	w.POST("/passwort-vergessen", a.forgot)
	w.GET("/passwort-zuruecksetzen/:token", a.resetForm)
	w.POST("/passwort-zuruecksetzen/:token", a.reset)
	w.GET("/registrieren", a.registerForm)
	w.POST("/registrieren", a.register)
	w.GET("/registrieren/bestaetigen/:token", a.confirmEmailForm)
	w.POST("/registrieren/bestaetigen/:token", a.confirmEmail)
	w.GET("/einladung/:token", a.invitation)
	w.POST("/einladung/:token", a.acceptInvitation)

	// Published calls, issued documents and award records; the document check takes a
	// pasted hash or a streamed PDF, open to everyone.
	w.GET("/ausschreibungen", a.publicCalls)
	w.GET("/ausschreibungen.atom", a.callFeed)
	w.GET("/ausschreibungen/:id", a.publicCall)
	w.GET("/ausschreibungen/:id/termine.ics", a.callICS)
	w.GET("/ausschreibungen/:id/bekanntmachung.pdf", a.bekanntmachungPDF)
	w.GET("/ausschreibungen/:id/fragen", a.callQuestions)
	w.GET("/ausschreibungen/:id/fassungen", a.callVersions)
	w.GET("/ausschreibungen/:id/fassungen/:a/:b", a.callDiff)
	w.GET("/beteiligungen/:consultation", a.publicConsultation) // the Beteiligung on a draft call is public (rules.md R31)
	w.GET("/beteiligungen/:consultation/entwurf.pdf", a.consultationDraftPDF)
	w.GET("/beteiligungen/:consultation/abwaegung.pdf", a.consultationAbwaegungPDF)
	w.GET("/beteiligungen/:consultation/stellungnahmen/:st/anhang.pdf", a.statementAttachment)
	w.GET("/dokumentenpruefung", a.documentCheckForm)
	upload(anyUpload, "/dokumentenpruefung", a.documentCheck)
	w.GET("/vergaben", a.awardList)
	w.GET("/vergaben/:id", a.awardRecord)

	// Every logged-in user: the own account, questions and following calls.
	user.GET("/arbeitsbereich", a.workArea) // the landing page after login (workarea.go)
	user.GET("/konto", a.account)
	user.GET("/konto/passwort", a.passwordForm)
	user.POST("/konto/passwort", a.changePassword)
	user.POST("/konto/anmeldungen/:session/beenden", a.endSession)
	user.POST("/ausschreibungen/:id/fragen", a.askQuestion)
	user.POST("/ausschreibungen/:id/folgen", a.followCall)
	user.POST("/ausschreibungen/:id/entfolgen", a.unfollowCall)
	upload(userUpload, "/beteiligungen/:consultation/stellungnahmen", a.submitStatement) // with an optional PDF attachment

	// Provider organisations: members; the profile and the members' roles for the
	// organisation's administrators.
	orgMember.GET("", a.orgOverview)
	orgMember.GET("/mitglieder", a.orgMembers)
	orgAdmin.GET("/profil", a.orgProfileForm)
	orgAdmin.POST("/profil", a.orgProfile)
	orgAdmin.POST("/mitglieder/einladen", a.orgInvite)
	orgAdmin.POST("/mitglieder/:user/rolle", a.orgSetRole, a.requireFreshProof)
	orgAdmin.POST("/mitglieder/:user/entfernen", a.orgRemoveMember)
	orgAdmin.POST("/zweiter-faktor", a.setOrgSecondFactor)
	orgAdmin.POST("/mitglieder/einladungen/:inv/zurueckziehen", a.withdrawOrgInvitation)
	orgMember.GET("/postfach", a.postfach)
	orgMember.POST("/postfach/gelesen", a.postfachMarkAllRead)
	orgMember.GET("/postfach/:id", a.postfachMessage)
	orgMember.POST("/postfach/:id/gelesen", a.postfachMarkRead)
	orgMember.GET("/postfach/:id/dokument.pdf", a.postfachDocument)
	orgMember.GET("/dokumente", a.wallet)
	upload(orgUpload, "/dokumente", a.walletUpload)
	orgMember.GET("/dokumente/:doc/datei.pdf", a.walletDownload)
	orgMember.GET("/dokumente/:doc/ersetzen", a.walletReplaceForm)
	upload(orgUpload, "/dokumente/:doc/ersetzen", a.walletReplace)
	orgMember.POST("/dokumente/:doc/loeschen", a.walletDelete)
	orgMember.GET("/mitteilungen", a.orgNotices)
	orgMember.GET("/mitteilungen/:id", a.orgNotice)
	orgMember.POST("/mitteilungen/:id/ruege", a.lodgeObjection)
	orgMember.GET("/mitteilungen/:id/mitteilung.pdf", a.noticePDF)
	// After the award: the forwarding contract, the posts and the draw-downs (forwarding*.go).
	orgMember.GET("/weiterleitung", a.orgForwardingList)
	orgMember.GET("/weiterleitung/:call", a.orgForwarding)
	orgMember.GET("/weiterleitung/:call/vertrag.pdf", a.forwardingPDF)
	orgAdmin.POST("/weiterleitung/:call/annahme", a.acceptForwarding)
	orgMember.POST("/weiterleitung/:call/stellen", a.reportPost)
	orgMember.POST("/weiterleitung/:call/abrufe", a.requestDrawdown)
	upload(orgUpload, "/weiterleitung/:call/nachweise", a.submitProof) // administrators only (forwarding_proof.go)
	orgMember.GET("/weiterleitung/:call/nachweise/:proof/belege.pdf", a.ownProofFile)
	upload(orgUpload, "/weiterleitung/:call/nachweise/:proof/belege", a.replaceProofFile) // administrators only, until the check

	// Bids of an organisation (members).
	orgMember.GET("/bewerbungen", a.orgBids)
	orgMember.POST("/bewerbungen", a.startBid)
	bid.GET("", a.bidOverview)
	bid.GET("/pruefen", a.bidCheck)
	bid.POST("/einreichen", a.submitBid)
	bid.POST("/zurueckziehen", a.withdrawBid)
	bid.GET("/fassungen/:v", a.bidReceipt)
	bid.GET("/fassungen/:v/eingangsbestaetigung.pdf", a.receiptPDF)
	bid.GET("/dateien/:file", a.bidFileDownload)
	upload(orgUpload, "/bewerbungen/:bid/unterlagen/:key", a.uploadBidFile)
	bid.POST("/unterlagen/:key/mappe", a.attachWalletDoc)
	bid.POST("/unterlagen/:key/entfernen", a.removeBidFile)
	bid.GET("/nachforderung", a.bidRequests)
	upload(orgUpload, "/bewerbungen/:bid/nachforderung/:req", a.answerRequest)
	bid.GET("/:step", a.bidStep)
	bid.POST("/:step", a.saveBidStep)

	// The operator: Kreise and the platform's outbox.
	operator.GET("", a.operatorHome)
	operator.POST("/kreise", a.createTenant)
	operator.POST("/zweiter-faktor", a.operatorResetSecondFactor)
	operator.GET("/organisationen", a.operatorOrgs)
	operator.GET("/organisationen/:org/sperren", a.operatorLockForm)
	operator.POST("/organisationen/:org/sperren", a.operatorLock)
	operator.POST("/organisationen/:org/entsperren", a.operatorUnlock)
	operator.GET("/nutzer", a.operatorUsers)
	operator.GET("/nutzer/:user/sperren", a.operatorUserLockForm)
	operator.POST("/nutzer/:user/sperren", a.operatorLockUser)
	operator.POST("/nutzer/:user/entsperren", a.operatorUnlockUser)
	operator.GET("/postausgang", a.operatorPostausgang)
	operator.POST("/postausgang/:mail/erneut", a.operatorRetryMail)

	// A Kreis: its home for every role, its administration, openings and the protocol.
	kreis.GET("", a.tenantHome, a.requireTenantRole(core.TenantRoles...))
	kreisAdmin.GET("/nutzer", a.tenantUsers)
	kreisAdmin.POST("/einladungen", a.inviteToTenant)
	kreisAdmin.POST("/einladungen/:inv/zurueckziehen", a.withdrawTenantInvitation)
	kreisAdmin.GET("/nutzer/:user", a.tenantUser)
	kreisAdmin.POST("/nutzer/:user", a.setTenantRoles, a.requireFreshProof)
	kreisAdmin.POST("/nutzer/:user/zweiter-faktor", a.resetTenantSecondFactor)
	kreisAdmin.GET("/einstellungen", a.tenantSettingsForm)
	kreisAdmin.POST("/einstellungen", a.updateTenantSettings)
	kreisAdmin.GET("/anmeldung", a.ssoSettingsForm)
	kreisAdmin.POST("/anmeldung", a.updateSSOSettings)
	kreisAdmin.GET("/kreistag", a.councilAdmin) // factions and members (council_factions.go)
	kreisAdmin.POST("/kreistag/fraktionen", a.createFaction)
	kreisAdmin.POST("/kreistag/mitglieder/:user", a.assignFaction)
	kreisAdmin.POST("/kreistag/oparl", a.setOParlSystem)
	kreisAdmin.POST("/einstellungen/zweiter-faktor", a.setTenantSecondFactor)
	kreisAdmin.GET("/postausgang", a.postausgang)
	kreisAdmin.POST("/postausgang/:mail/erneut", a.retryMail)
	kreis.GET("/protokoll", a.auditList, leadOrAdmin)
	kreis.GET("/protokoll.csv", a.auditCSV, leadOrAdmin)
	kreis.GET("/protokoll.pdf", a.auditPDF, leadOrAdmin)
	// The year summary of the forwarding across all procedures and providers (rules.md R39).
	kreis.GET("/weiterleitung", a.forwardingYears, leadOrAdmin)
	kreis.GET("/weiterleitung/:jahr", a.forwardingSummary, leadOrAdmin)
	kreis.GET("/weiterleitung/:jahr/jahresuebersicht.pdf", a.forwardingSummaryPDF, leadOrAdmin)
	kreis.GET("/weiterleitung/:jahr/jahresuebersicht.xlsx", a.forwardingSummaryXLSX, leadOrAdmin)
	kreis.GET("/oeffnungen", a.openings, opener)
	kreis.GET("/verfahren/:call/oeffnung", a.opening, openerOrLead)
	kreis.POST("/verfahren/:call/oeffnung", a.confirmOpening, opener, a.requireFreshProof)
	kreis.GET("/verfahren/:call/oeffnungsprotokoll.pdf", a.oeffnungsprotokollPDF, openerOrLead)

	// A Kreis's procedures (leads): the call, questions, amendments, cancellation, formal
	// check, committee, consolidation, decision, notices, objections and the files.
	lead.GET("", a.leadCalls)
	lead.POST("", a.createCall)
	lead.GET("/:call", a.editCall)
	lead.POST("/:call", a.saveCall)
	lead.GET("/:call/vorschau", a.previewCall)
	lead.GET("/:call/entwurf/:schritt", a.callStep)
	lead.POST("/:call/entwurf/:schritt", a.saveCallStep)
	lead.GET("/:call/veroeffentlichen", a.publishConfirm)
	lead.POST("/:call/veroeffentlichen", a.publishCall)
	lead.GET("/:call/beteiligung", a.leadConsultation)
	lead.POST("/:call/beteiligung", a.openConsultation)
	lead.POST("/:call/beteiligung/stellungnahmen/:st", a.respondStatement)
	lead.POST("/:call/beteiligung/abwaegung", a.weighConsultation)
	lead.GET("/:call/fragen", a.leadQuestions)
	lead.GET("/:call/fragen/:q", a.leadQuestion)
	lead.POST("/:call/fragen/:q/antwort", a.answerQuestion)
	lead.POST("/:call/fragen/:q/zuordnen", a.assignQuestion)
	lead.GET("/:call/aenderung", a.amendForm)
	lead.POST("/:call/aenderung", a.amend)
	lead.GET("/:call/aufhebung", a.cancelForm)
	lead.POST("/:call/aufhebung", a.cancelCall)
	lead.GET("/:call/pruefung", a.formalChecks)
	lead.GET("/:call/pruefung/:bid", a.formalCheck)
	lead.POST("/:call/pruefung/:bid", a.saveFormalCheck)
	lead.POST("/:call/pruefung/:bid/nachforderung", a.requestDocuments)
	lead.POST("/:call/pruefung/:bid/korrektur", a.correctExclusion)
	lead.GET("/:call/pruefung/:bid/dateien/:key", a.formalFile)
	lead.GET("/:call/pruefung/:bid/antworten/:answer", a.answerFile)
	lead.GET("/:call/gremium", a.committee)
	lead.POST("/:call/gremium", a.addEvaluator)
	lead.GET("/:call/konsolidierung", a.consolidation)
	lead.POST("/:call/konsolidierung/abschliessen", a.closeConsolidation)
	lead.GET("/:call/konsolidierung/:bid", a.consolidationBid)
	lead.POST("/:call/konsolidierung/:bid", a.setConsolidation)
	lead.GET("/:call/ergebnis", a.consolidationResult)
	lead.GET("/:call/bewertungsmatrix.xlsx", a.matrixXLSX)
	lead.GET("/:call/bewertungsmatrix.pdf", a.bewertungsmatrixPDF)
	lead.GET("/:call/entscheidung", a.decision)
	lead.GET("/:call/entscheidung/vorschlag", a.proposalForm)
	lead.POST("/:call/entscheidung/vorschlag", a.saveProposal)
	lead.POST("/:call/entscheidung/beschluss", a.recordDecision, a.requireFreshProof)
	lead.POST("/:call/entscheidung/mitteilungen", a.issueNotices)
	lead.GET("/:call/entscheidung/ruegen/:obj", a.objectionForm)
	lead.POST("/:call/entscheidung/ruegen/:obj", a.answerObjection)
	lead.GET("/:call/entscheidung/rueckverweisung", a.remedyForm)
	lead.POST("/:call/entscheidung/rueckverweisung", a.returnToStep)
	lead.GET("/:call/entscheidung/vergabevermerk.pdf", a.vermerkPDF)
	lead.GET("/:call/vergabeakte.zip", a.vergabeakte)
	lead.GET("/:call/kreistag", a.leadCouncil) // status reports and council questions (council_info.go)
	lead.POST("/:call/kreistag/berichte", a.publishCouncilReport)
	lead.GET("/:call/kreistag/berichte/:report/bericht.pdf", a.councilReportPDF)
	lead.GET("/:call/kreistag/berichte/:report/anlagen/:anlage", a.councilReportFile)
	upload(leadUpload, "/:call/kreistag/anlagen", a.addCouncilReportFile) // PDFs for the next status report (council_report_files.go)
	lead.POST("/:call/kreistag/anfragen/:q/antwort", a.answerCouncilQuestion)
	lead.POST("/:call/kreistag/beschluss", a.fetchResolution) // from the Kreis's OParl system
	lead.GET("/:call/weiterleitung", a.leadForwarding)
	lead.POST("/:call/weiterleitung/traeger/:org", a.issueForwarding)
	lead.POST("/:call/weiterleitung/abrufe/:draw", a.decideDrawdown)
	lead.POST("/:call/weiterleitung/abrufe/:draw/zahlung", a.recordPayment)
	lead.POST("/:call/weiterleitung/nachweise/:proof", a.checkProof)
	lead.GET("/:call/weiterleitung/nachweise/:proof/belege.pdf", a.proofFile)

	// Evaluation (members of a procedure's committee).
	evaluator.GET("", a.evaluationHome)
	evaluator.GET("/:call", a.evaluationCall)
	evaluator.GET("/:call/erklaerung", a.declarationsForm)
	evaluator.POST("/:call/erklaerung", a.declare)
	evaluator.GET("/:call/:bid", a.sheet)
	evaluator.POST("/:call/:bid", a.saveSheet)
	evaluator.GET("/:call/:bid/dateien/:key", a.sheetFile)

	// The Kreistag: decided procedures, and the annex after a declaration without ties.
	council.GET("", a.councilHome)
	council.GET("/verfahren/:call", a.councilProcedure)
	council.GET("/verfahren/:call/anhang", a.councilAnnex)
	council.GET("/verfahren/:call/vergabevermerk.pdf", a.councilVermerkPDF)
	council.GET("/verfahren/:call/protokoll", a.councilTrail)
	council.POST("/verfahren/:call/erklaerung", a.councilDeclare)
	council.GET("/verfahren/:call/sachstand", a.councilInfo) // status reports and questions (council_info.go)
	council.POST("/verfahren/:call/sachstand/anfragen", a.councilAsk)
	council.POST("/verfahren/:call/sachstand/:dist/gelesen", a.councilMarkRead)
	council.GET("/verfahren/:call/sachstand/berichte/:report/bericht.pdf", a.councilReportPDF)
	council.GET("/verfahren/:call/sachstand/berichte/:report/anlagen/:anlage", a.councilReportFile)

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

// area is one part of the route table: an address prefix and the middleware every route
// under it gets, after that of the group or Echo it is added to. An echo sub-group would
// also route every unknown address under its prefix through its middleware (Group.Use
// adds catch-all routes), so an anonymous visitor would be sent to the login page where
// the unknown address now answers 404; an area adds its routes and nothing else.
type area struct {
	to     routeAdder
	prefix string
	mw     []echo.MiddlewareFunc
}

// routeAdder is what Echo and its groups share for adding a route.
type routeAdder interface {
	Add(method, path string, h echo.HandlerFunc, mw ...echo.MiddlewareFunc) *echo.Route
}

// newArea starts an area for the routes under prefix on to (e or a group of it).
func newArea(to routeAdder, prefix string, mw ...echo.MiddlewareFunc) area {
	return area{to: to, prefix: prefix, mw: mw}
}

// GET adds a GET route under the area's prefix with the area's middleware, then mw.
func (r area) GET(path string, h echo.HandlerFunc, mw ...echo.MiddlewareFunc) {
	r.to.Add(http.MethodGet, r.prefix+path, h, append(slices.Clip(r.mw), mw...)...)
}

// POST adds a POST route under the area's prefix with the area's middleware, then mw.
func (r area) POST(path string, h echo.HandlerFunc, mw ...echo.MiddlewareFunc) {
	r.to.Add(http.MethodPost, r.prefix+path, h, append(slices.Clip(r.mw), mw...)...)
}
