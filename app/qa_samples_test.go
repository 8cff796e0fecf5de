package app

// Render samples for the pages of questions, Postfach, amendments and cancellation.

import (
	"net/url"
	"time"

	"kimibv/models/accounts"
	"kimibv/models/calls"
	"kimibv/models/postbox"
	"kimibv/models/rules"
)

// sampleHeader is a published call of Kreis Musterland; cancelled adds the Aufhebung.
func sampleHeader(cancelled bool) *calls.CallHeader {
	dl, qu, pub := sampleNow.AddDate(0, 0, 30), sampleNow.AddDate(0, 0, 23), sampleNow.AddDate(0, 0, -5)
	h := &calls.CallHeader{ID: 1, TenantID: 1, TenantSlug: "musterland", TenantName: "Kreis Musterland", Ref: "musterland-2026-01",
		State: rules.CallPublished, CurrentVersion: 2, Title: "IBV KIM-Case-Management 2026–2028", Deadline: &dl, QuestionsUntil: &qu, PublishedAt: &pub}
	if cancelled {
		h.State, h.CancelledAt, h.CancelReason = rules.CallCancelled, &sampleNow, "Die Landesmittel wurden nicht bewilligt."
	}
	return h
}

// sampleVersions are two versions: the first publication and a material amendment.
func sampleVersions() []calls.VersionEntry {
	return []calls.VersionEntry{
		{Version: 1, Deadline: sampleNow.AddDate(0, 0, 23), ContentSHA256: "ab12", PublishedAt: sampleNow.AddDate(0, 0, -5)},
		{Version: 2, Reason: "Frist verlängert, Kriterium 2 präzisiert", Material: true, Deadline: sampleNow.AddDate(0, 0, 30), ContentSHA256: "cd34", PublishedAt: sampleNow},
		{Version: 3, Reason: "Telefonnummer", Deadline: sampleNow.AddDate(0, 0, 30), ContentSHA256: "ef56", PublishedAt: sampleNow},
	}
}

// sampleQAPage is the public questions page of a provider user with two organisations.
func sampleQAPage() callQAPage {
	seq := 1
	pubQ, ans := "Ist eine Bewerbung für einen Teil eines Loses möglich?", "Ja, mindestens 1,0 VZÄ je Standort."
	aid := int64(5)
	x := &calls.CallExtras{Call: sampleHeader(false), Versions: sampleVersions(), CanAsk: true,
		QA: []calls.PublicQA{{ID: 5, Seq: 1, Question: pubQ, Answer: ans + "\n\n<b>kein HTML</b>", AnsweredAt: sampleNow}},
		Own: []calls.AskedQuestion{
			{ID: 1, OrgID: 3, OrgName: "Brückenschlag e. V.", Body: "Dürfen wir Teile beantragen?", AskedAt: sampleNow, AnswerID: &aid, AnswerSeq: &seq, Published: &pubQ, Answer: &ans},
			{ID: 2, OrgID: 3, OrgName: "Brückenschlag e. V.", Body: "Noch offen?", AskedAt: sampleNow},
		},
		Orgs:      []calls.OrgChoice{{ID: 3, Name: "Brückenschlag e. V."}, {ID: 4, Name: "Zweiter Träger e. V."}, {ID: 5, Name: "Dritter Träger e. V."}},
		Following: map[int64]bool{3: true}}
	return callQAPage{Extras: x, Href: "/ausschreibungen/musterland-2026-01"}
}

// sampleVersionsPage is the version history.
func sampleVersionsPage() versionsPage {
	return versionsPage{Call: sampleHeader(false), Href: "/ausschreibungen/musterland-2026-01", Versions: sampleVersions()}
}

// sampleChanges are changes of every kind.
func sampleChanges() []rules.Change {
	return []rules.Change{
		{Section: "Zeitplan", Label: "Abgabefrist", Kind: rules.Changed, Old: "15.01.2027 12:00 Uhr", New: "29.01.2027 12:00 Uhr"},
		{Section: "Bewertungskriterien", Item: "Kriterium K2 „Unabhängigkeit und…“", Label: "Gewichtung", Kind: rules.Changed, Old: "20", New: "25"},
		{Section: "Bewertungskriterien", Item: "Kriterium K7 „Neu“", Kind: rules.Added, New: "Neu, Gewichtung 5"},
		{Section: "Lose", Item: "Los L3 „Süd“", Kind: rules.Removed, Old: "Süd (Südhausen), 1,00 VZÄ"},
		{Section: "Allgemeines", Label: "Leistungsbeschreibung", Kind: rules.TextChg, RemovedParas: []string{"Alt."}, AddedParas: []string{"Neu.", "Auch neu."}},
	}
}

// sampleDiffPage compares versions 1 and 2 of a cancelled call.
func sampleDiffPage() versionsPage {
	vs := sampleVersions()
	ch := sampleChanges()
	return versionsPage{Call: sampleHeader(true), Href: "/ausschreibungen/musterland-2026-01",
		Diff: &calls.VersionDiff{From: vs[0], To: vs[1], Changes: ch}, Sections: groupChanges(ch)}
}

// samplePostfach has a read and an unread message.
func samplePostfach(open bool) postfachPage {
	cid := int64(1)
	read := sampleNow
	msgs := []postbox.InboxMessage{
		{ID: 2, OrgID: 3, CallID: &cid, Kind: postbox.InboxAmendment, Subject: "Änderungsbekanntmachung: IBV KIM", Body: "Fassung 2\n\nBegründung: …", CreatedAt: sampleNow, CallRef: "musterland-2026-01", CallTitle: "IBV KIM"},
		{ID: 1, OrgID: 3, CallID: &cid, Kind: postbox.InboxOwnAnswered, Subject: "Ihre Frage wurde beantwortet", Body: "Antwort", ReadAt: &read, CreatedAt: sampleNow.Add(-time.Hour), CallRef: "musterland-2026-01"},
	}
	p := postfachPage{Org: &accounts.Organization{ID: 3, Name: "Brückenschlag e. V."}, Messages: msgs, Unread: 1}
	if open {
		p.Messages, p.Message = nil, &msgs[0]
	}
	return p
}

// sampleLeadQuestions is the lead's list with one open and one answered question.
func sampleLeadQuestions(one bool) leadQuestionsPage {
	seq, aid := 1, int64(5)
	qs := []calls.AskedQuestion{
		{ID: 7, CallID: 1, OrgID: 3, OrgName: "Brückenschlag e. V.", AskedByName: "Murat Brückner", Body: "Gilt die Frist auch für Nachreichungen?", AskedAt: sampleNow},
		{ID: 8, CallID: 1, OrgID: 4, OrgName: "Caritas", AskedByName: "Clemens Caritas", Body: "Gilt die Frist auch für Nachweise?", AskedAt: sampleNow},
		{ID: 6, CallID: 1, OrgID: 4, OrgName: "Caritas", AskedByName: "Clemens Caritas", Body: "Teile eines Loses?", AskedAt: sampleNow, AnswerID: &aid, AnswerSeq: &seq},
	}
	d := leadQuestionsPage{Call: sampleHeader(false), Base: "/verwaltung/musterland/verfahren/1", Questions: qs,
		Answers: []calls.PublicQA{{ID: 5, Seq: 1, Question: "Ist eine Teilbewerbung möglich?", Answer: "Ja.", AnsweredAt: sampleNow}}}
	if one {
		d.Question, d.Others = &qs[0], []calls.AskedQuestion{qs[1]}
	}
	return d
}

// sampleAmendPage is the amendment form with the KIM template's content.
func sampleAmendPage() amendPage {
	return amendPage{Call: sampleHeader(false), Base: "/verwaltung/musterland/verfahren/1", Href: "/ausschreibungen/musterland-2026-01",
		Rows: callRows{Lots: 4, Eligibility: 7, Docs: 9, Criteria: 7, Scale: 6}, MinLeftDays: 10}
}

// sampleAmendValues is a submitted amendment form.
func sampleAmendValues() url.Values {
	c := calls.KIMTemplate(&accounts.Tenant{Name: "Kreis Musterland", ContactEmail: "ki@musterland.example"}, sampleNow)
	v := formFromInput(rules.DraftInputFrom(c, rules.Committee{}))
	v.Set("reason", "Frist verlängert")
	v.Set("version", "2")
	return v
}

// sampleAmendConfirm is the confirmation step of a material amendment.
func sampleAmendConfirm() amendPage {
	d := sampleAmendPage()
	c := calls.KIMTemplate(&accounts.Tenant{Name: "Kreis Musterland", ContactEmail: "ki@musterland.example"}, sampleNow)
	d.Preview = &calls.AmendmentPreview{Version: 3, Prev: c, Next: c, Changes: sampleChanges(), Material: true, Sections: []string{"die Bewertungskriterien", "die Lose"}}
	d.Values = sampleAmendValues()
	return d
}
