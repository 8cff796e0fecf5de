package app

import (
	"bytes"
	"encoding/json"
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
		!strings.Contains(out, `href="/verwaltung/musterland/verfahren/1#f-openers"`) {
		t.Fatalf("problems not listed or publish button shown:\n%s", out)
	}
}
