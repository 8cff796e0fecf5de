package accounts

import (
	"fmt"
	"strings"

	"gorm.io/gorm"

	"kimibv/models/store"
)

// LetterSender is what a letter of a Kreis states about its sender: the Kreis and the
// issuing authority (letterhead), the postal address (return address), the signing office
// under the closing, the contact for questions (information block) and the administrative
// court the Rechtsbehelfsbelehrung names. It is part of the frozen content of every letter,
// so a letter shows the settings of the moment it was issued.
type LetterSender struct {
	Kreis         string `json:"kreis"`
	Authority     string `json:"authority"`
	Letterhead    string `json:"letterhead"` // further letterhead lines, newline separated
	Address       string `json:"address"`    // newline separated
	SigningOffice string `json:"signing_office"`
	Phone         string `json:"phone"`
	Email         string `json:"email"`
	Court         string `json:"court"`
	CourtAddress  string `json:"court_address"` // newline separated
}

// LetterParties are the sender and the recipient's address lines of one letter.
type LetterParties struct {
	Sender    LetterSender `json:"sender"`
	Recipient []string     `json:"recipient"` // organisation name, street, postal code and city
}

// ReturnAddress is the sender's one-line return address above the recipient, e.g.
// "Kreis Musterland · Am Kreishaus 1 · 57000 Musterstadt".
func (s LetterSender) ReturnAddress() string {
	parts := []string{firstNonBlank(s.Kreis, s.Authority)}
	for _, l := range strings.Split(s.Address, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			parts = append(parts, l)
		}
	}
	return strings.Join(parts, " · ")
}

// CourtLine names the court with its address in one line, e.g. "Verwaltungsgericht
// Düsseldorf, Bastionstraße 39, 40213 Düsseldorf"; empty when no court is set.
func (s LetterSender) CourtLine() string {
	if strings.TrimSpace(s.Court) == "" {
		return ""
	}
	parts := []string{strings.TrimSpace(s.Court)}
	for _, l := range strings.Split(s.CourtAddress, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			parts = append(parts, l)
		}
	}
	return strings.Join(parts, ", ")
}

// PostalAddress is the organisation's registered address as the lines of an address field.
func (o *Organization) PostalAddress() []string {
	lines := []string{o.Name}
	if s := strings.TrimSpace(o.Street); s != "" {
		lines = append(lines, s)
	}
	if pc := strings.TrimSpace(o.PostalCode + " " + o.City); pc != "" {
		lines = append(lines, pc)
	}
	return lines
}

// LetterPartiesOf reads, inside tx, the sender details of Kreis tenantID (the call's own
// authority when given, else the Kreis's) and the registered address of organisation orgID.
func LetterPartiesOf(tx *gorm.DB, tenantID, orgID int64, authority string) (LetterParties, error) {
	var t Tenant
	if err := tx.Where("id = ?", tenantID).First(&t).Error; err != nil {
		return LetterParties{}, store.NotFound(err, fmt.Sprintf("tenant %d", tenantID))
	}
	var o Organization
	if err := tx.Where("id = ?", orgID).First(&o).Error; err != nil {
		return LetterParties{}, store.NotFound(err, fmt.Sprintf("organization %d", orgID))
	}
	s := LetterSender{Kreis: t.Name, Authority: firstNonBlank(authority, t.Authority, t.Name), Letterhead: t.Letterhead, Address: t.Address,
		SigningOffice: t.SigningOffice, Phone: t.Phone, Email: t.ContactEmail, Court: t.Court, CourtAddress: t.CourtAddress}
	return LetterParties{Sender: s, Recipient: o.PostalAddress()}, nil
}

// firstNonBlank returns the first string that is not blank.
func firstNonBlank(s ...string) string {
	for _, x := range s {
		if strings.TrimSpace(x) != "" {
			return x
		}
	}
	return ""
}
