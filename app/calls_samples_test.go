package app

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"kimibv/models/accounts"
	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/rules"
	"kimibv/templates"
)

// sampleCallView is the KIM template published as version 1 in Kreis Musterland.
func sampleCallView(preview bool) *calls.CallView {
	c := calls.KIMTemplate(&accounts.Tenant{Name: "Kreis Musterland", Authority: "Kreis Musterland – Der Landrat", ContactEmail: "ki@musterland.example"}, sampleNow)
	c.Description += "\n\n<script>alert(1)</script> [x](javascript:alert(1))"
	raw, _ := json.Marshal(c)
	pub := sampleNow
	call := calls.CallRow{Call: rules.Call{ID: 1, TenantID: 1, Ref: "musterland-2026-01", State: rules.CallPublished, CurrentVersion: 1,
		Title: c.Title, Deadline: &c.Timeline.Deadline, PublishedAt: &pub, Draft: raw, CreatedAt: sampleNow, UpdatedAt: sampleNow},
		TenantSlug: "musterland", TenantName: "Kreis Musterland"}
	v := &calls.CallView{Call: call, Content: c, Preview: preview}
	if preview {
		v.Call.State, v.Call.CurrentVersion, v.Call.PublishedAt = rules.CallDraft, 0, nil
		return v
	}
	c.Timeline.Publication = sampleNow
	v.Versions = []calls.VersionView{{VersionInfo: calls.VersionInfo{Version: 1, ContentSHA256: "ab12", Deadline: c.Timeline.Deadline, PublishedAt: sampleNow}, Content: c}}
	return v
}

// sampleCallPage is the public page (or the lead's preview) of sampleCallView.
func sampleCallPage(preview bool) callPage {
	p := newCallPage(sampleCallView(preview), sampleNow)
	if preview {
		p.EditHref = "/verwaltung/musterland/verfahren/1"
	}
	return p
}

// sampleCallList is one page of the public list.
func sampleCallList() callListPage {
	v := sampleCallView(false)
	return callListPage{List: &calls.PublicCallList{Calls: []calls.CallRow{v.Call},
		ListPage: calls.ListPage{Total: 21, Page: 1, Pages: 2, Kreise: []accounts.Tenant{{ID: 1, Slug: "musterland", Name: "Kreis Musterland"}}}, Filter: calls.PublicCallFilter{Kreis: "musterland"}},
		States: rules.PublicCallStates, Next: "/ausschreibungen?seite=2"}
}

// sampleLeadCalls is the Kreis's procedure list.
func sampleLeadCalls() leadCallsPage {
	v := sampleCallView(false)
	return leadCallsPage{Calls: []rules.Call{v.Call.Call}, Base: "/verwaltung/musterland/verfahren"}
}

// sampleCallEdit is the editor's data with committee candidates.
func sampleCallEdit(published bool) callEditPage {
	v := sampleCallView(!published)
	d := callEditPage{Call: v.Call, Rows: callRows{Lots: 4, Eligibility: 7, Docs: 9, Criteria: 7, Scale: 6},
		Evaluators: []calls.CommitteeCandidate{{UserID: 11, Name: "Greta Gremm", Role: "evaluator"}, {UserID: 12, Name: "Bernd Bewerter", Role: "evaluator"}},
		Openers:    []calls.CommitteeCandidate{{UserID: 13, Name: "Olaf Öffner", Role: "opener"}},
		Committee:  rules.Committee{Evaluators: []int64{11, 12}, Openers: []int64{13}},
		Base:       "/verwaltung/musterland/verfahren/1", Href: "/ausschreibungen/musterland-2026-01"}
	return d
}

// sampleCallStep is one step of the draft editor with the warnings of the KIM template
// (its funding period began before sampleNow's day only if sampleNow is late; one is added).
func sampleCallStep(step string) callStepPage {
	i := rules.CallStepIndex(step)
	d := callStepPage{callEditPage: sampleCallEdit(false), Step: rules.CallSteps()[i], Steps: rules.CallSteps(), Index: i + 1,
		Count: len(rules.CallSteps()), AddRows: stepAddRows(step)}
	d.Warnings = []rules.CallWarning{{Field: "criteria", Message: "Die Gewichtungen der Kriterien ergeben zusammen 95 statt 100 Punkte."}}
	if step == rules.CallStepPreview {
		p := newCallPage(sampleCallView(true), sampleNow)
		d.Preview = &p
		d.Problems = sampleCallPublish().Problems
	}
	return d
}

// TestEveryCallStepRenders renders each step of the draft editor and checks the step
// navigation and that the save button is the form's first submit button.
func TestEveryCallStepRenders(t *testing.T) {
	t.Parallel()
	r, err := templates.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	for i, st := range rules.CallSteps() {
		var buf bytes.Buffer
		if err := r.Render(&buf, "call_step", sample(st.Title, sampleCallStep(st.Slug))); err != nil {
			t.Fatalf("%s: %v", st.Slug, err)
		}
		out := buf.String()
		if !strings.Contains(out, fmt.Sprintf("Schritt %d von 7", i+1)) || !strings.Contains(out, `aria-current="step"`) {
			t.Errorf("%s: no step navigation", st.Slug)
		}
		if st.Slug == rules.CallStepPreview {
			if !strings.Contains(out, "So wird die Ausschreibung veröffentlicht") || !strings.Contains(out, "/entwurf/gremium#f-openers") {
				t.Errorf("preview without the public body or the open problems")
			}
			continue
		}
		form := strings.Index(out, `action="/verwaltung/musterland/verfahren/1/entwurf/`+st.Slug+`"`)
		if first := strings.Index(out[max(form, 0):], `type="submit"`); form < 0 || first < 0 || !strings.HasPrefix(out[form+first:], `type="submit" name="action" value="next"`) {
			t.Errorf("%s: the first submit button is not „Speichern und weiter“", st.Slug)
		}
	}
}

// sampleCallPublish is the confirmation page with remaining problems (used by the HTTP tests).
func sampleCallPublish() callEditPage {
	d := sampleCallEdit(false)
	d.Problems = &core.ValidationError{}
	d.Problems.Add("openers", "too_few", "Bitte benennen Sie mindestens zwei Öffnungsberechtigte.")
	return d
}

// TestCallPublishListsProblems renders the confirmation page with remaining problems.
func TestCallPublishListsProblems(t *testing.T) {
	t.Parallel()
	r, err := templates.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := r.Render(&buf, "call_publish", sample("Veröffentlichen", sampleCallPublish())); err != nil {
		t.Fatal(err)
	}
	if out := buf.String(); !strings.Contains(out, "mindestens zwei Öffnungsberechtigte") || strings.Contains(out, "Jetzt veröffentlichen") ||
		!strings.Contains(out, `href="/verwaltung/musterland/verfahren/1/entwurf/gremium#f-openers"`) {
		t.Fatalf("problems not listed or publish button shown:\n%s", out)
	}
}
