package audit

// auditActionLabels is the catalogue of audit actions with their German labels, as shown
// in the audit list. Every use case that writes an audit entry adds its action here.
var auditActionLabels = map[string]string{
	// Accounts.
	"auth.login":                    "Anmeldung",
	"auth.login_failed":             "Fehlgeschlagene Anmeldung",
	"auth.password_reset_requested": "Passwort-Zurücksetzung angefordert",
	"auth.password_reset":           "Passwort zurückgesetzt",
	"auth.email_confirmation_sent":  "Bestätigungslink für die E-Mail-Adresse versandt",
	"auth.email_confirmed":          "E-Mail-Adresse bestätigt",
	"auth.sso_login":                "Anmeldung über die Kreisverwaltung (SSO)",
	"auth.sso_login_failed":         "Abgelehnte Anmeldung über die Kreisverwaltung (SSO)",
	"auth.sso_linked":               "Konto mit dem Konto der Kreisverwaltung verknüpft (SSO)",
	"user.created":                  "Konto angelegt",
	"user.password_changed":         "Passwort geändert",
	"auth.second_factor":            "Zweiter Faktor bestätigt",
	"auth.second_factor_failed":     "Zweiter Faktor abgelehnt",
	"auth.second_factor_enrolled":   "Zweiter Faktor eingerichtet",
	"user.second_factor_reset":      "Zweiter Faktor zur Neueinrichtung zurückgesetzt",
	"user.session_ended":            "Anmeldung auf einem anderen Gerät beendet",
	"user.locked":                   "Konto gesperrt",
	"user.unlocked":                 "Sperre des Kontos aufgehoben",
	"invitation.withdrawn":          "Einladung zurückgezogen",
	// Kreis administration.
	"tenant.created":          "Kreis angelegt",
	"tenant.roles_changed":    "Rollen geändert",
	"tenant.user_invited":     "Person eingeladen",
	"tenant.settings_changed": "Einstellungen des Kreises geändert",
	"sso.settings_changed":    "Anmeldung über die Kreisverwaltung (SSO) eingestellt",
	"invitation.accepted":     "Einladung angenommen",
	// Provider organisations.
	"organization.registered":     "Träger registriert",
	"organization.updated":        "Angaben des Trägers geändert",
	"organization.member_invited": "Person zum Träger eingeladen",
	"organization.role_changed":   "Rolle beim Träger geändert",
	"organization.member_removed": "Person beim Träger entfernt",
	"organization.locked":         "Träger gesperrt",
	"organization.unlocked":       "Sperre des Trägers aufgehoben",
	// Document wallet of an organisation.
	"wallet.document_added":    "Dokument in die Dokumentenmappe aufgenommen",
	"wallet.document_replaced": "Dokument der Dokumentenmappe ersetzt",
	"wallet.document_removed":  "Dokument aus der Dokumentenmappe entfernt",
	// Calls, questions and bids.
	"call.draft_created":          "Entwurf einer Ausschreibung angelegt",
	"call.draft_saved":            "Entwurf einer Ausschreibung gespeichert",
	"call.committee_set":          "Öffnungsberechtigte und Bewertungsgremium benannt",
	"call.published":              "Ausschreibung veröffentlicht",
	"bids.trail_joined":           "Versiegelte Eingangskette bei der Öffnung angeschlossen",
	"call.amended":                "Änderung bekannt gemacht",
	"call.cancelled":              "Verfahren aufgehoben",
	"call.followed":               "Ausschreibung wird verfolgt",
	"call.unfollowed":             "Ausschreibung wird nicht mehr verfolgt",
	"question.asked":              "Frage gestellt",
	"question.merged":             "Fragen zusammengeführt",
	"question.answered":           "Frage öffentlich beantwortet",
	"bid.started":                 "Interessenbekundung begonnen",
	"bid.draft_saved":             "Entwurf der Interessenbekundung gespeichert",
	"bid.file_added":              "Unterlage zur Interessenbekundung hinzugefügt",
	"bid.file_removed":            "Unterlage der Interessenbekundung entfernt",
	"bid.submitted":               "Interessenbekundung eingereicht",
	"bid.withdrawn":               "Interessenbekundung zurückgezogen",
	"bid.reconfirmation_required": "Erneute Bestätigung nach einer Änderung erforderlich",
	"bid.reconfirmed":             "Interessenbekundung nach einer Änderung erneut bestätigt",
	// Closing, opening, formal check, committee.
	"call.closed":                "Frist abgelaufen, Verfahren geschlossen",
	"opening.confirmed":          "Öffnung bestätigt",
	"call.opened":                "Interessenbekundungen geöffnet",
	"formal.saved":               "Formale Prüfung gespeichert",
	"formal.admitted":            "Interessenbekundung zugelassen",
	"formal.excluded":            "Interessenbekundung ausgeschlossen",
	"formal.corrected":           "Ausschluss durch Korrekturvermerk berichtigt",
	"formal.documents_requested": "Unterlagen nachgefordert",
	"formal.documents_answered":  "Nachgeforderte Unterlage eingegangen",
	"coi.declared":               "Erklärung zu Interessenkonflikten abgegeben",
	"committee.evaluator_added":  "Mitglied des Bewertungsgremiums benannt",
	"sheet.saved":                "Bewertungsbogen als Entwurf gespeichert",
	"sheet.submitted":            "Bewertungsbogen abgegeben",
	// Consolidation and result.
	"consolidation.scores_set": "Konsolidierte Bewertung festgelegt",
	"consolidation.closed":     "Konsolidierung abgeschlossen, Ergebnis berechnet",
	// Decision, notices, objections, award, outbox.
	"decision.proposed":  "Entscheidungsvorschlag gespeichert",
	"decision.recorded":  "Entscheidung aufgezeichnet",
	"notices.issued":     "Mitteilungen versandt, Stillhaltefrist begonnen",
	"objection.lodged":   "Rüge erhoben",
	"objection.answered": "Rüge beantwortet",
	"remedy.returned":    "Nach abgeholfener Rüge an einen Verfahrensschritt zurückverwiesen",
	"call.awarded":       "Vergabe endgültig",
	"outbox.retried":     "E-Mail erneut in den Versand gegeben",
	"council.declared":   "Kreistagsmitglied hat Verbindungen zu den Trägern erklärt",
	// Council information (rules.md R32, R33).
	"council.faction_created":    "Fraktion oder Gruppe im Kreistag angelegt",
	"council.faction_assigned":   "Fraktion eines Kreistagsmitglieds festgelegt",
	"council.report_published":   "Sachstandsbericht an den Kreistag verteilt",
	"council.report_file_added":  "Anlage zum nächsten Sachstandsbericht hochgeladen",
	"council.question_asked":     "Anfrage aus dem Kreistag gestellt",
	"council.question_answered":  "Anfrage aus dem Kreistag beantwortet und verteilt",
	"council.oparl_configured":   "Ratsinformationssystem (OParl) des Kreises eingetragen",
	"council.resolution_fetched": "Beschluss aus dem Ratsinformationssystem übernommen",
	// Beteiligung on the draft call (rules.md R31).
	"consultation.opened":              "Beteiligung zum Entwurf eröffnet",
	"consultation.statement_submitted": "Stellungnahme abgegeben",
	"consultation.statement_revised":   "Stellungnahme geändert",
	"consultation.statement_answered":  "Stellungnahme beantwortet",
	"consultation.weighed":             "Abwägung der Stellungnahmen abgeschlossen",
	"consultation.reminded":            "An das Ende der Beteiligung erinnert",

	// Forwarding of the funds after the award (rules.md R35–R37).
	"forwarding.issued":              "Weiterleitungsvertrag ausgestellt",
	"forwarding.accepted":            "Weiterleitungsvertrag vom Träger angenommen",
	"forwarding.post_reported":       "Stand einer Stelle gemeldet",
	"forwarding.drawdown_requested":  "Mittelabruf gestellt",
	"forwarding.drawdown_approved":   "Mittelabruf bewilligt",
	"forwarding.drawdown_refused":    "Mittelabruf abgelehnt",
	"forwarding.drawdown_paid":       "Auszahlung vermerkt",
	"forwarding.proof_submitted":     "Verwendungsnachweis eingereicht",
	"forwarding.proof_checked":       "Verwendungsnachweis geprüft",
	"forwarding.proof_file_replaced": "Belege zum Verwendungsnachweis ersetzt oder nachgereicht",

	// Issued documents (PDF, rules.md R8).
	"document.issued": "Dokument ausgestellt",
}

// auditObjectLabels names the object types of audit entries in German.
var auditObjectLabels = map[string]string{
	"user":                   "Person",
	"tenant":                 "Kreis",
	"invitation":             "Einladung",
	"organization":           "Träger",
	"org_document":           "Dokument der Dokumentenmappe",
	"call":                   "Verfahren",
	"bid":                    "Interessenbekundung",
	"score_sheet":            "Bewertungsbogen",
	"issued_document":        "Ausgestelltes Dokument",
	"mail":                   "E-Mail",
	"call_version":           "Fassung einer Ausschreibung",
	"question":               "Frage",
	"qa_answer":              "Veröffentlichte Antwort",
	"consultation":           "Beteiligung",
	"consultation_statement": "Stellungnahme",
	"council_faction":        "Fraktion oder Gruppe",
	"council_question":       "Anfrage aus dem Kreistag",
	"forwarding_contract":    "Weiterleitungsvertrag",
	"drawdown":               "Mittelabruf",
	"proof":                  "Verwendungsnachweis",
}

// ActionLabel returns the German label of an audit action, or the action's name when
// the catalogue does not know it.
func ActionLabel(action string) string {
	if l, ok := auditActionLabels[action]; ok {
		return l
	}
	return action
}

// ObjectTypeLabel returns the German name of an audit object type, or the type itself.
func ObjectTypeLabel(objectType string) string {
	if l, ok := auditObjectLabels[objectType]; ok {
		return l
	}
	return objectType
}
