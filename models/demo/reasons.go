package demo

import (
	"fmt"

	"github.com/shopspring/decimal"

	"kimibv/models/rules"
)

// demoFindings is what the demo committee found in each admitted demo bid per criterion
// of the call template (K1 … K6): the substance of the evaluators' reasons and of the
// lead's consolidated reasons, so that the demo notices read like real ones. The texts
// fit the demo scores of scoreDemoCall.
var demoFindings = map[string]map[string]string{
	"awo": {
		"K1": "Fallaufnahme, Hilfeplanung und Fallabschluss sind als Ablauf mit Zuständigkeiten beschrieben; die Schnittstelle zum Kommunalen Integrationszentrum ist benannt. Wie die Ziele im Hilfeplan überprüft werden, bleibt allgemein.",
		"K2": "Die Beratung ist organisatorisch von der Migrationsberatung des Trägers getrennt; eine unabhängige Beschwerdestelle mit Antwortfrist ist verbindlich beschrieben. Offen bleibt, wie Vermittlungen in eigene Angebote des Trägers dokumentiert werden.",
		"K3": "Die Mitarbeit in den Netzwerken des Kreises wird zugesagt, ohne Partner, Gremien oder Absprachen mit bestehenden Beratungsstellen zu nennen. Wie Doppelstrukturen vermieden werden, ist nicht dargelegt.",
		"K4": "Feste Sprechzeiten in allen Städten des Loses, aufsuchende Termine in den Gemeinschaftsunterkünften und Beratung in fünf Sprachen sind mit Orten und Zeiten belegt.",
		"K5": "Zwei sozialpädagogische Fachkräfte sind vorgesehen; Einarbeitung und kollegiale Fallberatung sind beschrieben, eine externe Supervision ist nicht eingeplant.",
		"K6": "Fallzahlen und Wirkungsziele werden halbjährlich berichtet; die Auswertung von Rückmeldungen der Ratsuchenden ist beschrieben, die Kennzahlen sind aber noch nicht festgelegt.",
	},
	"caritas": {
		"K1": "Das Konzept setzt den Regelkreis des Case Managements vollständig um: Fallaufnahme mit Einverständnis, Hilfeplan mit überprüfbaren Zielen, Fallkonferenzen mit den Rechtskreisen und ein geregelter Fallabschluss sind mit Beispielen belegt.",
		"K2": "Die Stellen sind dem Fachdienst Migration zugeordnet, der auch in eigene Angebote vermittelt; eine Trennung von Beratung und Vermittlung ist nicht beschrieben, eine Beschwerdestelle außerhalb des Fachdienstes fehlt.",
		"K3": "Kooperationsvereinbarungen mit Jobcenter und Ausländerbehörde liegen vor, die Abgrenzung zur Migrationsberatung für Erwachsene ist geregelt; die Einbindung kleinerer Migrantenorganisationen ist nur angekündigt.",
		"K4": "Beratung an zwei Standorten mit Abendsprechstunde und Termine in den Unterkünften auf Anfrage; die ländlichen Gemeinden des Loses werden nur vierzehntäglich erreicht.",
		"K5": "Die vorgesehenen Fachkräfte sind benannt und einschlägig qualifiziert; Fortbildung und Supervision sind im Budget vorgesehen, eine Vertretungsregelung fehlt.",
		"K6": "Berichte sind zugesagt, aber weder Inhalte noch Termine oder Kennzahlen beschrieben; ein Verfahren für Rückmeldungen der Ratsuchenden fehlt.",
	},
	"diakonie": {
		"K1": "Fallaufnahme und Hilfeplanung sind nur in Stichworten dargestellt; überprüfbare Ziele, Fallkonferenzen und der Fallabschluss sind nicht beschrieben.",
		"K2": "Die Stellen sind unmittelbar der Geschäftsführung unterstellt und von den eigenen Angeboten getrennt; der Beschwerdeweg ist beschrieben, eine Frist für die Antwort fehlt.",
		"K3": "Die Mitarbeit im Netzwerk Integration des Kreises und eine Absprache mit der Migrationsberatung zur Übergabe von Fällen sind konkret beschrieben; weitere Partner werden genannt.",
		"K4": "Beratung nur am Hauptsitz zu Bürozeiten; aufsuchende Arbeit wird erwähnt, aber ohne Orte, Zeiten oder Sprachen.",
		"K5": "Eine Stelle ist besetzt, die zweite soll noch ausgeschrieben werden; Qualifikation und fachliche Begleitung sind nur allgemein genannt.",
		"K6": "Halbjährliche Berichte mit festgelegten Kennzahlen (Fallzahlen, erreichte Ziele, Abbrüche) und eine jährliche Befragung der Ratsuchenden sind beschrieben.",
	},
}

// demoFinding returns the finding for a demo bid and criterion, with a plain fallback
// for criteria the call template does not have.
func demoFinding(bidder string, cr rules.Criterion) string {
	if f, ok := demoFindings[bidder][cr.Key]; ok {
		return f
	}
	return fmt.Sprintf("Zum Kriterium „%s“ sind Ziele, Maßnahmen und Zuständigkeiten beschrieben; der Zeitplan bleibt allgemein.", cr.Name)
}

// demoSheetReason is an evaluator's reason: the finding and the stage; stricter marks the
// member who weighs the gaps more heavily (one stage lower).
func demoSheetReason(bidder string, cr rules.Criterion, c *rules.CallContent, score int, stricter bool) string {
	r := demoFinding(bidder, cr)
	if stricter {
		r += " Die offenen Punkte wiegen für dieses Kriterium schwer."
	}
	return r + fmt.Sprintf(" Das entspricht Stufe %d der Skala („%s“).", score, c.ScaleLabel(score))
}

// demoLeadReason is the lead's consolidated reason that the notice states: the finding
// and, where the lead sets a score above the mean, why.
func demoLeadReason(bidder string, cr rules.Criterion, mean, score decimal.Decimal) string {
	r := demoFinding(bidder, cr)
	if rules.NeedsReason(score, mean) {
		r += fmt.Sprintf(" Abweichend vom Mittelwert %s der Mitglieder wird Stufe %s festgelegt: In der Sitzung des Gremiums wurde bestätigt, "+
			"dass die Beschwerdestelle mit eigener Antwortfrist verbindlich geregelt ist; die offene Dokumentation der Vermittlungen wiegt das nicht auf.",
			rules.FormatScore(mean), rules.FormatScore(score))
	}
	return r
}
