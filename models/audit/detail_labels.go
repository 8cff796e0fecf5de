package audit

import "strings"

// detailLabels names the keys of the entries' details in German. A nested key is named by
// its last part (e.g. "items.E1.met" by "met" after "items" and "E1"); keys of lots,
// criteria and requirements ("L1", "K2", "E1", "U3") are named by itemLabel. Every key
// that a use case writes into the details of an entry has a label here (the demo trail
// test checks the keys it meets).
var detailLabels = map[string]string{
	// Objects and references.
	"bid":                         "Interessenbekundung",
	"bid_id":                      "Interessenbekundung",
	"bids":                        "Interessenbekundungen",
	"call":                        "Verfahren",
	"call_id":                     "Verfahren",
	"call_version":                "Fassung der Ausschreibung",
	"chain":                       "Protokollkette",
	"copied_from":                 "Kopiert aus",
	"document":                    "Dokument",
	"documents":                   "Dokumente",
	"invitation_id":               "Einladung",
	"object":                      "Bezieht sich auf",
	"objection":                   "Rüge",
	"remedy":                      "Rückverweisung",
	"to_step":                     "Zurückverwiesen an",
	"org_id":                      "Träger",
	"orgs":                        "Träger",
	"organisations":               "Träger",
	"question_ids":                "Fragen",
	"request":                     "Nachforderung",
	"trail":                       "Eingangskette",
	"trails":                      "Eingangsketten",
	"user_id":                     "Person",
	"session":                     "Anmeldung",
	"session_started":             "Angemeldet am",
	"evaluators":                  "Bewertungsgremium",
	"openers":                     "Öffnungsberechtigte",
	"bidders":                     "Bieter",
	"notices":                     "Mitteilungen",
	"from_wallet":                 "Aus der Dokumentenmappe",
	"feed":                        "Benachrichtigung",
	"source":                      "Quelle",
	"stand":                       "Stand",
	"verfahren":                   "Verfahren",
	"step":                        "Schritt",
	"ref":                         "Verfahrensnummer",
	"slug":                        "Kurzname",
	"seq":                         "Nummer",
	"kind":                        "Art",
	"title":                       "Titel",
	"name":                        "Name",
	"email":                       "E-Mail-Adresse",
	"admin_email":                 "E-Mail-Adresse der Verwaltung",
	"role":                        "Rolle",
	"roles":                       "Rollen",
	"legal_form":                  "Rechtsform",
	"register_court":              "Registergericht",
	"doc_key":                     "Unterlage",
	"doc_type":                    "Dokumentart",
	"platform_admin":              "Betrieb",
	"known":                       "Bekannte Adresse",
	"privacy_notice_acknowledged": "Datenschutzhinweis bestätigt",
	"method":                      "Verfahren der Bestätigung",
	"had_factor":                  "Zweiter Faktor war eingerichtet",
	"second_factor_all_staff":     "Zweiter Faktor für alle Beschäftigten",
	"second_factor_required":      "Zweiter Faktor für alle Mitglieder",
	// Times and counts.
	"created_at":             "Angelegt",
	"deadline":               "Frist",
	"decided_on":             "Datum der Entscheidung",
	"last_login_at":          "Letzte Anmeldung",
	"locked_until":           "Gesperrt bis",
	"standstill_ends_at":     "Ende der Stillhaltefrist",
	"failed_logins":          "Fehlgeschlagene Anmeldungen",
	"entries":                "Einträge",
	"total":                  "Gesamtpunkte",
	"files":                  "Dateien",
	"size":                   "Größe (Byte)",
	"chars":                  "Zeichen",
	"version":                "Fassung",
	"organisations_notified": "Benachrichtigte Träger",
	// Content of the steps.
	"after":               "Nachher",
	"before":              "Vorher",
	"allocation":          "Zuteilung (VZÄ)",
	"body":                "Gremium",
	"body_name":           "Bezeichnung des Gremiums",
	"changed":             "Geändert",
	"confirmation":        "Bestätigung",
	"content_sha256":      "Prüfwert des Inhalts",
	"file_sha256":         "Prüfwert der Datei",
	"attachment":          "Anlage",
	"attachment_removed":  "Anlage entfernt",
	"sha256":              "Prüfwert",
	"head_hash":           "Letzter Hash",
	"password_hash":       "Passwort",
	"decision":            "Entscheidung",
	"deviates":            "Abweichung vom Ergebnis",
	"deviating_from_mean": "Abweichung vom Mittelwert",
	"excluded":            "Ausgeschlossen",
	"excluded_for":        "Ausgeschlossen wegen",
	"fte":                 "Stellen (VZÄ)",
	"items":               "Prüfpunkte",
	"lot":                 "Los",
	"material":            "Wesentliche Änderung",
	"met":                 "Erfüllt",
	"note":                "Anmerkung",
	"outcome":             "Ergebnis",
	"rank":                "Rang",
	"reason":              "Begründung",
	"remark":              "Bemerkung",
	"rephrased":           "Umformuliert",
	"result":              "Ergebnis",
	"result_fte":          "Stellen nach dem Ergebnis (VZÄ)",
	"scores":              "Stufen",
	"submitted":           "Abgegeben",
	"tie":                 "Verbindung",
	"ties":                "Verbindungen",
	"unallocated":         "Nicht vergeben (VZÄ)",
	"uncertain":           "Ungewiss",
	"withdrawn":           "Zurückgezogen",
	"resolution_number":   "Beschlussnummer",
	"vote_result":         "Abstimmungsergebnis",
	"council_url":         "Ratsinformationssystem",
	"justification":       "Begründung der Auswahl",
	"deviation_reason":    "Begründung der Abweichung",
	"message":             "Nachricht",
	"answer":              "Antwort",
	"question":            "Frage",
	"mail":                "E-Mail",
	"subject":             "Betreff",
	"recipient":           "Empfänger",
	"attempts":            "Versuche",
	"u":                   "Person",
	"previous_state":      "Stand vorher",
	"changes":             "Geänderte Abschnitte",
	// Settings of a Kreis (tenant.settings_changed).
	"authority":         "Ausschreibende Behörde",
	"address":           "Anschrift",
	"contact_email":     "E-Mail-Adresse für Rückfragen",
	"legal_remedy_text": "Rechtsbehelfsbelehrung",
	"letterhead":        "Briefkopf",
	"signing_office":    "Unterzeichnende Stelle",
	"phone":             "Telefon für Rückfragen",
	"court":             "Zuständiges Verwaltungsgericht",
	"court_address":     "Anschrift des Gerichts",
	"reasons":           "Begründungen",
	"t":                 "Zeit",
	// Single sign-on of Kreis staff (sso.settings_changed, auth.sso_*).
	"issuer":       "Anmeldedienst (Issuer)",
	"client_id":    "Client-ID",
	"email_domain": "E-Mail-Domain der Beschäftigten",
	"sso_only":     "Nur Anmeldung über die Kreisverwaltung",
	// Council information (council.*, rules.md R32, R33).
	"faction":          "Fraktion oder Gruppe",
	"faction_kind":     "Art (Fraktion oder Gruppe)",
	"stage":            "Berichteter Stand",
	"distribution":     "Verteilung",
	"members":          "Mitglieder des Kreistags",
	"oparl_system_url": "Ratsinformationssystem (OParl)",
	"oparl_url":        "Adresse im Ratsinformationssystem",
	// The Beteiligung (rules.md R31).
	"starts_at":  "Beginn der Beteiligung",
	"ends_at":    "Ende der Beteiligung",
	"section":    "Abschnitt des Entwurfs",
	"statements": "Stellungnahmen",
	"mails":      "E-Mails",

	// Forwarding (rules.md R35–R37).
	"form":                "Form der Weiterleitung",
	"declared_by":         "Erklärt von",
	"post":                "Stelle",
	"state":               "Stand",
	"start":               "Dienstbeginn",
	"vacant_since":        "Unbesetzt seit",
	"period":              "Zeitraum",
	"amount":              "Betrag",
	"granted":             "Vertraglich gewährt für den Zeitraum",
	"justified":           "Durch besetzte Stellen gedeckt",
	"forwarding_form":     "Form der Weiterleitung",
	"vacancy_flag_months": "Unbesetzte Stelle hervorheben nach (Monaten)",
	"year":                "Förderjahr",
	"used":                "Verwendete Mittel laut Nachweis",
	"received":            "Erhaltene Mittel laut Nachweis",
	"repayment":           "Zurückzufordern",
}

// valueLabels name the coded values of some detail keys in German: the states of a
// procedure, the kinds of tie (rules.TieKinds), the outcome of an objection and the
// deciding body. Keys not listed keep their values.
var valueLabels = map[string]map[string]string{
	"previous_state": {"draft": "Entwurf", "published": "veröffentlicht", "closed": "Frist abgelaufen", "opened": "geöffnet",
		"decided": "entschieden", "notified": "mitgeteilt", "awarded": "vergeben", "cancelled": "aufgehoben"},
	"tie": {"none": "keine Verbindung", "employment": "Beschäftigung", "board": "Vorstand oder Aufsichtsgremium",
		"membership": "Mitgliedschaft mit Funktion", "family": "familiäre oder persönliche Beziehung", "other": "sonstige Verbindung"},
	"outcome": {"rejected": "zurückgewiesen", "upheld": "abgeholfen", "remedied": "abgeholfen"},
	"to_step": {"formal_check": "Formale Prüfung", "scoring": "Bewertung", "consolidation": "Konsolidierung", "decision": "Entscheidung"},
	"body":    {"kreistag": "Kreistag", "ausschuss": "Ausschuss", "verwaltung": "Verwaltung"},
	"source":  {"kim_template": "Vorlage KIM-Case-Management", "copy": "Kopie eines Verfahrens"},
	// The kinds of issued documents (vault.DocKind).
	"kind": {"bekanntmachung": "Bekanntmachung", "eingangsbestaetigung": "Eingangsbestätigung", "oeffnungsprotokoll": "Öffnungsprotokoll",
		"bewertungsmatrix": "Bewertungsmatrix", "vergabevermerk": "Vergabevermerk", "mitteilung": "Mitteilung", "nachforderung": "Nachforderung",
		"vergabedokumentation": "Vergabedokumentation"},
}

// itemPrefixes name the keys of lots, criteria, requirements and documents of a call.
var itemPrefixes = map[byte]string{'L': "Los", 'K': "Kriterium", 'E': "Voraussetzung", 'U': "Unterlage"}

// itemLabel names a key like "L1" (Los 1), "K2" (Kriterium 2), "E1" or "U3"; ok is false
// for other keys.
func itemLabel(key string) (string, bool) {
	if len(key) < 2 || strings.Trim(key[1:], "0123456789") != "" {
		return "", false
	}
	p, ok := itemPrefixes[key[0]]
	if !ok {
		return "", false
	}
	return p + " " + key[1:], true
}

// DetailLabel returns the German label of one part of a detail key, and whether it is known.
func DetailLabel(key string) (string, bool) {
	if l, ok := detailLabels[key]; ok {
		return l, true
	}
	if l, ok := itemLabel(key); ok {
		return l, true
	}
	if strings.HasPrefix(key, "decl_") || strings.HasPrefix(key, "answer_") {
		return "Angabe", true
	}
	return "", false
}

// detailLabel names a detail key for display; an unknown key (which the tests rule out
// for what the code writes) is shown as "Angabe" rather than raw.
func detailLabel(key string) string {
	if l, ok := DetailLabel(key); ok {
		return l
	}
	return "Angabe"
}

// HasActionLabel reports whether the catalogue names action.
func HasActionLabel(action string) bool {
	_, ok := auditActionLabels[action]
	return ok
}
