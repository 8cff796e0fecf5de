package rules_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"kimibv/models/core"
	"kimibv/models/fixture"
	"kimibv/models/rules"
)

func bidDec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func TestApplyStepLots(t *testing.T) {
	t.Parallel()
	c := fixture.CallContent(time.Now().Add(720 * time.Hour)) // L1 Nord 2,0 (min 1,0), L2 Süd 1,0 (min 1,0)
	tests := []struct {
		name  string
		in    rules.StepInput
		codes []string
		want  map[string]string
	}{
		{"one lot", rules.StepInput{"fte_L1": "1,5"}, nil, map[string]string{"L1": "1.5"}},
		{"both lots, whole lot", rules.StepInput{"fte_L1": "2", "fte_L2": "1,00"}, nil, map[string]string{"L1": "2", "L2": "1"}},
		{"empty and zero mean not applying", rules.StepInput{"fte_L1": "", "fte_L2": "0"}, nil, map[string]string{}},
		{"above the lot", rules.StepInput{"fte_L1": "2,05"}, []string{"fte_L1:above_lot"}, nil},
		{"not a multiple of 0,05", rules.StepInput{"fte_L1": "1,33"}, []string{"fte_L1:step"}, nil},
		{"below the minimum per site", rules.StepInput{"fte_L1": "0,5"}, []string{"fte_L1:below_min"}, nil},
		{"three decimals", rules.StepInput{"fte_L1": "1,255"}, []string{"fte_L1:invalid"}, nil},
		{"point as decimal separator", rules.StepInput{"fte_L1": "1.5"}, []string{"fte_L1:invalid"}, nil},
		{"negative", rules.StepInput{"fte_L1": "-1"}, []string{"fte_L1:invalid"}, nil},
		{"lot of another call", rules.StepInput{"fte_L9": "1"}, []string{"fte:unknown_lot"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &rules.BidDraft{Lots: map[string]decimal.Decimal{"L2": bidDec("1")}}
			err := rules.ApplyStep(&c, d, rules.StepLots, tt.in)
			if tt.codes != nil {
				v, ok := core.AsValidation(err)
				if !ok || strings.Join(v.Codes(), ",") != strings.Join(tt.codes, ",") {
					t.Fatalf("codes %v, want %v (err %v)", v, tt.codes, err)
				}
				if !d.Lots["L2"].Equal(bidDec("1")) || len(d.Lots) != 1 {
					t.Fatalf("draft changed on error: %v", d.Lots)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Lots) != len(tt.want) {
				t.Fatalf("lots %v, want %v", d.Lots, tt.want)
			}
			for k, v := range tt.want {
				if !d.Lots[k].Equal(bidDec(v)) {
					t.Fatalf("lot %s = %v, want %s", k, d.Lots[k], v)
				}
			}
		})
	}
}

func TestApplyStepTexts(t *testing.T) {
	t.Parallel()
	c := fixture.CallContent(time.Now().Add(720 * time.Hour))
	c.AnswerMaxChars = 100
	tests := []struct {
		name  string
		step  rules.BidStep
		in    rules.StepInput
		codes string
	}{
		{"answers within the limit", rules.StepAnswers, rules.StepInput{"answer_K1": strings.Repeat("ä", 100)}, ""},
		{"answer over the call's limit", rules.StepAnswers, rules.StepInput{"answer_K1": strings.Repeat("a", 101)}, "answer_K1:too_long"},
		{"100 000 characters", rules.StepAnswers, rules.StepInput{"answer_K2": strings.Repeat("x", 100000)}, "answer_K2:too_long"},
		{"NUL byte", rules.StepAnswers, rules.StepInput{"answer_K1": "a\x00b"}, "answer_K1:invalid"},
		{"bidi override", rules.StepAnswers, rules.StepInput{"answer_K1": "abc\u202edef"}, "answer_K1:invalid"},
		{"ties: unknown answer", rules.StepDeclarations, rules.StepInput{"ties": "maybe"}, "ties:invalid"},
		{"ties: some with text", rules.StepDeclarations, rules.StepInput{"ties": "some", "ties_text": "Schwester im Jugendamt"}, ""},
		{"contact: bad e-mail", rules.StepContact, rules.StepInput{"contact_name": "A", "contact_email": "kein-at"}, "contact_email:invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &rules.BidDraft{}
			err := rules.ApplyStep(&c, d, tt.step, tt.in)
			if tt.codes == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			v, ok := core.AsValidation(err)
			if !ok || !strings.Contains(strings.Join(v.Codes(), ","), tt.codes) {
				t.Fatalf("got %v, want %s", err, tt.codes)
			}
			if v.Fields[0].Message == "" {
				t.Fatal("no German message")
			}
		})
	}
}

// TestApplyStepWritesOnlyItsStep covers what each step writes into the draft, that a
// refused step leaves the draft as it was, the document step without fields and an
// unknown step.
func TestApplyStepWritesOnlyItsStep(t *testing.T) {
	c := fixture.CallContent(time.Now().Add(720 * time.Hour))
	decl := rules.Declarations(&c)
	tests := []struct {
		name      string
		step      rules.BidStep
		maxChars  int // the call's AnswerMaxChars; 0 means none set
		in        rules.StepInput
		codes     string                       // validation codes; "" means accepted
		notFound  bool                         // refused as an unknown step
		wantDraft func(*rules.BidDraft) string // "" when the draft is as expected
	}{
		{"answers: blank left out, line ends normalised", rules.StepAnswers, 6000,
			rules.StepInput{"answer_K1": "eins\r\nzwei", "answer_K2": "  "}, "", false,
			func(d *rules.BidDraft) string {
				if len(d.Answers) != 1 || d.Answers["K1"] != "eins\nzwei" {
					return fmt.Sprintf("answers %q", d.Answers)
				}
				return ""
			}},
		{"answers: 6000 characters without a limit of the call", rules.StepAnswers, 0,
			rules.StepInput{"answer_K1": strings.Repeat("a", 6000)}, "", false, nil},
		{"answers: 6001 characters without a limit of the call", rules.StepAnswers, 0,
			rules.StepInput{"answer_K1": strings.Repeat("a", 6001)}, "answer_K1:too_long", false, nil},
		{"declarations: confirmed ones only, ties text dropped unless some", rules.StepDeclarations, 6000,
			rules.StepInput{"decl_" + decl[0].Key: "1", "decl_E-unknown": "1", "ties": "none", "ties_text": "Schwester"}, "", false,
			func(d *rules.BidDraft) string {
				if len(d.Declarations) != 1 || !d.Declarations[decl[0].Key] || d.Ties != (rules.Ties{Declared: "none"}) {
					return fmt.Sprintf("declarations %v, ties %+v", d.Declarations, d.Ties)
				}
				return ""
			}},
		{"declarations: ties text over the limit", rules.StepDeclarations, 6000,
			rules.StepInput{"ties": "some", "ties_text": strings.Repeat("x", 2001)}, "ties_text:too_long", false, nil},
		{"contact: trimmed, e-mail address in lower case", rules.StepContact, 6000,
			rules.StepInput{"contact_name": " Andrea Wohlfahrt ", "contact_email": " AWO@Traeger.Example ", "contact_phone": " 02345 1234-0 "}, "", false,
			func(d *rules.BidDraft) string {
				if d.Contact != (rules.Contact{Name: "Andrea Wohlfahrt", Email: "awo@traeger.example", Phone: "02345 1234-0"}) {
					return fmt.Sprintf("contact %+v", d.Contact)
				}
				return ""
			}},
		{"contact: without e-mail address", rules.StepContact, 6000, rules.StepInput{"contact_name": "A"}, "", false, nil},
		{"contact: name over the limit", rules.StepContact, 6000,
			rules.StepInput{"contact_name": strings.Repeat("n", 201)}, "contact_name:too_long", false, nil},
		{"contact: telephone number over the limit", rules.StepContact, 6000,
			rules.StepInput{"contact_phone": strings.Repeat("1", 51)}, "contact_phone:too_long", false, nil},
		{"documents: no fields, draft unchanged", rules.StepDocuments, 6000, rules.StepInput{"fte_L1": "2"}, "", false, nil},
		{"unknown step", rules.BidStep("zahlung"), 6000, rules.StepInput{}, "", true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.AnswerMaxChars = tt.maxChars
			d, _ := completeDraft(&c)
			before, _ := json.Marshal(d)
			err := rules.ApplyStep(&c, d, tt.step, tt.in)
			switch {
			case tt.notFound:
				if !errors.Is(err, core.ErrNotFound) {
					t.Fatalf("got %v, want ErrNotFound", err)
				}
			case tt.codes != "":
				v, ok := core.AsValidation(err)
				if !ok || strings.Join(v.Codes(), ",") != tt.codes || v.Fields[0].Message == "" {
					t.Fatalf("got %v, want %s with a German message", err, tt.codes)
				}
			case err != nil:
				t.Fatal(err)
			}
			after, _ := json.Marshal(d)
			if tt.wantDraft != nil {
				if msg := tt.wantDraft(d); msg != "" {
					t.Fatal(msg)
				}
			} else if (tt.codes != "" || tt.notFound || tt.step == rules.StepDocuments) && !bytes.Equal(before, after) {
				t.Fatalf("draft changed:\n%s\n%s", before, after)
			}
		})
	}
}

// completeDraft is a draft that satisfies qaContent.
func completeDraft(c *rules.CallContent) (*rules.BidDraft, map[string]bool) {
	d := &rules.BidDraft{Lots: map[string]decimal.Decimal{"L1": bidDec("1.5")},
		Answers:      map[string]string{"K1": "Unser Konzept.", "K2": "Unabhängig."},
		Declarations: map[string]bool{}, Ties: rules.Ties{Declared: "none"},
		Contact: rules.Contact{Name: "Andrea Wohlfahrt", Email: "awo@traeger.example"}}
	for _, x := range rules.Declarations(c) {
		d.Declarations[x.Key] = true
	}
	return d, map[string]bool{"U1": true, "U2": true}
}

func TestBidMissing(t *testing.T) {
	t.Parallel()
	c := fixture.CallContent(time.Now().Add(720 * time.Hour))
	decl := rules.Declarations(&c)
	tests := []struct {
		name   string
		change func(d *rules.BidDraft, docs map[string]bool)
		want   []string // step/field of each missing item
	}{
		{"complete", func(*rules.BidDraft, map[string]bool) {}, nil},
		{"no lot", func(d *rules.BidDraft, _ map[string]bool) { d.Lots = nil }, []string{"lose/fte_L1"}},
		{"lot larger than the amended lot", func(d *rules.BidDraft, _ map[string]bool) { d.Lots["L2"] = bidDec("1.5") }, []string{"lose/fte_L2"}},
		{"answer missing", func(d *rules.BidDraft, _ map[string]bool) { d.Answers["K2"] = "  " }, []string{"antworten/answer_K2"}},
		{"answer longer than the limit", func(d *rules.BidDraft, _ map[string]bool) { d.Answers["K1"] = strings.Repeat("a", 6001) }, []string{"antworten/answer_K1"}},
		{"document missing", func(_ *rules.BidDraft, docs map[string]bool) { delete(docs, "U2") }, []string{"unterlagen/doc_U2"}},
		{"declaration not confirmed", func(d *rules.BidDraft, _ map[string]bool) { delete(d.Declarations, decl[1].Key) }, []string{"erklaerungen/decl_" + decl[1].Key}},
		{"ties undeclared", func(d *rules.BidDraft, _ map[string]bool) { d.Ties = rules.Ties{} }, []string{"erklaerungen/ties"}},
		{"ties without text", func(d *rules.BidDraft, _ map[string]bool) { d.Ties = rules.Ties{Declared: "some"} }, []string{"erklaerungen/ties_text"}},
		{"contact missing", func(d *rules.BidDraft, _ map[string]bool) { d.Contact = rules.Contact{} }, []string{"kontakt/contact_name", "kontakt/contact_email"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, docs := completeDraft(&c)
			tt.change(d, docs)
			var got []string
			for _, m := range rules.BidMissing(&c, d, docs) {
				if m.Message == "" {
					t.Fatal("missing item without message")
				}
				got = append(got, string(m.Step)+"/"+m.Field)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Fatalf("missing %v, want %v", got, tt.want)
			}
		})
	}
	m := rules.Missing{Step: rules.StepAnswers, Field: "answer_K1"}
	if h := m.Href("/traeger/1/bewerbungen/2"); h != "/traeger/1/bewerbungen/2/antworten#f-answer_K1" {
		t.Fatalf("href %s", h)
	}
}

func TestDeadlineRule(t *testing.T) {
	t.Parallel()
	deadline := time.Date(2026, 3, 29, 10, 0, 0, 0, time.UTC) // 12:00 MESZ, the day summer time starts
	tests := []struct {
		arrival time.Time
		want    bool
	}{
		{deadline.Add(-time.Hour), true},
		{deadline.Add(-time.Millisecond), true},
		{deadline.Add(-time.Microsecond), true},
		{deadline, true}, // "at or before"
		{deadline.Add(time.Microsecond), false},
		{deadline.Add(time.Millisecond), false},
		{deadline.Add(time.Hour), false},
	}
	for _, tt := range tests {
		if got := rules.SubmissionAccepted(tt.arrival, deadline); got != tt.want {
			t.Errorf("arrival %v: accepted=%v, want %v", tt.arrival, got, tt.want)
		}
	}
	opened := deadline.Add(24 * time.Hour)
	for _, tt := range []struct {
		opened *time.Time
		now    time.Time
		want   string
	}{
		{nil, deadline.Add(-time.Second), "Frist läuft"},
		{nil, deadline, "Frist läuft"},
		{nil, deadline.Add(time.Second), "Frist abgelaufen – ungeöffnet"},
		{&opened, opened, "Interessenbekundungen geöffnet"},
	} {
		if got := rules.CallSealStatus(&deadline, tt.opened, tt.now).Label(); got != tt.want {
			t.Errorf("status at %v: %q, want %q", tt.now, got, tt.want)
		}
	}
	if got := rules.FormatDateTimeSeconds(time.Date(2026, 3, 29, 9, 59, 59, 123456000, time.UTC)); got != "29.03.2026 11:59:59,123 Uhr (MESZ)" {
		t.Fatalf("receipt time %q", got)
	}
}

func sampleBid() rules.BidContent {
	return rules.BidContent{CallID: 7, CallVersion: 2, OrgID: 3,
		Lots:         map[string]decimal.Decimal{"L2": bidDec("1.0"), "L1": bidDec("1.25"), "L3": bidDec("0")},
		Answers:      map[string]string{"K2": "Zweite <Antwort> & mehr", "K1": "Größe\r\nzweite Zeile "},
		Declarations: map[string]bool{"E-00aa11bb": true, "E-ffeeddcc": false},
		Ties:         rules.Ties{Declared: "none"},
		Contact:      rules.Contact{Name: "Andrea Wohlfahrt", Email: "AWO@Traeger.Example", Phone: "02345 1234-0"},
		Documents:    map[string]string{"U2": "AB" + strings.Repeat("0", 62), "U1": strings.Repeat("1", 64)}}
}

func TestCanonicalBid(t *testing.T) {
	t.Parallel()
	b, err := rules.CanonicalBid(sampleBid())
	if err != nil {
		t.Fatal(err)
	}
	want := `{"answers":{"K1":"Größe\nzweite Zeile","K2":"Zweite <Antwort> & mehr"},"call_id":7,"call_version":2,` +
		`"contact":{"email":"awo@traeger.example","name":"Andrea Wohlfahrt","phone":"02345 1234-0"},` +
		`"declarations":{"E-00aa11bb":true,"E-ffeeddcc":false},` +
		`"documents":{"U1":"` + strings.Repeat("1", 64) + `","U2":"ab` + strings.Repeat("0", 62) + `"},` +
		`"format":"kimibv-bid-v1","lots":{"L1":"1.25","L2":"1.00"},"org_id":3,"ties":{"declared":"none","text":""}}`
	if string(b) != want {
		t.Fatalf("canonical\n got %s\nwant %s", b, want)
	}
	// The same visible text in NFD gives the same bytes and hash.
	nfd := sampleBid()
	nfd.Answers["K1"] = "Gro\u0308\u00dfe\nzweite Zeile"
	b2, _ := rules.CanonicalBid(nfd)
	if rules.BidSHA256(b2) != rules.BidSHA256(b) {
		t.Fatal("NFD and NFC text hash differently")
	}
	// Any change of content changes the hash.
	other := sampleBid()
	other.Lots["L1"] = bidDec("1.30")
	b3, _ := rules.CanonicalBid(other)
	if bytes.Equal(b3, b) {
		t.Fatal("changed VZÄ, same encoding")
	}
	bad := sampleBid()
	bad.Answers["K 1"] = "x"
	if _, err := rules.CanonicalBid(bad); err == nil {
		t.Fatal("invalid key accepted")
	}
}

// FuzzCanonicalBid checks that the encoding is valid JSON, deterministic, stable under
// decode/encode and independent of Unicode normalisation form.
func FuzzCanonicalBid(f *testing.F) {
	f.Add("Größe", "K1", "1.25", "Andrea", "a@b.example", "none")
	f.Add("\u202e\x00\r\n", "E-1", "0.05", "", "", "some")
	f.Add("e\u0301", "U_2", "99999999.999", "日本", "X@Y", "")
	f.Add("T\u0308", "D1", "1", "T\u0308", "T\u0308@X.example", "none") // lower-casing can undo NFC
	f.Fuzz(func(t *testing.T, text, key, fte, name, email, ties string) {
		d, err := decimal.NewFromString(fte)
		if err != nil || d.Exponent() < -40 || d.Exponent() > 40 {
			// "1E10000000" would make a number of ten million digits; the form parser
			// knows no exponent notation, so no bid can carry one.
			return
		}
		c := rules.BidContent{CallID: 1, CallVersion: 1, OrgID: 2, Lots: map[string]decimal.Decimal{key: d},
			Answers: map[string]string{key: text, "K0": name}, Declarations: map[string]bool{key: true},
			Ties: rules.Ties{Declared: ties, Text: text}, Contact: rules.Contact{Name: name, Email: email},
			Documents: map[string]string{key: text}}
		b1, err := rules.CanonicalBid(c)
		if err != nil {
			return // invalid key: refused, never encoded ambiguously
		}
		if !utf8.Valid(b1) || !json.Valid(b1) {
			t.Fatalf("not valid JSON/UTF-8: %q", b1)
		}
		b2, _ := rules.CanonicalBid(c)
		if !bytes.Equal(b1, b2) {
			t.Fatal("not deterministic")
		}
		back, err := rules.DecodeBid(b1)
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		b3, err := rules.CanonicalBid(back)
		if err != nil || !bytes.Equal(b1, b3) {
			t.Fatalf("not stable under decode/encode:\n%s\n%s (%v)", b1, b3, err)
		}
	})
}
