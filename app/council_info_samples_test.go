package app

import (
	"kimibv/models/council"
	"kimibv/models/rules"
	"kimibv/templates"
)

// Render samples of the council information pages (added to pageSamples).
func init() {
	pageSamples["council_info"] = func() *templates.Page {
		return withFormError(sample("Sachstand", sampleCouncilInfo(false)), "question", "Bitte geben Sie Ihre Frage an.")
	}
	pageSamples["lead_council"] = func() *templates.Page {
		return withFormError(sample("Kreistag informieren", sampleCouncilInfo(true)), "answer_4", "Bitte geben Sie die Antwort an.")
	}
	pageSamples["kreis_kreistag"] = func() *templates.Page {
		return withFormError(sample("Kreistag: Fraktionen und Mitglieder", councilAdminData{Tenant: sampleTenant(),
			Factions: []council.Faction{{ID: 1, Name: "Fraktion Bündnis Musterland", Kind: "fraktion"}, {ID: 2, Name: "Gruppe Unabhängige", Kind: "gruppe"}},
			Members: []council.Member{{UserID: 9, Name: "Karl Kreistag", Email: "kreistag@musterland.example", FactionID: 1, FactionName: "Fraktion Bündnis Musterland"},
				{UserID: 10, Name: "Rita Rat", Email: "rat@musterland.example"}}}), "name", "Bitte geben Sie den Namen an.")
	}
}

func sampleCouncilInfo(lead bool) councilInfoPage {
	read := sampleNow
	dist := func(id int64, mine bool) council.Distribution {
		d := council.Distribution{ID: id, ContentSHA256: "3f2a0c9d5b7e41a8c6d0e9f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5", At: sampleNow, Mine: mine,
			Receipts: []council.Receipt{{DistributionID: id, UserID: 9, Name: "Karl Kreistag", FactionName: "Fraktion Bündnis Musterland", ReceivedAt: sampleNow, ReadAt: &read},
				{DistributionID: id, UserID: 10, Name: "Rita Rat", ReceivedAt: sampleNow}}}
		if mine {
			d.MyReadAt = &read
		}
		return d
	}
	return councilInfoPage{Base: "/kreistag/musterland/verfahren/3/sachstand", Back: "/kreistag/musterland",
		Stages: [][2]string{{rules.StageCallPublished, rules.CouncilStageLabel(rules.StageCallPublished)}},
		I: &council.Info{CallID: 3, Resolution: &council.Resolution{URL: "https://ratsinfo.example.de/oparl/paper/1", PaperReference: "KT/0042/2026",
			PaperName: "Auswahl der Träger", PaperDate: "2026-03-04", MeetingName: "12. Sitzung des Kreistags", MeetingStart: "2026-03-12T17:00:00+01:00",
			AgendaNumber: "7.2", AgendaName: "KIM", Result: "Beschlossen", ResolutionText: "Der Kreistag beschließt …", WebURL: "https://ratsinfo.example.de/vo0050.asp"}, Ref: "KIM-2026-03", Title: "KIM-Fallmanagement 2026", State: rules.CallDecided, Lead: lead, Members: 2, Factions: 1,
			Reports: []council.Report{{ID: 1, Stage: rules.StageCallPublished, Title: "Die Ausschreibung ist veröffentlicht", Body: "Die Frist endet am 31. März.",
				DocumentID: 5, PublishedAt: sampleNow, Dist: dist(1, true)},
				{ID: 2, Stage: rules.StageCallPublished, Title: "Zweiter Bericht", Body: "Noch nicht geöffnet.", PublishedAt: sampleNow, Dist: dist(2, false)}},
			Answers: []council.Answer{{ID: 3, Question: "Wie viele Stellen sind vorgesehen?", FactionName: "Fraktion Bündnis Musterland", AskedAt: sampleNow,
				Answer: "Sieben Stellen.", AnsweredAt: &read, Dist: dist(3, true)}},
			Open: []council.Answer{{ID: 4, Question: "Wann entscheidet der Kreistag?", AskedAt: sampleNow}}}}
}
