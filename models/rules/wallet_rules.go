package rules

import (
	"strings"
	"time"

	"kimibv/models/core"
)

// DocType is the kind of a standing document in an organisation's wallet.
type DocType string

// The standing documents a provider keeps: those calls commonly require (rules.md R17).
const (
	DocFreistellung DocType = "freistellungsbescheid"
	DocSatzung      DocType = "satzung"
	DocRegister     DocType = "registerauszug"
	DocVertretung   DocType = "vertretungsnachweis"
)

// DocTypes lists the wallet document types in display order.
var DocTypes = []DocType{DocFreistellung, DocSatzung, DocRegister, DocVertretung}

// docTypeLabels are the German names of the document types.
var docTypeLabels = map[DocType]string{
	DocFreistellung: "Freistellungsbescheid",
	DocSatzung:      "Satzung",
	DocRegister:     "Registerauszug",
	DocVertretung:   "Nachweis der Vertretungsberechtigung",
}

// Label returns the German name of the document type.
func (t DocType) Label() string {
	if l, ok := docTypeLabels[t]; ok {
		return l
	}
	return string(t)
}

// Valid reports whether t is a known document type.
func (t DocType) Valid() bool { _, ok := docTypeLabels[t]; return ok }

// HasIssuedOn reports whether the type carries a date: the notice's date
// (Freistellungsbescheid) or the extract's date (Registerauszug).
func (t DocType) HasIssuedOn() bool { return t == DocFreistellung || t == DocRegister }

// HasValidUntil reports whether the type carries a validity end (Freistellungsbescheid).
func (t DocType) HasValidUntil() bool { return t == DocFreistellung }

// WalletWarning is how long before a document stops being current it is flagged "läuft bald ab".
const WalletWarning = 8 * 7 * 24 * time.Hour

// RegisterMaxAgeMonths is the age from which a register extract counts as outdated.
const RegisterMaxAgeMonths = 6

// ExpiryFlag marks a wallet document that is or soon will be out of date.
type ExpiryFlag string

// The expiry flags; "" means current.
const (
	FlagCurrent  ExpiryFlag = ""
	FlagExpiring ExpiryFlag = "expiring"
	FlagExpired  ExpiryFlag = "expired"
)

// CivilDay returns t's calendar date in Europe/Berlin as midnight UTC (the form in which
// PostgreSQL date columns arrive), so that dates compare by calendar day.
func CivilDay(t time.Time) time.Time {
	y, m, d := t.In(core.Berlin()).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// dateOnly normalises a stored date to midnight UTC of its own calendar date.
func dateOnly(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// DocumentExpiry computes whether a wallet document is current on now's calendar day
// (Europe/Berlin). It returns the flag and the last day on which the document is current
// (nil for types without validity: Satzung, Vertretungsnachweis).
//
//   - Freistellungsbescheid: current through validUntil (inclusive); "abgelaufen" from the
//     day after; "läuft bald ab" when validUntil is less than 8 weeks away.
//   - Registerauszug: current while younger than 6 months, i.e. through the day before
//     issuedOn + 6 months; flagged "läuft bald ab" in the 8 weeks before.
//
// A missing date flags the document as expired: nobody can rely on it.
func DocumentExpiry(t DocType, issuedOn, validUntil *time.Time, now time.Time) (ExpiryFlag, *time.Time) {
	var last time.Time
	switch t {
	case DocFreistellung:
		if validUntil == nil {
			return FlagExpired, nil
		}
		last = dateOnly(*validUntil)
	case DocRegister:
		if issuedOn == nil {
			return FlagExpired, nil
		}
		last = dateOnly(*issuedOn).AddDate(0, RegisterMaxAgeMonths, -1)
	default:
		return FlagCurrent, nil
	}
	today := CivilDay(now)
	switch {
	case today.After(last):
		return FlagExpired, &last
	case !today.Add(WalletWarning).Before(last.AddDate(0, 0, 1)):
		return FlagExpiring, &last
	}
	return FlagCurrent, &last
}

// ExpiryLabel returns the German flag text for a document type ("" when current).
func ExpiryLabel(t DocType, f ExpiryFlag) string {
	switch f {
	case FlagExpired:
		if t == DocRegister {
			return "älter als 6 Monate"
		}
		return "abgelaufen"
	case FlagExpiring:
		return "läuft bald ab"
	}
	return ""
}

// ParseDateDE reads a calendar date as entered in a form: "2006-01-02" (input type=date)
// or "02.01.2006" / "2.1.2006" (typed). It returns midnight UTC of that date.
func ParseDateDE(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02", "02.01.2006", "2.1.2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
