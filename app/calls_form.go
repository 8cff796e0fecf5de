package app

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"kimibv/models/rules"
)

// maxCallRows bounds each editable list of the call editor.
const maxCallRows = 60

// callRows is how many rows each list of the editor shows.
type callRows struct{ Lots, Eligibility, Docs, Criteria, Scale int }

// rowCount returns 1 + the highest index i for which a field prefix_i… exists in v.
func rowCount(v url.Values, prefix string) int {
	n := 0
	for k := range v {
		rest, ok := strings.CutPrefix(k, prefix+"_")
		if !ok {
			continue
		}
		numStr, _, _ := strings.Cut(rest, "_")
		if i, err := strconv.Atoi(numStr); err == nil && i >= 0 && i < maxCallRows && i+1 > n {
			n = i + 1
		}
	}
	return n
}

// rowsOf counts the rows present in submitted values.
func rowsOf(v url.Values) callRows {
	return callRows{Lots: rowCount(v, "lot"), Eligibility: rowCount(v, "eligibility"), Docs: rowCount(v, "doc"),
		Criteria: rowCount(v, "criterion"), Scale: rowCount(v, "scale")}
}

// callInputFromForm reads the editor's form into the use case's input.
func callInputFromForm(v url.Values) rules.CallDraftInput {
	in := rules.CallDraftInput{
		Title: v.Get("title"), FileRef: v.Get("file_ref"), Authority: v.Get("authority"), LegalBasis: v.Get("legal_basis"),
		FundingSource: v.Get("funding_source"), Description: v.Get("description"), FundingFrom: v.Get("funding_from"), FundingTo: v.Get("funding_to"),
		FundingPerFTE: v.Get("funding_per_fte"), KreisTopUp: v.Get("kreis_top_up"), MinTotalPoints: v.Get("min_total_points"),
		TieBreak: v.Get("tie_break"), AnswerMaxChars: v.Get("answer_max_chars"), QuestionsUntil: v.Get("questions_until"),
		Deadline: v.Get("deadline"), PlannedOpening: v.Get("planned_opening"), PlannedDecision: v.Get("planned_decision"),
		StandstillDays: v.Get("standstill_days"), ContactName: v.Get("contact_name"), ContactEmail: v.Get("contact_email"),
		ContactPhone: v.Get("contact_phone"),
	}
	rows := rowsOf(v)
	for i := range rows.Lots {
		f := func(s string) string { return v.Get(fmt.Sprintf("lot_%d_%s", i, s)) }
		in.Lots = append(in.Lots, rules.LotInput{Key: f("key"), Name: f("name"), Region: f("region"), FTE: f("fte"), MinFTEPerSite: f("min_fte")})
	}
	for i := range rows.Eligibility {
		in.Eligibility = append(in.Eligibility, v.Get(fmt.Sprintf("eligibility_%d", i)))
	}
	for i := range rows.Docs {
		f := func(s string) string { return v.Get(fmt.Sprintf("doc_%d_%s", i, s)) }
		in.RequiredDocs = append(in.RequiredDocs, rules.DocInput{Key: f("key"), Name: f("name"), Note: f("note"), Mandatory: f("mandatory") != ""})
	}
	for i := range rows.Criteria {
		f := func(s string) string { return v.Get(fmt.Sprintf("criterion_%d_%s", i, s)) }
		in.Criteria = append(in.Criteria, rules.CriterionInput{Key: f("key"), Name: f("name"), Description: f("description"), Weight: f("weight"), MinScore: f("min_score")})
	}
	for i := range rows.Scale {
		in.Scale = append(in.Scale, v.Get(fmt.Sprintf("scale_%d", i)))
	}
	in.Committee = rules.Committee{Evaluators: ids(v["evaluators"]), Openers: ids(v["openers"])}
	return in
}

// ids parses user ids; anything else becomes 0, which the use case refuses as not a member.
func ids(vals []string) []int64 {
	out := make([]int64, 0, len(vals))
	for _, s := range vals {
		id, _ := strconv.ParseInt(s, 10, 64)
		out = append(out, id)
	}
	return out
}

// formFromInput writes the input as form values for the editor.
func formFromInput(in rules.CallDraftInput) url.Values {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	for k, val := range map[string]string{
		"title": in.Title, "file_ref": in.FileRef, "authority": in.Authority, "legal_basis": in.LegalBasis, "funding_source": in.FundingSource,
		"description": in.Description, "funding_from": in.FundingFrom, "funding_to": in.FundingTo, "funding_per_fte": in.FundingPerFTE,
		"kreis_top_up": in.KreisTopUp, "min_total_points": in.MinTotalPoints, "tie_break": in.TieBreak, "answer_max_chars": in.AnswerMaxChars,
		"questions_until": in.QuestionsUntil, "deadline": in.Deadline, "planned_opening": in.PlannedOpening, "planned_decision": in.PlannedDecision,
		"standstill_days": in.StandstillDays, "contact_name": in.ContactName, "contact_email": in.ContactEmail, "contact_phone": in.ContactPhone,
	} {
		set(k, val)
	}
	for i, l := range in.Lots {
		p := fmt.Sprintf("lot_%d_", i)
		set(p+"key", l.Key)
		set(p+"name", l.Name)
		set(p+"region", l.Region)
		set(p+"fte", l.FTE)
		set(p+"min_fte", l.MinFTEPerSite)
	}
	for i, e := range in.Eligibility {
		set(fmt.Sprintf("eligibility_%d", i), e)
	}
	for i, d := range in.RequiredDocs {
		p := fmt.Sprintf("doc_%d_", i)
		set(p+"key", d.Key)
		set(p+"name", d.Name)
		set(p+"note", d.Note)
		if d.Mandatory {
			v.Set(p+"mandatory", "1")
		}
	}
	for i, c := range in.Criteria {
		p := fmt.Sprintf("criterion_%d_", i)
		set(p+"key", c.Key)
		set(p+"name", c.Name)
		set(p+"description", c.Description)
		set(p+"weight", c.Weight)
		set(p+"min_score", c.MinScore)
	}
	for i, s := range in.Scale {
		set(fmt.Sprintf("scale_%d", i), s)
	}
	for _, id := range in.Committee.Evaluators {
		v.Add("evaluators", strconv.FormatInt(id, 10))
	}
	for _, id := range in.Committee.Openers {
		v.Add("openers", strconv.FormatInt(id, 10))
	}
	// A marker so that "value=" defaults of fld do not apply to an existing draft.
	v.Set("_loaded", "1")
	return v
}
