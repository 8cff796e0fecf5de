package opendata

import (
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"kimibv/models/rules"
)

// OCDSTender is the tender section of a release (OCDS core plus the lots and enquiries
// extensions).
type OCDSTender struct {
	ID                         string          `json:"id"`
	Title                      string          `json:"title"`
	Description                string          `json:"description,omitempty"`
	Status                     string          `json:"status"`
	ProcuringEntity            *OCDSOrgRef     `json:"procuringEntity,omitempty"`
	Items                      []OCDSItem      `json:"items,omitempty"`
	Value                      *OCDSValue      `json:"value,omitempty"`
	ProcurementMethod          string          `json:"procurementMethod"`
	ProcurementMethodDetails   string          `json:"procurementMethodDetails"`
	ProcurementMethodRationale string          `json:"procurementMethodRationale,omitempty"`
	MainProcurementCategory    string          `json:"mainProcurementCategory"`
	AwardCriteria              string          `json:"awardCriteria"`
	AwardCriteriaDetails       string          `json:"awardCriteriaDetails"`
	SubmissionMethod           []string        `json:"submissionMethod"`
	SubmissionMethodDetails    string          `json:"submissionMethodDetails,omitempty"`
	TenderPeriod               *OCDSPeriod     `json:"tenderPeriod,omitempty"`
	EnquiryPeriod              *OCDSPeriod     `json:"enquiryPeriod,omitempty"`
	HasEnquiries               bool            `json:"hasEnquiries"`
	EligibilityCriteria        string          `json:"eligibilityCriteria,omitempty"`
	AwardPeriod                *OCDSPeriod     `json:"awardPeriod,omitempty"`
	ContractPeriod             *OCDSPeriod     `json:"contractPeriod,omitempty"`
	NumberOfTenderers          *int            `json:"numberOfTenderers,omitempty"`
	Tenderers                  []OCDSOrgRef    `json:"tenderers,omitempty"`
	Documents                  []OCDSDocument  `json:"documents,omitempty"`
	Amendments                 []OCDSAmendment `json:"amendments,omitempty"`
	Lots                       []OCDSLot       `json:"lots,omitempty"`
	Enquiries                  []OCDSEnquiry   `json:"enquiries,omitempty"`
}

// OCDSItem is a line of the tender or an award: posts (VZÄ) of a lot.
type OCDSItem struct {
	ID          string   `json:"id"`
	Description string   `json:"description"`
	Quantity    float64  `json:"quantity"`
	Unit        OCDSUnit `json:"unit"`
	RelatedLot  string   `json:"relatedLot,omitempty"`
}

// OCDSUnit is the unit of an item ("VZÄ") with its value (funding per VZÄ and year).
type OCDSUnit struct {
	Name  string     `json:"name"`
	Value *OCDSValue `json:"value,omitempty"`
}

// OCDSLot is a lot (lots extension).
type OCDSLot struct {
	ID          string     `json:"id"`
	Title       string     `json:"title"`
	Description string     `json:"description,omitempty"`
	Status      string     `json:"status"`
	Value       *OCDSValue `json:"value,omitempty"`
}

// OCDSDocument is a public document or page about the procedure.
type OCDSDocument struct {
	ID            string `json:"id"`
	DocumentType  string `json:"documentType,omitempty"`
	Title         string `json:"title"`
	Description   string `json:"description,omitempty"`
	URL           string `json:"url,omitempty"`
	DatePublished string `json:"datePublished,omitempty"`
	DateModified  string `json:"dateModified,omitempty"`
	Format        string `json:"format,omitempty"`
	Language      string `json:"language,omitempty"`
}

// OCDSAmendment describes a published amendment: what changed and why.
type OCDSAmendment struct {
	ID              string `json:"id"`
	Date            string `json:"date"`
	Rationale       string `json:"rationale"`
	Description     string `json:"description,omitempty"`
	AmendsReleaseID string `json:"amendsReleaseID"`
	ReleaseID       string `json:"releaseID"`
}

// OCDSEnquiry is a published question with its answer (enquiries extension) — without
// author: the public never learns who asked.
type OCDSEnquiry struct {
	ID           string `json:"id"`
	Date         string `json:"date"`
	Title        string `json:"title"`
	Description  string `json:"description"`
	Answer       string `json:"answer"`
	DateAnswered string `json:"dateAnswered"`
}

// tender builds the tender snapshot from version cur with the amendments, answers and
// cancellation known at time at.
func (p *OCDSProcedure) tender(o OCDSOptions, cur int, at time.Time, status string) *OCDSTender {
	v := p.Versions[cur]
	c := v.Content
	page := o.BaseURL + "/ausschreibungen/" + p.Ref
	perFTE := c.FundingTotalPerFTE()
	t := &OCDSTender{ID: p.Ref, Title: c.Title, Description: c.Description, Status: status,
		ProcuringEntity:            &OCDSOrgRef{ID: "kreis-" + p.Kreis.Slug, Name: p.Kreis.Name},
		Value:                      ocdsEuro(c.TotalFTE().Mul(perFTE)),
		ProcurementMethod:          "open",
		ProcurementMethodDetails:   "Interessenbekundungsverfahren (IBV) zur Weiterleitung von Zuwendungen",
		ProcurementMethodRationale: c.LegalBasis,
		MainProcurementCategory:    "services",
		AwardCriteria:              "ratedCriteria",
		AwardCriteriaDetails:       AwardCriteriaText(&c),
		SubmissionMethod:           []string{"electronicSubmission"},
		SubmissionMethodDetails:    submissionText(&c, page),
		EligibilityCriteria:        strings.Join(c.Eligibility, "\n"),
	}
	first := p.Versions[0].PublishedAt
	if !c.Timeline.Deadline.IsZero() {
		t.TenderPeriod = &OCDSPeriod{StartDate: ocdsTime(first), EndDate: ocdsTime(c.Timeline.Deadline)}
	}
	if !c.Timeline.QuestionsUntil.IsZero() {
		t.EnquiryPeriod = &OCDSPeriod{StartDate: ocdsTime(first), EndDate: ocdsTime(c.Timeline.QuestionsUntil)}
	}
	if d := c.Timeline.PlannedDecision; !d.IsZero() {
		t.AwardPeriod = &OCDSPeriod{EndDate: ocdsTime(d)}
	}
	if from, to := c.FundingPeriod.From.Time(), c.FundingPeriod.To.Time(); !from.IsZero() && !to.IsZero() {
		t.ContractPeriod = &OCDSPeriod{StartDate: ocdsTime(from), EndDate: ocdsTime(to.AddDate(0, 0, 1).Add(-time.Second))}
	}
	for _, l := range c.Lots {
		t.Lots = append(t.Lots, OCDSLot{ID: l.Key, Title: "Los " + l.Name, Status: status, Value: ocdsEuro(l.FTE.Mul(perFTE)),
			Description: fmt.Sprintf("%s; %s VZÄ, mindestens %s VZÄ je Standort", l.Region, rules.FormatFTE(l.FTE), rules.FormatFTE(l.MinFTEPerSite))})
		t.Items = append(t.Items, fteItem(l.Key, "Case-Management-Stellen im Los "+l.Name+" (Vollzeitäquivalente)", l.Key, l.FTE, &c))
	}
	for _, qa := range p.QA {
		if qa.AnsweredAt.After(at) {
			continue
		}
		when := ocdsTime(qa.AnsweredAt)
		t.Enquiries = append(t.Enquiries, OCDSEnquiry{ID: fmt.Sprint(qa.Seq), Date: when, Title: fmt.Sprintf("Frage %d", qa.Seq),
			Description: qa.Question, Answer: qa.Answer, DateAnswered: when})
	}
	t.HasEnquiries = len(t.Enquiries) > 0
	for i := 1; i <= cur; i++ {
		prev, next := p.Versions[i-1], p.Versions[i]
		ocid := o.OCID(p.Ref)
		t.Amendments = append(t.Amendments, OCDSAmendment{ID: fmt.Sprintf("v%d", next.Version), Date: ocdsTime(next.PublishedAt),
			Rationale: next.Reason, Description: changesText(prev.Content, next.Content),
			AmendsReleaseID: fmt.Sprintf("%s-tender-v%d", ocid, prev.Version), ReleaseID: fmt.Sprintf("%s-tender-v%d", ocid, next.Version)})
	}
	t.Documents = p.documents(o, cur, at, len(t.Enquiries))
	return t
}

// fteItem is an item of fte posts (unit VZÄ, unit value = funding per VZÄ and year).
func fteItem(id, desc, lot string, fte decimal.Decimal, c *rules.CallContent) OCDSItem {
	q, _ := fte.Float64()
	return OCDSItem{ID: id, Description: desc + "; Förderung je VZÄ und Jahr: " + fundingText(c), Quantity: q,
		Unit: OCDSUnit{Name: "VZÄ", Value: ocdsEuro(c.FundingTotalPerFTE())}, RelatedLot: lot}
}

// fundingText states the funding per VZÄ and year with its parts.
func fundingText(c *rules.CallContent) string {
	s := rules.FormatEuro(c.FundingTotalPerFTE())
	if c.KreisTopUp.IsPositive() {
		s += " (" + rules.FormatEuro(c.FundingPerFTE) + " Landesmittel, " + rules.FormatEuro(c.KreisTopUp) + " Zuschuss des Kreises)"
	}
	return s
}

// AwardCriteriaText states the published award rules in German: the criteria in their
// order with weight and minimum score, the scale, the arithmetic, the exclusions and the
// tie-break. It is tender.awardCriteriaDetails (OCDS core has no structured weights; the
// call page's section "Bewertungskriterien" is linked as document evaluation-criteria).
func AwardCriteriaText(c *rules.CallContent) string {
	var b strings.Builder
	b.WriteString("Bewertungskriterien (Gewichtung in Punkten):\n")
	for _, cr := range c.Criteria {
		fmt.Fprintf(&b, "%s %s – Gewichtung %d", cr.Key, cr.Name, cr.Weight)
		if cr.MinScore != nil {
			fmt.Fprintf(&b, ", Mindestbewertung %d", *cr.MinScore)
		}
		b.WriteString("\n")
	}
	var scale []string
	for _, s := range c.Scale {
		scale = append(scale, fmt.Sprintf("%d %s", s.Value, s.Label))
	}
	fmt.Fprintf(&b, "Bewertungsskala: %s.\n", strings.Join(scale, ", "))
	fmt.Fprintf(&b, "Punkte je Kriterium = Bewertung ÷ %d × Gewichtung.\n", c.ScaleMax())
	fmt.Fprintf(&b, "Ausgeschlossen wird, wer in einem Kriterium die Mindestbewertung unterschreitet oder insgesamt weniger als %s Punkte erreicht.\n",
		rules.FormatGermanDecimal(c.MinTotalPoints, 0))
	if len(c.TieBreak) > 0 {
		fmt.Fprintf(&b, "Bei Punktgleichheit entscheidet die höhere Punktzahl in den Kriterien in dieser Reihenfolge: %s.", strings.Join(c.TieBreak, ", "))
	}
	return strings.TrimSpace(b.String())
}

// submissionText names the required documents and where to submit.
func submissionText(c *rules.CallContent, page string) string {
	var docs []string
	for _, d := range c.RequiredDocs {
		s := d.Name
		if d.Note != "" {
			s += " (" + d.Note + ")"
		}
		if !d.Mandatory {
			s += " [freiwillig]"
		}
		docs = append(docs, s)
	}
	out := "Einreichung elektronisch über " + page
	if len(docs) > 0 {
		out += ". Einzureichende Unterlagen: " + strings.Join(docs, "; ")
	}
	return out + "."
}

// changesText lists an amendment's changes in one text (one change per line).
func changesText(a, b rules.CallContent) string {
	var lines []string
	for _, ch := range rules.DiffVersions(a, b) {
		lines = append(lines, ch.String())
	}
	return strings.Join(lines, "\n")
}

// documents lists the public pages and documents of the procedure known at time at.
func (p *OCDSProcedure) documents(o OCDSOptions, cur int, at time.Time, enquiries int) []OCDSDocument {
	page := o.BaseURL + "/ausschreibungen/" + p.Ref
	first, v := p.Versions[0], p.Versions[cur]
	html := func(id, typ, title, url string, published, modified time.Time) OCDSDocument {
		return OCDSDocument{ID: id, DocumentType: typ, Title: title, URL: url, DatePublished: ocdsTime(published),
			DateModified: ocdsTime(modified), Format: "text/html", Language: "de"}
	}
	docs := []OCDSDocument{
		html("call-page", "tenderNotice", "Bekanntmachung (Internetseite, Fassung "+fmt.Sprint(v.Version)+")", page, first.PublishedAt, v.PublishedAt),
		html("evaluation-criteria", "evaluationCriteria", "Bewertungskriterien, Gewichtung und Skala", page+"#h-kriterien", first.PublishedAt, v.PublishedAt),
		html("eligibility-criteria", "eligibilityCriteria", "Teilnahmevoraussetzungen", page+"#h-voraussetzungen", first.PublishedAt, v.PublishedAt),
	}
	if v.NoticePDFAt != nil && !v.NoticePDFAt.After(at) {
		docs = append(docs, OCDSDocument{ID: fmt.Sprintf("notice-pdf-v%d", v.Version), DocumentType: "tenderNotice",
			Title: fmt.Sprintf("Bekanntmachung (PDF, Fassung %d)", v.Version), URL: fmt.Sprintf("%s/bekanntmachung.pdf?fassung=%d", page, v.Version),
			DatePublished: ocdsTime(*v.NoticePDFAt), Format: "application/pdf", Language: "de"})
	}
	for i := 1; i <= cur; i++ {
		n := p.Versions[i]
		d := html(fmt.Sprintf("amendment-v%d", n.Version), "tenderNotice", fmt.Sprintf("Änderungsbekanntmachung (Fassung %d)", n.Version),
			fmt.Sprintf("%s/fassungen/%d/%d", page, p.Versions[i-1].Version, n.Version), n.PublishedAt, n.PublishedAt)
		d.Description = n.Reason
		docs = append(docs, d)
	}
	if enquiries > 0 {
		last := p.QA[0].AnsweredAt
		for _, qa := range p.QA {
			if !qa.AnsweredAt.After(at) && qa.AnsweredAt.After(last) {
				last = qa.AnsweredAt
			}
		}
		docs = append(docs, html("clarifications", "clarifications", "Fragen und Antworten", page+"/fragen", p.QA[0].AnsweredAt, last))
	}
	if p.State == rules.CallCancelled && p.CancelledAt != nil && !p.CancelledAt.After(at) {
		d := html("cancellation", "cancellationDetails", "Aufhebung des Verfahrens", page, *p.CancelledAt, *p.CancelledAt)
		d.Description = p.CancelReason
		docs = append(docs, d)
	}
	return docs
}
