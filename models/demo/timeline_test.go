package demo_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/models/decision"
)

// day is the German calendar day of t.
func day(t time.Time) string { return t.In(core.Berlin()).Format("02.01.2006") }

// checkAwardedTimeline checks that the awarded procedure's public "Ablauf des Verfahrens"
// tells the story its documents tell: published on the day the first version states,
// opened after the deadline, the decision recorded after the Kreistag's session and before
// the notices, the objection on the day it was lodged, the award on the day the decision
// states — every step in order and before the demo was loaded, and the chain intact.
func checkAwardedTimeline(t *testing.T, db *gorm.DB, loaded time.Time) {
	ctx := context.Background()
	var ref string
	if err := db.Raw(`SELECT ref FROM calls WHERE state = 'awarded'`).Scan(&ref).Error; err != nil || ref == "" {
		t.Fatalf("no awarded call: %v", err)
	}
	r, err := decision.LoadAwardRecord(ctx, db, ref)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Chain.OK {
		t.Fatalf("chain: %+v", r.Chain)
	}
	at := map[string]time.Time{}
	for i, e := range r.Timeline {
		if i > 0 && e.At.Before(r.Timeline[i-1].At) {
			t.Errorf("step %q (%s) lies before the step before it (%s)", e.Label, e.At, r.Timeline[i-1].At)
		}
		if !e.At.Before(loaded) {
			t.Errorf("step %q at %s is not in the past of the loading (%s)", e.Label, e.At, loaded)
		}
		if _, seen := at[e.Label]; !seen {
			at[e.Label] = e.At
		}
	}
	step := func(label string) time.Time {
		for l, a := range at {
			if strings.HasPrefix(l, label) {
				return a
			}
		}
		t.Fatalf("no step %q in %v", label, at)
		return time.Time{}
	}
	v1 := r.Versions[0]
	if got := day(step("Ausschreibung veröffentlicht")); got != day(v1.PublishedAt) {
		t.Errorf("published on %s in the trail, %s in the call", got, day(v1.PublishedAt))
	}
	if opened := step("Interessenbekundungen geöffnet"); !opened.After(v1.Deadline) || opened.Sub(v1.Deadline) > 24*time.Hour {
		t.Errorf("opened %s, deadline %s", opened, v1.Deadline)
	}
	d := r.Decision
	if d == nil || d.AwardedAt == nil || d.StandstillEndsAt == nil {
		t.Fatalf("decision %+v", d)
	}
	recorded, notified := step("Entscheidung aufgezeichnet"), step("Mitteilungen versandt")
	if session := d.DecidedOn.Time(); recorded.Before(session) || recorded.Sub(session) > 3*24*time.Hour {
		t.Errorf("decision recorded %s, Kreistag on %s", recorded, d.DecidedOn.German())
	}
	if notified.Before(recorded) || !d.StandstillEndsAt.After(notified) {
		t.Errorf("notices %s, recorded %s, standstill ends %s", notified, recorded, d.StandstillEndsAt)
	}
	if len(r.Objections) != 1 || day(step("Rüge erhoben")) != day(r.Objections[0].LodgedAt) || r.Objections[0].AnsweredAt == nil ||
		day(step("Rüge beantwortet")) != day(*r.Objections[0].AnsweredAt) {
		t.Errorf("objection %+v, trail %s / %s", r.Objections, step("Rüge erhoben"), step("Rüge beantwortet"))
	}
	if awarded := step("Vergabe endgültig"); day(awarded) != day(*d.AwardedAt) || !awarded.After(*d.StandstillEndsAt) {
		t.Errorf("awarded %s in the trail, %s in the decision, standstill ends %s", awarded, d.AwardedAt, d.StandstillEndsAt)
	}
	// The issued documents carry the time of the step that issued them.
	var late int64
	if err := db.Raw(`SELECT count(*) FROM issued_documents WHERE created_at > ?`, loaded).Scan(&late).Error; err != nil || late != 0 {
		t.Errorf("%d documents issued after the loading began (%v)", late, err)
	}
}

// checkTrailLabels checks that every action and every detail key of the demo's trail
// has a German label, and that every chain still verifies.
func checkTrailLabels(t *testing.T, db *gorm.DB) {
	var actions []string
	if err := db.Raw(`SELECT DISTINCT action FROM audit_log`).Scan(&actions).Error; err != nil {
		t.Fatal(err)
	}
	for _, a := range actions {
		if !audit.HasActionLabel(a) {
			t.Errorf("action %q has no label", a)
		}
	}
	var details []string
	if err := db.Raw(`SELECT DISTINCT details FROM audit_log`).Scan(&details).Error; err != nil {
		t.Fatal(err)
	}
	missing := map[string]bool{}
	var walk func(m map[string]any)
	walk = func(m map[string]any) {
		for k, v := range m {
			if ties, ok := v.(map[string]any); ok && k == "ties" {
				for org := range ties { // keyed by the provider, shown by its name
					if strings.Trim(org, "0123456789") != "" {
						missing[k+"."+org] = true
					}
				}
				continue
			}
			if _, ok := audit.DetailLabel(k); !ok {
				missing[k] = true
			}
			switch x := v.(type) {
			case map[string]any:
				walk(x)
			case []any:
				for _, e := range x {
					if sub, ok := e.(map[string]any); ok {
						walk(sub)
					}
				}
			}
		}
	}
	for _, d := range details {
		var m map[string]any
		if err := json.Unmarshal([]byte(d), &m); err != nil {
			t.Fatalf("details %q: %v", d, err)
		}
		walk(m)
	}
	for k := range missing {
		t.Errorf("detail key %q has no label", k)
	}
	n, err := audit.VerifyAllChains(context.Background(), db, func(v audit.Verification) error {
		if !v.OK {
			t.Errorf("chain %s broken at %d: %s", v.Chain, v.BrokenSeq, v.Problem)
		}
		return nil
	})
	if err != nil || n == 0 {
		t.Fatalf("%d chains verified: %v", n, err)
	}
}
