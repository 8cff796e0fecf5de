package rules_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"kimibv/models/fixture"
	"kimibv/models/rules"
)

func TestDiffVersions(t *testing.T) {
	t.Parallel()
	base := fixture.CallContent(berlinAt(2027, 1, 15, 12, 0))
	clone := func(f func(c *rules.CallContent)) rules.CallContent { return changedContent(base, f) }
	tests := []struct {
		name string
		next rules.CallContent
		want []string // Change.String() in order
	}{
		{"identical", base, nil},
		{"publication time is not compared", clone(func(c *rules.CallContent) { c.Timeline.Publication = berlinAt(2026, 12, 1, 9, 0) }), nil},
		{"deadline", clone(func(c *rules.CallContent) { c.Timeline.Deadline = berlinAt(2027, 1, 29, 12, 0).UTC() }),
			[]string{"Abgabefrist: 15.01.2027 12:00 Uhr → 29.01.2027 12:00 Uhr"}},
		{"autumn ambiguous time states the zone", clone(func(c *rules.CallContent) {
			c.Timeline.PlannedDecision = time.Date(2027, 10, 31, 0, 30, 0, 0, time.UTC)
		}),
			[]string{"Geplante Entscheidung: 14.02.2027 12:00 Uhr → 31.10.2027 02:30 Uhr (MESZ)"}},
		{"criterion weight", clone(func(c *rules.CallContent) { c.Criteria[0].Weight, c.Criteria[1].Weight = 55, 45 }),
			[]string{"Kriterium K1 „Case-Management-Konzept im…“: Gewichtung 60 → 55", "Kriterium K2 „Unabhängigkeit und…“: Gewichtung 40 → 45"}},
		{"criterion minimum and name", clone(func(c *rules.CallContent) { c.Criteria[1].MinScore = nil; c.Criteria[1].Name = "Unabhängigkeit" }),
			[]string{"Kriterium K2 „Unabhängigkeit und…“: Name Unabhängigkeit und Rollenklarheit → Unabhängigkeit", "Kriterium K2 „Unabhängigkeit und…“: Mindestbewertung 1 → keine"}},
		{"lot added and removed", clone(func(c *rules.CallContent) {
			c.Lots = []rules.Lot{c.Lots[0], {Key: "L3", Name: "Mitte", Region: "Musterstadt", FTE: decimal.NewFromInt(1), MinFTEPerSite: decimal.RequireFromString("0.5")}}
		}), []string{"Los L2 „Süd“ entfernt: Süd (Südhausen), 1,00 VZÄ, mindestens 1,00 VZÄ je Standort",
			"Los L3 „Mitte“ hinzugefügt: Mitte (Musterstadt), 1,00 VZÄ, mindestens 0,50 VZÄ je Standort"}},
		{"lot posts with equal decimals unchanged", clone(func(c *rules.CallContent) { c.Lots[0].FTE = decimal.RequireFromString("2.00") }), nil},
		{"document optional and eligibility", clone(func(c *rules.CallContent) {
			c.RequiredDocs[1].Mandatory = false
			c.Eligibility = []string{c.Eligibility[0], "Sitz im Kreis"}
		}), []string{"Teilnahmevoraussetzung entfernt: Erfahrung in der Beratung", "Teilnahmevoraussetzung hinzugefügt: Sitz im Kreis",
			"Unterlage U2 „Satzung“: Pflicht verpflichtend → freiwillig"}},
		{"scale level renamed and added", clone(func(c *rules.CallContent) {
			c.Scale[2].Label = "erfüllt"
			c.Scale = append(c.Scale, rules.ScaleLevel{Value: 3, Label: "gut"})
		}), []string{"Stufe 2: Bezeichnung gut → erfüllt", "Stufe 3 hinzugefügt: gut"}},
		{"contact phone from empty", clone(func(c *rules.CallContent) { c.Contact.Phone = "02345 1234" }), []string{"Telefon: — → 02345 1234"}},
		{"long text as paragraphs", clone(func(c *rules.CallContent) {
			c.Description = "## Gegenstand\n\nCase Management nach KIM.\n\n## Aufgaben\n\nFallaufnahme und Hilfeplanung.\n\nNeu: Fallkonferenzen."
		}), []string{"Leistungsbeschreibung: 1 Absatz entfernt oder geändert, 2 Absätze neu"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, c := range rules.DiffVersions(base, tc.next) {
				got = append(got, c.String())
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("changes\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestDiffVersionsParagraphs(t *testing.T) {
	t.Parallel()
	a := fixture.CallContent(berlinAt(2027, 1, 15, 12, 0))
	b := a
	b.Description = "## Gegenstand\n\nCase Management nach KIM.\n\n## Aufgaben\n\nFallaufnahme und Hilfeplanung."
	ch := rules.DiffVersions(a, b)
	if len(ch) != 1 || ch[0].Kind != rules.TextChg || ch[0].Section != "Allgemeines" {
		t.Fatalf("want one text change, got %+v", ch)
	}
	if !slices.Equal(ch[0].RemovedParas, []string{"Case Management."}) || !slices.Equal(ch[0].AddedParas, []string{"Case Management nach KIM."}) {
		t.Fatalf("paragraphs removed %q added %q", ch[0].RemovedParas, ch[0].AddedParas)
	}
}
