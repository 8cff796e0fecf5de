package calls

import (
	"time"

	"github.com/shopspring/decimal"

	"kimibv/models/accounts"
	"kimibv/models/core"
	"kimibv/models/rules"
)

// KIMTemplate returns the standard KIM call, the one of the demonstration, for the Kreis t: six criteria
// (concept, independence, double structures, access, staff, quality), scale 0–4, three
// lots, 57.000 € per VZÄ plus 5.000 € from the Kreis, exclusion when any criterion scores 0
// (minimum score 1 each) or the total is below 50 points. The timeline is proposed from
// now: questions for 3 weeks, submissions for 4 weeks (12:00 Uhr), opening the next
// working morning, decision six weeks later, standstill 14 days.
func KIMTemplate(t *accounts.Tenant, now time.Time) rules.CallContent {
	one := 1
	minScore := func() *int { m := one; return &m }
	year := now.In(core.Berlin()).Year()
	c := rules.CallContent{
		Title:   "Interessenbekundungsverfahren zur Weiterleitung von Landesmitteln für das KIM-Case-Management (Baustein 2), Förderzeitraum 01.09.2026–31.12.2028",
		FileRef: "KI-IBV-" + time.Date(year, 1, 1, 0, 0, 0, 0, core.Berlin()).Format("2006") + "-01",
		Authority: func() string {
			if t != nil && t.Authority != "" {
				return t.Authority
			}
			if t != nil {
				return t.Name
			}
			return ""
		}(),
		LegalBasis: "Weiterleitung von Zuwendungen nach Nr. 12 der Verwaltungsvorschriften zu § 44 Landeshaushaltsordnung NRW (VV zu § 44 LHO) " +
			"in Verbindung mit der Förderrichtlinie „Kommunales Integrationsmanagement“ des Landes Nordrhein-Westfalen. " +
			"Das Verfahren ist kein Vergabeverfahren nach dem Vergaberecht; es dient der transparenten und gleichbehandelnden Auswahl.",
		FundingSource: "Landesmittel des Landes Nordrhein-Westfalen, Kommunales Integrationsmanagement, Baustein 2 (rechtskreisübergreifendes Case Management), " +
			"ergänzt um einen Zuschuss des Kreises.",
		Description:   kimDescription,
		FundingPeriod: rules.Period{From: "2026-09-01", To: "2028-12-31"},
		FundingPerFTE: decimal.NewFromInt(57000),
		KreisTopUp:    decimal.NewFromInt(5000),
		Lots: []rules.Lot{
			{Key: "L1", Name: "Nord", Region: "Nordheim, Nordstadt und Waldbach", FTE: decimal.NewFromInt(2), MinFTEPerSite: decimal.NewFromInt(1)},
			{Key: "L2", Name: "Mitte", Region: "Musterstadt", FTE: decimal.NewFromInt(1), MinFTEPerSite: decimal.NewFromInt(1)},
			{Key: "L3", Name: "Süd", Region: "Südhausen und Talheim", FTE: decimal.NewFromInt(1), MinFTEPerSite: decimal.NewFromInt(1)},
		},
		Eligibility: []string{
			"Anerkannter Träger der freien Wohlfahrtspflege oder gemeinnützige Migrantenorganisation (Freistellungsbescheid des Finanzamts)",
			"Erfahrung in der Beratung und Begleitung von Menschen mit Einwanderungsgeschichte",
			"Bereitschaft zur Mitarbeit in den KIM-Steuerungsstrukturen des Kreises",
			"Eigenerklärung: kein Insolvenzverfahren beantragt oder eröffnet",
			"Eigenerklärung zum Datenschutz (Verarbeitung personenbezogener Daten nach DSGVO)",
			"Eigenerklärung: Anerkennung der Allgemeinen Nebenbestimmungen für Zuwendungen zur Projektförderung (ANBest-P)",
		},
		RequiredDocs: []rules.RequiredDoc{
			{Key: "U1", Name: "Konzept", Mandatory: true, Note: "höchstens 12 Seiten, gegliedert nach den Bewertungskriterien"},
			{Key: "U2", Name: "Aktueller Freistellungsbescheid", Mandatory: true, Note: "nicht älter als drei Jahre"},
			{Key: "U3", Name: "Satzung", Mandatory: true},
			{Key: "U4", Name: "Auszug aus dem Vereins- oder Handelsregister", Mandatory: true, Note: "nicht älter als sechs Monate"},
			{Key: "U5", Name: "Nachweis der Vertretungsberechtigung der unterzeichnenden Person", Mandatory: true},
			{Key: "U6", Name: "Personal- und Finanzierungsplan", Mandatory: true},
			{Key: "U7", Name: "Eigenerklärungen (keine Insolvenz, Datenschutz, Anerkennung der ANBest-P)", Mandatory: true},
			{Key: "U8", Name: "Erklärung zu Verbindungen zu Beschäftigten des Kreises oder Mitgliedern des Kreistags", Mandatory: true},
		},
		Criteria: []rules.Criterion{
			{Key: "K1", Name: "Case-Management-Konzept im KIM-Rahmen", Weight: 25, MinScore: minScore(),
				Description: "Fallaufnahme, Hilfeplanung, Fallsteuerung und Abschluss; Einbindung in das rechtskreisübergreifende KIM-Konzept des Kreises."},
			{Key: "K2", Name: "Unabhängigkeit und Rollenklarheit", Weight: 20, MinScore: minScore(),
				Description: "Fallbeurteilung getrennt von ordnungsrechtlichen Aufgaben, Beschwerdeweg, anwaltschaftliche Funktion für die Ratsuchenden."},
			{Key: "K3", Name: "Vernetzung und Vermeidung von Doppelstrukturen", Weight: 20, MinScore: minScore(),
				Description: "Verweiswege und Zusammenarbeit mit MBE, JMD, Integrationsagentur, Jobcenter und Kommunalem Integrationszentrum."},
			{Key: "K4", Name: "Zugang und Präsenz vor Ort", Weight: 15, MinScore: minScore(),
				Description: "Erreichbarkeit, Sprachen, aufsuchende Arbeit."},
			{Key: "K5", Name: "Personal und fachliche Begleitung", Weight: 10, MinScore: minScore(),
				Description: "Qualifikation, Supervision, Besetzung der Stellen binnen drei Monaten."},
			{Key: "K6", Name: "Qualitätssicherung und Berichtswesen", Weight: 10, MinScore: minScore(),
				Description: "Dokumentation, Kennzahlen, Mitwirkung am Berichtswesen des Landes und des Kreises."},
		},
		Scale: []rules.ScaleLevel{
			{Value: 0, Label: "nicht dargestellt"}, {Value: 1, Label: "unzureichend"}, {Value: 2, Label: "erfüllt die Anforderungen"}, {Value: 3, Label: "gut"}, {Value: 4, Label: "sehr gut mit konkreten Maßnahmen"},
		},
		MinTotalPoints: decimal.NewFromInt(50),
		TieBreak:       []string{"K1", "K2", "K3", "K4", "K5", "K6"},
		AnswerMaxChars: 6000,
		Timeline:       proposedTimeline(now),
	}
	if t != nil {
		c.Contact = rules.Contact{Name: "Kommunales Integrationszentrum", Email: t.ContactEmail}
	}
	return c
}

// proposedTimeline suggests dates from now at noon (never in a DST gap).
func proposedTimeline(now time.Time) rules.Timeline {
	day := func(days, hour int) time.Time {
		l := now.In(core.Berlin())
		return time.Date(l.Year(), l.Month(), l.Day()+days, hour, 0, 0, 0, core.Berlin()).UTC()
	}
	return rules.Timeline{
		QuestionsUntil:  day(21, 12),
		Deadline:        day(28, 12),
		PlannedOpening:  day(29, 10),
		PlannedDecision: day(70, 10),
		StandstillDays:  14,
	}
}

const kimDescription = `## Gegenstand

Der Kreis leitet Landesmittel des Kommunalen Integrationsmanagements (KIM), Baustein 2, an Träger der freien Wohlfahrtspflege weiter. Gefördert wird **rechtskreisübergreifendes Case Management** für Menschen mit Einwanderungsgeschichte.

## Aufgaben

- Fallaufnahme, Clearing und Hilfeplanung gemeinsam mit den Ratsuchenden
- Koordination der beteiligten Stellen über Rechtskreise hinweg (SGB II, SGB III, SGB VIII, AsylbLG, Aufenthaltsrecht)
- Begleitung bis zur Erreichung der vereinbarten Ziele und Abschluss des Falls
- Mitarbeit in den Fallkonferenzen und Steuerungsgremien des Kreises

## Rahmenbedingungen

Die Stellen werden in drei Losen vergeben. Ein Träger kann sich für ein oder mehrere Lose und auch für einen Teil eines Loses bewerben; je Standort sind mindestens 1,0 Vollzeitstellen vorzusehen.`
