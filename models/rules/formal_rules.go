package rules

import (
	"fmt"
	"time"

	"kimibv/models/core"
)

// CheckItem is one line of a bid's formal checklist: an eligibility requirement (E1, E2,
// …, always a published minimum requirement) or a required document (its key U1, …;
// a minimum requirement when mandatory).
type CheckItem struct {
	Key       string
	Document  bool
	Label     string
	Note      string
	Mandatory bool
	// Facts (documents): the opened file, an answer to a document request, and whether a
	// standing document from the wallet was out of date at the deadline.
	File     *ProtocolFile
	Answer   *RequestAnswer
	Expired  bool
	ExpiryAt *time.Time // last day the wallet document was current
	// The lead's assessment.
	Met    bool
	Remark string
}

// Present reports whether a document item has a file (opened or answered).
func (i CheckItem) Present() bool { return i.File != nil || i.Answer != nil }

// Usable reports whether a document item can satisfy its requirement: present and, unless
// replaced by an answer to a document request, not out of date at the deadline.
func (i CheckItem) Usable() bool { return i.Answer != nil || (i.File != nil && !i.Expired) }

// ItemAssessment is the lead's assessment of one checklist item.
type ItemAssessment struct {
	Met    bool   `json:"met"`
	Remark string `json:"remark"`
}

// Checklist builds a bid's checklist from the call version's eligibility requirements
// and required documents, the opened files, the answers to document requests (latest per
// document) and the lead's assessments. A standing document from the wallet is checked
// with the wallet's expiry rule on the deadline's calendar day.
func Checklist(c *CallContent, files []ProtocolFile, answers []RequestAnswer, assessed map[string]ItemAssessment, deadline time.Time) []CheckItem {
	var out []CheckItem
	for i, e := range c.Eligibility {
		key := fmt.Sprintf("E%d", i+1)
		out = append(out, CheckItem{Key: key, Label: e, Mandatory: true, Met: assessed[key].Met, Remark: assessed[key].Remark})
	}
	for _, d := range c.RequiredDocs {
		it := CheckItem{Key: d.Key, Document: true, Label: d.Name, Note: d.Note, Mandatory: d.Mandatory, Met: assessed[d.Key].Met, Remark: assessed[d.Key].Remark}
		for j := range files {
			if files[j].DocKey == d.Key {
				f := files[j]
				it.File = &f
				if f.DocType != nil {
					flag, last := DocumentExpiry(DocType(*f.DocType), f.IssuedOn, f.ValidUntil, deadline)
					it.Expired, it.ExpiryAt = flag == FlagExpired, last
				}
			}
		}
		for j := range answers {
			if answers[j].DocKey == d.Key && (it.Answer == nil || answers[j].ReceivedAt.After(it.Answer.ReceivedAt)) {
				a := answers[j]
				it.Answer = &a
			}
		}
		out = append(out, it)
	}
	return out
}

// FormalDecision is what the lead decides for a bid.
type FormalDecision string

// Decisions of the formal check form.
const (
	DecideSave    FormalDecision = "save"
	DecideAdmit   FormalDecision = "admit"
	DecideExclude FormalDecision = "exclude"
)

// CheckFormalDecision applies the formal-check rule (pure): an exclusion is final (current
// excluded and not corrected: conflict); excluding needs a reason; admitting needs every
// minimum requirement — each eligibility requirement and each mandatory document — met,
// and each mandatory document present and current at the deadline (OVG NRW 4 B 690/16:
// a bid missing a published minimum requirement cannot be admitted).
func CheckFormalDecision(current FormalOutcome, items []CheckItem, d FormalDecision, reason string) error {
	if current == FormalExcluded {
		return core.Conflict("Diese Interessenbekundung ist ausgeschlossen. Ein Ausschluss ist endgültig; ein Fehler kann nur durch einen dokumentierten Korrekturvermerk berichtigt werden.")
	}
	v := &core.ValidationError{}
	switch d {
	case DecideExclude:
		core.CheckText(v, "reason", "einen Grund für den Ausschluss", reason, true, 4000)
	case DecideAdmit:
		for _, it := range items {
			if !it.Mandatory {
				continue
			}
			field := "met_" + it.Key
			switch {
			case it.Document && !it.Present():
				v.Add(field, "missing", fmt.Sprintf("„%s“ fehlt. Ohne diese Mindestanforderung kann die Interessenbekundung nicht zugelassen werden (OVG NRW 4 B 690/16); fordern Sie das Dokument nach oder schließen Sie aus.", it.Label))
			case it.Document && !it.Usable():
				v.Add(field, "expired", fmt.Sprintf("„%s“ war zum Fristende nicht mehr gültig. Fordern Sie ein gültiges Dokument nach oder schließen Sie aus.", it.Label))
			case !it.Met:
				v.Add(field, "not_met", fmt.Sprintf("Die Mindestanforderung „%s“ ist nicht als erfüllt bestätigt. Eine Interessenbekundung, die eine veröffentlichte Mindestanforderung nicht erfüllt, kann nicht zugelassen werden (OVG NRW 4 B 690/16).", it.Label))
			}
		}
	case DecideSave:
	default:
		v.Add("decision", "invalid", "Bitte wählen Sie eine Entscheidung.")
	}
	return v.OrNil()
}

// FormalLabel returns the German label of a formal outcome (requested: Nachforderung).
func FormalLabel(o string) string {
	switch o {
	case "admitted":
		return "Zugelassen"
	case "excluded":
		return "Ausgeschlossen"
	case "requested":
		return "Nachforderung offen"
	}
	return "Noch nicht geprüft"
}

// RequestAnswer is one uploaded answer with its own receipt: file, SHA-256, time.
type RequestAnswer struct {
	ID         int64
	RequestID  int64
	DocKey     string
	FileID     int64
	Name       string
	Size       int64
	SHA256     string `gorm:"column:sha256"`
	ReceivedAt time.Time
	UploadedBy string
}

// ProtocolFile is a file of an opened version.
type ProtocolFile struct {
	BidID      int64
	DocKey     string
	FileID     int64
	Name       string
	Size       int64
	SHA256     string `gorm:"column:sha256"`
	DocType    *string
	IssuedOn   *time.Time
	ValidUntil *time.Time
}
