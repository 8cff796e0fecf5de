package opendata

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"kimibv/models/calls"
	"kimibv/models/rules"
)

// Open data (rules.md R24): OCDS 1.1 release packages built from public information only.
// The builder here is pure (no database); OCDSProcedures (ocds_reads.go) loads its input.
//
// Releases of one procedure, each a full snapshot of what was public at its date, with
// stable ids (releases never change once a fact is published):
//
//	<ocid>-tender-v1      tag tender             publication (version 1)
//	<ocid>-tender-v<n>    tag tenderAmendment    amendment n (tender.amendments lists all so far)
//	<ocid>-enquiry-<seq>  tag tenderUpdate       a published answer (tender.enquiries)
//	<ocid>-cancellation   tag tenderCancellation the Aufhebung (tender.status "cancelled")
//	<ocid>-award-<stage>  tag award/awardUpdate  the award stages (ocds_award.go)
//
// Value: every amount is per year — tender.value is the yearly funding of all lots (Land
// plus the Kreis's top-up), a lot's value the yearly funding of its posts, an item's unit
// value the yearly funding per VZÄ; tender.contractPeriod is the funding period. The
// total over the period depends on the Land's yearly grants, so it is not stated.

// DefaultOCIDPrefix is the OCID prefix when none is configured; an installation
// registers its own with the Open Contracting Partnership (KIMIBV_OCID_PREFIX).
const DefaultOCIDPrefix = "ocds-kimibv"

// OCDSVersionNumber is the OCDS schema version of the packages.
const OCDSVersionNumber = "1.1"

// OCDSExtensions returns the OCDS extensions the releases use: lots (tender.lots,
// items[].relatedLot, awards[].relatedLots) and enquiries (tender.enquiries).
func OCDSExtensions() []string {
	return []string{
		"https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/v1.1.5/extension.json",
		"https://raw.githubusercontent.com/open-contracting-extensions/ocds_enquiry_extension/v1.1.5/extension.json",
	}
}

// OCDSOptions configures the export: the OCID prefix and the public base URL for links.
type OCDSOptions struct {
	OCIDPrefix string
	BaseURL    string
}

// OCID returns the stable open contracting id of the call with readable reference ref.
func (o OCDSOptions) OCID(ref string) string {
	p := o.OCIDPrefix
	if p == "" {
		p = DefaultOCIDPrefix
	}
	return p + "-" + ref
}

// OCDSKreis is the public information about the Kreis running a procedure.
type OCDSKreis struct {
	Slug, Name, State, Address string
	ContactEmail               string // the Kreis's functional address (Kreis settings)
}

// OCDSVersion is a published version of a call with its content.
type OCDSVersion struct {
	Version     int
	Reason      string
	PublishedAt time.Time
	Content     rules.CallContent
	NoticePDFAt *time.Time // when the Bekanntmachung PDF of this version was issued (nil: not issued)
}

// OCDSProcedure is everything public about one procedure that its releases are built from.
type OCDSProcedure struct {
	CallID       int64
	Ref          string
	State        rules.CallState
	CancelledAt  *time.Time
	CancelReason string
	Kreis        OCDSKreis
	Versions     []OCDSVersion       // first to last
	QA           []calls.PublicQA    // published answers (never askers)
	AwardStages  []OCDSAwardStage    // decision after the notices, final award (ocds_award.go)
	Consultation *OCDSConsultation   // the Beteiligung before publication, nil for none (ocds_planning.go)
	Contracts    []OCDSContractInput // the forwarding contracts (ocds_contracts.go)
}

// OCDSPackage is an OCDS release package.
type OCDSPackage struct {
	URI           string         `json:"uri"`
	Version       string         `json:"version"`
	Extensions    []string       `json:"extensions"`
	PublishedDate string         `json:"publishedDate"`
	Publisher     OCDSPublisher  `json:"publisher"`
	Releases      []*OCDSRelease `json:"releases"`
}

// OCDSPublisher names the organisation publishing the package.
type OCDSPublisher struct {
	Name string `json:"name"`
	URI  string `json:"uri,omitempty"`
}

// OCDSRelease is one OCDS release.
type OCDSRelease struct {
	OCID           string             `json:"ocid"`
	ID             string             `json:"id"`
	Date           string             `json:"date"`
	Tag            []string           `json:"tag"`
	InitiationType string             `json:"initiationType"`
	Language       string             `json:"language"`
	Parties        []OCDSParty        `json:"parties"`
	Buyer          *OCDSOrgRef        `json:"buyer,omitempty"`
	Planning       *OCDSPlanning      `json:"planning,omitempty"`
	Tender         *OCDSTender        `json:"tender,omitempty"`
	Awards         []OCDSAwardJSON    `json:"awards,omitempty"`
	Contracts      []OCDSContractJSON `json:"contracts,omitempty"`

	at time.Time // for ordering
}

// OCDSOrgRef refers to a party by id and name.
type OCDSOrgRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// OCDSParty is an organisation with its roles. Only organisations appear, never people.
type OCDSParty struct {
	ID           string            `json:"id"`
	Name         string            `json:"name"`
	Roles        []string          `json:"roles"`
	Address      *OCDSAddress      `json:"address,omitempty"`
	ContactPoint *OCDSContactPoint `json:"contactPoint,omitempty"`
	Details      map[string]string `json:"details,omitempty"`
}

// OCDSAddress is a postal address.
type OCDSAddress struct {
	StreetAddress string `json:"streetAddress,omitempty"`
	Region        string `json:"region,omitempty"`
	CountryName   string `json:"countryName,omitempty"`
}

// OCDSContactPoint is a functional contact (office name, functional e-mail, web page).
type OCDSContactPoint struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	URL   string `json:"url,omitempty"`
}

// OCDSValue is an amount in euros.
type OCDSValue struct {
	Amount   json.Number `json:"amount"`
	Currency string      `json:"currency"`
}

// OCDSPeriod is a period of date-times (RFC 3339, UTC).
type OCDSPeriod struct {
	StartDate string `json:"startDate,omitempty"`
	EndDate   string `json:"endDate,omitempty"`
}

// ocdsTime formats t as RFC 3339 in UTC to the second.
func ocdsTime(t time.Time) string { return t.UTC().Truncate(time.Second).Format(time.RFC3339) }

// ocdsEuro returns an amount in euros as a JSON number.
func ocdsEuro(d decimal.Decimal) *OCDSValue {
	return &OCDSValue{Amount: json.Number(d.String()), Currency: "EUR"}
}

// BuildOCDSReleases builds the releases of one procedure in date order (see the file
// comment for ids and tags). A procedure without a published version has none.
func BuildOCDSReleases(p *OCDSProcedure, o OCDSOptions) []*OCDSRelease {
	if len(p.Versions) == 0 {
		return nil
	}
	ocid := o.OCID(p.Ref)
	var out []*OCDSRelease
	for i, v := range p.Versions {
		tag, id := "tender", fmt.Sprintf("%s-tender-v%d", ocid, v.Version)
		if i > 0 {
			tag = "tenderAmendment"
		}
		out = append(out, p.release(o, id, tag, i, v.PublishedAt, "active"))
	}
	for _, qa := range p.QA {
		if qa.AnsweredAt.Before(p.Versions[0].PublishedAt) {
			continue // cannot happen: answers follow publication
		}
		out = append(out, p.release(o, fmt.Sprintf("%s-enquiry-%d", ocid, qa.Seq), "tenderUpdate", p.versionAt(qa.AnsweredAt), qa.AnsweredAt, "active"))
	}
	if p.State == rules.CallCancelled && p.CancelledAt != nil {
		out = append(out, p.release(o, ocid+"-cancellation", "tenderCancellation", len(p.Versions)-1, *p.CancelledAt, "cancelled"))
	}
	awards := p.awardReleases(o)
	out = append(out, awards...)
	out = append(out, p.contractReleases(o, awards)...)
	if p.Consultation != nil {
		for _, r := range out {
			r.Planning = p.planning(o, r.at)
		}
		out = append(out, p.planningRelease(o))
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].at.Before(out[j].at) })
	return out
}

// release builds the snapshot release id with tag at time at, showing version index cur
// (explicit: a version and an answer may share a timestamp).
func (p *OCDSProcedure) release(o OCDSOptions, id, tag string, cur int, at time.Time, status string) *OCDSRelease {
	kreis := p.kreisParty(o, cur)
	r := &OCDSRelease{OCID: o.OCID(p.Ref), ID: id, Date: ocdsTime(at), Tag: []string{tag}, InitiationType: "tender", Language: "de",
		Parties: append([]OCDSParty{kreis}, p.funderParties(cur)...), Buyer: &OCDSOrgRef{ID: kreis.ID, Name: kreis.Name}, at: at}
	r.Tender = p.tender(o, cur, at, status)
	return r
}

// versionAt returns the index of the latest version published at or before t (the first
// one at least).
func (p *OCDSProcedure) versionAt(t time.Time) int {
	cur := 0
	for i, v := range p.Versions {
		if !v.PublishedAt.After(t) {
			cur = i
		}
	}
	return cur
}

// kreisParty is the Kreis as buyer and procuring entity, and funder when it tops up the
// Land's money. Its contact point is functional: the office named in the call and the
// Kreis's configured contact address — never the call's contact person or phone line.
func (p *OCDSProcedure) kreisParty(o OCDSOptions, cur int) OCDSParty {
	c := p.Versions[cur].Content
	party := OCDSParty{ID: "kreis-" + p.Kreis.Slug, Name: p.Kreis.Name, Roles: []string{"buyer", "procuringEntity"}}
	if c.KreisTopUp.IsPositive() {
		party.Roles = append(party.Roles, "funder")
	}
	if p.Kreis.Address != "" || p.Kreis.State != "" {
		party.Address = &OCDSAddress{StreetAddress: oneLine(p.Kreis.Address), Region: p.Kreis.State, CountryName: "Deutschland"}
	}
	party.ContactPoint = &OCDSContactPoint{Name: c.Authority, Email: p.Kreis.ContactEmail,
		URL: o.BaseURL + "/ausschreibungen?kreis=" + p.Kreis.Slug}
	return party
}

// funderParties is the Land whose KIM money the Kreis passes on, with the call's
// funding source text.
func (p *OCDSProcedure) funderParties(cur int) []OCDSParty {
	state := p.Kreis.State
	if state == "" {
		return nil
	}
	party := OCDSParty{ID: "land-" + slugify(state), Name: "Land " + state, Roles: []string{"funder"}}
	if fs := p.Versions[cur].Content.FundingSource; fs != "" {
		party.Details = map[string]string{"fundingSource": fs}
	}
	return []OCDSParty{party}
}

// oneLine joins the lines of a multi-line text with ", ".
func oneLine(s string) string {
	var parts []string
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			parts = append(parts, l)
		}
	}
	return strings.Join(parts, ", ")
}

// slugify makes a lower-case ASCII id part: umlauts transliterated, other characters "-".
func slugify(s string) string {
	s = strings.NewReplacer("ä", "ae", "ö", "oe", "ü", "ue", "ß", "ss", "Ä", "ae", "Ö", "oe", "Ü", "ue").Replace(strings.ToLower(s))
	var b strings.Builder
	dash := false
	for _, r := range s {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimRight(b.String(), "-")
}

// BuildOCDSPackage wraps the releases of the procedures in one package. publishedDate is
// the date of the newest release (the last change of the contents), or now when empty.
func BuildOCDSPackage(procs []OCDSProcedure, o OCDSOptions, uri, publisher string, now time.Time) *OCDSPackage {
	pkg := &OCDSPackage{URI: uri, Version: OCDSVersionNumber, Extensions: OCDSExtensions(),
		Publisher: OCDSPublisher{Name: publisher, URI: o.BaseURL}, Releases: []*OCDSRelease{}}
	var last time.Time
	for i := range procs {
		for _, r := range BuildOCDSReleases(&procs[i], o) {
			pkg.Releases = append(pkg.Releases, r)
			if r.at.After(last) {
				last = r.at
			}
		}
	}
	if last.IsZero() {
		last = now
	}
	pkg.PublishedDate = ocdsTime(last)
	return pkg
}

// LastModified returns the package's publishedDate as a time.
func (p *OCDSPackage) LastModified() time.Time {
	t, _ := time.Parse(time.RFC3339, p.PublishedDate)
	return t
}
