package app

// This file renders every page template with a representative sample, so that a template
// execution error (a missing field, a wrong type, a nil pointer) fails `go test` and not a
// user's request. Every page needs an entry in pageSamples: when you add
// templates/pages/<name>.html, add one line here with Data of the type your handler passes.

import (
	"bytes"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"kimibv/models/accounts"
	"kimibv/models/core"
	"kimibv/models/evaluation"
	"kimibv/models/rules"
	"kimibv/models/sso"
	"kimibv/templates"
)

// pageSamples maps each page template to a function that builds a representative envelope.
// One entry per page; keep Data of exactly the type the handler passes (a value, not a pointer,
// if the handler passes a value). Use sample(title, data) for the common envelope and
// withFormError to name a form field of the page that should carry the field error.
var pageSamples = map[string]func() *templates.Page{
	// Foundation pages.
	"home":             func() *templates.Page { return sample("", sampleStatic()) },
	"impressum":        func() *templates.Page { return sample("Impressum", sampleStatic()) },
	"datenschutz":      func() *templates.Page { return sample("Datenschutzerklärung", sampleStatic()) },
	"barrierefreiheit": func() *templates.Page { return sample("Erklärung zur Barrierefreiheit", sampleStatic()) },
	"error": func() *templates.Page {
		return sample("Seite nicht gefunden", germanError(404))
	},
	"login": func() *templates.Page {
		return withFormError(sample("Anmelden", loginData{Next: "/konto", SSO: []sso.Kreis{{Slug: "musterland", Name: "Kreis Musterland"}, {Slug: "beispielhausen", Name: "Kreis Beispielhausen"}},
			SSOMessage: msgSSOUnreachable}), "email", msgLoginFailed)
	},
	// Accounts and provider organisations.
	"account": func() *templates.Page { return sample("Mein Konto", sampleAccount()) },
	"second_factor_code": func() *templates.Page {
		return withFormError(sample("Anmeldung bestätigen", secondFactorData{Next: "/verwaltung/musterland/verfahren"}), "code", "Der Code ist nicht gültig.")
	},
	"second_factor_enrol": func() *templates.Page {
		return withFormError(sample("Zweiter Faktor", secondFactorData{Status: accounts.SecondFactorStatus{Pending: true}, ManualKey: "ABCD EFGH IJKL MNOP QRST UVWX YZ23 4567"}), "code", "Der Code passt nicht zum Schlüssel.")
	},
	"second_factor_recovery": func() *templates.Page {
		return sample("Wiederherstellungscodes", secondFactorData{RecoveryCodes: []string{"ABCD-EFGH-JKLM", "NPQR-STUV-WXYZ"}, Next: "/arbeitsbereich"})
	},
	"reauthenticate": func() *templates.Page {
		return withFormError(sample("Identität bestätigen", secondFactorData{Next: "/verwaltung/musterland/nutzer/3"}), "proof", "Das Passwort oder der Code ist nicht korrekt.")
	},
	"account_password": func() *templates.Page {
		return withFormError(sample("Passwort ändern", nil), "new_password_confirm", "Die beiden Passwörter stimmen nicht überein.")
	},
	"password_forgot": func() *templates.Page {
		return withFormError(sample("Passwort vergessen", nil), "email", "Bitte geben Sie eine E-Mail-Adresse an.")
	},
	"password_reset": func() *templates.Page {
		return withFormError(sample("Neues Passwort festlegen", resetData{Token: "abc_DEF-123"}), "password_confirm", "Bitte wiederholen Sie das Passwort.")
	},
	"link_invalid": func() *templates.Page {
		return sample("Link ungültig oder abgelaufen", linkInvalidData{Heading: "Link ungültig oder abgelaufen", Message: "Dieser Link ist abgelaufen.", Next: "/passwort-vergessen", NextLbl: "Neuen Link anfordern"})
	},
	"betrieb_organisationen": func() *templates.Page {
		locked := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		return sample("Betrieb: Organisationen", operatorOrgsData{Orgs: []accounts.OrgSummary{
			{ID: 1, Name: "AWO e. V.", City: "Musterstadt", Kreise: "Kreis Musterland", Members: 2, CreatedAt: locked},
			{ID: 2, Name: "Verein <b>", City: "Westdorf", Members: 1, CreatedAt: locked, LockedAt: &locked, LockedReason: "Missbrauch"}}})
	},
	"betrieb_nutzer": func() *templates.Page {
		locked := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		return sample("Betrieb: Konten", operatorUsersData{Query: "muster", Users: []accounts.UserSummary{
			{ID: 1, Name: "Jana Leitner", Email: "leitung@musterland.example", CreatedAt: locked, LastLoginAt: &locked},
			{ID: 2, Name: "Max Muster", Email: "max@musterland.example", CreatedAt: locked, LockedAt: &locked, LockedReason: "Dienstverhältnis beendet"},
		}})
	},
	"betrieb_nutzer_sperren": func() *templates.Page {
		return withFormError(sample("Konto sperren", operatorUserLockData{User: accounts.UserSummary{ID: 1, Name: "Jana Leitner", Email: "leitung@musterland.example"}}), "reason", "Bitte geben Sie einen Grund an.")
	},
	"betrieb_sperren": func() *templates.Page {
		return withFormError(sample("Organisation sperren", operatorLockData{Org: accounts.OrgSummary{ID: 1, Name: "AWO e. V.", Members: 2}}), "reason", "Bitte geben Sie einen Grund an.")
	},
	"register_confirm": func() *templates.Page {
		return sample("E-Mail-Adresse bestätigen", resetData{Token: "abc_DEF-123"})
	},
	"register": func() *templates.Page {
		return withFormError(sample("Träger registrieren", orgFormData{}), "privacy", "Bitte bestätigen Sie die Datenschutzhinweise.")
	},
	"invitation": func() *templates.Page {
		return withFormError(sample("Einladung", sampleInvitation("create")), "password_confirm", "Bitte wiederholen Sie das Passwort.")
	},
	"org": func() *templates.Page { return sample("Brückenschlag e. V.", sampleOrgData()) },
	"org_profile": func() *templates.Page {
		return withFormError(sample("Profil bearbeiten", sampleOrgData()), "postal_code", "Bitte geben Sie eine fünfstellige Postleitzahl an.")
	},
	"org_members": func() *templates.Page {
		return withFormError(sample("Mitglieder", sampleOrgData()), "member", "Die Organisation braucht mindestens eine Administration.")
	},
	// Operator and Kreis administration (samples in kreis_samples_test.go).
	"betrieb": func() *templates.Page {
		return withFormError(sample("Betrieb: Kreise", sampleOperatorData()), "slug", "Dieses Kürzel ist bereits vergeben.")
	},
	"kreis_start": func() *templates.Page { return sample("Kreis Musterland", sampleTenantHomeData()) },
	"kreis_nutzer": func() *templates.Page {
		return withFormError(sample("Personen und Rollen", sampleTenantUsersData()), "roles", "Bitte wählen Sie mindestens eine Rolle aus.")
	},
	"kreis_person": func() *templates.Page {
		return withFormError(sample("Rollen von Jana Leitner", sampleTenantUserData()), "roles", "Sie können sich die Rolle Kreisadministration nicht selbst entziehen.")
	},
	"kreis_einstellungen": func() *templates.Page {
		return withFormError(sample("Einstellungen und Texte", sampleTenantSettingsData()), "legal_remedy_text", "Bitte geben Sie die Rechtsbehelfsbelehrung an.")
	},
	"kreis_anmeldung": func() *templates.Page {
		return withFormError(sample("Anmeldung über die Kreisverwaltung", ssoSettingsData{Tenant: sampleTenant(), SecretVariable: "KIMIBV_OIDC_MUSTERLAND_CLIENT_SECRET_FILE",
			CallbackURL: "https://kimibv.example/anmelden/sso/rueckkehr"}), "issuer", "Bitte geben Sie die Adresse des Anmeldedienstes mit https:// an.")
	},
	"kreis_protokoll": func() *templates.Page {
		return withFormError(sample("Protokoll", sampleAuditData(true)), "from", "Bitte geben Sie das Datum „von“ im Format TT.MM.JJJJ an.")
	},
	// Document wallet (samples in wallet_samples_test.go).
	"wallet": func() *templates.Page {
		return withFormError(sample("Dokumentenmappe – Brückenschlag e. V.", sampleWalletData(false)), "datei", "Die Datei ist keine PDF-Datei.")
	},
	"wallet_replace": func() *templates.Page {
		return withFormError(sample("Satzung ersetzen", sampleWalletData(true)), "valid_until", "Bitte geben Sie das Ende der Gültigkeit an.")
	},
	// Issued documents (sample in documents_samples_test.go).
	"document_check": func() *templates.Page {
		return withFormError(sample("Ergebnis der Dokumentenprüfung", sampleDocumentCheck()), "pruefwert", "Der Prüfwert muss aus 64 Zeichen 0–9 und a–f bestehen (SHA-256).")
	},
	// The work area and the confirmation of irreversible acts (workarea_samples_test.go).
	"workarea":      func() *templates.Page { return sample("Arbeitsbereich", sampleWorkArea()) },
	"confirm_final": func() *templates.Page { return sample("Bewertungsbogen endgültig abgeben", sampleFinalAct()) },
	// Bids (samples in bid_samples_test.go).
	"bids": func() *templates.Page { return sample("Interessenbekundungen", sampleOrgBids()) },
	"bid":  func() *templates.Page { return sample("Interessenbekundung", sampleBidPage("", false)) },
	"bid_step": func() *templates.Page {
		return withFormError(sample("Lose und Stellen", sampleBidPage(rules.StepLots, false)), "fte_L1", "Los Nord: Das Los umfasst höchstens 2,00 VZÄ.")
	},
	"bid_check":   func() *templates.Page { return sample("Angaben prüfen", sampleBidPage("", false)) },
	"bid_receipt": func() *templates.Page { return sample("Eingangsbestätigung", sampleReceipt()) },
	// Calls for interest (samples in calls_samples_test.go).
	"calls":             func() *templates.Page { return sample("Ausschreibungen", sampleCallList()) },
	"call":              func() *templates.Page { return sample("Ausschreibung", sampleCallPage(false)) },
	"consultation":      func() *templates.Page { return sample("Beteiligung", sampleConsultationPage()) },
	"consultation_lead": func() *templates.Page { return sample("Beteiligung", sampleLeadConsultation()) },
	"calls_admin":       func() *templates.Page { return sample("Verfahren", sampleLeadCalls()) },
	"call_manage": func() *templates.Page {
		d := sampleCallEdit(true) // every document link shown (decided procedure)
		d.Docs = evaluation.CallDocStatus{Opened: true, Consolidated: true, Protocol: true, Matrix: true, Decided: true}
		st := rules.ProcedureStage(rules.StageFacts{State: rules.CallDecided}, time.Now())
		d.Stage, d.NextStepHref = &st, d.Base+"/entscheidung"
		return sample("Verfahren", d)
	},
	"call_step": func() *templates.Page {
		return withFormError(sample("Kriterien – Entwurf", sampleCallStep(rules.CallStepCriteria)), "criterion_0_weight", "Bitte geben Sie eine ganze Zahl an.")
	},
	"call_publish": func() *templates.Page {
		return withFormError(sample("Veröffentlichen", sampleCallEdit(false)), "bestaetigt", "Bitte bestätigen Sie die Veröffentlichung.")
	},
	// Questions, following, amendments, cancellation (samples in qa_samples_test.go).
	"call_questions": func() *templates.Page {
		return withFormError(sample("Fragen und Antworten", sampleQAPage()), "question", "Die Frist für Fragen ist abgelaufen.")
	},
	"call_versions":    func() *templates.Page { return sample("Fassungen", sampleVersionsPage()) },
	"call_diff":        func() *templates.Page { return sample("Änderungen", sampleDiffPage()) },
	"postfach":         func() *templates.Page { return sample("Postfach", samplePostfach(false)) },
	"postfach_message": func() *templates.Page { return sample("Mitteilung", samplePostfach(true)) },
	"lead_questions":   func() *templates.Page { return sample("Fragen", sampleLeadQuestions(false)) },
	"lead_question": func() *templates.Page {
		return withFormError(sample("Frage beantworten", sampleLeadQuestions(true)), "answer", "Bitte geben Sie die Antwort an.")
	},
	"call_cancel": func() *templates.Page {
		return withFormError(sample("Aufhebung", cancelPage{Call: sampleHeader(false), Base: "/verwaltung/musterland/verfahren/1"}), "reason", "Bitte geben Sie die Begründung an.")
	},
	"call_amend": func() *templates.Page {
		p := withFormError(sample("Änderungsbekanntmachung", sampleAmendPage()), "deadline", "Die Abgabefrist kann nur verlängert werden.")
		p.Form.Values = sampleAmendValues()
		return p
	},
	"call_amend_confirm": func() *templates.Page { return sample("Änderung prüfen", sampleAmendConfirm()) },
	// Opening, formal check, committee and evaluation.
	"call_opening": func() *templates.Page { return sample("Öffnungsprotokoll", sampleProtocol(true)) },
	"openings": func() *templates.Page {
		return sample("Öffnungen", openingsPage{Calls: []evaluation.OpenerCallRow{{ID: 1, Ref: "musterland-2026-01", Title: "IBV", State: rules.CallClosed, Deadline: &sampleNow}}, Base: "/verwaltung/musterland/verfahren"})
	},
	"formal_checks": func() *templates.Page {
		return sample("Formale Prüfung", formalChecksPage{Call: sampleHeader(false), Rows: []evaluation.FormalRow{{BidID: 1, OrgName: "AWO", State: rules.BidSubmitted, Outcome: "requested", OpenAnswer: true}, {BidID: 2, OrgName: "Brückenschlag", State: rules.BidWithdrawn}}, Deadline: "17.03.2026 12:00 Uhr", Base: "/verwaltung/musterland/verfahren/1"})
	},
	"formal_check": func() *templates.Page {
		return withFormError(sample("Formale Prüfung", sampleFormalCheck(false)), "met_E1", "Die Mindestanforderung ist nicht erfüllt.")
	},
	"committee": func() *templates.Page {
		return withFormError(sample("Bewertungsgremium", sampleCommittee()), "user", "Bitte wählen Sie eine Person.")
	},
	"evaluation": func() *templates.Page {
		return sample("Bewertung", evaluationHomePage{Calls: []evaluation.EvaluatorCallRow{{ID: 1, Ref: "musterland-2026-01", Title: "IBV", State: rules.CallOpened, OpenedAt: &sampleNow, Undeclared: 2}, {ID: 2, Ref: "musterland-2026-02", Title: "Zweites", State: rules.CallClosed},
			{ID: 3, Ref: "musterland-2026-03", Title: "Drittes", State: rules.CallCancelled}, {ID: 4, Ref: "musterland-2026-04", Title: "Viertes", State: rules.CallOpened, OpenedAt: &sampleNow, Submitted: 1}}, Base: "/verwaltung/musterland/bewertung"})
	},
	"evaluation_call": func() *templates.Page {
		return sample("Bewertung", evaluationCallPage{View: &evaluation.EvaluatorCallView{Call: sampleClosedHeader(), Bids: []evaluation.EvaluatorBidRow{{BidID: 1, OrgName: "AWO", Started: true}, {BidID: 2, OrgName: "Caritas", Started: true, SubmittedAt: &sampleNow}}, Withheld: 1}, Base: "/verwaltung/musterland/bewertung/1", Home: "/verwaltung/musterland/bewertung"})
	},
	"coi_declare": func() *templates.Page {
		return withFormError(sample("Erklärung zu Interessenkonflikten", sampleDeclarations(false)), "note_1", "Bitte erläutern Sie die Verbindung.")
	},
	"score_sheet": func() *templates.Page {
		return withFormError(sample("Bewertungsbogen", sampleSheet(false)), "reason_K2", "Bitte geben Sie eine Begründung an.")
	},
	"bid_requests": func() *templates.Page {
		return withFormError(sample("Nachforderung", sampleBidRequests()), "datei", "Bitte wählen Sie eine PDF-Datei.")
	},
	// Consolidation (samples in consolidation_samples_test.go).
	"consolidation": func() *templates.Page {
		return withFormError(sample("Konsolidierung", sampleConsolidation(false)), "tie_0_pos_1", "Die Position 1 ist mehrfach vergeben.")
	},
	"consolidation_bid": func() *templates.Page {
		return withFormError(sample("Konsolidierung", sampleConsolidationBid()), "reason_K2", "K2: Bitte begründen Sie die konsolidierte Bewertung und warum sie vom Mittelwert 1,5 abweicht. Die Begründung steht in der Mitteilung an den Träger.")
	},
	"consolidation_result": func() *templates.Page { return sample("Ergebnis", sampleConsolidation(true)) },
	// Award record and council view.
	"awards": func() *templates.Page { return sample("Vergaben", sampleAwardList()) },
	"award": func() *templates.Page {
		return sample("Vergabe", awardPage{R: sampleAwardRecord(rules.CallAwarded), Href: "/ausschreibungen/musterland-2026-01"})
	},
	"council":       func() *templates.Page { return sample("Kreistag", sampleCouncilList()) },
	"council_trail": func() *templates.Page { return sample("Protokoll des Verfahrens", sampleCouncilTrail()) },
	"council_procedure": func() *templates.Page {
		return withFormError(sample("Verfahren", sampleCouncil("undeclared")), "tie_5", "Bitte erklären Sie, ob Sie eine Verbindung zu diesem Träger haben.")
	},
	// Decision, notices, objections, outbox (samples in decision_samples_test.go).
	"decision": func() *templates.Page {
		return withFormError(sample("Entscheidung", sampleDecision(true, false)), "council_url", "Bitte geben Sie eine vollständige Adresse an.")
	},
	"decision_proposal": func() *templates.Page {
		return withFormError(sample("Entscheidungsvorschlag", sampleDecision(false, false)), "deviation_reason", "Bitte begründen Sie die Abweichung.")
	},
	"objection_answer": func() *templates.Page {
		return withFormError(sample("Rüge beantworten", sampleObjectionPage()), "answer", "Bitte geben Sie die Antwort an.")
	},
	"remedy": func() *templates.Page {
		return withFormError(sample("Rückverweisung", sampleRemedyPage()), "reason", "Bitte geben Sie die Begründung der Rückverweisung an.")
	},
	"notices": func() *templates.Page { return sample("Mitteilungen", sampleNotices()) },
	"notice": func() *templates.Page {
		return withFormError(sample("Mitteilung", sampleNoticePage()), "reason", "Bitte geben Sie die Begründung Ihrer Rüge an.")
	},
	"postausgang": func() *templates.Page { return sample("Postausgang", samplePostausgang()) },
	// After the award (samples in forwarding_samples_test.go).
	"forwarding_list": func() *templates.Page { return sample("Weiterleitung", sampleForwardingOrg(true)) },
	"forwarding_org": func() *templates.Page {
		return withFormError(sample("Weiterleitungsvertrag", sampleForwardingOrg(false)), "amount", "Der Betrag übersteigt die Förderung.")
	},
	"forwarding_lead":    func() *templates.Page { return sample("Weiterleitung", sampleForwardingLead()) },
	"forwarding_summary": func() *templates.Page { return sample("Jahresübersicht 2027", sampleForwardingSummary()) },
}

// sampleAccount is the account overview of sampleActor.
func sampleAccount() accountData {
	return accountData{Memberships: []accounts.Membership{
		{Kind: "kreis", Name: "Kreis Musterland", Href: "/verwaltung/musterland", Roles: []core.Role{core.RoleLead, core.RoleTenantAdmin}},
		{Kind: "organisation", Name: "Brückenschlag e. V.", Href: "/traeger/3", Roles: []core.Role{core.RoleOrgAdmin}},
	}, Idle: "2 Stunden", Lifetime: "12 Stunden", Sessions: []accounts.UserSession{
		{ID: 7, UserAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0", IP: "192.0.2.10", Current: true,
			CreatedAt: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), LastSeenAt: time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)},
		{ID: 8, IP: "198.51.100.7", CreatedAt: time.Date(2026, 2, 28, 17, 0, 0, 0, time.UTC), LastSeenAt: time.Date(2026, 2, 28, 18, 0, 0, 0, time.UTC)},
	}}
}

// sampleInvitation is an organisation invitation as the page for mode shows it.
func sampleInvitation(mode string) *invitationData {
	orgID := int64(3)
	return &invitationData{Token: "tok_123", Mode: mode, LoginURL: "/anmelden?next=%2Feinladung%2Ftok_123",
		Inv: &accounts.InvitationView{Invitation: accounts.Invitation{ID: 1, OrgID: &orgID, Email: "neu@bruecke.example",
			Roles: []string{string(core.RoleOrgMember)}, ExpiresAt: sampleNow.Add(accounts.InvitationValidity)},
			TargetName: "Brückenschlag e. V.", InviterName: "Murat Brückner"}}
}

// sampleOrgData is an organisation with an administrator, a member and an open invitation.
func sampleOrgData() orgData {
	orgID := int64(3)
	return orgData{Org: &accounts.Organization{ID: orgID, Name: "Brückenschlag e. V.", LegalForm: accounts.LegalForms[0], RegisterCourt: "Amtsgericht Musterstadt",
		RegisterNumber: "VR 123", Street: "Marktstraße 21", PostalCode: "57020", City: "Südhausen", Association: accounts.Associations[4],
		Email: "info@bruecke.example", Phone: "02345 1234-0", CreatedAt: sampleNow},
		Members: []accounts.OrgMember{{UserID: 7, Name: "Jana Leitner", Email: "leitung@musterland.example", Role: core.RoleOrgAdmin, CreatedAt: sampleNow},
			{UserID: 8, Name: "Nora Neu", Email: "neu@bruecke.example", Role: core.RoleOrgMember, CreatedAt: sampleNow}},
		Invitations: []accounts.Invitation{{ID: 2, OrgID: &orgID, Email: "spaeter@bruecke.example", Roles: []string{string(core.RoleOrgAdmin)}, ExpiresAt: sampleNow}},
		IsAdmin:     true, Me: 7, Roles: core.OrgRoles}
}

// sampleNow is a fixed instant for sample data (a Tuesday morning in Berlin).
var sampleNow = time.Date(2026, 3, 10, 9, 30, 0, 0, core.Berlin())

// sampleStatic is the configuration shown on the start and legal pages.
func sampleStatic() staticPageData {
	return staticPageData{ContactEmail: "kontakt@kimibv.test", Operator: "Testbetrieb", BaseURL: "http://kimibv.test"}
}

// sampleActor is a logged-in user who holds roles in a Kreis and an organisation.
func sampleActor() *core.Actor {
	return &core.Actor{UserID: 7, Name: "Jana Leitner", Email: "leitung@musterland.example",
		Tenants: map[int64][]core.Role{1: {core.RoleLead, core.RoleTenantAdmin}},
		Orgs:    map[int64]core.Role{3: core.RoleOrgAdmin}}
}

// sample is the common envelope: a logged-in user with navigation, a flash message,
// breadcrumbs and a submitted form (values, no errors; see withFormError).
func sample(title string, data any) *templates.Page {
	return &templates.Page{
		Title: title, Path: "/konto", CSRF: "sample-csrf-token", User: sampleActor(),
		Nav: []templates.NavItem{
			{Label: "Kreis Musterland", Href: "/verwaltung/musterland"},
			{Label: "Arbeiterwohlfahrt Kreisverband Musterland e. V.", Href: "/traeger/3"},
		},
		Flash:     "Die Änderungen wurden gespeichert.",
		Form:      &templates.Form{Values: url.Values{"email": {"leitung@musterland.example"}, "name": {"Jana Leitner"}}},
		Data:      data,
		RequestID: "sample-request-id",
		Status:    200,
		Crumbs:    []templates.NavItem{{Label: "Start", Href: "/"}, {Label: title}},
		Meta:      map[string]any{},
	}
}

// withFormError adds one field error for field, which must be a form control of the page
// (its id f-<field> must exist, so that the error summary link works).
func withFormError(p *templates.Page, field, message string) *templates.Page {
	if p.Form == nil {
		p.Form = &templates.Form{Values: url.Values{}}
	}
	p.Form.Errors = append(p.Form.Errors, core.FieldError{Field: field, Code: "invalid", Message: message})
	p.Status = 422
	return p
}

// TestRenderEveryPage renders every page template with its sample, once as after a submitted
// form (flash, values, field error) and once as a first GET (no form), and checks the HTML.
func TestRenderEveryPage(t *testing.T) {
	t.Parallel()
	r, err := templates.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	pages := r.Pages()
	slices.Sort(pages)
	for _, name := range pages {
		t.Run(name, func(t *testing.T) {
			mk, ok := pageSamples[name]
			if !ok {
				t.Fatalf("page template %q has no render sample: add an entry \"%s\": func() *templates.Page { return sample(\"Title\", <data of the type the handler passes>) } to pageSamples in app/render_test.go", name, name)
			}
			variants := map[string]*templates.Page{"submitted": mk(), "first GET": firstGet(mk())}
			for variant, p := range variants {
				var buf bytes.Buffer
				if err := r.Render(&buf, name, p); err != nil {
					t.Fatalf("%s (%s): %v", name, variant, err)
				}
				CollectHTML("TestRenderEveryPage: "+name+" ("+variant+")", "/render/"+name+"/"+variant, p.Status, buf.String())
				for _, problem := range checkHTML(buf.String(), p) {
					t.Errorf("%s (%s): %s", name, variant, problem)
				}
			}
		})
	}
	for name := range pageSamples {
		if !slices.Contains(pages, name) {
			t.Errorf("pageSamples has an entry %q but there is no templates/pages/%s.html: remove the entry", name, name)
		}
	}
}

// firstGet turns a sample into the envelope of a first GET: no submitted form and no flash.
func firstGet(p *templates.Page) *templates.Page {
	p.Form, p.Flash, p.Status = nil, "", 200
	return p
}

// checkHTML parses out and lists what is wrong with it: not exactly one h1, no lang="de",
// no skip link to the main element, inline script or style (the CSP forbids them),
// duplicate ids, and error summary links to controls that do not exist.
func checkHTML(out string, p *templates.Page) []string {
	doc, err := html.Parse(strings.NewReader(out))
	if err != nil {
		return []string{fmt.Sprintf("parse: %v", err)}
	}
	var problems []string
	ids := map[string]int{}
	labels, summary := map[string]string{}, map[string]string{} // control id → label text; summary link target → text
	var h1, skip, mains int
	var firstLink *html.Node
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		if id := attr(n, "id"); id != "" {
			ids[id]++
		}
		for _, a := range n.Attr {
			if a.Key == "style" || strings.HasPrefix(a.Key, "on") {
				problems = append(problems, fmt.Sprintf("<%s> has an inline %s attribute (forbidden by the Content-Security-Policy)", n.Data, a.Key))
			}
		}
		switch n.DataAtom {
		case atom.Html:
			if attr(n, "lang") != "de" {
				problems = append(problems, `<html> has no lang="de"`)
			}
		case atom.H1:
			h1++
		case atom.Main:
			mains++
			if attr(n, "id") != "inhalt" {
				problems = append(problems, `<main> must have id="inhalt" (target of the skip link)`)
			}
		case atom.Label:
			if f := attr(n, "for"); f != "" {
				labels[f] = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(textOf(n)), "– optional"))
			}
		case atom.A:
			if firstLink == nil {
				firstLink = n
			}
			if h := attr(n, "href"); strings.HasPrefix(h, "#f-") {
				summary[h[1:]] = textOf(n)
			}
			if strings.Contains(attr(n, "class"), "skip-link") && attr(n, "href") == "#inhalt" {
				skip++
			}
		case atom.Script:
			if attr(n, "src") == "" || strings.TrimSpace(textOf(n)) != "" {
				problems = append(problems, "inline <script> (forbidden by the Content-Security-Policy; use a file under static/)")
			}
		case atom.Style:
			problems = append(problems, "inline <style> element (forbidden by the Content-Security-Policy; use static/css/app.css)")
		case atom.Td, atom.Th:
			if stackedCell(n) && attr(n, "data-label") == "" && attr(n, "colspan") == "" {
				problems = append(problems, fmt.Sprintf("a <%s> of a table-stack table has no data-label (its column header, shown above the value on narrow screens)", n.Data))
			}
		}
	}
	if h1 != 1 {
		problems = append(problems, fmt.Sprintf("has %d <h1> elements, want exactly one", h1))
	}
	if mains != 1 {
		problems = append(problems, fmt.Sprintf("has %d <main> elements, want exactly one", mains))
	}
	if skip != 1 || firstLink == nil || !strings.Contains(attr(firstLink, "class"), "skip-link") {
		problems = append(problems, `the first link must be the skip link <a class="skip-link" href="#inhalt">`)
	}
	for id, n := range ids {
		if n > 1 {
			problems = append(problems, fmt.Sprintf("id %q is used %d times", id, n))
		}
	}
	if p.Form != nil {
		for _, fe := range p.Form.Errors {
			if ids["f-"+fe.Field] == 0 {
				problems = append(problems, fmt.Sprintf("the error summary links to #f-%s, but the page has no control with that id (FieldError.Field must be the form field name)", fe.Field))
			}
		}
		for _, fe := range p.Form.Errors {
			if l := labels["f-"+fe.Field]; l != "" && !strings.HasPrefix(summary["f-"+fe.Field], l+": ") {
				problems = append(problems, fmt.Sprintf("the error summary entry %q does not name its field %q", summary["f-"+fe.Field], l))
			}
		}
		if len(p.Form.Errors) > 0 && ids["fehlerliste"] != 1 {
			problems = append(problems, "a form with errors must show the error summary (id fehlerliste)")
		}
	}
	if p.Flash != "" && !strings.Contains(out, html.EscapeString(p.Flash)) {
		problems = append(problems, "the flash message is not shown")
	}
	return problems
}

// stackedCell reports whether n is a body cell of a table that stacks its rows on narrow
// screens (class table-stack).
func stackedCell(n *html.Node) bool {
	inBody := false
	for p := n.Parent; p != nil; p = p.Parent {
		switch p.DataAtom {
		case atom.Tbody:
			inBody = true
		case atom.Table:
			return inBody && slices.Contains(strings.Fields(attr(p, "class")), "table-stack")
		}
	}
	return false
}

// attr returns the value of the attribute key of n, or "".
func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// textOf concatenates the text children of n.
func textOf(n *html.Node) string {
	var b strings.Builder
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}
