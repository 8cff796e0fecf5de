package app

import (
	"time"

	"kimibv/models/consultation"
	"kimibv/models/rules"
)

// Render samples of the Beteiligung's pages (used by pageSamples).

// sampleConsultationView is a running Beteiligung with one answered and one open statement.
func sampleConsultationView() *consultation.View {
	cv := sampleCallView(true)
	revised := sampleNow.Add(-time.Hour)
	return &consultation.View{
		Header: consultation.Header{ID: 1, CallID: 1, TenantID: 1, StartsAt: sampleNow.AddDate(0, 0, -3), EndsAt: sampleNow.AddDate(0, 0, 11),
			ContentSHA256: "ab12", Ref: "musterland-2026-01", Title: cv.Content.Title, State: rules.CallDraft, Kreis: "Kreis Musterland"},
		Content: cv.Content, Sections: rules.ConsultationSections(&cv.Content),
		Invited: []consultation.Invitee{{ID: 3, Name: "Arbeiterwohlfahrt Kreisverband Musterland e. V."}, {ID: 4, Name: "Caritasverband"}},
		Statements: []consultation.Statement{
			{ID: 1, OrgID: 3, OrgName: "Arbeiterwohlfahrt Kreisverband Musterland e. V.", Section: "kriterium:k3", SectionLabel: "Kriterium K3: Vernetzung",
				Body: "K3 sollte stärker gewichtet werden. <script>alert(1)</script>", ReceivedAt: sampleNow.AddDate(0, 0, -2), RevisedAt: &revised,
				Outcome: rules.OutcomeAdopted, Response: "Die Gewichtung steigt auf 25 Punkte.", RespondedAt: &revised},
			{ID: 2, OrgID: 4, OrgName: "Caritasverband", Section: "zeitplan", SectionLabel: "Zeitplan", Body: "Sechs Wochen Frist.", ReceivedAt: sampleNow},
		},
		Unanswered: 1,
	}
}

// sampleConsultationPage is the public page as an invited organisation sees it.
func sampleConsultationPage() *consultationPage {
	v := sampleConsultationView()
	d := &consultationPage{V: v, Href: "/beteiligungen/1", Running: true, Own: []consultation.Invitee{v.Invited[0]}}
	d.Body = sampleCallPage(false)
	return d
}

// sampleLeadConsultation is the lead's page of the running Beteiligung.
func sampleLeadConsultation() *leadConsultationPage {
	return &leadConsultationPage{Call: sampleHeader(false), Base: "/verwaltung/musterland/verfahren/1", V: sampleConsultationView(), Running: true}
}
