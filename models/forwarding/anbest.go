package forwarding

// ANBestPSummary is the annex of every forwarding: a short German summary of the general
// funding conditions ANBest-P, stated as a summary (docs/anbest-p-zusammenfassung.md holds
// the same text). The binding text is the Land's published ANBest-P.
func ANBestPSummary() (intro string, points []string) {
	return "Anlage: Allgemeine Nebenbestimmungen für Zuwendungen zur Projektförderung (ANBest-P) – Zusammenfassung. " +
			"Diese Anlage fasst die wichtigsten Pflichten kurz zusammen; sie ersetzt nicht den Wortlaut. Verbindlich sind die ANBest-P " +
			"in der vom Land veröffentlichten Fassung, die Bestandteil dieses Vertrags sind.",
		[]string{
			"Nr. 1 – Verwendung: Die Mittel sind wirtschaftlich und sparsam und nur für den Zweck dieses Vertrags (Stellen im Kommunalen Integrationsmanagement) zu verwenden.",
			"Nr. 1.4 – Abruf: Mittel dürfen nur so weit abgerufen werden, wie sie innerhalb von zwei Monaten nach der Auszahlung für fällige Zahlungen benötigt werden.",
			"Nr. 2 – Nachträgliche Ermäßigung: Verringern sich die Ausgaben oder erhöhen sich die Deckungsmittel, ermäßigt sich die Zuwendung entsprechend.",
			"Nr. 5 – Mitteilungspflichten: Sie teilen uns unverzüglich mit, wenn sich der Zweck, die Finanzierung oder die Besetzung der Stellen wesentlich ändert oder eine Stelle länger unbesetzt bleibt.",
			"Nr. 6 – Verwendungsnachweis: Für jedes Förderjahr ist innerhalb von sechs Monaten nach seinem Ende ein Verwendungsnachweis vorzulegen (Sachbericht und zahlenmäßiger Nachweis).",
			"Nr. 7 – Prüfung: Der Kreis und das Land dürfen Bücher, Belege und sonstige Unterlagen prüfen; die Unterlagen sind fünf Jahre aufzubewahren.",
			"Nr. 8 – Erstattung: Nicht verwendete oder zweckwidrig verwendete Mittel sind zu erstatten und nach § 49a VwVfG zu verzinsen.",
		}
}
