package browsertest

import (
	"strings"
	"testing"
	"time"

	"kimibv/models/demo"
)

// TestLeadPublishesACallAnswersAQuestionAndAmendsIt: the lead builds a call from the
// KIM template, previews and publishes it; a provider asks a question on the public page;
// the lead answers it and publishes an amendment that extends the deadline by a week; the
// anonymous public page then shows the answer (without the asker) and the version history
// with a readable diff. Every page reached is audited with axe-core; the Bekanntmachung PDF
// is fetched over plain HTTP.
func TestLeadPublishesACallAnswersAQuestionAndAmendsIt(t *testing.T) {
	t.Parallel()
	tl, base, browser, pages, _ := startJourneys(t, "call lifecycle")
	now := time.Now()
	title := "KIM-Case-Management im Kreis Musterland – Browsertest " + now.Format("150405")
	question := "Dürfen sich zwei Träger gemeinsam für ein Los bewerben (Browsertest)?"
	rephrased := "Ist eine gemeinsame Interessenbekundung zweier Träger für ein Los zulässig?"
	answer := "Ja, als Arbeitsgemeinschaft mit einer federführenden Organisation (Browsertest-Antwort)."
	reason := "Verlängerung der Frist um eine Woche wegen der Feiertage (Browsertest)."
	deadline, extended := formDateTime(now, 30, 12), formDateTime(now, 37, 12)

	// The lead starts a draft from the KIM template.
	lead := newJourney(t, browser, "Leitung", base, tl.axeJS, pages)
	loginThroughForm(t, lead.tab, base, "leitung@musterland.example", demo.Password, time.Now)
	lead.audit()
	lead.open("/verwaltung/musterland/verfahren")
	lead.fill(map[string]string{"f-quelle": "vorlage"})
	lead.submit(`main form[action$="/verfahren"] button[type=submit]`, 200)
	editPath, _, _ := strings.Cut(lead.path(), "/entwurf/")
	if !strings.HasPrefix(editPath, "/verwaltung/musterland/verfahren/") || !strings.HasSuffix(lead.path(), "/entwurf/grunddaten") {
		t.Fatalf("creating the draft led to %s, want the first step of the draft editor", lead.path())
	}
	lead.wantText("Grunddaten", "Schritt 1 von 7")
	lead.open(editPath + "/entwurf/kriterien")
	if got := evalOn[string](lead, `document.getElementById('f-criterion_0_name').value`); got != "Case-Management-Konzept im KIM-Rahmen" {
		t.Errorf("the draft from the KIM template names criterion 1 %q", got)
	}

	// Publishing the untouched template fails: the committee is empty.
	lead.open(editPath + "/veroeffentlichen")
	lead.wantText("Der Entwurf ist noch nicht vollständig")
	if n := evalOn[int](lead, `document.querySelectorAll('main .kern-alert a[href*="#f-evaluators"], main .kern-alert a[href*="#f-openers"]').length`); n < 2 {
		t.Errorf("the publish page of the template lists %d committee problems with links, want the evaluators and the openers", n)
	}

	// Fill what the template leaves open, step by step: title, timeline, committee.
	lead.open(editPath + "/entwurf/grunddaten")
	lead.fill(map[string]string{"f-title": title})
	lead.submit(`main button[name=action][value=next]`, 200)
	lead.open(editPath + "/entwurf/zeitplan")
	lead.fill(map[string]string{
		"f-questions_until":  inputDateTime(now, 23, 12),
		"f-deadline":         inputDateTime(now, 30, 12),
		"f-planned_opening":  inputDateTime(now, 31, 10),
		"f-planned_decision": inputDateTime(now, 72, 10),
	})
	lead.submit(`main button[name=action][value=next]`, 200)
	ticked := evalOn[[]string](lead, `(() => { const want = ['Greta Gremm', 'Bernd Bewerter', 'Ayşe Yıldız', 'Olaf Öffner', 'Özlem Schlüter']; const out = [];
		for (const e of document.querySelectorAll('input[name=evaluators], input[name=openers]')) {
			const name = document.querySelector('label[for="' + e.id + '"]').textContent.trim();
			if (want.includes(name)) { e.checked = true; out.push(e.name + ':' + name); } }
		return out; })()`)
	if len(ticked) != 5 {
		t.Fatalf("committee choices ticked: %v, want gremium1–3 and oeffnung1–2", ticked)
	}
	lead.submit(`main button[name=action][value=next]`, 200)
	if !strings.HasSuffix(lead.path(), "/entwurf/vorschau") {
		t.Fatalf("Speichern und weiter on the last step led to %s, want the preview", lead.path())
	}
	lead.wantText(title, deadline, "Case-Management-Konzept im KIM-Rahmen", "Der Entwurf ist vollständig")

	// Publication with the confirmation step: first without the confirmation, then with it.
	lead.open(editPath + "/veroeffentlichen")
	lead.submit(`main form button[type=submit]`, 422)
	lead.fill(map[string]string{"f-bestaetigt": "on"})
	lead.submit(`main form button[type=submit]`, 200)
	publicPath := lead.path()
	if !strings.HasPrefix(publicPath, "/ausschreibungen/musterland-") {
		t.Fatalf("publishing led to %s, want the public call page", publicPath)
	}
	lead.wantText(title, "Fassung 1 ist eingefroren")
	lead.open(editPath)
	if evalOn[int](lead, `document.querySelectorAll('main button[name=action][value=save]').length`) != 0 {
		t.Errorf("the draft editor is still offered after publication at %s", editPath)
	}

	// A provider asks a question on the public call page.
	awo := newJourney(t, browser, "Träger", base, tl.axeJS, pages)
	loginThroughForm(t, awo.tab, base, "awo@traeger.example", demo.Password, time.Now)
	awo.open(publicPath)
	awo.fill(map[string]string{"f-question": question})
	awo.submit(`main form[action$="/fragen"] button[type=submit]`, 200)
	awo.wantText(question, "noch nicht beantwortet")

	// The lead answers it, rephrased, and publishes the answer.
	lead.open(editPath + "/fragen")
	lead.wantText(question, "Arbeiterwohlfahrt Kreisverband Musterland e. V.")
	href := evalOn[string](lead, `(document.querySelector('main a[href*="/fragen/"]') || {}).pathname || ''`)
	if href == "" {
		t.Fatal("the lead's question list has no link to answer the question")
	}
	lead.open(href)
	lead.fill(map[string]string{"f-question": rephrased, "f-answer": answer})
	lead.submit(`main form[action$="/antwort"] button[type=submit]`, 200)
	lead.wantText("Die Antwort ist als Frage 1 veröffentlicht", "beantwortet als Frage 1")

	// The lead amends the call: the deadline moves by a week, with a reason.
	lead.open(editPath + "/aenderung")
	if got := evalOn[string](lead, `document.getElementById('f-deadline').value`); got != deadline {
		t.Errorf("the amendment form proposes the deadline %q, want the current %q", got, deadline)
	}
	lead.fill(map[string]string{"f-reason": reason, "f-deadline": extended, "f-planned_opening": formDateTime(now, 38, 10)})
	lead.submit(`main button[name=action][value=check]`, 200)
	lead.wantText("Änderungsbekanntmachung prüfen", reason, extended)
	lead.submit(`main button[name=action][value=publish]`, 200)
	if !strings.HasSuffix(lead.path(), "/fassungen/1/2") {
		t.Fatalf("publishing the amendment led to %s, want the diff of versions 1 and 2", lead.path())
	}

	// The public, anonymous view: the answer without the asker, the versions and the diff.
	guest := newJourney(t, browser, "Gast", base, tl.axeJS, pages)
	guest.open(publicPath)
	guest.wantText(title, rephrased, answer, "Fassung 2", reason, extended)
	page := guest.text()
	for _, secret := range []string{"Arbeiterwohlfahrt", "Andrea Wohlfahrt", "awo@traeger.example", question} {
		if strings.Contains(page, secret) {
			t.Errorf("the public call page reveals the asker or the original wording: %q", secret)
		}
	}
	diff := evalOn[string](guest, `(document.querySelector('main a[href$="/fassungen/1/2"]') || {}).pathname || ''`)
	if diff == "" {
		t.Fatal("the public call page has no link to the changes from version 1 to 2")
	}
	guest.open(publicPath + "/fassungen")
	guest.wantText("Erstveröffentlichung", reason)
	guest.open(diff)
	guest.wantText("Änderungen von Fassung 1 zu Fassung 2", reason, deadline[:10], extended[:10])
	if n := evalOn[int](guest, `document.querySelectorAll('main .kern-list li').length`); n == 0 {
		t.Error("the diff page lists no change")
	}
	guest.open(publicPath + "/fragen")
	guest.wantText(rephrased, answer)

	// The Bekanntmachung, over plain HTTP without a session.
	pdf := getPDFOverHTTP(t, base+publicPath+"/bekanntmachung.pdf", "")
	t.Logf("Bekanntmachung: %d bytes", len(pdf))
}
