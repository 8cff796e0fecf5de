package rules

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"kimibv/models/core"
)

// BidState is the state of a bid.
type BidState string

// Bid states: a draft was never submitted; submitted has at least one version; withdrawn
// is final (the versions stay in the record).
const (
	BidDraftState BidState = "draft"
	BidSubmitted  BidState = "submitted"
	BidWithdrawn  BidState = "withdrawn"
)

// Label returns the German name of the state.
func (s BidState) Label() string {
	switch s {
	case BidDraftState:
		return "Entwurf"
	case BidSubmitted:
		return "Eingereicht"
	case BidWithdrawn:
		return "Zurückgezogen"
	}
	return string(s)
}

// BidDraft is the working copy of a bid (stored encrypted in bids.draft). Files are kept
// apart (bid_draft_files).
type BidDraft struct {
	Lots         map[string]decimal.Decimal `json:"lots"`
	Answers      map[string]string          `json:"answers"`
	Declarations map[string]bool            `json:"declarations"`
	Ties         Ties                       `json:"ties"`
	Contact      Contact                    `json:"contact"`
}

// BidStep is one step of the bid form.
type BidStep string

// The steps in order.
const (
	StepLots         BidStep = "lose"
	StepAnswers      BidStep = "antworten"
	StepDocuments    BidStep = "unterlagen"
	StepDeclarations BidStep = "erklaerungen"
	StepContact      BidStep = "kontakt"
)

// BidSteps lists the steps in order.
var BidSteps = []BidStep{StepLots, StepAnswers, StepDocuments, StepDeclarations, StepContact}

// Label returns the German name of the step.
func (s BidStep) Label() string {
	switch s {
	case StepLots:
		return "Lose und Stellen"
	case StepAnswers:
		return "Antworten je Kriterium"
	case StepDocuments:
		return "Unterlagen"
	case StepDeclarations:
		return "Erklärungen"
	case StepContact:
		return "Ansprechperson"
	}
	return string(s)
}

// Valid reports whether s is a known step.
func (s BidStep) Valid() bool {
	for _, x := range BidSteps {
		if x == s {
			return true
		}
	}
	return false
}

// Declaration is a self-declaration the provider confirms with a checkbox: one per
// eligibility requirement of the call version.
type Declaration struct {
	Key  string
	Text string
}

// Label is the checkbox text: "Wir erklären: " and the requirement, without a leading
// "Eigenerklärung:" of the call's wording (the box is the self-declaration).
func (d Declaration) Label() string {
	text := strings.TrimSpace(d.Text)
	const prefix = "eigenerklärung:"
	if len(text) >= len(prefix) && strings.EqualFold(text[:len(prefix)], prefix) {
		text = strings.TrimSpace(text[len(prefix):])
	}
	return "Wir erklären: " + text
}

// Declarations derives the declarations of a call version. The key is derived from the
// text, so an amendment that rewords a requirement asks for a new confirmation.
func Declarations(c *CallContent) []Declaration {
	out := make([]Declaration, 0, len(c.Eligibility))
	for _, e := range c.Eligibility {
		sum := sha256.Sum256([]byte(normText(e)))
		out = append(out, Declaration{Key: "E-" + hex.EncodeToString(sum[:4]), Text: e})
	}
	return out
}

// StepInput is the submitted form of one step: field name -> value.
type StepInput map[string]string

// Bid text limits (characters).
const (
	maxTiesText    = 2000
	maxContactText = 200
)

// ApplyStep validates the form of one step against the call version and writes it into d.
// Incomplete input is fine (a draft); invalid input is refused with German messages:
// VZÄ above the lot, below the minimum per site or not a multiple of 0,05, lots that the
// call does not have, answers over the call's length limit, invalid characters.
func ApplyStep(c *CallContent, d *BidDraft, step BidStep, in StepInput) error {
	switch step {
	case StepLots:
		return applyLotsStep(c, d, in)
	case StepAnswers:
		return applyAnswersStep(c, d, in)
	case StepDocuments:
		return nil // files are stored by their own use cases; the step has no fields
	case StepDeclarations:
		return applyDeclarationsStep(c, d, in)
	case StepContact:
		return applyContactStep(d, in)
	}
	return fmt.Errorf("bid step %q: %w", step, core.ErrNotFound)
}

// applyLotsStep writes the VZÄ per lot ("fte_<lot>"); empty or 0 means not applying for
// the lot. It refuses lots the call does not have and VZÄ that are not a German decimal,
// not a multiple of 0,05, above the lot or below the minimum per site.
func applyLotsStep(c *CallContent, d *BidDraft, in StepInput) error {
	v := &core.ValidationError{}
	lots := map[string]decimal.Decimal{}
	for name := range in {
		key, ok := strings.CutPrefix(name, "fte_")
		if !ok {
			continue
		}
		if _, known := c.Lot(key); !known {
			v.Add("fte", "unknown_lot", "Ein angegebenes Los gehört nicht zu dieser Ausschreibung. Bitte laden Sie die Seite neu.")
		}
	}
	for _, l := range c.Lots {
		field := "fte_" + l.Key
		raw := strings.TrimSpace(in[field])
		if raw == "" || raw == "0" {
			continue
		}
		fte, msg := ParseGermanDecimal(raw, 2, false)
		switch {
		case msg != "":
			v.Add(field, "invalid", "Los "+l.Name+": "+msg)
		case !IsFTEMultiple(fte):
			v.Add(field, "step", "Los "+l.Name+": Bitte geben Sie die Stellen in Schritten von 0,05 VZÄ an, zum Beispiel 1,25.")
		case fte.GreaterThan(l.FTE):
			v.Add(field, "above_lot", fmt.Sprintf("Los %s: Das Los umfasst höchstens %s VZÄ.", l.Name, FormatFTE(l.FTE)))
		case fte.Sign() > 0 && fte.LessThan(l.MinFTEPerSite):
			v.Add(field, "below_min", fmt.Sprintf("Los %s: Je Standort sind mindestens %s VZÄ vorzusehen.", l.Name, FormatFTE(l.MinFTEPerSite)))
		case fte.Sign() > 0:
			lots[l.Key] = fte
		}
	}
	if err := v.OrNil(); err != nil {
		return err
	}
	d.Lots = lots
	return nil
}

// applyAnswersStep writes the answer per criterion ("answer_<criterion>"), limited to the
// call's AnswerMaxChars (6000 when the call sets none); blank answers are left out.
func applyAnswersStep(c *CallContent, d *BidDraft, in StepInput) error {
	v := &core.ValidationError{}
	answers := map[string]string{}
	for _, cr := range c.Criteria {
		field := "answer_" + cr.Key
		text := strings.ReplaceAll(in[field], "\r\n", "\n")
		max := c.AnswerMaxChars
		if max <= 0 {
			max = 6000
		}
		core.CheckText(v, field, "eine Antwort", text, false, max)
		if strings.TrimSpace(text) != "" {
			answers[cr.Key] = text
		}
	}
	if err := v.OrNil(); err != nil {
		return err
	}
	d.Answers = answers
	return nil
}

// applyDeclarationsStep writes the confirmed self-declarations ("decl_<key>") and the
// declaration of ties ("ties": "none" or "some", with "ties_text" kept only for "some").
func applyDeclarationsStep(c *CallContent, d *BidDraft, in StepInput) error {
	v := &core.ValidationError{}
	decl := map[string]bool{}
	for _, x := range Declarations(c) {
		if in["decl_"+x.Key] != "" {
			decl[x.Key] = true
		}
	}
	ties := Ties{Declared: in["ties"], Text: strings.TrimSpace(strings.ReplaceAll(in["ties_text"], "\r\n", "\n"))}
	switch ties.Declared {
	case "", "none", "some":
	default:
		v.Add("ties", "invalid", "Bitte wählen Sie eine der Antworten aus.")
	}
	core.CheckText(v, "ties_text", "die Verbindungen", ties.Text, false, maxTiesText)
	if err := v.OrNil(); err != nil {
		return err
	}
	if ties.Declared != "some" {
		ties.Text = ""
	}
	d.Declarations, d.Ties = decl, ties
	return nil
}

// applyContactStep writes the contact person: name, e-mail address (normalised, checked
// when given) and telephone number.
func applyContactStep(d *BidDraft, in StepInput) error {
	v := &core.ValidationError{}
	ct := Contact{Name: strings.TrimSpace(in["contact_name"]), Email: core.NormalizeEmail(in["contact_email"]), Phone: strings.TrimSpace(in["contact_phone"])}
	core.CheckText(v, "contact_name", "den Namen", ct.Name, false, maxContactText)
	core.CheckText(v, "contact_phone", "die Telefonnummer", ct.Phone, false, 50)
	if ct.Email != "" {
		core.CheckEmail(v, "contact_email", ct.Email)
	}
	if err := v.OrNil(); err != nil {
		return err
	}
	d.Contact = ct
	return nil
}

// Missing is one missing mandatory item of a bid: the step and form field where it is
// fixed and a German description.
type Missing struct {
	Step    BidStep
	Field   string
	Message string
}

// Href returns the link to the field within the bid's pages under base.
func (m Missing) Href(base string) string { return base + "/" + string(m.Step) + "#f-" + m.Field }

// BidMissing lists what is missing before a draft can be submitted for the call version:
// at least one lot, an answer to every criterion, every mandatory document, every
// self-declaration, the declaration of ties (with text when there are ties) and the
// contact person's name and e-mail address. docs holds the keys of stored files.
func BidMissing(c *CallContent, d *BidDraft, docs map[string]bool) []Missing {
	var out []Missing
	add := func(step BidStep, field, msg string) { out = append(out, Missing{step, field, msg}) }
	any := false
	for _, l := range c.Lots {
		fte := d.Lots[l.Key]
		if fte.Sign() <= 0 {
			continue
		}
		any = true
		if fte.GreaterThan(l.FTE) || fte.LessThan(l.MinFTEPerSite) || !IsFTEMultiple(fte) {
			add(StepLots, "fte_"+l.Key, fmt.Sprintf("Los %s: %s VZÄ passen nicht zu den Vorgaben der Ausschreibung (höchstens %s, mindestens %s VZÄ je Standort, Schritte von 0,05).",
				l.Name, FormatFTE(fte), FormatFTE(l.FTE), FormatFTE(l.MinFTEPerSite)))
		}
	}
	if !any && len(c.Lots) > 0 {
		add(StepLots, "fte_"+c.Lots[0].Key, "Geben Sie für mindestens ein Los an, wie viele Stellen (VZÄ) Sie übernehmen möchten.")
	}
	for _, cr := range c.Criteria {
		a := d.Answers[cr.Key]
		switch {
		case strings.TrimSpace(a) == "":
			add(StepAnswers, "answer_"+cr.Key, "Antwort zum Kriterium „"+cr.Name+"“ fehlt.")
		case c.AnswerMaxChars > 0 && utf8.RuneCountInString(a) > c.AnswerMaxChars:
			add(StepAnswers, "answer_"+cr.Key, fmt.Sprintf("Antwort zum Kriterium „%s“ ist länger als %d Zeichen.", cr.Name, c.AnswerMaxChars))
		}
	}
	for _, rd := range c.RequiredDocs {
		if rd.Mandatory && !docs[rd.Key] {
			add(StepDocuments, "doc_"+rd.Key, "Unterlage „"+rd.Name+"“ fehlt.")
		}
	}
	for _, x := range Declarations(c) {
		if !d.Declarations[x.Key] {
			add(StepDeclarations, "decl_"+x.Key, "Erklärung nicht bestätigt: „"+x.Text+"“.")
		}
	}
	switch {
	case d.Ties.Declared == "":
		add(StepDeclarations, "ties", "Die Erklärung zu Verbindungen zu Beschäftigten des Kreises oder Mitgliedern des Kreistags fehlt.")
	case d.Ties.Declared == "some" && strings.TrimSpace(d.Ties.Text) == "":
		add(StepDeclarations, "ties_text", "Bitte beschreiben Sie die angegebenen Verbindungen.")
	}
	if d.Contact.Name == "" {
		add(StepContact, "contact_name", "Name der Ansprechperson fehlt.")
	}
	if d.Contact.Email == "" {
		add(StepContact, "contact_email", "E-Mail-Adresse der Ansprechperson fehlt.")
	}
	return out
}

// SubmissionAccepted is the deadline rule (rules.md R3): a submission counts iff its
// complete request arrived at kimibv at or before the deadline, by the database clock —
// however long it then waited for its transaction, and whenever that commits. The
// database enforces it at COMMIT (trigger bid_versions_deadline); this is the same rule
// for pages and tests.
func SubmissionAccepted(arrival, deadline time.Time) bool { return !arrival.After(deadline) }

// SubmissionQueueLimit is the longest a submission may wait in the server between its
// arrival and the start of its transaction; a longer wait is refused as an overload
// (nothing is saved, the provider is asked to send again). The bids are opened this long
// after the deadline at the earliest (OpeningAllowedFrom), so no request that arrived in
// time can still be waiting then. The database has the same bound
// (submission_queue_limit(), migration 00061).
const SubmissionQueueLimit = 30 * time.Second

// OpeningAllowedFrom is the earliest moment the bids of a call with this deadline may be
// opened: the deadline plus SubmissionQueueLimit.
func OpeningAllowedFrom(deadline time.Time) time.Time { return deadline.Add(SubmissionQueueLimit) }

// SealStatus is what Kreis roles learn about a call's bids before the opening.
type SealStatus string

// Seal states: before the deadline, after the deadline but not yet opened, opened.
const (
	SealRunning  SealStatus = "running"
	SealExpired  SealStatus = "expired"
	SealOpened   SealStatus = "opened"
	sealNoStatus SealStatus = "" // a call without deadline (draft)
)

// Label returns the German status text (without any count or name).
func (s SealStatus) Label() string {
	switch s {
	case SealRunning:
		return "Frist läuft"
	case SealExpired:
		return "Frist abgelaufen – ungeöffnet"
	case SealOpened:
		return "Interessenbekundungen geöffnet"
	}
	return ""
}

// CallSealStatus computes the status from the call's deadline and opening time at now.
func CallSealStatus(deadline, openedAt *time.Time, now time.Time) SealStatus {
	switch {
	case openedAt != nil:
		return SealOpened
	case deadline == nil:
		return sealNoStatus
	case now.After(*deadline):
		return SealExpired
	}
	return SealRunning
}

// FormatDateTimeSeconds shows a receipt time to the millisecond with the zone, e.g.
// "02.01.2006 15:04:05,123 Uhr (MEZ)": receipts must state the exact instant.
func FormatDateTimeSeconds(t time.Time) string {
	l := t.In(core.Berlin())
	zone := "MEZ"
	if l.IsDST() {
		zone = "MESZ"
	}
	return germanMillis(l) + " Uhr (" + zone + ")"
}

func germanMillis(l time.Time) string {
	s := l.Format("02.01.2006 15:04:05.000")
	return s[:len(s)-4] + "," + s[len(s)-3:]
}
